"""The one judge: each kind of evidence, each rule, under the one policy (and nothing else decides)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from proofs_check import (
    Bound, Case, Certified, Derivation, Exact, Exactly, Identity, Instances, MonteCarlo, Rate, Rounding,
    SearchAgreement, Searched, Symbolic, Units, Verdict, judge,
)
from proofs_check.evidence import CertificateCheck
from proofs_check.judge import judge_all
from proofs_check.tolerances import POLICY

V = Verdict
EXACT = Exact("test")
SEARCH = Searched({"x": "[0, 1]"}, "grid")


def _bound(values, bounds, method=EXACT, **kw) -> Bound:
    return Bound("v <= b", tuple(Case(v, b, {"i": i}, kw.pop("ops", 8), kw.pop("se", 0.0)) for i, (v, b) in
                                 enumerate(zip(values, bounds))), method, **kw)


# --------------------------------------------------------------------------- Bound


@pytest.mark.parametrize("method,gap_verdict", [(EXACT, V.LOOSE), (SEARCH, V.LOOSE), (Instances(), V.VERIFIED)])
def test_bound_violated_attained_and_gap(method, gap_verdict) -> None:
    assert judge(_bound([1.0, 0.5], [1.0, 1.0], method)).verdict is V.TIGHT
    assert judge(_bound([0.9, 0.5], [1.0, 1.0], method)).verdict is gap_verdict
    j = judge(_bound([0.9, 1.2], [1.0, 1.0], method))
    assert j.verdict is V.REFUTED and j.numbers["counterexample"] == 1 and "i=1" in j.measured


def test_bound_rounding_margin_comes_from_the_policy() -> None:
    tol = POLICY.gamma(8)
    assert judge(_bound([1.0 + 0.5 * tol], [1.0])).verdict is V.TIGHT
    assert judge(_bound([1.0 + 2 * tol], [1.0])).verdict is V.REFUTED
    assert judge(_bound([1.0 - 2 * tol], [1.0])).verdict is V.LOOSE


def test_bound_monte_carlo_uses_z_standard_errors() -> None:
    z = POLICY.z_mc
    assert judge(_bound([1.0 + 0.9 * z * 0.1], [1.0], Instances(), se=0.1)).verdict is V.TIGHT
    assert judge(_bound([1.0 + 1.1 * z * 0.1], [1.0], Instances(), se=0.1)).verdict is V.REFUTED
    assert judge(_bound([1.0 - 1.1 * z * 0.1], [1.0], Instances(), se=0.1)).verdict is V.VERIFIED


def test_lower_bounds() -> None:
    assert judge(_bound([2.0, 1.0], [1.0, 1.0], sense="lower")).verdict is V.TIGHT
    assert judge(_bound([2.0, 3.0], [1.0, 1.0], sense="lower")).verdict is V.LOOSE
    assert judge(_bound([2.0, 0.5], [1.0, 1.0], sense="lower")).verdict is V.REFUTED


def test_approach_along_an_input() -> None:
    cases = tuple(Case(1 - 10.0 ** -k, 1.0, {"t": k}) for k in (1, 3, 8))
    assert judge(Bound("s", cases, EXACT, approach="t")).verdict is V.TIGHT
    far = tuple(Case(1 - 10.0 ** -k, 1.0, {"t": k}) for k in (1, 2, 3))
    assert judge(Bound("s", far, EXACT, approach="t")).verdict is V.LOOSE
    growing = tuple(Case(1 - 10.0 ** -k, 1.0, {"t": -k}) for k in (1, 3, 8))
    assert judge(Bound("s", growing, EXACT, approach="t")).verdict is V.LOOSE


def test_exact_method_proof_steps_are_rechecked() -> None:
    x = sp.Symbol("x", positive=True)
    good = Exact("identity", proof=(sp.sqrt(x) ** 2 - x, sp.Gt(x + 1, x)))
    bad = Exact("false identity", proof=(sp.sqrt(x) - x,))
    assert judge(_bound([1.0], [1.0], good)).verdict is V.TIGHT
    j = judge(_bound([1.0], [1.0], bad))
    assert j.verdict is V.INCONCLUSIVE and "does not simplify" in j.measured


@dataclasses.dataclass(frozen=True)
class _Cert:
    lower: float
    upper: float
    ok: bool = True

    def verify(self) -> CertificateCheck:
        return CertificateCheck(self.ok, self.lower, self.upper, {}, "" if self.ok else "dual slack not PSD")


def test_certified_values_are_reverified_and_never_trusted() -> None:
    def ev(value, lo, hi, bound, ok=True):
        return Bound("s", (Case(value, bound, {}),), Certified((_Cert(lo, hi, ok),)))
    assert judge(ev(1.0, 0.999999, 1.0, 1.0)).verdict is V.TIGHT
    assert judge(ev(0.5, 0.499, 0.5, 1.0)).verdict is V.LOOSE
    assert judge(ev(2.0, 1.999, 2.0, 1.0)).verdict is V.REFUTED
    assert judge(ev(1.0, 0.9, 1.1, 0.95)).verdict is V.INCONCLUSIVE  # the bracket straddles the bound
    j = judge(ev(0.5, 0.4, 0.5, 1.0, ok=False))
    assert j.verdict is V.INCONCLUSIVE and "does not verify" in j.measured
    assert judge(ev(0.7, 0.4, 0.5, 1.0)).verdict is V.INCONCLUSIVE  # value outside its own bracket
    assert judge(ev(0.5, 0.6, 0.5, 1.0)).verdict is V.INCONCLUSIVE  # inverted bracket


@dataclasses.dataclass(frozen=True)
class _NamedCert(_Cert):
    instance: dict = dataclasses.field(default_factory=dict)


def test_a_certificate_that_names_its_instance_must_name_the_case() -> None:
    """A certificate exposing ``instance`` certifies only the case whose inputs agree on every shared
    key (arrays exactly) and share at least one; the same certificate of another matrix (or one naming
    nothing the case has) leaves the evidence inconclusive, whatever its bracket."""
    A = np.array([[0.0, 1.0], [1.0, 0.0]])

    def ev(instance, inputs):
        return Bound("s", (Case(0.5, 1.0, inputs),), Certified((_NamedCert(0.49, 0.5, True, instance),)))
    assert judge(ev({"A": A, "d": 2}, {"A": A.tolist(), "d": 2, "kind": "x"})).verdict is V.LOOSE
    other = judge(ev({"A": A + 1.0, "d": 2}, {"A": A.tolist(), "d": 2}))
    assert other.verdict is V.INCONCLUSIVE and "another instance: A differs" in other.measured
    assert judge(ev({"d": 3}, {"d": 2})).verdict is V.INCONCLUSIVE
    unbound = judge(ev({"A_digest": "0123"}, {"d": 2}))
    assert unbound.verdict is V.INCONCLUSIVE and "no input in common" in unbound.measured
    assert judge(ev({"A_digest": "0123"}, {"A_digest": "0123"})).verdict is V.LOOSE


# --------------------------------------------------------------------------- Identity / SearchAgreement


def test_identity_error_models() -> None:
    a = np.array([1.0, 2.0, np.nan, np.inf])
    assert judge(Identity("s", a, a.copy(), Exactly())).verdict is V.VERIFIED
    assert judge(Identity("s", a, a + np.array([0.0, 1e-15, 0.0, 0.0]), Exactly())).verdict is V.REFUTED
    assert judge(Identity("s", a * (1 + 1e-15), a, Rounding(16))).verdict is V.VERIFIED
    assert judge(Identity("s", a * (1 + 1e-12), a, Rounding(16))).verdict is V.REFUTED
    assert judge(Identity("s", [1e-20], [0.0], Rounding(4, scale=1.0))).verdict is V.VERIFIED
    assert judge(Identity("s", [1.0], [np.nan], Rounding(4))).verdict is V.REFUTED
    assert judge(Identity("s", [1.1], [1.0], MonteCarlo(0.05))).verdict is V.VERIFIED
    assert judge(Identity("s", [1.2], [1.0], MonteCarlo(0.05))).verdict is V.REFUTED
    x = sp.Symbol("x", positive=True)
    assert judge(Identity("s", (x + 1) ** 2, x**2 + 2 * x + 1, Symbolic())).verdict is V.VERIFIED
    assert judge(Identity("s", (x + 1) ** 2, x**2 + 1, Symbolic())).verdict is V.REFUTED
    assert judge(Identity("s", {"power"}, set(), Exactly())).verdict is V.REFUTED


def test_search_agreement() -> None:
    def ev(s, c):
        return SearchAgreement("s", (s,), (c,), ({},), (8,), {"g": "R^t"}, "DE")
    assert judge(ev(1.0, 1.0)).verdict is V.VERIFIED
    assert judge(ev(1.0 - 0.5 * POLICY.search_rel, 1.0)).verdict is V.VERIFIED
    assert judge(ev(1.0 - 2 * POLICY.search_rel, 1.0)).verdict is V.INCONCLUSIVE
    assert judge(ev(1.0 + 1e-12, 1.0)).verdict is V.REFUTED


# --------------------------------------------------------------------------- Derivation


def test_derivation_equal_erratum_and_unsupported_correction() -> None:
    a, b, t = sp.symbols("a b t", positive=True)
    derived = sp.Sum(a**t, (t, 0, 5)).doit()
    assert judge(Derivation("s", sum(a**k for k in range(6)), derived)).verdict is V.VERIFIED
    j = judge(Derivation("s", sum(a**k for k in range(1, 7)), derived, corrected=sum(a**k for k in range(6))))
    assert j.verdict is V.ERRATUM
    assert judge(Derivation("s", a, derived, corrected=a + 1)).verdict is V.INCONCLUSIVE


def test_derivation_compares_index_ranges_of_sums() -> None:
    k, T = sp.symbols("k T", integer=True, positive=True)
    f = sp.Function("f")
    printed = sp.Sum(f(k), (k, 1, T))
    proof = sp.Sum(f(k), (k, 0, T - 1))
    assert judge(Derivation("s", printed, proof)).verdict is V.ERRATUM
    j = sp.Symbol("j", integer=True)
    assert judge(Derivation("s", proof, sp.Sum(f(j), (j, 0, T - 1)))).verdict is V.VERIFIED


def test_derivation_intervals_and_relations() -> None:
    e, G = sp.symbols("epsilon G", positive=True)
    assert judge(Derivation("s", sp.Interval(0, G), sp.Interval(0, G))).verdict is V.VERIFIED
    assert judge(Derivation("s", sp.Interval(0, G), sp.Interval.Ropen(0, G))).verdict is V.ERRATUM
    assert judge(Derivation("s", sp.Le(e, G), sp.Le(e, G))).verdict is V.VERIFIED
    assert judge(Derivation("s", sp.Le(e, G), sp.Lt(e, G))).verdict is V.ERRATUM


def test_derivation_units_decide() -> None:
    F, X = sp.symbols("F_dim X_dim", positive=True)  # base dimensions: function value, distance
    Delta, L, sigma, T = sp.symbols("Delta L sigma T", positive=True)
    units = Units({Delta: F, L: F / X**2, sigma: F / X}, F / X)  # the bound is gradient-valued
    ok = sp.sqrt(Delta * L / T) + sigma / T**sp.Rational(1, 4)
    bad = sp.sqrt(L) * Delta / sp.sqrt(T) + sigma
    assert judge(Derivation("s", ok, ok, units=units)).verdict is V.VERIFIED
    j = judge(Derivation("s", bad, bad, units=units, corrected=bad))
    assert j.verdict is V.INCONCLUSIVE  # our "correction" is not homogeneous either
    assert judge(Derivation("s", bad, ok, units=units, corrected=ok)).verdict is V.ERRATUM


# --------------------------------------------------------------------------- Rate


def _curve(f, T, seeds=32, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    return f(T)[:, None] * np.exp(noise * rng.normal(size=(T.size, seeds)))


def test_rate_verdicts() -> None:
    T = np.geomspace(100, 1e5, 8)
    ok = Rate("O(T^-1/4)", "T", T, _curve(lambda T: T**-0.3, T), -0.25)
    assert judge(ok).verdict is V.VERIFIED
    slow = dataclasses.replace(ok, values=_curve(lambda T: T**-0.1, T))
    assert judge(slow).verdict is V.REFUTED
    plateau = dataclasses.replace(ok, values=_curve(lambda T: T**-1.0 + 2e-4, T))
    assert judge(plateau).verdict is V.REFUTED  # the last slope exposes the floor
    noisy = dataclasses.replace(ok, values=_curve(lambda T: T**-0.3, T, seeds=4, noise=1.0))
    assert judge(noisy).verdict is V.INCONCLUSIVE
    exact = dataclasses.replace(ok, sense="exact", values=_curve(lambda T: T**-0.5, T))
    assert judge(exact).verdict is V.REFUTED  # Theta(T^-1/4) but decays like T^-1/2


def test_a_floor_term_declared_by_the_statement_makes_the_window_inconclusive_not_refuted() -> None:
    T = np.geomspace(100, 1e5, 8)
    ev = Rate("O(T^-1/2 + 1e-3)", "T", T, _curve(lambda T: T**-0.5 + 1e-2, T), -0.5, other_terms=(0.0,))
    assert judge(ev).verdict is V.INCONCLUSIVE


def test_judge_all_combines_by_precedence() -> None:
    v, js = judge_all([_bound([1.0], [1.0]), _bound([2.0], [1.0])])
    assert v is V.REFUTED and [j.verdict for j in js] == [V.TIGHT, V.REFUTED]
    with pytest.raises(TypeError):
        judge("not evidence")  # type: ignore[arg-type]


def test_cancelling_cases_take_rounding_on_their_scale() -> None:
    tol = POLICY.gamma(8)
    c = Case(1e-10 + 100 * tol, 1e-10, {}, 8)  # two sides of size ~1 cancelling to 1e-10
    assert judge(Bound("s", (c,), EXACT)).verdict is V.REFUTED
    assert judge(Bound("s", (dataclasses.replace(c, scale=200.0),), EXACT)).verdict is V.TIGHT


def test_units_ignore_dimensionless_factors() -> None:
    F, X = sp.symbols("F_dim X_dim", positive=True)
    Delta, L, beta1 = sp.symbols("Delta L beta1", positive=True)
    units = Units({Delta: F, L: F / X**2}, F / X)
    expr = (1 - beta1) * sp.sqrt(Delta * L) + sp.sqrt(2) * sp.log(3) * sp.sqrt(Delta * L) / (1 + beta1)
    assert judge(Derivation("s", expr, expr, units=units)).verdict is V.VERIFIED


def test_the_worst_case_is_the_largest_excess_even_with_negative_bounds() -> None:
    j = judge(Bound("s", (Case(-0.0163, -0.0048, {"i": 0}), Case(-1.0, -0.9, {"i": 1})), EXACT))
    assert j.numbers["worst_case"] == 1 and "value/bound =" not in j.measured  # -1.0 is nearer its bound -0.9
    assert j.verdict is V.LOOSE
    j = judge(Bound("s", (Case(-0.5, -0.6, {"i": 0}), Case(-1.0, -0.9, {"i": 1})), EXACT))
    assert j.verdict is V.REFUTED and j.numbers["counterexample"] == 0
