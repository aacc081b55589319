"""NAdam in torch.optim.NAdam's definition (Dozat 2016, with momentum decay); an s3 Sec. 5 baseline.

Step t = 1, 2, ... with ``mu_t = beta1 (1 - 0.5 * 0.96^(t psi))`` (psi = ``momentum_decay``)
and ``Pi_t = prod_{k <= t} mu_k``::

    m_t = beta1 m_{t-1} + (1 - beta1) g_t
    v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    den = sqrt(v_t / (1 - beta2^t)) + eps
    d_t = [(1 - mu_t) / (1 - Pi_t) g_t + mu_{t+1} / (1 - Pi_t mu_{t+1}) m_t] / den

Weight decay is coupled (``g <- g + lambda x``) or, with ``decoupled_weight_decay``,
``x <- x (1 - gamma lambda)`` (torch's NAdamW form).

``mu_schedule='constant'`` sets ``mu_t = beta1`` for every t (Dozat 2016, Alg. 2 with a constant
momentum schedule), so that ``Pi_t = beta1^t`` and the direction is
``[(1 - beta1)/(1 - beta1^t) g_t + beta1/(1 - beta1^(t+1)) m_t] / den``: the NAdam of optax
(``optax.nadam``/``nadamw`` = ``scale_by_adam(nesterov=True)``, optax/_src/transform.py), which
has no momentum-decay schedule.  ``momentum_decay`` is then unused.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .algorithm import ratio
from .declaration import Conventions, Declaration, Example, Step, WeightDecay
from .hyperparams import NONNEG, UNIT, Hyperparams, LearningRate, boolean, learning_rate, one_of, param
from .registry import register

__all__ = ["NAdamState", "NAdamParams", "nadam"]


class NAdamState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    mu_product: float
    direction: np.ndarray


class NAdamParams(Hyperparams):
    """NAdam's (torch.optim.NAdam; optax.nadam with ``mu_schedule='constant'``)."""

    lr: LearningRate = param(default=2e-3, check=learning_rate,
                             doc="learning rate gamma/eta: float > 0 or schedule t -> lr_t")
    beta1: float = param(default=0.9, check=UNIT, doc="first-moment EMA coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.999, check=UNIT, doc="second-moment EMA coefficient beta2 in [0, 1)")
    eps: float = param(default=1e-8, check=NONNEG, doc="epsilon >= 0 added to the denominator")
    momentum_decay: float = param(default=4e-3, check=NONNEG, doc="psi in mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), >= 0")
    weight_decay: float = param(default=0.0, check=NONNEG, doc="weight decay lambda >= 0")
    decoupled_weight_decay: bool = param(default=False, check=boolean,
                                         doc="True: x <- x(1 - lr*wd) (AdamW); False: g <- g + wd*x (L2)")
    mu_schedule: str = param(default="dozat", check=one_of("dozat", "constant"),
                             doc="'dozat': mu_t with momentum_decay (torch); 'constant': mu_t = beta1 (optax.nadam)")


def _mu(hp: NAdamParams, t: int) -> float:
    """``mu_t``."""
    if hp.mu_schedule == "constant":
        return hp.beta1
    return hp.beta1 * (1.0 - 0.5 * 0.96 ** (t * hp.momentum_decay))


def _init(x: np.ndarray, hp: NAdamParams) -> NAdamState:
    z = np.zeros_like(x)
    return NAdamState(t=0, m=z, v=z.copy(), mu_product=1.0, direction=z.copy())


def update(g: np.ndarray, state: NAdamState, hp: NAdamParams, step: Step) -> NAdamState:
    """The moments, ``Pi_t`` and the direction of the module docstring."""
    beta1, beta2, t = hp.beta1, hp.beta2, step.t
    mu_t, mu_next = _mu(hp, t), _mu(hp, t + 1)
    mu_product = state.mu_product * mu_t
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * (g * g)
    den = np.sqrt(v / (1.0 - beta2**t)) + hp.eps
    num = (1.0 - mu_t) / (1.0 - mu_product) * g + mu_next / (1.0 - mu_product * mu_next) * m
    return NAdamState(t, m, v, mu_product, ratio(num, den))


def _decay(hp: NAdamParams) -> WeightDecay:
    return WeightDecay("decoupled" if hp.decoupled_weight_decay else "coupled", hp.weight_decay)


NADAM = register(Declaration(
    name="nadam", hyperparams=NAdamParams, state=NAdamState, init=_init, update=update,
    doc="NAdam (torch.optim.NAdam); see :mod:`reference.nadam`.", decay=_decay,
    # torch.optim/optax/Keras names; heavyball keeps m raw and v bias-corrected (beta_debias)
    conventions=Conventions(buffers={"exp_avg_sq": "v", "nu": "v", "velocity": "v",
                                     "update_by_nadam_exp_avg_0": "m",
                                     "update_by_nadam_exp_avg_sq_0": "v|bias_corrected(beta2)",
                                     "update_by_nadam_mu_product_1": "mu_product"},
                            # Keras' Nadam has psi = 1 built in (0.96^t): a convention, checked where not passed
                            options=("momentum_decay",)),
    examples=(Example("nadam", {}), Example("nadamw", {"weight_decay": 0.1, "decoupled_weight_decay": True})),
))
nadam = NADAM.factory
