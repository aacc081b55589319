"""reference.problems.phi_smoothness: Def. 3.9's H(L, Phi) (certified SDP), Phi-norm smoothness, Def. C.2's H_b."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reference.problems import blockwise_constants, matrix_abs, phi_norm_smoothness, phi_smoothness
from reference.problems.phi_smoothness import block_index


def _star(n: int) -> np.ndarray:
    A = np.zeros((n + 1, n + 1))
    A[0, 1:] = A[1:, 0] = 1.0
    return A


def test_matrix_abs_by_hand() -> None:
    assert np.allclose(matrix_abs([[0.0, 1.0], [1.0, 0.0]]), np.eye(2))
    assert np.allclose(matrix_abs(np.diag([2.0, -3.0])), np.diag([2.0, 3.0]))
    # |A| of the star K_{1,2}: diag(sqrt2, J/sqrt2)
    expected = np.zeros((3, 3))
    expected[0, 0] = math.sqrt(2)
    expected[1:, 1:] = 1 / math.sqrt(2)
    assert np.allclose(matrix_abs(_star(2)), expected)


def test_star_values_by_hand() -> None:
    """|A| = sqrt(n) e0 e0^T + (J/sqrt n) on the leaves: the cheapest diagonal dominating the leaf block
    c w w^T (w = 1/sqrt n) is sqrt(n) I_n, so H(L, Phi_Adam) = sqrt(n) + n sqrt(n)."""
    for n in (2, 3, 5):
        h = phi_smoothness(_star(n), "adam")
        closed = (n + 1) * math.sqrt(n)
        assert h.lower <= closed * (1 + 1e-12) and h.value >= closed * (1 - 1e-12)
        assert h.value - h.lower <= 1e-6 * h.value
        # with D >= +-A only, diag(row sums) = diag(n, 1, ..., 1) is optimal: trace 2n
        hp = phi_smoothness(_star(n), "adam", dominate="pm")
        assert hp.lower <= 2 * n <= hp.value * (1 + 1e-12) and hp.value <= 2 * n * (1 + 1e-6)


def test_diagonal_and_adasgd_closed_forms() -> None:
    h = phi_smoothness(np.diag([3.0, 1.0, 0.5]), "adam")
    assert h.value == pytest.approx(4.5, rel=1e-6)
    assert np.allclose(h.diag, [3.0, 1.0, 0.5], rtol=1e-5)
    rng = np.random.default_rng(0)
    M = rng.standard_normal((5, 5))
    A = (M + M.T) / 2
    h = phi_smoothness(A, "adasgd")
    assert h.value == pytest.approx(5 * np.max(np.abs(np.linalg.eigvalsh(A))), rel=2e-6)
    # the returned diagonal is feasible: D - |A| is positive semidefinite
    assert np.linalg.eigvalsh(np.diag(h.diag) - matrix_abs(A))[0] >= -1e-12


def test_refinement_order_and_certificate() -> None:
    rng = np.random.default_rng(1)
    M = rng.standard_normal((6, 6))
    A = M @ M.T / 6
    adam, pairs, ada = (phi_smoothness(A, b) for b in ("adam", np.arange(6) // 2, "adasgd"))
    for h in (adam, pairs, ada):
        assert h.lower <= h.value
    assert adam.lower <= pairs.value and pairs.lower <= ada.value
    # Phi_Adam: between the trace and the (1,1)-norm for PSD A (diag(row sums) >= A)
    assert np.trace(A) <= adam.value and adam.lower <= np.abs(A).sum()
    assert phi_norm_smoothness(A, "adam") <= adam.value * (1 + 1e-6)


def test_phi_norm_smoothness_by_hand() -> None:
    assert phi_norm_smoothness(_star(2), "adam") == pytest.approx(4.0)   # 2 s0 (s1 + s2) <= 4
    A = np.array([[2.0, 1.0], [1.0, 1.0]])
    assert phi_norm_smoothness(A, "adam") == pytest.approx(5.0)          # s = (1, 1)
    assert phi_norm_smoothness(A, "adasgd") == pytest.approx(2 * (3 + math.sqrt(5)) / 2)
    with pytest.raises(ValueError, match="share a sign"):
        phi_norm_smoothness(np.diag([1.0, -1.0]), "adam")
    with pytest.raises(ValueError, match="exact only"):
        phi_norm_smoothness(A, np.arange(2))


def test_blockwise_constants_by_hand() -> None:
    A = np.array([[2.0, -1.0], [-1.0, 0.5]])
    assert np.allclose(blockwise_constants(A, "adam"), [3.0, 1.5])
    assert np.allclose(blockwise_constants(A, "adasgd"), [np.max(np.abs(np.linalg.eigvalsh(A)))])


def test_validation() -> None:
    with pytest.raises(ValueError, match="dominate"):
        phi_smoothness(np.eye(2), "adam", dominate="abs2")
    with pytest.raises(ValueError, match="symmetric"):
        phi_smoothness(np.array([[1.0, 2.0], [0.0, 1.0]]), "adam")
    with pytest.raises(ValueError, match="one id per coordinate"):
        block_index(np.arange(3), 4)
    with pytest.raises(ValueError, match="blocks must be"):
        block_index("adamw", 4)
    assert block_index(np.array([5, 5, 9, 5]), 4).tolist() == [0, 0, 1, 0]
