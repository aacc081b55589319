"""nsgdm claims: registration, and the tools the checks are built from."""

from __future__ import annotations

import numpy as np
import sympy as sp

import proofs_check.claims  # noqa: F401  (registers every claim module)
from proofs_check import rates
from proofs_check.claims import nsgdm_rates, nsgdm_theory
from proofs_check.registry import REGISTRY

REQUIRED = ["nsgdm.lemma2", "nsgdm.thm1.derivation", "nsgdm.thm1.rate", "nsgdm.thm3.derivation",
            "nsgdm.alg1.transport", "nsgdm.thm3.rate"]


def test_required_ids_registered():
    for cid in REQUIRED:
        assert cid in REGISTRY
        assert REGISTRY[cid].source.startswith("nsgdm ")


def test_lemma2_constant_is_four_thirds_and_approached():
    assert nsgdm_theory.lemma2_constant_closed_form() == sp.Rational(4, 3)
    g = np.array([[1.0, 0.0, 0.0]])
    c = nsgdm_theory.lemma2_required_constant(g, -(1 + 1e-9) * g)
    assert abs(c[0] - 4 / 3) < 1e-8
    rng = np.random.default_rng(0)
    G, E = rng.standard_normal((5000, 3)), rng.standard_normal((5000, 3))
    assert nsgdm_theory.lemma2_required_constant(G, E).max() <= 4 / 3 + 1e-12


def test_theorem1_rhs_interior_case():
    R, L, s, T = nsgdm_theory.R_, nsgdm_theory.L_, nsgdm_theory.sigma, nsgdm_theory.T
    alpha = sp.sqrt(R * L) / (s * sp.sqrt(T))
    rhs = nsgdm_theory.theorem1_rhs(alpha, sp.sqrt(R * alpha) / sp.sqrt(T * L))
    vals = {R: 2.0, L: 3.0, s: 5.0, T: 1000.0}
    expect = 21 * np.sqrt(5.0) * 6.0**0.25 * 1000.0**0.75 + 8 * 25.0 * np.sqrt(1000.0) / np.sqrt(6.0)
    assert abs(float(rhs.subs(vals)) - expect) < 1e-9 * expect


def test_theorem3_terms():
    der = nsgdm_theory.theorem3_interior()
    assert sp.simplify(der["transport"] - 16 * der["base"]) == 0
    assert sp.simplify(der["sqrt_alpha_term"] - 1) == 0


def test_nigt_transport_exact_and_sgdm_not():
    e_nigt, scale = nsgdm_theory.nigt_transport_error("nigt", T=50)
    e_sgdm, _ = nsgdm_theory.nigt_transport_error("normalized_sgdm", T=50)
    assert e_nigt.max() < 1e-12 * scale and e_sgdm.max() > 1e-3


def test_fit_with_correction_recovers_exponent():
    T = np.array([250.0, 500, 1000, 2000, 4000, 8000])
    rng = np.random.default_rng(1)
    y = 3 * T[:, None] ** -0.25 - 4 * T[:, None] ** -0.5
    stats = rates.RateStats(T, y * (1 + 0.001 * rng.standard_normal((T.size, 16))), ())
    a, (lo, hi) = nsgdm_rates.fit_with_correction(stats)
    assert abs(a + 0.25) < 0.01 and lo <= -0.25 <= hi


def test_theorem1_setting_constants():
    problem, w1, Rv, L = nsgdm_rates.theorem1_setting()
    assert L == 5.0 and Rv > 0


NEW = {"nsgdm.thm4.derivation": "erratum", "nsgdm.thm4.rate": "verified", "nsgdm.alg2": "verified",
       "nsgdm.sec1.igt": "tight", "nsgdm.thm3.taylor": "loose", "nsgdm.sec2.large_batch": "verified"}


def test_new_ids_registered_with_their_verdicts():
    for cid, verdict in NEW.items():
        assert REGISTRY[cid].expected.value == verdict, cid
        assert REGISTRY[cid].source.startswith("nsgdm ")


def test_theorem4_exponents_and_steps():
    from proofs_check.claims import nsgdm_adaptive as A

    ex = A.theorem4_last_inequality_exponents()
    assert ex["(4 T sigma^2)^(2/7) part"] == (-sp.Rational(2, 7), sp.Rational(4, 7))
    assert ex["3 L C sqrt(T)"][0] == -sp.Rational(1, 2)
    printed, corrected = A.theorem4_steps(False), A.theorem4_steps(True)
    assert printed["alpha_t <= 1 (C^2 D^(3/7) = 1)"][0] and printed["eta^4/(alpha^5 G) = C^14/t"][0]
    assert not printed["26 C^2 g^(6/7)/7 = 1/2"][0] and corrected["26 C^2 g^(6/7)/7 = 1"][0]
    assert all(ok for ok, _ in corrected.values())


def test_algorithm2_loop_first_step_and_reference():
    import reference as R
    from proofs_check.claims.nsgdm_adaptive import algorithm2_loop

    rng = np.random.default_rng(2)
    G1, G2 = rng.uniform(-1, 1, (5, 2)), rng.uniform(-1, 1, (5, 2))
    w1 = np.array([0.3, -0.2])
    ws = algorithm2_loop(G1, G2, 1.5, w1)
    C = np.sqrt(7 / (26 * 1.5 ** (6 / 7)))
    D = C ** (-14 / 3)
    eta1 = C / ((3 * 1.5**2 + D) ** 2 * 2**3) ** (1 / 7)
    np.testing.assert_allclose(ws[1], w1 - eta1 * G1[0] / np.linalg.norm(G1[0]), rtol=1e-14)  # alpha_1 = 1: m_1 = g_1
    stream = np.empty((10, 1, 2))
    stream[0::2, 0], stream[1::2, 0] = G1, G2
    np.testing.assert_allclose(R.replay(R.adaptive_nsgd(gbound=1.5), stream, w1[None]).x[:, 0], ws, rtol=1e-13)


def test_batch_bias_closed_forms():
    from proofs_check.claims.nsgdm_transport import batch_bias

    np.testing.assert_allclose(batch_bias(0.2, [1, 2]), [0.6, 0.8**2 - (1 - 0.8**2)], rtol=1e-14)


def test_taylor_ratio_of_a_cubic_direction_is_half():
    from proofs_check.claims.nsgdm_transport import taylor_ratios
    from reference.problems import quadratic_cosine

    p = quadratic_cosine(1)
    b = np.array([[np.pi / 4]])  # omega z = pi/2: phi''' = rho
    r = taylor_ratios(p, b + 1e-3, b, p.constants.rho)
    assert abs(r[0] - 0.5) < 1e-3
