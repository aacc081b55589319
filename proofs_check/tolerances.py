"""The threshold policy: every number the judge compares with lives here, derived once and never
loosened to get green.

Rounding (Higham, *Accuracy and Stability of Numerical Algorithms*, Sec. 3.1): with unit roundoff
``u`` (2^-53 for float64), a quantity obtained by ``n`` chained operations whose terms do not cancel
carries a relative error at most ``gamma_n = n u / (1 - n u)``.  Evidence states ``n`` for the
computation behind each value (e.g. an EMA over t steps costs 2 operations a step in the numerator
and in the denominator, plus a constant for the final root and division: :func:`ema_ops`), and the
judge allows ``|bound| gamma_n``.

Monte Carlo: an expectation estimated by the mean of S independent runs is compared with a bound
through ``mean -+ z_mc SE`` (one-sided, ``z_mc = 3``: a false "refuted" at most 0.14 % of the time
for a normal mean).  Bootstrap intervals (``scipy.stats.bootstrap``, percentile) have level
``ci_level``.

Agreement: a value *attains* a bound when it is within rounding of it (``gamma_n``; for sample
means within ``z_mc`` SE); a sequence *approaches* a supremum when its relative gap shrinks along
the sequence and ends below ``approach_rel``; a search *agrees* with a closed form when it reaches
it within ``search_rel`` (and never exceeds it beyond rounding).

Rates: an exponent interval wider than ``max_ci_width`` decides nothing; the claimed term of a rate
model must carry at least ``1 - dominance_share`` of the fitted value at the end of the window.

Symbolic comparison: when ``simplify`` cannot decide, two expressions are compared at
``numeric_points`` random points of their domain with ``symbolic_digits`` significant digits and
called equal when they agree to ``numeric_rel``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Policy", "POLICY", "U64", "gamma", "ema_ops", "Z_MC", "CI_LEVEL", "within", "not_above"]

U64 = float(np.finfo(np.float64).eps) / 2.0  # unit roundoff 2^-53


@dataclass(frozen=True)
class Policy:
    """The one threshold policy (see the module docstring)."""

    unit_roundoff: float = U64
    z_mc: float = 3.0
    ci_level: float = 0.95
    n_resamples: int = 999
    max_ci_width: float = 0.25
    search_rel: float = 1e-6
    approach_rel: float = 1e-6
    dominance_share: float = 0.5
    symbolic_digits: int = 50
    numeric_points: int = 12
    numeric_rel: float = 1e-30

    def gamma(self, n: float) -> float:
        """``gamma_n = n u / (1 - n u)``: relative error bound of n chained non-cancelling operations."""
        if n < 0:
            raise ValueError(f"gamma: the operation count n must be >= 0, got {n}")
        if n * self.unit_roundoff >= 1:
            raise ValueError("gamma: n u must be < 1")
        return n * self.unit_roundoff / (1.0 - n * self.unit_roundoff)


POLICY = Policy()
Z_MC = POLICY.z_mc
CI_LEVEL = POLICY.ci_level


def gamma(n: float, u: float = U64) -> float:
    """``gamma_n = n u / (1 - n u)``: relative error bound of n chained non-cancelling operations."""
    return Policy(unit_roundoff=u).gamma(n)


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
