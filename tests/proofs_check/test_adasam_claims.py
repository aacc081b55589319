"""adasam claims: registration, what the session's runs found (through the shared ``results`` fixture), and the
helpers the checks are built from, against hand computations.

(tests/proofs_check/test_claims.py runs every check and its negative control.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

from proofs_check.perturb import Perturbation
import sympy as sp

import proofs_check.claims  # noqa: F401  (registers every claim module)
import reference as R
from proofs_check.claims import adasam_algorithm as A
from proofs_check.claims import adasam_lemmas as Lm
from proofs_check.claims import adasam_lemmas_inequalities as Li
from proofs_check.claims import adasam_lemmas_learning_rate as Lr
from proofs_check.claims import adasam_lemmas_momentum as Lm9
from proofs_check.claims import adasam_lemmas_products as Lp
from proofs_check.claims import adasam_lemmas_sequence as Ls
from proofs_check.claims import adasam_rates as Rt
from proofs_check.claims import adasam_symbolic as Sy
from proofs_check.claims import adasam_tables as Tb
from proofs_check.claims import adasam_theorem as Th
from proofs_check.evidence import Bound
from proofs_check.registry import REGISTRY

REQUIRED = ["adasam.alg1", "adasam.remark1", "adasam.sec2.perturbation", "adasam.lemma1", "adasam.lemma2",
            "adasam.lemma3", "adasam.lemma4", "adasam.eq46", "adasam.lemma5", "adasam.lemma6", "adasam.lemma7",
            "adasam.lemma8", "adasam.lemma9", "adasam.sec3.aux", "adasam.proof.aux", "adasam.lemma10",
            "adasam.thm1.derivation", "adasam.cor1.derivation", "adasam.remark3", "adasam.thm1", "adasam.cor1",
            "adasam.sec4.tables"]


def test_required_ids_registered_in_the_papers_order():
    ids = [c for c in REGISTRY if c.startswith("adasam.")]
    assert ids == REQUIRED
    for cid in REQUIRED:
        assert REGISTRY[cid].source.startswith("adasam ")
        assert REGISTRY[cid].note, f"{cid}: the curated finding is missing"
        assert all(isinstance(c.negative, Perturbation) for c in REGISTRY[cid].checks), cid


# --------------------------------------------------------------------------- what the runs found


def _evidence(results, cid: str, i: int = 0):
    return results.outcome(cid, i).evidence


def test_thm1_counterexample_satisfies_every_hypothesis(results):
    (ev,) = _evidence(results, "adasam.thm1", 0)
    assert isinstance(ev, Bound)
    bad = [c for c in ev.cases if c.value - 3 * c.se > c.bound]
    assert bad, "no counterexample"
    for c in bad:
        assert all(v for k, v in c.inputs.items() if isinstance(v, bool)), c.inputs
        assert c.inputs["gamma"] == pytest.approx(c.inputs["eps/G"] * c.inputs["G"] / (16 * c.inputs["L"]), rel=1e-15)
        assert c.inputs["eps/G"] <= 1 and c.inputs["sigma^2"] == pytest.approx(4 * c.inputs["c"] ** 2)
        assert c.inputs["G"] == pytest.approx(2 * c.inputs["c"]) and c.inputs["L"] == pytest.approx(c.inputs["c"])
    assert max(c.value / c.bound for c in bad) > 2


def test_lemma10_counterexample_satisfies_every_hypothesis(results):
    (ev,) = _evidence(results, "adasam.lemma10", 0)
    bad = [c for c in ev.cases if c.value > c.bound]
    assert bad and all(all(v for v in c.inputs.values() if isinstance(v, bool)) for c in bad)
    assert {c.inputs["beta"] for c in bad} >= {3.0}  # Theorem 1's beta = 3 among them
    # eta_0 = eta_(-1), beta1 = 0: LHS/RHS = g_0^2/2 / (3 (1+beta)/beta (grad f(x_0)^2 + L rho^2)), -> L beta/(6(1+beta))
    for c in ev.cases:
        L, beta, rho, x0 = c.inputs["L"], c.inputs["beta"], c.inputs["rho"], c.inputs["x_0"]
        ratio = (L * math.tanh(x0 + rho)) ** 2 / 2 / (3 * (1 + beta) / beta * ((L * math.tanh(x0)) ** 2 + L * rho**2))
        assert c.value / c.bound == pytest.approx(ratio, rel=1e-9)


def test_tight_verdicts_come_from_the_whole_domain(results):
    # eq46: approached along G/eps -> inf; lemma9: attained at eps = G, beta1 = 0 (not at the small eps of practice)
    j = results.outcome("adasam.eq46", 1).judgements[0]
    assert j.numbers["gaps_along_G/eps"][-1] < 1e-6
    j9 = results.outcome("adasam.lemma9", 1).judgements[0]
    worst = _evidence(results, "adasam.lemma9", 1)[0].cases[j9.numbers["worst_case"]]
    assert worst.inputs["eps/G"] == 1.0


def test_lemma9_whole_inequality_80(results):
    """(80) itself, not only its factor (88): approached along t by the kink construction (every hypothesis: eps = G,
    Theorem 1's gamma, lambda_1 in the printed range), below it on AdaSAM runs with beta1 > 0."""
    out = results.outcome("adasam.lemma9", 0)
    kink, runs = out.evidence
    assert [j.verdict.value for j in out.judgements] == ["tight", "verified"]
    assert out.judgements[0].numbers["gaps_along_t"][-1] < 1e-6
    for c in kink.cases:
        assert c.inputs["eps/G"] == 1.0 and c.inputs["gamma"] == 1 / 16 and c.inputs["lambda_1^2"] > 1
        assert all(v for v in c.inputs.values() if isinstance(v, bool)), c.inputs
    assert kink.details["proof_lambdas_ratio"] == pytest.approx(4 / math.sqrt(24), rel=1e-9)
    assert all(0 < c.inputs["beta1"] < 1 for c in runs.cases) and all(c.value < c.bound for c in runs.cases)
    assert {c.inputs["eps/G"] > 1 for c in runs.cases} == {True, False}  # eps on both sides of G


def test_cor1_declares_the_bounds_other_orders(results):
    rT = _evidence(results, "adasam.cor1", 0)[0]
    rb = _evidence(results, "adasam.cor1", 1)[0]
    assert rT.other_terms == (-1.0,) and rb.other_terms == (0.0,)
    assert rT.details["bound_order_shares"]["-1/2"] > 0.9  # the window is in the corollary's regime
    assert rb.details["bound_order_shares"]["-1/2"] > 0.9


# --------------------------------------------------------------------------- Algorithm 1 / Remark 1


def test_alg1_step_by_hand():
    """grad f(y) = y, x = (1, 0), rho = 0.5: s = (1, 0), delta = (0.5, 0), g = (1.5, 0); beta1 = 0.5, beta2 = 0.75:
    m = (0.75, 0), v = (0.5625, 0), v^ = max(eps^2 = 0.01, v) = (0.5625, 0.01), x_1 = x - 0.1 m/sqrt(v^) = (0.9, 0)."""
    x1, (m, v, vh) = A.alg1_step(np.array([1.0, 0.0]), (np.zeros(2), np.zeros(2), np.full(2, 0.01)), lambda y: y,
                                 gamma=0.1, rho=0.5, beta1=0.5, beta2=0.75)
    np.testing.assert_allclose(m, [0.75, 0.0])
    np.testing.assert_allclose(v, [0.5625, 0.0])
    np.testing.assert_allclose(vh, [0.5625, 0.01])
    np.testing.assert_allclose(x1, [0.9, 0.0], rtol=1e-15)
    x2, _ = A.alg1_step(np.array([2.0, 0.0]), (np.zeros(2), np.zeros(2), np.full(2, 0.01)), lambda y: y, gamma=0.1,
                        rho=0.5, beta1=0.5, beta2=0.75, normalize=False)
    assert x2[0] == pytest.approx(2.0 - 0.1 * 0.5 * 3.0 / math.sqrt(0.25 * 9.0))


def test_reference_matches_the_loop_and_not_the_variant():
    alg = R.adasam(lr=0.05, rho=0.1, beta1=0.9, beta2=0.99, eps=0.2)
    assert A.compare_with_loop(alg, 50, 3, 0)["worst_in_tolerance_units"] <= 1
    assert A.compare_with_loop(alg, 50, 3, 0, normalize=False)["worst_in_tolerance_units"] > 1e6
    adam = R.adam_sam(lr=0.05, rho=0.1, beta1=0.9, beta2=0.99, eps=0.2)
    assert A.compare_with_loop(adam, 50, 3, 0, keep_max=False, v_init=0.04)["worst_in_tolerance_units"] <= 1
    ops, scale = A.step_rounding(50, 3, 0.05, 0.2, np.ones(3), np.zeros(3))
    assert ops == 4 * 50 + 8 + 2 * 11 + 2 and np.allclose(scale, 0.05 * (2 / 0.2 + 1 / (2 * 0.2**3)))


def test_hyperparameter_draws_cover_the_domain():
    draws = A.hyperparameter_draws(np.random.default_rng(0), 30)
    g, r, b1, b2, e = map(np.array, zip(*draws))
    assert (g > 0).all() and (r >= 0).all() and (b1 < 1).all() and (b2 <= 1).all() and (e > 0).all()
    assert (b2 == 1).sum() == 10 and not any(d[3] == 1 for d in A.hyperparameter_draws(np.random.default_rng(0), 9, False))


def test_reddi_counterexample():
    """Reddi et al.'s example (C = 3): Adam-SAM keeps every block start at x = 1 (their invariant) and its average
    regret stays above 2(C-2)/3; AdaSAM reaches -1 and its average regret vanishes."""
    out = A.reddi_runs("adam_sam", 3.0, 1500, np.ones(1))
    assert np.all(out["x"][::3, 0] == 1.0) and out["regret"][-1, 0] / 1500 >= 2 / 3
    a, b = A.reddi_run("adam_sam", T=1500), A.reddi_run("adasam", T=1500)
    assert a["x_T"] == 1.0 and a["avg_regret"] > 0.6
    assert b["mean_last_third"] < -0.9 and b["avg_regret"] < 0.1
    assert A.reddi_runs("adasam", 3.0, 300, np.array([1.0]))["beta2"] == pytest.approx(0.1)


# --------------------------------------------------------------------------- Lemmas


def test_young_gap_and_range():
    a = np.array([[1.0, -2.0, 0.5]])
    assert Lm.young_gap(a, 4.0 * a, 4.0)[0] == pytest.approx(0.0, abs=1e-14)  # b = lambda^2 a
    assert Lm.young_gap(a, -a, 4.0)[0] == pytest.approx(2 * 5.25 + 5.25 / 8 + 5.25)
    derived = Li.young_range_derived()
    assert derived == Li.YOUNG_RANGE_CORRECTED and derived != Li.young_range_printed()
    # (a, b, lambda) -> (b, a, 1/lambda): the printed lemma covers lambda = 1/2 (lambda = 2, a and b swapped); what it
    # misses of the proof's range is lambda = +-1 only, the lambda_2 = lambda_3 = 1 of Theorem 1's proof
    assert all(Li.young_symmetries().values())
    covered = Li.young_range_covered()
    assert covered.contains(sp.Rational(1, 2)) and not Li.young_range_printed().contains(sp.Rational(1, 2))
    assert sp.Complement(derived, covered) == sp.FiniteSet(-1, 1)
    assert not covered.contains(1)
    a, b = np.array([[0.3, -1.0]]), np.array([[2.0, 0.7]])  # the printed lemma at lambda = 2 on (b, a) is lambda = 1/2
    assert Lm.young_gap(b, a, 4.0)[0] == pytest.approx(Lm.young_gap(a, b, 0.25)[0], rel=1e-15)


def test_hadamard_ratios():
    x, y = np.array([[3.0, 4.0]]), np.array([[1.0, -2.0]])
    xy, b1, yi, y2 = Lm.hadamard_ratios(x, y)
    assert (xy[0], b1[0], yi[0], y2[0]) == (9 + 64, 25 * 4, 4, 5)


def test_eta_range_closed_form_and_reference():
    lo, hi = Lm.eta_range(0.75, 0.1, 1.0, np.array([0, 1, 10**6]))
    np.testing.assert_allclose(lo, [2.0, 1 / math.sqrt(1 - 0.75**2), 1.0])
    assert hi == 10.0
    eta, m = Lm.eta_trace(R.adasam(beta1=0.5, beta2=0.75, eps=0.1), np.ones((3, 1, 1)))
    np.testing.assert_allclose(eta[:, 0, 0], Lm.eta_range(0.75, 0.1, 1.0, np.arange(3))[0], rtol=1e-15)
    np.testing.assert_allclose(m[:, 0, 0], [0.5, 0.75, 0.875])


def test_eps_above_g_run():
    """eps > G: eta_t = 1/eps < 1/G on every sequence; the sums of Lemma 4 and (46) are 0, their printed bounds < 0."""
    r = Lr.eps_above_g_run(0, eps=2.0, G=1.0, d=3)
    assert r["min eta_t"] == r["max eta_t"] == 0.5 < r["1/G"]
    assert r["max sum_t ||eta_(t-1) - eta_t||_1"] == 0 and r["printed d (1/eps - 1/G)"] == -1.5
    assert r["max sum_t ||eta_t - eta_(t-1)||^2"] == 0 and r["printed d (eps^-2 - G^-2)"] == pytest.approx(-2.25)


def test_eta_range_derived_by_sympy():
    lo, hi = Lm.eta_range_derived()
    G, eps = sp.symbols("G epsilon", positive=True)
    assert sp.simplify(hi - 1 / eps) == 0
    assert lo.subs({G: 2, eps: 1}) == sp.Rational(1, 2) and lo.subs({G: 1, eps: 2}) == sp.Rational(1, 2)


def test_momentum_sup_closed_forms():
    assert Lm.momentum_sup(0.9, 0.999, 0) == pytest.approx(0.1 / math.sqrt(0.001))
    assert Lm.momentum_sup(0.9, 0.999, 5000) == pytest.approx(7.270291800, rel=1e-9)  # s3.thm1.limit
    assert Lm.momentum_sup(0.0, 0.99, 7) == pytest.approx(10.0)
    g = Lm.momentum_extremal(0.9, 0.999, 30)
    eta, m = Lm.eta_trace(R.adasam(beta1=0.9, beta2=0.999, eps=1e-12), g[:, None, None])
    assert abs(m[-1, 0, 0] * eta[-1, 0, 0]) == pytest.approx(Lm.momentum_sup(0.9, 0.999, 30), rel=1e-12)
    assert Lm.momentum_inf_sup(0.9, 5) == pytest.approx(1 - 0.9**6)
    run = Lm.linear_run(0.9, 0.99, 0.1, 2.0, 5, 2)
    np.testing.assert_allclose(run["m"][:, 0], 2.0 * (1 - 0.9 ** np.arange(6)))


def test_lemma80_kink_closed_form():
    """At the kink: LHS = gamma^2 L beta1 (1 - beta1^t)/(1 - beta1) (m_(t-1) = G(1 - beta1^t), eta = 1/G, grad f(x_t) =
    G, grad f(z_t) - grad f(x_t) = L (z_t - x_t)); with lambda_1^2 = gamma L beta1/(G(1-beta1)) and lambda_2, lambda_3
    -> inf the right side is gamma^2 L beta1/(1 - beta1)."""
    b1, gamma, ts = 0.96, 1 / 16, [10, 300]
    run = Lm9.kink_run(b1, ts, gamma)
    expect = gamma**2 * b1 * (1 - b1 ** np.array(ts)) / (1 - b1)
    np.testing.assert_allclose(run["lhs"], expect, rtol=1e-12)
    np.testing.assert_allclose(run["m"], 1 - b1 ** np.array(ts), rtol=1e-12)
    y = gamma * b1 / (1 - b1)
    rhs = Lm9.lemma80_rhs(run["A"], 1.0, 1.0, 1.0, gamma, b1, 0.0, 1, np.array([y, 1e300, 1e300]))
    np.testing.assert_allclose(rhs, gamma**2 * b1 / (1 - b1), rtol=1e-12)
    # by hand: A = 2, L = G = eps = d = 1, gamma = 0.5, beta1 = 0.5, rho = 0.1, lambdas^2 (1, 2, 4)
    assert Lm9.lemma80_rhs(2.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 1, (1.0, 2.0, 4.0)) == pytest.approx(
        0.125 / 2 * 1.75 + 0.5 + 0.5 * 0.01 / 2 * 18)


def test_lemma7_and_lemma8_equality_cases():
    L, rho, eps, gamma, mu2 = 2.0, 0.05, 0.1, 0.01, 8.0
    lhs, rhs, _ = Lp.lemma7_construction(L, rho, eps, gamma, mu2)
    assert lhs == pytest.approx(rhs, rel=1e-13) and lhs == pytest.approx(4 * mu2 * gamma * L**2 * rho**2 / eps)
    K, x0 = 4 * mu2 * L * rho, 2 * mu2 * rho  # the same construction through the batched helper
    lhs2, rhs2 = Lm.lemma7_sides(np.array([[x0]]), np.full((1, 2, 1, 1), L), np.array([[[K], [-K]]]), np.array([[1]]),
                                 np.array([[1 / eps]]), L, rho, eps, gamma, mu2)
    assert lhs2[0] == pytest.approx(lhs, rel=1e-13) and rhs2[0] == pytest.approx(rhs, rel=1e-13)
    lhs8, rhs8, mag = Lp.lemma8_construction(L, rho, eps, gamma, 8.0)
    assert lhs8[0] == pytest.approx(rhs8[0], rel=1e-13) and mag[0] > abs(rhs8[0])
    gf = np.array([[8 * L * rho, 0.0]])
    assert Lm.lemma8_slack(gf, gf - L * rho * np.array([[1.0, 0.0]]), np.full((1, 2), 1 / eps), L, rho, eps, gamma,
                           8.0)[0] == pytest.approx(0.0, abs=1e-15)


def test_lemma10_counterexample_by_hand_and_derivation():
    """beta1 = 0, eta_(-1) = eta_0 = 1/eps: LHS = (L/2)(gamma g_0/eps)^2, printed RHS = 4 gamma^2 L (grad^2 + L rho^2)/eps^2."""
    L, rho, eps, gamma, x0 = 32.0, 0.01, 0.1, 0.001, 1e-4
    out = Lm.lemma10_sides(L, rho, eps, gamma, x0)
    g0 = L * math.tanh(x0 + rho)
    assert out["lhs"] == pytest.approx(L / 2 * (gamma * g0 / eps) ** 2, rel=1e-12)
    assert out["rhs"] == pytest.approx(4 * gamma**2 * L * ((L * math.tanh(x0)) ** 2 + L * rho**2) / eps**2, rel=1e-12)
    assert out["ratio"] > 4 and Lm.lemma10_sides(L, rho, eps, gamma, x0, rho_power=2)["ratio"] < 0.2
    assert sp.simplify(Ls.lemma10_derived() - Ls.LEMMA10_CORRECTED) == 0
    assert sp.simplify(Ls.lemma10_derived() - Ls.lemma10_printed()) != 0


def test_aux_identity_and_initialisation():
    assert Lm.aux_identity_error(50, 0)["max_error_in_tolerance_units"] <= 1
    bad = Lm.aux_identity_error(5, 0, x_minus1="zero")
    assert bad["max_error_in_tolerance_units"] > 1e10 and bad["at_t"] == 0
    assert Lm.aux_identity_error(50, 0, drop_first=True)["max_error_in_tolerance_units"] > 1e3
    # (25) from z's definition and Algorithm 1, and the opposite sign of Sec. III-B
    S = Ls
    eq25 = S.K1 * S.GAM * S.M_PREV * (S.ETA_PREV - S.ETA_T) - S.GAM * S.G_T * S.ETA_T
    assert sp.simplify(Ls.z_difference_derived() - eq25) == 0


def test_scaling_degree_units_and_zero_test():
    Lsym, eps, sig, b, rho, beta1 = sp.symbols("L epsilon sigma b rho beta1", positive=True)
    assert Sy.scaling_degree(sig**2 / (b * eps)) == 1
    assert Sy.scaling_degree(Lsym * rho**2 / eps) == 0
    assert Sy.scaling_degree(Lsym**2 * rho**2 / eps) == 1
    assert Sy.is_zero((1 - b) ** 2 - 1 + 2 * b - b**2) and not Sy.is_zero(b - eps)
    u = Sy.units_of(sig / (1 - beta1))
    assert u[sig] == Sy.F / Sy.X and u[beta1].is_Rational and u[beta1] != 1  # 1 - beta1 must not vanish
    # dimensions by exact scaling: Theorem 1's printed rho term is wrong in x only (f -> c f scaling cannot see it)
    G, gamma = sp.symbols("G gamma", positive=True)
    printed_rho = 8 * G * gamma * Lsym * Lsym * rho**2 / eps
    assert Sy.dimension(printed_rho) == Sy.F**2 / Sy.X and Sy.scaling_degree(printed_rho) == 2
    assert Sy.dimension(8 * G * gamma * Lsym**3 * rho**2 / eps**2) == Sy.F**2 / Sy.X**2
    assert Sy.dimension(8 * G * gamma * Lsym * sig**2 / eps) == Sy.F**3 / Sy.X**3


def test_thm1_derivation_units_find_both_wrong_terms(results):
    j = results.outcome("adasam.thm1.derivation", 0).judgements[0]
    dims = j.numbers["printed_dimensions"]
    assert sorted(d for d in dims if d != "F_dim**2/X_dim**2") == ["F_dim**2/X_dim", "F_dim**3/X_dim**3"]
    assert set(j.numbers["derived_dimensions"]) == {"F_dim**2/X_dim**2"}


# --------------------------------------------------------------------------- Theorem 1, Corollary 1, Remark 3


def test_theorem_statement_vs_proof_terms():
    S = Th.SYMBOLS
    G, L, eps, sigma, rho, gamma, b = (S[k] for k in ("G", "L", "epsilon", "sigma", "rho", "gamma", "b"))
    diff = sp.simplify(Th.proof_47_rhs() - Th.statement_rhs())
    expect = 8 * G * gamma * L * sigma**2 / (b * eps**2) - 8 * G * gamma * L * sigma**2 / eps \
        + 8 * G * gamma * L**2 * rho**2 / eps**2 - 8 * G * gamma * L**2 * rho**2 / eps
    assert sp.simplify(diff - expect) == 0
    assert Sy.is_zero(Th.derive(1)["bound"] - Th.proof_47_rhs())
    assert Sy.is_zero(Th.derive(2)["bound"] - Th.corrected_rhs())
    assert Th.derive(1)["coef_A_over_gamma_at_gamma_max"] == sp.Rational(1, 2)
    assert all(Sy.scaling_degree(t) == 2 for t in sp.Add.make_args(Th.corrected_rhs()))
    noise, pert, rest = Th.split_terms(Th.statement_rhs())
    assert sp.simplify(noise - 8 * G * gamma * L * sigma**2 / eps) == 0 and sigma not in (pert + rest).free_symbols


def test_corollary_orders_and_remark3():
    assert Th.corollary_orders(Th.corrected_rhs()) == Th.COROLLARY_ORDERS
    assert (sp.Rational(1, 2), sp.Rational(-1, 2)) in Th.corollary_orders(Th.statement_rhs())
    d, bv = sp.Rational(1, 100), sp.Integer(10)  # b = delta^(-1/2): still 1/(b delta^2) = 1000
    assert Th.iteration_complexity(Th.COROLLARY_ORDERS, d, bv) == 1000
    assert Th.iteration_complexity(Th.COROLLARY_ORDERS, d, sp.Integer(40)) == 4000  # b/delta dominates


def test_bound_value_problem_constants_and_hypotheses():
    P = Rt.problem(1e-3, b=4)
    k = P.constants
    assert k.G_inf == pytest.approx(2e-3) and k.L_sample == pytest.approx(1e-3)
    assert k.sigma2 == pytest.approx(4 * 1e-6 / 4)
    v = dict(G=2.0, L=1.0, epsilon=1.0, sigma=2.0, rho=0.0, gamma=1 / 16, beta1=0.0, b=1, d=4, T=100, Delta=1.0)
    # printed: 2G Delta/(gamma T) + 8 G gamma L sigma^2/eps + 2 G^3 d (1/eps - 1/G)/T + 8 gamma L G^3 d (eps^-2 - G^-2)/T
    expect = 2 * 2 * 1 / (100 / 16) + 8 * 2 / 16 * 4 + 2 * 8 * 4 * 0.5 / 100 + 8 / 16 * 8 * 4 * 0.75 / 100
    assert Rt.bound_value(Th.statement_rhs(), **v) == pytest.approx(expect)
    seen = {"max secant": 1.0, "secant_ops": 10, "max ||e||^2": 4.0, "noise_ops": 10, "max ||g||_inf": 2.0, "g_ops": 8}
    assert all(Rt.theorem1_hypotheses(v, 0.999, seen).values())
    assert not all(Rt.theorem1_hypotheses({**v, "gamma": 1.0}, 0.999, seen).values())
    assert not all(Rt.theorem1_hypotheses({**v, "epsilon": 3.0, "gamma": 3 / 16}, 0.999, seen).values())
    for key, value in (("max secant", 1.001), ("max ||e||^2", 4.001), ("max ||g||_inf", 2.001)):  # the run's oracle
        assert not all(Rt.theorem1_hypotheses(v, 0.999, {**seen, key: value}).values()), key
    assert not any("x_(-1)" in k for k in Rt.theorem1_hypotheses(v, 0.999, seen))  # a device of the proof, not a hypothesis


def test_oracle_log_on_a_known_oracle():
    """c log cosh + +-c s0 Rademacher noise: ||e||^2 = d c^2 s0^2 at every sample, |g| < c (1 + s0), secants <= c."""
    c, T = 0.5, 40
    P = Rt.problem(c)
    log = Rt.OracleLog(P, P.oracle(np.random.default_rng(3)))
    alg = R.adasam(lr=0.05, rho=0.1, beta1=0.9, beta2=0.99, eps=0.1)
    x = np.full((5, Rt.D), 1.0)
    st = alg.init(x)
    for _ in range(T):
        x, st = alg.step(x, st, log)
    out = log.summary()
    assert out["samples"] == 5 * T and out["max ||e||^2"] == pytest.approx(Rt.D * c**2, rel=1e-14)
    assert out["mean ||e||^2"] == pytest.approx(Rt.D * c**2, rel=1e-14)
    assert c < out["max ||g||_inf"] <= 2 * c and 0.5 * c < out["max secant"] <= c * (1 + 1e-9)


def test_order_shares_sum_to_one():
    shares = Rt.order_shares("T", {"b": 2, "T": 250}, 0.35)
    assert set(shares) == {"-3/2", "-1", "-1/2"} and sum(shares.values()) == pytest.approx(1.0)


# --------------------------------------------------------------------------- Tables


def test_tables():
    assert Tb.row_average(Tb.TABLE1["AMSGrad"][0]) == pytest.approx(89.5158333, rel=1e-7)
    assert Tb.row_average(Tb.TABLE1["AMSGrad"][0], per_task=True) == pytest.approx(88.816875)
    assert Tb.rounded_average(Tb.TABLE2["SAM(best)"][0], "69.06") == "69.06"  # 69.055 exactly: half-up
    assert Tb.rounded_average(Tb.TABLE1["AdaSAM(best)"][0], "89.8") == "89.8"
    c = Tb.compare(Tb.TABLE1["AdaSAM(best)"][0], Tb.TABLE1["AMSGrad"][0])
    assert c["RTE"] == "tie" and c["QNLI"] == "loss" and c["MRPC"] == "win"
    assert Tb.compare(Tb.TABLE2["SAM(best)"][0], Tb.TABLE2["SGD"][0])["MRPC"] == "tie"
    derived = Tb.derived_statements()
    assert derived == Tb.CORRECTED
    assert [i for i, (a, b) in enumerate(zip(Tb.PRINTED, derived)) if a != b] == [0, 3, 5]
