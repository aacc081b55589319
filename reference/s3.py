"""S3 (SoftSignSGD), s3 Algorithm 1.

With ``beta1 = beta`` (numerator) and ``beta2`` (denominator; ``beta2=None`` means ``beta``,
Theorem 2(1) lets them differ), step t = 1, 2, ... is::

    m_t    = beta1 m_{t-1} + (1 - beta1) g_t                      (Alg. 1 line 4)
    s_t    = beta2 s_{t-1} + (1 - beta2) |g_t|^p                  (line 5)
    n_t    = beta1 m_t + (1 - beta1) g_t                          (line 6, Nesterov)
    b_t(p) = (beta2 s_t + (1 - beta2) |g_t|^p)^(1/p)              (line 7, Nesterov)
    x_{t+1} = x_t - gamma_t n_t / b_t(p)                          (line 8)

with ``m_0 = s_0 = 0``.  ``nesterov=False`` drops lines 6-7 (``d_t = m_t / s_t^(1/p)``, the
"w/o NAG" rows of Tables 3-4).  Open details, chosen and documented here:

* 0/0: with an all-zero gradient history ``n_t = b_t = 0``; the step is 0 (``ratio``).
* ``eps`` (default 0, as in Alg. 1) is added to ``b_t``: ``d_t = n_t / (b_t + eps)``.
* ``weight_decay`` is decoupled: ``x_{t+1} = x_t (1 - gamma_t lambda) - gamma_t d_t``
  (Appendix B.1 follows Lion's product rule lr * lambda).
* ``|g|^p`` and the p-th root use exact fast paths for p = 1, 2, 3 (abs, square/sqrt,
  cube/cbrt) so that every implementation computes the same function: ``|g|^2 = |g| |g|``,
  ``|g|^3 = (|g| |g|) |g|``, ``y^(1/2) = sqrt(y)``, ``y^(1/3) = cbrt(y)`` (each rounded once
  per operation; ``y ** (1/3)`` would differ, as 1/3 is not a float).  No ``pow`` for p = 1, 2, 3.

:func:`s3_direction` is that formula as plain array expressions; ``step`` evaluates the same
operations with the fused kernel ``_s3_kernel`` (see :mod:`reference.algorithm`, "Speed
without changing a bit"), bit-identical to it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .algorithm import divide_or_zero, fused, kernel_ready, ratio
from .declaration import Declaration, Example, Step, decoupled
from .hyperparams import NONNEG, P_ORDER, UNIT, Hyperparams, LearningRate, boolean, learning_rate, optional, param
from .registry import register

__all__ = ["S3State", "S3Params", "S3", "s3", "abs_pow", "root", "s3_direction", "update"]


class S3State(NamedTuple):
    t: int
    m: np.ndarray
    s: np.ndarray
    direction: np.ndarray


class S3Params(Hyperparams):
    """S3's hyperparameters (s3 Algorithm 1; ``beta2``: Theorem 2(1))."""

    lr: LearningRate = param(default=3e-3, check=learning_rate,
                             doc="learning rate gamma/eta: float > 0 or schedule t -> lr_t")
    beta: float = param(default=0.95, check=UNIT, doc="EMA coefficient beta of m and (by default) s, in [0, 1)")
    p: float = param(default=3.0, check=P_ORDER, doc="order p >= 1 of the denominator momentum s_t(p)")
    beta2: float | None = param(default=None, check=optional(UNIT),
                                doc="EMA coefficient of s and b (Theorem 2(1)); None means beta")
    nesterov: bool = param(default=True, check=boolean,
                           doc="True: Nesterov estimators n_t, b_t (Alg. 1); False: m_t / s_t^(1/p)")
    weight_decay: float = param(default=0.0, check=NONNEG, doc="weight decay lambda >= 0")
    eps: float = param(default=0.0, check=NONNEG, doc="epsilon >= 0 added to b_t(p)")


def _pow(y: np.ndarray, e: float) -> np.ndarray:
    """``y ** e`` rounded once to y's dtype: a float32 array is raised in float64, since NumPy
    would first round the exponent to float32 (relative error up to ``|ln y| u / p``)."""
    if y.dtype == np.float64:
        return y**e
    return (y.astype(np.float64) ** e).astype(y.dtype)


def abs_pow(g: np.ndarray, p: float) -> np.ndarray:
    """``|g|^p`` with exact multiplications for p = 1, 2, 3 (s3 Alg. 1 line 5)."""
    a = np.abs(g)
    if p == 1.0:
        return a
    if p == 2.0:
        return a * a
    if p == 3.0:
        return a * a * a
    return _pow(a, p)


def _pow_into(y: np.ndarray, e: float, out: np.ndarray) -> None:
    """``out = _pow(y, e)`` (``out`` may be ``y``)."""
    if y.dtype == np.float64:
        np.power(y, e, out)
    else:
        np.copyto(out, np.power(y.astype(np.float64), e), casting="unsafe")


def abs_pow_into(g: np.ndarray, p: float, out: np.ndarray, tmp: np.ndarray) -> None:
    """``out = abs_pow(g, p)`` with the same operations; ``tmp`` is scratch."""
    if p == 3.0:
        np.abs(g, tmp)
        np.multiply(tmp, tmp, out)
        np.multiply(out, tmp, out)
        return
    np.abs(g, out)
    if p == 2.0:
        np.multiply(out, out, out)
    elif p != 1.0:
        _pow_into(out, p, out)


def root_into(y: np.ndarray, p: float, out: np.ndarray) -> None:
    """``out = root(y, p)`` with the same operations (``out`` may be ``y``)."""
    if p == 1.0:
        if out is not y:
            np.copyto(out, y)
    elif p == 2.0:
        np.sqrt(y, out)
    elif p == 3.0:
        np.cbrt(y, out)
    else:
        _pow_into(y, 1.0 / p, out)


def root(y: np.ndarray, p: float) -> np.ndarray:
    """``y^(1/p)`` for ``y >= 0`` with sqrt/cbrt for p = 2, 3 (s3 Alg. 1 line 7)."""
    if p == 1.0:
        return y
    if p == 2.0:
        return np.sqrt(y)
    if p == 3.0:
        return np.cbrt(y)
    return _pow(y, 1.0 / p)


def s3_direction(g: np.ndarray, m: np.ndarray, s: np.ndarray, *, beta1: float, beta2: float, p: float,
                 nesterov: bool, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One S3 update of the buffers: returns ``(m_t, s_t, d_t)`` (s3 Alg. 1 lines 4-8)."""
    gp = abs_pow(g, p)
    m = beta1 * m + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * gp
    if nesterov:
        num = beta1 * m + (1.0 - beta1) * g
        den = root(beta2 * s + (1.0 - beta2) * gp, p)
    else:
        num = m
        den = root(s, p)
    if eps:
        den = den + eps
    return m, s, ratio(num, den)


def _s3_kernel(beta1: float, beta2: float, p: float, nesterov: bool, eps: float, lr_t: float, wd: float,
               g: np.ndarray, m0: np.ndarray, s0: np.ndarray, x: np.ndarray,
               m: np.ndarray, s: np.ndarray, d: np.ndarray, x_next: np.ndarray,
               u: np.ndarray, b: np.ndarray, mask: np.ndarray) -> None:
    """:func:`s3_direction` and :func:`decoupled_step` with ``out=`` (same operations, same order).

    ``(1 - beta2)|g|^p`` and ``(1 - beta1) g`` occur twice in Alg. 1 (lines 4-7) and are computed
    once; ``u`` and ``b`` are scratch, ``b`` ends as the denominator ``b_t(p) (+ eps)``.
    """
    abs_pow_into(g, p, u, b)
    np.multiply(u, 1.0 - beta2, u)  # (1 - beta2)|g|^p
    np.multiply(s0, beta2, s)
    np.add(s, u, s)  # s_t, line 5
    if nesterov:
        np.multiply(s, beta2, b)
        np.add(b, u, b)
        root_into(b, p, b)  # b_t(p), line 7
    else:
        root_into(s, p, b)
    np.multiply(g, 1.0 - beta1, u)  # (1 - beta1) g
    np.multiply(m0, beta1, m)
    np.add(m, u, m)  # m_t, line 4
    if nesterov:
        np.multiply(m, beta1, d)
        np.add(d, u, d)  # n_t, line 6
        num = d
    else:
        num = m
    if eps:
        np.add(b, eps, b)
    divide_or_zero(num, b, d, mask)  # d_t = n_t / b_t(p), 0/0 := 0
    np.multiply(d, lr_t, u)
    if wd:
        np.multiply(x, 1.0 - lr_t * wd, x_next)
        np.subtract(x_next, u, x_next)
    else:
        np.subtract(x, u, x_next)  # line 8


def _betas(hp: S3Params) -> tuple[float, float]:
    return hp.beta, (hp.beta if hp.beta2 is None else hp.beta2)


def init(x: np.ndarray, hp: S3Params) -> S3State:
    """``m_0 = s_0 = 0``."""
    z = np.zeros_like(x)
    return S3State(t=0, m=z, s=z.copy(), direction=z.copy())


def update(g: np.ndarray, state: S3State, hp: S3Params, step: Step) -> S3State:
    """s3 Algorithm 1 lines 4-7 (:func:`s3_direction`); the driver takes line 8's step."""
    beta1, beta2 = _betas(hp)
    m, s, d = s3_direction(g, state.m, state.s, beta1=beta1, beta2=beta2, p=hp.p, nesterov=hp.nesterov, eps=hp.eps)
    return S3State(step.t, m, s, d)


def fused_step(g: np.ndarray, state: S3State, hp: S3Params, step: Step) -> tuple[np.ndarray, S3State] | None:
    """The whole step with ``_s3_kernel`` (bit-identical to :func:`update` and the decoupled step)."""
    x, m0, s0 = step.x, state.m, state.s
    if not kernel_ready(x, g, m0, s0):
        return None
    beta1, beta2 = _betas(hp)
    m, s, d, x_next = fused(_s3_kernel, (g, m0, s0, x), 4, 2, beta1, beta2, hp.p, hp.nesterov, hp.eps, step.lr,
                            hp.weight_decay)
    return x_next, S3State(step.t, m, s, d)


S3 = register(Declaration(
    name="s3",
    hyperparams=S3Params,
    state=S3State,
    init=init,
    update=update,
    doc="""S3 / SoftSignSGD (s3 Algorithm 1); see :mod:`reference.s3` for the update.""",
    decay=decoupled,
    fused=fused_step,
    torch="gpu.s3:S3",
    examples=(
        Example("s3", {}),
        Example("s3_plain_p1", {"nesterov": False, "p": 1.0}),
        Example("s3_p2_beta2_eps_wd", {"p": 2.0, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.1}),
        Example("s3_p1.5", {"p": 1.5, "beta": 0.9}),
    ),
))
s3 = S3.factory
