"""The closed-form suprema and the adversarial search, against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.worst_case import adversarial_max, conjugate, holder_argmax, holder_sup, log_holder_sup


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
def test_holder_sup_is_attained_and_never_exceeded(p: float) -> None:
    rng = np.random.default_rng(0)
    a, c = rng.uniform(0.1, 2, 6), rng.uniform(0.1, 2, 6)
    sup = holder_sup(np.log(a) - np.log(c) / p, p)

    def ratio(g: np.ndarray) -> np.ndarray:
        return np.abs(g @ a) / np.sum(c * np.abs(g) ** p, axis=-1) ** (1 / p)

    g_star = holder_argmax(np.log(a), np.log(c), p)
    assert ratio(g_star) == pytest.approx(sup, rel=1e-13)
    samples = rng.normal(size=(20000, 6))
    assert ratio(samples).max() <= sup * (1 + 1e-12)
    if p > 1:
        assert ratio(samples).max() >= 0.5 * sup  # the random search is not vacuous either


def test_log_space_handles_underflow_and_overflow() -> None:
    log_w = np.array([-800.0, -801.0, -900.0])
    assert log_holder_sup(log_w, 2.0) == pytest.approx(-800 + 0.5 * np.log(1 + np.exp(-2) + np.exp(-200)))
    assert np.isfinite(log_holder_sup(np.array([800.0, 0.0]), 3.0))
    assert conjugate(1.0) == np.inf and conjugate(2.0) == 2.0


def test_adversarial_search_finds_a_known_maximum() -> None:
    a = np.array([0.2, 1.0, 0.5, 0.1])

    def objective(G: np.ndarray) -> np.ndarray:  # |a.g| / ||g||_2, sup = ||a||_2
        return np.abs(a @ G) / np.linalg.norm(G, axis=0)

    res = adversarial_max(objective, 4, seed=1, maxiter=100)
    assert res.value == pytest.approx(np.linalg.norm(a), rel=1e-9)
    assert res.value <= np.linalg.norm(a) * (1 + 1e-12)
