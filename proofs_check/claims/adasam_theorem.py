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

from ..registry import Check, Claim, Context, Outcome, Verdict, register
from .adasam_lemmas import _generic_point, exponent_in, is_zero, scaling_degree

__all__ = ["SYMBOLS", "derive", "statement_rhs", "proof_47_rhs", "corrected_rhs", "corollary_orders",
           "iteration_complexity"]

G, L, eps, sigma, rho, gamma, beta1, b, d, T, Delta = sp.symbols(
    "G L epsilon sigma rho gamma beta1 b d T Delta", positive=True)
mu2, alpha2, beta, l1, l2, l3, A, D1, D2 = sp.symbols("mu2 alpha2 beta lam1 lam2 lam3 A D1 D2", positive=True)
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


def derive(rho_power: int = 1) -> dict[str, sp.Expr]:
    """(41) -> (47): the bound on (1/T) sum_t E||grad f(x_t)||^2 that the proof's steps give."""
    step = per_step(rho_power)
    coef_A = -sp.expand(step).coeff(A)  # (41): -gamma (1 - 1/(2mu^2) - 1/(2alpha^2) - 3 gamma L(1+beta)/(beta eps) - l1/2)
    rest = sp.expand(step + coef_A * A)
    coef_A_chosen = sp.cancel(coef_A.xreplace(CHOICES) / gamma)
    at_max_gamma = sp.cancel(coef_A_chosen.xreplace({gamma: eps / (16 * L)}))  # must be >= 1/2
    decreasing = sp.cancel(sp.diff(coef_A_chosen, gamma))  # so 1/2 holds for all gamma <= eps/(16 L)
    rest = rest.xreplace(CHOICES)
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


def _terms(expr: sp.Expr) -> list[sp.Expr]:
    return list(sp.Add.make_args(sp.expand(expr)))


def _check_derivation(ctx: Context, negative: bool) -> Outcome:
    der1, der2 = derive(1), derive(2)
    internal = is_zero(der1["bound"] - proof_47_rhs())  # the proof's own algebra with Lemma 10 as printed
    corrected = corrected_rhs()
    same_corrected = is_zero(der2["bound"] - corrected)
    stated = corrected if negative else statement_rhs()  # negative control: the corrected statement
    same = is_zero(der2["bound"] - stated)
    diff = sp.Integer(0) if same else sp.factor(corrected - stated)
    lhs_degree = 2  # (1/T) sum ||grad f||^2 scales as c^2 under f -> c f
    inhomogeneous = {str(t): scaling_degree(t) for t in _terms(statement_rhs()) if scaling_degree(t) != lhs_degree}
    inhom_47 = {str(t): scaling_degree(t) for t in _terms(proof_47_rhs()) if scaling_degree(t) != lhs_degree}
    inhom_corr = {str(t): scaling_degree(t) for t in _terms(corrected) if scaling_degree(t) != lhs_degree}
    coef_ok = der1["coef_A_over_gamma_at_gamma_max"] == sp.Rational(1, 2) and bool(der1["d_coef_d_gamma"].is_negative)
    if not (coef_ok and same_corrected and internal):
        return Outcome(Verdict.INCONCLUSIVE, "(5)-(6)", "the re-derivation does not reproduce the proof's (41)-(47)",
                       {"coef_ok": coef_ok, "same_corrected": same_corrected, "internal": internal})
    verdict = Verdict.VERIFIED if diff == 0 else Verdict.ERRATUM
    if verdict is Verdict.VERIFIED:
        measured = "statement = derivation"
    else:
        measured = ("derivation - statement: the noise term is 8 G gamma L sigma^2/(b eps^2), printed 8 G gamma L sigma^2/eps "
                    "(no b: Corollary 1's linear speedup does not follow from (5) as printed); the last term of Phi is "
                    "8 G gamma L^3 rho^2/eps^2 ((47): 8 G gamma L^2 rho^2/eps^2 with Lemma 10's typo), printed "
                    "8 G gamma L L rho^2/eps")
    details = {
        "equals_proof_eq47": internal,
        "corrected_bound": str(corrected), "statement": str(statement_rhs()),
        "corrected_minus_statement": str(diff),
        "coefficient_of_E||grad f sqrt(eta)||^2 (41)": str(der1["coef_A"]),
        "that_coefficient_at_the_choices_and_gamma=eps/(16L)": str(der1["coef_A_over_gamma_at_gamma_max"] * gamma),
        "scaling_f->cf_terms_not_c^2": {"statement (5)-(6)": inhomogeneous, "proof (47)": inhom_47,
                                        "corrected": inhom_corr},
        "corrected_statement": "for eps <= G and x_(-1) = x_0: (1/T) sum_t E||grad f(x_t)||^2 <= 2G(f(x_0)-f*)/(gamma T) + "
                               "8 G gamma L sigma^2/(b eps^2) + 45 G L^2 rho^2/eps + 2 G^3 d (1/eps - 1/G)/((1-beta1) T) + "
                               "6 gamma^2 L^2 beta1^2 d G^3/((1-beta1)^2 eps^3) + 2(4 + (beta1/(1-beta1))^2) gamma L G^3 "
                               "d (eps^-2 - G^-2)/T + 8 G gamma L^3 rho^2/eps^2",
        "hypotheses_missing_in_statement": ["eps <= G (Lemma 3, used in (43))",
                                            "x_(-1) = x_0, i.e. z_0 = x_0 (the proof assumes x_(-1) = 0)"],
        "constants_checked": "45 = 2 (16 + 4 + 5/2); 6 = 2 * 3; 2(4 + (beta1/(1-beta1))^2) = 2((beta1/(1-beta1))^2 + 1 + 3)",
    }
    return Outcome(verdict, "(5)-(6): ... + 8 G gamma L sigma^2/eps + ... + 8 G gamma L L rho^2/eps", measured, details)


register(Claim(
    id="adasam.thm1.derivation",
    source="adasam Theorem 1, (5)-(6); proof Appendix B, (36)-(47)",
    statement=r"$\gamma\le\frac{\epsilon}{16L}$: $\frac1T\sum_t E\|\nabla f(x_t)\|^2\le\frac{2G(f(x_0)-f^*)}{\gamma T}+"
              r"\frac{8G\gamma L\sigma^2}{\epsilon}+\Phi$, $\Phi=\frac{45GL^2\rho^2}{\epsilon}+\frac{2G^3d}{(1-\beta_1)T}"
              r"(\frac1\epsilon-\frac1G)+\frac{6\gamma^2L^2\beta_1^2dG^3}{(1-\beta_1)^2\epsilon^3}+\frac{2(4+(\frac{\beta_1}"
              r"{1-\beta_1})^2)\gamma LG^3}{T}d(\epsilon^{-2}-G^{-2})+\frac{8G\gamma LL\rho^2}{\epsilon}$",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: (36) + Lemmas 8-10 -> (41) -> (47) vs (5)-(6)", _check_derivation, Verdict.ERRATUM,
                  "the corrected statement"),),
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
        base = _generic_point(e)
        out.add((exponent_in(term, {"b": 1}, base), exponent_in(term, {"T": 1}, base)))
    return out


def _check_corollary(ctx: Context, negative: bool) -> Outcome:
    bound = statement_rhs() if negative else corrected_rhs()  # negative control: Theorem 1 as printed
    orders = corollary_orders(bound)
    extra, missing = orders - COROLLARY_ORDERS, COROLLARY_ORDERS - orders
    verdict = Verdict.VERIFIED if not extra and not missing else Verdict.ERRATUM
    fmt_o = lambda s: sorted(f"b^({x}) T^({y})" for x, y in s)  # noqa: E731
    # (7): the leading term dominates every other one iff T >= b^3 (the O(b/T) term), T >= b otherwise
    # b^x T^y = (bT)^(-1/2)  <=>  T = b^((-1/2 - x)/(y + 1/2))  (y < -1/2 for every other term)
    half = sp.Rational(1, 2)
    conditions = {f"b^({x}) T^({y}) <= (bT)^(-1/2) iff T >=": str(b ** ((-half - x) / (y + half)))
                  for x, y in sorted(COROLLARY_ORDERS) if (x, y) != (-half, -half)}
    measured = ("the derived bound has exactly the six printed orders" if verdict is Verdict.VERIFIED else
                f"orders not in Corollary 1: {fmt_o(extra)}; missing: {fmt_o(missing)}")
    return Outcome(verdict, "O(1/sqrt(bT)) + O(1/(bT)) + O(1/T) + O(1/(b^(1/2)T^(3/2))) + O(b^(1/2)/T^(3/2)) + O(b/T)",
                   measured, {"orders": fmt_o(orders), "from": "Theorem 1 as printed" if negative else "the proof's bound",
                              "equality_points_in_T": conditions,
                              "note": "(7) needs T >= b^3 (the O(b/T) term); the O(1/sqrt(bT)) term alone is attained "
                                      "only if gamma = O(sqrt(b/T)) also satisfies gamma <= eps/(16L), i.e. T >= "
                                      "(16 L gamma0/eps)^2 b"})


register(Claim(
    id="adasam.cor1.derivation", source="adasam Corollary 1 (from Theorem 1 / proof (47))",
    statement=r"$\gamma=O(\sqrt{b/T})$, $\rho=O(1/\sqrt{bT})$: $\frac1T\sum_tE\|\nabla f(x_t)\|^2=O(\frac{1}{\sqrt{bT}})+"
              r"O(\frac1{bT})+O(\frac1T)+O(\frac{1}{b^{1/2}T^{3/2}})+O(\frac{b^{1/2}}{T^{3/2}})+O(\frac bT)$",
    expected=Verdict.VERIFIED,
    checks=(Check("sympy: the orders of the proof's bound at the stated gamma, rho", _check_corollary, Verdict.VERIFIED,
                  "Theorem 1 as printed (its noise term has no b)"),),
))


def iteration_complexity(orders: set[tuple[sp.Expr, sp.Expr]], delta_v: sp.Expr, b_v: sp.Expr) -> sp.Expr:
    """T needed for every term b^x T^y (y < 0) to be <= delta: max over terms of (delta b^-x)^(1/y)."""
    return max((delta_v * b_v ** (-x)) ** (1 / sp.sympify(y)) for x, y in orders)


def _check_remark3(ctx: Context, negative: bool) -> Outcome:
    orders = {(sp.Rational(-1, 2), sp.Rational(-1, 2))} if negative else COROLLARY_ORDERS  # negative: (7) only
    rows, fails = [], []
    for dv in (sp.Rational(1, 100), sp.Rational(1, 10**4)):
        for k in (sp.Rational(1, 2), 1, 4, 100):
            bv = k * dv ** sp.Rational(-1, 2)  # b = k delta^(-1/2)
            ratio = sp.nsimplify(iteration_complexity(orders, dv, bv) * bv * dv**2)
            rows.append({"delta": str(dv), "b": str(bv), "T_needed / (1/(b delta^2))": str(ratio)})
            if ratio > 1:
                fails.append((dv, bv, ratio))
    verdict = Verdict.ERRATUM if fails else Verdict.VERIFIED
    needed = sp.Max(*[(delta * b ** (-x)) ** (1 / sp.sympify(y)) for x, y in orders])
    measured = ("T = 1/(b delta^2) suffices for every b" if not fails else
                f"T_needed = max(1/(b delta^2), b/delta, ...): at b = k delta^(-1/2) it is k^2 / (b delta^2) for k > 1 "
                f"(e.g. {fails[-1][2]} x at delta = {fails[-1][0]}, b = {fails[-1][1]})")
    return Outcome(verdict, "T = O(1/(b delta^2)): b times faster than batch size 1", measured,
                   {"rows": rows, "T_needed": str(needed),
                    "corrected_statement": "T = O(1/(b delta^2) + b/delta) (delta <= 1): the b-fold speedup holds for "
                                           "b <= delta^(-1/2); beyond, the O(b/T) term of Corollary 1 makes T grow with b"})


register(Claim(
    id="adasam.remark3", source="adasam Remark 3 (first item)",
    statement="To reach an O(delta) stationary point, batch size 1 needs T = O(1/delta^2) iterations and batch size b "
              "needs T = O(1/(b delta^2)): b times faster (linear speedup)",
    expected=Verdict.ERRATUM,
    checks=(Check("sympy: iteration complexity from Corollary 1's six terms", _check_remark3, Verdict.ERRATUM,
                  "Corollary 1 reduced to its leading term (7)"),),
))
