"""A nonconvex (L0, L1)-smooth function with L1 > 0 (unbounded Hessian).

``F(x) = sum_j phi(z_j)``, ``z = Q x`` (``Q`` orthogonal, identity by default), with

    phi(t)   = cosh t + kappa cos(omega t)
    phi'(t)  = sinh t - kappa omega sin(omega t)
    phi''(t) = cosh t - kappa omega^2 cos(omega t),

nonconvex iff ``kappa omega^2 > 1`` (``phi''(0) = 1 - kappa omega^2``).  ``phi''`` is
unbounded, so ``L``, ``rho`` and the l_inf constants do not exist (None).

**Per-coordinate lemma.**  For ``t, h`` real with ``|h| <= r``:

    |phi'(t + h) - phi'(t)| <= (a(r) + b(r) |phi'(t)|) |h|,
    a(r) = sinh(r)/r + kappa omega^2 + kappa omega (e^r - 1)/r,   b(r) = (e^r - 1)/r.

Proof.  ``sinh(t+h) - sinh t = sinh t (cosh h - 1) + cosh t sinh h``; with
``cosh t = sqrt(1 + sinh^2 t) <= 1 + |sinh t|`` this gives
``|sinh(t+h) - sinh t| <= sinh|h| + |sinh t| (cosh h - 1 + sinh|h|)
= sinh|h| + |sinh t| (e^|h| - 1)``.  The cosine part is ``kappa omega |sin(omega(t+h)) -
sin(omega t)| <= kappa omega^2 |h|``.  Since ``sinh(u)/u`` and ``(e^u - 1)/u`` increase on
``u > 0``, ``|h| <= r`` gives ``sinh|h| <= |h| sinh(r)/r`` and ``e^|h| - 1 <= |h| (e^r - 1)/r``.
Finally ``|sinh t| = |phi'(t) + kappa omega sin(omega t)| <= |phi'(t)| + kappa omega``.

**s3 Assumption 2** (``L0 = a(R)``, ``L1 = b(R)``, radius ``R``).  For ``||h||_2 <= R``
every ``|h_j| <= R``, so with ``c_j = a(R) + b(R) |phi'(z_j)| <= a(R) + b(R) ||grad F(x)||_2``
(``max_j |phi'(z_j)| <= ||phi'(z)||_2 = ||grad F(x)||_2``):
``||grad F(y) - grad F(x)||_2^2 = sum_j (phi'(z_j + h_j) - phi'(z_j))^2 <= max_j c_j^2 ||h||_2^2``
(in z coordinates; Q preserves every l_2 norm here, so the constants survive rotation).
``L1 = b(R)`` is tight: for ``z_1 -> inf`` and ``h = R e_1`` the ratio
``|Delta|/(||h|| ||grad F||)`` tends to ``(e^R - 1)/R``, so no finite L0 allows a smaller L1.

**gsignsgd Assumption 2** (coordinate-wise, unrotated only).  Its radius is tied to L1:
``||h||_2 <= 1/||L1_vec||_inf``.  Taking every ``L1_vec[j] = c``, the lemma at ``r = 1/c``
applies iff ``b(1/c) <= c``, i.e. ``e^(1/c) <= 2``, i.e. ``c >= 1/ln 2``; the smallest choice
``c = 1/ln 2 = b(ln 2)`` has radius ``ln 2``.  For ``||h||_2 <= ln 2`` (so ``|h_j| <= ln 2``):
``|g_j(y) - g_j(x)| <= (a(ln 2) + b(ln 2) |g_j(x)|) |h_j|
<= (L0_vec[j]/sqrt(d) + L1_vec[j] |g_j(x)|) ||h||_2`` with ``L0_vec[j] = sqrt(d) a(ln 2)``,
``L1_vec[j] = 1/ln 2``.  Tight among uniform L1_vec: a smaller ``c`` fails as ``z_j -> inf``
with ``h = (1/c) e_j`` (same argument as above).  A rotation mixes coordinates, so these
are None when ``Q`` is given.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import DETERMINISTIC_TIGHT, Constants, check_real, deterministic_noise_constants
from .separable import SeparableProblem

__all__ = ["CoshCosine", "cosh_cosine", "l0l1_coefficients"]


def l0l1_coefficients(kappa: float, omega: float, r: float) -> tuple[float, float]:
    """``(a(r), b(r))`` of the per-coordinate lemma (module docstring), ``r > 0``."""
    b = math.expm1(r) / r
    a = math.sinh(r) / r + kappa * omega**2 + kappa * omega * b
    return a, b


class CoshCosine(SeparableProblem):
    """``F(x) = sum_j [cosh(z_j) + kappa cos(omega z_j)]``, ``z = Q x`` (module docstring).

    Representable for ``|z_j| < ~710`` in float64 (``~89`` in float32); beyond, ``value``
    and ``grad`` round to ``+-inf`` (or raise FloatingPointError where inf - inf would occur).
    """

    def __init__(self, d: int, kappa: float, omega: float, radius: float, Q: Any) -> None:
        self.kappa = check_real("kappa", kappa, lo=0.0)
        self.omega = check_real("omega", omega, lo=0.0)
        self.radius = check_real("radius", radius, lo=0.0, hi=700.0, lo_open=True)  # e^R representable
        super().__init__(d, Q, f"cosh_cosine(d={d}, kappa={self.kappa:g}, omega={self.omega:g})")
        self.constants = self._constants()

    def phi(self, t: np.ndarray) -> np.ndarray:
        return np.cosh(t) + self.kappa * np.cos(self.omega * t)

    def dphi(self, t: np.ndarray) -> np.ndarray:
        return np.sinh(t) - (self.kappa * self.omega) * np.sin(self.omega * t)

    def d2phi(self, t: np.ndarray) -> np.ndarray:
        return np.cosh(t) - (self.kappa * self.omega**2) * np.cos(self.omega * t)

    def _constants(self) -> Constants:
        d, k, w = self.d, self.kappa, self.omega
        L0, L1 = l0l1_coefficients(k, w, self.radius)
        T = math.asinh(k * w) + 1.0  # |phi'(t)| >= |sinh t| - k w > 0 for |t| > asinh(k w)
        x_star, F_star = self._minimizer(-T, T, math.cosh(T) + k * w * w, 2 * math.pi / w if w > 0 else None)
        coord: dict[str, Any] = {}
        tight = {"L1"}
        if not self.rotated:
            a, b = l0l1_coefficients(k, w, math.log(2.0))
            coord = dict(L0_vec=np.full(d, math.sqrt(d) * a), L1_vec=np.full(d, b))
            tight.add("L1_vec")
        return Constants(L0=L0, L1=L1, R=self.radius, F_star=F_star, x_star=x_star,
                         **coord, **deterministic_noise_constants(d),
                         tight=frozenset(tight) | DETERMINISTIC_TIGHT)


def cosh_cosine(d: int, kappa: float = 1.0, omega: float = 2.0, radius: float = 1.0,
                Q: Any = None) -> CoshCosine:
    """Nonconvex (L0, L1)-smooth ``sum_j cosh(z_j) + kappa cos(omega z_j)``, ``z = Q x``.

    Constants (see :mod:`reference.problems.l0l1`): s3 Assumption 2 with
    ``L0 = sinh(R)/R + kappa omega^2 + kappa omega (e^R - 1)/R``, ``L1 = (e^R - 1)/R``,
    ``R = radius``; unrotated also gsignsgd Assumption 2 with ``L0_vec = sqrt(d) a(ln 2)``,
    ``L1_vec = 1/ln 2`` (radius ln 2).  ``F_star = d min phi``; ``x_star`` is the minimizer
    with every ``z_j`` at the *positive* global minimizer of phi (phi is even, so all
    ``2^d`` sign patterns are minimizers when ``kappa omega^2 > 1``).
    Defaults ``kappa = 1, omega = 2`` (``kappa omega^2 = 4``: nonconvex).
    """
    return CoshCosine(d, kappa, omega, radius, Q)
