"""adamlinf claims: required ids registered; the tools built for them checked against definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from proofs_check import REGISTRY
from proofs_check.claims import adamlinf_cauchy as C
from proofs_check.claims import adamlinf_invariance as I
from reference.problems import adamlinf_quadratic
from reference.problems.linalg import one_one_norm


def test_required_adamlinf_ids_are_registered() -> None:
    required = {"adamlinf.thm2_2.invariance", "adamlinf.table1.one_one_norm", "adamlinf.thmD2.cauchy_estimator",
                "adamlinf.lemD1.uniform_median"}
    assert required <= set(REGISTRY)


def test_rotation_powers_match_expm_of_the_problem_module() -> None:
    d, seed = 60, 3
    fast = I.rotated_one_one_norms(seed, d)
    for t, v in fast.items():
        direct = one_one_norm(adamlinf_quadratic(t, seed=seed, d=d).A) / d
        assert v == pytest.approx(direct, rel=1e-10)


def test_signed_permutations_give_bitwise_identical_adam_and_signgd_trajectories() -> None:
    tab = I.invariance_table(seed=11)
    for alg in ("Adam", "SignGD", "SGD"):
        for m in ("permutation", "sign flip", "signed permutation"):
            assert tab[(alg, m)]["deviation"] == 0.0
    assert tab[("Adam", "rotation")]["deviation"] > 10 * tab[("Adam", "rotation")]["tolerance"]


def test_min_n_makes_the_second_term_two_exp_minus_pi() -> None:
    for eps, delta in ((0.5, 0.5), (0.1, 0.2), (0.3, 0.9)):
        n = C.min_n(eps, delta)
        c4 = math.cos((1 + delta) * math.pi / 4) ** 4
        assert 2 * math.exp(-2 * n * eps ** 2 * c4 / math.pi ** 2) == pytest.approx(2 * math.exp(-math.pi), rel=1e-3)
        assert C.bound(n - 1, 10, eps, delta) == math.inf


def test_samples_needed_is_the_smallest_n_meeting_the_failure_level() -> None:
    n = C.samples_needed(0.2, 0.1, 50)
    assert C.best_bound(n, 50, 0.2, 199)[0] <= 0.1 < C.best_bound(n - 1, 50, 0.2, 199)[0]


def test_failure_rate_of_an_exact_estimator_is_zero() -> None:
    H = np.diag([1.0, -2.0, 3.0])
    p, upper = C.failure_rate(H, 5, 0.1, 50, np.random.default_rng(0),
                              estimator=lambda H, d, n, rng: float(np.abs(H).sum()))
    assert p == 0.0 and 0 < upper < 0.5
