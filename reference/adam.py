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
expressions of :func:`update` (:func:`adam_direction`), which a step falls back to for mixed dtypes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, ParamSpec

import numpy as np

from .algorithm import divide_or_zero, fused, kernel_ready, ratio
from .declaration import Conventions, Declaration, Example, Step, WeightDecay, coupled
from .hyperparams import NONNEG, POS, UNIT, Hyperparams, LearningRate, boolean, learning_rate, one_of, param
from .registry import register

__all__ = ["AdamState", "AMSGradState", "RMSpropState", "AdamParams", "AdamWParams", "AdamClippedParams",
           "AMSGradParams", "RMSpropParams", "adam", "adamw", "adam_clipped", "amsgrad", "rmsprop", "adam_direction"]

P = ParamSpec("P")
_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"
_EPS_DOC = "epsilon >= 0 added to the denominator"
_WD_DOC = "weight decay lambda >= 0"
_DWD_DOC = "True: x <- x(1 - lr*wd) (AdamW); False: g <- g + wd*x (L2)"
_INSIDE_DOC = "True: m/sqrt(v + eps) (adamlinf Alg. 1); False: m/(sqrt(v) + eps) (torch)"


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


class AdamParams(Hyperparams):
    """Adam's hyperparameters (s3 Eq. 2; adamlinf Alg. 1; torch.optim.Adam)."""

    lr: LearningRate = param(default=1e-3, check=learning_rate, doc=_LR_DOC)
    beta1: float = param(default=0.9, check=UNIT, doc="first-moment EMA coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.999, check=UNIT, doc="second-moment EMA coefficient beta2 in [0, 1)")
    eps: float = param(default=1e-8, check=NONNEG, doc=_EPS_DOC)
    eps_inside_sqrt: bool = param(default=False, check=boolean, doc=_INSIDE_DOC)
    bias_correction: bool = param(default=True, check=boolean,
                                  doc="divide m, v by 1 - beta^t (S3 Eq. 2, torch); False as adamlinf Alg. 1")
    v0: float = param(default=0.0, check=NONNEG, doc="initial value of every v coordinate (adamlinf Alg. 1)")
    weight_decay: float = param(default=0.0, check=NONNEG, doc=_WD_DOC)
    decoupled_weight_decay: bool = param(default=False, check=boolean, doc=_DWD_DOC)


class AdamWParams(AdamParams):
    """AdamW's: Adam's with decoupled weight decay 0.01 by default."""

    weight_decay: float = param(default=1e-2, check=NONNEG, doc=_WD_DOC)
    decoupled_weight_decay: bool = param(default=True, check=boolean, doc=_DWD_DOC)


class AdamClippedParams(AdamParams):
    """Adam's and the clipping threshold (s3 Sec. 5.5)."""

    clip: float = param(default=1.0, check=POS, doc="each update coordinate is clipped to [-clip, clip], clip > 0")


class AMSGradParams(Hyperparams):
    """AMSGrad's (torch.optim.Adam(amsgrad=True); optax.amsgrad with ``v_max_of='v_hat'``)."""

    lr: LearningRate = param(default=1e-3, check=learning_rate, doc=_LR_DOC)
    beta1: float = param(default=0.9, check=UNIT, doc="first-moment EMA coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.999, check=UNIT, doc="second-moment EMA coefficient beta2 in [0, 1)")
    eps: float = param(default=1e-8, check=NONNEG, doc=_EPS_DOC)
    bias_correction: bool = param(default=True, check=boolean,
                                  doc="divide m, v by 1 - beta^t (S3 Eq. 2, torch); False as adamlinf Alg. 1")
    weight_decay: float = param(default=0.0, check=NONNEG, doc=_WD_DOC)
    decoupled_weight_decay: bool = param(default=False, check=boolean, doc=_DWD_DOC)
    v_max_of: str = param(default="v", check=one_of("v", "v_hat"),
                          doc="'v': max of the raw v_t, bias-corrected after (torch); 'v_hat': max of "
                              "v_t/(1 - beta2^t) (optax.amsgrad)")


class RMSpropParams(Hyperparams):
    """RMSprop's (torch.optim.RMSprop; ``beta2`` is torch's alpha)."""

    lr: LearningRate = param(default=1e-2, check=learning_rate, doc=_LR_DOC)
    beta2: float = param(default=0.99, check=UNIT, doc="EMA coefficient of g^2 (torch's alpha), in [0, 1)")
    eps: float = param(default=1e-8, check=NONNEG, doc=_EPS_DOC)
    eps_inside_sqrt: bool = param(default=False, check=boolean, doc=_INSIDE_DOC)
    momentum: float = param(default=0.0, check=UNIT, doc="heavy-ball momentum on the preconditioned step, in [0, 1)")
    centered: bool = param(default=False, check=boolean, doc="subtract the squared mean gradient from v")
    weight_decay: float = param(default=0.0, check=NONNEG, doc=_WD_DOC)
    v0: float = param(default=0.0, check=NONNEG,
                      doc="initial value of every v coordinate (torch 0; TF1, optax initial_scale: 1)")


def adam_direction(m: np.ndarray, v: np.ndarray, t: int, *, beta1: float, beta2: float, eps: float,
                   bias_correction: bool, eps_inside_sqrt: bool) -> np.ndarray:
    """``d_t`` from the (un-corrected) moments ``m_t, v_t`` (s3 Eq. 2 / adamlinf Alg. 1 / torch)."""
    if bias_correction:
        bc1 = 1.0 - beta1**t
        bc2 = 1.0 - beta2**t
        m = m / bc1
        if eps_inside_sqrt:
            den = np.sqrt(v / bc2 + eps)
        else:
            den = np.sqrt(v) / math.sqrt(bc2) + eps
    else:
        den = np.sqrt(v + eps) if eps_inside_sqrt else np.sqrt(v) + eps
    return ratio(m, den)


def adam_decay(hp: AdamParams | AMSGradParams) -> WeightDecay:
    """Decoupled (AdamW) or coupled (L2) weight decay, as ``decoupled_weight_decay`` says."""
    return WeightDecay("decoupled" if hp.decoupled_weight_decay else "coupled", hp.weight_decay)


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


def _adam_init(x: np.ndarray, hp: AdamParams) -> AdamState:
    z = np.zeros_like(x)
    return AdamState(t=0, m=z, v=np.full_like(x, hp.v0), direction=z.copy())


def adam_update(g: np.ndarray, state: AdamState, hp: AdamParams, step: Step) -> AdamState:
    """The moments and the direction (module docstring); ``adam_clipped`` clips it."""
    beta1, beta2, t = hp.beta1, hp.beta2, step.t
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * (g * g)
    d = adam_direction(m, v, t, beta1=beta1, beta2=beta2, eps=hp.eps, bias_correction=hp.bias_correction,
                       eps_inside_sqrt=hp.eps_inside_sqrt)
    clip = hp.get("clip")
    if clip is not None:
        d = np.clip(d, -clip, clip)
    return AdamState(t, m, v, d)


def adam_fused(g: np.ndarray, state: AdamState, hp: AdamParams, step: Step) -> tuple[np.ndarray, AdamState] | None:
    """The whole step with ``_adam_kernel`` (coupled decay, moments, direction, clip, decoupled decay)."""
    x = step.x
    if not kernel_ready(x, g, state.m, state.v):
        return None
    beta1, beta2, t, bc = hp.beta1, hp.beta2, step.t, hp.bias_correction
    wd = hp.weight_decay
    wd_decoupled, wd_coupled = (wd, 0.0) if hp.decoupled_weight_decay else (0.0, wd)
    m, v, d, x_next = fused(_adam_kernel, (g, state.m, state.v, x), 4, 2, beta1, beta2,
                            1.0 - beta1**t if bc else None, 1.0 - beta2**t if bc else None, hp.eps,
                            hp.eps_inside_sqrt, hp.get("clip"), step.lr, wd_decoupled, wd_coupled)
    return x_next, AdamState(t, m, v, d)


_ADAM_BUFFERS = {"exp_avg_sq": "v", "nu": "v", "max_exp_avg_sq": "v_max", "nu_max": "v_max",
                 "velocity": "v", "velocity_hat": "v_max",
                 "update_by_adam_exp_avg_0": "m|bias_corrected(beta1)",
                 "update_by_adam_exp_avg_sq_0": "v|bias_corrected(beta2)"}
"""torch.optim, pytorch-optimizer, optax, torchopt and timm names of Adam's buffers; Keras' (``velocity``,
``velocity_hat``: AMSGrad's maximum); heavyball's, which hold the bias-corrected moments (its EMAs
use ``beta_debias(beta, t) = 1 - (1 - beta)/(1 - beta^t)``, so ``m~_t = m_t / (1 - beta1^t)``)."""


def _adam_declaration(name: str, params: Callable[P, AdamParams], doc: str, examples: tuple[Example, ...]
                      ) -> Declaration[P, AdamState]:
    return register(Declaration(
        name=name, hyperparams=params, state=AdamState, init=_adam_init, update=adam_update, doc=doc,
        decay=adam_decay, fused=adam_fused, conventions=Conventions(buffers=_ADAM_BUFFERS, options=("v0",)),
        examples=examples))


ADAM = _adam_declaration("adam", AdamParams, "Adam (s3 Eq. 2, adamlinf Alg. 1, torch.optim.Adam); see "
                         ":mod:`reference.adam`.", (
                             Example("adam", {}),
                             Example("adam_eps0", {"eps": 0.0}),
                             Example("adam_linf", {"bias_correction": False, "eps_inside_sqrt": True, "v0": 1e-3}),
                             Example("adam_l2", {"weight_decay": 0.1}),
                             Example("adam_inside_bc", {"eps_inside_sqrt": True, "eps": 1e-4}),
                         ))
adam = ADAM.factory

ADAMW = _adam_declaration("adamw", AdamWParams, "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter; "
                          "torch.optim.AdamW).", (Example("adamw", {}),))
adamw = ADAMW.factory

ADAM_CLIPPED = _adam_declaration("adam_clipped", AdamClippedParams, "Adam whose update is clipped "
                                 "coordinate-wise to [-clip, clip] (s3 Sec. 5.5, clip = 1).",
                                 (Example("adam_clipped", {"clip": 0.5}),))
adam_clipped = ADAM_CLIPPED.factory


def _amsgrad_init(x: np.ndarray, hp: AMSGradParams) -> AMSGradState:
    z = np.zeros_like(x)
    return AMSGradState(t=0, m=z, v=z.copy(), v_max=z.copy(), direction=z.copy())


def amsgrad_update(g: np.ndarray, state: AMSGradState, hp: AMSGradParams, step: Step) -> AMSGradState:
    """``v_max_t = max(v_max_{t-1}, v_t)`` (or of ``v^_t``) and Adam's direction from it."""
    beta1, beta2, t = hp.beta1, hp.beta2, step.t
    m = beta1 * state.m + (1.0 - beta1) * g
    v = beta2 * state.v + (1.0 - beta2) * (g * g)
    if hp.v_max_of == "v_hat" and hp.bias_correction:
        v_max = np.maximum(state.v_max, v / (1.0 - beta2**t))
        d = ratio(m / (1.0 - beta1**t), np.sqrt(v_max) + hp.eps)
    else:
        v_max = np.maximum(state.v_max, v)
        d = adam_direction(m, v_max, t, beta1=beta1, beta2=beta2, eps=hp.eps, bias_correction=hp.bias_correction,
                           eps_inside_sqrt=False)
    return AMSGradState(t, m, v, v_max, d)


AMSGRAD = register(Declaration(
    name="amsgrad", hyperparams=AMSGradParams, state=AMSGradState, init=_amsgrad_init, update=amsgrad_update,
    doc='''AMSGrad in torch.optim.Adam(amsgrad=True)'s form.

    ``v_max_t = max(v_max_{t-1}, v_t)`` on the un-corrected ``v`` and
    ``d_t = m^_t / (sqrt(v_max_t) / sqrt(1 - beta2^t) + eps)`` (Reddi et al. 2018, torch).
    ``bias_correction=False`` is Reddi et al.'s Algorithm 2 as printed: ``d_t = m_t / (sqrt(v_max_t) + eps)``.
    ``v_max_of='v_hat'`` takes the maximum of the *corrected* ``v^_t = v_t / (1 - beta2^t)`` and
    divides by nothing else, ``d_t = m^_t / (sqrt(v_max_t) + eps)`` (``optax.amsgrad``'s default,
    ``bias_correction_nu=True``, optax/_src/transform.py ``scale_by_amsgrad``); the two forms differ
    once ``v_t`` decreases, since ``1 - beta2^t`` grows with t.
    ''',
    decay=adam_decay,
    conventions=Conventions(buffers=_ADAM_BUFFERS, flags={"amsgrad": True}),  # torch.optim.Adam(amsgrad=True)
    examples=(Example("amsgrad", {}),
              Example("amsgrad_w", {"weight_decay": 0.1, "decoupled_weight_decay": True})),
))
amsgrad = AMSGRAD.factory


def _rmsprop_init(x: np.ndarray, hp: RMSpropParams) -> RMSpropState:
    z = np.zeros_like(x)
    return RMSpropState(t=0, v=np.full_like(x, hp.v0), g_avg=z.copy(), buf=z.copy(), direction=z.copy())


def rmsprop_update(g: np.ndarray, state: RMSpropState, hp: RMSpropParams, step: Step) -> RMSpropState:
    """torch.optim.RMSprop's update (``rmsprop`` docstring)."""
    beta2 = hp.beta2
    v = beta2 * state.v + (1.0 - beta2) * (g * g)
    g_avg = state.g_avg
    var = v
    if hp.centered:
        g_avg = beta2 * g_avg + (1.0 - beta2) * g
        var = np.maximum(v - g_avg * g_avg, 0.0)
    den = np.sqrt(var + hp.eps) if hp.eps_inside_sqrt else np.sqrt(var) + hp.eps
    d = ratio(g, den)
    buf = state.buf
    if hp.momentum:
        buf = hp.momentum * buf + d
        d = buf
    return RMSpropState(step.t, v, g_avg, buf, d)


RMSPROP = register(Declaration(
    name="rmsprop", hyperparams=RMSpropParams, state=RMSpropState, init=_rmsprop_init, update=rmsprop_update,
    doc='''RMSprop (Hinton et al. 2012) in torch.optim.RMSprop's form; ``beta2`` is torch's alpha.

    ``v_t = beta2 v_{t-1} + (1 - beta2) g_t^2``; centered: ``v_t - gbar_t^2`` (clamped at 0,
    so rounding can never make the square root NaN); ``a_t = sqrt(.) + eps``;
    ``d_t = g_t / a_t`` or, with momentum mu, ``buf_t = mu buf_{t-1} + g_t / a_t = d_t``.
    ``v_0 = v0`` (torch: 0; TF1's RMSProp, optax's ``initial_scale`` and timm's RMSpropTF: 1).
    adamlinf's RMSProp (Adam with beta1 = 0) is ``adam(beta1=0, ...)``.
    ''',
    decay=coupled,
    # torch.optim, optax, torchopt and Keras names (rho; velocity, average_gradient); the momentum
    # buffer as Keras (lr d_t: m <- mu m + lr g / a), optax (a trace of -lr d_t) and torchopt (of d_t)
    # keep it; v0 is TF1's built-in v_0 = 1 (timm RMSpropTF), passed where a parameter takes it
    # (optax/torchopt initial_scale)
    conventions=Conventions(kwargs={"beta2": ("beta2", "alpha", "decay", "rho")},
                            buffers={"square_avg": "v", "nu": "v", "grad_avg": "g_avg", "momentum_buffer": "buf",
                                     "mu": "g_avg", "velocity": "v", "average_gradient": "g_avg",
                                     "keras:momentum": "buf|lr_scaled", "optax:trace": "buf|-lr_scaled",
                                     "torchopt:trace": "buf"},
                            options=("v0",)),
    examples=(Example("rmsprop", {}),
              Example("rmsprop_full", {"centered": True, "momentum": 0.5, "weight_decay": 0.1}),
              Example("rmsprop_inside", {"eps_inside_sqrt": True})),
))
rmsprop = RMSPROP.factory
