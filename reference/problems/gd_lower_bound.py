"""One-dimensional (L0, L1)-smooth functions on which gradient descent with a constant step is slow
(gsignsgd Theorem 2, the corrected lower bound of Zhang et al. 2020, Theorem 4).

Both are even, C^2, and "ramp to plateau": ``phi''`` is a core curvature on ``[0, t1]``, decreases
linearly to 0 on ``[t1, t1 + w]`` and is 0 beyond, so ``phi'`` rises from 0 to a plateau value ``s``
and stays there.  With ``u = t - t1`` on the ramp and ``c = phi''(t1)``:

    phi'(t1 + u) = phi'(t1) + c (u - u^2/(2w)),     phi(t1 + u) = phi(t1) + phi'(t1) u + c (u^2/2 - u^3/(6w)),
    s = phi'(t1) + c w/2,                            phi(t) = phi(t1 + w) + s (|t| - t1 - w)  beyond.

**(L0, L1)-smoothness, gsignsgd Eq. (1) in one dimension** (``|phi''(t)| <= L0 + L1 |phi'(t)|``,
the class of Theorem 2 / Zhang et al.): ``phi'' >= 0`` everywhere, so ``phi'`` is nondecreasing on
``t >= 0`` and ``phi''(t) <= c <= L0 + L1 phi'(t1) <= L0 + L1 |phi'(t)|`` on the ramp whenever the
core satisfies it at ``t1``; on the plateau ``phi'' = 0``.

* :func:`slope_plateau` ``(eps, L0)``: core ``phi'' = L0`` on ``[0, a]``, ``a = 0.8 eps/L0``, ramp width
  ``b = 0.4 eps/L0``, plateau slope ``s = L0 (a + b/2) = eps``.  ``|phi''| <= L0``: L-smooth with
  ``L = L0`` (tight, the core), hence (L0, L1)-smooth for every ``L1 >= 0``.
  ``{|phi'| < eps} = (-(a+b), a+b)`` and ``phi(a + b) = L0 (a^2/2 + a b + b^2/3) = (52/75) eps^2/L0``
  (= 0.6933 eps^2/L0).  ``sup {|phi'| : phi <= phi(t0)} = eps`` for every ``|t0| >= a + b``.
* :func:`exp_plateau` ``(L0, L1, M)``: core ``phi'' = L0 e^(L1 |t|)`` (``phi' = (L0/L1)(e^(L1 t) - 1)``,
  the fastest growth Eq. (1) allows: equality) up to ``t1`` with ``phi'(t1) = g1 = (4M - L0/L1)/5``,
  ramp width ``w = 1/(2 L1)``, so ``c = L0 + L1 g1`` and ``s = g1 + c/(4 L1) = M``.  Requires
  ``M >= L0/L1`` (then ``g1 >= 3M/5 > 0``).  The plateau starts at
  ``x_p = t1 + w = (ln((4/5)(1 + M L1/L0)) + 1/2)/L1``, and ``sup {|phi'| : phi <= phi(t0)} = M``
  for ``|t0| >= x_p``.

Both have ``F_star = 0`` at ``x_star = 0`` (``phi' > 0`` on ``t > 0``).  Why these two (the proof of
Theorem 2 with them, gsignsgd claim ``gsignsgd.thm2``): GD with step ``eta >= 2 x_p/M`` started at
``t0 = eta M/2`` on ``exp_plateau`` jumps to ``-t0`` and back forever (``phi'(+-t0) = +-M >= eps``); GD
with ``eta < 2 x_p/M`` started on the plateau of ``slope_plateau`` moves by ``eta eps`` per step, so
it needs at least ``(phi(t0) - phi(a + b))/(eta eps^2)`` steps to reach ``|phi'| < eps``.

Constants (:class:`Constants`): ``slope_plateau`` has ``L = L0`` (tight), ``(L0, L1, R) = (L0, 0, inf)``
and ``L0_vec = [L0]``, ``L1_vec = [0]`` (d = 1: ``|g(y) - g(x)| <= L0 |y - x|``; tight).  The Eq. (1)
pair of each problem is ``problem.eq1 = (L0, L1)`` (not a :class:`Constants` field: Eq. (1) bounds the
Hessian, not gradient differences); ``exp_plateau`` is tight for it (equality on the core).
"""

from __future__ import annotations

import math

import numpy as np

from .base import DETERMINISTIC_TIGHT, Constants, check_real, deterministic_noise_constants
from .separable import SeparableProblem

__all__ = ["RampPlateau", "slope_plateau", "exp_plateau"]


class RampPlateau(SeparableProblem):
    """Even, C^2, 1-D: core curvature on ``[0, t1]``, linear ramp of ``phi''`` to 0, plateau (module docstring).

    ``core`` is ``"quadratic"`` (``phi'' = k``) or ``"exponential"`` (``phi'' = k e^(l |t|)``).
    """

    def __init__(self, core: str, k: float, l: float, t1: float, w: float, eq1: tuple[float, float],
                 name: str) -> None:
        self.core, self.k, self.l, self.t1, self.w = core, k, l, t1, w
        self.eq1 = eq1
        super().__init__(1, None, name)
        self.c = float(self._core_d2(np.array(t1)))          # phi''(t1)
        self.g1 = float(self._core_d1(np.array(t1)))         # phi'(t1)
        self.f1 = float(self._core_d0(np.array(t1)))         # phi(t1)
        self.plateau_start = t1 + w
        self.slope = self.g1 + self.c * w / 2.0
        self.f_plateau = self.f1 + self.g1 * w + self.c * w * w / 3.0
        tight = set(DETERMINISTIC_TIGHT)
        extra: dict = {}
        if core == "quadratic":
            extra = dict(L=k, L0=k, L1=0.0, R=math.inf, L0_vec=np.array([k]), L1_vec=np.zeros(1))
            tight |= {"L", "L0", "L1", "L0_vec", "L1_vec"}
        self.constants = Constants(F_star=0.0, x_star=np.zeros(1), **extra, **deterministic_noise_constants(1),
                                   tight=frozenset(tight))

    # core on t >= 0
    def _core_d0(self, t: np.ndarray) -> np.ndarray:
        if self.core == "quadratic":
            return 0.5 * self.k * t * t
        return (self.k / self.l**2) * np.expm1(self.l * t) - (self.k / self.l) * t

    def _core_d1(self, t: np.ndarray) -> np.ndarray:
        if self.core == "quadratic":
            return self.k * t
        return (self.k / self.l) * np.expm1(self.l * t)

    def _core_d2(self, t: np.ndarray) -> np.ndarray:
        if self.core == "quadratic":
            return self.k * np.ones_like(t)
        return self.k * np.exp(self.l * t)

    def _pieces(self, a: np.ndarray, order: int) -> np.ndarray:
        t1, w, c = self.t1, self.w, self.c
        core = np.minimum(a, t1)
        u = np.clip(a - t1, 0.0, w)
        beyond = np.maximum(a - t1 - w, 0.0)
        if order == 0:
            ramp = self.g1 * u + c * (u * u / 2.0 - u**3 / (6.0 * w))
            return np.where(a <= t1, self._core_d0(core), self.f1 + ramp + self.slope * beyond)
        if order == 1:
            return np.where(a <= t1, self._core_d1(core), self.g1 + c * (u - u * u / (2.0 * w)))
        return np.where(a <= t1, self._core_d2(core), c * (1.0 - u / w))

    def phi(self, t: np.ndarray) -> np.ndarray:
        return self._pieces(np.abs(t), 0)

    def dphi(self, t: np.ndarray) -> np.ndarray:
        return np.sign(t) * self._pieces(np.abs(t), 1)

    def d2phi(self, t: np.ndarray) -> np.ndarray:
        return self._pieces(np.abs(t), 2)

    def sublevel_grad_sup(self, t0: float) -> float:
        """``sup {|phi'(t)| : phi(t) <= phi(t0)} = |phi'(t0)|`` (phi even, phi' nondecreasing on t >= 0)."""
        return float(abs(self.dphi(np.array(float(t0)))))


def slope_plateau(eps: float, L0: float) -> RampPlateau:
    """L-smooth (``L = L0``) even function whose gradient is ``eps`` on the plateau ``|t| >= 1.2 eps/L0``
    (module docstring): GD moves by ``eta eps`` per step there."""
    eps = check_real("eps", eps, lo=0.0, lo_open=True)
    L0 = check_real("L0", L0, lo=0.0, lo_open=True)
    a = 0.8 * eps / L0
    return RampPlateau("quadratic", L0, 0.0, a, 0.5 * a, (L0, 0.0), f"slope_plateau(eps={eps:g}, L0={L0:g})")


def exp_plateau(L0: float, L1: float, M: float) -> RampPlateau:
    """Eq. (1)-tight even function: ``phi' = (L0/L1)(e^(L1 |t|) - 1)`` up to ``(4M - L0/L1)/5``, then a
    ramp to the plateau ``|phi'| = M`` (module docstring).  Needs ``M >= L0/L1``."""
    L0 = check_real("L0", L0, lo=0.0, lo_open=True)
    L1 = check_real("L1", L1, lo=0.0, lo_open=True)
    M = check_real("M", M, lo=L0 / L1)
    g1 = (4.0 * M - L0 / L1) / 5.0
    t1 = math.log1p(g1 * L1 / L0) / L1
    return RampPlateau("exponential", L0, L1, t1, 0.5 / L1, (L0, L1), f"exp_plateau(L0={L0:g}, L1={L1:g}, M={M:g})")
