"""Blockwise smoothness constants of a quadratic (adamlinf Sec. 3.3, Definitions 3.8, 3.9, C.2).

For ``L(x) = x^T A x / 2`` the Hessian is the constant symmetric ``A``, so every ``sup_x`` in
the definitions disappears.  A partition ``Phi : [d] -> [B]`` is given as block ids (one per
coordinate, as for :func:`reference.blockwise_adam`); ``d_b`` is the size of block b.

* **Phi-smoothness** (Def. 3.9, Eq. 1)::

      H(L, Phi) = min { Tr(D) : D = diag(a_Phi(1), ..., a_Phi(d)),  D >= |A| }

  with ``|A| = (A^T A)^(1/2)`` (adamlinf Sec. 2 notation) and ``>=`` the Loewner order.  This
  is a semidefinite program in the B numbers ``a_b`` (objective ``sum_b d_b a_b``).
  :func:`phi_smoothness` solves it by a log-barrier Newton method and returns a *certified*
  bracket: ``value`` is attained by a feasible ``D`` (``D - |A|`` positive definite, checked by
  Cholesky), and ``lower`` comes from a dual-feasible ``Z >= 0`` (weak duality: for any feasible
  ``a >= 0`` and ``Z >= 0`` with ``Tr(E_b Z) <= d_b``, ``<|A|, Z> <= <D, Z> <= sum_b d_b a_b``).
  ``dominate="pm"`` solves the same program with ``D >= A`` and ``D >= -A`` in place of
  ``D >= |A|`` (the weaker domination that Lemma C.3's inequality (15) actually gives).
* **Smoothness under the Phi-norm** (Sec. 3.3): ``sup_{||u||_Phi <= 1} |u^T A u|`` with
  ``||u||_Phi = max_b ||u_(b)||_2 / sqrt(d_b)`` (Def. 3.8) -- :func:`phi_norm_smoothness`,
  exact for the two partitions the paper names: Phi_AdaSGD (one block: ``d ||A||_2``) and
  Phi_Adam (singletons: the max of ``|s^T A s|`` over sign vectors ``s``, by enumeration; the
  supremum over the cube is at a vertex because ``u -> u^T A u`` is convex in each coordinate
  when ``A_ii >= 0``, and concave when ``A_ii <= 0``, for ``-u^T A u``; d <= 16).
* **Blockwise smoothness** H_b of Def. C.2 (``||grad_(b) L(x) - grad_(b) L(y)||_2 <= sqrt(d_b)
  H_b ||x - y||_Phi``): ``H_b = sup_{||D||_Phi <= 1} ||A_(b),: D||_2 / sqrt(d_b)`` --
  :func:`blockwise_constants`, exact for Phi_Adam (``H_i = ||A_i,:||_1``, Hoelder, attained at
  ``sign(A_i,:)``; Def. 3.3) and Phi_AdaSGD (``H_1 = ||A||_2``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..adam import ADAM as _ADAM
from ..blockwise import ADASGD as _ADASGD
from .base import check_matrix
from .linalg import MAX_ENUMERATION_D, _sign_vectors

__all__ = ["PhiSmoothness", "matrix_abs", "block_index", "phi_smoothness", "phi_norm_smoothness",
           "blockwise_constants", "ADAM", "ADASGD"]

ADAM: str = _ADAM.name
"""Partition name: every coordinate its own block (adamlinf Phi_Adam: i -> i), Adam's partition
(the factory's name, ``"adam"``)."""
ADASGD: str = _ADASGD.name
"""Partition name: one block (adamlinf Phi_AdaSGD: i -> 1), AdaSGD's (``"adasgd"``)."""


class PhiSmoothness(NamedTuple):
    """Certified solution of Def. 3.9's program: ``lower <= H(L, Phi) <= value``."""

    value: float        # Tr(D) of the feasible D returned (an upper bound, attained by ``diag``)
    lower: float        # a dual lower bound
    diag: np.ndarray    # (d,) the diagonal of D, constant within each block
    iterations: int     # Newton steps taken


def _symmetric(A: Any) -> np.ndarray:
    A = check_matrix("A", A)
    scale = max(float(np.abs(A).max()), np.finfo(np.float64).tiny)
    if float(np.abs(A - A.T).max()) > 16 * A.shape[0] * np.finfo(np.float64).eps * scale:
        raise ValueError("A must be symmetric")
    return 0.5 * (A + A.T)


def matrix_abs(A: Any) -> np.ndarray:
    """``|A| = (A^T A)^(1/2) = V |Lambda| V^T`` for symmetric ``A = V Lambda V^T`` (adamlinf Sec. 2)."""
    A = _symmetric(A)
    w, V = np.linalg.eigh(A)
    P = (V * np.abs(w)) @ V.T
    return 0.5 * (P + P.T)


def block_index(blocks: Any, d: int) -> np.ndarray:
    """Compact block ids ``0..B-1`` from ``"adam"``, ``"adasgd"`` or per-coordinate ids."""
    if isinstance(blocks, str):
        if blocks == ADAM:
            return np.arange(d)
        if blocks == ADASGD:
            return np.zeros(d, dtype=np.int64)
        raise ValueError(f"blocks must be 'adam', 'adasgd' or one block id per coordinate, got {blocks!r}")
    ids = np.asarray(blocks)
    if ids.shape != (d,):
        raise ValueError(f"blocks must have one id per coordinate (shape ({d},)), got shape {ids.shape}")
    return np.unique(ids, return_inverse=True)[1].reshape(-1)


def _chol_ok(S: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(S)
        return True
    except np.linalg.LinAlgError:
        return False


def phi_smoothness(A: Any, blocks: Any, *, dominate: str = "abs", rtol: float = 1e-6,
                   max_newton: int = 50) -> PhiSmoothness:
    """``H(L, Phi)`` of ``L = x^T A x / 2`` (adamlinf Def. 3.9), certified to relative gap ``rtol``.

    Barrier problem ``min_a  sum_b d_b a_b - mu sum_k logdet(D_a - P_k)`` (``P = |A|``, or
    ``P_k = A, -A`` for ``dominate="pm"``) solved by damped Newton for ``mu = mu_0, mu_0/10, ...``;
    at each centre ``Z_k = mu (D_a - P_k)^(-1)`` is dual feasible after scaling by
    ``min_b d_b / Tr(E_b sum_k Z_k)``.  Stops when ``value - lower <= rtol * value`` (or when
    ``value <= 1e-300``).  Raises ``RuntimeError`` if Newton fails to certify the gap.
    """
    A = _symmetric(A)
    d = A.shape[0]
    idx = block_index(blocks, d)
    B = int(idx.max()) + 1
    c = np.bincount(idx, minlength=B).astype(np.float64)  # d_b
    singletons = B == d  # Phi_Adam (any numbering): the block sums are a permutation
    perm = np.argsort(idx, kind="stable")
    E = None if singletons else np.eye(B)[idx]  # (d, B) block indicator

    def block_sum2(M: np.ndarray) -> np.ndarray:
        """``E^T M E``: sums of M over pairs of blocks."""
        return M[np.ix_(perm, perm)] if singletons else E.T @ M @ E
    if dominate == "abs":
        mats = [matrix_abs(A)]
    elif dominate == "pm":
        mats = [A, -A]
    else:
        raise ValueError(f"dominate must be 'abs' or 'pm', got {dominate!r}")
    top = max(float(np.linalg.eigvalsh(P)[-1]) for P in mats)
    scale = max(float(np.abs(A).max()), 1e-300)
    a = np.full(B, max(top, 0.0) + scale)  # strictly feasible start
    mu = float(c @ a) / (len(mats) * d)
    iters, best_lower = 0, -np.inf

    def barrier(a_: np.ndarray) -> float | None:
        D = np.diag(a_[idx])
        val = float(c @ a_)
        for P in mats:
            try:
                Lc = np.linalg.cholesky(D - P)
            except np.linalg.LinAlgError:
                return None
            val -= mu * 2.0 * float(np.sum(np.log(np.diag(Lc))))
        return val

    while True:
        for _ in range(max_newton):
            D = np.diag(a[idx])
            invs = [np.linalg.inv(D - P) for P in mats]
            grad = c - mu * sum(np.bincount(idx, weights=np.diag(S), minlength=B) for S in invs)
            H = mu * sum(block_sum2(S * S) for S in invs)
            step = np.linalg.solve(H, -grad)
            dec2 = float(-grad @ step)
            iters += 1
            if dec2 / mu <= 1e-12:  # Newton decrement^2 of the barrier function scaled by 1/mu
                break
            f0, t = barrier(a), 1.0
            while t > 1e-12:
                f1 = barrier(a + t * step)
                if f1 is not None and f1 <= f0 - 0.25 * t * dec2:
                    break
                t *= 0.5
            else:
                break  # no decrease representable: centred to rounding
            a = a + t * step
        D = np.diag(a[idx])
        invs = [mu * np.linalg.inv(D - P) for P in mats]
        tr = sum(np.bincount(idx, weights=np.diag(Z), minlength=B) for Z in invs)
        s = float(np.min(c / tr))
        # <P_k, Z_k> = <D, Z_k> - <D - P_k, Z_k> = sum_b a_b Tr(E_b Z_k) - mu d (exact identity; the
        # direct product <P_k, Z_k> would lose the digits of the nearly singular inverse)
        best_lower = max(best_lower, s * (float(a @ tr) - len(mats) * mu * d))  # every one is valid
        value = float(c @ a)
        if not all(_chol_ok(D - P) for P in mats):
            raise RuntimeError("phi_smoothness: lost feasibility")
        if value - best_lower <= rtol * abs(value) or value <= 1e-300:
            return PhiSmoothness(value, best_lower, a[idx].copy(), iters)
        if len(mats) * mu * d < 1e-4 * rtol * abs(value):
            break  # the barrier gap is far below rtol: only rounding is left
        mu /= 10.0
    raise RuntimeError(f"phi_smoothness: gap {value - best_lower:.3g} not below rtol {rtol} after {iters} Newton steps")


def phi_norm_smoothness(A: Any, blocks: str) -> float:
    """``sup_{||u||_Phi <= 1} |u^T A u|`` (adamlinf Sec. 3.3) for ``blocks = "adam"`` (exact by
    enumeration of sign vectors, d <= 16, requires all ``A_ii`` of one sign) or ``"adasgd"``
    (``d ||A||_2``)."""
    A = _symmetric(A)
    d = A.shape[0]
    if not isinstance(blocks, str) or blocks not in (ADAM, ADASGD):
        raise ValueError("phi_norm_smoothness is exact only for blocks='adam' or 'adasgd'")
    if blocks == ADASGD:
        w = np.linalg.eigvalsh(A)
        return d * float(max(abs(w[0]), abs(w[-1])))
    if blocks != ADAM:
        raise ValueError("phi_norm_smoothness is exact only for blocks='adam' or 'adasgd'")
    if d > MAX_ENUMERATION_D:
        raise ValueError(f"phi_norm_smoothness('adam') enumerates 2^(d-1) sign vectors: d must be <= {MAX_ENUMERATION_D}")
    diag = np.diag(A)
    if not (np.all(diag >= 0) or np.all(diag <= 0)):
        raise ValueError("phi_norm_smoothness('adam'): the maximum over the cube is at a vertex only if all A_ii "
                         "share a sign")
    S = _sign_vectors(d)
    return float(np.abs(np.einsum("ki,ij,kj->k", S, A, S)).max())


def blockwise_constants(A: Any, blocks: str) -> np.ndarray:
    """Def. C.2's ``(H_b)_b`` of a quadratic: ``||A_i,:||_1`` per coordinate (``"adam"``; Def. 3.3)
    or ``[||A||_2]`` (``"adasgd"``)."""
    A = _symmetric(A)
    if not isinstance(blocks, str):
        raise ValueError("blockwise_constants is exact only for blocks='adam' or 'adasgd'")
    if blocks == ADAM:
        return np.abs(A).sum(axis=1)
    if blocks == ADASGD:
        w = np.linalg.eigvalsh(A)
        return np.array([float(max(abs(w[0]), abs(w[-1])))])
    raise ValueError("blockwise_constants is exact only for blocks='adam' or 'adasgd'")
