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

  **G without overflow (root mode).**  ``G`` accumulates squared gradient norms, so it leaves
  the dtype's range long before the gradients do (``||g - g'|| > sqrt(max)``, 1.3e154 in float64);
  every quantity the algorithm uses from it is a power of it that stays representable
  (``G^(2/7)`` in eta_t, ``eta_{t-1}^2 G_{t-1} = (eta_{t-1} sqrt(G_{t-1}))^2`` in alpha_t).  So
  ``G`` is stored as the paper's value while it is finite (bit for bit the plain sums) and, once
  it would overflow, as ``-sqrt(G)`` (root mode): ``sqrt(G_{t+1})`` is the Euclidean norm of
  ``(sqrt(G_t), ||g - g'||, g sqrt((t+1)^(1/4) - t^(1/4)))``, evaluated scaled by its largest
  entry; ``G_0 = D`` and ``G_1`` start in root mode where they are not normal numbers (D is
  about ``21 g^2``).  ``paper_G(state.G)`` gives the paper's G (inf beyond the dtype).  ``gbound``
  must make ``eta_0 = C^(7/3) ~ 0.22 / gbound`` a normal number of the dtype (checked at init).
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
           "normalize", "paper_G"]

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
    """``(C, D)`` of nsgdm Algorithm 2: ``C = sqrt(7 / (26 g^(6/7)))``, ``D = C^(-14/3)`` (Python
    floats; ``D`` is inf or 0 where it leaves float64's range: the state then holds ``sqrt(D)``,
    root mode)."""
    C = math.sqrt(7.0 / (26.0 * gbound ** (6.0 / 7.0)))
    try:
        D = C ** (-14.0 / 3.0)
    except OverflowError:
        D = math.inf
    return C, D


def _encode_G(value: float, root: float, dtype: np.dtype) -> float:
    """A G of the state as stored: the paper's ``value`` while it is a normal number of ``dtype``,
    else ``-sqrt(G) = -root`` (root mode, module docstring)."""
    fi = np.finfo(dtype)
    if float(fi.tiny) <= value <= float(fi.max) * 2.0**-8:
        return value
    if not float(fi.tiny) <= root <= float(fi.max):
        raise ValueError(f"adaptive_nsgd: gbound makes sqrt(G) = {root:g} leave {np.dtype(dtype)}'s normal range")
    return -root


def _ansgd_init(w: np.ndarray, hp: AdaptiveNSGDParams) -> AdaptiveNSGDState:
    """``G_0 = D``, ``G_1 = 3 g^2 + D``, ``eta_0 = C / D^(2/7) = C^(7/3)`` (module docstring); a G
    beyond the dtype's normal range is stored in root mode, and an ``eta_0`` beyond it is refused
    (``gbound`` outside about ``[0.22 / max, 0.22 / tiny]``)."""
    gb = hp.gbound
    C, D = adaptive_nsgd_constants(gb)
    dt = w.dtype
    fi = np.finfo(dt)
    try:
        eta0 = C / D ** (2.0 / 7.0) if 0.0 < D < math.inf else math.exp(7.0 / 3.0 * math.log(C))
    except OverflowError:  # a subnormal gbound: eta_0 = 0.22 / gbound beyond every float
        eta0 = math.inf
    if not float(fi.tiny) <= eta0 <= float(fi.max):
        raise ValueError(f"adaptive_nsgd: gbound must give a normal {np.dtype(dt)} eta_0 = C^(7/3) = 0.22 / gbound "
                         f"(gbound in about [{0.216 / float(fi.max):.3g}, {0.216 / float(fi.tiny):.3g}]), got "
                         f"gbound={gb!r} (eta_0 = {eta0:.3g})")
    root_D = math.exp(-7.0 / 3.0 * math.log(C))  # sqrt(D) = C^(-7/3) = 1 / eta_0
    G1 = 3.0 * gb * gb + D
    one = np.ones(w.shape[:-1] + (1,), dtype=dt)
    return AdaptiveNSGDState(t=0, m=np.zeros_like(w), w_prev=w.copy(),
                             G=one * _encode_G(G1, math.hypot(math.sqrt(3.0) * gb, root_D), dt),
                             G_prev=one * _encode_G(D, root_D, dt), eta=one * eta0, direction=np.zeros_like(w))


def paper_G(G: np.ndarray) -> np.ndarray:
    """The paper's ``G`` of a state's ``G`` or ``G_prev`` (module docstring): ``G`` where
    ``G >= 0``, ``G^2`` in root mode; inf where it exceeds the dtype's range."""
    G = np.asarray(G)
    with np.errstate(over="ignore"):
        return np.where(G < 0, G * G, G)  # type: ignore[no-any-return]


def _eta(state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, t: int) -> np.ndarray:
    """``eta_t = C / (G_t^2 (t+1)^3)^(1/7)``, the step's learning rate (one per run).

    Evaluated as ``C / (G_t^(2/7) (t+1)^(3/7))`` so that ``G_t^2`` cannot overflow (G_t > 1.3e154
    made eta_t = 0, then alpha_{t+1} = inf and x_{t+1} = NaN); in root mode ``G_t^(2/7)`` is
    ``sqrt(G_t)^(4/7)``."""
    C, _ = adaptive_nsgd_constants(hp.gbound)
    G = state.G
    if getattr(G, "__counting__", False) or not (G < 0).any():
        return C / (G ** (2.0 / 7.0) * float(t + 1) ** (3.0 / 7.0))  # type: ignore[no-any-return]
    with np.errstate(invalid="ignore"):
        power = np.where(G < 0, (-G) ** (4.0 / 7.0), G ** (2.0 / 7.0))
    return C / (power * float(t + 1) ** (3.0 / 7.0))  # type: ignore[no-any-return]


def _alpha(state: AdaptiveNSGDState, t: int) -> np.ndarray:
    """``alpha_t = 1 / (t eta_{t-1}^2 G_{t-1})`` (root mode: ``(eta_{t-1} sqrt(G_{t-1}))^2``)."""
    G = state.G_prev
    if getattr(G, "__counting__", False) or not (G < 0).any():
        return 1.0 / (t * state.eta * state.eta * G)  # type: ignore[no-any-return]
    root = G < 0
    er = state.eta * np.abs(G)
    with np.errstate(over="ignore", invalid="ignore"):  # each entry keeps one of the two forms
        plain = t * state.eta * state.eta * G
    den = np.where(root, t * (er * er), plain)
    if np.geterr()["over"] == "raise" and not np.isfinite(plain[~root & np.isfinite(G)]).all():
        raise FloatingPointError("overflow encountered in multiply (alpha_t's denominator)")
    return 1.0 / den  # type: ignore[no-any-return]


def _ansgd_gradient(grad: Gradient, state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, step: Step
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Two independent samples at ``x_t = w_t + beta_t/(1 - beta_t) (w_t - w_{t-1})``."""
    w, alpha = step.x, _alpha(state, step.t)
    x = w + ((1.0 - alpha) / alpha) * (w - state.w_prev)
    return grad(x), grad(x)


def _accumulate(G: np.ndarray, g: np.ndarray, g2: np.ndarray, inc: float, root_inc: float) -> np.ndarray:
    """``G_{t+1} = G_t + ||g - g'||^2 + inc``: the plain sum where it is finite, else root mode
    (module docstring)."""
    with np.errstate(over="ignore", invalid="ignore"):
        diff = g - g2
        G_next = G + np.sum(diff * diff, axis=-1, keepdims=True) + inc
    if getattr(G_next, "__counting__", False):
        return G_next
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(G) & np.isfinite(g).all(axis=-1, keepdims=True) & np.isfinite(g2).all(axis=-1,
                                                                                                      keepdims=True)
        root = finite & ((G < 0) | ~np.isfinite(G_next))
    if not root.any():
        return G_next
    with np.errstate(all="ignore"):
        R = np.where(G < 0, -G, np.sqrt(np.abs(G)))
        nd = 2.0 * norm(0.5 * g - 0.5 * g2)  # ||g - g'||, each half representable
        parts = np.concatenate([R, nd, np.broadcast_to(root_inc, R.shape).astype(R.dtype)], axis=-1)
        R_next = norm(parts)
        sq = R_next * R_next
        fi = np.finfo(R.dtype)
        stored = np.where((sq >= fi.tiny * 2.0**8) & (sq <= fi.max * 2.0**-8), sq, -R_next)
    if np.geterr()["over"] == "raise" and not np.isfinite(R_next[root]).all():
        raise FloatingPointError("overflow encountered in sqrt(G_{t+1}) (beyond the dtype's max: G not representable)")
    return np.where(root, stored, G_next)  # type: ignore[no-any-return]


def ansgd_update(gs: tuple[np.ndarray, np.ndarray], state: AdaptiveNSGDState, hp: AdaptiveNSGDParams, step: Step
                 ) -> AdaptiveNSGDState:
    """``m_t``, ``G_{t+1}`` and ``d_t = m_t / ||m_t||`` (module docstring); ``step.lr`` is eta_t."""
    g, g2 = gs
    t, gb, G = step.t, hp.gbound, state.G
    alpha = _alpha(state, t)
    m = (1.0 - alpha) * state.m + alpha * g
    step_t = (t + 1) ** 0.25 - t**0.25
    G_next = _accumulate(G, g, g2, gb * gb * step_t, gb * math.sqrt(step_t))
    return AdaptiveNSGDState(t, m, step.x, G_next, G, step.lr, normalize(m))


ADAPTIVE_NSGD = register(Declaration(
    name="adaptive_nsgd", hyperparams=AdaptiveNSGDParams, state=AdaptiveNSGDState, init=_ansgd_init,
    update=ansgd_update,
    doc="Adaptive normalized SGD with momentum (nsgdm Algorithm 2); see :mod:`reference.normalized`.",
    scope=RUN, reduction=RUN, oracle_calls=2, gradient=_ansgd_gradient, x_dependent=True, learning_rate=_eta,
    roundings=_NOT_DERIVED, examples=(Example("adaptive_nsgd", {"gbound": 1.0}),),
))
adaptive_nsgd = ADAPTIVE_NSGD.factory
