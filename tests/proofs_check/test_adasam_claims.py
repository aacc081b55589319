"""adasam claims: registration, and the helpers the checks are built from, against hand computations.

(tests/proofs_check/test_claims.py runs every check and its negative control.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import proofs_check.claims  # noqa: F401  (registers every claim module)
import reference as R
from proofs_check import rates
from proofs_check.claims import adasam_algorithm as A
from proofs_check.claims import adasam_lemmas as Lm
from proofs_check.claims import adasam_rates as Rt
from proofs_check.claims import adasam_tables as Tb
from proofs_check.claims import adasam_theorem as Th
from proofs_check.registry import REGISTRY

REQUIRED = ["adasam.alg1", "adasam.remark1", "adasam.lemma1", "adasam.lemma2", "adasam.lemma3", "adasam.lemma4",
            "adasam.lemma5", "adasam.lemma6", "adasam.lemma7", "adasam.lemma8", "adasam.lemma9", "adasam.lemma10",
            "adasam.eq46", "adasam.proof.aux", "adasam.thm1.derivation", "adasam.thm1", "adasam.cor1.derivation",
            "adasam.cor1", "adasam.remark3", "adasam.sec4.tables"]


def test_required_ids_registered():
    for cid in REQUIRED:
        assert cid in REGISTRY, cid
        assert REGISTRY[cid].source.startswith("adasam ")
    assert {c for c in REGISTRY if c.startswith("adasam.")} == set(REQUIRED)


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
    # unnormalised perturbation (negative control): delta = rho s = (0.5, 0) here too, but not for ||s|| != 1
    x2, _ = A.alg1_step(np.array([2.0, 0.0]), (np.zeros(2), np.zeros(2), np.full(2, 0.01)), lambda y: y, gamma=0.1,
                        rho=0.5, beta1=0.5, beta2=0.75, normalize=False)
    assert x2[0] == pytest.approx(2.0 - 0.1 * 0.5 * 3.0 / math.sqrt(0.25 * 9.0))


def test_reference_matches_the_loop_and_not_the_variant():
    alg = R.adasam(lr=0.05, rho=0.1, beta1=0.9, beta2=0.99, eps=0.2)
    assert A.compare_with_loop(alg, 50, 3, 0)["worst_in_tolerance_units"] <= 1
    assert A.compare_with_loop(alg, 50, 3, 0, normalize=False)["worst_in_tolerance_units"] > 1e6
    adam = R.adam_sam(lr=0.05, rho=0.1, beta1=0.9, beta2=0.99, eps=0.2)
    assert A.compare_with_loop(adam, 50, 3, 0, keep_max=False, v_init=0.04)["worst_in_tolerance_units"] <= 1


def test_reddi_counterexample():
    """Reddi et al.'s example (C = 3): Adam-SAM sits at x = +1 (average regret -> 2(C-2)/3); AdaSAM reaches -1."""
    a, b = A.reddi_run("adam_sam", T=1500), A.reddi_run("adasam", T=1500)
    assert a["x_T"] == 1.0 and a["avg_regret"] > 0.6
    assert b["mean_last_third"] < -0.9 and b["avg_regret"] < 0.1


# --------------------------------------------------------------------------- Lemmas


def test_young_gap_and_lemma2():
    a = np.array([[1.0, -2.0, 0.5]])
    assert Lm.young_gap(a, 4.0 * a, 4.0)[0] == pytest.approx(0.0, abs=1e-14)  # b = lambda^2 a
    assert Lm.young_gap(a, -a, 4.0)[0] == pytest.approx(2 * 5.25 + 5.25 / 8 + 5.25)


def test_eta_range_closed_form_and_reference():
    lo, hi = Lm.eta_range(0.75, 0.1, 1.0, np.array([0, 1, 10**6]))
    np.testing.assert_allclose(lo, [2.0, 1 / math.sqrt(1 - 0.75**2), 1.0])
    assert hi == 10.0
    eta, m = Lm.eta_trace(R.adasam(beta1=0.5, beta2=0.75, eps=0.1), np.ones((3, 1, 1)))
    np.testing.assert_allclose(eta[:, 0, 0], Lm.eta_range(0.75, 0.1, 1.0, np.arange(3))[0], rtol=1e-15)
    np.testing.assert_allclose(m[:, 0, 0], [0.5, 0.75, 0.875])


def test_momentum_sup_closed_forms():
    assert Lm.momentum_sup(0.9, 0.999, 0) == pytest.approx(0.1 / math.sqrt(0.001))
    assert Lm.momentum_sup(0.9, 0.999, 5000) == pytest.approx(7.270291800, rel=1e-9)  # s3.thm1.limit
    assert Lm.momentum_sup(0.0, 0.99, 7) == pytest.approx(10.0)
    g = Lm.momentum_extremal(0.9, 0.999, 30)
    eta, m = Lm.eta_trace(R.adasam(beta1=0.9, beta2=0.999, eps=1e-12), g[:, None, None])
    assert abs(m[-1, 0, 0] * eta[-1, 0, 0]) == pytest.approx(Lm.momentum_sup(0.9, 0.999, 30), rel=1e-12)
    assert Lm.momentum_inf_sup(0.9, 5) == pytest.approx(1 - 0.9**6)


def test_lemma7_and_lemma8_equality_cases():
    L, rho, eps, gamma, mu2 = 2.0, 0.05, 0.1, 0.01, 8.0
    # one population member per sign, batch = the member with c = -K, x = 2 mu^2 rho (as in the check)
    K, x0 = 4 * mu2 * L * rho, 2 * mu2 * rho
    H = np.full((1, 2, 1, 1), L)
    C = np.array([[[K], [-K]]])
    lhs, rhs = Lm.lemma7_sides(np.array([[x0]]), H, C, np.array([[1]]), np.array([[1 / eps]]), L, rho, eps, gamma, mu2)
    assert lhs[0] == pytest.approx(rhs[0], rel=1e-13) and lhs[0] == pytest.approx(32 * gamma * L**2 * rho**2 / eps)
    gf = np.array([[8 * L * rho, 0.0]])
    slack = Lm.lemma8_slack(gf, gf - L * rho * np.array([[1.0, 0.0]]), np.full((1, 2), 1 / eps), L, rho, eps, gamma, 8.0)
    assert slack[0] == pytest.approx(0.0, abs=1e-15)


def test_lemma10_counterexample_by_hand():
    """beta1 = 0, eta_(-1) = eta_0 = 1/eps: LHS = (L/2)(gamma g_0/eps)^2, printed RHS = 4 gamma^2 L (grad^2 + L rho^2)/eps^2."""
    L, rho, eps, gamma, x0 = 32.0, 0.01, 0.1, 0.001, 1e-4
    out = Lm.lemma10_sides(L, rho, eps, gamma, x0)
    g0 = L * math.tanh(x0 + rho)
    assert out["lhs"] == pytest.approx(L / 2 * (gamma * g0 / eps) ** 2, rel=1e-12)
    assert out["rhs"] == pytest.approx(4 * gamma**2 * L * ((L * math.tanh(x0)) ** 2 + L * rho**2) / eps**2, rel=1e-12)
    assert out["ratio"] > 4 and Lm.lemma10_sides(L, rho, eps, gamma, x0, rho_power=2)["ratio"] < 0.2


def test_aux_identity_and_initialisation():
    assert Lm.aux_identity_error(50, 0)["max_error_in_tolerance_units"] <= 1
    bad = Lm.aux_identity_error(5, 0, x_minus1="zero")
    assert bad["max_error_in_tolerance_units"] > 1e10 and bad["at_t"] == 0


def test_scaling_degree_and_zero_test():
    Lsym, eps, sig, b, rho = sp.symbols("L epsilon sigma b rho", positive=True)
    assert Lm.scaling_degree(sig**2 / (b * eps)) == 1
    assert Lm.scaling_degree(Lsym * rho**2 / eps) == 0
    assert Lm.scaling_degree(Lsym**2 * rho**2 / eps) == 1
    assert Lm.is_zero((1 - b) ** 2 - 1 + 2 * b - b**2) and not Lm.is_zero(b - eps)


# --------------------------------------------------------------------------- Theorem 1, Corollary 1, Remark 3


def test_theorem_statement_vs_proof_terms():
    S = Th.SYMBOLS
    G, L, eps, sigma, rho, gamma, b = (S[k] for k in ("G", "L", "epsilon", "sigma", "rho", "gamma", "b"))
    diff = sp.simplify(Th.proof_47_rhs() - Th.statement_rhs())
    expect = 8 * G * gamma * L * sigma**2 / (b * eps**2) - 8 * G * gamma * L * sigma**2 / eps \
        + 8 * G * gamma * L**2 * rho**2 / eps**2 - 8 * G * gamma * L**2 * rho**2 / eps
    assert sp.simplify(diff - expect) == 0
    assert Lm.is_zero(Th.derive(1)["bound"] - Th.proof_47_rhs())
    assert Th.derive(1)["coef_A_over_gamma_at_gamma_max"] == sp.Rational(1, 2)
    assert all(Lm.scaling_degree(t) == 2 for t in sp.Add.make_args(Th.corrected_rhs()))


def test_corollary_orders_and_remark3():
    assert Th.corollary_orders(Th.corrected_rhs()) == Th.COROLLARY_ORDERS
    assert (sp.Rational(1, 2), sp.Rational(-1, 2)) in Th.corollary_orders(Th.statement_rhs())
    d, bv = sp.Rational(1, 100), sp.Integer(10)  # b = delta^(-1/2): still 1/(b delta^2) = 1000
    assert Th.iteration_complexity(Th.COROLLARY_ORDERS, d, bv) == 1000
    assert Th.iteration_complexity(Th.COROLLARY_ORDERS, d, sp.Integer(40)) == 4000  # b/delta dominates


def test_bound_value_and_problem_constants():
    P = Rt.problem(1e-3, b=4)
    k = P.constants
    assert k.G_inf == pytest.approx(2e-3) and k.L_sample == pytest.approx(1e-3)
    assert k.sigma2 == pytest.approx(4 * 1e-6 / 4)
    v = dict(G=2.0, L=1.0, epsilon=1.0, sigma=2.0, rho=0.0, gamma=1 / 16, beta1=0.0, b=1, d=4, T=100, Delta=1.0)
    # printed: 2G Delta/(gamma T) + 8 G gamma L sigma^2/eps + 2 G^3 d (1/eps - 1/G)/T + 8 gamma L G^3 d (eps^-2 - G^-2)/T
    expect = 2 * 2 * 1 / (100 / 16) + 8 * 2 / 16 * 4 + 2 * 8 * 4 * 0.5 / 100 + 8 / 16 * 8 * 4 * 0.75 / 100
    assert Rt.bound_value(Th.statement_rhs(), **v) == pytest.approx(expect)


def test_correction_share():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    y = 3 * x**-0.5 + 1.0
    stats = rates.RateStats(x, np.stack([y, y * 1.0001], axis=1), ())
    share = Rt.correction_share(stats, -0.5, 0.0)
    assert share == pytest.approx(1.0 / (3 * 8**-0.5 + 1.0), rel=1e-3)
    assert Rt.correction_share(rates.RateStats(x, np.stack([x**-0.5] * 2, axis=1), ()), -0.5, 0.0) < 1e-6


# --------------------------------------------------------------------------- Tables


def test_tables():
    assert Tb.row_average(Tb.TABLE1["AMSGrad"][0]) == pytest.approx(89.5158333, rel=1e-7)
    assert Tb.row_average(Tb.TABLE1["AMSGrad"][0], per_task=True) == pytest.approx(88.816875)
    c = Tb.compare(Tb.TABLE1["AdaSAM(best)"][0], Tb.TABLE1["AMSGrad"][0])
    assert c["RTE"] == "tie" and c["QNLI"] == "loss" and c["MRPC"] == "win"
    assert Tb.compare(Tb.TABLE2["SAM(best)"][0], Tb.TABLE2["SGD"][0])["MRPC"] == "tie"
