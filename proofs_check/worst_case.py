"""Worst cases of per-coordinate update ratios: exact closed forms and an adversarial search.

Adam's ``m_t / sqrt(v_t)`` (s3 Theorem 1) and S3's ``n_t / b_t(p)`` (s3 Theorem 2) are, for one
coordinate and zero initial state, ratios of the form::

    R(g) = |sum_k a_k g_k| / (sum_k c_k |g_k|^p)^(1/p)        (a_k >= 0, c_k > 0)

whose supremum over all sequences is exact by Holder duality (substitute z_k = c_k^(1/p) g_k)::

    sup_g R(g) = || (a_k c_k^(-1/p))_k ||_q ,   1/p + 1/q = 1   (q = inf for p = 1: max_k a_k / c_k)

attained at ``g_k = c_k^(-1/p) w_k^(q-1)`` with ``w_k = a_k c_k^(-1/p)`` (p > 1), or at the
indicator of ``argmax_k a_k / c_k`` (p = 1).  The search below treats an algorithm as a black box
(a batched function of gradient sequences) and must agree with the closed form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["conjugate", "holder_sup", "log_holder_sup", "holder_argmax", "SearchResult", "adversarial_max"]


def conjugate(p: float) -> float:
    """The Holder conjugate q of p >= 1 (inf for p = 1)."""
    return np.inf if p == 1 else p / (p - 1.0)


def log_holder_sup(log_w: np.ndarray, p: float) -> float:
    """``log ||w||_q`` from ``log w`` (log-space: weights like beta^t neither underflow nor overflow)."""
    q = conjugate(p)
    m = float(np.max(log_w))
    if np.isinf(q) or not np.isfinite(m):
        return m
    return m + float(np.log(np.sum(np.exp(q * (log_w - m))))) / q


def holder_sup(log_w: np.ndarray, p: float) -> float:
    """``||w||_q`` from ``log w``."""
    return float(np.exp(log_holder_sup(log_w, p)))


def holder_argmax(log_a: np.ndarray, log_c: np.ndarray, p: float) -> np.ndarray:
    """A gradient sequence attaining ``sup R`` (normalised so that its largest entry is 1)."""
    log_w = log_a - log_c / p
    q = conjugate(p)
    if np.isinf(q):
        g = np.zeros_like(log_w)
        g[np.argmax(log_w)] = 1.0
        return g
    log_g = -log_c / p + (q - 1.0) * log_w
    return np.exp(log_g - np.max(log_g))


@dataclass(frozen=True)
class SearchResult:
    value: float
    argmax: np.ndarray
    evaluations: int


def adversarial_max(objective: Callable[[np.ndarray], np.ndarray], dim: int, *, seed: int,
                    maxiter: int = 300, popsize: int = 20) -> SearchResult:
    """Maximise a batched objective over ``[-1, 1]^dim`` (scale-invariant ratios lose nothing).

    ``objective(G)`` takes ``G`` of shape (dim, N) — N candidate sequences as columns — and
    returns N values.  Differential evolution (vectorised) explores; L-BFGS-B polishes the best.
    """
    evals = 0

    def neg(G: np.ndarray) -> np.ndarray:
        nonlocal evals
        G2 = G if G.ndim == 2 else G[:, None]
        evals += G2.shape[1]
        out = -np.asarray(objective(G2), dtype=float)
        return out if G.ndim == 2 else out[0]

    res = optimize.differential_evolution(neg, [(-1.0, 1.0)] * dim, maxiter=maxiter, popsize=popsize,
                                          tol=1e-12, seed=seed, vectorized=True, updating="deferred",
                                          polish=False)
    polished = optimize.minimize(lambda z: float(neg(z)), res.x, method="L-BFGS-B", bounds=[(-1.0, 1.0)] * dim,
                                 options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})
    best_x, best = (polished.x, -polished.fun) if -polished.fun >= -res.fun else (res.x, -res.fun)
    return SearchResult(float(best), np.asarray(best_x), evals)
