"""The rate model on synthetic curves with known exponents, log factors and transients, windows up to 1e6,
and on a real run.  An O~(T^a) claim is never refuted by the log factor it hides, however long the window;
a slower curve is refuted once the window resolves it."""

from __future__ import annotations

import numpy as np
import pytest

import reference as R
from proofs_check import Rate, Verdict, judge, rates
from reference import problems as P


def _values(f, T, seeds=32, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    return f(T)[:, None] * np.exp(noise * rng.normal(size=(T.size, seeds)))


def _window(end: float, start: float = 100.0, n: int = 9) -> np.ndarray:
    return np.geomspace(start, end, n)


@pytest.mark.parametrize("a", [-0.25, -0.5, -1.0])
def test_fit_recovers_the_exponent_with_a_covering_interval(a: float) -> None:
    T = _window(1e5)
    fit = rates.fit_rate(T, _values(lambda T: T**a, T), seed=3)
    assert fit.ci[0] <= a <= fit.ci[1]
    assert fit.exponent == pytest.approx(a, abs=0.01)


@pytest.mark.parametrize("end", [4e3, 1.28e5, 1e6])
@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_hidden_log_factor_never_refutes_an_O_tilde_claim(end: float, k: int) -> None:
    """c T^(-2/7) (log T)^k with the statement's log power declared: verified at every window end."""
    T = _window(end)
    ev = Rate("O~(T^-2/7)", "T", T, _values(lambda T: 3 * T ** (-2 / 7) * np.log(T) ** k, T), -2 / 7, log_power=max(k, 1))
    assert judge(ev).verdict is Verdict.VERIFIED


@pytest.mark.parametrize("end", [1.28e5, 1e6])
def test_without_the_log_factor_the_old_rule_flips_with_the_window(end: float) -> None:
    """The audit's nsgdm.thm4.rate finding: a pure power-law judge refutes T^(-2/7) log T on a long window."""
    T = _window(end)
    vals = _values(lambda T: T ** (-2 / 7) * np.log(T), T)
    assert judge(Rate("s", "T", T, vals, -2 / 7)).verdict is Verdict.REFUTED
    assert judge(Rate("s", "T", T, vals, -2 / 7, log_power=1)).verdict is Verdict.VERIFIED


@pytest.mark.parametrize("end", [1e4, 1e5, 1e6])
def test_a_known_transient_is_fitted_not_mistaken_for_the_rate(end: float) -> None:
    """c1 T^-1/4 - c2 T^-1/2 rises to its rate from below: its pure local slopes are shallower than -1/4."""
    T = _window(end)
    vals = _values(lambda T: T**-0.25 - 2.0 * T**-0.5, T)
    assert judge(Rate("s", "T", T, vals, -0.25, other_terms=(-0.5,))).verdict is Verdict.VERIFIED


def test_a_slower_curve_is_refuted_once_the_window_resolves_it() -> None:
    T = _window(1e6)
    vals = _values(lambda T: T ** (-2 / 7 + 0.1), T)
    assert judge(Rate("s", "T", T, vals, -2 / 7, log_power=1)).verdict is Verdict.REFUTED


def test_the_profiled_exponent_is_scipys_minimiser() -> None:
    from scipy import optimize
    T = _window(1e5, n=8)
    for c2 in (-2.0, 0.5, 3.0):
        m = (T**-0.3 + c2 * T**-0.5) * np.exp(0.01 * np.random.default_rng(1).normal(size=T.size))
        ours = rates._alpha(T, m[None, :], (-0.5,))[0]
        ref = optimize.minimize_scalar(lambda a: rates._solve(T, m, np.array(a), (-0.5,))[1], bounds=(-0.45, 0.0),
                                       method="bounded", options={"xatol": 1e-10})
        assert ours == pytest.approx(ref.x, abs=1e-6)


def test_fit_validates_its_input() -> None:
    T = _window(1e4)
    with pytest.raises(ValueError, match="positive"):
        rates.fit_rate(T, -_values(lambda T: T**-0.5, T))
    with pytest.raises(ValueError, match="horizons"):
        rates.fit_rate(T, _values(lambda T: T**-0.5, T), min_horizon=1e9)
    with pytest.raises(ValueError, match="shape"):
        rates.fit_rate(T, np.ones(T.size))


def test_bootstrap_matches_a_hand_percentile_bootstrap_within_monte_carlo_error() -> None:
    """scipy.stats.bootstrap (seeds resampled per horizon) gives the interval the old hand-written one gave."""
    T = _window(1e4, n=6)
    vals = _values(lambda T: T**-0.5, T, seeds=40, noise=0.2)
    fit = rates.fit_rate(T, vals, seed=1)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, vals.shape[1], size=(4000, T.size, vals.shape[1]))
    means = np.take_along_axis(np.broadcast_to(vals, (4000,) + vals.shape), idx, axis=2).mean(axis=2)
    A = np.stack([np.log(T), np.ones_like(T)], axis=1)
    slopes = np.linalg.lstsq(A, np.log(means).T, rcond=None)[0][0]
    lo, hi = np.quantile(slopes, [0.025, 0.975])
    width = hi - lo
    assert abs(fit.ci[0] - lo) < 0.1 * width and abs(fit.ci[1] - hi) < 0.1 * width


def test_measure_is_batched_and_seeded() -> None:
    prob = P.with_noise(P.diagonal_quadratic([1.0, 2.0]), P.gaussian(0.1))
    make = lambda T: R.sgdm(lr=0.1, beta=0.5)  # noqa: E731
    a = rates.measure(make, prob, np.ones(2), [10, 40], seeds=8, seed=5)
    b = rates.measure(make, prob, np.ones(2), [10, 40], seeds=8, seed=5)
    assert a.values.shape == (2, 8) and np.array_equal(a.values, b.values)
    assert np.all(a.se > 0) and a.mean[1] < a.mean[0]


def test_a_tight_rate_is_rarely_refuted_by_chance() -> None:
    """True exponent = claim: the z_mc-SE refutation rule fires for well under 1 % of seeds (a 95 % interval
    entirely above the claim would fire for ~2.5 % per interval)."""
    T = _window(1e4, n=6)
    refuted = sum(judge(Rate("s", "T", T, _values(lambda T: T**-0.5, T, seeds=24, noise=0.3, seed=s), -0.5)).verdict
                  is Verdict.REFUTED for s in range(200))
    assert refuted <= 2
