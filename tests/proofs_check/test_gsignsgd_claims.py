"""gsignsgd claims: every required id is registered, and the helpers behind them match their formulas."""

from __future__ import annotations

import math

import numpy as np

import reference as R
from proofs_check import REGISTRY
from proofs_check.claims.gsignsgd_core import alg1_loop, lemma1_ratio, lemma7_E


def test_required_gsignsgd_ids_are_registered() -> None:
    assert {"gsignsgd.alg1", "gsignsgd.lemma1", "gsignsgd.lemma5", "gsignsgd.lemma7",
            "gsignsgd.thm1.rate", "gsignsgd.lemma12", "gsignsgd.sec5_2.estimator"} <= set(REGISTRY)
    for cid in REGISTRY:
        if cid.startswith("gsignsgd."):
            assert REGISTRY[cid].source.startswith("gsignsgd ")


def test_alg1_loop_first_step_is_sign_over_sqrt_one_minus_beta2() -> None:
    g = np.array([[3.0, -0.5, 2e-3]])
    xs = alg1_loop(g, 0.9, 0.75, 1.0)
    np.testing.assert_allclose(xs[1], -np.sign(g[0]) / math.sqrt(1 - 0.75), rtol=1e-15)
    ref = R.replay(R.generalized_signsgd(lr=1.0, beta1=0.9, beta2=0.75), g[:, None, :]).x[1, 0]
    np.testing.assert_allclose(ref, xs[1], rtol=1e-15)


def test_lemma1_ratio_far_limit_is_closed_form() -> None:
    r = math.log(2.0)
    got = lemma1_ratio(np.array([[40.0]]), np.array([[r]]), 1.0, 2.0, np.array([1e-300]), np.array([1 / r]))
    assert abs(got[0] - 2 * (1 - r) / r) < 1e-9


def test_lemma7_E_formula() -> None:
    lg = math.log(20.0)
    assert lemma7_E(2.0, 0.6, 0.05) == 3 * 2 * lg + 3 / math.sqrt(1 - 0.36) * math.sqrt(4 * lg)
    assert lemma7_E(1.0, 0.0, 0.9) == 3 + 3


def test_theorem1_hyperparameters_follow_the_statement() -> None:
    from proofs_check.claims.gsignsgd_rate import theorem1_hyperparameters

    hp = theorem1_hyperparameters(10_000, L0_l1=4.0, Delta=9.0, sigma_l1=2.0)
    alpha = math.sqrt(36.0) / (2.0 * 100.0)
    assert hp["alpha"] == alpha and hp["beta1"] == 1 - alpha
    assert abs(hp["eta"] - 3.0 * alpha / (2.0 * 100.0)) < 1e-15
    assert math.sqrt(hp["beta2"]) < hp["beta1"]  # the theorem's condition sqrt(beta2)/beta1 < 1
    assert theorem1_hyperparameters(1, 4.0, 9.0, 2.0)["alpha"] == 1.0


def test_exact_eq1_L0_is_the_max_of_hessian_minus_gradient() -> None:
    from proofs_check.claims.gsignsgd_estimation import exact_eq1_L0

    L0 = exact_eq1_L0()
    t = np.random.default_rng(1).uniform(-20, 20, 100_000)
    gap = np.abs(np.cosh(t) - 4 * np.cos(2 * t)) - np.abs(np.sinh(t) - 2 * np.sin(2 * t))
    assert gap.max() <= L0 + 1e-9 and L0 > 4.7


def test_estimator_is_exact_on_a_quadratic() -> None:
    from proofs_check.claims.gsignsgd_estimation import estimate_points
    from reference.problems import quadratic

    q = quadratic(np.diag([3.0, 1.0]))
    xs = np.array([[[1.0, 0.0]], [[0.5, 0.0]]])
    G, Lh = estimate_points(q, xs)
    np.testing.assert_allclose(Lh, [3.0], rtol=1e-14)


def test_new_gsignsgd_ids_are_registered_with_their_verdicts() -> None:
    expected = {"gsignsgd.lemma10": "loose", "gsignsgd.thm2": "verified", "gsignsgd.thm1.derivation": "erratum",
                "gsignsgd.eq3": "tight", "gsignsgd.remark4": "verified", "gsignsgd.thm1.rate": "refuted"}
    for cid, verdict in expected.items():
        assert REGISTRY[cid].expected.value == verdict, cid


def test_units_of_theorem1_terms() -> None:
    import sympy as sp

    from proofs_check.claims.gsignsgd_derivation import V, X, theorem1_terms, units_of

    printed, corrected = theorem1_terms(False), theorem1_terms(True)
    assert units_of(printed["second"]) == V ** sp.Rational(3, 2) / X
    assert units_of(corrected["second"]) == V / X and units_of(corrected["leading"]) == V / X
    assert units_of(corrected["T condition 2 (unitless)"]) == 1 and units_of(printed["eta (unit X)"]) == X


def test_printed_eta_bounds_the_travel_and_corrected_eta_balances() -> None:
    import sympy as sp

    from proofs_check.claims.gsignsgd_derivation import ALPHA, Delta, T, corrected_eta, printed_eta, sig

    assert sp.simplify(T * printed_eta() - Delta / sig) == 0
    lead = sp.simplify(Delta / (corrected_eta() * T))
    assert sp.simplify(lead - sp.sqrt(ALPHA) * sig) == 0


def test_theorem2_bound_and_hard_functions() -> None:
    from proofs_check.claims.gsignsgd_lower_bound import gd_count, hard_function, theorem2_bound

    assert abs(theorem2_bound(math.e, 1.0, 1.0, 1.0, 0.5) - math.e * (1 - 15 / 64) / (0.5 * 2)) < 1e-12
    fa, x0 = hard_function(50.0, 10.0)
    assert fa.eq1 == (1.0, 1.0) and x0[0] == 250.0  # eta >= eta_A: exp_plateau from eta M / 2
    fb, xb = hard_function(50.0, 1e-3)
    assert fb.eq1[1] == 0.0 and abs(float(fb.value(xb)) - 2.0) < 1e-12
    # GD on the plateau moves eta * eps per step: the hitting time is ceil((x0 - x_p)/(eta eps)) (+1 at most)
    eta = 0.05
    n = gd_count(R.sgdm(lr=eta, beta=0.0), fb, xb, 1000)
    assert math.ceil((xb[0] - fb.plateau_start) / (eta * 0.5)) <= n <= math.ceil((xb[0] - fb.plateau_start) / (eta * 0.5)) + 1


def test_lemma10_sublevel_M() -> None:
    from proofs_check.claims.gsignsgd_lemma10 import sublevel_M
    from reference.problems import cosh_cosine

    p = cosh_cosine(1)
    M = sublevel_M(p, np.array([3.0]))
    assert abs(M - abs(p.dphi(np.array(3.0)))) < 1e-3 * M  # 1-D: the sub-level set is [-3, 3]
