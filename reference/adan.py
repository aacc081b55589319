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

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, factory, lr_at, oracle_gradient, ratio

__all__ = ["AdanState", "adan", "official_betas"]

_OFFICIAL = (0.98, 0.92, 0.99)


class AdanState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    n: np.ndarray
    g_prev: np.ndarray
    direction: np.ndarray


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


@factory("adan")
def adan(hp: Any) -> Algorithm:
    """Adan, official implementation or paper Algorithm 1 form; see the module docstring."""
    beta1, beta2, beta3 = official_betas(hp)
    corrected = hp["form"] == "official"

    def init(x0: Any) -> AdanState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return AdanState(t=0, m=z, v=z.copy(), n=z.copy(), g_prev=z.copy(), direction=z.copy())

    def step(x: np.ndarray, state: AdanState, oracle: Oracle) -> tuple[np.ndarray, AdanState]:
        check_shape("adan", x, state)
        t = state.t + 1
        g = oracle_gradient("adan", oracle, x)
        diff = g - (g if t == 1 else state.g_prev)
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * diff
        u = g + beta2 * diff
        n = beta3 * state.n + (1.0 - beta3) * (u * u)
        if corrected:
            den = np.sqrt(n) / math.sqrt(1.0 - beta3**t) + hp["eps"]
            num = m / (1.0 - beta1**t) + beta2 * v / (1.0 - beta2**t)
        else:
            den = np.sqrt(n) + hp["eps"]
            num = m + beta2 * v
        d = ratio(num, den)
        lr_t = lr_at("adan", hp["lr"], t)
        wd = hp["weight_decay"]
        if hp["no_prox"]:
            x_next = x * (1.0 - lr_t * wd) - lr_t * d
        else:
            x_next = (x - lr_t * d) / (1.0 + lr_t * wd)
        return x_next, AdanState(t, m, v, n, g, d)

    return Algorithm("adan", hp, init, step)
