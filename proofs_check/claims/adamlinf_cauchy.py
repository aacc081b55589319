"""adamlinf Algorithm 4 / Theorem D.2 / Lemma D.1: the Cauchy estimator of ``||H||_{1,1}``.

``reference.hessian_11_norm`` implements Algorithm 4 as printed: ``sum_j median_i |(H v^(i))_j|``
with ``v^(i)_j ~ Cauchy(0, 1)`` i.i.d. (for even n, ``np.median`` averages the two middle values;
the paper leaves even n open).

Theorem D.2: for every ``eps, Delta in (0, 1)`` and ``n >= pi^3 / (2 eps^2 cos^4((1+Delta) pi/4))``::

    P(|est - ||H||_{1,1}| >= eps ||H||_{1,1}) <= 2 d exp(-n Delta^2 / 2)
                                                + 2 exp(-2 n eps^2 cos^4((1+Delta) pi/4) / pi^2)

Checked statistically: the failure probability of the reference estimator over S independent
runs, with a one-sided Monte-Carlo upper limit ``p_hat + Z_MC SE`` (``SE`` of a Bernoulli mean,
at least ``sqrt(1/S)`` scaled by the rule of three when no failure is seen), against the bound
minimised over Delta.  The bound holding strictly above the measured upper limit is ``loose``
(the measured probability and the n the estimator actually needs are reported).
"""

from __future__ import annotations

import math

import numpy as np

from reference.hessian import hessian_11_norm, hessian_11_norm_exact

from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ..tolerances import Z_MC
from ._common import fmt


def min_n(eps: float, delta: float) -> int:
    """Theorem D.2's condition ``n >= pi^3 / (2 eps^2 cos^4((1+Delta) pi/4))``."""
    return math.ceil(math.pi ** 3 / (2 * eps ** 2 * math.cos((1 + delta) * math.pi / 4) ** 4))


def bound(n: int, d: int, eps: float, delta: float) -> float:
    """Theorem D.2's right-hand side (``+inf`` where its condition on n fails)."""
    if n < min_n(eps, delta):
        return math.inf
    c4 = math.cos((1 + delta) * math.pi / 4) ** 4
    return 2 * d * math.exp(-n * delta ** 2 / 2) + 2 * math.exp(-2 * n * eps ** 2 * c4 / math.pi ** 2)


def best_bound(n: int, d: int, eps: float, grid: int = 999) -> tuple[float, float]:
    """``min_Delta`` of the bound over a grid of Delta in (0, 1): (bound, Delta)."""
    deltas = np.linspace(0.001, 0.999, grid)
    vals = [bound(n, d, eps, float(D)) for D in deltas]
    i = int(np.argmin(vals))
    return float(vals[i]), float(deltas[i])


def samples_needed(eps: float, failure: float, d: int) -> int:
    """The smallest n for which Theorem D.2 guarantees failure probability <= ``failure`` (doubling
    then bisection over n; the bound, minimised over Delta, is non-increasing in n)."""
    hi = 1
    while best_bound(hi, d, eps, 199)[0] > failure:
        hi *= 2
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if best_bound(mid, d, eps, 199)[0] > failure else (lo, mid)
    return hi


def failure_rate(H: np.ndarray, n: int, eps: float, S: int, rng: np.random.Generator,
                 estimator=hessian_11_norm) -> tuple[float, float]:
    """Fraction of S runs with relative error >= eps, and its one-sided Z_MC upper limit."""
    exact = hessian_11_norm_exact(H)
    errs = np.array([abs(estimator(H, H.shape[0], n=n, rng=rng) - exact) / exact for _ in range(S)])
    p = float(np.mean(errs >= eps))
    se = math.sqrt(max(p * (1 - p), 1.0 / S) / S)
    return p, p + Z_MC * se


def _mean_estimator(H: np.ndarray, d: int, *, n: int, rng: np.random.Generator) -> float:
    """Negative control: Algorithm 4 with the mean instead of the median (|Cauchy| has no mean)."""
    V = rng.standard_cauchy((n, d))
    return float(np.sum(np.mean(np.abs(V @ H.T), axis=0)))


def _check_d2(ctx: Context, negative: bool) -> Outcome:
    rng = np.random.default_rng(ctx.seed)
    d, eps, S = ctx.pick(10, 20), 0.5, ctx.pick(120, 2000)
    B = rng.normal(size=(d, d))
    H = (B + B.T) / 2
    # at n = min_n the second term is 2 exp(-pi) = 0.086 for every eps, Delta: the smallest n the
    # theorem covers, and a bound Monte Carlo can resolve; Delta = 0.5 makes the first term ~1e-155
    D = 0.5
    n_thm = min_n(eps, D)
    b = bound(n_thm, d, eps, D)
    est = _mean_estimator if negative else hessian_11_norm
    p, upper = failure_rate(H, n_thm, eps, S, rng, est)
    # the n the estimator needs in practice: smallest n of a grid with measured upper limit <= b
    needed = None
    if not negative:
        for n in (5, 10, 20, 40, 80, 160, 320):
            if failure_rate(H, n, eps, S, rng)[1] <= b:
                needed = n
                break
    # violated only if the failure rate exceeds the bound beyond Monte-Carlo error
    refuted = p - Z_MC * math.sqrt(max(p * (1 - p), 1.0 / S) / S) > b
    verdict = Verdict.REFUTED if refuted else (Verdict.LOOSE if upper < b else Verdict.INCONCLUSIVE)
    n_req = samples_needed(0.1, 0.05, 1000)
    return Outcome(verdict, f"P(rel. err >= {eps}) <= {fmt(b, 3)} at n = {n_thm} (d = {d}, Delta = {D:.3f})",
                   f"measured {p:.4f} (upper {upper:.4f}, S = {S}); bound reached by n = {needed}; "
                   f"Thm D.2 needs n = {n_req} for eps = 0.1, delta = 0.05, d = 1000",
                   {"d": d, "eps": eps, "n": n_thm, "bound": b, "Delta": D, "failure": p, "upper": upper,
                    "S": S, "n_enough_measured": needed, "n_theorem_eps0.1_delta0.05_d1000": n_req,
                    "estimator": est.__name__})


register(Claim(
    id="adamlinf.thmD2.cauchy_estimator",
    source="adamlinf Theorem D.2, Algorithm 4",
    statement="P(|sum_j median(|H_{j,.}|) - ||H||_{1,1}| >= eps ||H||_{1,1}) <= 2d exp(-n Delta^2/2) + "
              "2 exp(-2 n eps^2 cos^4((1+Delta) pi/4) / pi^2) for every eps, Delta in (0,1) when "
              "n >= pi^3 / (2 eps^2 cos^4((1+Delta) pi/4))",
    expected=Verdict.LOOSE,
    checks=(Check("failure rate of reference.hessian_11_norm vs the bound", _check_d2, Verdict.LOOSE,
                  "mean instead of median"),),
))


def _check_d1(ctx: Context, negative: bool) -> Outcome:
    """Lemma D.1: P(|median(Z_1..Z_n) - 1/2| >= eps) <= 2 exp(-2 n eps^2), Z_i ~ Unif[0, 1].

    Exact: for odd n the median is Beta((n+1)/2, (n+1)/2) distributed (order statistic)."""
    from scipy.stats import beta as beta_dist

    factor = 8.0 if negative else 2.0  # negative control: exponent 8 n eps^2
    worst = 0.0
    rows = []
    for n in (1, 3, 5, 11, 21, 51, 101, 201):
        k = (n + 1) / 2
        for e in np.linspace(0.01, 0.49, 49):
            exact = float(beta_dist.cdf(0.5 - e, k, k) + beta_dist.sf(0.5 + e, k, k))
            b = 2 * math.exp(-factor * n * e * e)
            worst = max(worst, exact / b)
            rows.append((n, float(e), exact, b))
    ok = worst <= 1.0 + 1e-12
    return Outcome(Verdict.LOOSE if ok else Verdict.REFUTED, "P(|median - 1/2| >= eps) <= 2 exp(-2 n eps^2)",
                   f"max exact/bound over odd n <= 201, eps in [0.01, 0.49]: {worst:.4f}",
                   {"worst_ratio": worst, "factor": factor})


register(Claim(
    id="adamlinf.lemD1.uniform_median",
    source="adamlinf Lemma D.1",
    statement="Z_1..Z_n iid Unif([0,1]): P(|median(Z_1..Z_n) - 1/2| >= eps) <= 2 exp(-2 n eps^2) for any eps >= 0",
    expected=Verdict.LOOSE,
    checks=(Check("exact Beta order-statistic tail vs the bound", _check_d1, Verdict.LOOSE,
                  "exponent 8 n eps^2"),),
))
