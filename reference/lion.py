"""Lion (Chen et al. 2023b), an s3 Sec. 5 baseline; the google/automl and torch ports' form.

Step t = 1, 2, ...::

    c_t = beta1 m_{t-1} + (1 - beta1) g_t
    d_t = sign(c_t)                        (sign(0) = 0)
    m_t = beta2 m_{t-1} + (1 - beta2) g_t
    x_{t+1} = x_t (1 - gamma lambda) - gamma d_t
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, decoupled_step, factory, lr_at, \
    oracle_gradient

__all__ = ["LionState", "lion"]


class LionState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


@factory("lion")
def lion(hp: Any) -> Algorithm:
    """Lion; see the module docstring."""
    beta1, beta2 = hp["beta1"], hp["beta2"]

    def init(x0: Any) -> LionState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return LionState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: LionState, oracle: Oracle) -> tuple[np.ndarray, LionState]:
        check_shape("lion", x, state)
        t = state.t + 1
        g = oracle_gradient("lion", oracle, x)
        d = np.sign(beta1 * state.m + (1.0 - beta1) * g)
        m = beta2 * state.m + (1.0 - beta2) * g
        lr_t = lr_at("lion", hp["lr"], t)
        return decoupled_step(x, d, lr_t, hp["weight_decay"]), LionState(t, m, d)

    return Algorithm("lion", hp, init, step)
