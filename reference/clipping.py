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

from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, factory, lr_at, norm, oracle_gradient

__all__ = ["ClipState", "sgd_clip", "clip_factor"]


class ClipState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


def clip_factor(u: np.ndarray, eta: float, gamma: float) -> np.ndarray:
    """``min(1, gamma / (eta ||u||))`` over the last axis (1 when ``u = 0``; NaN when ``||u||`` is NaN)."""
    nu = eta * norm(u)
    small = nu <= gamma  # False for NaN, so a NaN norm propagates instead of reading as "no clipping"
    return np.where(small, 1.0, gamma / np.where(small, 1.0, nu))


@factory("sgd_clip")
def sgd_clip(hp: Any) -> Algorithm:
    """Clipped SGD with momentum (Zhang et al. 2020, Alg. 1); see the module docstring."""
    beta, nu, gamma = hp["beta"], hp["nu"], hp["gamma"]

    def init(x0: Any) -> ClipState:
        z = np.zeros_like(as_float_array(x0))
        return ClipState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: ClipState, oracle: Oracle) -> tuple[np.ndarray, ClipState]:
        check_shape("sgd_clip", x, state)
        t = state.t + 1
        g = oracle_gradient("sgd_clip", oracle, x)
        m = beta * state.m + (1.0 - beta) * g
        eta = lr_at("sgd_clip", hp["lr"], t)
        d = np.zeros_like(g)
        if nu:
            d = d + nu * clip_factor(m, eta, gamma) * m
        if nu != 1.0:
            d = d + (1.0 - nu) * clip_factor(g, eta, gamma) * g
        return x - eta * d, ClipState(t, m, d)

    return Algorithm("sgd_clip", hp, init, step)
