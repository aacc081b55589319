"""Normalized SGD with momentum and implicit gradient transport (nsgdm).

All norms are Euclidean over the last axis; ``m / ||m||`` at ``m = 0`` is 0.

* ``normalized_sgdm`` (nsgdm Eqs. 2-3): ``m_t = beta m_{t-1} + (1 - beta) g(w_t)``,
  ``w_{t+1} = w_t - eta m_t / ||m_t||``.  ``m1='gradient'`` starts with ``m_1 = g_1`` (nsgdm
  Theorem 1); ``m1='ema'`` with ``m_0 = 0`` (same first direction, different later ones).
* ``nigt`` (nsgdm Algorithm 1): ``m_1 = g(w_1)``, ``w_2 = w_1 - eta m_1/||m_1||``; for t >= 2
  ``x_t = w_t + beta/(1-beta) (w_t - w_{t-1})``, ``m_t = beta m_{t-1} + (1-beta) g(x_t)``,
  ``w_{t+1} = w_t - eta m_t/||m_t||``.  (Alg. 1 prints ``m_1 = grad f(x_1)``; Theorem 3 states
  ``m_1 = grad f(w_1)``, and x_1 is undefined, so the oracle is called at w_1.)
* ``igt`` (implicit gradient transport of Arnold et al. 2019 as nsgdm Sec. 1 presents it):
  ``m_t = t/(t+1) m_{t-1} + 1/(t+1) g(w_t + t (w_t - w_{t-1}))``, ``w_{t+1} = w_t - eta m_t``,
  indexed there from t = 0; with this package's 1-based count tau = t + 1 the first step is
  ``m = g(w_1)`` (no extrapolation) and ``beta_tau = (tau-1)/tau``.
* ``adaptive_nsgd`` (nsgdm Algorithm 2, with ``G_0 = D`` from its Appendix A): two independent
  samples per step (oracle called twice at ``x_t``), no learning-rate hyperparameter::

      C = sqrt(7 / (26 g^(6/7))),  D = C^(-14/3),  G_0 = D,  G_1 = 3 g^2 + D,  eta_0 = C / D^(2/7)
      eta_t = C / (G_t^2 (t+1)^3)^(1/7),   alpha_t = 1 / (t eta_{t-1}^2 G_{t-1}),   beta_t = 1 - alpha_t
      x_t = w_t + beta_t/(1 - beta_t) (w_t - w_{t-1})       (w_0 = w_1, m_0 = 0)
      m_t = beta_t m_{t-1} + (1 - beta_t) grad f(x_t, xi_t)
      G_{t+1} = G_t + ||grad f(x_t, xi_t) - grad f(x_t, xi'_t)||^2 + g^2 ((t+1)^(1/4) - t^(1/4))
      w_{t+1} = w_t - eta_t m_t / ||m_t||

  ``G`` and ``eta`` are per run (shape ``(..., 1)``).  After step t the state holds ``G = G_{t+1}``,
  ``G_prev = G_t`` and ``eta = eta_t``, the learning rate of ``w_{t+1} = w_t - eta_t d_t``
  (``eta = eta_0`` after init).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .algorithm import kernel_ready, norm, ratio
from .declaration import RUN, Conventions, Declaration, Example, Gradient, Step
from .hyperparams import POS, UNIT, Hyperparams, LearningRate, learning_rate, one_of, param
from .registry import register

__all__ = ["NSGDMState", "NIGTState", "IGTState", "AdaptiveNSGDState", "NSGDMParams", "NIGTParams", "IGTParams",
           "AdaptiveNSGDParams", "normalized_sgdm", "nigt", "igt", "adaptive_nsgd", "adaptive_nsgd_constants",
           "normalize"]

_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"
_NOT_DERIVED = ("the extrapolation w + k (w - w_prev) with a growing k is not covered by the rounding argument "
                "of reference.tolerances")


def normalize(m: np.ndarray) -> np.ndarray:
    """``m / ||m||`` over the last axis, 0 at ``m = 0``."""
    return ratio(m, norm(m))


def _ema(beta: float, m0: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``beta m0 + (1 - beta) g`` (the same operations, one temporary fewer on plain arrays of one dtype)."""
    if not kernel_ready(m0, g):
        return beta * m0 + (1.0 - beta) * g
    m = np.multiply(m0, beta)
    np.add(m, np.multiply(g, 1.0 - beta), out=m)
    return m


class NSGDMState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class NIGTState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    direction: np.ndarray


class IGTState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    direction: np.ndarray


class AdaptiveNSGDState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    G: np.ndarray
    G_prev: np.ndarray
    eta: np.ndarray
    direction: np.ndarray


class NSGDMParams(Hyperparams):
    """Normalized SGD with momentum's (nsgdm Eqs. 2-3)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")
    m1: str = param(default="gradient", check=one_of("gradient", "ema"),
                    doc="'gradient': m_1 = g_1 (nsgdm Theorem 1); 'ema': m_0 = 0")


class NIGTParams(Hyperparams):
    """NIGT's (nsgdm Algorithm 1)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")


class IGTParams(Hyperparams):
    """IGT's: the learning rate only."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)


class AdaptiveNSGDParams(Hyperparams):
    """Adaptive normalized SGD's (nsgdm Algorithm 2): no learning rate."""

    gbound: float = param(check=POS, doc="almost-sure gradient-norm bound frak-g > 0 (nsgdm Alg. 2)")


def _nsgdm_init(x: np.ndarray, hp: NSGDMParams) -> NSGDMState:
    z = np.zeros_like(x)
    return NSGDMState(t=0, m=z, direction=z.copy())


def nsgdm_update(g: np.ndarray, state: NSGDMState, hp: NSGDMParams, step: Step) -> NSGDMState:
    """``m_t`` (``m_1 = g_1`` with ``m1='gradient'``) and ``d_t = m_t / ||m_t||``."""
    m = g if (step.t == 1 and hp.m1 == "gradient") else _ema(hp.beta, state.m, g)
    return NSGDMState(step.t, m, normalize(m))


NORMALIZED_SGDM = register(Declaration(
    name="normalized_sgdm", hyperparams=NSGDMParams, state=NSGDMState, init=_nsgdm_init, update=nsgdm_update,
    doc="Normalized SGD with momentum (nsgdm Eqs. 2-3, Theorem 1); see :mod:`reference.normalized`.",
    scope=RUN, reduction=RUN, torch="gpu.normalized:NormalizedSGDM",
    conventions=Conventions(norm_scope="tensor"),  # per layer (nsgdm Sec. 5, LARS), gpu's default
    examples=(Example("normalized_sgdm", {"lr": 0.1}), Example("normalized_sgdm_ema", {"lr": 0.1, "m1": "ema"})),
))
normalized_sgdm = NORMALIZED_SGDM.factory


def _nigt_init(w: np.ndarray, hp: NIGTParams) -> NIGTState:
    z = np.zeros_like(w)
    return NIGTState(t=0, m=z, w_prev=w.copy(), direction=z.copy())


def _nigt_gradient(grad: Gradient, state: NIGTState, hp: NIGTParams, step: Step) -> np.ndarray:
    """``g(w_1)`` at t = 1, then ``g(x_t)`` at ``x_t = w_t + beta/(1-beta) (w_t - w_{t-1})``."""
    w = step.x
    if step.t == 1:
        return grad(w)
    return grad(w + (hp.beta / (1.0 - hp.beta)) * (w - state.w_prev))


def nigt_update(g: np.ndarray, state: NIGTState, hp: NIGTParams, step: Step) -> NIGTState:
    """``m_1 = g_1``, ``m_t = beta m_{t-1} + (1 - beta) g_t``, ``d_t = m_t / ||m_t||``; keeps ``w_t``."""
    m = g if step.t == 1 else _ema(hp.beta, state.m, g)
    return NIGTState(step.t, m, step.x, normalize(m))


NIGT = register(Declaration(
    name="nigt", hyperparams=NIGTParams, state=NIGTState, init=_nigt_init, update=nigt_update,
    doc="NIGT, normalized SGD with implicit gradient transport (nsgdm Algorithm 1).",
    scope=RUN, reduction=RUN, gradient=_nigt_gradient, x_dependent=True, torch="gpu.normalized:NIGT",
    conventions=Conventions(norm_scope="tensor"),
    examples=(Example("nigt", {"lr": 0.1}),),
))
nigt = NIGT.factory


def _igt_init(w: np.ndarray, hp: IGTParams) -> IGTState:
    z = np.zeros_like(w)
    return IGTState(t=0, m=z, w_prev=w.copy(), direction=z.copy())


def _igt_gradient(grad: Gradient, state: IGTState, hp: IGTParams, step: Step) -> np.ndarray:
    """The oracle at ``w_t + k (w_t - w_{t-1})``, k = tau - 1 (the paper's t)."""
    w, k = step.x, step.t - 1
    return grad(w + k * (w - state.w_prev))


def igt_update(g: np.ndarray, state: IGTState, hp: IGTParams, step: Step) -> IGTState:
    """``m_t = k/(k+1) m_{t-1} + 1/(k+1) g``, ``d_t = m_t`` (unnormalized); keeps ``w_t``."""
    k = step.t - 1
    m = (k / (k + 1.0)) * state.m + (1.0 / (k + 1.0)) * g
    return IGTState(step.t, m, step.x, m)


IGT = register(Declaration(
    name="igt", hyperparams=IGTParams, state=IGTState, init=_igt_init, update=igt_update,
    doc="Implicit gradient transport (Arnold et al. 2019, as in nsgdm Sec. 1); unnormalized.",
    gradient=_igt_gradient, x_dependent=True, roundings=_NOT_DERIVED,
    examples=(Example("igt", {"lr": 0.1}),),
))
igt = IGT.factory


def adaptive_nsgd_constants(gbound: float) -> tuple[float, float]:
    """``(C, D)`` of nsgdm Algorithm 2: ``C = sqrt(7 / (26 g^(6/7)))``, ``D = C^(-14/3)``."""
    C = math.sqrt(7.0 / (26.0 * gbound ** (6.0 / 7.0)))
    return C, C ** (-14.0 / 3.0)


def _ansgd_init(w: np.ndarray, hp: AdaptiveNSGDParams) -> AdaptiveNSGDState:
    gb = hp.gbound
    C, D = adaptive_nsgd_constants(gb)
    one = np.ones(w.shape[:-1] + (1,), dtype=w.dtype)
    return AdaptiveNSGDState(t=0, m=np.zeros_like(w), w_prev=w.copy(), G=one * (3.0 * gb * gb + D),
                             G_prev=one * D, eta=one * (C / D ** (2.0 / 7.0)), direction=np.zeros_like(w))


def _eta(state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, t: int) -> np.ndarray:
    """``eta_t = C / (G_t^2 (t+1)^3)^(1/7)``, the step's learning rate (one per run).

    Evaluated as ``C / (G_t^(2/7) (t+1)^(3/7))`` so that ``G_t^2`` cannot overflow (G_t > 1.3e154
    made eta_t = 0, then alpha_{t+1} = inf and x_{t+1} = NaN)."""
    C, _ = adaptive_nsgd_constants(hp.gbound)
    return C / (state.G ** (2.0 / 7.0) * float(t + 1) ** (3.0 / 7.0))


def _alpha(state: AdaptiveNSGDState, t: int) -> np.ndarray:
    """``alpha_t = 1 / (t eta_{t-1}^2 G_{t-1})``."""
    return 1.0 / (t * state.eta * state.eta * state.G_prev)


def _ansgd_gradient(grad: Gradient, state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, step: Step
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Two independent samples at ``x_t = w_t + beta_t/(1 - beta_t) (w_t - w_{t-1})``."""
    w, alpha = step.x, _alpha(state, step.t)
    x = w + ((1.0 - alpha) / alpha) * (w - state.w_prev)
    return grad(x), grad(x)


def ansgd_update(gs: tuple[np.ndarray, np.ndarray], state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, step: Step
                 ) -> AdaptiveNSGDState:
    """``m_t``, ``G_{t+1}`` and ``d_t = m_t / ||m_t||`` (module docstring); ``step.lr`` is eta_t."""
    g, g2 = gs
    t, gb, G = step.t, hp.gbound, state.G
    alpha = _alpha(state, t)
    m = (1.0 - alpha) * state.m + alpha * g
    diff = g - g2
    G_next = G + np.sum(diff * diff, axis=-1, keepdims=True) + gb * gb * ((t + 1) ** 0.25 - t**0.25)
    return AdaptiveNSGDState(t, m, step.x, G_next, G, step.lr, normalize(m))


ADAPTIVE_NSGD = register(Declaration(
    name="adaptive_nsgd", hyperparams=AdaptiveNSGDParams, state=AdaptiveNSGDState, init=_ansgd_init,
    update=ansgd_update,
    doc="Adaptive normalized SGD with momentum (nsgdm Algorithm 2); see :mod:`reference.normalized`.",
    scope=RUN, reduction=RUN, oracle_calls=2, gradient=_ansgd_gradient, x_dependent=True, learning_rate=_eta,
    roundings=_NOT_DERIVED, examples=(Example("adaptive_nsgd", {"gbound": 1.0}),),
))
adaptive_nsgd = ADAPTIVE_NSGD.factory
