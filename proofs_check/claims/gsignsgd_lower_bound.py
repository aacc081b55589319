"""gsignsgd Theorem 2: GD with any constant step needs ``>= M L1 (f(x0) - f* - 15 eps^2/(16 L0)) / (2 eps^2
(ln(M L1/L0) + 1))`` iterations on some 1-D (L0, L1)-smooth function (Eq. (1)) with ``sup{|f'| : f <= f(x0)} <= M``.

The theorem is an existence claim, quantified as "for every eta there is an f"; its construction is in the
appendix, which our copy lacks.  We exhibit one, after Zhang et al. 2020 (Theorem 4, which Theorem 2
corrects), with the two functions of :mod:`reference.problems.gd_lower_bound` (proofs of their constants
there), and check the bound for every step of a sweep, over the theorem's whole constant domain:

* ``eta >= eta_A := 2 x_p/M`` (``x_p`` the plateau start of ``exp_plateau(L0, L1, M)``): ``f = exp_plateau``
  started at ``x0 = eta M/2``: GD jumps ``x0 -> -x0 -> x0`` (``f'(+-x0) = +-M >= eps``) and never reaches
  ``|f'| < eps`` (an exact 2-periodic orbit in floating point, :func:`_two_cycle`);
* ``eta < eta_A``: ``f = slope_plateau(eps, L0)`` started at ``x0`` with ``f(x0) = Delta_B``: each GD step
  moves ``eta eps`` on the plateau, so ``T >= (Delta_B - f(x_p^B))/(eta eps^2) > (Delta_B - (52/75) eps^2/L0)
  M L1/(2 eps^2 L1 x_p)``, and ``L1 x_p = ln(0.8 (1 + M L1/L0)) + 1/2 <= ln(M L1/L0) + 1`` for
  ``M L1/L0 >= 1``: this is at least the stated bound whenever ``Delta_B >= 15 eps^2/(16 L0)``.

Each run is ``reference.sgdm(lr=eta, beta=0)`` (GD) for ``ceil(B)`` steps from x0; ``T_eta >= B`` iff
``|f'(x_t)| >= eps`` for every ``t < ceil(B)``.  Class membership (Eq. (1) on a grid, sublevel-set gradient
bound, F* = 0) is re-checked numerically for every instance.  Domain: the grid ``L0 = L1 = 1, eps = 0.5``,
``M in {2, 10, 50, 250}`` with nine steps around ``eta_A``, and random ``(eps, L0, L1, M >= max(L0/L1, eps),
Delta_B)`` with four steps each (draws whose bound needs more than a few hundred GD steps are redrawn: the
count is measured by running GD).  At the step just below ``eta_A`` (the best for GD on these functions) the
hitting time is measured, and compared with ``generalized_signsgd`` (Algorithm 1 with ``beta1 = beta2 = 0``, i.e.
SignGD) with one step ``s`` chosen from ``(L0, eps)`` alone, on the same functions: GD's count grows like
``M L1/ln(M L1/L0)``, SignGD's like ``ln(M L1/L0)`` (distance/step).
"""

from __future__ import annotations

import math

import numpy as np

import reference as R
from reference.problems import exp_plateau, slope_plateau

from .. import tolerances as tol
from ..evidence import Bound, Case, Instances
from ..perturb import Params, SetParam
from ..registry import Check, Claim, Context, Verdict, register
from ._common import curve_plot, series

__all__ = ["theorem2_bound", "gd_count", "hard_function"]

L0, L1, EPS, DELTA_B = 1.0, 1.0, 0.5, 2.0
ETA_FACTORS = (1e-3, 0.1, 0.5, 0.999, 1.0, 1.001, 3.0, 100.0, 1000.0)


def theorem2_bound(M: float, gap: float, L0: float = L0, L1: float = L1, eps: float = EPS) -> float:
    """``M L1 (gap - 15 eps^2/(16 L0)) / (2 eps^2 (ln(M L1/L0) + 1))`` (gsignsgd Theorem 2)."""
    return M * L1 * (gap - 15 * eps**2 / (16 * L0)) / (2 * eps**2 * (math.log(M * L1 / L0) + 1))


def hard_function(M: float, eta: float, plateau_only: bool = False, L0: float = L0, L1: float = L1, eps: float = EPS,
                  Delta_B: float = DELTA_B):
    """(problem, x0) exhibited for GD's step ``eta`` (module docstring); ``plateau_only`` = negative control."""
    fa = exp_plateau(L0, L1, M)
    if eta >= 2 * fa.plateau_start / M and not plateau_only:
        return fa, np.array([eta * M / 2])
    fb = slope_plateau(eps, L0)
    return fb, np.array([fb.plateau_start + (Delta_B - fb.f_plateau) / eps])


def gd_count(alg: R.Algorithm, problem, x0: np.ndarray, cap: int, eps: float = EPS) -> int:
    """First t <= cap with ``|f'(x_t)| < eps`` (x_0 = x0), or cap + 1 if none.  ``slope_plateau``'s plateau gradient
    is eps in exact arithmetic and may round an ulp below it: "below eps" means below it beyond rounding."""
    rec = R.run(alg, problem, x0, cap, np.random.default_rng(0), record_directions=False)
    hit = np.nonzero(rec.grad_l1 < eps * (1 - tol.gamma(16)))[0]
    return int(hit[0]) if hit.size else cap + 1


def _two_cycle(alg: R.Algorithm, problem, x0: np.ndarray, eps: float) -> bool:
    """GD never reaches ``|f'| < eps``: its iterates are exactly 2-periodic (``x_2 = x_0``, ``x_3 = x_1`` in floating
    point) with ``|f'| >= eps`` at both points.  GD with ``beta = 0`` is the deterministic map ``x -> x - eta f'(x)``,
    so a 2-periodic orbit repeats forever.  (On the plateau ``f' = +-s`` is one float; from ``x_0 = eta M/2`` the
    differences ``x_0 - eta s`` and back are exact by Sterbenz' lemma, so the orbit is ``x_0, x_0 - eta s, x_0, ...``
    even where ``eta s`` differs from ``2 x_0`` by a few ulps.)"""
    rec = R.run(alg, problem, x0, 4, np.random.default_rng(0), record_x=True, record_directions=False)
    xs = rec.x[:, 0]
    return bool(xs[2] == xs[0] and xs[3] == xs[1] and xs[4] == xs[2]) and bool(np.all(rec.grad_l1[:2] >= eps * (1 - tol.gamma(16))))


def _in_class(problem, x0: np.ndarray, M: float, L0_: float, L1_: float) -> bool:
    t = np.linspace(-2 * abs(x0[0]) - 1, 2 * abs(x0[0]) + 1, 20_001)[:, None]
    g, h = problem.grad(t)[:, 0], problem.hessian(t)[:, 0, 0]
    l0, l1 = problem.eq1
    eq1 = tol.not_above(np.abs(h), l0 + l1 * np.abs(g), 64) and l0 <= L0_ and l1 <= L1_
    sub = problem.value(t) <= problem.value(x0)
    return eq1 and tol.not_above(np.max(np.abs(g[sub])), M, 64) and float(problem.value(t).min()) >= 0


def _constants(ctx: Context, rng: np.random.Generator) -> list[dict]:
    """The grid and random draws of (eps, L0, L1, M, Delta_B) over the theorem's domain (bound <= 400 steps)."""
    out = [{"eps": EPS, "L0": L0, "L1": L1, "M": M, "Delta_B": DELTA_B, "etas": ETA_FACTORS}
           for M in ctx.pick([2.0, 10.0, 50.0, 250.0], [2.0, 10.0, 50.0, 250.0, 1250.0, 6250.0])]
    while len(out) < ctx.pick(4, 6) + ctx.pick(4, 16):
        eps, l0, l1 = (float(10.0 ** rng.uniform(-2, 1)), float(10.0 ** rng.uniform(-1, 1)),
                       float(10.0 ** rng.uniform(-1, 1)))
        M = max(l0 / l1, eps) * float(10.0 ** rng.uniform(0, 2.5))
        dB = 15 * eps**2 / (16 * l0) * float(10.0 ** rng.uniform(0.05, 2))
        if theorem2_bound(M, dB, l0, l1, eps) <= 400:
            out.append({"eps": eps, "L0": l0, "L1": l1, "M": M, "Delta_B": dB, "etas": (1e-2, 0.999, 1.0, 30.0)})
    return out


def _gd(ctx: Context, p: Params) -> Bound:
    rng = np.random.default_rng(ctx.seed + 61)
    cases, rows, vacuous = [], [], 0
    for k in _constants(ctx, rng):
        eps, l0, l1, M = k["eps"], k["L0"], k["L1"], k["M"]
        eta_A = 2 * exp_plateau(l0, l1, M).plateau_start / M
        for f in k["etas"]:
            eta = f * eta_A
            prob, x0 = hard_function(M, eta, p.construction != "exp_plateau above eta_A", l0, l1, eps, k["Delta_B"])
            gap = float(prob.value(x0) - prob.constants.F_star)
            B = theorem2_bound(M, gap, l0, l1, eps)
            gd = R.sgdm(lr=eta, beta=0.0)
            if prob.eq1[1] > 0:  # exp_plateau from eta M/2: a 2-cycle on the plateau, never eps-stationary
                count = math.inf if _two_cycle(gd, prob, x0, eps) else 0
            else:
                count = gd_count(gd, prob, x0, max(int(math.ceil(B)), 1), eps)
            if not _in_class(prob, x0, M, l0, l1):
                raise AssertionError(f"{prob.name} from x0={x0} is not in Theorem 2's class")
            if B <= 0:  # the bound is vacuous for this (f, x0): no statement to check
                vacuous += 1
                continue
            inputs = {"eps": eps, "L0": l0, "L1": l1, "M": M, "eta/eta_A": f, "eta": eta, "function": prob.name,
                      "x0": float(x0[0]), "f(x0)-f*": gap}
            cases.append(Case(float(count), B, inputs))
            rows.append({**inputs, "bound": B, "count": "never (2-cycle)" if count == math.inf else count})
    # GD's best step on the grid (just below eta_A): its hitting time, measured; SignGD with one step from (L0, eps)
    Ms = ctx.pick([2.0, 10.0, 50.0, 250.0], [2.0, 10.0, 50.0, 250.0, 1250.0, 6250.0])
    best_gd, sign_counts = [], []
    s = 0.4 * EPS / L0
    for M in Ms:
        eta_A = 2 * exp_plateau(L0, L1, M).plateau_start / M
        prob, x0 = hard_function(M, 0.999 * eta_A)
        B = theorem2_bound(M, float(prob.value(x0)))
        best_gd.append((gd_count(R.sgdm(lr=0.999 * eta_A, beta=0.0), prob, x0, int(2 * B) + 10), B))
        sign = R.generalized_signsgd(lr=s, beta1=0.0, beta2=0.0)
        fa = exp_plateau(L0, L1, M)
        sign_counts.append(max(gd_count(sign, prob, x0, 100), gd_count(sign, fa, np.array([fa.plateau_start]), 100)))
    gd_c = np.array([c for c, _ in best_gd], float)
    bounds = np.array([b for _, b in best_gd])
    slope_gd = float(np.polyfit(np.log(Ms), np.log(gd_c), 1)[0])
    slope_sign = float(np.polyfit(np.log(Ms), np.log(sign_counts), 1)[0])
    slope_bound = float(np.polyfit(np.log(Ms), np.log(bounds), 1)[0])
    plot = curve_plot("gsignsgd Thm 2: iterations to |f'| < eps vs M (L0 = L1 = 1, eps = 0.5)", "M",
                      "iterations to |f'(x_t)| < eps",
                      series("GD, best step (just below eta_A)", Ms, gd_c, "points"),
                      series("Theorem 2 lower bound", Ms, bounds, "dashed"),
                      series("SignGD (Alg. 1, beta1 = beta2 = 0), step 0.2", Ms, sign_counts, "points"),
                      logx=True, logy=True)
    finite = [c.value / c.bound for c in cases if math.isfinite(c.value)]
    return Bound("T_eta >= M L1 (f(x0) - f* - 15 eps^2/(16 L0)) / (2 eps^2 (ln(M L1/L0) + 1)) for every eta "
                 f"({p.construction})", tuple(cases),
                 Instances({"(eps, L0, L1, M)": "grid L0 = L1 = 1, eps = 0.5, M in 2..250 and random draws eps in [0.01, 10], "
                                                "L0, L1 in [0.1, 10], M >= max(L0/L1, eps) up to 10^2.5 x",
                            "eta": "eta_A x (1e-3 .. 1e3) on the grid, x (1e-2, 0.999, 1, 30) on draws"},
                           "exhibited functions (module docstring)"),
                 sense="lower",
                 note=(f"{sum(not math.isfinite(c.value) for c in cases)} steps give a 2-cycle (never eps-stationary), "
                       f"{vacuous} a vacuous bound (f(x0) - f* <= 15 eps^2/(16 L0)); "
                       f"the others need >= {min(finite):.6g} x the bound; GD's count at its best step grows with M like "
                       f"M^{slope_gd:.3g} (the bound's M^{slope_bound:.3g}), SignGD's with one step like M^{slope_sign:.3g}"),
                 details={"rows": rows, "worst_ratio": min(finite), "gd_best_step_counts": gd_c.tolist(),
                          "bounds_at_best_step": bounds.tolist(), "gd_slope_in_M": slope_gd, "bound_slope_in_M": slope_bound,
                          "signgd_step": s, "signgd_counts": sign_counts, "signgd_slope_in_M": slope_sign,
                          "L0": L0, "L1": L1, "eps": EPS, "Delta_B": DELTA_B},
                 plots=(plot,))


register(Claim(
    id="gsignsgd.thm2", source="gsignsgd Theorem 2",
    statement="for eps, L0, L1 > 0, M >= max(L0/L1, eps), x0 and any constant step eta there is a 1-d (L0, L1)-smooth f, "
              "bounded below, with sup{|f'(x)| : f(x) <= f(x0)} <= M, on which GD needs at least "
              "M L1 (f(x0) - f* - 15 eps^2/(16 L0)) / (2 eps^2 (ln(M L1/L0) + 1)) iterations to reach |f'(x_T)| < eps",
    expected=Verdict.VERIFIED,
    checks=(Check("exhibited functions (exp_plateau above eta_A, slope_plateau below), every eta of a sweep, "
                  "(eps, L0, L1, M) over the domain", _gd, Verdict.VERIFIED,
                  SetParam("construction", "slope_plateau for every eta", "input",
                           "slope_plateau (L1 = 0) also above eta_A: a large step converges in a few iterations"),
                  {"construction": "exp_plateau above eta_A"}),),
    note="The exhibited pair meets the bound at every step and every (eps, L0, L1, M) tried; GD's count at its best step "
         "grows like M L1/ln(M L1/L0), while SignGD (Algorithm 1 with beta1 = beta2 = 0) with one step from (L0, eps) "
         "needs a count growing only like ln(M L1/L0) on the same functions.",
))
