"""gsignsgd (Crawshaw et al. 2022): Theorem 1's statement against its own parts, the case alpha = 1, Eq. (3),
Remark 4.

Our copy of the paper has no appendix, so Theorem 1's proof is not available.  What the main text fixes is
transcribed once as sympy objects (the ``*_PRINTED`` constants) and compared with what sympy derives from the
other printed parts:

* ``gsignsgd.thm1.derivation``
  (1) *The exponential term.*  The theorem's factor ``exp(-sqrt(1-beta2) ||L0||_1^(3/4) T^(1/4)/(sqrt(d)
  ||L1||_inf ||sigma||_1^(1/2) Delta^(1/4)))`` is the momentum weight ``(1-alpha)^tau_bar <= exp(-alpha tau_bar)``
  of gradients older than Lemma 5's window ``tau_bar = sqrt(1-beta2)/(eta sqrt(d) ||L1||_inf)`` (the mechanism
  the proof sketch describes: past gradients beyond the window are damped by the exponential averaging).  Sympy
  computes ``alpha tau_bar`` at the printed ``eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T)``: it is
  ``sqrt(1-beta2) sqrt(||L0||_1 T)/(sqrt(d Delta) ||L1||_inf)``, not the printed exponent; at
  ``eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T)`` it is exactly the printed exponent.
  (2) *The T conditions.*  ``Q = eta sqrt(d) ||L1||_inf/(sqrt(1-beta2) alpha) <= rho/10`` (``Q`` is what Lemma
  10's ``D = 1 - 2Q`` contains) solved for T at alpha = 1 is exactly the first printed condition, and at
  alpha < 1 exactly the second one -- with ``eta = sqrt(Delta alpha)/...``; with the printed eta both regimes give
  the first condition.  (Reconstructed: the relation ``Q <= rho/10`` is read off the printed conditions, which it
  reproduces exactly.)
  (3) *Units.*  With ``V`` the unit of F and ``X`` that of x: ``grad F, sigma, M ~ V/X``, ``L0 ~ V/X^2``,
  ``L1 ~ 1/X``, ``Delta ~ V``, ``eta ~ X``; every term of a bound on ``||grad F||_1`` has unit ``V/X``.  Two
  printed terms do not: ``log(dT/delta) sqrt(||L0||_1) Delta/(rho sqrt T)`` (``V^(3/2)/X``) and, for beta2 = 0,
  ``||grad F(x_1)||_1 ||sigma||_1/(sqrt(T) sqrt(||L0||_1) Delta)``.  Derived: the descent lemma's ``Delta/(eta T)``
  at alpha = 1 (with the printed log and rho factors) gives ``log(dT/delta) sqrt(||L0||_1 Delta)/(rho sqrt T)``, and
  Lemma 12's first term summed over t, ``||grad F(x_1)||_1/(alpha T)`` with ``1/alpha <= 1 + 1/alpha_(<1)``, gives
  ``||grad F(x_1)||_1/sqrt(T) (1/sqrt(T) + ||sigma||_1/sqrt(||L0||_1 Delta))``.
  *Caveat:* our copy is a text extraction; each of these can be a dropped square root (``sqrt(Delta alpha)``,
  ``sqrt(||L0||_1 Delta)``); the public paper (arXiv:2208.11195) could not be consulted.
* ``gsignsgd.thm1.alpha1`` (the statement part; the rate is in :mod:`.gsignsgd_rate`): the printed
  ``rho = 1 - sqrt(beta2)/beta1`` at ``alpha = 1`` (``beta1 = 0``) against the rho for which the general bound's
  two leading terms equal the theorem's ``beta2 = 0`` guarantee (sympy solves: ``rho = 1``).
* ``gsignsgd.eq3`` -- Sec. 3: Assumption 2 with ``L_{0,j} = L0``, ``L_{1,j} = L1`` implies Eq. (3) "up to
  constants" (Lemma 3, appendix).  By Minkowski, ``||grad F(y) - grad F(x)||_2 <= ||(L0/sqrt d + L1 |g_j(x)|)_j||_2
  ||h||_2 <= (L0 + L1 ||grad F(x)||_2) ||h||_2`` on the same radius ``1/L1``: ``K0 = L0``, ``K1 = L1`` (constant 1),
  attained by ``F = (a/2)(1^T x)^2`` (``L0 = a d``, ``L1 = 0``) at ``h`` along ``1``.  Searched over quadratics (any
  symmetric A) and cosh_cosine(d, kappa, omega).
* ``gsignsgd.remark4`` -- with beta2 fixed, ``rho = 1 - sqrt(beta2)/(1 - alpha)`` increases with T to
  ``1 - sqrt(beta2)``, both T conditions decrease, and ``condition/T -> 0`` (a threshold exists): derived by sympy
  (signs decided on an admissible reparametrisation) against the remark.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from reference.problems import cosh_cosine, quadratic

from ..evidence import Bound, Case, Derivation, Searched, Units
from ..perturb import Params, SetParam, UseCorrected
from ..registry import Check, Claim, Context, Verdict, register

__all__ = ["units_of", "theorem1_terms", "corrected_eta", "printed_eta", "eq3_ratio", "alpha1_derivation",
           "ETA_PRINTED", "EXPONENT_PRINTED", "COND1_PRINTED", "COND2_PRINTED", "SECOND_PRINTED",
           "B2ZERO_THIRD_PRINTED", "ALPHA", "V", "X"]

Delta, L0, L1, sig, T, d, b2, rho, delta_, M = sp.symbols(
    "Delta L0 L1 sigma T d beta2 rho delta M", positive=True)  # L0 = ||L0||_1, L1 = ||L1||_inf, sigma = ||sigma||_1
gF1 = sp.symbols("gradF1", positive=True)  # ||grad F(x_1)||_1
alpha_ = sp.Symbol("alpha", positive=True)
V, X = sp.symbols("V X", positive=True)   # units of F and of x
UNITS = {Delta: V, L0: V / X**2, L1: 1 / X, sig: V / X, M: V / X, gF1: V / X}
ALPHA = sp.sqrt(L0) * sp.sqrt(Delta) / (sig * sp.sqrt(T))  # Theorem 1's alpha, the case alpha < 1
LOG = sp.Symbol("log(dT/delta)", positive=True)  # unitless; a symbol keeps the unit check off log algebra
# the engine's unit check substitutes every symbol it is given: unitless ones map to 1 (beta2 to a number in (0, 1))
UNIT_MAP = {**UNITS, T: 1, d: 1, rho: 1, LOG: 1, delta_: 1, b2: sp.Rational(1, 2)}
DOMAIN = {b2: (sp.Rational(1, 100), sp.Rational(99, 100)), rho: (sp.Rational(1, 100), 1)}

# --- Theorem 1 as printed in our copy (transcribed once) ---------------------------------------------------------
ETA_PRINTED = sp.sqrt(Delta) * alpha_ / (sp.sqrt(L0) * sp.sqrt(T))
EXPONENT_PRINTED = (sp.sqrt(1 - b2) * L0 ** sp.Rational(3, 4) * T ** sp.Rational(1, 4)
                    / (sp.sqrt(d) * L1 * sig ** sp.Rational(1, 2) * Delta ** sp.Rational(1, 4)))
COND1_PRINTED = 100 * d * Delta * L1**2 / ((1 - b2) * rho**2 * L0)
COND2_PRINTED = 10000 * d**2 * Delta * sig**2 * L1**4 / ((1 - b2) ** 2 * rho**4 * L0**3)
LEADING_PRINTED = (sp.sqrt(LOG) * L0 ** sp.Rational(1, 4) * Delta ** sp.Rational(1, 4) * sp.sqrt(sig)
                   / (rho * sp.sqrt(1 - b2) * T ** sp.Rational(1, 4)))
SECOND_PRINTED = LOG * sp.sqrt(L0) * Delta / (rho * sp.sqrt(T))
B2ZERO_LEADING_PRINTED = sp.sqrt(LOG) * L0 ** sp.Rational(1, 4) * Delta ** sp.Rational(1, 4) * sp.sqrt(sig) / T ** sp.Rational(1, 4)
B2ZERO_SECOND_PRINTED = LOG * sp.sqrt(L0) * Delta / sp.sqrt(T)
B2ZERO_THIRD_PRINTED = gF1 / sp.sqrt(T) * (1 / sp.sqrt(T) + sig / (sp.sqrt(L0) * Delta))
RHO_PRINTED_B1 = sp.Symbol("beta1", nonnegative=True)
RHO_PRINTED = 1 - sp.sqrt(sp.Symbol("beta2_", nonnegative=True)) / RHO_PRINTED_B1  # rho = 1 - sqrt(beta2)/beta1

# --- the other printed parts the derivations use ------------------------------------------------------------------
ETA_S = sp.Symbol("eta", positive=True)
TAU_BAR = sp.sqrt(1 - b2) / (ETA_S * sp.sqrt(d) * L1)  # Lemma 5's window
Q_LEMMA10 = ETA_S * sp.sqrt(d) * L1 / (sp.sqrt(1 - b2) * alpha_)  # Lemma 10: D = 1 - 2 Q (1 - beta1 = alpha)

# --- our corrected statement (transcribed separately from the derivations) ----------------------------------------
ETA_CORRECTED = sp.sqrt(Delta * alpha_) / (sp.sqrt(L0) * sp.sqrt(T))
TERMS_CORRECTED = (LOG * sp.sqrt(L0 * Delta) / (rho * sp.sqrt(T)),
                   gF1 / sp.sqrt(T) * (1 / sp.sqrt(T) + sig / sp.sqrt(L0 * Delta)))


def printed_eta(alpha: sp.Expr = ALPHA) -> sp.Expr:
    """Theorem 1 as printed: ``eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt(T))``."""
    return ETA_PRINTED.subs(alpha_, alpha)


def corrected_eta(alpha: sp.Expr = ALPHA) -> sp.Expr:
    """``eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt(T))`` (as nsgdm Theorem 1, whose proof gsignsgd's adapts)."""
    return ETA_CORRECTED.subs(alpha_, alpha)


def _eta(form: str, alpha: sp.Expr) -> sp.Expr:
    if form not in ("printed", "sqrt(Delta alpha)"):
        raise ValueError(f"eta_form must be 'printed' or 'sqrt(Delta alpha)', got {form!r}")
    return printed_eta(alpha) if form == "printed" else corrected_eta(alpha)


def units_of(expr: sp.Expr) -> sp.Expr:
    """The unit monomial ``V^a X^b`` of a product/power of symbols (logs and unitless symbols give 1)."""
    e = sp.powsimp(sp.expand_power_base(sp.sympify(expr).subs(UNITS), force=True), force=True)
    return sp.Mul(*[f for f in sp.Mul.make_args(e) if f.free_symbols & {V, X}])


def theorem1_terms(corrected: bool) -> dict[str, sp.Expr]:
    """Theorem 1's terms as printed (``corrected=False``) or corrected (module docstring); each must have
    unit ``V/X`` (a gradient norm) except the exponent and T conditions (unitless)."""
    return {
        "leading": LEADING_PRINTED,
        "second": TERMS_CORRECTED[0] if corrected else SECOND_PRINTED,
        "exp_prefactor": (M + sig) / rho,
        "initial": gF1 / T,
        "beta2=0 third": TERMS_CORRECTED[1] if corrected else B2ZERO_THIRD_PRINTED,
        "beta2=0 last": sig / T,
        "exponent (unitless)": EXPONENT_PRINTED,
        "T condition 1 (unitless)": COND1_PRINTED,
        "T condition 2 (unitless)": COND2_PRINTED,
        "eta (unit X)": corrected_eta() if corrected else printed_eta(),
    }


def _threshold(f: sp.Expr, level: sp.Expr) -> sp.Expr:
    """The T at which the monomial ``f = A T^p`` (p != 0) equals ``level``: ``(level/A)^(1/p)``."""
    f = sp.powsimp(sp.expand_power_base(f, force=True), force=True)
    A = sp.powsimp(f.subs(T, 1), force=True)
    p = sp.simplify(T * sp.diff(f, T) / f)
    return sp.powsimp(sp.expand_power_base((level / A) ** (1 / p), force=True), force=True)


def _exponent(ctx: Context, p: Params) -> Derivation:
    """The printed exponent against ``alpha tau_bar`` at the theorem's eta (module docstring, (1))."""
    eta = _eta(p.eta_form, ALPHA)
    derived = sp.powsimp(sp.expand_power_base(ALPHA * TAU_BAR.subs(ETA_S, eta), force=True), force=True)
    travel = sp.simplify(T * eta)
    descent = sp.simplify(Delta / (eta * T))
    return Derivation(
        "exp(-sqrt(1-beta2) ||L0||_1^(3/4) T^(1/4)/(sqrt(d) ||L1||_inf ||sigma||_1^(1/2) Delta^(1/4))), the weight "
        "(1-alpha)^tau_bar of gradients older than Lemma 5's window", EXPONENT_PRINTED, derived, domain=DOMAIN,
        note=(f"with eta = {p.eta_form}: alpha tau_bar = {derived}, T eta = {travel}, Delta/(eta T) = {descent}; the "
              "printed eta may be a dropped square root in our text copy (sqrt(Delta alpha))"),
        details={"eta": str(eta), "alpha_tau_bar": str(derived), "T_eta": str(travel), "Delta_over_eta_T": str(descent)})


def _conditions(ctx: Context, p: Params) -> Derivation:
    """The printed T conditions against ``Q <= rho/10`` solved for T at alpha = 1 and alpha < 1 (module docstring, (2))."""
    derived = tuple(_threshold(Q_LEMMA10.subs(ETA_S, _eta(p.eta_form, a)).subs(alpha_, a), rho / 10)
                    for a in (sp.Integer(1), ALPHA))
    return Derivation(
        "T >= max(100 d Delta ||L1||^2/((1-beta2) rho^2 ||L0||_1), 10^4 d^2 Delta ||sigma||_1^2 ||L1||^4/((1-beta2)^2 "
        "rho^4 ||L0||_1^3)): the first for alpha = 1, the second for alpha < 1",
        (COND1_PRINTED, COND2_PRINTED), derived, domain=DOMAIN,
        note=(f"Q = eta sqrt(d) ||L1||_inf/(sqrt(1-beta2) alpha) <= rho/10 with eta = {p.eta_form} gives T >= {derived[0]} "
              f"(alpha = 1) and T >= {derived[1]} (alpha < 1); the printed eta may be a dropped square root in our "
              "text copy"),
        details={"eta": p.eta_form, "derived_alpha_1": str(derived[0]), "derived_alpha_lt_1": str(derived[1])})


def _terms(ctx: Context, p: Params) -> Derivation:
    """The second term and the beta2 = 0 third term against the descent lemma and Lemma 12 (module docstring, (3))."""
    eta1 = printed_eta(sp.Integer(1))  # alpha = 1: printed and corrected eta agree
    second = (LOG / rho) * Delta / (eta1 * T)  # the printed log(dT/delta)/rho factor times Delta/(eta T)
    third = sp.expand(gF1 / T * (1 + 1 / ALPHA))  # ||grad F(x_1)||_1/(alpha T), 1/min(a, 1) <= 1 + 1/a
    return Derivation(
        "second term log(dT/delta) sqrt(||L0||_1) Delta/(rho sqrt T); beta2 = 0: ||grad F(x_1)||_1/sqrt(T) (1/sqrt(T) + "
        "||sigma||_1/(sqrt(||L0||_1) Delta))", (SECOND_PRINTED, B2ZERO_THIRD_PRINTED), (second, third),
        corrected=TERMS_CORRECTED, units=Units(UNIT_MAP, V / X), domain=DOMAIN,
        note="each printed term misses a square root over (||L0||_1 Delta) (unit V^(3/2)/X resp. V^(-1/2) inside); this may "
             "be a transcription artefact of our text copy",
        details={"units_printed": [str(units_of(SECOND_PRINTED)), str(units_of(B2ZERO_THIRD_PRINTED.expand().args[0]))]})


register(Claim(
    id="gsignsgd.thm1.derivation", source="gsignsgd Theorem 1 (statement vs its exponential term, T conditions, units)",
    statement="alpha = min(sqrt(||L0||_1 Delta)/(||sigma||_1 sqrt T), 1), eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T), "
              "T >= max(100 d Delta ||L1||^2/((1-beta2) rho^2 ||L0||_1), 10^4 d^2 Delta ||sigma||_1^2 ||L1||^4/((1-beta2)^2 "
              "rho^4 ||L0||_1^3)): min_t ||grad F(x_t)||_1 = O(sqrt(log) ||L0||^(1/4) Delta^(1/4) ||sigma||^(1/2)/(rho "
              "sqrt(1-beta2) T^(1/4)) + log sqrt(||L0||_1) Delta/(rho sqrt T)) + O((||M||_1 + ||sigma||_1)/rho exp(-...) + "
              "||grad F(x_1)||_1/T)",
    expected=Verdict.ERRATUM,
    checks=(Check("exponential term = exp(-alpha tau_bar) at the printed eta (sympy)", _exponent, Verdict.ERRATUM,
                  SetParam("eta_form", "sqrt(Delta alpha)", "constant", "eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T)"),
                  {"eta_form": "printed"}),
            Check("T conditions from Q <= rho/10 at the printed eta (sympy)", _conditions, Verdict.ERRATUM,
                  SetParam("eta_form", "sqrt(Delta alpha)", "constant", "eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T)"),
                  {"eta_form": "printed"}),
            Check("units of the second term and the beta2 = 0 third term", _terms, Verdict.ERRATUM, UseCorrected())),
    note="The printed eta = sqrt(Delta) alpha/(sqrt(||L0||_1) sqrt T) contradicts the theorem's own exponential term and "
         "its second T condition, which both follow exactly from eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T); with the "
         "printed eta, T eta = Delta/||sigma||_1 stays bounded (the counterexample of gsignsgd.thm1.rate). Two printed "
         "terms are not homogeneous (sqrt(||L0||_1) Delta where the derivation gives sqrt(||L0||_1 Delta)). All three may "
         "be transcription artefacts of our text copy (dropped square roots); the public paper (arXiv:2208.11195) could "
         "not be consulted.",
))


# --------------------------------------------------------------------------- alpha = 1 (statement part)


def alpha1_derivation() -> Derivation:
    """Printed rho at alpha = 1 against the rho that makes the general bound the theorem's beta2 = 0 guarantee."""
    b1, b2_ = RHO_PRINTED_B1, sp.Symbol("beta2_", nonnegative=True)
    at_zero = RHO_PRINTED.subs({b2_: 0, b1: 1 - sp.Integer(1)}, simultaneous=True)   # beta2 = 0: 0/0
    at_pos = RHO_PRINTED.subs(b1, 1 - sp.Integer(1))                                  # beta2 > 0: infinite
    r = sp.Symbol("r", positive=True)
    sols = [sp.solve(sp.Eq(LEADING_PRINTED.subs({b2: 0, rho: r}), B2ZERO_LEADING_PRINTED), r),
            sp.solve(sp.Eq(SECOND_PRINTED.subs(rho, r), B2ZERO_SECOND_PRINTED), r)]
    derived = sols[0][0] if len(sols[0]) == 1 and sols[0] == sols[1] else sp.nan
    return Derivation(
        "rho = 1 - sqrt(beta2)/beta1 at alpha = 1 (beta1 = 0), the theorem read as SignSGD (beta2 = 0)", at_zero, derived,
        corrected=sp.Integer(1),
        note=(f"printed rho at beta1 = 0: {at_zero} for beta2 = 0, {at_pos} for beta2 > 0 (no admissible beta2); the "
              f"general bound's two leading terms equal the beta2 = 0 guarantee's at rho = {derived} (sympy)"),
        details={"rho_beta2_0": str(at_zero), "rho_beta2_positive": str(at_pos),
                 "rho_matching_beta2_0_guarantee": [str(s) for s in sols],
                 "hypothesis_sqrt(beta2)/beta1<1_at_beta1_0": "undefined (0/0) at beta2 = 0, +inf for beta2 > 0"})


# --------------------------------------------------------------------------- Eq. (3) from Assumption 2


def eq3_ratio(prob, X_: np.ndarray, H: np.ndarray, K0: float, K1: float) -> np.ndarray:
    """``||grad F(x+h) - grad F(x)||_2 / ((K0 + K1 ||grad F(x)||_2) ||h||_2)`` (gsignsgd Eq. (3)), batched."""
    g = prob.grad(X_)
    num = np.linalg.norm(prob.grad(X_ + H) - g, axis=-1)
    return num / ((K0 + K1 * np.linalg.norm(g, axis=-1)) * np.linalg.norm(H, axis=-1))


def _eq3_cases(prob, X_: np.ndarray, H: np.ndarray, K0: float, K1: float, keep: int, inputs: dict) -> list[Case]:
    d = X_.shape[-1]
    g0, g1 = prob.grad(X_), prob.grad(X_ + H)
    num = np.linalg.norm(g1 - g0, axis=-1)
    bound = (K0 + K1 * np.linalg.norm(g0, axis=-1)) * np.linalg.norm(H, axis=-1)
    # the gradient difference cancels: absolute rounding ~ u (||g(x+h)|| + ||g(x)||), over the bound
    ops = 8.0 * (np.linalg.norm(g1, axis=-1) + np.linalg.norm(g0, axis=-1)) / bound + 8 * d
    order = np.argsort(num / bound)[::-1][:keep]
    return [Case(float(num[i]), float(bound[i]), {**inputs, "d": d, "x": X_[i].tolist(), "h": H[i].tolist()},
                 float(ops[i])) for i in order]


def _eq3(ctx: Context, p: Params) -> Bound:
    rng = np.random.default_rng(ctx.seed + 21)
    n = ctx.pick(4000, 40000)
    cases: list[Case] = []
    for k in range(ctx.pick(12, 48)):
        d = int(rng.integers(1, 9))
        if k % 3 == 0:  # rank one u u^T with |u_j| equal: the attaining family (A = a 1 1^T up to signs)
            u = rng.choice([-1.0, 1.0], d)
            A = np.outer(u, u) * 10.0 ** rng.uniform(-2, 2)
        else:
            A = rng.standard_normal((d, d))
            A = (A + A.T) * 10.0 ** rng.uniform(-2, 2)
        q = quadratic(A)
        L0u = float(np.max(q.constants.L0_vec))  # uniform L_{0,j} = L0 (L1 = 0: infinite radius)
        X_ = rng.standard_normal((n // 8, d)) * 10.0 ** rng.uniform(-2, 2)
        H = rng.standard_normal((n // 8, d)) * 10.0 ** rng.uniform(-2, 2)
        top = np.linalg.eigh(A)[1][:, -1] if k % 3 else np.asarray(u)
        H[: n // 64] = top * rng.uniform(0.1, 3, (n // 64, 1))  # along the top eigenvector
        cases += _eq3_cases(q, X_, H, p.K_factor * L0u, 0.0, 2, {"family": "quadratic", "A": A.tolist()})
    for _ in range(ctx.pick(12, 48)):
        d, kappa, omega = int(rng.integers(1, 7)), float(rng.uniform(0, 2)), float(rng.uniform(0, 4))
        cc = cosh_cosine(d, kappa, omega)
        L0u, L1u = float(np.max(cc.constants.L0_vec)), float(np.max(cc.constants.L1_vec))
        r = 1.0 / L1u
        X_ = rng.uniform(-12, 12, (n // 8, d)) * rng.uniform(0, 1, (n // 8, 1)) ** 2
        U = rng.standard_normal((n // 8, d))
        H = U / np.linalg.norm(U, axis=1, keepdims=True) * r * 10.0 ** rng.uniform(-2, 0, (n // 8, 1))
        cases += _eq3_cases(cc, X_, H, p.K_factor * L0u, p.K_factor * L1u, 2,
                            {"family": "cosh_cosine", "kappa": kappa, "omega": omega})
    cc_best = max(c.value / c.bound for c in cases if c.inputs["family"] == "cosh_cosine")
    q_best = max(c.value / c.bound for c in cases if c.inputs["family"] == "quadratic")
    return Bound("||grad F(y) - grad F(x)||_2 <= (K0 + K1 ||grad F(x)||_2) ||y - x||_2 for ||y - x||_2 <= 1/K1, with "
                 f"K0 = {p.K_factor:g} L0, K1 = {p.K_factor:g} L1", tuple(cases),
                 Searched({"F": "quadratics 1/2 x^T A x (any symmetric A, d = 1..8; rank one u u^T with |u_j| equal) and "
                                "cosh_cosine(d = 1..6, kappa in [0, 2], omega in [0, 4]), with L0 = max_j L0_vec[j], "
                                "L1 = max_j L1_vec[j]",
                           "x, h": "x anywhere, ||h||_2 <= 1/L1 (log-uniform scales), h along the top eigenvector"},
                          f"{n // 8} random (x, h) per function, {len(cases) // 2} functions; the 2 largest ratios each"),
                 note=f"on cosh_cosine the largest ratio is {cc_best:.4g}",
                 details={"quadratic": {"worst": q_best}, "cosh_cosine": {"worst": cc_best}})


register(Claim(
    id="gsignsgd.eq3", source="gsignsgd Sec. 3 (Assumption 2 implies Eq. (3); Lemma 3)",
    statement="Assumption 2 with L_{0,j} = L0 and L_{1,j} = L1 for all j implies (3): ||grad F(x) - grad F(y)||_2 <= "
              "(K0 + K1 ||grad F(x)||_2) ||x - y||_2 for ||x - y||_2 <= 1/K1, up to constants",
    expected=Verdict.TIGHT,
    checks=(Check("search with K0 = L0, K1 = L1 over quadratics and cosh_cosine", _eq3, Verdict.TIGHT,
                  SetParam("K_factor", 0.9, "constant", "K0 = 0.9 L0, K1 = 0.9 L1"), {"K_factor": 1.0}),),
    note="the constants are exactly 1 (K0 = L0, K1 = L1, the same radius), attained by F = (a/2)(1^T x)^2 with h along 1",
))


# --------------------------------------------------------------------------- Remark 4


def _remark4(ctx: Context, p: Params) -> Derivation:
    """Remark 4's limit and monotonicity, derived by sympy for the rho of ``p.rho_form``."""
    beta1 = 1 - ALPHA
    rho_T = {"1 - sqrt(beta2)/beta1": 1 - sp.sqrt(b2) / beta1, "1 - beta2/beta1": 1 - b2 / beta1}[p.rho_form]
    limit = sp.limit(rho_T, T, sp.oo)
    # decide signs on an admissible reparametrisation: alpha = 1/(1+u) < 1, sqrt(beta2) = beta1/(1+w) < beta1
    u, w = sp.symbols("u w", positive=True)
    a_of_u = 1 / (1 + u)

    def at_point(e: sp.Expr) -> sp.Expr:
        e = e.subs(T, L0 * Delta / (sig**2 * alpha_**2))     # alpha = alpha_
        e = e.subs(b2, ((1 - alpha_) / (1 + w)) ** 2)         # admissible beta2
        return sp.factor(sp.powsimp(e.subs(alpha_, a_of_u), force=True))

    # chain rule through rho: d cond/dT = (d cond/d rho)(d rho/dT), each factor on the admissible set
    drho = at_point(sp.diff(rho_T, T))
    rho_at = at_point(rho_T)
    conds = (COND1_PRINTED, COND2_PRINTED)
    dconds = [at_point(sp.diff(c, rho)).subs(rho, rho_at) * drho for c in conds]
    conds = [c.subs(rho, rho_T) for c in conds]
    # rho > 0 on the admissible set is the theorem's hypothesis; the conditions' sign follows rho's
    increasing = bool(drho.is_positive)
    decreasing = [bool(dc.is_negative) for dc in dconds]
    threshold = [bool(sp.limit(c / T, T, sp.oo) == 0) for c in conds]
    printed = (1 - sp.sqrt(b2), sp.true, sp.true, sp.true, sp.true)
    derived = (limit, sp.true if increasing else sp.false, *(sp.true if x else sp.false for x in decreasing),
               sp.true if all(threshold) else sp.false)
    return Derivation("rho grows with T to 1 - sqrt(beta2); both T conditions decrease; a threshold of T exists",
                      printed, derived, domain=DOMAIN,
                      note=f"rho = {p.rho_form}: lim rho = {limit}, d rho/dT > 0: {increasing}, conditions decrease: "
                           f"{decreasing}, condition/T -> 0: {threshold}",
                      details={"drho_dT": str(drho), "dcond_dT": [str(x) for x in dconds], "limit": str(limit),
                               "components": ["lim rho", "rho increasing", "cond1 decreasing", "cond2 decreasing",
                                              "threshold exists"]})


register(Claim(
    id="gsignsgd.remark4", source="gsignsgd Remark 4",
    statement="when beta2 is fixed, alpha ~ 1/sqrt(T); rho = 1 - sqrt(beta2)/beta1 grows with T and approaches "
              "1 - sqrt(beta2), so the two conditions on T decrease as T grows and a threshold exists",
    expected=Verdict.VERIFIED,
    checks=(Check("sympy: limit, monotonicity, threshold", _remark4, Verdict.VERIFIED,
                  SetParam("rho_form", "1 - beta2/beta1", "constant", "rho without the square root"),
                  {"rho_form": "1 - sqrt(beta2)/beta1"}),),
))
