"""Separable objectives ``F(x) = sum_j phi(z_j)``, ``z = Q x``, and exact 1-D minimization.

With ``Q`` orthogonal (or the identity when ``Q is None``):
``grad F(x) = Q^T phi'(z)``, ``hess F(x) = Q^T diag(phi''(z)) Q``.  Rotation keeps every
l_2 quantity (``||grad F(x)||_2 = ||phi'(z)||_2``, ``||x - y||_2 = ||z - z'||_2``,
operator norms of Hessians), but not the coordinate-wise (l_inf / per-coordinate) ones.

``F_star = d * min phi`` and ``x_star = Q^T (t_star, ..., t_star)``, with ``t_star`` from
:func:`global_min_1d`.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.optimize

from .base import Problem, check_int
from .linalg import check_orthogonal

__all__ = ["SeparableProblem", "global_min_1d"]

_EPS = np.finfo(np.float64).eps


def global_min_1d(phi: Callable[[np.ndarray], np.ndarray], dphi: Callable[[np.ndarray], np.ndarray],
                  lo: float, hi: float, d2_bound: float, period: float | None = None) -> tuple[float, float]:
    """Global minimizer ``(t_star, phi(t_star))`` of a C^2 function on ``[lo, hi]``, certified.

    Requires ``dphi(lo) < 0 < dphi(hi)`` (the global minimizer is then an interior critical
    point) and ``d2_bound >= max |phi''|`` on ``[lo, hi]``.

    * Candidates: ``dphi`` on a grid of at least ``2^14 + 1`` points (and at least 64 per
      ``period``); each sign change from ``-`` to ``+`` brackets a local minimizer, refined by
      ``brentq`` to ``|interval| <= 4 eps |t|``; the best wins (ties within ``4 eps |phi|``
      go to the largest t, so for an even phi the positive minimizer is returned).
    * Certificate: on a cell ``[a, b]``, ``phi >= min(phi(a), phi(b)) - d2_bound (b-a)^2 / 8``
      (a C^2 function lies above its chord minus ``max|phi''| (b-a)^2/8``).  Cells whose lower
      bound is below ``phi(t_star) - tol`` (``tol = 16 eps max(1, |phi(t_star)|)``) are split
      16-fold until none is left; so ``phi(t_star) <= min phi + tol``.  If a grid point
      itself lies below ``phi(t_star) - tol`` a minimum was missed: RuntimeError.
    """
    if not (lo < hi and dphi(np.array(lo)) < 0 < dphi(np.array(hi))):
        raise ValueError("global_min_1d needs lo < hi with dphi(lo) < 0 < dphi(hi)")
    n = 2**14 + 1
    if period is not None and period > 0:
        n = max(n, int(math.ceil(64 * (hi - lo) / period)) + 1)
    if n > 2**24:
        raise ValueError(f"global_min_1d would need a grid of {n} points: the oscillation (kappa, omega) is too large")
    t = np.linspace(lo, hi, n)
    g = dphi(t)
    roots = []
    for i in np.nonzero((g[:-1] < 0) & (g[1:] >= 0))[0]:
        if g[i + 1] == 0:
            roots.append(float(t[i + 1]))
        else:
            roots.append(scipy.optimize.brentq(lambda s: float(dphi(np.array(s))), t[i], t[i + 1],
                                               xtol=1e-300, rtol=4 * _EPS, maxiter=500))
    r = np.array(roots)
    vals = phi(r)
    best = float(vals.min())
    t_star = float(r[vals <= best + 4 * _EPS * abs(best)].max())
    f_star = float(phi(np.array(t_star)))
    _certify(phi, t, f_star, d2_bound, 16 * _EPS * max(1.0, abs(f_star)))
    return t_star, f_star


def _certify(phi: Callable[[np.ndarray], np.ndarray], t: np.ndarray, f_star: float, d2_bound: float,
             tol: float) -> None:
    """Raise RuntimeError unless ``phi >= f_star - tol`` on ``[t[0], t[-1]]`` (see global_min_1d)."""
    a, b = t[:-1], t[1:]
    fa, fb = phi(a), phi(b)
    for _ in range(60):
        if min(fa.min(), fb.min()) < f_star - tol:
            raise RuntimeError("global_min_1d: a grid point lies below the minimum found (a minimum was missed)")
        open_ = np.minimum(fa, fb) - d2_bound * (b - a) ** 2 / 8 < f_star - tol
        if not open_.any():
            return
        if open_.sum() > 2**16:
            break
        a, b = a[open_], b[open_]
        s = np.linspace(0.0, 1.0, 17)
        pts = a[:, None] + (b - a)[:, None] * s  # 16 sub-cells per open cell
        a, b = pts[:, :-1].ravel(), pts[:, 1:].ravel()
        fa, fb = phi(a), phi(b)
    raise RuntimeError("global_min_1d: could not certify the global minimum")


class SeparableProblem(Problem):
    """``F(x) = sum_j phi(z_j)`` with ``z = Q x``; subclasses define ``phi, dphi, d2phi``."""

    def __init__(self, d: int, Q: Any, name: str) -> None:
        self.d = check_int("d", d)
        self.Q = None if Q is None else check_orthogonal("Q", Q, d=self.d)
        if self.Q is not None:
            self.Q.setflags(write=False)
        self.name = name if self.Q is None else f"rotated_{name}"
        self._cache: dict[np.dtype, np.ndarray] = {}

    @abstractmethod
    def phi(self, t: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def dphi(self, t: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def d2phi(self, t: np.ndarray) -> np.ndarray: ...

    @property
    def rotated(self) -> bool:
        return self.Q is not None

    def _Q(self, dtype: np.dtype) -> np.ndarray:
        assert self.Q is not None
        if dtype not in self._cache:
            self._cache[dtype] = self.Q.astype(dtype)
        return self._cache[dtype]

    def _z(self, x: np.ndarray) -> np.ndarray:
        return x if self.Q is None else x @ self._Q(x.dtype).T

    def _back(self, u: np.ndarray) -> np.ndarray:
        """``Q^T u`` over the last axis."""
        return u if self.Q is None else u @ self._Q(u.dtype)

    def _value(self, x: np.ndarray) -> np.ndarray:
        return np.sum(self.phi(self._z(x)), axis=-1)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return self._back(self.dphi(self._z(x)))

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        h = self.d2phi(self._z(x))
        if self.Q is None:
            H = np.zeros(x.shape + (self.d,), dtype=x.dtype)
            np.einsum("...ii->...i", H)[...] = h
            return H
        Q = self._Q(x.dtype)
        return (Q.T * h[..., None, :]) @ Q

    def _hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self._back(self.d2phi(self._z(x)) * self._z(v))

    def _minimizer(self, lo: float, hi: float, d2_bound: float, period: float | None) -> tuple[np.ndarray, float]:
        t_star, f_star = global_min_1d(self.phi, self.dphi, lo, hi, d2_bound, period)
        return self._back(np.full(self.d, t_star)), self.d * f_star
