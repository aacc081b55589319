"""Blockwise smoothness constants of a quadratic (adamlinf Sec. 3.3, Definitions 3.8, 3.9, C.2).

For ``L(x) = x^T A x / 2`` the Hessian is the constant symmetric ``A``, so every ``sup_x`` in
the definitions disappears.  A partition ``Phi : [d] -> [B]`` is given as block ids (one per
coordinate, as for :func:`reference.blockwise_adam`); ``d_b`` is the size of block b.

* **Phi-smoothness** (Def. 3.9, Eq. 1)::

      H(L, Phi) = min { Tr(D) : D = diag(a_Phi(1), ..., a_Phi(d)),  D >= |A| }

  with ``|A| = (A^T A)^(1/2)`` (adamlinf Sec. 2 notation) and ``>=`` the Loewner order.  This
  is a semidefinite program in the B numbers ``a_b`` (objective ``sum_b d_b a_b``), with dual
  ``max <|A|, Z>`` over ``Z >= 0`` with ``Tr(E_b Z) <= d_b`` (E_b the diagonal indicator of block b).
  :func:`phi_smoothness` solves both by a primal-dual interior-point method and returns the primal
  point ``D`` and the dual point ``Z`` as a :class:`PhiCertificate`; :func:`verify_phi_certificate`
  re-checks it independently (eigenvalues of ``D - |A|`` and of ``Z`` recomputed with
  ``numpy.linalg.eigvalsh``, a rounding allowance, weak duality) and returns the certified bracket
  ``lower <= H(L, Phi) <= upper``.  ``dominate="pm"`` solves the same program with ``D >= A`` and
  ``D >= -A`` in place of ``D >= |A|`` (the weaker domination that Lemma C.3's inequality (15)
  actually gives; dual ``max <A, Z_1 - Z_2>``).  Supported: ``d <= MAX_SDP_D`` (1500; dense O(d^3)
  linear algebra).
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

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse.linalg

from ..adam import ADAM as _ADAM
from ..blockwise import ADASGD as _ADASGD
from .base import instance_digest
from .base import check_matrix
from .linalg import MAX_ENUMERATION_D, _sign_vectors

__all__ = ["PhiSmoothness", "PhiCertificate", "CertificateCheck", "verify_phi_certificate", "MAX_SDP_D",
           "matrix_abs", "block_index", "phi_smoothness", "phi_norm_smoothness",
           "blockwise_constants", "ADAM", "ADASGD"]

ADAM: str = _ADAM.name
"""Partition name: every coordinate its own block (adamlinf Phi_Adam: i -> i), Adam's partition
(the factory's name, ``"adam"``)."""
ADASGD: str = _ADASGD.name
"""Partition name: one block (adamlinf Phi_AdaSGD: i -> 1), AdaSGD's (``"adasgd"``)."""


MAX_SDP_D = 1500
"""Largest dimension :func:`phi_smoothness` accepts: a dense interior-point method, O(d^3) time and about
12 d x d float64 matrices of memory per iteration (d = 1000: ~10 s and ~100 MB on one core)."""

_DENSE_STEP_D = 300  # up to this d the step lengths come from dense eigenvalues, above it from Lanczos


@dataclass(frozen=True)
class CertificateCheck:
    """What :func:`verify_phi_certificate` found: the certified bracket ``lower <= H(L, Phi) <= upper``.

    Same fields as ``proofs_check.evidence.CertificateCheck`` (``reference`` does not import
    ``proofs_check``); ``checks`` holds the recomputed numbers, ``reason`` why ``ok`` is False.
    """

    ok: bool
    lower: float
    upper: float
    checks: dict = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, eq=False)
class PhiCertificate:
    """Primal and dual points of Def. 3.9's semidefinite program for ``L = x^T A x / 2``.

    * primal: the block values ``a`` (``D = diag(a_Phi(1), ..., a_Phi(d))``, objective
      ``value = sum_b d_b a_b = Tr(D)``), feasible when ``D - P_k >= 0`` for every ``P_k``;
    * dual: ``Z_k >= 0`` (one per ``P_k``) with ``sum_k Tr(E_b Z_k) <= d_b``, whose objective
      ``sum_k <P_k, Z_k>`` is a lower bound (weak duality: ``a >= 0`` for every feasible D, so
      ``Tr(D) = sum_b d_b a_b >= sum_b a_b sum_k Tr(E_b Z_k) = sum_k <D, Z_k> >= sum_k <P_k, Z_k>``);
    * ``P = (|A|,)`` for ``dominate="abs"`` (Def. 3.9), ``(A, -A)`` for ``dominate="pm"``.

    ``value`` and ``lower`` are what the solver claims; :meth:`verify` re-checks them from ``A`` and
    the points alone (:func:`verify_phi_certificate`).
    """

    A: np.ndarray
    blocks: np.ndarray   # (d,) compact block ids 0..B-1
    dominate: str
    a: np.ndarray        # (B,) primal block values
    Z: tuple             # dual points, one (d, d) matrix per P_k
    value: float         # claimed upper bound: Tr(D)
    lower: float         # claimed lower bound
    rtol: float          # claimed relative gap

    def __post_init__(self) -> None:
        def frozen(x: Any) -> np.ndarray:
            y = np.array(x, copy=True)
            y.setflags(write=False)
            return y
        object.__setattr__(self, "A", frozen(self.A))
        object.__setattr__(self, "blocks", frozen(self.blocks))
        object.__setattr__(self, "a", frozen(self.a))
        object.__setattr__(self, "Z", tuple(frozen(z) for z in self.Z))

    @property
    def instance(self) -> dict[str, Any]:
        """The problem certified, by the keys of its case's inputs: ``d`` and ``A_digest``
        (:func:`reference.problems.base.instance_digest` of the symmetrized ``A`` it holds)."""
        out: dict[str, Any] = {"A_digest": instance_digest(self.A)}
        if self.A.ndim == 2:
            out["d"] = int(self.A.shape[0])
        return out

    def verify(self) -> CertificateCheck:
        """Independent re-verification (:func:`verify_phi_certificate`); computed once per certificate."""
        cached = self.__dict__.get("_check")
        if cached is None:
            cached = verify_phi_certificate(self)
            object.__setattr__(self, "_check", cached)
        return cached


def _gamma(n: float) -> float:
    """``gamma_n = n u / (1 - n u)`` (Higham, Sec. 3.1), u = 2^-53."""
    u = 2.0**-53
    return n * u / (1.0 - n * u)


def _targets(A: np.ndarray, dominate: str) -> list[np.ndarray]:
    if dominate == "abs":
        return [matrix_abs(A)]
    if dominate == "pm":
        return [A, -A]
    raise ValueError(f"dominate must be 'abs' or 'pm', got {dominate!r}")


def verify_phi_certificate(cert: PhiCertificate) -> CertificateCheck:
    """Re-verify a :class:`PhiCertificate` from ``A`` and its points, sharing nothing with the solver.

    Every eigenvalue is recomputed with ``numpy.linalg.eigvalsh`` (backward stable: the computed
    eigenvalues of M are exact for ``M + E``, ``||E||_2 <= p(d) u ||M||_2``; we allow ``p(d) = 8d``,
    and ``(2 + log2 d)`` times that for ``|A|``, whose map A -> |A| has operator-Lipschitz constant
    O(log d)).  With ``e_k`` that allowance:

    * primal: ``lam_k = lambda_min(D - P_k) >= -e_k`` for every k; then ``D + delta I`` with
      ``delta = max_k max(0, e_k - lam_k)`` is certainly feasible and still follows Phi, so
      ``upper = Tr(D) + d delta``;
    * dual: ``lambda_min(Z_k) >= -e'_k``; then ``Z'_k = Z_k + zeta_k I`` with ``zeta_k = max(0, e'_k -
      lambda_min(Z_k))`` is certainly PSD; scaled by ``s = min_b d_b / sum_k Tr(E_b Z'_k)`` it satisfies the
      trace constraints, so ``lower = s sum_k <P_k, Z'_k>`` minus the rounding of the inner products
      (``gamma_(d^2) sum |P_k| |Z'_k|``) and minus the error of the computed ``P_k`` itself: with
      ``||P_k - Phat_k||_2 <= e_P = gamma_(8d) (2 + log2 d) ||A||_2`` (the allowance the primal side makes)
      and ``Z'_k >= 0``, ``|<P_k - Phat_k, Z'_k>| <= e_P Tr(Z'_k)``, so ``s e_P sum_k Tr(Z'_k)`` (at most
      ``d e_P``) is subtracted;
    * the claims: ``value`` and ``lower`` are finite reals and ``0 < rtol < 1``; ``value`` is ``Tr(D)``,
      the claimed ``lower`` does not exceed the certified one, the claimed bracket is not inverted, weak
      duality holds between the certified bounds, and the certified gap meets the claimed ``rtol`` (the
      stop test was not passed vacuously).

    A certificate whose fields cannot be read (wrong shapes or dtypes -- block ids must be integers --,
    non-finite entries, a non-real ``value``) gives ``ok=False`` with the field named in ``reason``; it
    never raises.
    """
    checks: dict[str, Any] = {}
    bad = lambda why, lo=-math.inf, hi=math.inf: CertificateCheck(False, lo, hi, checks, why)  # noqa: E731
    fields = _read_fields(cert)
    if isinstance(fields, str):
        return bad(f"malformed certificate: {fields}")
    A, idx, a, value, claimed_lower, rtol = fields
    d = A.shape[0]
    checks.update(d=d, blocks=int(a.size))
    sizes = np.bincount(idx, minlength=a.size).astype(np.float64)
    if np.any(sizes == 0):
        return bad("a block without coordinates")
    try:
        P = _targets(0.5 * (A + A.T), cert.dominate)
    except ValueError as exc:
        return bad(str(exc))
    if len(cert.Z) != len(P):
        return bad(f"{len(cert.Z)} dual matrices for {len(P)} domination constraints")
    normA = float(np.max(np.abs(np.linalg.eigvalsh(0.5 * (A + A.T)))))
    g = _gamma(8 * d)
    e_P = g * (2.0 + math.log2(d)) * normA  # ||P_k - computed P_k||_2 (|A|: operator-Lipschitz O(log d))
    # ---- primal point
    D = np.diag(a[idx])
    trace_D = float(sizes @ a)
    delta, lams = 0.0, []
    for Pk in P:
        w = np.linalg.eigvalsh(D - Pk)
        e = g * float(np.max(np.abs(w))) + e_P
        lams.append(float(w[0]))
        if w[0] < -e:
            checks["primal_lambda_min"] = lams
            return bad(f"primal point infeasible: lambda_min(D - P) = {w[0]:.3g} < -{e:.2g} (rounding)")
        delta = max(delta, e - float(w[0]), 0.0)
    upper = trace_D + d * delta
    checks.update(primal_lambda_min=lams, primal_shift=delta, trace_D=trace_D)
    # ---- dual points
    traces = np.zeros(a.size)
    raw_traces = np.zeros(a.size)
    inner, raw_inner, inner_abs, zetas = 0.0, 0.0, 0.0, []
    for Pk, Zk in zip(P, cert.Z):
        try:
            Zk = np.asarray(Zk, dtype=np.float64)
        except (TypeError, ValueError):
            return bad("malformed certificate: Z must hold real matrices")
        if Zk.shape != (d, d) or not np.all(np.isfinite(Zk)):
            return bad(f"malformed certificate: Z must hold finite {d} x {d} matrices, got shape {Zk.shape}")
        if float(np.max(np.abs(Zk - Zk.T))) > g * float(np.max(np.abs(Zk))):
            return bad("dual matrix not symmetric")
        Zk = 0.5 * (Zk + Zk.T)
        w = np.linalg.eigvalsh(Zk)
        e = g * float(np.max(np.abs(w)))
        if w[0] < -e:
            checks["dual_lambda_min"] = float(w[0])
            return bad(f"dual point not positive semidefinite: lambda_min(Z) = {w[0]:.3g} < -{e:.2g} (rounding)")
        zeta = max(0.0, e - float(w[0]))
        zetas.append(zeta)
        traces += np.bincount(idx, weights=np.diag(Zk) + zeta, minlength=a.size)
        raw_traces += np.bincount(idx, weights=np.diag(Zk), minlength=a.size)
        raw_inner += float(np.sum(Pk * Zk))
        inner += float(np.sum(Pk * Zk)) + zeta * float(np.trace(Pk))
        inner_abs += float(np.sum(np.abs(Pk) * np.abs(Zk))) + zeta * float(np.sum(np.abs(np.diag(Pk))))
    if np.any(raw_traces <= 0):
        return bad("a block of the dual point has zero trace")
    s = float(np.min(sizes / traces))
    inner_rounding = _gamma(d * d + 2 * d) * inner_abs       # rounding of the inner products
    p_error = e_P * float(np.sum(traces))                     # |<P_k - computed P_k, Z'_k>| <= e_P Tr(Z'_k)
    lower = s * (inner - inner_rounding - p_error)            # certified: rounding repaired, conservative
    raw_lower = float(np.min(sizes / raw_traces)) * raw_inner  # what the dual point gives without the allowances
    checks.update(dual_shift=zetas, dual_scale=s, dual_objective=raw_lower, rounding_allowance=raw_lower - lower,
                  target_error_allowance=s * p_error)
    # ---- the claims
    tol = _gamma(64 * d) * max(abs(upper), abs(lower))
    slack = d * delta + s * (inner_rounding + p_error)  # what the rounding allowances cost
    checks.update(claimed_value=value, claimed_lower=claimed_lower, gap=upper - lower,
                  relative_gap=(upper - lower) / abs(upper) if upper else 0.0, claimed_rtol=rtol)
    if abs(value - trace_D) > tol:
        return bad(f"claimed value {value!r} is not Tr(D) = {trace_D!r}", lower, upper)
    if claimed_lower > raw_lower + tol:
        return bad(f"claimed lower bound {claimed_lower!r} exceeds the dual objective {raw_lower!r} of the dual point",
                   lower, upper)
    if claimed_lower > value:
        return bad("claimed bracket inverted (lower > value)", lower, upper)
    if lower > upper + tol:
        return bad(f"weak duality violated: certified lower {lower!r} > upper {upper!r}", lower, upper)
    if upper - lower > rtol * abs(upper) + slack + tol:
        return bad(f"certified gap {upper - lower:.3g} exceeds the claimed rtol {rtol:g} x {abs(upper):.6g}",
                   lower, upper)
    return CertificateCheck(True, lower, upper, checks)


def _real_scalar(x: Any) -> float | None:
    """``x`` as a float if it is a real (non-bool) scalar, else None."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        return None
    return float(x)


def _read_fields(cert: PhiCertificate) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, float] | str:
    """The certificate's fields as arrays and floats, or why they cannot be read (the field named)."""
    try:
        A = np.asarray(cert.A, dtype=np.float64)
        a = np.asarray(cert.a, dtype=np.float64)
    except (TypeError, ValueError):
        return "A and a must be real arrays"
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] < 1 or not np.all(np.isfinite(A)):
        return f"A must be a finite square matrix, got shape {A.shape}"
    d = A.shape[0]
    idx = np.asarray(cert.blocks)
    if idx.dtype.kind not in "iu" or idx.shape != (d,):
        return f"blocks must be {d} integer block ids, got dtype {idx.dtype} and shape {idx.shape}"
    if a.ndim != 1 or a.size < 1 or not np.all(np.isfinite(a)):
        return f"a must be a non-empty finite vector (one value per block), got shape {a.shape}"
    if int(idx.min()) < 0 or int(idx.max()) != a.size - 1:
        return f"blocks must be the compact ids 0..{a.size - 1} (one per entry of a), got {int(idx.min())}..{int(idx.max())}"
    value, lower, rtol = (_real_scalar(x) for x in (cert.value, cert.lower, cert.rtol))
    if value is None or not math.isfinite(value):
        return f"value must be a finite real number, got {cert.value!r}"
    if lower is None or not math.isfinite(lower):
        return f"lower must be a finite real number, got {cert.lower!r}"
    if rtol is None or not 0.0 < rtol < 1.0:
        return f"rtol must be a real number in (0, 1), got {cert.rtol!r}"
    return A, idx.astype(np.int64), a, value, lower, rtol


class PhiSmoothness(NamedTuple):
    """Certified solution of Def. 3.9's program: ``lower <= H(L, Phi) <= value``, with the primal and
    dual points in ``certificate`` (:meth:`PhiCertificate.verify` re-checks them)."""

    value: float        # Tr(D) of the feasible D returned (an upper bound, attained by ``diag``)
    lower: float        # a dual lower bound
    diag: np.ndarray    # (d,) the diagonal of D, constant within each block
    iterations: int     # interior-point iterations taken
    certificate: PhiCertificate | None = None


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


# --------------------------------------------------------------------------- the interior-point solver


def _chol(M: np.ndarray) -> np.ndarray | None:
    try:
        return np.linalg.cholesky(M)
    except np.linalg.LinAlgError:
        return None


def _tri_inv(L: np.ndarray) -> np.ndarray:
    """``L^(-1)`` of a lower-triangular factor (LAPACK trtri).  A triangular solve with a matrix right-hand
    side (trsm/trtrs) costs far more at small d under threaded OpenBLAS."""
    Li, info = scipy.linalg.lapack.dtrtri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("trtri failed")
    return np.tril(Li)


def _inv_from_chol(L: np.ndarray) -> np.ndarray:
    """``(L L^T)^(-1)`` from the lower Cholesky factor (LAPACK potri)."""
    inv, info = scipy.linalg.lapack.dpotri(L, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("potri failed")
    return np.tril(inv) + np.tril(inv, -1).T


def _inv_from_tri_inv(Li: np.ndarray) -> np.ndarray:
    """``(L L^T)^(-1) = L^(-T) L^(-1)``, symmetrised."""
    M = Li.T @ Li
    return 0.5 * (M + M.T)


def _max_step(L: np.ndarray, Li: np.ndarray | None, delta: np.ndarray) -> float:
    """``sup {alpha >= 0 : L L^T + alpha Delta >= 0}`` (``Delta`` symmetric, or a vector = a diagonal):
    ``-1 / lambda_min(L^-1 Delta L^-T)`` (inf when that is >= 0).  Dense eigenvalues up to d = 300 (``Li = L^-1``
    given), Lanczos with triangular solves above (the caller backtracks if a step fails its Cholesky test)."""
    d = L.shape[0]
    diag = delta.ndim == 1
    if Li is not None:
        return _max_step_dense(Li, delta)
    trtrs = scipy.linalg.lapack.dtrtrs
    U = L.T  # Fortran-ordered view of the C-ordered factor (LAPACK would copy L on every call)

    def mv(v: np.ndarray) -> np.ndarray:
        y = trtrs(U, v, lower=0)[0]            # L^T y = v
        y = delta * y if diag else delta @ y
        return trtrs(U, y, lower=0, trans=1)[0]  # L z = y
    op = scipy.sparse.linalg.LinearOperator((d, d), matvec=mv, dtype=np.float64)
    try:
        lam = float(scipy.sparse.linalg.eigsh(op, k=1, which="SA", tol=1e-3, maxiter=20 * d,
                                              return_eigenvectors=False)[0])
    except scipy.sparse.linalg.ArpackNoConvergence:
        return _max_step_dense(_tri_inv(L), delta)
    lam -= 1e-3 * abs(lam)  # Lanczos converges from above: err on the short side
    return math.inf if lam >= 0 else -1.0 / lam


def _max_step_dense(Li: np.ndarray, delta: np.ndarray) -> float:
    W = (Li * delta[None, :]) @ Li.T if delta.ndim == 1 else Li @ delta @ Li.T
    lam = float(np.linalg.eigvalsh(0.5 * (W + W.T))[0])
    return math.inf if lam >= 0 else -1.0 / lam


def _solve(P: list[np.ndarray], idx: np.ndarray, c: np.ndarray, rtol: float, max_iter: int
           ) -> tuple[np.ndarray, list[np.ndarray], float, float, int]:
    """Primal-dual interior-point method (HKM direction, Mehrotra predictor-corrector) for
    ``min c^T a s.t. diag(a[idx]) - P_k >= 0`` and its dual ``max sum_k <P_k, X_k> s.t. X_k >= 0,
    sum_k Tr(E_b X_k) = c_b``.  Returns (a, X, value, lower, iterations)."""
    d, B, K = idx.size, c.size, len(P)
    singletons = B == d
    dense = d <= _DENSE_STEP_D
    E = None if singletons else np.eye(B)[idx]

    def btr(M: np.ndarray) -> np.ndarray:  # (Tr(E_b M))_b
        return np.bincount(idx, weights=np.diag(M), minlength=B)

    def bsum(M: np.ndarray) -> np.ndarray:  # E^T M E
        if singletons:
            out = np.empty_like(M)
            out[np.ix_(idx, idx)] = M
            return out
        return E.T @ M @ E

    top = max(float(np.linalg.eigvalsh(Pk)[-1]) for Pk in P)
    scale = float(np.max(np.abs(P[0])))
    a = np.full(B, max(top, 0.0) + scale)       # strictly feasible: D - P_k >= scale I
    X = [np.eye(d) / K for _ in P]               # strictly feasible: sum_k Tr(E_b X_k) = d_b
    best_lower, n = -math.inf, K * d
    S = [np.diag(a[idx]) - Pk for Pk in P]
    LS = [_chol(Sk) for Sk in S]
    for it in range(1, max_iter + 1):
        LX = [_chol(Xk) for Xk in X]
        if any(L is None for L in LS + LX):  # pragma: no cover - the step rule keeps both interior
            raise RuntimeError("phi_smoothness: lost interiority")
        if dense:  # inverse factors for the dense step lengths; S^-1 from them
            LSi, LXi = [_tri_inv(L) for L in LS], [_tri_inv(L) for L in LX]
            Si = [_inv_from_tri_inv(Li) for Li in LSi]
        else:      # Lanczos step lengths need only the factors
            LSi, LXi = [None] * K, [None] * K
            Si = [_inv_from_chol(L) for L in LS]
        value = float(c @ a)
        traces = sum(btr(Xk) for Xk in X)
        inner = sum(float(np.sum(Pk * Xk)) for Pk, Xk in zip(P, X))
        best_lower = max(best_lower, float(np.min(c / traces)) * inner)  # scaled to sum_k Tr(E_b X_k) <= d_b
        if value - best_lower <= rtol * abs(value) and best_lower <= value:
            return a, X, value, best_lower, it
        mu = sum(float(np.sum(Xk * Sk)) for Xk, Sk in zip(X, S)) / n
        rp = c - traces
        Mc = scipy.linalg.cho_factor(sum(bsum(Xk * Sik) for Xk, Sik in zip(X, Si)))
        trSi = sum(btr(Sik) for Sik in Si)

        def direction(sigma: float, corr: list[np.ndarray] | None):
            rhs = sigma * mu * trSi - c
            if corr is not None:
                rhs = rhs - sum(btr(Ck) for Ck in corr)
            da = scipy.linalg.cho_solve(Mc, rhs)
            ds = da[idx]
            dX = []
            for k in range(K):
                Tm = sigma * mu * Si[k] - X[k] - (X[k] * ds[None, :]) @ Si[k]
                if corr is not None:
                    Tm -= corr[k]
                dX.append(0.5 * (Tm + Tm.T))
            return da, ds, dX

        da, ds, dX = direction(0.0, None)
        ap = min(1.0, min(_max_step(L, Li, D_) for L, Li, D_ in zip(LX, LXi, dX)))
        ad = min(1.0, min(_max_step(L, Li, ds) for L, Li in zip(LS, LSi)))
        mu_aff = sum(float(np.sum((Xk + ap * dXk) * (Sk + ad * np.diag(ds)))) for Xk, dXk, Sk in zip(X, dX, S)) / n
        sigma = min(1.0, (max(mu_aff, 0.0) / mu) ** 3)
        corr = [(dXk * ds[None, :]) @ Sik for dXk, Sik in zip(dX, Si)]
        da, ds, dX = direction(sigma, corr)
        ap = min(1.0, 0.95 * min(_max_step(L, Li, D_) for L, Li, D_ in zip(LX, LXi, dX)))
        ad = min(1.0, 0.95 * min(_max_step(L, Li, ds) for L, Li in zip(LS, LSi)))
        for _ in range(60):  # backtrack until both new points pass Cholesky (Lanczos may overshoot)
            Xn = [Xk + ap * dXk for Xk, dXk in zip(X, dX)]
            if all(_chol(Xk) is not None for Xk in Xn):
                break
            ap *= 0.8
        for _ in range(60):
            an = a + ad * da
            Sn = [np.diag(an[idx]) - Pk for Pk in P]
            LSn = [_chol(Sk) for Sk in Sn]
            if all(L is not None for L in LSn):
                break
            ad *= 0.8
        if ap * max(float(np.max(np.abs(dXk))) for dXk in dX) <= 1e-15 * max(float(np.max(np.abs(Xk))) for Xk in X) \
                and ad * float(np.max(np.abs(da))) <= 1e-15 * float(np.max(np.abs(a))):
            break  # no representable progress: stop with the best certified bracket
        X, a, S, LS = Xn, an, Sn, LSn
    raise RuntimeError(f"phi_smoothness: relative gap {(value - best_lower) / abs(value):.3g} not below rtol {rtol:g} "
                       f"after {it} iterations")


def phi_smoothness(A: Any, blocks: Any, *, dominate: str = "abs", rtol: float = 1e-6,
                   max_iter: int = 100) -> PhiSmoothness:
    """``H(L, Phi)`` of ``L = x^T A x / 2`` (adamlinf Def. 3.9), certified to relative gap ``rtol``.

    A primal-dual interior-point method (:func:`_solve`: HKM direction, Mehrotra predictor-corrector,
    strictly feasible start) stops when its dual lower bound is within ``rtol`` of its primal value
    (and not above it).  The returned :class:`PhiSmoothness` carries the primal and dual points as a
    :class:`PhiCertificate`, which :func:`verify_phi_certificate` re-checks independently.
    ``d <= MAX_SDP_D`` (1500), ``1e-14 <= rtol < 1``; ``RuntimeError`` if the gap is not reached.
    """
    A = _symmetric(A)
    d = A.shape[0]
    if d > MAX_SDP_D:
        raise ValueError(f"phi_smoothness: A must be at most {MAX_SDP_D} x {MAX_SDP_D} (a dense O(d^3) "
                         f"interior-point method), got d = {d}")
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float, np.integer, np.floating)) \
            or not 1e-14 <= float(rtol) < 1:
        raise ValueError(f"rtol must be a real number in [1e-14, 1), got {rtol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    idx = block_index(blocks, d)
    B = int(idx.max()) + 1
    c = np.bincount(idx, minlength=B).astype(np.float64)  # d_b
    P = _targets(A, dominate)
    if not np.any(A):
        a = np.zeros(B)
        Z = tuple(np.eye(d) / len(P) for _ in P)
        cert = PhiCertificate(A, idx, dominate, a, Z, 0.0, 0.0, float(rtol))
        return PhiSmoothness(0.0, 0.0, a[idx].copy(), 0, cert)
    a, X, value, lower, iters = _solve(P, idx, c, float(rtol), int(max_iter))
    cert = PhiCertificate(A, idx, dominate, a.copy(), tuple(X), value, lower, float(rtol))
    return PhiSmoothness(value, lower, a[idx].copy(), iters, cert)


def phi_norm_smoothness(A: Any, blocks: str) -> float:
    """``sup_{||u||_Phi <= 1} |u^T A u|`` (adamlinf Sec. 3.3) for ``blocks = "adam"`` (exact by
    enumeration of sign vectors, d <= 16, requires all ``A_ii`` of one sign) or ``"adasgd"``
    (``d ||A||_2``).

    This is the paper's expression for the smoothness under the Phi-norm; it equals the latter,
    ``sup_{||u||_Phi <= 1} ||A u||_{Phi,*}``, for semidefinite A and for Phi_AdaSGD, but is smaller for
    indefinite A with Phi_Adam (``diag(1, -1)``: 1 against ``||A||_{inf->1}`` = 2)."""
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
