"""A smooth convex problem with globally bounded gradients: ``F(x) = L w^2 sum_j log cosh(x_j / w)``.

Built for adasam Assumptions 1-3, which need an L-smooth objective whose stochastic gradients
are bounded in l_inf *for every x* (a quadratic has no such G).  With ``u = t / w``:

    phi(t)    = L w^2 log cosh(u)          (computed as |u| + log1p(e^(-2|u|)) - log 2)
    phi'(t)   = L w tanh(u)
    phi''(t)  = L sech^2(u)                in (0, L]
    phi'''(t) = -(2L/w) sech^2(u) tanh(u)

Near 0, ``phi(t) = L t^2/2 - L t^4/(12 w^2) + ...``: a quadratic of curvature L for ``|t| << w``,
while ``|phi'| < L w`` everywhere.  The parameters are the curvature ``L`` and the width ``w``.

Constants (unrotated; the Hessian is ``diag(phi''(x_j))``):

* ``L = L`` (l_2-Lipschitz gradient: ``||hess F||_op = max_j phi''(x_j) <= L``), attained at 0;
  ``(L0, L1, R) = (L, 0, inf)``; ``L_sample = L`` (the exact oracle's only sample is F; an
  additive-noise oracle ``F + e^T x`` keeps the Hessian).  Tight.
* ``G_inf = L w`` (adasam Assumption 3: ``|phi'| < L w``, approached as ``|x_j| -> inf``) and
  ``G_2 = sqrt(d) L w`` (every coordinate at once).  Tight (suprema, never attained).
* ``L0_vec = sqrt(d) L``, ``L1_vec = 0`` (gsignsgd Assumption 2 with its ``1/sqrt(d)``:
  ``|g_j(y) - g_j(x)| <= L |h_j| <= L ||h||_2``, equality for ``h = h_j e_j`` at 0).  Tight.
* ``H_vec = L``, ``H_inf = hessian_11 = d L`` (adamlinf Definitions 3.1/3.3: a diagonal Hessian
  has ``||H||_{inf->1} = ||H||_{1,1} = sum_j phi''(x_j)``, row sums ``phi''(x_j)``), attained at 0.
* ``rho = 4 L / (3 sqrt(3) w)`` (nsgdm (A4)): ``||hess F(x) - hess F(y)||_op = max_j |phi''(x_j) -
  phi''(y_j)| <= sup |phi'''| ||h||_2`` and ``max_u 2 sech^2(u) |tanh(u)| = 4/(3 sqrt 3)`` (at
  ``tanh^2 u = 1/3``); approached for ``h -> 0`` along an axis at that point.  Tight.
* ``F_star = 0`` at ``x_star = 0`` (``log cosh >= 0``, strictly convex).
"""

from __future__ import annotations

import math

import numpy as np

from .base import DETERMINISTIC_TIGHT, Constants, check_real, deterministic_noise_constants
from .separable import SeparableProblem

__all__ = ["LogCosh", "log_cosh"]

_LOG2 = math.log(2.0)


class LogCosh(SeparableProblem):
    """``F(x) = L w^2 sum_j log cosh(x_j / w)`` (module docstring)."""

    def __init__(self, d: int, curvature: float, width: float) -> None:
        self.curvature = check_real("curvature", curvature, lo=0.0, lo_open=True)
        self.width = check_real("width", width, lo=0.0, lo_open=True)
        super().__init__(d, None, f"log_cosh(d={d}, L={self.curvature:g}, w={self.width:g})")
        self.constants = self._constants()

    def _u(self, t: np.ndarray) -> np.ndarray:
        return t / t.dtype.type(self.width)

    def phi(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        a = np.abs(self._u(t))
        scale = t.dtype.type(self.curvature * self.width**2)
        return scale * (a + np.log1p(np.exp(-2 * a)) - t.dtype.type(_LOG2))

    def dphi(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        return t.dtype.type(self.curvature * self.width) * np.tanh(self._u(t))

    def d2phi(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        c = np.cosh(self._u(t))  # overflows to inf for |u| > ~710: sech^2 = 0 then, as it should
        return t.dtype.type(self.curvature) / (c * c)

    def _constants(self) -> Constants:
        d, L, w = self.d, self.curvature, self.width
        return Constants(
            L=L, L0=L, L1=0.0, R=math.inf, L_sample=L,
            L0_vec=np.full(d, math.sqrt(d) * L), L1_vec=np.zeros(d),
            H_inf=d * L, H_vec=np.full(d, L), hessian_11=d * L,
            rho=4.0 * L / (3.0 * math.sqrt(3.0) * w),
            F_star=0.0, x_star=np.zeros(d),
            G_inf=L * w, G_2=math.sqrt(d) * L * w,
            **deterministic_noise_constants(d),
            tight=frozenset({"L", "L0", "L1", "R", "L_sample", "L0_vec", "L1_vec", "H_inf", "H_vec",
                             "hessian_11", "rho", "G_inf", "G_2"}) | DETERMINISTIC_TIGHT,
        )


def log_cosh(d: int, curvature: float = 1.0, width: float = 1.0) -> LogCosh:
    """``F(x) = L w^2 sum_j log cosh(x_j / w)``: convex, ``L``-smooth (tight), gradients bounded by
    ``G_inf = L w`` everywhere (adasam Assumption 3), ``F_star = 0`` at 0.  Defaults ``L = w = 1``.
    See :mod:`reference.problems.logcosh` for every constant and its proof."""
    return LogCosh(d, curvature, width)
