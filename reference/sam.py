"""Sharpness-aware minimization: sam, adasam (adasam Alg. 1), adam_sam (adasam Remark 1).

Each step samples xi_t once and calls the oracle twice (adasam Alg. 1 lines 3-5)::

    s_t = grad f(x_t; xi_t),   delta_t = rho s_t / ||s_t||,   g_t = grad f(x_t + delta_t; xi_t)

(``s_t = 0`` gives ``delta_t = 0``).  With ``same_sample=True`` both calls use one frozen sample
when the oracle offers ``sample()``; otherwise (and always under ``replay``) each call draws
a fresh gradient.  Then

* ``sam``: ``m_t = beta m_{t-1} + (1 - beta) g_t`` (``beta = 0``: plain SAM-SGD), ``d_t = m_t``.
* ``adasam`` (lines 6-10): ``m_t = beta1 m_{t-1} + (1-beta1) g_t``,
  ``v_t = beta2 v_{t-1} + (1-beta2) g_t^2``, ``v^_t = max(v^_{t-1}, v_t)``,
  ``d_t = m_t / sqrt(v^_t)``, with ``m_{-1} = 0``, ``v_{-1} = 0``, ``v^_{-1} = eps^2``.
* ``adam_sam`` (Remark 1, line 8 dropped): ``v^_t = v_t``, so ``d_t = m_t / sqrt(v_t)``; the
  algorithm's input ``v^_{-1} = eps^2`` then initialises ``v_{-1} = eps^2``; 0/0 := 0.

The paper indexes steps from t = 0; here ``state.t`` counts completed steps (no formula depends
on it).  Norms are Euclidean over the last axis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, draw_sample, factory, lr_at, norm, \
    oracle_gradient, ratio

__all__ = ["SAMState", "AdaSAMState", "sam", "adasam", "adam_sam", "sam_gradient"]


class SAMState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class AdaSAMState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_hat: np.ndarray
    direction: np.ndarray


def sam_gradient(name: str, x: np.ndarray, oracle: Oracle, rho: float, same_sample: bool) -> np.ndarray:
    """``g_t = grad f(x_t + rho s_t/||s_t||; xi_t)`` (adasam Alg. 1 lines 3-5)."""
    grad: Callable[[np.ndarray], np.ndarray] = draw_sample(oracle, same_sample)
    s = oracle_gradient(name, grad, x)
    delta = rho * ratio(s, norm(s))
    return oracle_gradient(name, grad, x + delta)


@factory("sam")
def sam(hp: Any) -> Algorithm:
    """SAM (Foret et al. 2021) with optional EMA momentum; see the module docstring."""
    beta = hp["beta"]

    def init(x0: Any) -> SAMState:
        z = np.zeros_like(as_float_array(x0))
        return SAMState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: SAMState, oracle: Oracle) -> tuple[np.ndarray, SAMState]:
        check_shape("sam", x, state)
        t = state.t + 1
        g = sam_gradient("sam", x, oracle, hp["rho"], hp["same_sample"])
        m = beta * state.m + (1.0 - beta) * g
        return x - lr_at("sam", hp["lr"], t) * m, SAMState(t, m, m)

    return Algorithm("sam", hp, init, step, oracle_calls=2)


def _adaptive_sam(name: str, hp: Any, keep_max: bool) -> Algorithm:
    beta1, beta2, eps2 = hp["beta1"], hp["beta2"], hp["eps"] ** 2

    def init(x0: Any) -> AdaSAMState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        v = z.copy() if keep_max else np.full_like(x, eps2)
        return AdaSAMState(t=0, m=z, v=v, v_hat=np.full_like(x, eps2), direction=z.copy())

    def step(x: np.ndarray, state: AdaSAMState, oracle: Oracle) -> tuple[np.ndarray, AdaSAMState]:
        check_shape(name, x, state)
        t = state.t + 1
        g = sam_gradient(name, x, oracle, hp["rho"], hp["same_sample"])
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        v_hat = np.maximum(state.v_hat, v) if keep_max else v
        d = ratio(m, np.sqrt(v_hat))
        return x - lr_at(name, hp["lr"], t) * d, AdaSAMState(t, m, v, v_hat, d)

    return Algorithm(name, hp, init, step, oracle_calls=2)


@factory("adasam")
def adasam(hp: Any) -> Algorithm:
    """AdaSAM (adasam Algorithm 1); see the module docstring."""
    return _adaptive_sam("adasam", hp, keep_max=True)


@factory("adam_sam")
def adam_sam(hp: Any) -> Algorithm:
    """AdaSAM without the max of line 8 (adasam Remark 1): SAM with Adam's (uncorrected) step."""
    return _adaptive_sam("adam_sam", hp, keep_max=False)
