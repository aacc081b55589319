"""Sign-like methods: generalized_signsgd (gsignsgd Alg. 1), signsgd, signgd, signum.

Generalized SignSGD (gsignsgd Algorithm 1, all operations coordinate-wise), t = 1, 2, ...::

    m_t = beta1 m_{t-1} + (1 - beta1) g_t
    v_t = beta2 v_{t-1} + (1 - beta2) m_t^2
    x_{t+1} = x_t - eta m_t / (sqrt(v_t) + eps)        (eps = 0 in the paper)

with ``m_0 = v_0 = 0``.  ``beta2 = 0`` gives ``m_t / |m_t| = sign(m_t)``: Signum (Bernstein et
al. 2018), gsignsgd Sec. 4.  0/0 := 0 (a zero momentum gives a zero step).

``generalized_signsgd`` evaluates its update with the fused kernel ``_gsign_kernel``
(reference.algorithm, "Speed without changing a bit"), bit-identical to the plain expressions
(kept for mixed dtypes).

``signsgd``: ``d_t = sign(g_t)``; ``signgd`` is the same map named as in adamlinf Sec. 3.1
(SignGD = Adam with beta1 = beta2 = 0, deterministic gradients); ``signum``:
``m_t = beta m_{t-1} + (1 - beta) g_t``, ``d_t = sign(m_t)``.  ``sign(0) = 0`` throughout.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, divide_or_zero, factory, fused, \
    kernel_ready, lr_at, oracle_gradient, ratio

__all__ = ["GSignState", "SignState", "SignumState", "generalized_signsgd", "signsgd", "signgd", "signum"]


class GSignState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    direction: np.ndarray


class SignState(NamedTuple):
    t: int
    direction: np.ndarray


class SignumState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


def _gsign_kernel(beta1: float, beta2: float, eps: float, lr_t: float,
                  g: np.ndarray, m0: np.ndarray, v0: np.ndarray, x: np.ndarray,
                  m: np.ndarray, v: np.ndarray, d: np.ndarray, x_next: np.ndarray,
                  u: np.ndarray, b: np.ndarray, mask: np.ndarray) -> None:
    """gsignsgd Algorithm 1 with ``out=``: the plain path's operations in order.  Adding ``eps = 0``
    is skipped (it could only turn a -0 denominator into +0; :func:`ratio` maps both to 0)."""
    np.multiply(g, 1.0 - beta1, u)
    np.multiply(m0, beta1, m)
    np.add(m, u, m)  # m_t
    np.multiply(m, m, u)
    np.multiply(u, 1.0 - beta2, u)
    np.multiply(v0, beta2, v)
    np.add(v, u, v)  # v_t
    np.sqrt(v, b)
    if eps:
        np.add(b, eps, b)
    divide_or_zero(m, b, d, mask)
    np.multiply(d, lr_t, u)
    np.subtract(x, u, x_next)


@factory("generalized_signsgd")
def generalized_signsgd(hp: Any) -> Algorithm:
    """Generalized SignSGD (gsignsgd Algorithm 1); see the module docstring."""
    beta1, beta2 = hp["beta1"], hp["beta2"]

    def init(x0: Any) -> GSignState:
        x = as_float_array(x0)
        z = np.zeros_like(x)
        return GSignState(t=0, m=z, v=z.copy(), direction=z.copy())

    def step(x: np.ndarray, state: GSignState, oracle: Oracle) -> tuple[np.ndarray, GSignState]:
        check_shape("generalized_signsgd", x, state)
        t = state.t + 1
        g = oracle_gradient("generalized_signsgd", oracle, x)
        if kernel_ready(x, g, state.m, state.v):
            lr_t = lr_at("generalized_signsgd", hp["lr"], t)
            m, v, d, x_next = fused(_gsign_kernel, (g, state.m, state.v, x), 4, 2, beta1, beta2, hp["eps"], lr_t)
            return x_next, GSignState(t, m, v, d)
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (m * m)
        d = ratio(m, np.sqrt(v) + hp["eps"])
        return x - lr_at("generalized_signsgd", hp["lr"], t) * d, GSignState(t, m, v, d)

    return Algorithm("generalized_signsgd", hp, init, step)


def _sign_algorithm(name: str, hp: Any) -> Algorithm:
    def init(x0: Any) -> SignState:
        return SignState(t=0, direction=np.zeros_like(as_float_array(x0)))

    def step(x: np.ndarray, state: SignState, oracle: Oracle) -> tuple[np.ndarray, SignState]:
        check_shape(name, x, state)
        t = state.t + 1
        d = np.sign(oracle_gradient(name, oracle, x))
        return x - lr_at(name, hp["lr"], t) * d, SignState(t, d)

    return Algorithm(name, hp, init, step)


@factory("signsgd")
def signsgd(hp: Any) -> Algorithm:
    """SignSGD: ``x_{t+1} = x_t - eta sign(g_t)`` (Bernstein et al. 2018; s3 Sec. 2)."""
    return _sign_algorithm("signsgd", hp)


@factory("signgd")
def signgd(hp: Any) -> Algorithm:
    """SignGD (adamlinf Sec. 3.1, Theorem 3.2): ``x_t = x_{t-1} - eta sign(grad L(x_{t-1}))``."""
    return _sign_algorithm("signgd", hp)


@factory("signum")
def signum(hp: Any) -> Algorithm:
    """Signum / SignSGD with momentum (gsignsgd Sec. 4; generalized_signsgd with beta2 = 0)."""
    beta = hp["beta"]

    def init(x0: Any) -> SignumState:
        z = np.zeros_like(as_float_array(x0))
        return SignumState(t=0, m=z, direction=z.copy())

    def step(x: np.ndarray, state: SignumState, oracle: Oracle) -> tuple[np.ndarray, SignumState]:
        check_shape("signum", x, state)
        t = state.t + 1
        m = beta * state.m + (1.0 - beta) * oracle_gradient("signum", oracle, x)
        d = np.sign(m)
        return x - lr_at("signum", hp["lr"], t) * d, SignumState(t, m, d)

    return Algorithm("signum", hp, init, step)
