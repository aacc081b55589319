"""The rate engine: measured convergence over a grid of horizons T, fitted decay exponents.

For each horizon T the algorithm (whose hyperparameters may depend on T, e.g. s3 Theorem 4's
``beta = 1 - 1/sqrt(T)``) runs S independent seeds in ONE batched call (leading axis of x), and a
per-seed statistic is recorded (e.g. ``(1/T) sum_t ||grad F(x_t)||_1``).  Then:

* per-T mean and standard error over seeds;
* the decay exponent: least-squares slope of ``log mean`` against ``log T`` over the horizons
  ``T >= min_horizon`` (the transient before ``min_horizon`` is reported, not fitted), with a
  percentile bootstrap interval (seeds resampled independently per horizon);
* comparison with a claimed exponent a (the claim "decays at least as fast as T^a" is refuted
  when the whole interval -- of the fitted exponent or of the last local slope -- lies above a,
  verified when both intervals reach values <= a and are narrower than ``max_ci_width``,
  inconclusive otherwise) and with a claimed bound curve
  (``mean - Z SE <= bound(T)`` for every T).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import reference as R
from reference.algorithm import Algorithm

from .registry import Verdict
from .tolerances import CI_LEVEL, Z_MC

__all__ = ["RateStats", "RateFit", "measure", "fit_exponent", "compare_exponent", "below_curve", "mean_gradient_l1"]


@dataclass(frozen=True)
class RateStats:
    horizons: np.ndarray  # (K,)
    values: np.ndarray  # (K, S): the statistic of every seed at every horizon
    extras: tuple[dict, ...]  # per horizon: anything the statistic reported besides the values

    @property
    def mean(self) -> np.ndarray:
        return self.values.mean(axis=1)

    @property
    def se(self) -> np.ndarray:
        return self.values.std(axis=1, ddof=1) / np.sqrt(self.values.shape[1])


@dataclass(frozen=True)
class RateFit:
    exponent: float
    ci: tuple[float, float]
    intercept: float
    fitted: np.ndarray  # the horizons used
    local_slopes: np.ndarray  # slopes between consecutive horizons (shows the transient)
    last_slope_ci: tuple[float, float]  # bootstrap interval of the slope between the last two horizons


def mean_gradient_l1(record: R.RunRecord, T: int) -> np.ndarray:
    """``(1/T) sum_{t=1}^T ||grad F(x_t)||_1`` per seed (the paper's x_1 is the initial point)."""
    return record.grad_l1[:T].mean(axis=0)


def measure(make_alg: Callable[[int], Algorithm], problem, x0: np.ndarray, horizons: Sequence[int], seeds: int,
            seed: int, statistic: Callable[[R.RunRecord, int], np.ndarray] = mean_gradient_l1,
            track: Callable[[], tuple[Callable[[int, np.ndarray, object], None], Callable[[], dict]]] | None = None,
            progress: Callable[[str], None] | None = None) -> RateStats:
    """Run ``make_alg(T)`` for every T in ``horizons`` on ``seeds`` batched runs from ``x0``.

    ``track()``, if given, returns ``(on_step, result)`` for one run: ``on_step(t, x, state)`` sees
    every step (nothing large is recorded) and ``result()`` becomes that horizon's ``extras`` entry.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    values, extras = [], []
    for k, T in enumerate(horizons, 1):
        if progress is not None:
            progress(f"horizon T={T} ({k}/{len(horizons)}, {seeds} seeds)")
        rng = np.random.default_rng([seed, int(T)])
        on_step, result = track() if track else (None, dict)
        rec = R.run(make_alg(int(T)), problem, np.broadcast_to(x0, (seeds,) + x0.shape).copy(), int(T), rng,
                    record_directions=False, on_step=on_step)
        values.append(np.asarray(statistic(rec, int(T)), dtype=float))
        extras.append(result())
    return RateStats(np.asarray(horizons, dtype=float), np.stack(values), tuple(extras))


def _slope(logT: np.ndarray, logy: np.ndarray) -> tuple[float, float]:
    A = np.stack([logT, np.ones_like(logT)], axis=1)
    (slope, icpt), *_ = np.linalg.lstsq(A, logy, rcond=None)
    return float(slope), float(icpt)


def fit_exponent(stats: RateStats, *, min_horizon: float = 0.0, n_boot: int = 2000, seed: int = 0) -> RateFit:
    """Fit ``mean ~ C T^a`` on ``T >= min_horizon``; percentile bootstrap interval for a."""
    use = stats.horizons >= min_horizon
    if use.sum() < 2:
        raise ValueError("fit_exponent: need at least two horizons >= min_horizon")
    logT = np.log(stats.horizons[use])
    vals = stats.values[use]
    a, icpt = _slope(logT, np.log(vals.mean(axis=1)))
    rng = np.random.default_rng(seed)
    S = vals.shape[1]
    idx = rng.integers(0, S, size=(n_boot, vals.shape[0], S))
    boot_means = np.take_along_axis(np.broadcast_to(vals, (n_boot,) + vals.shape), idx, axis=2).mean(axis=2)
    A = np.stack([logT, np.ones_like(logT)], axis=1)
    coef = np.linalg.lstsq(A, np.log(boot_means).T, rcond=None)[0]
    q = [(1 - CI_LEVEL) / 2, (1 + CI_LEVEL) / 2]
    lo, hi = np.quantile(coef[0], q)
    last = np.diff(np.log(boot_means[:, -2:]), axis=1)[:, 0] / np.diff(logT[-2:])[0]
    llo, lhi = np.quantile(last, q)
    lm = np.log(stats.mean)
    local = np.diff(lm) / np.diff(np.log(stats.horizons))
    return RateFit(a, (float(lo), float(hi)), icpt, stats.horizons[use], local, (float(llo), float(lhi)))


def compare_exponent(fit: RateFit, claimed: float, max_ci_width: float = 0.25) -> Verdict:
    """Verdict on "decays at least as fast as T^claimed" (see the module docstring).

    Both the exponent fitted over the post-transient horizons and the slope between the last
    two horizons (the most asymptotic evidence; it exposes a curve flattening into a plateau
    that a range fit would average away) must be consistent with ``<= claimed``.
    """
    for lo, hi in (fit.ci, fit.last_slope_ci):
        if lo > claimed:
            return Verdict.REFUTED
    if max(fit.ci[1] - fit.ci[0], fit.last_slope_ci[1] - fit.last_slope_ci[0]) > max_ci_width:
        return Verdict.INCONCLUSIVE
    return Verdict.VERIFIED


def below_curve(stats: RateStats, bound: np.ndarray) -> tuple[bool, np.ndarray]:
    """``mean - Z SE <= bound`` at every horizon; returns (ok, mean/bound)."""
    bound = np.asarray(bound, dtype=float)
    ok = bool(np.all(stats.mean - Z_MC * stats.se <= bound))
    return ok, stats.mean / bound
