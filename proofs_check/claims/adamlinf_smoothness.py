"""adamlinf Definition 3.9 (Phi-smoothness), Lemma C.3 and Sec. 3.3's bounds on H(L, Phi).

Everything is computed exactly on quadratics ``L(x) = x^T A x / 2`` (constant Hessian ``A``, so
the ``sup_x`` of the definitions disappears) with :mod:`reference.problems.phi_smoothness`:
``H(L, Phi)`` by an SDP solve whose primal and dual points are a certificate the judge re-verifies
(:class:`~proofs_check.evidence.Certified`; relative gap ``RTOL``), the smoothness under the Phi-norm by
enumeration of sign vectors (Phi_Adam) or ``d ||A||_2`` (Phi_AdaSGD), and Def. C.2's blockwise constants in
closed form (Phi_Adam: row l1 norms; Phi_AdaSGD: ||A||_2; for other partitions Def. C.2's H_b is a
nonconvex maximum, so Lemma C.3 is checked for these two).

Searched domain of the random quadratics (:func:`random_cases`): symmetric A of dimension 3..7 of four
kinds (PSD, zero-diagonal indefinite, entrywise nonnegative, general indefinite) plus the stars K_{1,n};
the supremum over Delta in Lemma C.3 is exact (a generalized eigenvalue).

Notation (adamlinf Sec. 2): ``|A| = (A^T A)^(1/2)``; Def. 3.9 asks ``D >= |grad^2 L(x)|``.

* Sec. 3.3 states ``H(L, Phi_AdaSGD) = d sup_x ||grad^2 L(x)||_2`` (= the smoothness under the
  Phi_AdaSGD-norm), ``H(L, Phi) >= `` the smoothness under the Phi-norm, and that ``H`` does not
  increase when the partition is refined (Phi_Adam smallest, Phi_AdaSGD largest).
* Lemma C.3: ``|Delta^T grad^2 L Delta| <= sum_b H_b ||Delta_(b)||^2`` (15) for Def. C.2's H_b;
  "Then the diagonal matrix ... A_ii = H_Phi(i) ... dominates |grad^2 L(x)|".
* Sec. 3.3 / App. C.2: "So H(L, Phi_Adam) is at most sum_i H_i" -- the step from Theorem 3.11
  to Theorem 3.5, and the "Upper Bound" column ``||grad^2 L||_{1,1}`` of Tables 2 and 3.

(15) says ``D >= A`` and ``D >= -A``; that does not give ``D >= |A|`` when A is indefinite (the
Loewner order has no lattice structure).  The smallest counterexample is the star K_{1,2}
(path on 3 vertices): row sums (2, 1, 1) but ``|A| = diag(sqrt2, J/sqrt2)`` and
``lambda_min(diag(2,1,1) - |A|) = 1 - sqrt2``; ``H(L, Phi_Adam) = 3 sqrt2 > 4 = sum_i H_i``.
A loss that is bounded below with exactly this Hessian at 0 and exactly these H_i:
``L(x) = sin(x_0) (sin x_1 + sin x_2)`` (row sums of its Hessian are at most
``sum_j (|sin x_0 sin x_j| + |cos x_0 cos x_j|) <= 2`` and ``|cos x_0 cos x_j| + |sin x_0 sin x_j| <= 1``
by Cauchy-Schwarz, with equality at 0).
"""

from __future__ import annotations

import math

import numpy as np

from reference.problems.base import instance_digest
from reference.problems.linalg import inf_to_one_norm
from reference.problems.phi_smoothness import (
    ADAM,
    ADASGD,
    blockwise_constants,
    matrix_abs,
    phi_smoothness,
)

from ..evidence import Bound, Case, Certified, Exact, Identity, Instances, Rounding, Searched
from ..perturb import Params, SetParam
from ..registry import Check, Claim, Context, Verdict, register

__all__ = ["star", "sine_star_hessian", "random_cases", "lemma_c3_ratio", "dominance_gap", "dominance_ratio", "RTOL",
           "box_quadratic_max", "pair_symmetric"]

RTOL = 1e-8  # relative gap asked of phi_smoothness: certified brackets well inside the policy's search_rel


def star(n: int) -> np.ndarray:
    """Adjacency matrix of the star K_{1,n} (centre 0): indefinite, eigenvalues +-sqrt(n), 0."""
    A = np.zeros((n + 1, n + 1))
    A[0, 1:] = A[1:, 0] = 1.0
    return A


def pair_symmetric(n_pairs: int, seed: int) -> np.ndarray:
    """Block-diagonal A with 2 x 2 blocks [[a, b], [b, a]]: swapping a pair maps the SDP to itself, so the
    optimal D is constant on pairs and H(L, Phi_Adam) = H(L, Phi_pairs) (refinement attained)."""
    rng = np.random.default_rng(seed)
    A = np.zeros((2 * n_pairs, 2 * n_pairs))
    for k in range(n_pairs):
        a, b = rng.standard_normal(2)
        A[2 * k:2 * k + 2, 2 * k:2 * k + 2] = [[a, b], [b, a]]
    return A


def sine_star_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of ``L(x) = sin(x_0)(sin x_1 + sin x_2)`` at x (shape (..., 3) -> (..., 3, 3))."""
    s, c = np.sin(x), np.cos(x)
    H = np.zeros(x.shape[:-1] + (3, 3))
    H[..., 0, 0] = -s[..., 0] * (s[..., 1] + s[..., 2])
    for j in (1, 2):
        H[..., 0, j] = H[..., j, 0] = c[..., 0] * c[..., j]
        H[..., j, j] = -s[..., 0] * s[..., j]
    return H


P_EDGE = 7 / 10  # density of the zero-diagonal (adjacency-like) test matrices


def random_cases(seed: int, n: int) -> list[tuple[str, np.ndarray]]:
    """Random symmetric test matrices, d in 3..7: PSD, indefinite with zero diagonal (adjacency-like,
    so the Phi_Adam-norm supremum is at a vertex), entrywise nonnegative, general indefinite."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        d = int(rng.integers(3, 8))
        M = rng.standard_normal((d, d))
        kind = ("psd", "zero-diagonal", "nonnegative", "indefinite")[k % 4]
        if kind == "psd":
            A = M @ M.T / d
        elif kind == "zero-diagonal":
            A = (M + M.T) / 2 * (rng.random((d, d)) < P_EDGE)
            A = np.triu(A, 1) + np.triu(A, 1).T
        elif kind == "nonnegative":
            A = np.abs(M + M.T) / 2
        else:
            A = (M + M.T) / 2
        out.append((kind, A))
    return out


def _sdp(A: np.ndarray, blocks, dominate: str = "abs"):
    return phi_smoothness(A, blocks, dominate=dominate, rtol=RTOL)


def _sdp_ops(d: int) -> float:
    """Operation count behind a certified value: the verification's eigenvalue allowance p(d) = 8 d."""
    return 8.0 * d


# --------------------------------------------------------------------------- Def. 3.9 / Sec. 3.3


def _def39(ctx: Context, p: Params) -> tuple[Bound, Bound, Bound, Bound]:
    """(i) H(L, Phi_AdaSGD) = d ||A||_2 (declared closed form), an equality: the closed form is compared with every
    case's certified bracket from both sides (an upper and a lower Bound; a case whose bracket misses the closed
    form violates one of them, so "tight" means every bracket contains it); (ii) the Phi_Adam-norm smoothness <=
    H(L, Phi_Adam); (iii) H(Phi_Adam) <= H(pairs) <= H(Phi_AdaSGD) -- every H certified.  (ii) holds for
    indefinite A too: |v^T A u| <= sqrt(v^T |A| v u^T |A| u) <= sqrt(v^T D v u^T D u) <= Tr(D) on the l_inf ball."""
    cases = random_cases(ctx.seed, ctx.pick(16, 40)) + [("pair-symmetric", pair_symmetric(3, ctx.seed))]
    closed, c_cert, phinorm, p_cert, refine, r_cert = [], [], [], [], [], []
    for kind, A in cases:
        d = A.shape[0]
        h_adam, h_pairs, h_ada = _sdp(A, ADAM), _sdp(A, np.arange(d) // 2), _sdp(A, ADASGD)
        form = d * (np.linalg.norm(A) if p.adasgd_closed_form == "frobenius" else np.max(np.abs(np.linalg.eigvalsh(A))))
        closed.append(Case(h_ada.value, float(form), {"kind": kind, "d": d, "A": A.tolist(), "A_digest": instance_digest(A)},
                           ops=_sdp_ops(d)))
        c_cert.append(h_ada.certificate)
        # the smoothness under the Phi_Adam-norm: sup_{||u||_inf <= 1} ||A u||_1 = ||A||_inf->1 (the bilinear supremum;
        # the paper's quadratic form |u^T A u| is smaller for indefinite A: adamlinf.sec3_3.phi_norm_identity)
        phinorm.append(Case(h_adam.value, inf_to_one_norm(A)[0], {"kind": kind, "d": d, "A": A.tolist(),
                                                                   "A_digest": instance_digest(A)}, ops=_sdp_ops(d)))
        p_cert.append(h_adam.certificate)
        for small, big, name in ((h_adam, h_pairs, "Adam <= pairs"), (h_pairs, h_ada, "pairs <= AdaSGD")):
            refine.append(Case(small.value, big.value, {"kind": kind, "d": d, "order": name, "A": A.tolist(),
                                                                 "A_digest": instance_digest(A)},
                               ops=_sdp_ops(d)))
            r_cert.append(small.certificate)
    form = "d ||A||_F" if p.adasgd_closed_form == "frobenius" else "d ||A||_2"
    dom = {"A": f"{len(cases)} random symmetric matrices (PSD, zero-diagonal, nonnegative, indefinite; d = 3..7) + a "
                "pair-symmetric block-diagonal one"}
    closed_method = Certified(tuple(c_cert), "SDP primal/dual points", dom)
    return (Bound(f"H(L, Phi_AdaSGD) <= {form} (the equality's upper half)", tuple(closed), closed_method,
                  note=f"every case's certified bracket against {form}"),
            Bound(f"H(L, Phi_AdaSGD) >= {form} (the equality's lower half)", tuple(closed), closed_method, sense="lower",
                  note=f"every case's certified bracket against {form}"),
            Bound("smoothness under the Phi_Adam-norm <= H(L, Phi_Adam)", tuple(phinorm),
                  Certified(tuple(p_cert), "SDP primal/dual points; ||A||_inf->1 by sign-vector enumeration", dom),
                  sense="lower", note="the Phi_Adam-norm smoothness ||A||_inf->1; equal for entrywise nonnegative PSD A"),
            Bound("H(L, Phi_Adam) <= H(L, Phi_pairs) <= H(L, Phi_AdaSGD) (refinement does not increase H)",
                  tuple(refine), Certified(tuple(r_cert), "SDP primal/dual points of the finer partition", dom),
                  note="the coarser partition's H (its solver value, an upper bound) as the bound; equal on the "
                       "pair-symmetric A"))


register(Claim(
    id="adamlinf.def3_9.phi_smoothness",
    source="adamlinf Definition 3.9, Eq. (1), Sec. 3.3",
    statement="H(L,Phi) = min Tr(A) over diagonal A following Phi with A >= |grad^2 L(x)| for all x; it is no smaller "
              "than the smoothness under the Phi-norm, non-increasing under refinement of Phi, and "
              "H(L,Phi_AdaSGD) = d sup_x ||grad^2 L(x)||_2",
    expected=Verdict.TIGHT,
    checks=(Check("certified SDP on random quadratics vs closed forms and sign-vector enumeration", _def39,
                  Verdict.TIGHT, SetParam("adasgd_closed_form", "frobenius", "constant",
                                          "d ||A||_F in place of d ||A||_2"),
                  {"adasgd_closed_form": "spectral"}),),
    note="All three statements hold on every quadratic tried, and each is attained: H(L, Phi_AdaSGD) equals "
         "d ||A||_2 within every certificate's bracket (checked from both sides), the Phi-norm bound is attained for entrywise nonnegative PSD "
         "Hessians, and refinement keeps H equal for a pair-symmetric Hessian.",
))


# --------------------------------------------------------------------------- Lemma C.3, inequality (15)


def lemma_c3_ratio(A: np.ndarray, blocks: str, scale: float = 1.0) -> float:
    """``sup_Delta |Delta^T A Delta| / sum_b H_b ||Delta_(b)||^2`` for Def. C.2's H_b (times ``scale``):
    the generalized eigenvalue ``||D^(-1/2) A D^(-1/2)||_2`` with ``D = diag(H_Phi(i))`` (0/0 := 0)."""
    H = blockwise_constants(A, blocks) * scale
    Dd = np.broadcast_to(H, (A.shape[0],)) if blocks == ADASGD else H
    inv = np.where(Dd > 0, 1.0 / np.sqrt(np.where(Dd > 0, Dd, 1.0)), 0.0)
    w = np.linalg.eigvalsh(inv[:, None] * A * inv[None, :])
    return float(max(abs(w[0]), abs(w[-1])))


def _lemma_c3(ctx: Context, p: Params) -> Bound:
    cases = random_cases(ctx.seed + 1, ctx.pick(40, 400)) + [("star K_{1,2}", star(2))]
    out = []
    for kind, A in cases:
        d = A.shape[0]
        for blocks in (ADAM, ADASGD):
            out.append(Case(lemma_c3_ratio(A, blocks, p.H_scale), 1.0, {"kind": kind, "Phi": blocks, "d": d,
                                                                         "A": A.tolist()}, ops=8.0 * d * d))
    return Bound("|Delta^T grad^2 L Delta| <= sum_b H_b ||Delta_(b)||^2 (15), as sup over Delta of the ratio <= 1",
                 tuple(out), Searched({"A": "random symmetric d = 3..7 (4 kinds) + star K_{1,2}",
                                       "Delta": "exact supremum (generalized eigenvalue ||D^-1/2 A D^-1/2||_2)",
                                       "Phi": "Phi_Adam, Phi_AdaSGD (H_b of Def. C.2 exact)"},
                                      f"{len(cases)} matrices x 2 partitions"),
                 note="= 1 for every entrywise nonnegative A (Perron vector D^(1/2) 1) and for Phi_AdaSGD")


register(Claim(
    id="adamlinf.lemC3",
    source="adamlinf Lemma C.3, Eq. (15)",
    statement="For L H-blockwisely-smooth w.r.t. the Phi-norm (Def. C.2): |Delta^T grad^2 L(x) Delta| <= "
              "sum_b H_b ||Delta_(b)||_2^2 for any x, Delta",
    expected=Verdict.TIGHT,
    checks=(Check("exact sup of the quotient (generalized eigenvalue), Phi_Adam and Phi_AdaSGD", _lemma_c3,
                  Verdict.TIGHT, SetParam("H_scale", 0.999, "constant", "every H_b 0.1 % smaller"), {"H_scale": 1.0}),),
    note="Inequality (15) holds on every quadratic tried and is attained (entrywise nonnegative Hessians, and "
         "Phi_AdaSGD always).",
))


# --------------------------------------------------------------------------- Lemma C.3, last sentence


def dominance_gap(A: np.ndarray, H: np.ndarray, mode: str = "abs") -> float:
    """``lambda_min(diag(H) - |A|)`` (mode "abs", Def. 3.9's domination) or
    ``min(lambda_min(diag(H) - A), lambda_min(diag(H) + A))`` (mode "pm", what (15) gives)."""
    D = np.diag(H)
    if mode == "abs":
        return float(np.linalg.eigvalsh(D - matrix_abs(A))[0])
    return float(min(np.linalg.eigvalsh(D - A)[0], np.linalg.eigvalsh(D + A)[0]))


def dominance_ratio(A: np.ndarray, H: np.ndarray, mode: str = "abs") -> float:
    """``lambda_max(D^(-1/2) P D^(-1/2))`` with ``D = diag(H) > 0`` and ``P = |A|`` (mode "abs") or the larger of
    ``P = A, -A`` (mode "pm"): ``<= 1`` iff ``D >= P``."""
    inv = 1.0 / np.sqrt(H)
    Ps = [matrix_abs(A)] if mode == "abs" else [A, -A]
    return max(float(np.linalg.eigvalsh(inv[:, None] * P * inv[None, :])[-1]) for P in Ps)


def _dominance(ctx: Context, p: Params) -> Bound:
    cases = [(f"star K_1,{n}", star(n)) for n in (2, 3, 4, 8)] + \
        [(k, A) for k, A in random_cases(ctx.seed + 2, ctx.pick(40, 400)) if np.all(np.abs(A).sum(axis=1) > 0)]
    out = [Case(dominance_ratio(A, blockwise_constants(A, ADAM), p.domination), 1.0,
                {"A": name if name.startswith("star") else A.tolist(), "kind": name, "d": A.shape[0]},
                ops=16.0 * A.shape[0] ** 2) for name, A in cases]
    rng = np.random.default_rng(ctx.seed)
    X = rng.uniform(-np.pi, np.pi, size=(ctx.pick(20000, 200000), 3))
    row_sup = np.abs(sine_star_hessian(X)).sum(axis=-1).max(axis=0)
    return Bound("diag(H_Phi(i)) dominates |grad^2 L(x)| (Def. C.2's H_i, Phi_Adam): lambda_max(D^-1/2 |A| D^-1/2) <= 1",
                 tuple(out), Instances({"A": "stars K_{1,n} (n = 2, 3, 4, 8) and random symmetric d = 3..7"},
                                       "lambda_max of the scaled |A|, exact (eigvalsh)"),
                 note=f"domination of {'|A|' if p.domination == 'abs' else '+-A (what (15) proves)'}; star K_1,2: "
                      f"lambda_min(diag(2,1,1) - |A|) = 1 - sqrt2; a bounded-below loss with this Hessian at 0 and "
                      f"these H_i: L = sin x0 (sin x1 + sin x2) (sampled sup of its Hessian's row sums "
                      f"{np.round(row_sup, 6).tolist()}, proof: (2, 1, 1))",
                 details={"closed_form": "K_{1,n}: lambda_min(diag(n,1..1) - |A|) = 1 - sqrt(n)",
                          "bounded_below_example": "L(x) = sin(x0)(sin x1 + sin x2): grad^2 L(0) = star(2), row sums of "
                                                   "|grad^2 L(x)| <= (2, 1, 1) (|cos x0 cos xj| + |sin x0 sin xj| <= 1)"})


register(Claim(
    id="adamlinf.lemC3.dominance",
    source="adamlinf Lemma C.3 (last sentence), Sec. 3.3, App. C.2",
    statement="The diagonal matrix A defined by A_ii = H_Phi(i) follows partition Phi and dominates |grad^2 L(x)|",
    expected=Verdict.REFUTED,
    checks=(Check("lambda_max(D^-1/2 |A| D^-1/2) on stars and random quadratics", _dominance, Verdict.REFUTED,
                  SetParam("domination", "pm", "constant", "domination of +-A only (what (15) proves)"),
                  {"domination": "abs"}),),
    note="Inequality (15) gives D >= grad^2 L and D >= -grad^2 L, which does not imply D >= |grad^2 L| for an "
         "indefinite Hessian; the star K_{1,2} (Hessian at 0 of L = sin x0 (sin x1 + sin x2)) is a counterexample.",
))


# --------------------------------------------------------------------------- H(L, Phi_Adam) <= sum_i H_i


def _adam_bound(ctx: Context, p: Params) -> Bound:
    cases = [(f"star K_1,{n}", star(n)) for n in (2, 3, 8, 15)] + \
        [(k, A) for k, A in random_cases(ctx.seed + 3, ctx.pick(24, 200)) if k == "psd"]
    out, certs = [], []
    for name, A in cases:
        h = _sdp(A, ADAM, p.dominate)
        out.append(Case(h.value, float(blockwise_constants(A, ADAM).sum()),
                        {"A": name if name.startswith("star") else A.tolist(), "kind": name, "d": A.shape[0],
                         "A_digest": instance_digest(A)},
                        ops=_sdp_ops(A.shape[0])))
        certs.append(h.certificate)
    return Bound("H(L,Phi_Adam) <= sum_i H_i = ||grad^2 L||_{1,1} (quadratics)", tuple(out),
                 Certified(tuple(certs), "SDP primal/dual points",
                           {"A": "stars K_{1,n} (n = 2, 3, 8, 15; closed form (n+1) sqrt(n)) and random PSD d = 3..7"}),
                 note=f"Def. 3.9 with D >= {'|grad^2 L|' if p.dominate == 'abs' else '+-grad^2 L'}; for PSD Hessians "
                      "|A| = A <= diag(row sums) (diagonal dominance): the bound holds there")


register(Claim(
    id="adamlinf.sec3_3.adam_upper_bound",
    source="adamlinf Sec. 3.3, App. C.2, Tables 2-3 (upper bound column)",
    statement="When L is (H_1..H_d)-smooth coordinate-wisely w.r.t. l_inf, diag(H_1..H_d) >= |grad^2 L(x)|, so "
              "H(L, Phi_Adam) is at most sum_i H_i (for a quadratic: ||grad^2 L||_{1,1})",
    expected=Verdict.REFUTED,
    checks=(Check("certified SDP on stars K_{1,n} (indefinite) and random PSD quadratics", _adam_bound,
                  Verdict.REFUTED, SetParam("dominate", "pm", "constant", "H(L,Phi) defined with D >= +-grad^2 L"),
                  {"dominate": "abs"}),),
    note="Holds for convex losses (PSD Hessians); fails for indefinite ones, e.g. the star K_{1,n}, where "
         "H(L, Phi_Adam) = (n+1) sqrt(n) > 2n = sum_i H_i (also the Hessian at 0 of L = sin x0 (sin x1 + sin x2)).",
))


# --------------------------------------------------------------------------- Sec. 3.3: sup of the bilinear form


def box_quadratic_max(A: np.ndarray) -> float:
    """``max_{u in [-1,1]^d} u^T A u`` exactly (small d): the maximiser is a stationary point of the quadratic restricted
    to the relative interior of some face, so every face (each coordinate -1, +1 or free: 3^d of them) contributes its
    stationary point when it lies in the box.  Faces with the same free set F share ``A_FF``: their stationary points
    are one least-squares solve with a column per sign pattern of the fixed coordinates."""
    d = A.shape[0]
    atol = 64 * d * np.finfo(float).eps * (1 + np.abs(A).sum())
    best = -np.inf
    for mask in range(2 ** d):
        F = np.array([(mask >> i) & 1 == 1 for i in range(d)])  # the free coordinates
        fixed = ~F
        k = int(fixed.sum())
        signs = (1.0 - 2.0 * ((np.arange(2 ** k)[None, :] >> np.arange(k)[:, None]) & 1)) if k else np.zeros((0, 1))
        U = np.zeros((d, signs.shape[1]))
        U[fixed] = signs
        if F.any():
            rhs = -A[np.ix_(F, fixed)] @ signs
            sol, *_ = np.linalg.lstsq(A[np.ix_(F, F)], rhs, rcond=None)
            ok = np.all(np.abs(A[np.ix_(F, F)] @ sol - rhs) <= atol, axis=0) & np.all(np.abs(sol) <= 1, axis=0)
            U[F] = sol
            U = U[:, ok]
        if U.shape[1]:
            best = max(best, float(np.max(np.einsum("ik,ij,jk->k", U, A, U))))
    return best


def _phi_norm_identity(ctx: Context, p: Params) -> Identity:
    """Sec. 3.3: ``sup_{||u||_Phi <= 1} ||A u||_{Phi,*} = sup_{||u||_Phi <= 1} |u^T A u|`` for Phi_Adam (Phi-norm = l_inf,
    dual l_1): the left side is ``||A||_{inf->1}`` (sign-vector enumeration), the right side the exact maximum of
    ``|u^T A u|`` over the cube (:func:`box_quadratic_max` of A and -A)."""
    mats = [("diag(1, -1)", np.diag([1.0, -1.0])), ("star K_1,2", star(2))] + \
        random_cases(ctx.seed + 5, ctx.pick(16, 60))  # d = 3..7, every face enumerated
    if p.hessians == "semidefinite":
        mats = [(k, A @ A) for k, A in mats]  # A^2 >= 0
    lhs = np.array([inf_to_one_norm(A)[0] for _, A in mats])
    rhs = np.array([max(box_quadratic_max(A), box_quadratic_max(-A)) for _, A in mats])
    ops = 16.0 * max(A.shape[0] for _, A in mats) ** 2
    return Identity("sup_{||u||_Phi<=1} ||grad^2 L u||_{Phi,*} = sup_{||u||_Phi<=1} |u^T grad^2 L u| (Phi_Adam)", lhs, rhs,
                    Rounding(ops, np.maximum(np.abs(lhs), np.abs(rhs))), "sup_u sup_v v^T A u = ||A||_inf->1",
                    "sup_u |u^T A u| over the cube",
                    note=f"{'semidefinite Hessians A^2' if p.hessians == 'semidefinite' else 'symmetric Hessians'}: "
                         + "; ".join(f"{k}: {a:.4g} vs {b:.4g}" for (k, _), a, b in list(zip(mats, lhs, rhs))[:3]),
                    details={"matrices": [k for k, _ in mats]})


register(Claim(
    id="adamlinf.sec3_3.phi_norm_identity",
    source="adamlinf Sec. 3.3 (the display after Definition 3.9)",
    statement="For each x: sup_{||u||_Phi<=1} ||grad^2 L(x) u||_{Phi,*} = sup_{||u||_Phi<=1} sup_{||v||_Phi<=1} "
              "v^T grad^2 L(x) u = sup_{||u||_Phi<=1} |u^T grad^2 L(x) u|",
    expected=Verdict.REFUTED,
    checks=(Check("exact suprema of the bilinear and the quadratic form over the l_inf ball (Phi_Adam)",
                  _phi_norm_identity, Verdict.REFUTED,
                  SetParam("hessians", "semidefinite", "input", "semidefinite Hessians A^2 in place of A"),
                  {"hessians": "symmetric"}),),
    note="The second equality holds for semidefinite Hessians (and for Phi_AdaSGD, an l_2 ball) but not for indefinite "
         "ones: for grad^2 L = diag(1, -1) (e.g. L = x_1^2/2 + cos x_2 at x_2 = 0) and Phi_Adam the bilinear supremum is "
         "twice the quadratic one. The conclusion drawn from it (H(L, Phi) is no smaller than the smoothness under the "
         "Phi-norm) still holds, through |v^T A u| <= sqrt(v^T|A|v u^T|A|u) (adamlinf.def3_9.phi_smoothness).",
))


# --------------------------------------------------------------------------- Def. 3.3 implies Def. 3.1


def _def33(ctx: Context, p: Params) -> Bound:
    """After Def. 3.3: H-smooth coordinate-wisely w.r.t. l_inf implies (sum_i H_i)-smooth w.r.t. l_inf.  For a quadratic
    the l_inf constant of Def. 3.1 is exactly ||A||_{inf->1} (enumeration), Def. 3.3's H_i = ||A_i,:||_1."""
    cases = []
    for kind, A in random_cases(ctx.seed + 6, ctx.pick(24, 120)) + [("star K_1,3", star(3))]:
        H = np.abs(A).sum(axis=1) if p.H_i == "row l1 norms" else np.abs(np.diag(A))
        cases.append(Case(inf_to_one_norm(A)[0], float(H.sum()), {"kind": kind, "d": A.shape[0], "A": A.tolist()},
                          ops=4.0 * A.shape[0] ** 2))
    return Bound("||grad L(x) - grad L(y)||_1 <= (sum_i H_i) ||x - y||_inf", tuple(cases),
                 Exact("||A s||_1 <= sum_ij |A_ij| (triangle inequality); the sup over x - y is ||A||_inf->1",
                       domain={"A": "random symmetric d = 3..7 (4 kinds) + star K_1,3", "x - y": "exact (sign vectors)"}),
                 note=f"H_i = {p.H_i}; equality for sign-consistent A (e.g. entrywise nonnegative)")


register(Claim(
    id="adamlinf.def3_3.implies_linf",
    source="adamlinf Definition 3.3 and the sentence after it",
    statement="H-smoothness coordinate-wisely w.r.t. l_inf implies (sum_i H_i)-smoothness w.r.t. l_inf",
    expected=Verdict.TIGHT,
    checks=(Check("exact l_inf constants of quadratics vs the sum of Def. 3.3's H_i", _def33, Verdict.TIGHT,
                  SetParam("H_i", "|A_ii|", "constant", "the diagonal in place of the row l1 norms"),
                  {"H_i": "row l1 norms"}),),
    note="Holds (triangle inequality) and is attained by sign-consistent Hessians such as entrywise nonnegative ones.",
))
