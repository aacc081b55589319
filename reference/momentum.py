"""Momentum SGD: nag (three NAG forms, s3 Theorem 3) and sgdm.

NAG, s3 Theorem 3 (constant gamma, momentum beta), step t = 1, 2, ...:

* form I (Eq. 5):  ``g_t = grad f(x~_t - gamma beta m_{t-1})``, ``m_t = beta m_{t-1} + (1-beta) g_t``,
  ``x~_{t+1} = x~_t - gamma m_t``.  The iterate passed to ``step`` is ``x~_t``; the oracle is
  called at the look-ahead point; ``d_t = m_t``.
* form II (Eq. 6): ``g_t = grad f(x_t)``, ``m_t`` as above, ``d_t = beta m_t + (1-beta) g_t``.
* form III (Eq. 7): ``m_t`` as above, ``r_t = beta r_{t-1} + (1-beta)(g_t - g_{t-1})``,
  ``d_t = m_t + beta r_t``.

Initial values: ``m_0 = 0``, ``r_0 = 0`` and ``g_0 = 0`` (``g0='zero'``).  These are the
values under which the three forms are identical with ``x_t = x~_t - gamma beta m_{t-1}``
(then ``x_1 = x~_1``; with ``g_0 = g_1``, as Adan's code does, form III differs at t = 1).
The equivalence needs a constant gamma; with a schedule form I uses gamma_t at the look-ahead.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .declaration import Conventions, Declaration, Example, Gradient, Step, coupled
from .hyperparams import NONNEG, UNIT, Hyperparams, LearningRate, boolean, learning_rate, one_of, param
from .registry import register

__all__ = ["NAGState", "NAG3State", "SGDMState", "NAGParams", "SGDMParams", "nag", "sgdm"]

_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"


class NAGState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class NAG3State(NamedTuple):
    t: int
    m: np.ndarray
    r: np.ndarray
    g_prev: np.ndarray
    direction: np.ndarray


class SGDMState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class NAGParams(Hyperparams):
    """NAG's (s3 Theorem 3)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")
    form: str = param(default="II", check=one_of("I", "II", "III"), doc="S3 Theorem 3 formulation")
    g0: str = param(default="zero", check=one_of("zero", "first"),
                    doc="form III's g_0: 'zero' (needed for S3 Theorem 3) or 'first' (g_0 = g_1, as Adan's code)")


class SGDMParams(Hyperparams):
    """SGD with momentum's (EMA or torch.optim.SGD convention)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")
    convention: str = param(default="ema", check=one_of("ema", "torch"),
                            doc="'ema': m = beta m + (1-beta) g; 'torch': torch.optim.SGD")
    dampening: float = param(default=0.0, check=UNIT, doc="torch convention only: m = beta m + (1 - dampening) g")
    nesterov: bool = param(default=False, check=boolean, doc="torch convention only: step along g + beta m")
    weight_decay: float = param(default=0.0, check=NONNEG, doc="weight decay lambda >= 0")


def _nag_init(x: np.ndarray, hp: NAGParams) -> Any:  # NAGState, or NAG3State for form III
    z = np.zeros_like(x)
    if hp.form == "III":
        return NAG3State(t=0, m=z, r=z.copy(), g_prev=z.copy(), direction=z.copy())
    return NAGState(t=0, m=z, direction=z.copy())


def _nag_gradient(grad: Gradient, state: NAGState | NAG3State, hp: NAGParams, step: Step) -> np.ndarray:
    """Form I evaluates the oracle at the look-ahead point ``x~_t - gamma_t beta m_{t-1}``."""
    if hp.form == "I":
        return grad(step.x - step.lr * hp.beta * state.m)
    return grad(step.x)


def nag_update(g: np.ndarray, state: Any, hp: NAGParams, step: Step) -> Any:  # as _nag_init
    """s3 Theorem 3, Eqs. 5-7 (module docstring)."""
    beta, t = hp.beta, step.t
    m = beta * state.m + (1.0 - beta) * g
    if hp.form == "I":
        return NAGState(t, m, m)
    if hp.form == "II":
        return NAGState(t, m, beta * m + (1.0 - beta) * g)
    g_prev = g if (t == 1 and hp.g0 == "first") else state.g_prev
    r = beta * state.r + (1.0 - beta) * (g - g_prev)
    return NAG3State(t, m, r, g, m + beta * r)


NAG = register(Declaration(
    name="nag", hyperparams=NAGParams, state=NAGState, init=_nag_init, update=nag_update,
    doc="Nesterov's accelerated gradient in the three forms of s3 Theorem 3 (Eqs. 5-7).",
    gradient=_nag_gradient, x_dependent=lambda hp: hp.get("form") == "I",
    examples=(Example("nag_I", {"lr": 0.1, "form": "I"}), Example("nag_II", {"lr": 0.1, "form": "II"}),
              Example("nag_III", {"lr": 0.1, "form": "III"}),
              Example("nag_III_first", {"lr": 0.1, "form": "III", "g0": "first"})),
))
nag = NAG.factory


def _sgdm_check(hp: SGDMParams) -> None:
    if hp.convention != "torch" and (hp.nesterov or hp.dampening):
        raise ValueError("sgdm: nesterov and dampening apply to convention='torch' only")
    if hp.nesterov and (hp.beta <= 0 or hp.dampening != 0):
        raise ValueError("sgdm: nesterov needs beta > 0 and dampening = 0 (as torch.optim.SGD)")


def _sgdm_init(x: np.ndarray, hp: SGDMParams) -> SGDMState:
    z = np.zeros_like(x)
    return SGDMState(t=0, m=z, direction=z.copy())


def sgdm_update(g: np.ndarray, state: SGDMState, hp: SGDMParams, step: Step) -> SGDMState:
    """The ``sgdm`` docstring's update (after the coupled weight decay)."""
    beta, t = hp.beta, step.t
    if hp.convention != "torch":
        m = beta * state.m + (1.0 - beta) * g
        d = m
    elif beta == 0:
        m, d = state.m, g
    else:
        m = g if t == 1 else beta * state.m + (1.0 - hp.dampening) * g
        d = g + beta * m if hp.nesterov else m
    return SGDMState(t, m, d)


SGDM = register(Declaration(
    name="sgdm", hyperparams=SGDMParams, state=SGDMState, init=_sgdm_init, update=sgdm_update,
    doc='''SGD with momentum.

    ``convention='ema'`` (s3 Sec. 5 baseline SGDM, Theorem 3's m): ``m_t = beta m_{t-1} + (1-beta) g_t``,
    ``d_t = m_t``, ``m_0 = 0``.  ``convention='torch'`` (torch.optim.SGD): ``m_1 = g_1``,
    ``m_t = beta m_{t-1} + (1 - dampening) g_t``, ``d_t = g_t + beta m_t`` if ``nesterov`` else
    ``m_t`` (``d_t = g_t`` when beta = 0).  ``weight_decay`` is coupled (``g <- g + lambda x``).''',
    decay=coupled, check=_sgdm_check,
    # torch.optim.SGD's momentum; heavyball's SGD calls it beta.  Buffers: optax/torchopt trace(),
    # heavyball; Keras' velocity v_t = beta v_{t-1} - lr g_t = -lr m_t (torch convention, constant lr)
    conventions=Conventions(kwargs={"beta": ("momentum", "beta")},
                            buffers={"trace": "m", "heavyball_momentum_momentum_0": "m",
                                     "nesterov_momentum_momentum_0": "m", "keras:momentum": "m|-lr_scaled"}),
    examples=(Example("sgdm", {"lr": 0.1}),
              Example("sgdm_torch", {"lr": 0.1, "convention": "torch", "dampening": 0.3, "weight_decay": 0.1}),
              Example("sgdm_torch_nesterov", {"lr": 0.1, "convention": "torch", "nesterov": True}),
              Example("sgdm_torch_beta0", {"lr": 0.1, "convention": "torch", "beta": 0.0})),
))
sgdm = SGDM.factory
