"""Adam and its close relatives: adam, adamw, adam_clipped, amsgrad, rmsprop.

Adam (s3 Eq. 2; adamlinf Alg. 1; torch.optim.Adam), step t = 1, 2, ...::

    g_t  <- g_t + lambda x_t                       (coupled weight decay / L2, if not decoupled)
    m_t  = beta1 m_{t-1} + (1 - beta1) g_t
    v_t  = beta2 v_{t-1} + (1 - beta2) g_t^2        (v_0 = v0; adamlinf Alg. 1)
    m^_t = m_t / (1 - beta1^t),  v^_t = v_t / (1 - beta2^t)     (bias_correction=True: s3 Eq. 2)
    d_t  = m^_t / (sqrt(v^_t) + eps)     or   m^_t / sqrt(v^_t + eps)   (eps_inside_sqrt, adamlinf)
    x_{t+1} = x_t (1 - gamma_t lambda) - gamma_t d_t   (decoupled weight decay, AdamW)

s3 Eq. (2) is ``adam(eps=0)``; adamlinf Alg. 1 is
``adam(bias_correction=False, eps_inside_sqrt=True, v0=...)``.  With ``eps = 0`` and a zero
gradient history the step is 0/0 := 0.

``adam``, ``adamw`` and ``adam_clipped`` evaluate the update above with the fused kernel
``_adam_kernel`` (reference.algorithm, "Speed without changing a bit"), bit-identical to the plain
expressions kept below (:func:`adam_direction`), which a step falls back to for mixed dtypes or
for hyperparameters the kernel does not know.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .algorithm import (
    Algorithm,
    Oracle,
    as_float_array,
    check_shape,
    decoupled_step,
    divide_or_zero,
    factory,
    fused,
    kernel_ready,
    lr_at,
    oracle_gradient,
    ratio,
)

__all__ = ["AdamState", "AMSGradState", "RMSpropState", "adam", "adamw", "adam_clipped", "amsgrad", "rmsprop",
           "adam_direction"]


class AdamState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    direction: np.ndarray


class AMSGradState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray
    direction: np.ndarray


class RMSpropState(NamedTuple):
    t: int
    v: np.ndarray
    g_avg: np.ndarray
    buf: np.ndarray
    direction: np.ndarray


def adam_direction(m: np.ndarray, v: np.ndarray, t: int, hp: Any) -> np.ndarray:
    """``d_t`` from the (un-corrected) moments ``m_t, v_t`` (s3 Eq. 2 / adamlinf Alg. 1 / torch)."""
    if hp["bias_correction"]:
        bc1 = 1.0 - hp["beta1"] ** t
        bc2 = 1.0 - hp["beta2"] ** t
        m = m / bc1
        if hp["eps_inside_sqrt"]:
            den = np.sqrt(v / bc2 + hp["eps"])
        else:
            den = np.sqrt(v) / math.sqrt(bc2) + hp["eps"]
    else:
        den = np.sqrt(v + hp["eps"]) if hp["eps_inside_sqrt"] else np.sqrt(v) + hp["eps"]
    return ratio(m, den)


def _coupled(g: np.ndarray, x: np.ndarray, hp: Any) -> np.ndarray:
    if hp["weight_decay"] and not hp["decoupled_weight_decay"]:
        return g + hp["weight_decay"] * x
    return g


def _decoupled_wd(hp: Any) -> float:
    return hp["weight_decay"] if hp["decoupled_weight_decay"] else 0.0


_KERNEL_HYPERPARAMS = frozenset({"lr", "beta1", "beta2", "eps", "eps_inside_sqrt", "bias_correction", "v0",
                                 "weight_decay", "decoupled_weight_decay", "clip"})
"""The hyperparameters ``_adam_kernel`` implements; a factory with any other one uses the plain path."""


def _adam_kernel(beta1: float, beta2: float, bc1: float | None, bc2: float | None, eps: float, inside: bool,
                 clip: float | None, lr_t: float, wd_decoupled: float, wd_coupled: float,
                 g: np.ndarray, m0: np.ndarray, v0: np.ndarray, x: np.ndarray,
                 m: np.ndarray, v: np.ndarray, d: np.ndarray, x_next: np.ndarray,
                 u: np.ndarray, b: np.ndarray, mask: np.ndarray) -> None:
    """One Adam step (module docstring) with ``out=``: the operations of ``_adam``'s plain path
    (``_coupled``, the moments, :func:`adam_direction`, clip, :func:`decoupled_step`) in order.

    ``bc1, bc2``: ``1 - beta^t`` (None without bias correction).  Adding ``eps = 0`` is skipped:
    it could only turn a -0 denominator into +0, and :func:`ratio` maps both to a 0 step.
    """
    if wd_coupled:
        np.multiply(x, wd_coupled, u)
        np.add(g, u, u)  # g + lambda x
        g = u
    np.multiply(g, g, b)
    np.multiply(b, 1.0 - beta2, b)
    np.multiply(v0, beta2, v)
    np.add(v, b, v)  # v_t
    np.multiply(g, 1.0 - beta1, b)
    np.multiply(m0, beta1, m)
    np.add(m, b, m)  # m_t
    num = m
    if bc1 is not None:
        np.divide(m, bc1, d)  # m^_t
        num = d
    if bc2 is not None and inside:
        np.divide(v, bc2, b)
        if eps:
            np.add(b, eps, b)
        np.sqrt(b, b)  # sqrt(v_t / bc2 + eps)
    elif inside:
        if eps:
            np.add(v, eps, b)
            np.sqrt(b, b)
        else:
            np.sqrt(v, b)
    else:
        np.sqrt(v, b)
        if bc2 is not None:
            np.divide(b, math.sqrt(bc2), b)
        if eps:
            np.add(b, eps, b)
    divide_or_zero(num, b, d, mask)
    if clip is not None:
        np.clip(d, -clip, clip, out=d)
    np.multiply(d, lr_t, u)
    if wd_decoupled:
        np.multiply(x, 1.0 - lr_t * wd_decoupled, x_next)
        np.subtract(x_next, u, x_next)
    else:
        np.subtract(x, u, x_next)


def _adam(name: str, hp: Any, clip: float | None = None) -> Algorithm:
    beta1, beta2 = hp["beta1"], hp["beta2"]
    kernel_ok = set(hp) <= _KERNEL_HYPERPARAMS
    wd = hp["weight_decay"]
    wd_decoupled = wd if hp["decoupled_weight_decay"] else 0.0
    wd_coupled = 0.0 if hp["decoupled_weight_decay"] else wd

    def init(x0: Any) -> AdamState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return AdamState(t=0, m=z, v=np.full_like(x, hp["v0"]), direction=z.copy())

    def step(x: np.ndarray, state: AdamState, oracle: Oracle) -> tuple[np.ndarray, AdamState]:
        check_shape(name, x, state)
        t = state.t + 1
        g = oracle_gradient(name, oracle, x)
        if kernel_ok and kernel_ready(x, g, state.m, state.v):
            lr_t = lr_at(name, hp["lr"], t)
            bc = hp["bias_correction"]
            m, v, d, x_next = fused(_adam_kernel, (g, state.m, state.v, x), 4, 2, beta1, beta2,
                                    1.0 - beta1**t if bc else None, 1.0 - beta2**t if bc else None, hp["eps"],
                                    hp["eps_inside_sqrt"], clip, lr_t, wd_decoupled, wd_coupled)
            return x_next, AdamState(t, m, v, d)
        g = _coupled(g, x, hp)
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        d = adam_direction(m, v, t, hp)
        if clip is not None:
            d = np.clip(d, -clip, clip)
        lr_t = lr_at(name, hp["lr"], t)
        return decoupled_step(x, d, lr_t, _decoupled_wd(hp)), AdamState(t, m, v, d)

    return Algorithm(name, hp, init, step)


@factory("adam")
def adam(hp: Any) -> Algorithm:
    """Adam (s3 Eq. 2, adamlinf Alg. 1, torch.optim.Adam); see the module docstring."""
    return _adam("adam", hp)


@factory("adamw")
def adamw(hp: Any) -> Algorithm:
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter; torch.optim.AdamW)."""
    return _adam("adamw", hp)


@factory("adam_clipped")
def adam_clipped(hp: Any) -> Algorithm:
    """Adam whose update is clipped coordinate-wise to [-clip, clip] (s3 Sec. 5.5, clip = 1)."""
    return _adam("adam_clipped", hp, clip=hp["clip"])


@factory("amsgrad")
def amsgrad(hp: Any) -> Algorithm:
    """AMSGrad in torch.optim.Adam(amsgrad=True)'s form.

    ``v_max_t = max(v_max_{t-1}, v_t)`` on the un-corrected ``v`` and
    ``d_t = m^_t / (sqrt(v_max_t) / sqrt(1 - beta2^t) + eps)`` (Reddi et al. 2018, torch).
    ``bias_correction=False`` is Reddi et al.'s Algorithm 2 as printed: ``d_t = m_t / (sqrt(v_max_t) + eps)``.
    ``v_max_of='v_hat'`` takes the maximum of the *corrected* ``v^_t = v_t / (1 - beta2^t)`` and
    divides by nothing else, ``d_t = m^_t / (sqrt(v_max_t) + eps)`` (``optax.amsgrad``'s default,
    ``bias_correction_nu=True``, optax/_src/transform.py ``scale_by_amsgrad``); the two forms differ
    once ``v_t`` decreases, since ``1 - beta2^t`` grows with t.
    """
    beta1, beta2 = hp["beta1"], hp["beta2"]
    hp_dir = {**hp, "eps_inside_sqrt": False}
    hat = hp["v_max_of"] == "v_hat" and hp["bias_correction"]

    def init(x0: Any) -> AMSGradState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return AMSGradState(t=0, m=z, v=z.copy(), v_max=z.copy(), direction=z.copy())

    def step(x: np.ndarray, state: AMSGradState, oracle: Oracle) -> tuple[np.ndarray, AMSGradState]:
        check_shape("amsgrad", x, state)
        t = state.t + 1
        g = _coupled(oracle_gradient("amsgrad", oracle, x), x, hp)
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        if hat:
            v_max = np.maximum(state.v_max, v / (1.0 - beta2**t))
            d = ratio(m / (1.0 - beta1**t), np.sqrt(v_max) + hp["eps"])
        else:
            v_max = np.maximum(state.v_max, v)
            d = adam_direction(m, v_max, t, hp_dir)
        lr_t = lr_at("amsgrad", hp["lr"], t)
        return decoupled_step(x, d, lr_t, _decoupled_wd(hp)), AMSGradState(t, m, v, v_max, d)

    return Algorithm("amsgrad", hp, init, step)


@factory("rmsprop")
def rmsprop(hp: Any) -> Algorithm:
    """RMSprop (Hinton et al. 2012) in torch.optim.RMSprop's form; ``beta2`` is torch's alpha.

    ``v_t = beta2 v_{t-1} + (1 - beta2) g_t^2``; centered: ``v_t - gbar_t^2`` (clamped at 0,
    so rounding can never make the square root NaN); ``a_t = sqrt(.) + eps``;
    ``d_t = g_t / a_t`` or, with momentum mu, ``buf_t = mu buf_{t-1} + g_t / a_t = d_t``.
    ``v_0 = v0`` (torch: 0; TF1's RMSProp, optax's ``initial_scale`` and timm's RMSpropTF: 1).
    adamlinf's RMSProp (Adam with beta1 = 0) is ``adam(beta1=0, ...)``.
    """
    beta2 = hp["beta2"]

    def init(x0: Any) -> RMSpropState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return RMSpropState(t=0, v=np.full_like(x, hp["v0"]), g_avg=z.copy(), buf=z.copy(), direction=z.copy())

    def step(x: np.ndarray, state: RMSpropState, oracle: Oracle) -> tuple[np.ndarray, RMSpropState]:
        check_shape("rmsprop", x, state)
        t = state.t + 1
        g = oracle_gradient("rmsprop", oracle, x)
        if hp["weight_decay"]:
            g = g + hp["weight_decay"] * x
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        g_avg = state.g_avg
        var = v
        if hp["centered"]:
            g_avg = beta2 * g_avg + (1.0 - beta2) * g
            var = np.maximum(v - g_avg * g_avg, 0.0)
        den = np.sqrt(var + hp["eps"]) if hp["eps_inside_sqrt"] else np.sqrt(var) + hp["eps"]
        d = ratio(g, den)
        buf = state.buf
        if hp["momentum"]:
            buf = hp["momentum"] * buf + d
            d = buf
        lr_t = lr_at("rmsprop", hp["lr"], t)
        return x - lr_t * d, RMSpropState(t, v, g_avg, buf, d)

    return Algorithm("rmsprop", hp, init, step)
