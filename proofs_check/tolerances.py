"""Tolerances, derived once (never loosened to get green).

Floating point (Higham, *Accuracy and Stability of Numerical Algorithms*, Sec. 3.1): with unit
roundoff ``u`` (2^-53 for float64), a quantity obtained by ``n`` chained operations whose terms
do not cancel carries a relative error at most ``gamma_n = n u / (1 - n u)``.  A check that
compares a computed ratio with a bound allows ``bound * gamma_n`` with ``n`` counted for that
computation (e.g. an EMA over t steps costs 2 operations a step in the numerator and in the
denominator, plus a constant for the final root and division).

Monte Carlo: an expectation estimated by the mean of S independent runs is compared with a
bound through ``mean - Z * SE`` (one-sided, ``Z = 3``: a false "refuted" at most 0.14 % of the
time for a normal mean).  Bootstrap intervals are 95 % percentile intervals.
"""

from __future__ import annotations

import numpy as np

__all__ = ["U64", "gamma", "ema_ops", "Z_MC", "CI_LEVEL", "within", "not_above"]

U64 = float(np.finfo(np.float64).eps) / 2.0  # unit roundoff 2^-53
Z_MC = 3.0
CI_LEVEL = 0.95


def gamma(n: float, u: float = U64) -> float:
    """``gamma_n = n u / (1 - n u)``: relative error bound of n chained non-cancelling operations."""
    if n * u >= 1:
        raise ValueError("gamma: n u must be < 1")
    return n * u / (1.0 - n * u)


def ema_ops(t: int) -> int:
    """Operations behind one coordinate of an EMA-ratio update after t steps (numerator and
    denominator EMAs: 2 ops each per step; power, root, division, bias corrections: 8)."""
    return 4 * t + 8


def not_above(value: float | np.ndarray, bound: float | np.ndarray, n_ops: float) -> bool:
    """``value <= bound (1 + gamma_n)`` everywhere."""
    return bool(np.all(np.asarray(value) <= np.asarray(bound) * (1.0 + gamma(n_ops))))


def within(value: float | np.ndarray, target: float | np.ndarray, n_ops: float) -> bool:
    """``|value - target| <= |target| gamma_n`` everywhere."""
    v, tg = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    return bool(np.all(np.abs(v - tg) <= np.abs(tg) * gamma(n_ops)))
