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

**The whole finite range, any p: root mode.**  Lines 5 and 7 raise ``|g|`` to the p-th power:
in float32 ``|g|^3`` overflows beyond ``|g| ~ 7e12`` and underflows below ``~1e-15``, and for
p = 8 already outside ``[1e-5, 1e4]`` -- the plain evaluation then returns ``s = inf`` (a step
of 0, for ever) or ``b = 0`` (a step of 0).  Both lines are power means of degree p, and the
update is homogeneous: with a per-coordinate scale ``c > 0``, ``s = c^p s^``, ``m = c m^``,
``g = c g^`` give ``b = c b^`` and ``d = n / b = n^ / b^``.  So each coordinate is evaluated in
one of two modes, both Algorithm 1 exactly (in real arithmetic):

* **plain** (``state.s >= 0`` holds the paper's ``s_t``): lines 4-8 as written above, the
  fast paths and the fused kernel, bit for bit the formula of :func:`s3_direction` -- used
  wherever it is accurate: ``y`` (the argument of the p-th root: ``beta2 s_t + (1 - beta2)|g|^p``,
  or ``s_t`` without Nesterov) is finite and at least the dtype's smallest normal number, or the
  coordinate is exactly zero (``y = g = m_{t-1} = 0``);
* **root** (``state.s = -r`` with ``r = s_t^(1/p)``, the power mean itself, which lies between
  the smallest and the largest ``|g|`` it averages and so is representable for every finite
  gradient history): every other coordinate.  Both power means are evaluated scaled by their
  largest weighted term ``c = max(beta2^(1/p) r, (1 - beta2)^(1/p) |g|)``::

      r_t = c (rho_s^p + rho_g^p)^(1/p),   rho_s = beta2^(1/p) r_{t-1} / c,   rho_g = (1 - beta2)^(1/p) |g_t| / c

  (one of the rho is exactly 1, the other in [0, 1]: nothing overflows, what underflows is
  below the result's rounding), ``b_t`` the same with ``r_t`` in place of ``r_{t-1}``, in
  float64 for float32/float16 state (the state dtype otherwise), rounded once to the state
  dtype.  A coordinate returns to plain mode when ``r_t^p`` is back inside
  ``[2^8 tiny, 2^-8 max]`` of the dtype.

The paper's ``s_t`` is always available: :func:`paper_s` (``r^p`` where ``s < 0``, in float64,
inf beyond it) and :func:`root_s` (``s_t^(1/p)``, representable for every state).  The plain
evaluation (a trial for every coordinate) is kept where it is accurate, so results are bit
for bit those of the plain formula wherever the plain formula is finite and accurate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .algorithm import divide_or_zero, fused, kernel_ready, ratio
from .declaration import Declaration, Example, Step, decoupled
from .hyperparams import NONNEG, P_ORDER, UNIT, Hyperparams, LearningRate, boolean, learning_rate, optional, param
from .registry import register

__all__ = ["S3State", "S3Params", "S3", "s3", "abs_pow", "root", "s3_direction", "update", "paper_s", "root_s",
           "root_mode_update"]


class S3State(NamedTuple):
    """``m``, ``s`` (the paper's s_t where ``s >= 0``; ``-s_t^(1/p)`` in root mode, see the module
    docstring and :func:`paper_s`), ``direction`` d_t."""

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


def _wide(dtype: np.dtype) -> np.dtype:
    """The dtype of a float64 ``pow`` (and of root mode) for state of ``dtype``: float64 for
    float16/float32, the dtype itself for float64 and wider."""
    return np.dtype(np.float64) if np.dtype(dtype).itemsize < 8 else np.dtype(dtype)


def _pow(y: np.ndarray, e: float) -> np.ndarray:
    """``y ** e`` rounded once to y's dtype: a float32 array is raised in float64, since NumPy
    would first round the exponent to float32 (relative error up to ``|ln y| u / p``)."""
    if y.dtype.itemsize >= 8:
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
    if y.dtype.itemsize >= 8:
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


def _plain(g: np.ndarray, m: np.ndarray, s: np.ndarray, *, beta1: float, beta2: float, p: float,
           nesterov: bool, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """s3 Alg. 1 lines 4-7 as plain array expressions: ``(m_t, s_t, y, n_t, b_t (+ eps))`` with
    ``y`` the argument of the p-th root."""
    gp = abs_pow(g, p)
    m = beta1 * m + (1.0 - beta1) * g
    s = beta2 * s + (1.0 - beta2) * gp
    if nesterov:
        num = beta1 * m + (1.0 - beta1) * g
        y = beta2 * s + (1.0 - beta2) * gp
    else:
        num = m
        y = s
    den = root(y, p)
    if eps:
        den = den + eps
    return m, s, y, num, den


def s3_direction(g: np.ndarray, m: np.ndarray, s: np.ndarray, *, beta1: float, beta2: float, p: float,
                 nesterov: bool, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One S3 update of the buffers: returns ``(m_t, s_t, d_t)`` (s3 Alg. 1 lines 4-8), the plain
    evaluation of the module docstring (accurate where ``|g|^p`` and ``s`` are normal numbers)."""
    m, s, _, num, den = _plain(g, m, s, beta1=beta1, beta2=beta2, p=p, nesterov=nesterov, eps=eps)
    return m, s, ratio(num, den)


# --------------------------------------------------------------------------- root mode


def root_s(s: np.ndarray, p: float) -> np.ndarray:
    """``s_t^(1/p)`` of every coordinate of a state's ``s`` (plain or root mode): representable for
    every state (it lies between the smallest and the largest |g| it averages)."""
    s = np.asarray(s)
    with np.errstate(invalid="ignore"):
        return np.where(s < 0, -s, root(np.maximum(s, 0), p))  # type: ignore[no-any-return]


def paper_s(s: np.ndarray, p: float) -> np.ndarray:
    """The paper's ``s_t`` (s3 Alg. 1 line 5) of a state's ``s``: ``s`` where ``s >= 0``,
    ``(-s)^p`` in root mode; in float64 (or wider), inf where ``s_t`` exceeds float64's range."""
    s = np.asarray(s)
    w = s.astype(_wide(s.dtype))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.where(w < 0, abs_pow(w, p), w)  # type: ignore[no-any-return]


def _power_mean(u: np.ndarray, v: np.ndarray, p: float) -> np.ndarray:
    """``(u^p + v^p)^(1/p)`` for ``u, v >= 0``, scaled by ``c = max(u, v)``:
    ``c ((u/c)^p + (v/c)^p)^(1/p)`` (one ratio is 1, the other in [0, 1]: no overflow, any p),
    never above ``2^(1/p) max(u, v)``; 0 where both are 0."""
    c = np.maximum(u, v)
    q = np.where(c > 0, c, 1.0)
    return c * root(abs_pow(u / q, p) + abs_pow(v / q, p), p)  # type: ignore[no-any-return]


def root_mode_update(g: np.ndarray, m0: np.ndarray, s0: np.ndarray, *, beta1: float, beta2: float, p: float,
                     nesterov: bool, eps: float, dtype: np.dtype | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """s3 Alg. 1 lines 4-8 in root mode (module docstring) for coordinates with finite ``g``,
    ``m0``, ``s0``: ``(m_t, s_t, d_t)`` in the state dtype, ``s_t`` as stored (plain ``s_t`` if it
    is back inside ``[2^8 tiny, 2^-8 max]``, else ``-r_t``), in ``dtype`` (default: the inputs'
    promoted dtype).  Evaluated in :func:`_wide`."""
    dt = np.dtype(dtype) if dtype is not None else np.result_type(g, m0, s0)
    w = _wide(dt)
    fi = np.finfo(dt)
    with np.errstate(all="ignore"):
        g, m0, s0 = g.astype(w), m0.astype(w), s0.astype(w)
        r0 = np.where(s0 < 0, -s0, root(np.maximum(s0, 0), p))  # r_{t-1} = s_{t-1}^(1/p)
        a = np.abs(g)
        ws, wg = w.type(beta2 ** (1.0 / p)), w.type((1.0 - beta2) ** (1.0 / p))  # weights of line 5 as p-th roots
        r = np.minimum(_power_mean(ws * r0, wg * a, p), np.maximum(r0, a))  # r_t = s_t^(1/p), a power mean
        m = beta1 * m0 + (1.0 - beta1) * g
        if nesterov:
            num = beta1 * m + (1.0 - beta1) * g
            den = np.minimum(_power_mean(ws * r, wg * a, p), np.maximum(r, a))  # b_t (line 7)
        else:
            num, den = m, r
        if eps:
            den = den + eps
        d = ratio(num, den)
        sp = abs_pow(r, p)
        plain = (sp >= fi.tiny * 2.0**8) & (sp <= fi.max * 2.0**-8)
        s = np.where(plain, sp, -r)
        s = np.where(r == 0, 0.0, s)
        return m.astype(dt), s.astype(dt), d.astype(dt)


def _needs_root(g: np.ndarray, m0: np.ndarray, s0: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The coordinates the plain evaluation gets wrong (module docstring): finite input and either
    root mode (``s0 < 0``) or ``y`` outside ``[tiny, inf)`` without being an exact zero."""
    tiny = np.finfo(y.dtype).tiny
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(g) & np.isfinite(m0) & np.isfinite(s0)
        good = (s0 >= 0) & (((y >= tiny) & (y < np.inf)) | ((y == 0) & (g == 0) & (m0 == 0)))
    return finite & ~good  # type: ignore[no-any-return]


def _overflowed(errs: Mapping[str, str], *pairs: tuple[np.ndarray, np.ndarray]) -> None:
    """Raise ``FloatingPointError`` (under a raising ``errs``) if an output is not finite where its
    inputs are (``pairs``: (output, input-finite mask))."""
    if errs.get("over") != "raise":
        return
    for out, finite in pairs:
        bad = finite & ~np.isfinite(out)
        if bad.any():
            raise FloatingPointError("overflow encountered in s3's step (|d_t| or |x_{t+1}| beyond the dtype's max)")


def _s3_root_argument(beta2: float, p: float, nesterov: bool, g: np.ndarray, s0: np.ndarray, s: np.ndarray,
                      u: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Lines 5 and 7 up to the root: ``s = s_t``, ``u = (1 - beta2)|g|^p``; returns ``y`` (``b`` or ``s``)."""
    abs_pow_into(g, p, u, b)
    np.multiply(u, 1.0 - beta2, u)  # (1 - beta2)|g|^p
    np.multiply(s0, beta2, s)
    np.add(s, u, s)  # s_t, line 5
    if not nesterov:
        return s
    np.multiply(s, beta2, b)
    np.add(b, u, b)  # the argument of line 7's root
    return b


_TINY: dict[np.dtype, float] = {}


def _tiny(dtype: np.dtype) -> float:
    """``np.finfo(dtype).tiny``, cached (the kernel asks once per block)."""
    t = _TINY.get(dtype)
    if t is None:
        t = _TINY[dtype] = np.finfo(dtype).tiny
    return t


def _s3_kernel(beta1: float, beta2: float, p: float, nesterov: bool, eps: float, lr_t: float, wd: float,
               g: np.ndarray, m0: np.ndarray, s0: np.ndarray, x: np.ndarray,
               m: np.ndarray, s: np.ndarray, d: np.ndarray, x_next: np.ndarray,
               u: np.ndarray, b: np.ndarray, mask: np.ndarray) -> None:
    """:func:`s3_direction` and :func:`decoupled_step` with ``out=`` (same operations, same order),
    then root mode where the plain evaluation is out of range.

    ``(1 - beta2)|g|^p`` and ``(1 - beta1) g`` occur twice in Alg. 1 (lines 4-7) and are computed
    once; ``u`` and ``b`` are scratch, ``b`` ends as the denominator ``b_t(p) (+ eps)``.  The plain
    evaluation runs under the driver's errstate (an overflow raises there); three reductions of the
    block (``min s_{t-1} >= 0``, ``y`` within ``[tiny, inf)``) keep it.  Otherwise the block is
    evaluated again with floating-point errors ignored and the coordinates of :func:`_needs_root`
    take :func:`root_mode_update`.
    """
    if not g.size:
        return
    try:
        y = _s3_root_argument(beta2, p, nesterov, g, s0, s, u, b)
        ok = bool(np.minimum.reduce(s0, axis=None) >= 0 and np.minimum.reduce(y, axis=None) >= _tiny(y.dtype)
                  and np.maximum.reduce(y, axis=None) < np.inf)
    except FloatingPointError:  # |g|^p or s overflowed, or a root-mode s (< 0) met a square root
        ok = False
    if ok:
        _s3_tail(beta1, p, nesterov, eps, lr_t, wd, g, m0, x, m, d, x_next, u, b, mask, b if nesterov else s)
        return
    errs = np.geterr()  # the driver's (a worker thread runs in a copy of its context)
    with np.errstate(all="ignore"):
        y = _s3_root_argument(beta2, p, nesterov, g, s0, s, u, b)
        fix = np.flatnonzero(_needs_root(g, m0, s0, y))
        _s3_tail(beta1, p, nesterov, eps, lr_t, wd, g, m0, x, m, d, x_next, u, b, mask, y)
    if not fix.size:
        if errs.get("over") == "raise":  # a non-finite x_{t+1} or d_t from finite input
            finite = np.isfinite(g) & np.isfinite(m0) & np.isfinite(s0)
            _overflowed(errs, (d, finite), (x_next, finite & np.isfinite(x)))
        return
    # flat views: a block is 1-D, a whole (small) array may have any shape; outputs are fresh and contiguous
    gi, m0i, s0i, xi = (np.ravel(a)[fix] for a in (g, m0, s0, x))
    mi, si, di = root_mode_update(gi, m0i, s0i, beta1=beta1, beta2=beta2, p=p, nesterov=nesterov, eps=eps)
    with np.errstate(all="ignore"):
        ui = di * lr_t
        xn = (xi * (1.0 - lr_t * wd) - ui) if wd else (xi - ui)
    for out, val in ((m, mi), (s, si), (d, di), (x_next, xn)):
        out.reshape(-1)[fix] = val
    finite = np.isfinite(g) & np.isfinite(m0) & np.isfinite(s0)
    _overflowed(errs, (d, finite), (x_next, finite & np.isfinite(x)))


def _s3_tail(beta1: float, p: float, nesterov: bool, eps: float, lr_t: float, wd: float, g: np.ndarray,
             m0: np.ndarray, x: np.ndarray, m: np.ndarray, d: np.ndarray, x_next: np.ndarray, u: np.ndarray,
             b: np.ndarray, mask: np.ndarray, y: np.ndarray) -> None:
    """Line 7's root of ``y`` into ``b``, lines 4, 6 and 8 (``u`` is reused)."""
    root_into(y, p, b)  # b_t(p), line 7 (without Nesterov: s_t^(1/p))
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
    """s3 Algorithm 1 lines 4-7 (:func:`s3_direction`, root mode where it is out of range; the
    module docstring); the driver takes line 8's step."""
    beta1, beta2 = _betas(hp)
    kw = dict(beta1=beta1, beta2=beta2, p=hp.p, nesterov=hp.nesterov, eps=hp.eps)
    errs = np.geterr()
    with np.errstate(all="ignore"):
        m, s, y, num, den = _plain(g, state.m, state.s, **kw)  # type: ignore[arg-type]
    if getattr(y, "__counting__", False):  # an operation-counting array: the plain formula
        return S3State(step.t, m, s, ratio(num, den))
    fix = _needs_root(g, state.m, state.s, y)
    if not fix.any():
        with np.errstate(**errs):  # d_t may overflow (|n_t| / b_t beyond max): raises under the driver
            return S3State(step.t, m, s, ratio(num, den))
    with np.errstate(all="ignore"):
        d = ratio(num, den)
    m, s, d = np.array(m, copy=True), np.array(s, copy=True), np.array(d, copy=True)
    g_, m0, s0 = np.broadcast_arrays(g, state.m, state.s)
    m[fix], s[fix], d[fix] = root_mode_update(g_[fix], m0[fix], s0[fix], dtype=s.dtype, **kw)  # type: ignore[arg-type]
    _overflowed(errs, (d[fix], np.ones(int(fix.sum()), bool)))
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
