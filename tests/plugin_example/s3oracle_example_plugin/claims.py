"""A template claim module: three claims of a sixth "paper" (gradient descent on convex L-smooth functions).

Copy this file to check your own paper.  The rules (README, "Checking your own paper"):

* register the paper first (:func:`proofs_check.register_paper`); claim ids start with its short name;
* a check is ``fn(ctx, params) -> evidence``: it measures, it never decides a verdict -- the judge does,
  under one threshold policy (``proofs_check.tolerances.POLICY``), so no threshold appears here;
* every check declares its inputs (``params``) and one negative control (a perturbation the framework
  applies; the test suite shows it flipping the verdict);
* a worst case is searched over the statement's whole domain, and the evidence says which domain;
* a claim that does not hold is a result: expect ``refuted`` (with the counterexample in the cases).

Statements (Nesterov, *Lectures on Convex Optimization*, 2018: Lemma 1.2.3 and Corollary 2.1.2):

* descent lemma: ``F(y) <= F(x) + <grad F(x), y - x> + L/2 ||y - x||^2`` for L-smooth F;
* GD with step 1/L on a convex L-smooth F: ``F(x_T) - F* <= 2 L ||x_0 - x*||^2 / (T + 4)``, i.e. O(1/T);
* deliberately false: ``F(x_T) - F* <= L ||x_0 - x*||^2 / (2 T^2)`` (the accelerated rate, which plain GD
  does not have: quadratics with curvature ~ L/(2T) are a counterexample).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from proofs_check import (
    Bound, Case, Check, Claim, Context, Exact, Params, Paper, Rate, ScaleBound, Searched, SetParam, ShiftClaim,
    Verdict, register, register_paper,
)

register_paper(Paper("gdconvex", "Lectures on Convex Optimization (Lemma 1.2.3, Corollary 2.1.2)", ("Yurii Nesterov",),
                     "Springer Optimization and Its Applications 137", 2018,
                     note="example plugin: a sixth paper checked through the proofs_check.claims entry point"))


def gd_on_quadratic(lam: np.ndarray, x0: float, L: float, T: int) -> np.ndarray:
    """``F(x_T) - F*`` of GD with step 1/L on ``F(x) = (L/2) lam x^2`` (curvature ``lam L``, 0 < lam <= 1):
    ``x_T = (1 - lam)^T x0``."""
    return 0.5 * L * lam * (1.0 - lam) ** (2 * T) * x0**2


def _descent(ctx: Context, p: Params) -> Bound:
    """The descent lemma on quadratics with curvature in [-L, L] (every L-smooth quadratic), searched."""
    rng = np.random.default_rng(ctx.seed)
    L = p.L
    n = ctx.pick(20000, 200000)
    curv = rng.uniform(-1.0, 1.0, n) * 1.0  # Hessian eigenvalue in [-L, L] as a fraction of L
    curv[:10] = 1.0  # the extremal curvature
    x, h = rng.normal(size=n), rng.normal(size=n) * 10.0 ** rng.uniform(-3, 3, n)
    F = lambda z: 0.5 * curv * L * z**2  # noqa: E731  the true function, smoothness constant L
    lhs = F(x + h) - F(x) - curv * L * x * h
    bound = 0.5 * p.L_stated * h**2
    worst = np.argsort(lhs / bound)[-20:]
    cases = tuple(Case(float(lhs[i]), float(bound[i]), {"curvature/L": float(curv[i]), "x": float(x[i]), "h": float(h[i])},
                       ops=8) for i in worst)
    return Bound("F(y) <= F(x) + <grad F(x), y-x> + L/2 ||y-x||^2", cases,
                 Searched({"Hessian eigenvalue": "[-L, L]", "x": "N(0,1)", "h": "log-uniform scales 1e-3..1e3"},
                          f"{n} random triples; the 20 largest ratios reported"))


def _rate(ctx: Context, p: Params) -> Rate:
    """GD on a convex quadratic with a spread spectrum decays at least as fast as 1/T."""
    lam = np.geomspace(1e-6, 1.0, 2000)
    rng = np.random.default_rng(ctx.seed)
    x0 = rng.normal(size=(16, lam.size))  # 16 seeds of x_0
    horizons = np.array(ctx.pick([32, 64, 128, 256, 512, 1024], [32, 64, 128, 256, 512, 1024, 4096, 16384]), dtype=float)
    values = np.array([[gd_on_quadratic(lam, x0[s], 1.0, int(T)).sum() for s in range(16)] for T in horizons])
    return Rate("F(x_T) - F* = O(1/T)", "T", horizons, values, claimed=p.claimed, seed=ctx.seed,
                note="GD with step 1/L on 2000 curvatures from 1e-6 L to L")


def _accelerated(ctx: Context, p: Params) -> Bound:
    """The false O(1/T^2) claim, searched over the curvature lam in (0, 1] at every T."""
    L, x0 = 1.0, 1.0
    cases = []
    for T in (4, 16, 64, 256, 1024):
        lam = np.geomspace(1e-6, 1.0, 4000)
        gap = gd_on_quadratic(lam, x0, L, T)
        i = int(np.argmax(gap))
        cases.append(Case(float(gap[i]), L * x0**2 / (2 * T**p.q), {"T": T, "lam": float(lam[i])}, ops=2 * T + 4))
    return Bound("F(x_T) - F* <= L ||x_0 - x*||^2 / (2 T^2)", tuple(cases),
                 Searched({"curvature lam L": "(0, L], log grid of 4000", "T": "4..1024"}, "grid search"))


def _exact_worst(ctx: Context, p: Params) -> Bound:
    """Corollary 2.1.2's constant against the exact worst quadratic: max_lam lam (1-lam)^(2T) / 2 in closed form."""
    lam, T = sp.symbols("lam T", positive=True)
    crit = sp.solve(sp.diff(lam * (1 - lam) ** (2 * T), lam), lam)
    cases = []
    for t in (1, 4, 16, 64, 256):
        l_star = float(crit[0].subs(T, t))
        cases.append(Case(float(gd_on_quadratic(np.array(l_star), 1.0, 1.0, t)), p.c / (t + 4), {"T": t, "lam": l_star},
                          ops=2 * t + 4))
    return Bound("F(x_T) - F* <= 2 L ||x_0 - x*||^2 / (T + 4) over quadratics", tuple(cases),
                 Exact("stationary point of lam (1 - lam)^(2T) (sympy)", domain={"lam": "(0, 1]", "T": "1..256"}))


register(Claim(
    id="gdconvex.descent_lemma", source="gdconvex Lemma 1.2.3",
    statement=r"$F(y)\le F(x)+\langle\nabla F(x),y-x\rangle+\frac L2\|y-x\|^2$ for L-smooth F",
    expected=Verdict.TIGHT,
    checks=(Check("random triples, extremal curvature", _descent, Verdict.TIGHT,
                  SetParam("L_stated", 0.9, "constant", "the lemma with 0.9 L"), {"L": 2.0, "L_stated": 2.0}),),
))

register(Claim(
    id="gdconvex.cor2_1_2", source="gdconvex Corollary 2.1.2",
    statement=r"GD with step $1/L$: $F(x_T)-F^*\le\frac{2L\|x_0-x^*\|^2}{T+4}$ (rate $O(1/T)$)",
    expected=Verdict.LOOSE,
    checks=(Check("measured exponent", _rate, Verdict.VERIFIED, ShiftClaim(-1.0), {"claimed": -1.0}),
            Check("exact worst quadratic", _exact_worst, Verdict.LOOSE, SetParam("c", 0.05, "constant"), {"c": 2.0})),
))

register(Claim(
    id="gdconvex.accelerated", source="gdconvex (deliberately false: the accelerated rate for plain GD)",
    statement=r"GD with step $1/L$: $F(x_T)-F^*\le\frac{L\|x_0-x^*\|^2}{2T^2}$",
    expected=Verdict.REFUTED,
    checks=(Check("search over curvatures", _accelerated, Verdict.REFUTED,
                  SetParam("q", 1, "constant", "the bound L ||x_0 - x*||^2 / (2 T), a true one"), {"q": 2}),),
))
