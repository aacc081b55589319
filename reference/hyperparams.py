"""Hyperparameters: defaults and validation for every algorithm, in one place.

This table is the single source of truth.  The reference factories (``reference.s3(...)``)
and the PyTorch optimizers (``gpu.S3(...)``) both call :func:`resolve`, so a default or an
allowed range is written exactly once.

Each entry names the parameter as the paper does (beta, beta1, beta2, p, ...), its default
(``REQUIRED`` when the paper fixes none), and a check that raises ``ValueError`` naming the
parameter and its allowed range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["REQUIRED", "Param", "SPECS", "resolve", "defaults", "check_lr_value"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""Sentinel default: the caller must supply the value."""

Check = Callable[[str, str, Any], Any]


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its default, its check and a one-line description."""

    default: Any
    check: Check
    doc: str


def _fail(alg: str, name: str, allowed: str, value: Any) -> ValueError:
    return ValueError(f"{alg}: {name} must be {allowed}, got {value!r}")


def _real(alg: str, name: str, value: Any, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _fail(alg, name, allowed, value)
    v = float(value)
    if not math.isfinite(v):
        raise _fail(alg, name, allowed, value)
    return v


def interval(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Check:
    """A finite real in the interval lo..hi (open or closed at each end)."""
    allowed = f"a finite number in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"

    def check(alg: str, name: str, value: Any) -> float:
        v = _real(alg, name, value, allowed)
        if v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
            raise _fail(alg, name, allowed, value)
        return v

    return check


def at_least(lo: float, *, strict: bool = False) -> Check:
    allowed = f"a finite number {'>' if strict else '>='} {lo:g}"

    def check(alg: str, name: str, value: Any) -> float:
        v = _real(alg, name, value, allowed)
        if v < lo or (strict and v == lo):
            raise _fail(alg, name, allowed, value)
        return v

    return check


def optional(inner: Check) -> Check:
    def check(alg: str, name: str, value: Any) -> Any:
        return None if value is None else inner(alg, name, value)

    return check


def one_of(*choices: Any) -> Check:
    allowed = "one of " + ", ".join(repr(c) for c in choices)

    def check(alg: str, name: str, value: Any) -> Any:
        if value not in choices:
            raise _fail(alg, name, allowed, value)
        return value

    return check


def boolean(alg: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise _fail(alg, name, "True or False", value)
    return bool(value)


def learning_rate(alg: str, name: str, value: Any) -> Any:
    """A finite float > 0, or a schedule ``t -> lr_t`` (t = 1, 2, ...) checked at each call."""
    if callable(value):
        return value
    allowed = "a finite number > 0 or a callable schedule t -> lr_t"
    v = _real(alg, name, value, allowed)
    if v <= 0:
        raise _fail(alg, name, allowed, value)
    return v


def check_lr_value(alg: str, t: int, value: Any) -> float:
    """Check one value ``lr_t`` returned by a schedule: finite and >= 0 (0 allowed for warm-up/decay)."""
    allowed = "a finite number >= 0"
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{alg}: lr schedule must return {allowed}, got {value!r} at t={t}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{alg}: lr schedule must return {allowed}, got {value!r} at t={t}")
    return v


def block_ids(alg: str, name: str, value: Any) -> np.ndarray:
    """A 1-D array of non-negative integer block ids, one per coordinate (adamlinf Alg. 3's Phi)."""
    allowed = "a 1-D sequence of non-negative integer block ids (one per coordinate)"
    try:
        arr = np.asarray(value)
    except Exception:  # pragma: no cover - defensive
        raise _fail(alg, name, allowed, value) from None
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or (arr < 0).any():
        raise _fail(alg, name, allowed, value)
    arr = arr.astype(np.int64, copy=True)
    arr.setflags(write=False)
    return arr


UNIT = interval(0.0, 1.0, hi_open=True)  # beta in [0, 1)
UNIT_CLOSED = interval(0.0, 1.0)
NONNEG = at_least(0.0)
POS = at_least(0.0, strict=True)
P_ORDER = at_least(1.0)
LR = Param(REQUIRED, learning_rate, "learning rate gamma/eta: float > 0 or schedule t -> lr_t")


def _lr(default: float) -> Param:
    return Param(default, learning_rate, LR.doc)


def _wd(default: float = 0.0) -> Param:
    return Param(default, NONNEG, "weight decay lambda >= 0")


_EPS = Param(1e-8, NONNEG, "epsilon >= 0 added to the denominator")

_ADAM_COMMON: dict[str, Param] = {
    "beta1": Param(0.9, UNIT, "first-moment EMA coefficient beta1 in [0, 1)"),
    "beta2": Param(0.999, UNIT, "second-moment EMA coefficient beta2 in [0, 1)"),
    "eps": _EPS,
    "eps_inside_sqrt": Param(False, boolean, "True: m/sqrt(v + eps) (adamlinf Alg. 1); False: m/(sqrt(v) + eps) (torch)"),
    "bias_correction": Param(True, boolean, "divide m, v by 1 - beta^t (S3 Eq. 2, torch); False as adamlinf Alg. 1"),
    "v0": Param(0.0, NONNEG, "initial value of every v coordinate (adamlinf Alg. 1)"),
    "weight_decay": _wd(),
    "decoupled_weight_decay": Param(False, boolean, "True: x <- x(1 - lr*wd) (AdamW); False: g <- g + wd*x (L2)"),
}

_SAME_SAMPLE = Param(True, boolean, "evaluate s_t and g_t on the same sample xi_t (adasam Alg. 1)")
_ADASAM: dict[str, Param] = {
    "lr": _lr(1e-3),
    "rho": Param(0.01, NONNEG, "neighbourhood size rho >= 0"),
    "beta1": Param(0.9, UNIT, "momentum coefficient beta1 in [0, 1)"),
    "beta2": Param(0.999, UNIT_CLOSED, "EMA coefficient of g^2 in [0, 1] (1 recovers SAM, Remark 1)"),
    "eps": Param(1e-8, POS, "v_hat_{-1} = eps^2, eps > 0"),
    "same_sample": _SAME_SAMPLE,
}

SPECS: Mapping[str, Mapping[str, Param]] = MappingProxyType({
    "s3": {
        "lr": _lr(3e-3),
        "beta": Param(0.95, UNIT, "EMA coefficient beta of m and (by default) s, in [0, 1)"),
        "p": Param(3.0, P_ORDER, "order p >= 1 of the denominator momentum s_t(p)"),
        "beta2": Param(None, optional(UNIT), "EMA coefficient of s and b (Theorem 2(1)); None means beta"),
        "nesterov": Param(True, boolean, "True: Nesterov estimators n_t, b_t (Alg. 1); False: m_t / s_t^(1/p)"),
        "weight_decay": _wd(),
        "eps": Param(0.0, NONNEG, "epsilon >= 0 added to b_t(p)"),
    },
    "adam": {"lr": _lr(1e-3), **_ADAM_COMMON},
    "adamw": {"lr": _lr(1e-3), **_ADAM_COMMON,
              "weight_decay": _wd(1e-2),
              "decoupled_weight_decay": Param(True, boolean, _ADAM_COMMON["decoupled_weight_decay"].doc)},
    "adam_clipped": {"lr": _lr(1e-3), **_ADAM_COMMON,
                     "clip": Param(1.0, POS, "each update coordinate is clipped to [-clip, clip], clip > 0")},
    "amsgrad": {"lr": _lr(1e-3), **{k: v for k, v in _ADAM_COMMON.items() if k not in ("eps_inside_sqrt", "v0")},
                "v_max_of": Param("v", one_of("v", "v_hat"),
                                  "'v': max of the raw v_t, bias-corrected after (torch); 'v_hat': max of "
                                  "v_t/(1 - beta2^t) (optax.amsgrad)")},
    "rmsprop": {
        "lr": _lr(1e-2),
        "beta2": Param(0.99, UNIT, "EMA coefficient of g^2 (torch's alpha), in [0, 1)"),
        "eps": _EPS,
        "eps_inside_sqrt": _ADAM_COMMON["eps_inside_sqrt"],
        "momentum": Param(0.0, UNIT, "heavy-ball momentum on the preconditioned step, in [0, 1)"),
        "centered": Param(False, boolean, "subtract the squared mean gradient from v"),
        "weight_decay": _wd(),
        "v0": Param(0.0, NONNEG, "initial value of every v coordinate (torch 0; TF1, optax initial_scale: 1)"),
    },
    "nag": {
        "lr": LR,
        "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)"),
        "form": Param("II", one_of("I", "II", "III"), "S3 Theorem 3 formulation"),
        "g0": Param("zero", one_of("zero", "first"),
                    "form III's g_0: 'zero' (needed for S3 Theorem 3) or 'first' (g_0 = g_1, as Adan's code)"),
    },
    "sgdm": {
        "lr": LR,
        "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)"),
        "convention": Param("ema", one_of("ema", "torch"), "'ema': m = beta m + (1-beta) g; 'torch': torch.optim.SGD"),
        "dampening": Param(0.0, UNIT, "torch convention only: m = beta m + (1 - dampening) g"),
        "nesterov": Param(False, boolean, "torch convention only: step along g + beta m"),
        "weight_decay": _wd(),
    },
    "nadam": {
        "lr": _lr(2e-3),
        "beta1": _ADAM_COMMON["beta1"],
        "beta2": _ADAM_COMMON["beta2"],
        "eps": _EPS,
        "momentum_decay": Param(4e-3, NONNEG, "psi in mu_t = beta1 (1 - 0.5 * 0.96^(t psi)), >= 0"),
        "weight_decay": _wd(),
        "decoupled_weight_decay": _ADAM_COMMON["decoupled_weight_decay"],
        "mu_schedule": Param("dozat", one_of("dozat", "constant"),
                             "'dozat': mu_t with momentum_decay (torch); 'constant': mu_t = beta1 (optax.nadam)"),
    },
    "adan": {
        "lr": _lr(1e-3),
        "beta1": Param(None, optional(UNIT), "m coefficient; None: 0.98 (official) / 0.02 (paper)"),
        "beta2": Param(None, optional(UNIT), "gradient-difference coefficient; None: 0.92 / 0.08"),
        "beta3": Param(None, optional(UNIT), "n coefficient; None: 0.99 / 0.01"),
        "eps": _EPS,
        "weight_decay": _wd(),
        "no_prox": Param(False, boolean, "True: x(1 - lr wd) - lr u; False: (x - lr u)/(1 + lr wd) (proximal)"),
        "form": Param("official", one_of("official", "paper"),
                      "'official': sail-sg/Adan betas and bias correction; 'paper': Adan Alg. 1 betas, no bias correction"),
    },
    "lion": {
        "lr": _lr(1e-4),
        "beta1": Param(0.9, UNIT_CLOSED, "interpolation coefficient of the update, in [0, 1]"),
        "beta2": Param(0.99, UNIT, "momentum EMA coefficient, in [0, 1)"),
        "weight_decay": _wd(),
    },
    "generalized_signsgd": {
        "lr": LR,
        "beta1": Param(0.9, UNIT, "momentum coefficient beta1 in [0, 1)"),
        "beta2": Param(0.99, UNIT, "EMA coefficient of m^2, in [0, 1) (Theorem 1 needs sqrt(beta2) < beta1)"),
        "eps": Param(0.0, NONNEG, "epsilon >= 0 added to sqrt(v)"),
    },
    "signsgd": {"lr": LR},
    "signgd": {"lr": LR},
    "signum": {"lr": LR, "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)")},
    "sgd_clip": {
        "lr": LR,
        "gamma": Param(REQUIRED, POS, "clipping threshold gamma > 0 (step length at most gamma)"),
        "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)"),
        "nu": Param(1.0, UNIT_CLOSED, "mixing nu in [0, 1]: 1 clips momentum (SGDClipMomentum), 0 clips the gradient"),
    },
    "sam": {
        "lr": LR,
        "rho": Param(0.05, NONNEG, "neighbourhood size rho >= 0"),
        "beta": Param(0.0, UNIT, "EMA momentum on the SAM gradient, in [0, 1) (0: plain SAM-SGD)"),
        "same_sample": _SAME_SAMPLE,
    },
    "adasam": _ADASAM,
    "adam_sam": {**_ADASAM,
                 "beta2": Param(0.999, UNIT, "EMA coefficient of g^2 in [0, 1)"),
                 "eps": Param(1e-8, POS, "v_{-1} = v_hat_{-1} = eps^2, eps > 0")},
    "normalized_sgdm": {
        "lr": LR,
        "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)"),
        "m1": Param("gradient", one_of("gradient", "ema"),
                    "'gradient': m_1 = g_1 (nsgdm Theorem 1); 'ema': m_0 = 0"),
    },
    "nigt": {"lr": LR, "beta": Param(0.9, UNIT, "momentum coefficient beta in [0, 1)")},
    "igt": {"lr": LR},
    "adaptive_nsgd": {"gbound": Param(REQUIRED, POS, "almost-sure gradient-norm bound frak-g > 0 (nsgdm Alg. 2)")},
    "adasgd": {
        "lr": LR,
        "beta1": Param(0.9, UNIT, "momentum coefficient beta1 in [0, 1)"),
        "beta2": Param(0.99, UNIT, "EMA coefficient of ||g||^2/d in [0, 1)"),
        "eps": Param(0.0, NONNEG, "epsilon >= 0 inside the square root (adamlinf Alg. 2)"),
        "v0": Param(0.0, NONNEG, "initial value v_0 >= 0"),
    },
    "blockwise_adam": {
        "lr": LR,
        "blocks": Param(REQUIRED, block_ids, "block id Phi(i) of every coordinate i"),
        "beta1": Param(0.9, UNIT, "momentum coefficient beta1 in [0, 1)"),
        "beta2": Param(0.99, UNIT, "EMA coefficient of the block mean of g^2, in [0, 1)"),
        "eps": Param(0.0, NONNEG, "epsilon >= 0 inside the square root (adamlinf Alg. 3)"),
        "v0": Param(0.0, NONNEG, "initial value v_0 >= 0 of every block"),
    },
})


def resolve(alg: str, given: Mapping[str, Any], *, exclude: tuple[str, ...] = ()) -> Mapping[str, Any]:
    """Apply defaults and validate ``given`` against ``SPECS[alg]``; return a read-only mapping.

    Raises ``TypeError`` for an unknown or missing keyword and ``ValueError`` for a value
    outside its allowed range (the message names the parameter and the range).  Names in
    ``exclude`` are left out (for a caller that validates them itself, e.g. per tensor with
    ``SPECS[alg][name].check``).
    """
    try:
        spec = SPECS[alg]
    except KeyError:
        raise KeyError(f"unknown algorithm {alg!r}; known: {sorted(SPECS)}") from None
    unknown = set(given) - set(spec) - set(exclude)
    if unknown:
        raise TypeError(f"{alg}: unexpected hyperparameter(s) {sorted(unknown)}; allowed: {list(spec)}")
    out: dict[str, Any] = {}
    for name, param in spec.items():
        if name in exclude:
            continue
        value = given.get(name, param.default)
        if value is REQUIRED:
            raise TypeError(f"{alg}: missing required hyperparameter {name!r} ({param.doc})")
        out[name] = param.check(alg, name, value)
    return MappingProxyType(out)


def defaults(alg: str) -> Mapping[str, Any]:
    """The default of every hyperparameter of ``alg`` (``REQUIRED`` where none)."""
    return MappingProxyType({k: p.default for k, p in SPECS[alg].items()})
