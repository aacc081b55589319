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

from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, decoupled_step, factory, lr_at, \
    oracle_gradient, ratio

__all__ = ["NAdamState", "nadam"]


class NAdamState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    mu_product: float
    direction: np.ndarray


@factory("nadam")
def nadam(hp: Any) -> Algorithm:
    """NAdam (torch.optim.NAdam); see the module docstring."""
    beta1, beta2, psi = hp["beta1"], hp["beta2"], hp["momentum_decay"]

    constant = hp["mu_schedule"] == "constant"

    def mu(t: int) -> float:
        return beta1 if constant else beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))

    def init(x0: Any) -> NAdamState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return NAdamState(t=0, m=z, v=z.copy(), mu_product=1.0, direction=z.copy())

    def step(x: np.ndarray, state: NAdamState, oracle: Oracle) -> tuple[np.ndarray, NAdamState]:
        check_shape("nadam", x, state)
        t = state.t + 1
        g = oracle_gradient("nadam", oracle, x)
        if hp["weight_decay"] and not hp["decoupled_weight_decay"]:
            g = g + hp["weight_decay"] * x
        mu_t, mu_next = mu(t), mu(t + 1)
        mu_product = state.mu_product * mu_t
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        den = np.sqrt(v / (1.0 - beta2**t)) + hp["eps"]
        num = (1.0 - mu_t) / (1.0 - mu_product) * g + mu_next / (1.0 - mu_product * mu_next) * m
        d = ratio(num, den)
        lr_t = lr_at("nadam", hp["lr"], t)
        wd = hp["weight_decay"] if hp["decoupled_weight_decay"] else 0.0
        return decoupled_step(x, d, lr_t, wd), NAdamState(t, m, v, mu_product, d)

    return Algorithm("nadam", hp, init, step)
