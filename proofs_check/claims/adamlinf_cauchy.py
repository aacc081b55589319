"""adamlinf Algorithm 4 / Theorem D.2 / Lemma D.1: the Cauchy estimator of ``||H||_{1,1}``.

``reference.hessian_11_norm`` implements Algorithm 4 as printed: ``sum_j median_i |(H v^(i))_j|``
with ``v^(i)_j ~ Cauchy(0, 1)`` i.i.d. (for even n, ``np.median`` averages the two middle values;
the paper leaves even n open).

Theorem D.2: for every ``eps, Delta in (0, 1)`` and ``n >= pi^3 / (2 eps^2 cos^4((1+Delta) pi/4))``::

    P(|est - ||H||_{1,1}| >= eps ||H||_{1,1}) <= 2 d exp(-n Delta^2 / 2)
                                                + 2 exp(-2 n eps^2 cos^4((1+Delta) pi/4) / pi^2)

Checked two ways:

* exactly, over the statement's domain, for the Hessians whose row sums a_j are one-hot (``H = c e_1 e_1^T``,
  any d; the estimate is then one median of n |Cauchy| variables): for odd n that median is
  ``tan(pi M / 2)`` with ``M ~ Beta((n+1)/2, (n+1)/2)`` (order statistic of uniforms), so the failure
  probability is a Beta tail, computed by scipy.  Grid: eps in {0.05, ..., 0.95}, Delta in {0.1, ..., 0.9},
  n the smallest odd n >= the theorem's condition, and 4 times it.  d = 1 makes the bound smallest.
* statistically, for the reference estimator on a random symmetric H (d = 10; 20 under --full) at the
  smallest n the theorem covers (eps = Delta = 1/2): the failure rate over S runs, with its Bernoulli
  standard error (at least that of one failure in S).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from reference.hessian import hessian_11_norm, hessian_11_norm_exact

from ..evidence import Bound, Case, Instances, Searched
from ..perturb import Params, SetParam
from ..registry import Check, Claim, Context, Verdict, register

__all__ = ["min_n", "bound", "best_bound", "samples_needed", "failure_rate", "exact_failure_one_hot"]


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


def exact_failure_one_hot(n: int, eps: float) -> float:
    """``P(|median of n iid |Cauchy(0,1)|| - 1| >= eps)`` for odd n: ``|C| = tan(pi U/2)``, so the median is
    ``tan(pi M/2)`` with ``M ~ Beta((n+1)/2, (n+1)/2)``."""
    if n % 2 == 0:
        raise ValueError(f"n must be odd, got {n}")
    k = (n + 1) / 2
    lo = 2 / math.pi * math.atan(max(1 - eps, 0.0))
    hi = 2 / math.pi * math.atan(1 + eps)
    return float(stats.beta.cdf(lo, k, k) + stats.beta.sf(hi, k, k))


def failure_rate(H: np.ndarray, n: int, eps: float, S: int, rng: np.random.Generator,
                 estimator=hessian_11_norm) -> tuple[float, float]:
    """Fraction of S runs with relative error >= eps, and its Bernoulli standard error (at least sqrt(1/S)/sqrt(S))."""
    exact = hessian_11_norm_exact(H)
    errs = np.array([abs(estimator(H, H.shape[0], n=n, rng=rng) - exact) / exact for _ in range(S)])
    p = float(np.mean(errs >= eps))
    return p, math.sqrt(max(p * (1 - p), 1.0 / S) / S)


def _mean_estimator(H: np.ndarray, d: int, *, n: int, rng: np.random.Generator) -> float:
    """Negative control: Algorithm 4 with the mean instead of the median (|Cauchy| has no mean)."""
    V = rng.standard_cauchy((n, d))
    return float(np.sum(np.mean(np.abs(V @ H.T), axis=0)))


def _d2(ctx: Context, p: Params) -> tuple[Bound, Bound]:
    cases = []
    for eps in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95):
        for D in (0.1, 0.3, 0.5, 0.7, 0.9):
            n0 = min_n(eps, D)
            for n in (n0 + (n0 % 2 == 0), 4 * n0 + 1):
                cases.append(Case(exact_failure_one_hot(n, eps), bound(n, 1, eps, D), {"eps": eps, "Delta": D, "n": n, "d": 1},
                                  ops=64))
    exact = Bound("P(|estimate - ||H||_1,1| >= eps ||H||_1,1) <= 2d exp(-n Delta^2/2) + 2 exp(-2 n eps^2 cos^4((1+Delta)"
                  "pi/4)/pi^2)", tuple(cases),
                  Searched({"eps": "0.05 .. 0.95 (8 values)", "Delta": "0.1 .. 0.9 (5 values)",
                            "n": "smallest odd n the theorem covers, and 4 times it",
                            "H": "one-hot row sums (H = c e_1 e_1^T, d = 1); other H not searched"},
                           "exact failure probabilities (Beta tails)"),
                  note="exact Beta tails at one-hot H")
    rng = np.random.default_rng(ctx.seed)
    d, eps, S = ctx.pick(10, 20), 0.5, ctx.pick(120, 400)
    B = rng.normal(size=(d, d))
    H = (B + B.T) / 2
    D = 0.5
    n_thm = min_n(eps, D)
    est = _mean_estimator if p.statistic == "mean" else hessian_11_norm
    rate, se = failure_rate(H, n_thm, eps, S, rng, est)
    mc = Bound("the reference estimator (Algorithm 4) meets the bound", (Case(rate, bound(n_thm, d, eps, D),
               {"eps": eps, "Delta": D, "n": n_thm, "d": d, "S": S, "seed": ctx.seed, "statistic": p.statistic}, se=se),),
               Instances({"H": f"random symmetric, d = {d}"}, f"{S} runs of reference.hessian_11_norm"),
               note=f"{p.statistic} of the |Hv| samples; Thm D.2 needs n = {samples_needed(0.1, 0.05, 1000)} for "
                    "eps = 0.1, delta = 0.05, d = 1000")
    return exact, mc


register(Claim(
    id="adamlinf.thmD2.cauchy_estimator",
    source="adamlinf Theorem D.2, Algorithm 4",
    statement="P(|sum_j median(|H_{j,.}|) - ||H||_{1,1}| >= eps ||H||_{1,1}) <= 2d exp(-n Delta^2/2) + "
              "2 exp(-2 n eps^2 cos^4((1+Delta) pi/4) / pi^2) for every eps, Delta in (0,1) when "
              "n >= pi^3 / (2 eps^2 cos^4((1+Delta) pi/4))",
    expected=Verdict.LOOSE,
    checks=(Check("exact Beta tails over (eps, Delta, n); the reference estimator's failure rate", _d2, Verdict.LOOSE,
                  SetParam("statistic", "mean", "algorithm", "mean instead of median"), {"statistic": "median"}),),
    note="The bound holds with an enormous margin: at the smallest n it covers, its second term is 2 exp(-pi) for "
         "every eps and Delta, while the exact failure probability is orders of magnitude smaller.",
))


def _d1(ctx: Context, p: Params) -> Bound:
    """Lemma D.1: P(|median(Z_1..Z_n) - 1/2| >= eps) <= 2 exp(-2 n eps^2), Z_i ~ Unif[0, 1]; exact for odd n (the
    median is Beta((n+1)/2, (n+1)/2))."""
    cases = []
    for n in ctx.pick((1, 3, 5, 11, 21, 51, 101, 201), (1, 3, 5, 7, 11, 21, 51, 101, 201, 501, 1001)):
        k = (n + 1) / 2
        for e in np.concatenate([[0.0], np.linspace(0.01, 0.49, 49)]):
            exact = float(stats.beta.cdf(0.5 - e, k, k) + stats.beta.sf(0.5 + e, k, k))
            cases.append(Case(exact, 2 * math.exp(-p.exponent_factor * n * e * e), {"n": n, "eps": float(e)}, ops=64))
    return Bound("P(|median - 1/2| >= eps) <= 2 exp(-2 n eps^2)", tuple(cases),
                 Searched({"n": "odd, 1 .. " + ctx.pick("201", "1001"), "eps": "0 and 0.01 .. 0.49 (the tail is 0 beyond 1/2)"},
                          "exact tails: the median of n (odd) uniforms is Beta((n+1)/2, (n+1)/2)"),
                 note=f"exponent factor {p.exponent_factor:g}")


register(Claim(
    id="adamlinf.lemD1.uniform_median",
    source="adamlinf Lemma D.1",
    statement="Z_1..Z_n iid Unif([0,1]): P(|median(Z_1..Z_n) - 1/2| >= eps) <= 2 exp(-2 n eps^2) for any eps >= 0",
    expected=Verdict.LOOSE,
    checks=(Check("exact Beta order-statistic tail vs the bound", _d1, Verdict.LOOSE,
                  SetParam("exponent_factor", 8.0, "constant", "exponent 8 n eps^2"), {"exponent_factor": 2.0}),),
    note="Hoeffding's bound holds at every odd n and eps, at most half the bound at eps = 0 and far below it in the tail.",
))
