"""A nonconvex L-smooth function with Lipschitz Hessian (nsgdm (A4)).

``F(x) = sum_j phi(z_j)``, ``z = Q x`` (``Q`` orthogonal, identity by default), with

    phi(t)    = t^2/2 + kappa cos(omega t)
    phi''(t)  = 1 - kappa omega^2 cos(omega t)      (nonconvex iff kappa omega^2 > 1)
    phi'''(t) = kappa omega^3 sin(omega t).

Constants (``m := 1 + kappa omega^2``; ``D(z) = diag(phi''(z))``, ``hess F = Q^T D Q``):

* ``L = m`` (s3 Assumption 2 with L1 = 0, nsgdm (A1)): ``||hess F||_op = max_j |phi''(z_j)|
  <= m``, attained at ``z_j = pi/omega`` (``cos = -1``).  ``(L0, L1, R) = (m, 0, inf)``.
* ``rho = kappa omega^3`` (nsgdm (A4)): ``||Q^T (D(z) - D(z')) Q||_op = max_j |phi''(z_j) -
  phi''(z'_j)| <= kappa omega^3 ||z - z'||_inf <= kappa omega^3 ||x - y||_2``; approached as
  ``z' -> z`` along ``e_j`` at ``omega z_j = pi/2``.
* ``L0_vec = sqrt(d) m``, ``L1_vec = 0`` (gsignsgd Assumption 2): ``|g_j(y) - g_j(x)| <=
  ||g(y) - g(x)||_2 <= m ||h||_2``.  Tight when unrotated (``h = eps e_j`` at ``z_j = pi/omega``).
* ``H_inf = d m`` (adamlinf Definition 3.1), exact also when rotated:
  ``||M||_{inf->1} <= sqrt(d) ||M s||_2 <= d ||M||_op <= d m`` for every Hessian M, and at
  ``z = (pi/omega) 1`` the Hessian is ``m I`` with ``||m I||_{inf->1} = d m``.
* ``H_vec`` (adamlinf Definition 3.3; best constant ``sup ||hess F[i, :]||_1``): unrotated
  ``m`` (tight, diagonal Hessian).  Rotated, the upper bound
  ``min(m sum_j |Q_ji| ||Q_j,:||_1, sqrt(d) m)`` (triangle inequality on
  ``(Q^T D Q)_ik = sum_j Q_ji D_j Q_jk``; and ``||row||_1 <= sqrt(d) ||row||_2 <= sqrt(d) m``).
* ``hessian_11`` (adamlinf Corollary 3.7): unrotated ``d m`` (attained at ``z = (pi/omega) 1``);
  rotated the upper bound ``sum_i H_vec[i]``.
* ``F_star = d min phi``, ``x_star = Q^T (t_star 1)`` with ``t_star`` the positive global
  minimizer of phi (even, so ``2^d`` minimizers); critical points satisfy
  ``|t| = kappa omega |sin(omega t)| <= kappa omega``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import DETERMINISTIC_TIGHT, Constants, check_real, deterministic_noise_constants
from .separable import SeparableProblem

__all__ = ["QuadraticCosine", "quadratic_cosine"]


class QuadraticCosine(SeparableProblem):
    """``F(x) = sum_j [z_j^2/2 + kappa cos(omega z_j)]``, ``z = Q x`` (module docstring)."""

    def __init__(self, d: int, kappa: float, omega: float, Q: Any) -> None:
        self.kappa = check_real("kappa", kappa, lo=0.0)
        self.omega = check_real("omega", omega, lo=0.0)
        super().__init__(d, Q, f"quadratic_cosine(d={d}, kappa={self.kappa:g}, omega={self.omega:g})")
        self.constants = self._constants()

    def phi(self, t: np.ndarray) -> np.ndarray:
        return 0.5 * (t * t) + self.kappa * np.cos(self.omega * t)

    def dphi(self, t: np.ndarray) -> np.ndarray:
        return t - (self.kappa * self.omega) * np.sin(self.omega * t)

    def d2phi(self, t: np.ndarray) -> np.ndarray:
        return 1.0 - (self.kappa * self.omega**2) * np.cos(self.omega * t)

    def _constants(self) -> Constants:
        d, k, w = self.d, self.kappa, self.omega
        m = 1.0 + k * w * w
        T = k * w + 1.0
        x_star, F_star = self._minimizer(-T, T, m, 2 * math.pi / w if w > 0 else None)
        tight = {"L", "L0", "L1", "R", "L1_vec", "H_inf", "rho", "L_sample"}
        if self.Q is None:
            H_vec = np.full(d, m)
            tight |= {"L0_vec", "H_vec", "hessian_11"}
        else:
            absQ = np.abs(self.Q)
            H_vec = np.minimum(m * (absQ.T @ absQ.sum(axis=1)), math.sqrt(d) * m)
        return Constants(
            L=m, L0=m, L1=0.0, R=math.inf,
            L0_vec=np.full(d, math.sqrt(d) * m), L1_vec=np.zeros(d),
            H_inf=d * m, H_vec=H_vec, hessian_11=float(H_vec.sum()),
            rho=k * w**3, L_sample=m, F_star=F_star, x_star=x_star,
            **deterministic_noise_constants(d),
            tight=frozenset(tight) | DETERMINISTIC_TIGHT,
        )


def quadratic_cosine(d: int, kappa: float = 1.0, omega: float = 2.0, Q: Any = None) -> QuadraticCosine:
    """Nonconvex ``sum_j z_j^2/2 + kappa cos(omega z_j)``, ``z = Q x``, with
    ``L = 1 + kappa omega^2`` and Lipschitz Hessian ``rho = kappa omega^3`` (nsgdm (A4)).

    Defaults ``kappa = 1, omega = 2``: ``L = 5``, ``rho = 8``, nonconvex.  See
    :mod:`reference.problems.lipschitz_hessian` for every constant and its proof.
    """
    return QuadraticCosine(d, kappa, omega, Q)
