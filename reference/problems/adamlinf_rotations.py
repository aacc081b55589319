"""The rotations and initial points of adamlinf Sec. 4.1 / App. D.1, for several t at once.

App. D.1: ``M_ij ~ N(0, 1)`` i.i.d., ``R_t = exp(t (M - M^T))`` (one family for all t), ``x_0 ~
Unif([0, 1]^d)``, and training on ``L_t(x) = x^T R_t^T Sigma R_t x / 2`` starts from ``R_t^T x_0``.

:func:`adamlinf_rotations` returns ``R_t`` for several t that are integer multiples ``k_t`` of a unit
``t_unit`` with ONE ``expm`` (``B = exp(t_unit (M - M^T))``) and exact powers ``R_t = B^(k_t)``
(binary powers shared between the t's): e.g. 11 matrix products for t = 0.002, 0.008, 0.015, 0.1
instead of four ``expm`` calls.  The M stream is that of :func:`reference.problems.adamlinf_quadratic`
for the same seed, so ``adamlinf_rotations(seed, [t])[t]`` equals ``adamlinf_quadratic(t, seed).R`` up
to the rounding of the products (tests/reference/problems).  :func:`adamlinf_initial_points` draws n
points from the x_0 stream of the same seed (its first row is ``adamlinf_quadratic(0, seed).x0``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.linalg

from .base import check_int, check_real

__all__ = ["adamlinf_rotations", "adamlinf_initial_points", "T_UNIT"]

T_UNIT = 0.001
"""Every t of App. D.1 (0.002, 0.008, 0.015, 0.1) is a multiple of 0.001."""


def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    seed = check_int("seed", seed, lo=0)
    s_rot, s_x0 = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(s_rot), np.random.default_rng(s_x0)


def adamlinf_rotations(seed: int, ts: Iterable[float], d: int = 1000, t_unit: float = T_UNIT) -> dict[float, np.ndarray]:
    """``{t: exp(t (M - M^T))}`` for every t in ``ts`` (each a positive integer multiple of ``t_unit``,
    up to 1e-9 relative; t = 0 gives the identity)."""
    d = check_int("d", d)
    t_unit = check_real("t_unit", t_unit, lo=0.0)
    if t_unit <= 0:
        raise ValueError(f"t_unit must be > 0, got {t_unit}")
    ks = {}
    for t in ts:
        t = check_real("t", t, lo=0.0)
        k = int(round(t / t_unit))
        if abs(k * t_unit - t) > 1e-9 * max(t, t_unit):
            raise ValueError(f"t = {t} is not an integer multiple of t_unit = {t_unit}")
        ks[t] = k
    M = _streams(seed)[0].standard_normal((d, d))
    out = {t: np.eye(d) for t, k in ks.items() if k == 0}
    kmax = max(ks.values(), default=0)
    if kmax == 0:
        return out
    power = scipy.linalg.expm(t_unit * (M - M.T))  # B^(2^0)
    acc: dict[float, np.ndarray | None] = {t: None for t, k in ks.items() if k > 0}
    bit = 0
    while (1 << bit) <= kmax:
        for t, k in ks.items():
            if k > 0 and (k >> bit) & 1:
                acc[t] = power.copy() if acc[t] is None else acc[t] @ power
        bit += 1
        if (1 << bit) <= kmax:
            power = power @ power
    out.update(acc)
    return out


def adamlinf_initial_points(seed: int, n: int, d: int = 1000) -> np.ndarray:
    """``n`` points ``x_0 ~ Unif([0, 1]^d)`` (shape (n, d)) from the x_0 stream of ``seed``."""
    n, d = check_int("n", n), check_int("d", d)
    return _streams(seed)[1].uniform(0.0, 1.0, size=(n, d))
