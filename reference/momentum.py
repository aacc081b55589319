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

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, factory, lr_at, oracle_gradient

__all__ = ["NAGState", "NAG3State", "SGDMState", "nag", "sgdm"]


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


@factory("nag")
def nag(hp: Any) -> Algorithm:
    """Nesterov's accelerated gradient in the three forms of s3 Theorem 3 (Eqs. 5-7)."""
    beta, form = hp["beta"], hp["form"]

    def init(x0: Any) -> NAGState | NAG3State:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        if form == "III":
            return NAG3State(t=0, m=z, r=z.copy(), g_prev=z.copy(), direction=z.copy())
        return NAGState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: Any, oracle: Oracle) -> tuple[np.ndarray, Any]:
        check_shape("nag", x, state)
        t = state.t + 1
        lr_t = lr_at("nag", hp["lr"], t)
        if form == "I":
            g = oracle_gradient("nag", oracle, x - lr_t * beta * state.m)
        else:
            g = oracle_gradient("nag", oracle, x)
        m = beta * state.m + (1.0 - beta) * g
        if form == "I":
            return x - lr_t * m, NAGState(t, m, m)
        if form == "II":
            d = beta * m + (1.0 - beta) * g
            return x - lr_t * d, NAGState(t, m, d)
        g_prev = g if (t == 1 and hp["g0"] == "first") else state.g_prev
        r = beta * state.r + (1.0 - beta) * (g - g_prev)
        d = m + beta * r
        return x - lr_t * d, NAG3State(t, m, r, g, d)

    return Algorithm("nag", hp, init, step)


@factory("sgdm")
def sgdm(hp: Any) -> Algorithm:
    """SGD with momentum.

    ``convention='ema'`` (s3 Sec. 5 baseline SGDM, Theorem 3's m): ``m_t = beta m_{t-1} + (1-beta) g_t``,
    ``d_t = m_t``, ``m_0 = 0``.  ``convention='torch'`` (torch.optim.SGD): ``m_1 = g_1``,
    ``m_t = beta m_{t-1} + (1 - dampening) g_t``, ``d_t = g_t + beta m_t`` if ``nesterov`` else
    ``m_t`` (``d_t = g_t`` when beta = 0).  ``weight_decay`` is coupled (``g <- g + lambda x``).
    """
    beta = hp["beta"]
    torch_style = hp["convention"] == "torch"
    if not torch_style and (hp["nesterov"] or hp["dampening"]):
        raise ValueError("sgdm: nesterov and dampening apply to convention='torch' only")
    if hp["nesterov"] and (beta <= 0 or hp["dampening"] != 0):
        raise ValueError("sgdm: nesterov needs beta > 0 and dampening = 0 (as torch.optim.SGD)")

    def init(x0: Any) -> SGDMState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return SGDMState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: SGDMState, oracle: Oracle) -> tuple[np.ndarray, SGDMState]:
        check_shape("sgdm", x, state)
        t = state.t + 1
        g = oracle_gradient("sgdm", oracle, x)
        if hp["weight_decay"]:
            g = g + hp["weight_decay"] * x
        if not torch_style:
            m = beta * state.m + (1.0 - beta) * g
            d = m
        elif beta == 0:
            m, d = state.m, g
        else:
            m = g if t == 1 else beta * state.m + (1.0 - hp["dampening"]) * g
            d = g + beta * m if hp["nesterov"] else m
        lr_t = lr_at("sgdm", hp["lr"], t)
        return x - lr_t * d, SGDMState(t, m, d)

    return Algorithm("sgdm", hp, init, step)
