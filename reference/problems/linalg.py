"""Matrix norms used by the constants, and orthogonal matrices for rotated problems.

Notation (adamlinf Section 1 "Notations"): ``||A||_{1,1} = sum_ij |A_ij|``; the operator norm
induced by l_inf with the dual norm l_1 on the output is
``||A||_{inf->1} = sup_{||x||_inf <= 1} ||A x||_1``.  Because ``x -> ||A x||_1`` is convex,
the supremum over the cube ``[-1, 1]^d`` is attained at a vertex ``s in {-1, +1}^d``; and
``||A s||_1 = ||A (-s)||_1``, so fixing ``s_0 = +1`` leaves ``2^(d-1)`` vertices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import as_rng, check_int

__all__ = [
    "spectral_norm",
    "one_one_norm",
    "row_l1_norms",
    "inf_to_one_norm",
    "random_orthogonal",
    "check_orthogonal",
    "MAX_ENUMERATION_D",
]

MAX_ENUMERATION_D = 16
"""Largest d for which ``inf_to_one_norm`` enumerates all 2^(d-1) sign vectors."""


def spectral_norm(A: np.ndarray) -> float:
    """``||A||_2`` of a symmetric matrix: ``max |eigenvalue|`` (eigvalsh, backward stable)."""
    w = np.linalg.eigvalsh(A)
    return float(max(abs(w[0]), abs(w[-1])))


def one_one_norm(A: np.ndarray) -> float:
    """``||A||_{1,1} = sum_ij |A_ij|`` (adamlinf notation)."""
    return float(np.abs(A).sum())


def row_l1_norms(A: np.ndarray) -> np.ndarray:
    """``(||A[i, :]||_1)_i``."""
    return np.abs(A).sum(axis=1)


def _sign_vectors(d: int) -> np.ndarray:
    """All ``2^(d-1)`` vectors of ``{-1, +1}^d`` with first entry +1, shape (2^(d-1), d)."""
    k = np.arange(2 ** (d - 1), dtype=np.int64)[:, None]
    bits = (k >> np.arange(d - 1, dtype=np.int64)) & 1
    return np.concatenate([np.ones((k.size, 1)), 1.0 - 2.0 * bits], axis=1)


def inf_to_one_norm(A: np.ndarray, max_enumeration_d: int = MAX_ENUMERATION_D,
                    eigh: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, bool]:
    """``||A||_{inf->1}`` (adamlinf Definition 3.1 for a quadratic): ``(value, exact)``.

    * ``d <= max_enumeration_d``: the exact maximum of ``||A s||_1`` over all sign vectors
      (``exact = True``), in chunks of at most 2^16 vectors.
    * otherwise the valid upper bound ``min(||A||_{1,1}, d ||A||_2)``
      (``||A s||_1 <= sum_ij |A_ij|``; ``||A s||_1 <= sqrt(d) ||A s||_2 <= d ||A||_2``),
      reported as exact only when a candidate sign vector (all ones, or the signs of an
      eigenvector of largest |eigenvalue|) attains it up to rounding ``4 d eps`` (e.g. a
      diagonal A, where every sign vector attains ``||A||_{1,1}``).

    ``eigh`` may pass a precomputed ``np.linalg.eigh(A)`` (used only when d is large).
    """
    A = np.asarray(A, dtype=np.float64)
    d = A.shape[0]
    if d <= max_enumeration_d:
        best = 0.0
        S = _sign_vectors(d)
        for start in range(0, S.shape[0], 1 << 16):
            best = max(best, float(np.abs(S[start:start + (1 << 16)] @ A.T).sum(axis=1).max()))
        return best, True
    w, V = np.linalg.eigh(A) if eigh is None else eigh
    upper = min(one_one_norm(A), d * float(max(abs(w[0]), abs(w[-1]))))
    top = V[:, int(np.argmax(np.abs(w)))]
    candidates = np.stack([np.ones(d), np.where(top >= 0, 1.0, -1.0)])
    lower = float(np.abs(candidates @ A.T).sum(axis=1).max())
    exact = lower >= upper * (1.0 - 4.0 * d * np.finfo(np.float64).eps)
    return upper, bool(exact)


def random_orthogonal(d: int, rng: Any) -> np.ndarray:
    """A Haar-distributed orthogonal d x d matrix: Q of the QR factorization of a Gaussian
    matrix, with the signs of R's diagonal moved into Q (Mezzadri 2007)."""
    d = check_int("d", d)
    Z = as_rng(rng).standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


def check_orthogonal(name: str, Q: Any, d: int | None = None) -> np.ndarray:
    """``Q`` as a float64 orthogonal matrix (``||Q^T Q - I||_max <= 64 d eps``) or ValueError."""
    try:
        a = np.array(Q, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an orthogonal real matrix") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a finite square matrix, got shape {a.shape}")
    if d is not None and a.shape[0] != d:
        raise ValueError(f"{name} must have shape ({d}, {d}), got {a.shape}")
    n = a.shape[0]
    err = float(np.abs(a.T @ a - np.eye(n)).max())
    if err > 64 * n * np.finfo(np.float64).eps:
        raise ValueError(f"{name} must be orthogonal (||{name}^T {name} - I||_max <= 64 d eps), deviation {err:.3g}")
    return a
