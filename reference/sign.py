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

from typing import NamedTuple

import numpy as np

from .algorithm import divide_or_zero, fused, kernel_ready, ratio
from .declaration import Conventions, Declaration, Example, Step
from .hyperparams import NONNEG, UNIT, Hyperparams, LearningRate, learning_rate, param
from .registry import register

__all__ = ["GSignState", "SignState", "SignumState", "GSignParams", "SignParams", "SignumParams",
           "generalized_signsgd", "signsgd", "signgd", "signum"]

_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"


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


class GSignParams(Hyperparams):
    """Generalized SignSGD's (gsignsgd Algorithm 1)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta1: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.99, check=UNIT,
                         doc="EMA coefficient of m^2, in [0, 1) (Theorem 1 needs sqrt(beta2) < beta1)")
    eps: float = param(default=0.0, check=NONNEG, doc="epsilon >= 0 added to sqrt(v)")


class SignParams(Hyperparams):
    """SignSGD's / SignGD's: the learning rate only."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)


class SignumParams(Hyperparams):
    """Signum's."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta in [0, 1)")


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


def _gsign_init(x: np.ndarray, hp: GSignParams) -> GSignState:
    z = np.zeros_like(x)
    return GSignState(t=0, m=z, v=z.copy(), direction=z.copy())


def gsign_update(g: np.ndarray, state: GSignState, hp: GSignParams, step: Step) -> GSignState:
    """gsignsgd Algorithm 1 (module docstring)."""
    beta1, beta2 = hp.beta1, hp.beta2
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * (m * m)
    return GSignState(step.t, m, v, ratio(m, np.sqrt(v) + hp.eps))


def gsign_fused(g: np.ndarray, state: GSignState, hp: GSignParams, step: Step) -> tuple[np.ndarray, GSignState] | None:
    """The whole step with ``_gsign_kernel`` (bit-identical to :func:`gsign_update` and ``x - lr d``)."""
    x = step.x
    if not kernel_ready(x, g, state.m, state.v):
        return None
    m, v, d, x_next = fused(_gsign_kernel, (g, state.m, state.v, x), 4, 2, hp.beta1, hp.beta2, hp.eps, step.lr)
    return x_next, GSignState(step.t, m, v, d)


GENERALIZED_SIGNSGD = register(Declaration(
    name="generalized_signsgd", hyperparams=GSignParams, state=GSignState, init=_gsign_init, update=gsign_update,
    doc="Generalized SignSGD (gsignsgd Algorithm 1); see :mod:`reference.sign`.",
    fused=gsign_fused, torch="gpu.sign:GeneralizedSignSGD",
    examples=(Example("generalized_signsgd", {"lr": 0.1}),
              Example("generalized_signsgd_eps", {"lr": 0.1, "beta2": 0.0, "eps": 1e-3})),
))
generalized_signsgd = GENERALIZED_SIGNSGD.factory


def _sign_init(x: np.ndarray, hp: SignParams) -> SignState:
    return SignState(t=0, direction=np.zeros_like(x))


def sign_update(g: np.ndarray, state: SignState, hp: SignParams, step: Step) -> SignState:
    """``d_t = sign(g_t)``."""
    return SignState(step.t, np.sign(g))


SIGNSGD = register(Declaration(
    name="signsgd", hyperparams=SignParams, state=SignState, init=_sign_init, update=sign_update,
    doc="SignSGD: ``x_{t+1} = x_t - eta sign(g_t)`` (Bernstein et al. 2018; s3 Sec. 2).",
    sign_based=True, torch="gpu.sign:SignSGD",
    conventions=Conventions(flags={"momentum": 0.0}),  # pytorch-optimizer SignSGD: momentum 0 is SignSGD
    examples=(Example("signsgd", {"lr": 0.1}),),
))
signsgd = SIGNSGD.factory

SIGNGD = register(Declaration(
    name="signgd", hyperparams=SignParams, state=SignState, init=_sign_init, update=sign_update,
    doc="SignGD (adamlinf Sec. 3.1, Theorem 3.2): ``x_t = x_{t-1} - eta sign(grad L(x_{t-1}))``.",
    sign_based=True, examples=(Example("signgd", {"lr": 0.1}),),
))
signgd = SIGNGD.factory


def _signum_init(x: np.ndarray, hp: SignumParams) -> SignumState:
    z = np.zeros_like(x)
    return SignumState(t=0, m=z, direction=z.copy())


def _momentum(g: np.ndarray, state: SignumState, hp: SignumParams) -> np.ndarray:
    """``m_t = beta m_{t-1} + (1 - beta) g_t``: the argument of Signum's sign."""
    return hp.beta * state.m + (1.0 - hp.beta) * g


def signum_update(g: np.ndarray, state: SignumState, hp: SignumParams, step: Step) -> SignumState:
    """``m_t`` and ``d_t = sign(m_t)``."""
    m = _momentum(g, state, hp)
    return SignumState(step.t, m, np.sign(m))


SIGNUM = register(Declaration(
    name="signum", hyperparams=SignumParams, state=SignumState, init=_signum_init, update=signum_update,
    doc="Signum / SignSGD with momentum (gsignsgd Sec. 4; generalized_signsgd with beta2 = 0).",
    sign_based=True, sign_of=_momentum, torch="gpu.sign:Signum",
    conventions=Conventions(kwargs={"beta": ("beta", "momentum")}),
    examples=(Example("signum", {"lr": 0.1}),),
))
signum = SIGNUM.factory
