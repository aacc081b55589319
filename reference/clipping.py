"""SGD with gradient / momentum clipping: the general clipping framework of Zhang, Jin, Fang &
Wang (NeurIPS 2020, Algorithm 1) that gsignsgd Sec. 5 compares against (SGDClipGrad: nu = 0,
SGDClipMomentum: nu = 1).  That paper is not among ../shared/papers; the update is reconstructed
from its Algorithm 1 as gsignsgd cites it.  Step t = 1, 2, ... with ``m_0 = 0``::

    m_t     = beta m_{t-1} + (1 - beta) g_t
    x_{t+1} = x_t - [nu min(eta, gamma/||m_t||) m_t + (1 - nu) min(eta, gamma/||g_t||) g_t]

so ``d_t = nu min(1, gamma/(eta ||m_t||)) m_t + (1 - nu) min(1, gamma/(eta ||g_t||)) g_t`` and
every step has length at most gamma.  Norms are Euclidean over the last axis.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .algorithm import norm
from .declaration import RUN, Declaration, Example, Step
from .hyperparams import POS, UNIT, UNIT_CLOSED, Hyperparams, LearningRate, learning_rate, param
from .registry import register

__all__ = ["ClipState", "ClipParams", "sgd_clip", "clip_factor", "clipped"]


class ClipState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class ClipParams(Hyperparams):
    """Clipped SGD's (Zhang et al. 2020, Alg. 1)."""

    lr: LearningRate = param(check=learning_rate, doc="learning rate gamma/eta: float > 0 or schedule t -> lr_t")
    gamma: float = param(check=POS, doc="clipping threshold gamma > 0 (step length at most gamma)")
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")
    nu: float = param(default=1.0, check=UNIT_CLOSED,
                      doc="mixing nu in [0, 1]: 1 clips momentum (SGDClipMomentum), 0 clips the gradient")


def clip_factor(u: np.ndarray, eta: float, gamma: float) -> np.ndarray:
    """``min(1, gamma / (eta ||u||))`` over the last axis (1 when ``u = 0``; NaN when ``||u||`` is NaN)."""
    with np.errstate(over="ignore"):  # eta ||u|| beyond the dtype: clipped (clipped() then rescales)
        nu = eta * norm(u)
    small = nu <= gamma  # False for NaN, so a NaN norm propagates instead of reading as "no clipping"
    return np.where(small, 1.0, gamma / np.where(small, 1.0, nu))


def clipped(weight: float, u: np.ndarray, eta: float, gamma: float) -> np.ndarray:
    """``weight * min(1, gamma / (eta ||u||)) * u`` (:func:`clip_factor`, in this order), and, for a
    finite run whose ``eta ||u||`` exceeds the dtype (the factor would be 0: a 0 step),
    ``weight (gamma / eta) u / ||u||`` evaluated on ``u 2^-e`` (``2^(e-1) <= max |u| < 2^e``, exact
    scaling)."""
    f = clip_factor(u, eta, gamma)
    out = weight * f * u
    if getattr(out, "__counting__", False):
        return out  # type: ignore[no-any-return]
    lost = (f == 0) & np.isfinite(u).all(axis=-1, keepdims=True) & (u != 0).any(axis=-1, keepdims=True)
    if not lost.any():
        return out  # type: ignore[no-any-return]
    with np.errstate(all="ignore"):
        _, e = np.frexp(np.max(np.abs(u), axis=-1, keepdims=True))
        v = np.ldexp(u, -e)
        rescaled = (weight * (gamma / eta)) * (v / norm(v))
    return np.where(lost, rescaled, out)  # type: ignore[no-any-return]


def _init(x: np.ndarray, hp: ClipParams) -> ClipState:
    z = np.zeros_like(x)
    return ClipState(t=0, m=z, direction=z.copy())


def update(g: np.ndarray, state: ClipState, hp: ClipParams, step: Step) -> ClipState:
    """``m_t`` and ``d_t`` of the module docstring (``eta = lr_t``)."""
    beta, nu, gamma, eta = hp.beta, hp.nu, hp.gamma, step.lr
    m = beta * state.m + (1.0 - beta) * g
    d = np.zeros_like(g)
    if nu:
        d = d + clipped(nu, m, eta, gamma)
    if nu != 1.0:
        d = d + clipped(1.0 - nu, g, eta, gamma)
    return ClipState(step.t, m, d)


SGD_CLIP = register(Declaration(
    name="sgd_clip", hyperparams=ClipParams, state=ClipState, init=_init, update=update,
    doc="Clipped SGD with momentum (Zhang et al. 2020, Alg. 1); see :mod:`reference.clipping`.",
    scope=RUN, reduction=RUN,
    examples=(Example("sgd_clip_nu1", {"lr": 0.1, "gamma": 0.05}),
              Example("sgd_clip_nu0", {"lr": 0.1, "gamma": 0.05, "nu": 0.0}),
              Example("sgd_clip_nu0.3", {"lr": 0.1, "gamma": 0.05, "nu": 0.3})),
))
sgd_clip = SGD_CLIP.factory
