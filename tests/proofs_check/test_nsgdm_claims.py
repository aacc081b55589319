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
