"""The rate engine on synthetic statistics with a known exponent, and on a real run."""

from __future__ import annotations

import numpy as np
import pytest

import reference as R
from proofs_check import rates
from proofs_check.registry import Verdict
from reference import problems as P


def _stats(exponent: float, noise: float = 0.01, plateau: float = 0.0, seeds: int = 64) -> rates.RateStats:
    rng = np.random.default_rng(0)
    T = np.array([100.0, 400, 1600, 6400, 25600])
    vals = (T[:, None] ** exponent + plateau) * np.exp(noise * rng.normal(size=(T.size, seeds)))
    return rates.RateStats(T, vals, tuple({} for _ in T))


@pytest.mark.parametrize("a", [-0.25, -0.5, -1.0])
def test_fit_recovers_the_exponent_with_a_covering_interval(a: float) -> None:
    fit = rates.fit_exponent(_stats(a), seed=3)
    assert fit.ci[0] <= a <= fit.ci[1]
    assert fit.exponent == pytest.approx(a, abs=0.01)


def test_compare_exponent_verdicts() -> None:
    assert rates.compare_exponent(rates.fit_exponent(_stats(-0.3)), -0.25) is Verdict.VERIFIED
    assert rates.compare_exponent(rates.fit_exponent(_stats(-0.1)), -0.25) is Verdict.REFUTED
    # a curve that flattens into a plateau: the range fit looks fast, the last slope exposes it
    plateau = rates.fit_exponent(_stats(-1.0, plateau=2e-3))
    assert plateau.exponent < -0.25
    assert rates.compare_exponent(plateau, -0.25) is Verdict.REFUTED
    wide = rates.RateFit(-0.3, (-0.6, -0.1), 0.0, np.array([1.0]), np.array([-0.3]), (-0.5, -0.1))
    assert rates.compare_exponent(wide, -0.25) is Verdict.INCONCLUSIVE


def test_fit_ignores_the_transient() -> None:
    st = _stats(-0.5)
    vals = st.values.copy()
    vals[0] *= 100  # a transient at the first horizon
    st = rates.RateStats(st.horizons, vals, st.extras)
    assert rates.fit_exponent(st, min_horizon=400).exponent == pytest.approx(-0.5, abs=0.01)
    with pytest.raises(ValueError):
        rates.fit_exponent(st, min_horizon=1e9)


def test_below_curve_uses_the_standard_error() -> None:
    st = _stats(-0.5)
    ok, frac = rates.below_curve(st, st.mean * 1.001)
    assert ok and np.all(frac < 1)
    assert not rates.below_curve(st, st.mean * 0.5)[0]


def test_measure_is_batched_and_seeded() -> None:
    prob = P.with_noise(P.diagonal_quadratic([1.0, 2.0]), P.gaussian(0.1))
    make = lambda T: R.sgdm(lr=0.1, beta=0.5)  # noqa: E731
    a = rates.measure(make, prob, np.ones(2), [10, 40], seeds=8, seed=5)
    b = rates.measure(make, prob, np.ones(2), [10, 40], seeds=8, seed=5)
    assert a.values.shape == (2, 8) and np.array_equal(a.values, b.values)
    assert np.all(a.se > 0) and a.mean[1] < a.mean[0]
