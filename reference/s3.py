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

from typing import Any, NamedTuple

import numpy as np

from .algorithm import (
    Algorithm,
    Oracle,
    as_float_array,
    check_shape,
    decoupled_step,
    divide_or_zero,
    factory,
    fused,
    kernel_ready,
    lr_at,
    oracle_gradient,
    ratio,
)

__all__ = ["S3State", "s3", "abs_pow", "root", "s3_direction"]


class S3State(NamedTuple):
    t: int
    m: np.ndarray
    s: np.ndarray
    direction: np.ndarray


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


@factory("s3")
def s3(hp: Any) -> Algorithm:
    """S3 / SoftSignSGD (s3 Algorithm 1); see the module docstring for the update."""
    beta1 = hp["beta"]
    beta2 = hp["beta"] if hp["beta2"] is None else hp["beta2"]

    def init(x0: Any) -> S3State:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return S3State(t=0, m=z, s=z.copy(), direction=z.copy())

    p, nesterov, eps, lr, wd = hp["p"], hp["nesterov"], hp["eps"], hp["lr"], hp["weight_decay"]

    def step(x: np.ndarray, state: S3State, oracle: Oracle) -> tuple[np.ndarray, S3State]:
        check_shape("s3", x, state)
        t = state.t + 1
        g = oracle_gradient("s3", oracle, x)
        m0, s0 = state.m, state.s
        lr_t = lr_at("s3", lr, t)
        if kernel_ready(x, g, m0, s0):
            m, s, d, x_next = fused(_s3_kernel, (g, m0, s0, x), 4, 2, beta1, beta2, p, nesterov, eps, lr_t, wd)
            return x_next, S3State(t, m, s, d)
        m, s, d = s3_direction(g, m0, s0, beta1=beta1, beta2=beta2, p=p, nesterov=nesterov, eps=eps)
        return decoupled_step(x, d, lr_t, wd), S3State(t, m, s, d)

    return Algorithm("s3", hp, init, step)
