"""Quadratics ``F(x) = 1/2 x^T A x - b^T x + c`` with every constant in closed form.

The Hessian is the constant symmetric matrix ``A``, so each smoothness constant is a norm of
``A`` and is *attained* (tight), with ``h = y - x``:

* ``L = ||A||_2`` (s3 Assumption 2 with L1 = 0, nsgdm (A1)): ``||A h||_2 <= ||A||_2 ||h||_2``,
  equality for h an eigenvector of largest |eigenvalue|.  ``(L0, L1, R) = (L, 0, inf)``.
* ``L0_vec[j] = sqrt(d) ||A[j, :]||_2``, ``L1_vec = 0`` (gsignsgd Assumption 2, whose bound
  is ``L0_j / sqrt(d)``): ``|(A h)_j| <= ||A[j, :]||_2 ||h||_2`` (Cauchy-Schwarz), equality
  for ``h = A[j, :]``.  The radius ``1 / ||L1_vec||_inf`` is infinite.
* ``H_inf = ||A||_{inf->1}`` (adamlinf Definition 3.1): ``||A h||_1 <= ||A||_{inf->1}
  ||h||_inf`` by definition, equality at the maximizing sign vector; computed exactly by
  enumeration for d <= 16, else the upper bound of :func:`~.linalg.inf_to_one_norm`.
* ``H_vec[i] = ||A[i, :]||_1`` (adamlinf Definition 3.3): ``|(A h)_i| <= ||A[i, :]||_1
  ||h||_inf`` (Hoelder), equality for ``h = sign(A[i, :])``.
* ``hessian_11 = ||A||_{1,1}`` (adamlinf Corollary 3.7 / Table 1), ``rho = 0`` (nsgdm (A4)).
* ``F_star, x_star`` (s3 Assumption 1): for positive definite A, ``x_star = A^{-1} b``
  (``np.linalg.solve``) and ``F_star = c - b^T x_star / 2``.  For singular positive
  semidefinite A, F is bounded below iff ``b`` lies in the range of A; then ``x_star`` is the
  minimum-norm minimizer ``A^+ b``.  Indefinite A, or ``b`` outside the range: F is
  unbounded below, ``F_star = x_star = None``.  "Zero" eigenvalues are those with
  ``|lambda| <= d eps ||A||_2``; "b in range" means its null-space component has norm
  ``<= 64 d eps ||b||_2``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from .base import (
    DETERMINISTIC_TIGHT,
    Constants,
    Problem,
    check_int,
    check_matrix,
    check_real,
    check_vector,
    deterministic_noise_constants,
)
from .linalg import check_orthogonal, inf_to_one_norm, one_one_norm, row_l1_norms

__all__ = [
    "Quadratic",
    "AdamLinfQuadratic",
    "quadratic",
    "diagonal_quadratic",
    "rotated_quadratic",
    "adamlinf_quadratic",
    "adamlinf_sigma",
]

_EPS = np.finfo(np.float64).eps


class Quadratic(Problem):
    """``F(x) = 1/2 x^T A x - b^T x + c`` with symmetric ``A`` (see the module docstring).

    A diagonal ``A`` is detected and evaluated elementwise (so a batch equals its rows bit
    for bit).
    """

    def __init__(self, A: Any, b: Any = None, c: float = 0.0, *, name: str | None = None,
                 _eigh: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        A = check_matrix("A", A)
        d = A.shape[0]
        asym = float(np.abs(A - A.T).max())
        if asym > 16 * d * _EPS * float(np.abs(A).max()):
            raise ValueError(f"A must be symmetric (max |A - A^T| <= 16 d eps max|A|), got asymmetry {asym:.3g}")
        A = 0.5 * (A + A.T)
        A.setflags(write=False)
        self.A = A
        self.d = d
        self.b = np.zeros(d) if b is None else check_vector("b", b, d=d)
        self.b.setflags(write=False)
        self.c = check_real("c", c)
        offdiag = A - np.diag(np.diag(A))
        self._diag = np.diag(A).copy() if not np.any(offdiag) else None
        self.name = name or f"quadratic(d={d})"
        self._cache: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}
        self.constants = self._constants(_eigh)

    # -- constants --------------------------------------------------------------------
    def _constants(self, eigh: tuple[np.ndarray, np.ndarray] | None) -> Constants:
        A, b, d = self.A, self.b, self.d
        if eigh is None:
            eigh = np.linalg.eigh(A)
        w, V = eigh
        L = float(max(abs(w[0]), abs(w[-1])))
        if d <= 16 or self._diag is None:
            H_inf, H_exact = inf_to_one_norm(A, eigh=eigh)
        else:  # diagonal: ||A s||_1 = sum |a_ii| for every sign vector s
            H_inf, H_exact = float(np.abs(self._diag).sum()), True
        x_star, F_star = self._minimizer(w, V)
        tight = {"L", "L0", "L1", "R", "L0_vec", "L1_vec", "H_vec", "hessian_11", "rho", "L_sample"}
        if H_exact:
            tight.add("H_inf")
        return Constants(
            L=L, L0=L, L1=0.0, R=np.inf,
            L0_vec=np.sqrt(d) * np.linalg.norm(A, axis=1), L1_vec=np.zeros(d),
            H_inf=H_inf, H_vec=row_l1_norms(A), hessian_11=one_one_norm(A), rho=0.0,
            L_sample=L, F_star=F_star, x_star=x_star,
            **deterministic_noise_constants(d),
            tight=frozenset(tight) | DETERMINISTIC_TIGHT,
        )

    def _minimizer(self, w: np.ndarray, V: np.ndarray) -> tuple[np.ndarray | None, float | None]:
        A, b, c, d = self.A, self.b, self.c, self.d
        L = float(max(abs(w[0]), abs(w[-1])))
        tol = d * _EPS * L
        if w[0] < -tol:  # indefinite: unbounded below along an eigenvector of w[0] < 0
            return None, None
        pos = w > tol
        if pos.all():
            x_star = b / self._diag if self._diag is not None else np.linalg.solve(A, b)
        else:
            b_null = V[:, ~pos].T @ b
            if np.linalg.norm(b_null) > 64 * d * _EPS * np.linalg.norm(b):
                return None, None  # linear and decreasing along a null direction
            Vp = V[:, pos]
            x_star = Vp @ ((Vp.T @ b) / w[pos])
        return x_star, float(c - 0.5 * (b @ x_star))

    # -- evaluation -------------------------------------------------------------------
    def _cast(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        if dtype not in self._cache:
            M = self._diag if self._diag is not None else self.A
            self._cache[dtype] = (M.astype(dtype), self.b.astype(dtype))
        return self._cache[dtype]

    def _apply(self, M: np.ndarray, x: np.ndarray) -> np.ndarray:
        return M * x if self._diag is not None else x @ M  # A symmetric: x @ A = (A x)^T

    def _value(self, x: np.ndarray) -> np.ndarray:
        M, b = self._cast(x.dtype)
        return np.sum(x * (0.5 * self._apply(M, x) - b), axis=-1) + x.dtype.type(self.c)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        M, b = self._cast(x.dtype)
        return self._apply(M, x) - b

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.A.astype(x.dtype, copy=False), x.shape[:-1] + (self.d, self.d))

    def _hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        M, _ = self._cast(x.dtype)
        return np.broadcast_to(self._apply(M, v), np.broadcast_shapes(x.shape, v.shape))


def quadratic(A: Any, b: Any = None, c: float = 0.0) -> Quadratic:
    """``F(x) = 1/2 x^T A x - b^T x + c`` for a symmetric matrix ``A`` (``b`` defaults to 0).

    Raises ValueError if ``A`` is not a finite square symmetric matrix (asymmetry above
    ``16 d eps max|A|``; A is then symmetrized exactly) or ``b``/``c`` are malformed.
    """
    return Quadratic(A, b, c)


def diagonal_quadratic(diag: Any, b: Any = None, c: float = 0.0) -> Quadratic:
    """``F(x) = sum_j diag_j x_j^2 / 2 - b^T x + c`` (``A = diag(diag)``), elementwise."""
    diag = check_vector("diag", diag)
    order = np.argsort(diag, kind="stable")
    eigh = (diag[order], np.eye(diag.size)[:, order])
    return Quadratic(np.diag(diag), b, c, name=f"diagonal_quadratic(d={diag.size})", _eigh=eigh)


def rotated_quadratic(diag: Any, R: Any, b: Any = None, c: float = 0.0) -> Quadratic:
    """``F(x) = 1/2 x^T R^T diag(diag) R x - b^T x + c`` with ``R`` orthogonal.

    ``A = R^T Sigma R`` is formed in float64 and symmetrized; all constants are computed from
    this stored ``A`` (so they are exact for the function actually evaluated).
    """
    diag = check_vector("diag", diag)
    R = check_orthogonal("R", R, d=diag.size)
    A = R.T @ (diag[:, None] * R)
    return Quadratic(0.5 * (A + A.T), b, c, name=f"rotated_quadratic(d={diag.size})")


# --------------------------------------------------------------------------------------
# adamlinf Section 4.1 / Appendix D.1
# --------------------------------------------------------------------------------------


def adamlinf_sigma(d: int = 1000, n_ones: int | None = None) -> np.ndarray:
    """The diagonal of adamlinf's Sigma: ``n_ones`` ones, then ``1/k^2`` for ``k = 2..d-n_ones+1``.

    adamlinf Section 4.1 writes ``Sigma = diag(1, ..., 1, 1/2^2, 1/3^2, ..., 1/990^2)`` in
    ``R^{1000 x 1000}`` without saying how many ones lead.  A diagonal of length 1000 ending
    with the 989 terms ``1/2^2 .. 1/990^2`` has exactly ``1000 - 989 = 11`` ones, and this
    reading reproduces Table 1's ``(1,1)-norm / d = 0.01164``:
    ``(11 + sum_{k=2}^{990} 1/k^2) / 1000 = 0.0116439...`` (10 ones would give 0.01064).
    For another ``d`` the same construction keeps ``n_ones`` ones (default ``min(11, d)``)
    and ``d - n_ones`` decaying terms.
    """
    d = check_int("d", d)
    n_ones = min(11, d) if n_ones is None else n_ones
    if isinstance(n_ones, bool) or not isinstance(n_ones, (int, np.integer)) or not 1 <= n_ones <= d:
        raise ValueError(f"n_ones must be an integer in [1, d={d}], got {n_ones!r}")
    k = np.arange(2, d - n_ones + 2, dtype=np.float64)
    return np.concatenate([np.ones(n_ones), 1.0 / (k * k)])


def _two_streams(seed: Any) -> tuple[np.random.Generator, np.random.Generator]:
    if isinstance(seed, np.random.Generator):
        g1, g2 = seed.spawn(2)
        return g1, g2
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        s1, s2 = np.random.SeedSequence(int(seed)).spawn(2)
        return np.random.default_rng(s1), np.random.default_rng(s2)
    raise ValueError(f"seed must be an int >= 0 or a numpy.random.Generator, got {seed!r}")


class AdamLinfQuadratic(Quadratic):
    """adamlinf's rotated quadratic ``L_t(x) = 1/2 x^T R^T Sigma R x`` (Section 4.1, App. D.1).

    Attributes: ``t``, ``sigma`` (the diagonal of Sigma, :func:`adamlinf_sigma`), ``R``
    (``expm(t (M - M^T))``, ``M_ij ~ N(0, 1)`` iid; the identity for t = 0) and ``x0``,
    the initial point of D.1 (see :meth:`initial_point`).
    """

    def __init__(self, t: float, seed: Any, d: int, n_ones: int | None) -> None:
        self.t = check_real("t", t, lo=0.0)
        self.sigma = adamlinf_sigma(d, n_ones)
        rng_rotation, rng_x0 = _two_streams(seed)
        if self.t == 0.0:
            self.R = np.eye(d)
            order = np.argsort(self.sigma, kind="stable")
            A, eigh = np.diag(self.sigma), (self.sigma[order], np.eye(d)[:, order])
        else:
            M = rng_rotation.standard_normal((d, d))
            self.R = scipy.linalg.expm(self.t * (M - M.T))
            A, eigh = self.R.T @ (self.sigma[:, None] * self.R), None
            A = 0.5 * (A + A.T)
        self.R.setflags(write=False)
        u = rng_x0.uniform(0.0, 1.0, size=d)
        self.x0 = self.R.T @ u
        self.x0.setflags(write=False)
        super().__init__(A, None, 0.0, name=f"adamlinf_quadratic(t={self.t:g}, d={d})", _eigh=eigh)

    def initial_point(self) -> np.ndarray:
        """adamlinf App. D.1: ``x0 ~ Unif([0, 1]^d)``, started from ``R^T x0`` when rotated,
        so ``L_t(R^T x0) = L_0(x0)`` for every t (same seed => same ``x0``).  A fresh copy."""
        return self.x0.copy()


def adamlinf_quadratic(t: float = 0.0, seed: int | np.random.Generator = 0, d: int = 1000,
                       n_ones: int | None = None) -> AdamLinfQuadratic:
    """adamlinf Section 4.1 / Appendix D.1 quadratic with rotation ``R = expm(t (M - M^T))``.

    ``seed`` (an int or a Generator) is split into two independent streams, one for ``M`` and
    one for ``x0``, so for a fixed seed every t shares the same ``M`` (one family
    ``exp(t A)``, as in D.1) and the same ``x0``.  The paper uses ``t = 0, 0.002, 0.008,
    0.015, 0.1``; with d = 1000 this construction gives ``hessian_11 / d`` of about
    0.0116, 0.083, 0.51, 1.24, 2.59 (Table 1: 0.01164, 0.08324, 0.50729, 1.23731, 2.59919;
    only t = 0 is seed-independent).  The spectral norm ``L`` is 1 for every t.
    """
    return AdamLinfQuadratic(t, seed, d, n_ones)
