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


# --------------------------------------------------------------------------- certificates (issue 14)

import dataclasses  # noqa: E402

from reference.problems import adamlinf_sigma  # noqa: E402
from reference.problems.adamlinf_rotations import adamlinf_rotations  # noqa: E402
from reference.problems.phi_smoothness import (  # noqa: E402
    MAX_SDP_D,
    PhiCertificate,
    verify_phi_certificate,
)


def _table1_hessian(d: int, t: float, seed: int = 20241125) -> np.ndarray:
    R = adamlinf_rotations(seed, (t,), d)[t]
    A = R.T @ (adamlinf_sigma(d)[:, None] * R)
    return 0.5 * (A + A.T)


def _cases():
    rng = np.random.default_rng(5)
    M = rng.standard_normal((7, 7))
    indefinite = (M + M.T) / 2
    return [(_star(3), "adam", "abs"), (_star(3), "adam", "pm"), (indefinite, np.arange(7) // 3, "abs"),
            (indefinite, "adasgd", "pm"), (M @ M.T / 7, np.arange(7) // 2, "pm")]


@pytest.mark.parametrize("case", range(5))
def test_a_valid_certificate_verifies_and_brackets_the_value(case: int) -> None:
    A, blocks, dominate = _cases()[case]
    h = phi_smoothness(A, blocks, dominate=dominate)
    chk = verify_phi_certificate(h.certificate)
    assert chk.ok, chk.reason
    assert chk.lower <= h.lower * (1 + 1e-12) + 1e-300 and chk.lower <= h.value <= chk.upper
    assert chk.upper - chk.lower <= 2e-6 * chk.upper
    assert h.certificate.verify() is h.certificate.verify()  # verified once, then cached


def test_the_certified_bracket_contains_the_closed_form() -> None:
    for n in (2, 5):
        chk = phi_smoothness(_star(n), "adam").certificate.verify()
        assert chk.ok and chk.lower <= (n + 1) * math.sqrt(n) <= chk.upper


def _corrupt(cert: PhiCertificate, what: str) -> PhiCertificate:
    rng = np.random.default_rng(0)
    if what == "dual noise":         # a symmetric perturbation of the dual point: no longer PSD
        N = rng.standard_normal(cert.Z[0].shape)
        return dataclasses.replace(cert, Z=(cert.Z[0] + 1e-3 * (N + N.T),) + cert.Z[1:])
    if what == "dual not optimal":   # PSD, feasible after scaling, but certifies less than claimed
        return dataclasses.replace(cert, Z=(cert.Z[0] + 0.1 * np.eye(cert.Z[0].shape[0]),) + cert.Z[1:])
    if what == "swapped bounds":
        return dataclasses.replace(cert, value=cert.lower, lower=cert.value)
    if what == "primal infeasible":  # every block value lowered by 1 %
        return dataclasses.replace(cert, a=cert.a * 0.99, value=cert.value * 0.99)
    if what == "value above Tr(D)":
        return dataclasses.replace(cert, value=cert.value * 1.01)
    if what == "rtol not met":       # a valid bracket, but not as tight as claimed
        return dataclasses.replace(cert, rtol=1e-13)
    # non-finite or out-of-range claims: every comparison with NaN is False, so each must be rejected explicitly
    if what == "value NaN":
        return dataclasses.replace(cert, value=math.nan)
    if what == "value inf":
        return dataclasses.replace(cert, value=math.inf)
    if what == "lower NaN":
        return dataclasses.replace(cert, lower=math.nan)
    if what == "lower -inf":
        return dataclasses.replace(cert, lower=-math.inf)
    if what == "rtol NaN":
        return dataclasses.replace(cert, rtol=math.nan)
    if what == "rtol 0":
        return dataclasses.replace(cert, rtol=0.0)
    if what == "rtol 1":
        return dataclasses.replace(cert, rtol=1.0)
    if what == "rtol inf, loose primal":  # a feasible but 50 % loose primal point passed off with rtol = inf
        return dataclasses.replace(cert, a=cert.a * 1.5, value=cert.value * 1.5, rtol=math.inf)
    if what == "value not a number":
        return dataclasses.replace(cert, value="4.5")
    if what == "float block ids":    # np.bincount rejects floats: a failed check, not a TypeError
        return dataclasses.replace(cert, blocks=cert.blocks.astype(np.float64))
    if what == "block ids not compact":
        return dataclasses.replace(cert, blocks=cert.blocks + 1)
    raise AssertionError(what)


# the field each malformed claim must be rejected for (named in the reason)
_FIELD = {"value NaN": "value", "value inf": "value", "lower NaN": "lower", "lower -inf": "lower", "rtol NaN": "rtol",
          "rtol 0": "rtol", "rtol 1": "rtol", "rtol inf, loose primal": "rtol", "value not a number": "value",
          "float block ids": "blocks", "block ids not compact": "blocks"}


@pytest.mark.parametrize("what", ["dual noise", "dual not optimal", "swapped bounds", "primal infeasible",
                                  "value above Tr(D)", "rtol not met", *_FIELD])
def test_a_corrupted_certificate_fails(what: str) -> None:
    cert = phi_smoothness(_star(3), "adam").certificate
    assert cert.verify().ok
    bad = verify_phi_certificate(_corrupt(cert, what))  # never raises
    assert not bad.ok and bad.reason
    if what in _FIELD:
        assert f"{_FIELD[what]} must" in bad.reason, bad.reason


def test_a_loose_primal_verifies_only_with_an_honest_rtol() -> None:
    """The 50 % loose primal point of the "rtol inf" corruption is a valid certificate when it claims what it
    certifies (rtol = 0.5): the bracket is then wide, and it still contains H."""
    cert = phi_smoothness(_star(3), "adam").certificate
    loose = dataclasses.replace(cert, a=cert.a * 1.5, value=cert.value * 1.5, rtol=0.5)
    chk = verify_phi_certificate(loose)
    assert chk.ok, chk.reason
    assert chk.lower <= 4 * math.sqrt(3) <= chk.upper and chk.upper >= 1.5 * 4 * math.sqrt(3) * (1 - 1e-12)
    assert not verify_phi_certificate(dataclasses.replace(loose, rtol=0.3)).ok


@pytest.mark.parametrize("blocks", ["adam", "pairs", "adasgd"])
def test_the_dual_bound_pays_for_the_rounding_of_the_computed_abs_value(blocks: str) -> None:
    """The certified lower bound holds for every target P within e_P = gamma_(8d) (2 + log2 d) ||A||_2 of the computed
    |A| (the primal side's allowance), in particular for the worst one, computed |A| - e_P I; the bracket still
    contains the value and stays tight."""
    A = _table1_hessian(64, 0.1)
    d = A.shape[0]
    ids = np.arange(d) // 2 if blocks == "pairs" else blocks
    h = phi_smoothness(A, ids, rtol=1e-8)
    chk = h.certificate.verify()
    assert chk.ok, chk.reason
    u = 2.0**-53
    e_P = 8 * d * u / (1 - 8 * d * u) * (2 + math.log2(d)) * float(np.max(np.abs(np.linalg.eigvalsh(A))))
    allowance = chk.checks["target_error_allowance"]
    assert 0 < allowance <= d * e_P * (1 + 1e-12)
    # the shifted, scaled dual point against the worst admissible target
    idx = block_index(ids, d)
    Zp = h.certificate.Z[0] + chk.checks["dual_shift"][0] * np.eye(d)
    sizes = np.bincount(idx).astype(float)
    s = float(np.min(sizes / np.bincount(idx, weights=np.diag(Zp))))
    assert s == pytest.approx(chk.checks["dual_scale"], rel=1e-12)
    worst = s * float(np.sum((matrix_abs(A) - e_P * np.eye(d)) * Zp))
    assert chk.lower <= worst
    assert chk.lower <= h.value <= chk.upper and chk.upper - chk.lower <= 2e-8 * chk.upper
    assert allowance <= 1e-9 * chk.lower  # the allowance costs nothing visible


def test_the_certificate_is_read_only() -> None:
    cert = phi_smoothness(_star(2), "adam").certificate
    with pytest.raises(ValueError):
        cert.Z[0][0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        cert.value = 0.0  # type: ignore[misc]


def test_table1_sigma_at_d400_is_certified() -> None:
    """The audit's failure: at d = 400 (Table 1's Sigma rotated by R_1) the old solver raised; at d = 1000 its
    lower bound exceeded its value.  The certificate's bracket is valid and tight."""
    A = _table1_hessian(400, 0.002)
    h = phi_smoothness(A, "adam")
    chk = h.certificate.verify()
    assert chk.ok, chk.reason
    assert chk.lower <= h.value <= chk.upper and chk.upper - chk.lower <= 2e-6 * chk.upper
    assert 0 < chk.checks["target_error_allowance"] <= 1e-9 * chk.lower
    # H(L, Phi_Adam)/d lies between Tr(Sigma)/d (D >= A forces D_ii >= A_ii) and ||Sigma||_2 = 1
    assert np.trace(A) <= chk.lower and chk.upper <= 400 * (1 + 1e-9)


def test_the_supported_range_is_enforced() -> None:
    with pytest.raises(ValueError, match=f"at most {MAX_SDP_D}"):
        phi_smoothness(np.eye(MAX_SDP_D + 1), "adam")
    with pytest.raises(ValueError, match="rtol"):
        phi_smoothness(np.eye(2), "adam", rtol=0.0)
    h = phi_smoothness(np.zeros((3, 3)), "adam")
    assert h.value == h.lower == 0.0 and h.certificate.verify().ok
