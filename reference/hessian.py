"""The Cauchy estimator of the Hessian (1,1)-norm (adamlinf Algorithm 4, Theorem D.2).

With ``v^(i)`` i.i.d. standard Cauchy vectors, ``(H v^(i))_j ~ Cauchy(0, a_j)`` where
``a_j = sum_k |H_jk|`` (1-stability), and the median of ``|Cauchy(0, a)|`` is ``a``; so::

    ||H||_{1,1}  ~=  sum_j median_i |(H v^(i))_j|
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["hessian_11_norm", "hessian_11_norm_exact"]


def hessian_11_norm(hvp: Callable[[np.ndarray], np.ndarray] | np.ndarray, d: int, *, n: int = 50,
                    rng: np.random.Generator) -> float:
    """Estimate ``||H||_{1,1}`` with ``n`` Cauchy vectors (adamlinf Algorithm 4).

    ``hvp`` is a matrix ``H`` (d, d) or a function mapping a batch ``V`` of shape (n, d) to the
    Hessian-vector products ``(H v_i)_i`` of shape (n, d).
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"hessian_11_norm: n must be an integer >= 1, got {n!r}")
    if not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"hessian_11_norm: d must be an integer >= 1, got {d!r}")
    V = rng.standard_cauchy((n, d))
    HV = V @ np.asarray(hvp).T if isinstance(hvp, np.ndarray) else np.asarray(hvp(V))
    if HV.shape != (n, d):
        raise ValueError(f"hessian_11_norm: hvp returned shape {HV.shape}, expected {(n, d)}")
    return float(np.sum(np.median(np.abs(HV), axis=0)))


def hessian_11_norm_exact(H: np.ndarray) -> float:
    """``||H||_{1,1} = sum_jk |H_jk|`` (adamlinf Sec. 2 notation)."""
    return float(np.abs(np.asarray(H)).sum())
