"""The rate engine: measured convergence over a grid of horizons, and one rate model for O(.) and O~(.).

Measuring (:func:`measure`): for each horizon T the algorithm (whose hyperparameters may depend on T,
e.g. s3 Theorem 4's ``beta = 1 - 1/sqrt(T)``) runs S independent seeds in ONE batched call (leading axis
of x), and a per-seed statistic is recorded (e.g. ``(1/T) sum_t ||grad F(x_t)||_1``).

Fitting (:func:`fit_rate`): a claim ``statistic = O~(T^a)`` whose statement hides ``(log T)^k`` and whose
bound has other terms of known orders ``T^b_j`` (lower-order transients, or a floor) is fitted, on the
horizons ``T >= min_horizon``, as::

    mean(T) / (log T)^k  ~  C T^alpha + sum_j D_j T^(b_j)

by relative least squares: linear in (C, D) for fixed alpha (normal equations), alpha minimising the
profiled error (a scan, then a golden-section refinement run for every bootstrap resample at once; it
agrees with ``scipy.optimize.minimize_scalar`` row by row; alpha within 0.05 of a b_j is excluded, where
the model is degenerate).  Without other terms alpha is the
least-squares slope of ``log(mean/(log T)^k)`` against ``log T``.  The *last slope* is the local slope
of the claimed term alone (the fitted other terms subtracted) between the last two horizons: it exposes
a curve flattening into a plateau that a range fit averages away.  Percentile intervals for both come
from ``scipy.stats.bootstrap`` with the seeds of each horizon resampled independently; the *share* is
the fraction of the fitted value at the largest horizon carried by the other terms.

The verdict rule lives in :func:`proofs_check.judge.judge` (one judge); :func:`fit_rate` only measures.
Dividing by ``(log T)^k`` makes a curve ``c T^a (log T)^j`` with ``j <= k`` fit an exponent ``<= a`` at
every window, so an O~(T^a) claim is never refuted by the log factor it hides, however long the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

import reference as R
from reference.algorithm import Algorithm

from .tolerances import POLICY, Policy

__all__ = ["RateStats", "RateFit", "measure", "fit_rate", "mean_gradient_l1"]


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


# --------------------------------------------------------------------------- the model fit


@dataclass(frozen=True)
class RateFit:
    """A fitted rate model (see the module docstring)."""

    exponent: float
    ci: tuple[float, float]
    last_slope: float
    last_slope_ci: tuple[float, float]
    se: float                          # bootstrap standard error of the exponent
    last_slope_se: float               # ... and of the last slope
    share: float                       # other terms' share of the fitted value at the largest horizon
    coefficients: tuple[float, ...]    # C, D_1, ...
    window: tuple[float, float]        # the fitted horizons' range
    fitted: np.ndarray                 # the fitted horizons
    local_slopes: np.ndarray           # local slopes of mean/(log T)^k over all horizons
    log_power: float
    other_terms: tuple[float, ...]

    @property
    def intercept(self) -> float:
        """``log C`` of the claimed term (legacy plots: ``exp(intercept) T^exponent``)."""
        return float(np.log(abs(self.coefficients[0]))) if self.coefficients[0] != 0 else -np.inf


_SCAN = np.linspace(-4.0, 2.0, 241)
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _design(T: np.ndarray, alpha: np.ndarray, others: tuple[float, ...]) -> np.ndarray:
    """``[T^alpha, T^b_1, ...]`` for every alpha: shape ``alpha.shape + (K, 1 + J)``."""
    lead = T ** np.asarray(alpha, dtype=float)[..., None]
    rest = [np.broadcast_to(T**b, lead.shape) for b in others]
    return np.stack([lead, *rest], axis=-1)


def _solve(T: np.ndarray, Y: np.ndarray, alpha: np.ndarray, others: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Relative least squares ``min_c sum_k ((y_k - (X c)_k)/y_k)^2`` for each row of ``Y`` (shape (..., K))
    and each alpha (broadcast against the rows): returns (coefficients (..., 1 + J), sse (...))."""
    X = _design(T, alpha, others) / Y[..., :, None]
    G = np.einsum("...ki,...kj->...ij", X, X)
    r = X.sum(axis=-2)
    G = G + np.eye(G.shape[-1]) * (1e-300 + 1e-13 * np.trace(G, axis1=-2, axis2=-1)[..., None, None])
    c = np.linalg.solve(G, r[..., None])[..., 0]
    res = 1.0 - np.einsum("...ki,...i->...k", X, c)
    return c, np.einsum("...k,...k->...", res, res)


def _alpha(T: np.ndarray, Y: np.ndarray, others: tuple[float, ...]) -> np.ndarray:
    """The least-squares exponent of every row of ``Y`` (shape (B, K)).

    Without other terms: the slope of ``log y`` on ``log T``.  With them (variable projection): the
    exponent minimising the profiled relative SSE -- scanned, then refined by a golden-section search
    inside the best scan bracket, for all rows at once (the same minimiser as
    ``scipy.optimize.minimize_scalar(method="bounded")`` on each row, which the tests check; one row at a
    time would cost a 999-resample bootstrap seconds).
    """
    if not others:
        A = np.stack([np.log(T), np.ones_like(T)], axis=1)
        return np.linalg.lstsq(A, np.log(Y).T, rcond=None)[0][0]
    scan = _SCAN[np.all(np.abs(_SCAN[:, None] - np.asarray(others)[None]) > 0.05, axis=1)]
    _, sse = _solve(T, Y[:, None, :], scan[None, :], others)            # (B, G)
    k = np.argmin(sse, axis=1)
    lo, hi = scan[np.maximum(k - 1, 0)], scan[np.minimum(k + 1, scan.size - 1)]
    x1, x2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    f1, f2 = _solve(T, Y, x1, others)[1], _solve(T, Y, x2, others)[1]
    while np.max(hi - lo) > 1e-7:
        left = f1 < f2                               # the minimum lies in [lo, x2]
        hi, lo = np.where(left, x2, hi), np.where(left, lo, x1)
        x2n, x1n = np.where(left, x1, lo + _GOLDEN * (hi - lo)), np.where(left, hi - _GOLDEN * (hi - lo), x2)
        x1, x2 = x1n, x2n
        f1, f2 = _solve(T, Y, x1, others)[1], _solve(T, Y, x2, others)[1]
    return (lo + hi) / 2.0


def _fit_rows(T: np.ndarray, M: np.ndarray, log_power: float, others: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """(alpha, last slope of the claimed term, share of the other terms at T_max, coefficients) per row of
    the mean matrix ``M`` (B, K)."""
    Y = M / np.log(T) ** log_power if log_power else M
    a = _alpha(T, Y, others)
    c, _ = _solve(T, Y, a, others)
    lead = c[:, :1] * T[None, :] ** a[:, None]
    fitted_other = np.einsum("bkj,bj->bk", _design(T, a, others)[..., 1:], c[:, 1:]) if others else np.zeros_like(Y)
    claimed_part = Y - fitted_other
    with np.errstate(divide="ignore", invalid="ignore"):
        last = np.where(np.all(claimed_part[:, -2:] > 0, axis=1),
                        np.log(np.abs(claimed_part[:, -1] / claimed_part[:, -2])) / np.log(T[-1] / T[-2]), np.inf)
        total = np.abs(lead[:, -1]) + np.abs(fitted_other[:, -1])
        share = np.where(total > 0, np.abs(fitted_other[:, -1]) / total, 1.0)
    return a, last, share, c


def fit_rate(horizons: np.ndarray, values: np.ndarray, *, log_power: float = 0.0, other_terms: Sequence[float] = (),
             min_horizon: float = 0.0, seed: int = 0, policy: Policy = POLICY) -> RateFit:
    """Fit the rate model to per-seed statistics ``values[k, s]`` at ``horizons[k]`` (module docstring)."""
    T_all = np.asarray(horizons, dtype=float)
    V_all = np.asarray(values, dtype=float)
    if T_all.ndim != 1 or V_all.shape[:1] != T_all.shape or V_all.ndim != 2:
        raise ValueError("fit_rate: values must have shape (len(horizons), seeds)")
    if np.any(V_all <= 0) or not np.all(np.isfinite(V_all)):
        raise ValueError("fit_rate: the statistic must be positive and finite at every horizon and seed")
    use = T_all >= min_horizon
    others = tuple(float(b) for b in other_terms)
    if use.sum() < 2 + len(others):
        raise ValueError(f"fit_rate: need at least {2 + len(others)} horizons >= min_horizon")
    if log_power and np.any(T_all[use] <= 1):
        raise ValueError("fit_rate: log factors need horizons > 1")
    T, V = T_all[use], V_all[use]
    a, last, share, c = (v[0] for v in _fit_rows(T, V.mean(axis=1)[None, :], log_power, others))

    def statistic(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
        means = np.stack([s.mean(axis=axis) for s in samples], axis=-1)
        flat = means.reshape(-1, means.shape[-1])
        alpha, slope = _fit_rows(T, flat, log_power, others)[:2]
        out = np.stack([alpha, np.where(np.isfinite(slope), slope, 1e3)])  # a swallowed term: "no decay"
        return out.reshape((2,) + means.shape[:-1])

    boot = stats.bootstrap(tuple(V), statistic, vectorized=True, method="percentile", n_resamples=policy.n_resamples,
                           confidence_level=policy.ci_level, random_state=np.random.default_rng(seed))
    lo, hi = boot.confidence_interval.low, boot.confidence_interval.high
    se = boot.standard_error
    ly = np.log(V_all.mean(axis=1) / (np.log(T_all) ** log_power if log_power else 1.0))
    local = np.diff(ly) / np.diff(np.log(T_all))
    return RateFit(float(a), (float(lo[0]), float(hi[0])), float(last), (float(lo[1]), float(hi[1])), float(se[0]),
                   float(se[1]), float(share),
                   tuple(float(v) for v in c), (float(T[0]), float(T[-1])), T, local, float(log_power), others)
