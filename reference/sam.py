"""Sharpness-aware minimization: sam, adasam (adasam Alg. 1), adam_sam (adasam Remark 1).

Each step samples xi_t once and calls the oracle twice (adasam Alg. 1 lines 3-5)::

    s_t = grad f(x_t; xi_t),   delta_t = rho s_t / ||s_t||,   g_t = grad f(x_t + delta_t; xi_t)

(``s_t = 0`` gives ``delta_t = 0``).  With ``same_sample=True`` both calls use one frozen sample
when the oracle offers ``sample()``; otherwise (and always under ``replay``) each call draws
a fresh gradient.  Then

* ``sam``: ``m_t = beta m_{t-1} + (1 - beta) g_t`` (``beta = 0``: plain SAM-SGD), ``d_t = m_t``.
* ``adasam`` (lines 6-10): ``m_t = beta1 m_{t-1} + (1-beta1) g_t``,
  ``v_t = beta2 v_{t-1} + (1-beta2) g_t^2``, ``v^_t = max(v^_{t-1}, v_t)``,
  ``d_t = m_t / sqrt(v^_t)``, with ``m_{-1} = 0``, ``v_{-1} = 0``, ``v^_{-1} = eps^2``.
* ``adam_sam`` (Remark 1, line 8 dropped): ``v^_t = v_t``, so ``d_t = m_t / sqrt(v_t)``; the
  algorithm's input ``v^_{-1} = eps^2`` then initialises ``v_{-1} = eps^2``; 0/0 := 0.

The paper indexes steps from t = 0; here ``state.t`` counts completed steps (no formula depends
on it).  Norms are Euclidean over the last axis.
"""

from __future__ import annotations

import math

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .algorithm import GradientOracle, draw_sample, norm, oracle_gradient, ratio
from .declaration import RUN, Conventions, Declaration, Example, Gradient, Step
from .hyperparams import NONNEG, POS, UNIT, UNIT_CLOSED, Hyperparams, LearningRate, boolean, learning_rate, param
from .registry import register

__all__ = ["SAMState", "AdaSAMState", "SAMParams", "AdaSAMParams", "AdamSAMParams", "sam", "adasam", "adam_sam",
           "sam_gradient"]

_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"
_SAME_DOC = "evaluate s_t and g_t on the same sample xi_t (adasam Alg. 1)"


class SAMState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class AdaSAMState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_hat: np.ndarray
    direction: np.ndarray


class SAMParams(Hyperparams):
    """SAM's (Foret et al. 2021), with EMA momentum."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    rho: float = param(default=0.05, check=NONNEG, doc="neighbourhood size rho >= 0")
    beta: float = param(default=0.0, check=UNIT, doc="EMA momentum on the SAM gradient, in [0, 1) (0: plain SAM-SGD)")
    same_sample: bool = param(default=True, check=boolean, doc=_SAME_DOC)


class AdaSAMParams(Hyperparams):
    """AdaSAM's (adasam Algorithm 1)."""

    lr: LearningRate = param(default=1e-3, check=learning_rate, doc=_LR_DOC)
    rho: float = param(default=0.01, check=NONNEG, doc="neighbourhood size rho >= 0")
    beta1: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.999, check=UNIT_CLOSED,
                         doc="EMA coefficient of g^2 in [0, 1] (1 recovers SAM, Remark 1)")
    eps: float = param(default=1e-8, check=POS, doc="v_hat_{-1} = eps^2, eps > 0")
    same_sample: bool = param(default=True, check=boolean, doc=_SAME_DOC)


class AdamSAMParams(AdaSAMParams):
    """Adam-SAM's (adasam Remark 1): beta2 < 1."""

    beta2: float = param(default=0.999, check=UNIT, doc="EMA coefficient of g^2 in [0, 1)")
    eps: float = param(default=1e-8, check=POS, doc="v_{-1} = v_hat_{-1} = eps^2, eps > 0")


def sam_gradient(name: str, x: np.ndarray, oracle: GradientOracle, rho: float, same_sample: bool) -> np.ndarray:
    """``g_t = grad f(x_t + rho s_t/||s_t||; xi_t)`` (adasam Alg. 1 lines 3-5)."""
    grad: Callable[[np.ndarray], np.ndarray] = draw_sample(oracle, same_sample)
    s = oracle_gradient(name, grad, x)
    delta = rho * ratio(s, norm(s))
    return oracle_gradient(name, grad, x + delta)


def _gradient(grad: Gradient, state: Any, hp: SAMParams | AdaSAMParams, step: Step) -> np.ndarray:
    """:func:`sam_gradient` through the driver's ``grad`` (whose perturbed point is checked)."""
    sample = grad.sample(hp.same_sample)
    s = sample(step.x)
    return sample(step.x + hp.rho * ratio(s, norm(s)))


def _sam_init(x: np.ndarray, hp: SAMParams) -> SAMState:
    z = np.zeros_like(x)
    return SAMState(t=0, m=z, direction=z.copy())


def sam_update(g: np.ndarray, state: SAMState, hp: SAMParams, step: Step) -> SAMState:
    """``m_t = beta m_{t-1} + (1 - beta) g_t = d_t``."""
    m = hp.beta * state.m + (1.0 - hp.beta) * g
    return SAMState(step.t, m, m)


SAM = register(Declaration(
    name="sam", hyperparams=SAMParams, state=SAMState, init=_sam_init, update=sam_update,
    doc="SAM (Foret et al. 2021) with optional EMA momentum; see :mod:`reference.sam`.",
    reduction=RUN, oracle_calls=2, gradient=_gradient, x_dependent=True, torch="gpu.sam:SAM",
    examples=(Example("sam", {"lr": 0.1}),
              Example("sam_momentum_two_draws", {"lr": 0.1, "beta": 0.9, "same_sample": False})),
))
sam = SAM.factory


def _adasam_init(x: np.ndarray, hp: AdaSAMParams) -> AdaSAMState:
    z = np.zeros_like(x)
    name = "adam_sam" if isinstance(hp, AdamSAMParams) else "adasam"
    top = float(np.finfo(x.dtype).max)
    try:
        eps2 = hp.eps**2
    except OverflowError:
        eps2 = math.inf
    if not eps2 <= top:  # v^_{-1} = eps^2 (adasam Algorithm 1, Input)
        raise ValueError(f"{name}: eps must have a finite eps^2 in {x.dtype} (eps <= {math.sqrt(top):.4g}), "
                         f"got eps={hp.eps!r}")
    v = np.full_like(x, eps2) if isinstance(hp, AdamSAMParams) else z.copy()
    return AdaSAMState(t=0, m=z, v=v, v_hat=np.full_like(x, eps2), direction=z.copy())


def adasam_update(g: np.ndarray, state: AdaSAMState, hp: AdaSAMParams, step: Step) -> AdaSAMState:
    """adasam Algorithm 1 lines 6-10 (Adam-SAM: line 8 dropped)."""
    beta1, beta2 = hp.beta1, hp.beta2
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * (g * g)
    v_hat = v if isinstance(hp, AdamSAMParams) else np.maximum(state.v_hat, v)
    return AdaSAMState(step.t, m, v, v_hat, ratio(m, np.sqrt(v_hat)))


_V_HAT = Conventions(buffers={"v": "v", "v_hat": "v_hat"})

ADASAM = register(Declaration(
    name="adasam", hyperparams=AdaSAMParams, state=AdaSAMState, init=_adasam_init, update=adasam_update,
    doc="AdaSAM (adasam Algorithm 1); see :mod:`reference.sam`.",
    reduction=RUN, oracle_calls=2, gradient=_gradient, x_dependent=True, conventions=_V_HAT,
    torch="gpu.sam:AdaSAM", examples=(Example("adasam", {}), Example("adasam_beta2_1", {"beta2": 1.0})),
))
adasam = ADASAM.factory

ADAM_SAM = register(Declaration(
    name="adam_sam", hyperparams=AdamSAMParams, state=AdaSAMState, init=_adasam_init, update=adasam_update,
    doc="AdaSAM without the max of line 8 (adasam Remark 1): SAM with Adam's (uncorrected) step.",
    reduction=RUN, oracle_calls=2, gradient=_gradient, x_dependent=True, conventions=_V_HAT,
    torch="gpu.sam:AdamSAM", examples=(Example("adam_sam", {}),),
))
adam_sam = ADAM_SAM.factory
