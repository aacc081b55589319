"""gsignsgd (Crawshaw et al. 2022): Theorem 1's statement against its own parts, Eq. (3), Remark 4.

Our copy of the paper has no appendix, so Theorem 1's proof (and its last inequality) is not available.
What the main text does fix is checked instead, with sympy:

* ``gsignsgd.thm1.derivation`` -- internal consistency of Theorem 1 as printed.
  (a) *Units.*  With ``V`` the unit of F and ``X`` that of x: ``grad F, sigma, M ~ V/X``,
  ``L0 ~ V/X^2`` and ``L1 ~ 1/X`` (Assumption 2), ``Delta ~ V``, ``eta ~ X`` (``m/sqrt(v)`` is unitless),
  ``T, d, delta, beta2, rho`` unitless.  Every term of a bound on ``||grad F||_1`` must have unit
  ``V/X``, and the ``T`` conditions and exponent must be unitless.  Two printed terms are not:
  ``log(dT/delta) sqrt(||L0||_1) Delta/(rho sqrt T)`` (unit ``V^(3/2)/X``; ``sqrt(||L0||_1 Delta)`` is) and, for
  ``beta2 = 0``, ``||sigma||_1/(sqrt(||L0||_1) Delta)`` (unit ``V^(-1/2)``; ``||sigma||_1/sqrt(||L0||_1 Delta)`` is).
  (b) *The step size.*  Lemma 5's window is ``tau_bar = sqrt(1-beta2)/(eta sqrt(d) ||L1||_inf)``; the
  theorem's exponential factor ``exp(-sqrt(1-beta2) ||L0||_1^(3/4) T^(1/4)/(sqrt(d) ||L1||_inf ||sigma||_1^(1/2)
  Delta^(1/4)))`` equals ``exp(-alpha tau_bar)`` -- the momentum weight ``(1-alpha)^tau_bar`` of gradients
  older than the window -- exactly when ``eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T)``, and the two ``T``
  conditions are exactly ``eta sqrt(d) ||L1||_inf/(sqrt(1-beta2) alpha) <= rho/10`` at that eta (the second
  one, with ``||sigma||_1^2``, in the case alpha < 1; the first one at alpha = 1).  With the printed
  ``eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T)`` neither holds, the descent-lemma term
  ``Delta/(eta T)`` equals ``||sigma||_1`` (it does not decay), and the total travel ``T eta/sqrt(1-beta2)
  = Delta/(||sigma||_1 sqrt(1-beta2))`` is bounded (the counterexample of ``gsignsgd.thm1.rate``).
  (c) *The rate.*  At the corrected eta the terms the proof sketch combines (descent Lemma 1:
  ``Delta/(eta T)`` and ``eta ||L0||_1``; Lemma 12: ``eta ||L0||_1/alpha`` and ``alpha E ~ sqrt(alpha) ||sigma||_1``)
  all equal ``(||L0||_1 Delta)^(1/4) ||sigma||_1^(1/2) T^(-1/4)`` up to constants: the stated leading term.
  Corrected statement: ``eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T)``, second term
  ``log(dT/delta) sqrt(||L0||_1 Delta)/(rho sqrt T)``, and (beta2 = 0) ``||grad F(x_1)||_1/sqrt(T) (1/sqrt(T) +
  ||sigma||_1/sqrt(||L0||_1 Delta))`` (the ``1/alpha`` of Lemma 12's first term, summed).  (If the published
  PDF has these square roots and OCR lost them, the corrected statement is the paper's.)
* ``gsignsgd.eq3`` -- Sec. 3: Assumption 2 with ``L_{0,j} = L0``, ``L_{1,j} = L1`` implies Eq. (3) "up to
  constants" (Lemma 3, appendix).  By Minkowski, ``||grad F(y) - grad F(x)||_2 <= ||(L0/sqrt d + L1 |g_j(x)|)_j||_2
  ||h||_2 <= (L0 + L1 ||grad F(x)||_2) ||h||_2`` on the same radius ``1/L1``: ``K0 = L0``, ``K1 = L1`` (constant 1),
  attained by ``F = (a/2)(1^T x)^2`` (``L0 = a d``, ``L1 = 0``) at ``h`` along ``1``.
* ``gsignsgd.remark4`` -- with beta2 fixed, ``rho = 1 - sqrt(beta2)/(1 - alpha)`` increases with T to
  ``1 - sqrt(beta2)``, so both ``T`` conditions' right-hand sides decrease and a threshold exists.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from reference.problems import cosh_cosine, quadratic

from .. import tolerances as tol
from ..registry import Check, Claim, Context, Outcome, Verdict, register
from ._common import fmt

__all__ = ["units_of", "theorem1_terms", "corrected_eta", "printed_eta", "eq3_ratio"]

Delta, L0, L1, sig, T, d, b2, rho, delta_, M = sp.symbols(
    "Delta L0 L1 sigma T d beta2 rho delta M", positive=True)  # L0 = ||L0||_1, L1 = ||L1||_inf, sigma = ||sigma||_1
gF1 = sp.symbols("gradF1", positive=True)  # ||grad F(x_1)||_1
V, X = sp.symbols("V X", positive=True)   # units of F and of x
UNITS = {Delta: V, L0: V / X**2, L1: 1 / X, sig: V / X, M: V / X, gF1: V / X}
ALPHA = sp.sqrt(L0 * Delta) / (sig * sp.sqrt(T))  # the case alpha < 1


def printed_eta(alpha: sp.Expr = ALPHA) -> sp.Expr:
    """Theorem 1 as printed: ``eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt(T))``."""
    return sp.sqrt(Delta) * alpha / (sp.sqrt(L0) * sp.sqrt(T))


def corrected_eta(alpha: sp.Expr = ALPHA) -> sp.Expr:
    """``eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt(T))`` (as nsgdm Theorem 1, whose proof gsignsgd's adapts)."""
    return sp.sqrt(Delta * alpha) / (sp.sqrt(L0) * sp.sqrt(T))


def units_of(expr: sp.Expr) -> sp.Expr:
    """The unit monomial ``V^a X^b`` of a product/power of symbols (logs and unitless symbols give 1)."""
    e = sp.powsimp(sp.expand_power_base(expr.subs(UNITS), force=True), force=True)
    return sp.Mul(*[f for f in sp.Mul.make_args(e) if f.free_symbols & {V, X}])


def theorem1_terms(corrected: bool) -> dict[str, sp.Expr]:
    """Theorem 1's terms as printed (``corrected=False``) or corrected (module docstring); each must have
    unit ``V/X`` (a gradient norm) except the exponent and T conditions (unitless)."""
    lg = sp.log(d * T / delta_)
    second = lg * (sp.sqrt(L0 * Delta) if corrected else sp.sqrt(L0) * Delta) / (rho * sp.sqrt(T))
    inner = sig / (sp.sqrt(L0 * Delta) if corrected else sp.sqrt(L0) * Delta)
    return {
        "leading": sp.sqrt(lg) * L0 ** sp.Rational(1, 4) * Delta ** sp.Rational(1, 4) * sp.sqrt(sig)
        / (rho * sp.sqrt(1 - b2) * T ** sp.Rational(1, 4)),
        "second": second,
        "exp_prefactor": (M + sig) / rho,
        "initial": gF1 / T,
        "beta2=0 third": gF1 / sp.sqrt(T) * inner,
        "beta2=0 last": sig / T,
        "exponent (unitless)": sp.sqrt(1 - b2) * L0 ** sp.Rational(3, 4) * T ** sp.Rational(1, 4)
        / (sp.sqrt(d) * L1 * sp.sqrt(sig) * Delta ** sp.Rational(1, 4)),
        "T condition 1 (unitless)": 100 * d * Delta * L1**2 / ((1 - b2) * rho**2 * L0),
        "T condition 2 (unitless)": 10000 * d**2 * Delta * sig**2 * L1**4 / ((1 - b2) ** 2 * rho**4 * L0**3),
        "eta (unit X)": corrected_eta() if corrected else printed_eta(),
    }


def _threshold(f: sp.Expr, level: sp.Expr) -> sp.Expr:
    """The T at which the monomial ``f = A T^p`` (p < 0) equals ``level``: ``(level/A)^(1/p)``."""
    A = sp.powsimp(f.subs(T, 1), force=True)
    p = sp.simplify(T * sp.diff(f, T) / f)
    return sp.powsimp(sp.expand_power_base((level / A) ** (1 / p), force=True), force=True)


def _check_theorem1(ctx: Context, negative: bool) -> Outcome:
    corrected = negative  # negative control: the corrected statement is consistent
    terms = theorem1_terms(corrected)
    want = {k: (1 if "unitless" in k else X if "unit X" in k else V / X) for k in terms}
    bad_units = {k: str(units_of(e)) for k, e in terms.items() if sp.simplify(units_of(e) / want[k]) != 1}
    eta = terms["eta (unit X)"]
    tau_bar = sp.sqrt(1 - b2) / (eta * sp.sqrt(d) * L1)
    exp_ok = sp.simplify(ALPHA * tau_bar - terms["exponent (unitless)"]) == 0
    # T condition: eta sqrt(d) L1/(sqrt(1-beta2) alpha) <= rho/10, solved for T (alpha < 1 and alpha = 1)
    cond2_ok = sp.simplify(_threshold(eta * sp.sqrt(d) * L1 / (sp.sqrt(1 - b2) * ALPHA), rho / 10)
                           - terms["T condition 2 (unitless)"]) == 0
    eta1 = (corrected_eta if corrected else printed_eta)(sp.Integer(1))  # alpha = 1: both are sqrt(Delta/(L0 T))
    cond1_ok = sp.simplify(_threshold(eta1 * sp.sqrt(d) * L1 / sp.sqrt(1 - b2), rho / 10)
                           - terms["T condition 1 (unitless)"]) == 0
    # descent-lemma / Lemma 12 terms at this eta
    lead = (L0 * Delta) ** sp.Rational(1, 4) * sp.sqrt(sig) * T ** sp.Rational(-1, 4)
    budget = {"Delta/(eta T)": Delta / (eta * T), "eta L0/alpha": eta * L0 / ALPHA, "sqrt(alpha) sigma": sp.sqrt(ALPHA) * sig}
    ratios = {k: sp.simplify(v / lead) for k, v in budget.items()}
    balanced = all(r.free_symbols == set() for r in ratios.values())
    travel = sp.simplify(T * eta)
    consistent = exp_ok and cond1_ok and cond2_ok and balanced and not bad_units
    verdict = Verdict.VERIFIED if consistent else Verdict.ERRATUM
    # the complexity sentence after Theorem 2 (beta2 = 0): invert the corrected leading terms
    eps = sp.symbols("epsilon", positive=True)
    complexity = {"leading": _threshold(lead, eps), "second": _threshold(sp.sqrt(L0 * Delta / T), eps)}
    measured = ("consistent" if consistent else
                f"units wrong in {sorted(bad_units)}; exponent = alpha tau_bar: {exp_ok}; T conditions from "
                f"eta sqrt(d)||L1||/(sqrt(1-beta2) alpha) <= rho/10: {cond1_ok}/{cond2_ok}; Delta/(eta T) = "
                f"{sp.simplify(budget['Delta/(eta T)'])}; T eta = {travel}")
    details = {"eta": str(eta), "bad_units": bad_units, "exponent_equals_alpha_tau_bar": exp_ok,
               "T_condition_1_rederived": cond1_ok, "T_condition_2_rederived": cond2_ok,
               "terms_over_leading": {k: str(v) for k, v in ratios.items()}, "travel_T_eta": str(travel),
               "complexity_beta2_0": {k: str(v) for k, v in complexity.items()},
               "corrected_statement": "eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T); second term log(dT/delta) "
                                      "sqrt(||L0||_1 Delta)/(rho sqrt T); beta2 = 0: ||grad F(x_1)||_1/sqrt(T) (1/sqrt(T) + "
                                      "||sigma||_1/sqrt(||L0||_1 Delta))",
               "note": "our copy has no appendix; the check uses what the main text fixes (units, Lemma 5's tau_bar, "
                       "the T conditions, Lemma 12's terms)", "negative": negative}
    return Outcome(verdict, "eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T); ... + log sqrt(||L0||_1) Delta/(rho sqrt T)",
                   measured, details)


register(Claim(
    id="gsignsgd.thm1.derivation", source="gsignsgd Theorem 1 (statement vs its T conditions, Lemma 5, Lemma 12)",
    statement="alpha = min(sqrt(||L0||_1 Delta)/(||sigma||_1 sqrt T), 1), eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T), "
              "T >= max(100 d Delta ||L1||^2/((1-beta2) rho^2 ||L0||_1), 10^4 d^2 Delta ||sigma||_1^2 ||L1||^4/((1-beta2)^2 "
              "rho^4 ||L0||_1^3)): min_t ||grad F(x_t)||_1 = O(sqrt(log) ||L0||^(1/4) Delta^(1/4) ||sigma||^(1/2)/(rho "
              "sqrt(1-beta2) T^(1/4)) + log sqrt(||L0||_1) Delta/(rho sqrt T)) + O((||M||_1 + ||sigma||_1)/rho exp(-...) + "
              "||grad F(x_1)||_1/T)",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: units, exp(-alpha tau_bar), T conditions, term balance", _check_theorem1, Verdict.ERRATUM,
                  "the corrected statement (eta with sqrt(alpha), sqrt(||L0||_1 Delta)): consistent"),),
    note="the printed eta makes T eta = Delta/||sigma||_1 bounded; the corrected eta sqrt(Delta alpha)/sqrt(||L0||_1 T) "
         "reproduces the theorem's own exponential term and both T conditions exactly",
))


# --------------------------------------------------------------------------- Eq. (3) from Assumption 2


def eq3_ratio(prob, X_: np.ndarray, H: np.ndarray, K0: float, K1: float) -> np.ndarray:
    """``||grad F(x+h) - grad F(x)||_2 / ((K0 + K1 ||grad F(x)||_2) ||h||_2)`` (gsignsgd Eq. (3)), batched."""
    g = prob.grad(X_)
    num = np.linalg.norm(prob.grad(X_ + H) - g, axis=-1)
    return num / ((K0 + K1 * np.linalg.norm(g, axis=-1)) * np.linalg.norm(H, axis=-1))


def _check_eq3(ctx: Context, negative: bool) -> Outcome:
    rng = np.random.default_rng(ctx.seed + 21)
    scale = 0.5 if negative else 1.0  # negative control: K0 = L0/2, K1 = L1/2
    d, a = 4, 1.5
    quad = quadratic(a * np.ones((d, d)))  # L0_vec = a d (exact), L1_vec = 0
    L0q = float(quad.constants.L0_vec.max())
    N = ctx.pick(20_000, 200_000)
    Xq = rng.standard_normal((N, d))
    Hq = rng.standard_normal((N, d))
    Hq[:100] = np.ones(d) * rng.uniform(0.1, 3, (100, 1))  # h along 1: the tight direction
    rq = eq3_ratio(quad, Xq, Hq, scale * L0q, 0.0)
    cc = cosh_cosine(d)
    L0c, L1c = float(cc.constants.L0_vec.max()), float(cc.constants.L1_vec.max())
    r = 1.0 / L1c
    Xc = rng.uniform(-8, 8, (N, d)) * rng.uniform(0, 1, (N, 1)) ** 2
    U = rng.standard_normal((N, d))
    Hc = U / np.linalg.norm(U, axis=1, keepdims=True) * r * rng.uniform(0, 1, (N, 1)) ** 0.25
    rc = eq3_ratio(cc, Xc, Hc, scale * L0c, scale * L1c)
    worst_q, worst_c = float(rq.max()), float(rc.max())
    n_ops = 8 * d  # gradient difference, norms, products
    if not (tol.not_above(worst_q, 1.0, n_ops) and tol.not_above(worst_c, 1.0, n_ops)):
        verdict = Verdict.REFUTED
    else:
        verdict = Verdict.TIGHT if tol.within(worst_q, 1.0, n_ops) else Verdict.LOOSE
    return Outcome(verdict, "Assumption 2 (uniform L0, L1) => Eq. (3) up to constants",
                   f"with K0 = {scale:g} L0, K1 = {scale:g} L1: max ratio {fmt(worst_q, 12)} on (a/2)(1^T x)^2 (h along 1), "
                   f"{fmt(worst_c, 4)} on cosh+cos (radius ln 2)",
                   {"quadratic": {"d": d, "a": a, "L0": L0q, "worst": worst_q},
                    "cosh_cosine": {"L0": L0c, "L1": L1c, "worst": worst_c}, "samples": N, "scale": scale,
                    "negative": negative})


register(Claim(
    id="gsignsgd.eq3", source="gsignsgd Sec. 3 (Assumption 2 implies Eq. (3); Lemma 3)",
    statement="Assumption 2 with L_{0,j} = L0 and L_{1,j} = L1 for all j implies (3): ||grad F(x) - grad F(y)||_2 <= "
              "(K0 + K1 ||grad F(x)||_2) ||x - y||_2 for ||x - y||_2 <= 1/K1, up to constants",
    expected=Verdict.TIGHT,
    checks=(Check("worst case with K0 = L0, K1 = L1 (quadratic (a/2)(1^T x)^2, cosh+cos)", _check_eq3, Verdict.TIGHT,
                  "K0 = L0/2, K1 = L1/2: exceeded"),),
    note="the constants are exactly 1 (K0 = L0, K1 = L1, same radius), attained with L1 = 0",
))


# --------------------------------------------------------------------------- Remark 4


def _check_remark4(ctx: Context, negative: bool) -> Outcome:
    alpha = ALPHA
    rho_T = 1 - sp.sqrt(b2) / (1 - alpha)
    drho = sp.simplify(sp.diff(rho_T, T))
    # sign of d rho/dT for alpha < 1: numerator/denominator analysis at random admissible points
    f = sp.lambdify((Delta, L0, sig, T, b2), drho, "numpy")
    rng = np.random.default_rng(ctx.seed + 22)
    n = 2000
    D_, L_, S_ = rng.uniform(0.1, 10, n), rng.uniform(0.1, 10, n), rng.uniform(0.1, 10, n)
    tmin = L_ * D_ / S_**2  # alpha < 1 iff T > tmin
    T_ = tmin * (1 + rng.exponential(10, n))
    B2 = rng.uniform(0, 1, n) * (1 - np.sqrt(L_ * D_) / (S_ * np.sqrt(T_))) ** 2 * 0.999  # sqrt(beta2) < beta1
    increasing = bool(np.all(f(D_, L_, S_, T_, B2) > 0))
    limit = sp.limit(rho_T, T, sp.oo)
    stated_limit = 1 - b2 if negative else 1 - sp.sqrt(b2)  # negative control: a wrong limit
    limit_ok = sp.simplify(limit - stated_limit) == 0
    verdict = Verdict.VERIFIED if increasing and limit_ok else Verdict.REFUTED
    return Outcome(verdict, "rho increases with T and approaches 1 - sqrt(beta2); the T conditions then decrease",
                   f"d rho/dT = {drho} > 0 at {n} admissible points: {increasing}; lim rho = {limit}",
                   {"drho_dT": str(drho), "limit": str(limit), "stated_limit": str(stated_limit), "points": n,
                    "negative": negative})


register(Claim(
    id="gsignsgd.remark4", source="gsignsgd Remark 4",
    statement="when beta2 is fixed, alpha ~ 1/sqrt(T); rho = 1 - sqrt(beta2)/beta1 grows with T and approaches "
              "1 - sqrt(beta2), so the two conditions on T decrease as T grows and a threshold exists",
    expected=Verdict.VERIFIED,
    checks=(Check("sympy: d rho/dT > 0 and the limit", _check_remark4, Verdict.VERIFIED,
                  "stated limit 1 - beta2: differs"),),
))
