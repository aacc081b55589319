"""s3 claims: registration, the evidence the checks return, and the math helpers they are built from."""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

import reference as R
from proofs_check.claims import s3_convergence as C
from proofs_check.claims import s3_convergence_derivation as CD
from proofs_check.claims import s3_cost, s3_update
from proofs_check.registry import REGISTRY
from proofs_check.symbolic import equal

EXPECTED = {"s3.thm1": "erratum", "s3.thm1.limit": "tight", "s3.thm1.condition": "verified", "s3.sec2.sign_like": "verified",
            "s3.sec5_5": "tight", "s3.thm2.1": "tight", "s3.thm2.2": "tight", "s3.thm2.3": "tight", "s3.thm3": "verified",
            "s3.thm3.moreover": "verified", "s3.lemma5": "tight", "s3.thm4": "verified", "s3.thm4.rate": "verified",
            "s3.thm4.derivation": "erratum", "s3.sec3.p1_cost": "verified", "s3.sec3.memory": "verified"}


def test_every_claim_registered_with_its_verdict():
    assert {c for c in REGISTRY if c.startswith("s3.")} == set(EXPECTED)
    for cid, verdict in EXPECTED.items():
        assert REGISTRY[cid].expected.value == verdict, cid


# --------------------------------------------------------------------------- Theorem 2


def _brute_sup(b1: float, b2: float, p: float, t: int) -> float:
    """sup |sum a_k g_k| / (sum c_k |g_k|^p)^(1/p) * K by Holder's formula, written out directly."""
    j = np.arange(t, 0, -1, dtype=float)
    a, c = b1**j, b2**j
    a[-1], c[-1] = 1 + b1, 1 + b2
    w = a * c ** (-1 / p)
    K = (1 - b1) / (1 - b2) ** (1 / p)
    return K * (w.max() if p == 1 else np.sum(w ** (p / (p - 1))) ** (1 - 1 / p))


def test_closed_forms_against_brute_force_and_the_extremal_sequence():
    for b1, b2, p in [(0.9, 0.99, 3.0), (0.5, 0.9, 1.0), (0.3, 0.7, 1.7), (0.95, 0.95, 2.0)]:
        for t in (1, 4, 30):
            assert abs(s3_update.s3_sup(b1, b2, p, t) / _brute_sup(b1, b2, p, t) - 1) < 1e-12
            g = s3_update.s3_extremal(b1, b2, p, t)
            d = R.replay(R.s3(lr=1.0, beta=b1, beta2=b2, p=p), g[:, None, None]).direction[-1, 0, 0]
            assert abs(abs(d) / s3_update.s3_sup(b1, b2, p, t) - 1) < 1e-12
        assert abs(s3_update.s3_sup_limit(b1, b2, p) / s3_update.s3_sup(b1, b2, p, 4000) - 1) < 1e-9


def test_equal_betas_reach_eq4_in_the_limit_and_other_betas_do_not():
    for b, p in [(0.9, 2.0), (0.999, 1.1), (0.5, 7.0)]:
        assert abs(s3_update.s3_sup_limit(b, b, p) - 1) < 1e-12 and abs(s3_update.s3_bound(b, b, p) - 1) < 1e-12
    assert s3_update.s3_sup_limit(0.9, 0.999, 2.0) < s3_update.s3_bound(0.9, 0.999, 2.0)


def test_sup_le_bound_proof_steps_hold_and_the_holder_condition_is_sharp():
    """Every sympy step of S_inf <= U simplifies; numerically, 1 + beta1 <= (1+beta2)^(1/p) (1 + r^q)^(1/q) on random
    domain points, with equality only at beta1 = beta2, and it is the same inequality as S_inf <= U."""
    from proofs_check.symbolic import proof_holds

    steps = s3_update.sup_le_bound_proof()
    assert all(proof_holds(e) for e in steps.values()), [k for k, e in steps.items() if not proof_holds(e)]
    for b1, b2, p in s3_update.sample_domain(np.random.default_rng(3), 500):
        if p == 1:
            continue
        q = p / (p - 1)
        r = b1 / b2 ** (1 / p)
        holder = (1 + b2) ** (1 / p) * (1 + r**q) ** (1 / q)
        assert 1 + b1 <= holder * (1 + 1e-14)
        assert (1 + b1 <= holder) == (s3_update.s3_sup_limit(b1, b2, p) <= s3_update.s3_bound(b1, b2, p) * (1 + 1e-12))
    for b, p in [(0.3, 2.0), (0.9, 5.0)]:
        q = p / (p - 1)
        assert abs((1 + b) ** (1 / p) * (1 + (b / b ** (1 / p)) ** q) ** (1 / q) - (1 + b)) < 1e-14
        assert (1 + 0.9 * b) < (1 + b) ** (1 / p) * (1 + (0.9 * b / b ** (1 / p)) ** q) ** (1 / q) - 1e-6


def test_s3_thm2_1_approaches_eq4_along_t_and_never_attains_it(results):
    """The beta1 = beta2 cases are finite-t suprema: strictly below U beyond rounding, the gap shrinking along t
    (the judge reads 'approached', not 'attained')."""
    ev = results.outcome("s3.thm2.1", 0).evidence[0]
    assert ev.approach == "t"
    along = sorted((c for c in ev.cases if "t" in c.inputs), key=lambda c: c.inputs["t"])
    gaps = [1 - c.value / c.bound for c in along]
    assert len(along) == 7 and all(g > 1e-9 for g in gaps) and gaps == sorted(gaps, reverse=True) and gaps[-1] < 1e-6
    judge = results.outcome("s3.thm2.1", 0).judgements[0]
    assert judge.numbers["attained"] == 0 and "approached along t" in judge.measured
    assert all(c.value < c.bound for c in ev.cases if c.inputs["beta1"] == c.inputs["beta2"])


def test_domain_sampler_stays_in_theorem_2s_domain():
    draws = s3_update.sample_domain(np.random.default_rng(0), 2000)
    assert all(p >= 1 and 0 < b2 < 1 and 0 <= b1 < b2 ** (1 / p) for b1, b2, p in draws)
    assert any(p == 1 for _, _, p in draws) and max(p for _, _, p in draws) > 10


def test_eq4_is_the_holder_line_summed_and_counting_g_t_once_is_not():
    dom = {s3_update.B1: (sp.Rational(1, 10), sp.Rational(1, 2)), s3_update.B2: (sp.Rational(6, 10), sp.Rational(99, 100)),
           s3_update.P: (sp.Rational(3, 2), 4)}
    assert equal(s3_update.eq4_from_holder_line("twice"), s3_update.EQ4, dom).equal
    assert not equal(s3_update.eq4_from_holder_line("once"), s3_update.EQ4, dom).equal


def test_s3_thm2_1_search_covers_the_domain(results):
    ev = results.outcome("s3.thm2.1", 0).evidence[0]
    ps = {c.inputs["p"] for c in ev.cases}
    assert min(ps) == 1 and max(ps) > 10
    assert any(c.inputs["beta1"] == c.inputs["beta2"] for c in ev.cases)


# --------------------------------------------------------------------------- Sec. 3


def test_algorithm1_operations_by_p():
    assert s3_cost.algorithm1_operations(sp.Integer(1)) == ["Abs"]
    assert s3_cost.algorithm1_operations(sp.Integer(2)) == ["Abs", "root"]
    assert s3_cost.algorithm1_operations(sp.Integer(3)) == ["Abs", "root"]
    assert s3_cost.algorithm1_operations(sp.Rational(5, 2)) == ["Abs", "power"]


def test_one_step_maps_memory():
    assert s3_cost.state_of(s3_cost._s3_map("II")) == ["m_prev", "s_prev"]
    assert s3_cost.state_of(s3_cost._adam_map()) == ["m_prev", "v_prev"]
    assert s3_cost.state_of(s3_cost._nag3_map()) == ["g_prev", "m_prev", "r_prev"]
    assert len(s3_cost.state_of(s3_cost._s3_map("III"))) == 6


def test_s3_one_step_map_is_algorithm_1():
    """The sympy one-step map of S3 gives reference.s3's step on numbers."""
    S = s3_cost._SYM
    vals = {S["beta"]: 0.9, S["p"]: 3, S["gamma"]: 0.1, S["m_prev"]: 0.2, S["s_prev"]: 0.5, S["g"]: -0.7}
    step = s3_cost._s3_map("II")
    alg = R.s3(lr=0.1, beta=0.9, p=3.0)
    st = alg.init(np.zeros(1))._replace(m=np.array([0.2]), s=np.array([0.5]), t=3)
    x1, st1 = alg.step(np.zeros(1), st, lambda _x: np.array([-0.7]))
    assert abs(float(step["update"].subs(vals)) - x1[0]) < 1e-15
    assert abs(float(step["m"].subs(vals)) - st1.m[0]) < 1e-15 and abs(float(step["s"].subs(vals)) - st1.s[0]) < 1e-15


# --------------------------------------------------------------------------- Lemma 5, Theorem 4


def test_lemma5_is_an_equality_for_the_quadratic():
    import reference.problems as P

    quad = P.quadratic(np.diag([2.0, 1.0]))
    x, y = np.array([[0.3, -1.0]]), np.array([[1.3, -1.0]])
    lhs, allow, _ = C.descent_parts(quad, x, y, 2.0, 0.0)
    assert abs(lhs[0] - allow[0]) < 1e-14


def test_lemma5_plot_names_its_cases(results):
    plot = results.outcome("s3.lemma5", 0).plots[0]
    assert plot.xticklabels == C.LEMMA5_NAMES


def test_theorem4_plots_have_real_labels(results):
    for cid in ("s3.thm4", "s3.thm4.rate"):
        for plot in results.outcome(cid, 0).plots:
            assert plot.ylabel != "value" and "grad F" in plot.ylabel


def test_batched_theorem4_runs_match_reference_s3_run_by_run():
    """One horizon of the batched loop equals reference.s3 run with the same noise draws, bit for bit."""
    st = C.thm4_settings()[0]
    T, S, seed = 50, 3, 5
    runs = C.theorem4_runs(0, (T,), S, seed)
    rec = R.run(C.s3_theorem4(T), st.stochastic, np.broadcast_to(st.x0, (S, st.d)).copy(), T,
                np.random.default_rng([seed, 7]), record_directions=True)
    np.testing.assert_array_equal(runs.values[0], rec.grad_l1[:T].mean(axis=0))
    assert runs.u_min[0] == np.abs(rec.direction).min()


def test_batched_rows_stop_at_their_own_horizon():
    a = C.theorem4_runs(0, (20, 40), 2, 3)
    b = C.theorem4_runs(0, (40,), 2, 3)
    assert a.values.shape == (2, 2) and np.all(a.values > 0) and np.all(np.isfinite(a.u_min))
    assert not np.array_equal(a.values[1], b.values[0])  # other rows, other noise: independent horizons


def test_bound_terms_sum_to_eq_10():
    T = np.array([256.0, 4096.0])
    total = sum(C.bound_terms(T, 3.0, 0).values())
    np.testing.assert_allclose(total, C.thm4_rhs(T, 3.0, i=0), rtol=1e-14)
    assert sorted(C.bound_terms(T, 1.0, 0)) == [-3 * C.ORDER, -2 * C.ORDER, -C.ORDER]


def test_first_step_u_is_reference_s3s_first_step():
    """u_1 = (1 - beta^2)^(2/3) at Theorem 4's beta, for any g_1: the floor of the measured 1/U_max."""
    rng = np.random.default_rng(4)
    for T in (16, 256, 16384):
        g = rng.standard_normal((1, 1, 5)) * 10.0 ** rng.uniform(-3, 3, 5)
        d = R.replay(C.s3_theorem4(T), g).direction[0, 0]
        np.testing.assert_allclose(np.abs(d), C.first_step_u(T), rtol=1e-13)
    runs = C.theorem4_runs(0, C.SHORT_HORIZONS, 8, 0)
    assert np.all(runs.u_min <= C.first_step_u(runs.horizons) * (1 + 1e-13))


def test_s3_thm4_negative_control_changes_the_bound_not_the_measurement(results):
    """The O(1/T) reading of (10) fails at the short horizons, where U_max is the first step's 1/u_1; the measured
    averages and U_max are the same as in the check."""
    pos, neg = results.outcome("s3.thm4", 0).evidence[0], results.negative("s3.thm4", 0).evidence[0]
    assert [c.value for c in pos.cases] == [c.value for c in neg.cases]
    assert [c.inputs["U_max"] for c in pos.cases] == [c.inputs["U_max"] for c in neg.cases]
    short = [c for c in neg.cases if c.inputs["T"] in C.SHORT_HORIZONS]
    assert short and all(c.value > c.bound for c in short)
    assert all(c.inputs["U_max"] < 2 / C.first_step_u(c.inputs["T"]) for c in short)


def test_t3_threshold_is_one_over_sqrt_2():
    b = CD.t3_threshold_beta()
    assert sp.simplify(b - 1 / sp.sqrt(2)) == 0
    betas = np.array([0.3, 0.7, 0.71, 0.9, 0.99])
    joint = (1 - betas) * np.sqrt(betas**4 / (1 - betas**2) + (1 + betas) ** 2)
    assert list(joint <= np.sqrt(1 - betas)) == [False, False, True, True, True]


def test_theorem4_derivation_corrected_is_the_derivation():
    assert sp.simplify(CD.derive()["final"] - CD.CORRECTED) == 0
    assert sp.simplify(CD.derive()["final"] - CD.rhs_10_printed()) != 0


def test_nag_trajectory_tolerance_grows_with_T_and_momentum():
    ops = [s3_nag_ops(b, T) for b, T in itertools.product((0.0, 0.9), (10, 100))]
    assert ops == sorted(ops)


def s3_nag_ops(beta: float, T: int) -> float:
    from proofs_check.claims.s3_nag import nag_ops

    return nag_ops(beta, T)
