"""Normalized SGD with momentum and implicit gradient transport (nsgdm).

All norms are Euclidean over the last axis; ``m / ||m||`` at ``m = 0`` is 0.

* ``normalized_sgdm`` (nsgdm Eqs. 2-3): ``m_t = beta m_{t-1} + (1 - beta) g(w_t)``,
  ``w_{t+1} = w_t - eta m_t / ||m_t||``.  ``m1='gradient'`` starts with ``m_1 = g_1`` (nsgdm
  Theorem 1); ``m1='ema'`` with ``m_0 = 0`` (same first direction, different later ones).
* ``nigt`` (nsgdm Algorithm 1): ``m_1 = g(w_1)``, ``w_2 = w_1 - eta m_1/||m_1||``; for t >= 2
  ``x_t = w_t + beta/(1-beta) (w_t - w_{t-1})``, ``m_t = beta m_{t-1} + (1-beta) g(x_t)``,
  ``w_{t+1} = w_t - eta m_t/||m_t||``.  (Alg. 1 prints ``m_1 = grad f(x_1)``; Theorem 3 states
  ``m_1 = grad f(w_1)``, and x_1 is undefined, so the oracle is called at w_1.)
* ``igt`` (implicit gradient transport of Arnold et al. 2019 as nsgdm Sec. 1 presents it):
  ``m_t = t/(t+1) m_{t-1} + 1/(t+1) g(w_t + t (w_t - w_{t-1}))``, ``w_{t+1} = w_t - eta m_t``,
  indexed there from t = 0; with this package's 1-based count tau = t + 1 the first step is
  ``m = g(w_1)`` (no extrapolation) and ``beta_tau = (tau-1)/tau``.
* ``adaptive_nsgd`` (nsgdm Algorithm 2, with ``G_0 = D`` from its Appendix A): two independent
  samples per step (oracle called twice at ``x_t``), no learning-rate hyperparameter::

      C = sqrt(7 / (26 g^(6/7))),  D = C^(-14/3),  G_0 = D,  G_1 = 3 g^2 + D,  eta_0 = C / D^(2/7)
      eta_t = C / (G_t^2 (t+1)^3)^(1/7),   alpha_t = 1 / (t eta_{t-1}^2 G_{t-1}),   beta_t = 1 - alpha_t
      x_t = w_t + beta_t/(1 - beta_t) (w_t - w_{t-1})       (w_0 = w_1, m_0 = 0)
      m_t = beta_t m_{t-1} + (1 - beta_t) grad f(x_t, xi_t)
      G_{t+1} = G_t + ||grad f(x_t, xi_t) - grad f(x_t, xi'_t)||^2 + g^2 ((t+1)^(1/4) - t^(1/4))
      w_{t+1} = w_t - eta_t m_t / ||m_t||

  ``G`` and ``eta`` are per run (shape ``(..., 1)``).  After step t the state holds ``G = G_{t+1}``,
  ``G_prev = G_t`` and ``eta = eta_t``, the learning rate of ``w_{t+1} = w_t - eta_t d_t``
  (``eta = eta_0`` after init).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, factory, kernel_ready, lr_at, norm, \
    oracle_gradient, ratio

__all__ = ["NSGDMState", "NIGTState", "IGTState", "AdaptiveNSGDState", "normalized_sgdm", "nigt", "igt",
           "adaptive_nsgd", "adaptive_nsgd_constants", "normalize"]


def normalize(m: np.ndarray) -> np.ndarray:
    """``m / ||m||`` over the last axis, 0 at ``m = 0``."""
    return ratio(m, norm(m))


def _ema(beta: float, m0: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``beta m0 + (1 - beta) g`` (the same operations, one temporary fewer on plain arrays of one dtype)."""
    if not kernel_ready(m0, g):
        return beta * m0 + (1.0 - beta) * g
    m = np.multiply(m0, beta)
    np.add(m, np.multiply(g, 1.0 - beta), out=m)
    return m


def _step(w: np.ndarray, lr_t: float, d: np.ndarray) -> np.ndarray:
    """``w - lr_t d`` (one temporary fewer on plain arrays of one dtype)."""
    if not kernel_ready(w, d):
        return w - lr_t * d
    u = np.multiply(d, lr_t)
    return np.subtract(w, u, out=u)


class NSGDMState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class NIGTState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    direction: np.ndarray


class IGTState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    direction: np.ndarray


class AdaptiveNSGDState(NamedTuple):
    t: int
    m: np.ndarray
    w_prev: np.ndarray
    G: np.ndarray
    G_prev: np.ndarray
    eta: np.ndarray
    direction: np.ndarray


@factory("normalized_sgdm")
def normalized_sgdm(hp: Any) -> Algorithm:
    """Normalized SGD with momentum (nsgdm Eqs. 2-3, Theorem 1); see the module docstring."""
    beta, first_is_gradient = hp["beta"], hp["m1"] == "gradient"

    def init(x0: Any) -> NSGDMState:
        z = np.zeros_like(as_float_array(x0))
        return NSGDMState(t=0, m=z, direction=z.copy())

    def step(w: np.ndarray, state: NSGDMState, oracle: Oracle) -> tuple[np.ndarray, NSGDMState]:
        check_shape("normalized_sgdm", w, state)
        t = state.t + 1
        g = oracle_gradient("normalized_sgdm", oracle, w)
        m = g if (t == 1 and first_is_gradient) else _ema(beta, state.m, g)
        d = normalize(m)
        return _step(w, lr_at("normalized_sgdm", hp["lr"], t), d), NSGDMState(t, m, d)

    return Algorithm("normalized_sgdm", hp, init, step)


@factory("nigt")
def nigt(hp: Any) -> Algorithm:
    """NIGT, normalized SGD with implicit gradient transport (nsgdm Algorithm 1)."""
    beta = hp["beta"]
    k = beta / (1.0 - beta)

    def init(x0: Any) -> NIGTState:
        w = as_float_array(x0)
        z = np.zeros_like(w)
        return NIGTState(t=0, m=z, w_prev=w.copy(), direction=z.copy())

    def step(w: np.ndarray, state: NIGTState, oracle: Oracle) -> tuple[np.ndarray, NIGTState]:
        check_shape("nigt", w, state)
        t = state.t + 1
        if t == 1:
            m = oracle_gradient("nigt", oracle, w)
        else:
            x = w + k * (w - state.w_prev)
            m = _ema(beta, state.m, oracle_gradient("nigt", oracle, x))
        d = normalize(m)
        return _step(w, lr_at("nigt", hp["lr"], t), d), NIGTState(t, m, w, d)

    return Algorithm("nigt", hp, init, step)


@factory("igt")
def igt(hp: Any) -> Algorithm:
    """Implicit gradient transport (Arnold et al. 2019, as in nsgdm Sec. 1); unnormalized."""

    def init(x0: Any) -> IGTState:
        w = as_float_array(x0)
        z = np.zeros_like(w)
        return IGTState(t=0, m=z, w_prev=w.copy(), direction=z.copy())

    def step(w: np.ndarray, state: IGTState, oracle: Oracle) -> tuple[np.ndarray, IGTState]:
        check_shape("igt", w, state)
        tau = state.t + 1
        k = tau - 1  # the paper's t
        g = oracle_gradient("igt", oracle, w + k * (w - state.w_prev))
        m = (k / (k + 1.0)) * state.m + (1.0 / (k + 1.0)) * g
        return w - lr_at("igt", hp["lr"], tau) * m, IGTState(tau, m, w, m)

    return Algorithm("igt", hp, init, step)


def adaptive_nsgd_constants(gbound: float) -> tuple[float, float]:
    """``(C, D)`` of nsgdm Algorithm 2: ``C = sqrt(7 / (26 g^(6/7)))``, ``D = C^(-14/3)``."""
    C = math.sqrt(7.0 / (26.0 * gbound ** (6.0 / 7.0)))
    return C, C ** (-14.0 / 3.0)


@factory("adaptive_nsgd")
def adaptive_nsgd(hp: Any) -> Algorithm:
    """Adaptive normalized SGD with momentum (nsgdm Algorithm 2); see the module docstring."""
    gb = hp["gbound"]
    C, D = adaptive_nsgd_constants(gb)

    def init(x0: Any) -> AdaptiveNSGDState:
        w = as_float_array(x0)
        one = np.ones(w.shape[:-1] + (1,), dtype=w.dtype)
        return AdaptiveNSGDState(t=0, m=np.zeros_like(w), w_prev=w.copy(), G=one * (3.0 * gb * gb + D),
                                 G_prev=one * D, eta=one * (C / D ** (2.0 / 7.0)), direction=np.zeros_like(w))

    def step(w: np.ndarray, state: AdaptiveNSGDState, oracle: Oracle) -> tuple[np.ndarray, AdaptiveNSGDState]:
        check_shape("adaptive_nsgd", w, state)
        t = state.t + 1
        G, G_prev, eta_prev = state.G, state.G_prev, state.eta
        # eta_t = C / (G_t^2 (t+1)^3)^(1/7), evaluated as C / (G_t^(2/7) (t+1)^(3/7)) so that G_t^2
        # cannot overflow (G_t > 1.3e154 made eta_t = 0, then alpha_{t+1} = inf and x_{t+1} = NaN).
        eta = C / (G ** (2.0 / 7.0) * float(t + 1) ** (3.0 / 7.0))
        alpha = 1.0 / (t * eta_prev * eta_prev * G_prev)
        x = w + ((1.0 - alpha) / alpha) * (w - state.w_prev)
        g = oracle_gradient("adaptive_nsgd", oracle, x)
        g2 = oracle_gradient("adaptive_nsgd", oracle, x)
        m = (1.0 - alpha) * state.m + alpha * g
        diff = g - g2
        G_next = G + np.sum(diff * diff, axis=-1, keepdims=True) + gb * gb * ((t + 1) ** 0.25 - t**0.25)
        d = normalize(m)
        return w - eta * d, AdaptiveNSGDState(t, m, w, G_next, G, eta, d)

    return Algorithm("adaptive_nsgd", hp, init, step, oracle_calls=2)
