"""Adan (Xie et al. 2024), an s3 Sec. 5 baseline (its Nesterov form is NAG (III), s3 Sec. 3).

``form='official'`` follows the official implementation (github.com/sail-sg/Adan, ``adan.py``):
coefficients weight the *old* value (defaults beta1, beta2, beta3 = 0.98, 0.92, 0.99) and the
moments are bias-corrected.  Step t = 1, 2, ... with ``g_0 := g_1`` (the first difference is 0)::

    m_t = beta1 m_{t-1} + (1 - beta1) g_t
    v_t = beta2 v_{t-1} + (1 - beta2) (g_t - g_{t-1})
    n_t = beta3 n_{t-1} + (1 - beta3) (g_t + beta2 (g_t - g_{t-1}))^2
    d_t = (m_t / (1 - beta1^t) + beta2 v_t / (1 - beta2^t)) / (sqrt(n_t / (1 - beta3^t)) + eps)
    x_{t+1} = (x_t - gamma d_t) / (1 + gamma lambda)         (proximal weight decay; default)
    x_{t+1} = x_t (1 - gamma lambda) - gamma d_t             (no_prox=True)

``form='paper'`` is Adan's Algorithm 1 as printed: coefficients weight the *new* term
(``m_t = (1 - beta1) m_{t-1} + beta1 g_t``, defaults 0.02, 0.08, 0.01, i.e. one minus the
official ones), ``d_t = (m_t + (1 - beta2) v_t) / (sqrt(n_t) + eps)`` with no bias correction.
The Adan paper is not among ../shared/papers; both forms are reconstructed from its public code
and Algorithm 1 and documented as such.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .algorithm import ratio
from .declaration import Conventions, Declaration, Example, Step, WeightDecay
from .hyperparams import NONNEG, UNIT, Hyperparams, LearningRate, boolean, learning_rate, one_of, optional, param
from .registry import register

__all__ = ["AdanState", "AdanParams", "adan", "official_betas"]

_OFFICIAL = (0.98, 0.92, 0.99)


class AdanState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    n: np.ndarray
    g_prev: np.ndarray
    direction: np.ndarray


class AdanParams(Hyperparams):
    """Adan's (official code or Algorithm 1)."""

    lr: LearningRate = param(default=1e-3, check=learning_rate,
                             doc="learning rate gamma/eta: float > 0 or schedule t -> lr_t")
    beta1: float | None = param(default=None, check=optional(UNIT), doc="m coefficient; None: 0.98 (official) / 0.02 (paper)")
    beta2: float | None = param(default=None, check=optional(UNIT),
                                doc="gradient-difference coefficient; None: 0.92 / 0.08")
    beta3: float | None = param(default=None, check=optional(UNIT), doc="n coefficient; None: 0.99 / 0.01")
    eps: float = param(default=1e-8, check=NONNEG, doc="epsilon >= 0 added to the denominator")
    weight_decay: float = param(default=0.0, check=NONNEG, doc="weight decay lambda >= 0")
    no_prox: bool = param(default=False, check=boolean,
                          doc="True: x(1 - lr wd) - lr u; False: (x - lr u)/(1 + lr wd) (proximal)")
    form: str = param(default="official", check=one_of("official", "paper"),
                      doc="'official': sail-sg/Adan betas and bias correction; 'paper': Adan Alg. 1 betas, no bias "
                          "correction")


def official_betas(hp: Any) -> tuple[float, float, float]:
    """The coefficients in the official (old-value) convention, whatever ``form`` was given."""
    out = []
    for k, default in zip(("beta1", "beta2", "beta3"), _OFFICIAL):
        b = hp[k]
        if b is None:
            out.append(default)
        else:
            out.append(b if hp["form"] == "official" else 1.0 - b)
    return out[0], out[1], out[2]


def _official_form(hp: Any) -> dict[str, float]:
    """The betas in the official (old-value) convention (what most implementations take)."""
    return dict(zip(("beta1", "beta2", "beta3"), official_betas(hp)))


def _paper_form(hp: Any) -> dict[str, float]:
    """The betas in Algorithm 1's (new-term) convention: one minus the official ones."""
    return {k: 1.0 - b for k, b in _official_form(hp).items()}


def _given_form(hp: Any) -> dict[str, float]:
    """The betas in the convention of ``form``, as given (None: that form's defaults)."""
    return _official_form(hp) if hp["form"] == "official" else _paper_form(hp)


def _init(x: np.ndarray, hp: AdanParams) -> AdanState:
    z = np.zeros_like(x)
    return AdanState(t=0, m=z, v=z.copy(), n=z.copy(), g_prev=z.copy(), direction=z.copy())


def update(g: np.ndarray, state: AdanState, hp: AdanParams, step: Step) -> AdanState:
    """The moments and the direction of the module docstring (``g_0 := g_1``)."""
    beta1, beta2, beta3 = official_betas(hp)
    t = step.t
    diff = g - (g if t == 1 else state.g_prev)
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * diff
    u = g + beta2 * diff
    n = beta3 * state.n + (1.0 - beta3) * (u * u)
    if hp.form == "official":
        den = np.sqrt(n) / math.sqrt(1.0 - beta3**t) + hp.eps
        num = m / (1.0 - beta1**t) + beta2 * v / (1.0 - beta2**t)
    else:
        den = np.sqrt(n) + hp.eps
        num = m + beta2 * v
    return AdanState(t, m, v, n, g, ratio(num, den))


def _decay(hp: AdanParams) -> WeightDecay:
    return WeightDecay("decoupled" if hp.no_prox else "proximal", hp.weight_decay)


ADAN = register(Declaration(
    name="adan", hyperparams=AdanParams, state=AdanState, init=_init, update=update,
    doc="Adan, official implementation or paper Algorithm 1 form; see :mod:`reference.adan`.",
    decay=_decay, torch="gpu.adan:Adan",
    # implementations take the official (old-value) betas; pytorch-optimizer: weight_decouple = no prox
    # implementations take the official (old-value) betas by default (hp_form='paper' or 'as-given'
    # for one that takes Algorithm 1's); pytorch-optimizer: weight_decouple = no prox
    conventions=Conventions(kwargs={"no_prox": ("no_prox", "weight_decouple", "no_proximal")},
                            buffers={"exp_avg_diff": "v", "exp_avg_sq": "n", "g": "g_prev", "v": "v", "n": "n"},
                            forms={"official": _official_form, "paper": _paper_form, "as-given": _given_form},
                            folded=("form",)),
    examples=(Example("adan", {"weight_decay": 0.1}),
              Example("adan_no_prox", {"weight_decay": 0.1, "no_prox": True}),
              Example("adan_paper", {"form": "paper"})),
))
adan = ADAN.factory
