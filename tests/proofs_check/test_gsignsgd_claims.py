"""gsignsgd claims: ids, expected verdicts, counterexamples satisfying every hypothesis (from the session fixture), and
the math helpers behind the checks tested directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import reference as R
from proofs_check import REGISTRY
from proofs_check.claims.gsignsgd_core import alg1_loop, lemma1_ratio, lemma5_extremal_gradients, lemma7_E
from proofs_check.tolerances import gamma

EXPECTED = {
    "gsignsgd.alg1": "verified", "gsignsgd.sec4": "verified", "gsignsgd.lemma1": "tight", "gsignsgd.lemma5": "tight",
    "gsignsgd.lemma7": "loose", "gsignsgd.thm1.derivation": "erratum", "gsignsgd.thm1.alpha1": "erratum",
    "gsignsgd.eq3": "tight", "gsignsgd.remark4": "verified", "gsignsgd.sec5_2.estimator": "erratum",
    "gsignsgd.sec5_2.coordinate": "erratum", "gsignsgd.thm1.rate": "refuted", "gsignsgd.lemma10": "loose",
    "gsignsgd.lemma12": "refuted", "gsignsgd.thm2": "verified",
}


def test_gsignsgd_ids_sources_and_expected_verdicts() -> None:
    ours = {cid for cid in REGISTRY if cid.startswith("gsignsgd.")}
    assert ours == set(EXPECTED)
    for cid, verdict in EXPECTED.items():
        assert REGISTRY[cid].source.startswith("gsignsgd "), cid
        assert REGISTRY[cid].expected.value == verdict, cid


# --------------------------------------------------------------------------- counterexamples (session fixture)


def test_thm1_counterexample_satisfies_every_hypothesis_and_is_stuck(results) -> None:
    for i, beta2 in ((1, "(beta1/2)^2"), (2, "0")):
        d = results.outcome("gsignsgd.thm1.rate", i).details
        assert all(h["all_hypotheses"] for h in d["hypotheses"]) and d["params"]["beta2"] == beta2
        assert d["min"] == 0.5 and max(d["travel_bound"]) < d["distance_to_eps_region"]
    rate = results.outcome("gsignsgd.thm1.rate", 0).details
    assert all(h["all_hypotheses"] for h in rate["hypotheses"])  # the verified rate is inside the statement's domain


def test_lemma12_counterexample_survives_the_quantile_lower_bound(results) -> None:
    out = results.outcome("gsignsgd.lemma12", 0)
    cases = out.details["cases"]
    bad = [c for c in cases if c["value"] - 3 * c["se"] > c["bound"]]
    assert bad and out.verdict.value == "refuted", out.measured
    for c in bad:  # a violation beyond z_mc SE is a violation of the distribution-free lower bound
        inp = c["inputs"]
        assert inp["quantile_lower_bound"] > 1 + 1e6 * gamma(64)
        assert all(inp["hypotheses"].values()) and inp["beta2"] > 1 - math.log(2) ** 2
    anchor = cases[0]["inputs"]  # the cliff counterexample: every path fails at t = 1 (eps_2)
    assert anchor["family"] == "cliff" and anchor["t_worst"] == 1
    assert anchor["paths_violating_at_t_worst"] == anchor["paths"] and anchor["max_ratio"] - 1 > 1e6 * gamma(64)


def test_lemma12_beta2_zero_is_tight_along_G_and_never_violated(results) -> None:
    out = results.outcome("gsignsgd.lemma12", 1)
    cases = out.details["cases"]
    assert all(c["inputs"]["beta2"] == 0 and c["inputs"]["quantile_lower_bound"] <= c["value"] < 1 for c in cases)
    ap = sorted((c for c in cases if "G" in c["inputs"]), key=lambda c: c["inputs"]["G"])
    gaps = [1 - c["value"] for c in ap]
    assert len(ap) >= 5 and all(b < a for a, b in zip(gaps, gaps[1:])) and gaps[-1] < 1e-6
    assert all(c["inputs"]["t_worst"] == 0 for c in ap)  # the supremum comes from eps_1 (module docstring)
    # the closed form at t = 0 with the adverse noise sign: (a s + b1 G)/(a s + b1 G + eta L0/a + a E)
    from proofs_check.claims.gsignsgd_core import lemma7_E
    for c in ap:
        i = c["inputs"]
        a, s, G = i["alpha"], i["sigma_l1"], i["G"]
        E = lemma7_E(s, 1 - a, i["delta"])
        ratio = (a * s + (1 - a) * G) / (a * s + (1 - a) * G + i["eta"] * i["L0"] / a + a * E)
        assert c["value"] == pytest.approx(ratio, rel=1e-12)
    one = [c for c in cases if c["inputs"]["alpha"] == 1.0]
    assert one and all(c["value"] < 1 for c in one)  # alpha = 1 (beta1 = 0): |eps| = |noise| <= sigma <= E


def test_quantile_bounds_cover_at_the_policy_level() -> None:
    from scipy import stats

    from proofs_check.claims.gsignsgd_lemma12 import lower_index, paths_needed, quantile_bounds

    p, z, n, tests = 0.85, 3.0, 64, 1
    k = lower_index(n, p, z, tests)
    assert stats.binom.sf(k - 1, n, p) >= 1 - stats.norm.sf(z) > stats.binom.sf(k, n, p)
    rng = np.random.default_rng(0)
    r = rng.standard_normal((n, 20_000))
    q_hat, low = quantile_bounds(r, p, z, tests)
    true_q = stats.norm.ppf(p)
    assert np.mean(low > true_q) <= 4 * stats.norm.sf(z)  # the lower bound exceeds the quantile at most ~Phi(-z) of the time
    assert np.all(low <= q_hat) and abs(np.median(q_hat) - true_q) < 0.1
    n_min = paths_needed(0.1, z, 40)
    assert lower_index(n_min, 0.1, z, 40) >= 1 and lower_index(n_min - 1, 0.1, z, 40) == 0
    with pytest.raises(ValueError):
        quantile_bounds(np.zeros((n_min - 1, 3)), 0.1, z, 40)


def test_lemma10_draws_exercise_the_lemma(results) -> None:
    d = results.outcome("gsignsgd.lemma10", 0).details
    assert d["cases"] and all(all(c["inputs"]["hypotheses"].values()) for c in d["cases"])
    assert sum(c["inputs"]["events"] for c in d["cases"]) > 0


def test_figure3_reading_inflates_only_on_coupled_functions(results) -> None:
    d = results.outcome("gsignsgd.sec5_2.coordinate", 0).details
    ratios = d["max_ratio_per_problem"]
    assert max(v for k, v in ratios.items() if k.startswith("quadratic")) > 10
    assert max(v for k, v in ratios.items() if k.startswith("cosh")) <= 1
    assert max(d["max_ratio_eq2_quotient"].values()) <= 1  # Eq. (2)'s own quotient: every point under the exact line


def test_estimator_consistency_cases_shrink_with_the_step(results) -> None:
    out = results.outcome("gsignsgd.sec5_2.estimator", 0)
    errs = out.details["errors"]
    assert all(b < a for a, b in zip(errs, errs[1:])) and errs[-1] < 1e-6
    assert out.details["max_L_hat_over_line_at_run_steps"] > 1  # the old reading's excess, at the runs' own steps
    neg = results.negative("gsignsgd.sec5_2.estimator", 0).details["errors"]
    assert min(neg) > 0.1  # with ||d|| the limit is 5/6 of the curvature


# --------------------------------------------------------------------------- Algorithm 1, Lemmas 1, 5, 7


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


def test_lemma5_extremal_sequences_reach_the_per_step_bound() -> None:
    # beta2 = 0: sign steps, exactly eta per coordinate; beta2 > 0: approaches eta/sqrt(1-beta2) as the growth increases
    tau, d, eta = 7, 3, 0.1
    tr = R.replay(R.generalized_signsgd(lr=eta, beta1=0.5, beta2=0.0), lemma5_extremal_gradients(tau, d, 2.0))
    assert np.linalg.norm(tr.x[-1, 0] - tr.x[0, 0]) == pytest.approx(tau * eta * math.sqrt(d), rel=1e-15)
    disp = [np.linalg.norm(R.replay(R.generalized_signsgd(lr=eta, beta1=0.5, beta2=0.9),
                                    lemma5_extremal_gradients(tau, d, K)).x[-1, 0]) for K in (2.0, 10.0, 1e3)]
    limit = tau * eta * math.sqrt(d) / math.sqrt(1 - 0.9)
    assert disp[0] < disp[1] < disp[2] <= limit and disp[2] > limit * (1 - 1e-5)


def test_lemma7_E_formula() -> None:
    lg = math.log(20.0)
    assert lemma7_E(2.0, 0.6, 0.05) == 3 * 2 * lg + 3 / math.sqrt(1 - 0.36) * math.sqrt(4 * lg)
    assert lemma7_E(1.0, 0.0, 0.9) == 3 + 3


# --------------------------------------------------------------------------- Theorem 1


def test_theorem1_hyperparameters_follow_the_statement() -> None:
    from proofs_check.claims.gsignsgd_rate import theorem1_hyperparameters

    hp = theorem1_hyperparameters(10_000, L0_l1=4.0, Delta=9.0, sigma_l1=2.0)
    alpha = math.sqrt(36.0) / (2.0 * 100.0)
    assert hp["alpha"] == alpha and hp["beta1"] == 1 - alpha
    assert abs(hp["eta"] - 3.0 * alpha / (2.0 * 100.0)) < 1e-15
    assert math.sqrt(hp["beta2"]) < hp["beta1"]  # the theorem's condition sqrt(beta2)/beta1 < 1
    fixed = theorem1_hyperparameters(10_000, 4.0, 9.0, 2.0, eta_form="sqrt(Delta alpha)")
    assert fixed["eta"] == pytest.approx(math.sqrt(9.0 * alpha / (4.0 * 10_000)), rel=1e-15)
    assert theorem1_hyperparameters(1, 4.0, 9.0, 2.0)["alpha"] == 1.0
    assert theorem1_hyperparameters(100, 4.0, 9.0, 2.0, beta2="0")["beta2"] == 0.0


def test_t_conditions_are_Q_below_rho_over_10_at_the_corrected_eta() -> None:
    from proofs_check.claims.gsignsgd_rate import t_conditions, theorem1_hyperparameters

    d, L0, L1, Delta, sigma = 3, 5.0, 2.0, 7.0, 4.0
    beta2 = 0.2
    # at T = condition 2 (alpha < 1), Q = eta sqrt(d) L1/(sqrt(1-beta2) alpha) equals rho/10 for the corrected eta
    T = 1e9
    for _ in range(60):  # fixed point: rho depends on T through beta1
        hp = theorem1_hyperparameters(int(T), L0, Delta, sigma, eta_form="sqrt(Delta alpha)")
        c1, c2, rho = t_conditions(d, L0, L1, Delta, sigma, hp["beta1"], beta2)
        T = c2
    hp = {"alpha": math.sqrt(L0 * Delta) / (sigma * math.sqrt(T))}
    eta = math.sqrt(Delta * hp["alpha"] / (L0 * T))
    assert eta * math.sqrt(d) * L1 / (math.sqrt(1 - beta2) * hp["alpha"]) == pytest.approx(rho / 10, rel=1e-6)


def test_units_of_theorem1_terms() -> None:
    from proofs_check.claims.gsignsgd_derivation import V, X, theorem1_terms, units_of

    printed, corrected = theorem1_terms(False), theorem1_terms(True)
    assert units_of(printed["second"]) == V ** sp.Rational(3, 2) / X
    assert units_of(corrected["second"]) == V / X and units_of(corrected["leading"]) == V / X
    assert units_of(corrected["T condition 2 (unitless)"]) == 1 and units_of(printed["eta (unit X)"]) == X


def test_printed_eta_bounds_the_travel_and_corrected_eta_balances() -> None:
    from proofs_check.claims.gsignsgd_derivation import ALPHA, Delta, T, corrected_eta, printed_eta, sig

    assert sp.simplify(T * printed_eta() - Delta / sig) == 0
    lead = sp.simplify(Delta / (corrected_eta() * T))
    assert sp.simplify(lead - sp.sqrt(ALPHA) * sig) == 0


def test_alpha1_rho_is_undefined_as_printed_and_one_for_the_beta2_zero_guarantee() -> None:
    from proofs_check.claims.gsignsgd_derivation import alpha1_derivation

    e = alpha1_derivation()
    assert e.printed is sp.nan and e.derived == 1 and e.corrected == 1


# --------------------------------------------------------------------------- Lemma 12's cliff, Lemma 10


def test_cliff_is_in_the_class_with_its_constants() -> None:
    from proofs_check.claims.gsignsgd_lemma12 import LN2, Cliff

    c = Cliff(G=50.0, L0=2.0, L1=3.0, t1=0.4)
    t = np.linspace(-3, c.t4 + 3, 400_001)
    g, h = c.dphi(t), c.d2phi(t)
    assert np.all(np.abs(h) <= (c.A + c.B * np.abs(g)) * (1 + 1e-12))  # Eq. (1) with (A, B) = (L0, L1) ln 2
    for tb in (c.t1, c.t2, c.t3, c.t4):  # phi' continuous at every breakpoint
        assert c.dphi(np.array(tb - 1e-12)) == pytest.approx(float(c.dphi(np.array(tb + 1e-12))), abs=1e-9 * c.U)
    # phi' is the derivative of phi (central differences) and the minimum is at t3
    mid = (t[1:] + t[:-1]) / 2
    smooth = ~np.any([(t[:-1] < tb) & (tb <= t[1:]) for tb in (c.t1, c.t2, c.t3, c.t4)], axis=0)  # phi'' jumps at kinks
    np.testing.assert_allclose((np.diff(c.phi(t)) / np.diff(t))[smooth], c.dphi(mid)[smooth], rtol=1e-6, atol=1e-6 * c.U)
    assert float(c.phi(t).min()) >= c.constants.F_star - 1e-9 * c.U and c.phi(np.array(0.0)) == 0
    assert c.assumption2_ratio(np.random.default_rng(0)) <= 1 + 1e-12
    assert c.B == pytest.approx(3.0 * LN2)
    with pytest.raises(ValueError):
        Cliff(G=0.1, L0=2.0, L1=3.0, t1=0.0)


def test_cliff_first_step_excess_matches_the_hand_computation() -> None:
    """Noise-free first step from x_1 = 0: |eps_2| - RHS_1 = beta1 G (e^(B h) - 1 - eta L1) - (beta1 alpha sigma +
    eta L0/alpha + alpha E), h = eta/sqrt(1-beta2)."""
    from proofs_check.claims.gsignsgd_lemma12 import Cliff

    c = Cliff(G=1e4, L0=1.0, L1=1.0, t1=1.0)
    alpha, beta2, sigma, E, eta = 0.2, 0.5, 0.01, 0.3, 2e-5
    b1 = 1 - alpha
    tr = R.run(R.generalized_signsgd(lr=eta, beta1=b1, beta2=beta2), c, np.zeros((1, 1)), 2, np.random.default_rng(0),
               record_x=True)
    m2 = b1 * alpha * c.dphi(np.array(0.0)) + alpha * c.dphi(tr.x[1, 0, 0])
    eps2 = abs(m2 - float(c.dphi(tr.x[2 - 1, 0, 0])))
    rhs = b1 * (alpha * sigma + b1 * 1e4) + eta * 1.0 / alpha + alpha * E + b1 * eta * 1.0 * 1e4
    h = eta / math.sqrt(1 - beta2)
    expected = b1 * 1e4 * (math.expm1(c.B * h) - eta * 1.0) - (b1 * alpha * sigma + eta / alpha + alpha * E)
    assert eps2 - rhs == pytest.approx(expected, rel=1e-6)


def test_sigma_max_makes_the_second_condition_tight() -> None:
    from proofs_check.claims.gsignsgd_lemma12 import sigma_max
    from proofs_check.claims.gsignsgd_rate import t_conditions

    d, L0, L1, Delta, alpha, beta2 = 3, 4.0, 2.0, 5.0, 0.01, 0.5
    rho = 1 - math.sqrt(beta2) / (1 - alpha)
    s = sigma_max(d, L0, L1, alpha, beta2, rho)
    T = L0 * Delta / (s * alpha) ** 2
    c1, c2, _ = t_conditions(d, L0, L1, Delta, s, 1 - alpha, beta2)
    assert c2 == pytest.approx(T, rel=1e-12) and c1 <= T


def test_lemma10_sublevel_M() -> None:
    from proofs_check.claims.gsignsgd_lemma10 import sublevel_M
    from reference.problems import cosh_cosine

    p = cosh_cosine(1)
    M = sublevel_M(p, np.array([3.0]))
    assert abs(M - abs(p.dphi(np.array(3.0)))) < 1e-3 * M  # 1-D: the sub-level set is [-3, 3]


# --------------------------------------------------------------------------- Sec. 5.2


def test_eq1_L0_upper_brackets_the_grid_maximum() -> None:
    from proofs_check.claims.gsignsgd_estimation import eq1_L0_upper, exact_eq1_L0

    L0, up = exact_eq1_L0(), eq1_L0_upper()
    t = np.random.default_rng(1).uniform(-20, 20, 100_000)
    gap = np.abs(np.cosh(t) - 4 * np.cos(2 * t)) - np.abs(np.sinh(t) - 2 * np.sin(2 * t))
    assert gap.max() <= L0 + 1e-9 and L0 > 4.7 and L0 <= up <= L0 + 1e-3


def test_estimator_is_exact_on_a_quadratic() -> None:
    from proofs_check.claims.gsignsgd_estimation import estimate_points
    from reference.problems import quadratic

    q = quadratic(np.diag([3.0, 1.0]))
    xs = np.array([[[1.0, 0.0]], [[0.5, 0.0]]])
    G, Lh = estimate_points(q, xs)
    np.testing.assert_allclose(Lh, [3.0], rtol=1e-14)


def test_figure3_quotient_on_diagonal_and_coupled_quadratics() -> None:
    from proofs_check.claims.gsignsgd_estimation import coordinate_points
    from reference.problems import quadratic

    xs = np.array([[[1.0, 2.0]], [[0.9, 1.0]]])
    q, _, j = coordinate_points(quadratic(np.diag([3.0, 5.0])), xs, "|x_{t+1,j} - x_{t,j}|")
    np.testing.assert_allclose(q[np.argsort(j)], [3.0, 5.0], rtol=1e-12)  # separable: the curvature itself
    coupled = quadratic(np.array([[1.0, 1.0], [1.0, 1.0]]))
    q, _, j = coordinate_points(coupled, xs, "|x_{t+1,j} - x_{t,j}|")
    assert q[j == 0][0] == pytest.approx(1.1 / 0.1)  # |(A dx)_1| / |dx_1|: 11 > ||A_1|| = sqrt(2)
    q, _, _ = coordinate_points(coupled, xs, "||x_{t+1} - x_t||_2")
    assert np.all(q <= math.sqrt(2) * (1 + 1e-15))  # Eq. (2)'s denominator: Cauchy-Schwarz


# --------------------------------------------------------------------------- Theorem 2


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


def test_two_cycle_is_exact_even_where_eta_s_is_not_2_x0() -> None:
    """The --full instance that the old ulp-slack test called 'not a cycle' (M = 1250, eta = 1000 eta_A)."""
    from proofs_check.claims.gsignsgd_lower_bound import _two_cycle, hard_function
    from reference.problems import exp_plateau

    M = 1250.0
    eta = 1000 * 2 * exp_plateau(1.0, 1.0, M).plateau_start / M
    prob, x0 = hard_function(M, eta)
    assert _two_cycle(R.sgdm(lr=eta, beta=0.0), prob, x0, 0.5)
    # a start whose next iterate lands in the exponential core (|x| < x_p): the orbit is not 2-periodic
    inner = np.array([eta * prob.slope - prob.plateau_start / 2])
    assert not _two_cycle(R.sgdm(lr=eta, beta=0.0), prob, inner, 0.5)


def test_counterexample_disappears_with_the_square_root_eta() -> None:
    """The OCR caveat made concrete: with eta = sqrt(Delta alpha)/(sqrt(||L0||_1) sqrt T) the same start reaches the
    region |F'| < eps (the travel grows like T^(1/4))."""
    from proofs_check.claims.gsignsgd_rate import counterexample_stats

    stats, _ = counterexample_stats("sqrt(Delta alpha)", "(beta1/2)^2", [64, 4096], 8, 3)
    assert stats.values[0].min() == 0.5 and stats.values[-1].max() < 0.01


# --------------------------------------------------------------------------- Sec. 5.2 helpers (math)


def test_estimand_limit_is_the_curvature_along_the_step() -> None:
    from proofs_check.claims.gsignsgd_estimation import estimand_limit, hessian_spectral_norm

    lim, H, v = estimand_limit(2)
    point = {H[0, 0]: 3.0, H[0, 1]: -1.0, H[1, 1]: 0.5, v[0]: 0.3, v[1]: -2.0}
    Hn = np.array([[3.0, -1.0], [-1.0, 0.5]])
    u = np.array([0.3, -2.0])
    assert float(lim.subs(point)) == pytest.approx(np.linalg.norm(Hn @ u) / np.linalg.norm(u), rel=1e-12)
    assert float(hessian_spectral_norm(H).subs(point)) == pytest.approx(np.linalg.norm(Hn, 2), rel=1e-12)
    lim1, H1, v1 = estimand_limit(1)
    assert float(lim1.subs({H1[0, 0]: -2.5, v1[0]: 0.7})) == 2.5


def test_estimate_at_error_is_first_order_in_the_step() -> None:
    from proofs_check.claims.gsignsgd_estimation import estimate_at
    from reference.problems import cosh_cosine

    p = cosh_cosine(1)
    x, u = np.array([[1.3]]), np.array([[1.0]])
    errs = [abs(estimate_at(p, x, h * u)[0] - abs(float(p.d2phi(np.array(1.3))))) for h in (1e-2, 1e-3, 1e-4)]
    assert errs[1] / errs[0] == pytest.approx(0.1, rel=0.05) and errs[2] / errs[1] == pytest.approx(0.1, rel=0.05)
    whole = estimate_at(p, x, 1e-6 * u, "||d||_2")[0]
    assert whole == pytest.approx(5 / 6 * abs(float(p.d2phi(np.array(1.3)))), rel=1e-5)


def test_figure3_quotients_inflation_is_the_step_ratio() -> None:
    from proofs_check.claims.gsignsgd_estimation import figure3_quotients

    printed, derived, corrected, inflation = figure3_quotients(3)
    assert sp.simplify(derived - corrected) == 0
    dx = sorted(inflation.free_symbols, key=str)
    assert float(inflation.subs(dict(zip(dx, (1.0, 2.0, 2.0))))) == pytest.approx(3.0)
    p1, d1, _, inf1 = figure3_quotients(1)
    assert sp.simplify(p1 - d1) == 0 and inf1 == 1
