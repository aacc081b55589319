"""adasam Theorem 1, Corollary 1 and Remark 3, re-derived with sympy from the proof's own steps.

The proof (Appendix B, (36) -> (47)) adds Lemma 8, Lemma 9 and Lemma 10 to (36) (Lemmas 5-7 are inside
(36)), which gives (41) with free parameters mu, alpha, beta, lambda_1..3; sets ``mu^2 = alpha^2 = 8``,
``beta = 3``, ``lambda_1^2 = 1/4``, ``lambda_2^2 = lambda_3^2 = 1`` and ``2 gamma L/eps <= 1/8`` (so the
coefficient of ``E||grad f (.) sqrt(eta_(t-1))||^2`` is at least 1/2), uses ``eta >= 1/G`` (Lemma 3) for
(43), telescopes, and bounds the eta-differences by Lemma 4 and its squared analogue (46).  This module
redoes every step symbolically (:func:`derive`) and compares with the printed last line (47) and with
the statement (5)-(6).  Lemma 10 is used as printed (``L rho^2/eps``, ``rho_power = 1``) or as its own
proof gives it (``L^2 rho^2/eps``, ``rho_power = 2``; see ``adasam.lemma10``).
"""

from __future__ import annotations

import sympy as sp

from ..evidence import Derivation, Units
from ..perturb import Params, SetParam, UseCorrected
from ..registry import Check, Claim, Context, Verdict, register
from .adasam_symbolic import DIMENSIONS, dimension, exponent_in, generic_point, scaling_degree, units_of

__all__ = ["SYMBOLS", "units", "derive", "statement_rhs", "proof_47_rhs", "corrected_rhs", "split_terms", "corollary_orders",
           "iteration_complexity", "COROLLARY_ORDERS"]

G, L, eps, sigma, rho, gamma, beta1, b, d, T, Delta = sp.symbols(
    "G L epsilon sigma rho gamma beta1 b d T Delta", positive=True)
mu2, alpha2, beta, l1, l2, l3, A, D1, D2 = sp.symbols("mu2 alpha2 beta lam1 lam2 lam3 A D1 D2", positive=True)
GRADF = sp.Symbol("gradf", positive=True)  # ||grad f||, the left side's unit (scaling and dimension)
SYMBOLS = {s.name: s for s in (G, L, eps, sigma, rho, gamma, beta1, b, d, T, Delta)}
CHOICES = {mu2: 8, alpha2: 8, beta: 3, l1: sp.Rational(1, 4), l2: 1, l3: 1}
K1 = beta1 / (1 - beta1)


def per_step(rho_power: int = 1) -> sp.Expr:
    """Right side of (40)/(41): E f(z_(t+1)) - E f(z_t) <= ..., with A = E||grad f(x_t) sqrt(eta_(t-1))||^2,
    D1 = E||eta_(t-1) - eta_t||_1, D2 = E||eta_t - eta_(t-1)||^2 (symbols), assembled from (36) and the lemmas."""
    eq36 = gamma / (2 * mu2) * A + 2 * mu2 * gamma * L**2 * rho**2 / eps + gamma / (1 - beta1) * G**2 * D1  # Lemmas 5-7
    lemma8 = -gamma * A + gamma / (2 * alpha2) * A + gamma * alpha2 * L**2 * rho**2 / (2 * eps)
    lemma10 = (L * G**2 * gamma**2 * K1**2 * D2
               + gamma**2 * L * (3 * (1 + beta) / (beta * eps) * (A + L**rho_power * rho**2 / eps + sigma**2 / (b * eps))
                                 + (1 + beta) * G**2 * D2))
    lemma9 = (gamma**3 * L**2 * beta1**2 / (2 * eps * (1 - beta1) ** 2) * (1 / l1 + 1 / l2 + 1 / l3) * d * G**2 / eps**2
              + gamma * l1 / 2 * A + gamma * L**2 * rho**2 / (2 * eps) * (l2 + 4 * l3))
    return sp.expand(eq36 + lemma8 + lemma10 + lemma9)


def derive(rho_power: int = 1, choices: dict | None = None) -> dict[str, sp.Expr]:
    """(41) -> (47): the bound on (1/T) sum_t E||grad f(x_t)||^2 that the proof's steps give (with the proof's
    :data:`CHOICES` of mu, alpha, beta, lambda unless ``choices`` is given)."""
    chosen = CHOICES if choices is None else choices
    step = per_step(rho_power)
    coef_A = -sp.expand(step).coeff(A)  # (41): -gamma (1 - 1/(2mu^2) - 1/(2alpha^2) - 3 gamma L(1+beta)/(beta eps) - l1/2)
    rest = sp.expand(step + coef_A * A)
    coef_A_chosen = sp.cancel(coef_A.xreplace(chosen) / gamma)
    at_max_gamma = sp.cancel(coef_A_chosen.xreplace({gamma: eps / (16 * L)}))  # must be >= 1/2
    decreasing = sp.cancel(sp.diff(coef_A_chosen, gamma))  # so 1/2 holds for all gamma <= eps/(16 L)
    rest = rest.xreplace(chosen)
    # (43): gamma/(2G) E||grad f||^2 <= gamma/2 A (eta >= 1/G); telescope over t = 0..T-1 and divide by gamma T/(2G):
    # (1/T) sum E||grad f||^2 <= 2G/(gamma T) (f(z_0) - f*) + (2G/gamma) [rest with sum D1 <= d(1/eps - 1/G),
    # sum D2 <= d(eps^-2 - G^-2)] / T
    sum_d1, sum_d2 = d * (1 / eps - 1 / G), d * (eps**-2 - G**-2)
    per_t = rest.xreplace({D1: 0, D2: 0})
    bound = (2 * G * Delta / (gamma * T) + 2 * G / gamma * per_t + 2 * G / gamma * rest.coeff(D1) * sum_d1 / T
             + 2 * G / gamma * rest.coeff(D2) * sum_d2 / T)
    return {"coef_A": coef_A, "coef_A_over_gamma_at_gamma_max": at_max_gamma, "d_coef_d_gamma": decreasing,
            "bound": bound}


def proof_47_rhs() -> sp.Expr:
    """The proof's last line (47) as printed."""
    return sp.expand(2 * G * Delta / (gamma * T) + 8 * G * gamma * L / eps * sigma**2 / (b * eps) + 45 * G * L**2 * rho**2 / eps
                     + 2 * G**3 / ((1 - beta1) * T) * d * (1 / eps - 1 / G) + 8 * G * gamma * L / eps * L * rho**2 / eps
                     + 2 * (4 + K1**2) * gamma * L * G**3 / T * d * (eps**-2 - G**-2)
                     + 6 * gamma**2 * L**2 * beta1**2 / (1 - beta1) ** 2 * d * G**3 / eps**3)


def statement_rhs() -> sp.Expr:
    """Theorem 1, (5)-(6), as printed: ... + 8 G gamma L sigma^2/eps + Phi, Phi ending in 8 G gamma L L rho^2/eps."""
    phi = (45 * G * L**2 * rho**2 / eps + 2 * G**3 / ((1 - beta1) * T) * d * (1 / eps - 1 / G)
           + 6 * gamma**2 * L**2 * beta1**2 * d * G**3 / ((1 - beta1) ** 2 * eps**3)
           + 2 * (4 + K1**2) * gamma * L * G**3 / T * d * (eps**-2 - G**-2) + 8 * G * gamma * L * L * rho**2 / eps)
    return sp.expand(2 * G * Delta / (gamma * T) + 8 * G * gamma * L * sigma**2 / eps + phi)


def corrected_rhs() -> sp.Expr:
    """The bound the proof supports once Lemma 10's term is L^2 rho^2/eps (adasam.lemma10), in the printed form."""
    return sp.expand(proof_47_rhs() + 8 * G * gamma * L**2 * rho**2 / eps**2 * (L - 1))


def _domain() -> dict:
    """Ranges for the numeric fallback of the comparisons (beta1 < 1; the rest positive)."""
    return {beta1: (sp.Rational(1, 10), sp.Rational(9, 10))}


def _algebra(ctx: Context, p: Params) -> Derivation:
    """The proof's own algebra: (36) + Lemmas 8-10 (Lemma 10 as printed) with the proof's choices give (47), and the
    coefficient of E||grad f (.) sqrt(eta_(t-1))||^2 at gamma = eps/(16 L) is the 1/2 of (42) (it decreases in gamma,
    so 1/2 holds on the whole range gamma <= eps/(16 L))."""
    der = derive(1, {**CHOICES, mu2: p.mu2})
    decreasing = bool(der["d_coef_d_gamma"].is_negative)
    return Derivation("(41) with mu^2 = alpha^2 = 8, beta = 3, lambda_1^2 = 1/4, lambda_2^2 = lambda_3^2 = 1 gives (42)'s "
                      "coefficient 1/2 and the last line (47)", (proof_47_rhs(), sp.Rational(1, 2)),
                      (der["bound"], der["coef_A_over_gamma_at_gamma_max"]), domain=_domain(),
                      note=f"the coefficient is decreasing in gamma: {decreasing}",
                      details={"coefficient_of_A (41)": str(der["coef_A"]), "choices": {str(k): str(v) for k, v in
                                                                                       {**CHOICES, mu2: p.mu2}.items()}})


def split_terms(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(the noise terms (with sigma), the perturbation terms (with rho), the rest) of a bound, so that a comparison
    names the part that differs."""
    parts = [sp.Integer(0)] * 3
    for term in sp.Add.make_args(sp.expand(expr)):
        k = 0 if sigma in term.free_symbols else 1 if rho in term.free_symbols else 2
        parts[k] += term
    return parts[0], parts[1], parts[2]


def units() -> Units:
    """Dimensions of the theorem's symbols (:data:`adasam_symbolic.DIMENSIONS`: F of f, X of x) and of its left side
    ``||grad f||^2``: F^2/X^2."""
    return Units(of=units_of(statement_rhs(), corrected_rhs()), quantity=DIMENSIONS["gradf"] ** 2)


def _statement(ctx: Context, p: Params) -> Derivation:
    """Theorem 1 (5)-(6) as printed vs the bound the proof's steps give with Lemma 10 as its own proof derives it
    (L^2 rho^2/eps), compared part by part (noise terms, rho terms, the rest), with units (F of f, X of x): every
    term must have the dimension F^2/X^2 of the left side.  The printed noise term 8 G gamma L sigma^2/eps has
    F^3/X^3 (scaling degree 3 under f -> c f, against the left side's 2); the printed rho term 8 G gamma L L rho^2/eps
    has F^2/X, wrong only in the x-dimension: its scaling degree under f -> c f is 2, like the left side's, so that
    scaling cannot detect it (the details give each printed term's degree and dimension); the units do."""
    derived = split_terms(derive(2)["bound"])
    printed = split_terms(statement_rhs())
    corrected = split_terms(corrected_rhs())
    u = units()
    return Derivation("(5)-(6): ... + 8 G gamma L sigma^2/eps + ... + 8 G gamma L L rho^2/eps", printed, derived,
                      corrected=corrected, units=u, domain=_domain(),
                      note="the noise term is 8 G gamma L sigma^2/(b eps^2) in (47), printed 8 G gamma L sigma^2/eps (no b: "
                           "Corollary 1's linear speedup does not follow from (5) as printed; dimension F^3/X^3 instead "
                           "of F^2/X^2); Phi's last term is 8 G gamma L^3 rho^2/eps^2 (8 G gamma L^2 rho^2/eps^2 in (47), "
                           "with Lemma 10's slip), printed 8 G gamma L L rho^2/eps (dimension F^2/X: wrong in x only, "
                           "invisible to f -> c f scaling); the proof also needs eps <= G (Lemma 3)",
                      details={"corrected_statement": "for eps <= G: (1/T) sum_t E||grad f(x_t)||^2 <= "
                               "2G(f(x_0)-f*)/(gamma T) + 8 G gamma L sigma^2/(b eps^2) + 45 G L^2 rho^2/eps + 2 G^3 d "
                               "(1/eps - 1/G)/((1-beta1) T) + 6 gamma^2 L^2 beta1^2 d G^3/((1-beta1)^2 eps^3) + "
                               "2(4 + (beta1/(1-beta1))^2) gamma L G^3 d (eps^-2 - G^-2)/T + 8 G gamma L^3 rho^2/eps^2",
                               "proof_device": "the proof's auxiliary sequence z_t must start at z_0 = x_0 (x_(-1) := x_0 "
                                               "in its definition, not the printed 0: adasam.proof.aux); this is a choice "
                                               "inside the proof, not a hypothesis of the theorem (Algorithm 1 never uses "
                                               "x_(-1))",
                               "printed_terms": {str(t): {"scaling_degree_f->cf": scaling_degree(t),
                                                          "dimension": str(dimension(t))}
                                                 for t in sp.Add.make_args(statement_rhs())},
                               "left_side ||grad f||^2": {"scaling_degree_f->cf": scaling_degree(GRADF**2),
                                                            "dimension": str(dimension(GRADF**2))},
                               "constants_checked": "45 = 2 (16 + 4 + 5/2); 6 = 2 * 3; 2(4 + (beta1/(1-beta1))^2) = "
                                                    "2((beta1/(1-beta1))^2 + 1 + 3)"})


register(Claim(
    id="adasam.thm1.derivation",
    source="adasam Theorem 1, (5)-(6); proof Appendix B, (36)-(47)",
    statement=r"$\gamma\le\frac{\epsilon}{16L}$: $\frac1T\sum_t E\|\nabla f(x_t)\|^2\le\frac{2G(f(x_0)-f^*)}{\gamma T}+"
              r"\frac{8G\gamma L\sigma^2}{\epsilon}+\Phi$, $\Phi=\frac{45GL^2\rho^2}{\epsilon}+\frac{2G^3d}{(1-\beta_1)T}"
              r"(\frac1\epsilon-\frac1G)+\frac{6\gamma^2L^2\beta_1^2dG^3}{(1-\beta_1)^2\epsilon^3}+\frac{2(4+(\frac{\beta_1}"
              r"{1-\beta_1})^2)\gamma LG^3}{T}d(\epsilon^{-2}-G^{-2})+\frac{8G\gamma LL\rho^2}{\epsilon}$",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: (36) + Lemmas 8-10 -> (41) -> (47) vs (5)-(6), with units", _statement, Verdict.ERRATUM,
                  UseCorrected()),
            Check("sympy: the proof's own algebra reproduces (42)'s coefficient and (47)", _algebra, Verdict.VERIFIED,
                  SetParam("mu2", 4, "constant", "mu^2 = 4 in place of the proof's 8"), {"mu2": 8})),
    note="The proof's algebra is right and reproduces its last line (47); the statement does not copy it: its noise term "
         "lacks the 1/(b eps) of (47), and Phi's last term lacks a 1/eps (and an L, once Lemma 10 is fixed). Both are "
         "terms of the wrong dimension (the noise term F^3/X^3, the rho term F^2/X, against F^2/X^2 for the left side; "
         "the rho term is wrong in x only, so f -> c f scaling misses it and the units check finds it). The proof also "
         "needs eps <= G (Lemma 3), which the statement omits; its z_0 = x_0 (x_(-1) := x_0) is a choice inside the "
         "proof (adasam.proof.aux), not a hypothesis.",
))


# --------------------------------------------------------------------------- Corollary 1 and Remark 3

g0, r0, delta = sp.symbols("gamma0 rho0 delta", positive=True)
COROLLARY_ORDERS = {(sp.Rational(-1, 2), sp.Rational(-1, 2)), (-1, -1), (0, -1), (sp.Rational(-1, 2), sp.Rational(-3, 2)),
                    (sp.Rational(1, 2), sp.Rational(-3, 2)), (1, -1)}  # (exponent of b, exponent of T), as printed


def corollary_orders(bound: sp.Expr) -> set[tuple[sp.Expr, sp.Expr]]:
    """The (b, T) exponents of the terms of ``bound`` at gamma = gamma0 sqrt(b/T), rho = rho0/sqrt(bT)."""
    e = sp.expand(bound.subs({gamma: g0 * sp.sqrt(b / T), rho: r0 / sp.sqrt(b * T)}))
    out = set()
    for term in sp.Add.make_args(e):
        base = generic_point(e)
        out.add((exponent_in(term, {"b": 1}, base), exponent_in(term, {"T": 1}, base)))
    return out


def _as_set(orders: set[tuple]) -> sp.FiniteSet:
    return sp.FiniteSet(*(sp.Tuple(sp.sympify(x), sp.sympify(y)) for x, y in orders))


def _corollary(ctx: Context, p: Params) -> Derivation:
    """Corollary 1's six orders vs those of the theorem's bound at its gamma and rho (the bound the proof supports:
    Theorem 1 with the corrected noise term, ``adasam.thm1.derivation``)."""
    bound = {"corrected": corrected_rhs(), "printed": statement_rhs()}[p.theorem]
    half = sp.Rational(1, 2)
    conditions = {f"b^({x}) T^({y}) <= (bT)^(-1/2) iff T >=": str(b ** ((-half - x) / (y + half)))
                  for x, y in sorted(COROLLARY_ORDERS) if (x, y) != (-half, -half)}
    return Derivation("O(1/sqrt(bT)) + O(1/(bT)) + O(1/T) + O(1/(b^(1/2)T^(3/2))) + O(b^(1/2)/T^(3/2)) + O(b/T)",
                      _as_set(COROLLARY_ORDERS), _as_set(corollary_orders(bound)),
                      note=f"the orders of Theorem 1 ({p.theorem}) at gamma = gamma0 sqrt(b/T), rho = rho0/sqrt(bT); (7) "
                           "needs T >= b^3 (the O(b/T) term)",
                      details={"equality_points_in_T": conditions,
                               "gamma_condition": "gamma0 sqrt(b/T) <= eps/(16 L) needs T >= (16 L gamma0/eps)^2 b"})


register(Claim(
    id="adasam.cor1.derivation", source="adasam Corollary 1 (from Theorem 1 / proof (47))",
    statement=r"$\gamma=O(\sqrt{b/T})$, $\rho=O(1/\sqrt{bT})$: $\frac1T\sum_tE\|\nabla f(x_t)\|^2=O(\frac{1}{\sqrt{bT}})+"
              r"O(\frac1{bT})+O(\frac1T)+O(\frac{1}{b^{1/2}T^{3/2}})+O(\frac{b^{1/2}}{T^{3/2}})+O(\frac bT)$",
    expected=Verdict.VERIFIED,
    checks=(Check("sympy: the orders of the theorem's bound at the stated gamma, rho", _corollary, Verdict.VERIFIED,
                  SetParam("theorem", "printed", "constant", "Theorem 1 as printed (its noise term has no b)"),
                  {"theorem": "corrected"}),),
    note="Corollary 1 is exactly what the proof's bound gives; from Theorem 1 as printed an extra O(sqrt(b/T)) term would "
         "appear (its noise term has no b), so the corollary follows from the corrected theorem, not the printed one.",
))


def iteration_complexity(orders: set[tuple[sp.Expr, sp.Expr]], delta_v: sp.Expr, b_v: sp.Expr) -> sp.Expr:
    """T needed for every term b^x T^y (y < 0) to be <= delta: the max over terms of (delta b^-x)^(1/y)."""
    return sp.Max(*[(delta_v * b_v ** (-sp.sympify(x))) ** (1 / sp.sympify(y)) for x, y in orders])


def _remark3(ctx: Context, p: Params) -> Derivation:
    """Remark 3's T = O(1/(b delta^2)) vs the iteration complexity Corollary 1's six terms give."""
    return Derivation("T = O(1/(b delta^2)) for an O(delta) stationary point: b times faster than b = 1",
                      1 / (b * delta**2), iteration_complexity(COROLLARY_ORDERS, delta, b),
                      corrected=sp.Max(1 / (b * delta**2), b / delta),
                      domain={delta: (sp.Rational(1, 1000), sp.Integer(1)), b: (sp.Integer(1), sp.Integer(1000))},
                      note="the O(b/T) term of Corollary 1 needs T >= b/delta: the b-fold speedup holds for b <= "
                           "delta^(-1/2) only (at b = k delta^(-1/2), T is k^2 times 1/(b delta^2))")


register(Claim(
    id="adasam.remark3", source="adasam Remark 3 (first item)",
    statement="To reach an O(delta) stationary point, batch size 1 needs T = O(1/delta^2) iterations and batch size b "
              "needs T = O(1/(b delta^2)): b times faster (linear speedup)",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: iteration complexity from Corollary 1's six terms", _remark3, Verdict.ERRATUM, UseCorrected()),),
    note="Corollary 1's own O(b/T) term makes T grow with b beyond b = delta^(-1/2): the speedup is linear only up to "
         "there, T = O(1/(b delta^2) + b/delta) for delta <= 1.",
))
