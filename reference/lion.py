"""Lion (Chen et al. 2023b), an s3 Sec. 5 baseline; the google/automl and torch ports' form.

Step t = 1, 2, ...::

    c_t = beta1 m_{t-1} + (1 - beta1) g_t
    d_t = sign(c_t)                        (sign(0) = 0)
    m_t = beta2 m_{t-1} + (1 - beta2) g_t
    x_{t+1} = x_t (1 - gamma lambda) - gamma d_t
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .declaration import Declaration, Example, Step, decoupled
from .hyperparams import NONNEG, UNIT, UNIT_CLOSED, Hyperparams, LearningRate, learning_rate, param
from .registry import register

__all__ = ["LionState", "LionParams", "lion"]


class LionState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class LionParams(Hyperparams):
    """Lion's (Chen et al. 2023b)."""

    lr: LearningRate = param(default=1e-4, check=learning_rate,
                             doc="learning rate gamma/eta: float > 0 or schedule t -> lr_t")
    beta1: float = param(default=0.9, check=UNIT_CLOSED, doc="interpolation coefficient of the update, in [0, 1]")
    beta2: float = param(default=0.99, check=UNIT, doc="momentum EMA coefficient, in [0, 1)")
    weight_decay: float = param(default=0.0, check=NONNEG, doc="weight decay lambda >= 0")


def _init(x: np.ndarray, hp: LionParams) -> LionState:
    z = np.zeros_like(x)
    return LionState(t=0, m=z, direction=z.copy())


def interpolation(g: np.ndarray, state: LionState, hp: LionParams) -> np.ndarray:
    """``c_t = beta1 m_{t-1} + (1 - beta1) g_t``, the argument of the sign."""
    return hp.beta1 * state.m + (1.0 - hp.beta1) * g


def update(g: np.ndarray, state: LionState, hp: LionParams, step: Step) -> LionState:
    """``d_t = sign(c_t)``, ``m_t = beta2 m_{t-1} + (1 - beta2) g_t`` (module docstring)."""
    d = np.sign(interpolation(g, state, hp))
    m = hp.beta2 * state.m + (1.0 - hp.beta2) * g
    return LionState(step.t, m, d)


LION = register(Declaration(
    name="lion", hyperparams=LionParams, state=LionState, init=_init, update=update,
    doc="Lion; see :mod:`reference.lion`.", decay=decoupled, sign_based=True, sign_of=interpolation,
    torch="gpu.lion:Lion", examples=(Example("lion", {"weight_decay": 0.1}),),
))
lion = LION.factory
