"""The one functional API shared by every algorithm, and the numerical conventions.

An :class:`Algorithm` is a pair of pure functions, in the spirit of optax's
``GradientTransformation``::

    state = alg.init(x0)
    x_next, state_next = alg.step(x, state, oracle)

``oracle(x)`` returns a stochastic gradient at ``x``.  Arrays have shape ``(..., d)``:
leading axes are independent runs, and every norm is taken over the last axis (or a block of
it) only, so a batched call equals the looped calls bit for bit.

Numerical policy (one policy for the reference and for ``gpu``):

* **Finite input never yields NaN.**  Every ratio whose denominator is zero only when its
  numerator is zero in exact arithmetic (S3 with an all-zero gradient history, Adam with
  ``eps = 0``, ``m/||m||`` at ``m = 0``, SAM's ``s/||s||`` at ``s = 0``) uses
  :func:`ratio`: ``n / b`` with ``b = 0  =>  0``.  The same rule covers a denominator that
  underflowed to 0 in floating point.  ``sign(0) = 0``.
* **Non-finite gradients propagate.**  NaN or inf in ``g`` are not masked: they flow, as
  IEEE-754 arithmetic dictates, into exactly the coordinates (or, for norm-based methods,
  the runs/blocks) whose update reads them.  Nothing is skipped silently; callers who want
  to skip such steps do it outside (e.g. ``torch.amp.GradScaler``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np

from .hyperparams import SPECS, check_lr_value, resolve

__all__ = [
    "Algorithm",
    "Oracle",
    "Schedule",
    "factory",
    "lr_at",
    "ratio",
    "norm",
    "as_float_array",
    "decoupled_step",
    "draw_sample",
]

Schedule = Callable[[int], float]
State = TypeVar("State", bound=NamedTuple)


class Oracle(Protocol):
    """A stochastic first-order oracle: ``oracle(x)`` returns a gradient estimate at ``x``.

    An oracle may also offer ``oracle.sample()``, returning a function ``x -> grad f(x; xi)``
    with the sample ``xi`` frozen, for algorithms that evaluate one sample at two points
    (SAM/AdaSAM, adasam Alg. 1 lines 3 and 5).
    """

    def __call__(self, x: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Algorithm:
    """An optimizer as two pure functions.

    Attributes:
        name: factory name (``"s3"``, ``"adam"``, ...).
        hyperparams: the resolved, validated hyperparameters (read-only).
        init: ``x0 -> state``; the state is an immutable NamedTuple with the paper's buffers,
            the step count ``t`` (0 after init) and ``direction``.
        step: ``(x, state, oracle) -> (x_next, state_next)`` with
            ``x_next = x - lr_t * state_next.direction`` (before decoupled weight decay).
        oracle_calls: how many times ``step`` calls the oracle.
    """

    name: str
    hyperparams: Mapping[str, Any]
    init: Callable[[Any], Any] = field(repr=False)
    step: Callable[[np.ndarray, Any, Oracle], tuple[np.ndarray, Any]] = field(repr=False)
    oracle_calls: int = 1

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={_short(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({hp})"


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    if callable(v):
        return getattr(v, "__name__", "schedule")
    return repr(v)


def factory(name: str) -> Callable[[Callable[..., Algorithm]], Callable[..., Algorithm]]:
    """Decorate ``build(hp) -> Algorithm`` into the public keyword-only factory ``name(**hp)``.

    The signature and the parameter list of the docstring are generated from
    ``hyperparams.SPECS[name]``, so defaults live in one place only.
    """
    spec = SPECS[name]

    def wrap(build: Callable[..., Algorithm]) -> Callable[..., Algorithm]:
        @functools.wraps(build)
        def make(**hyperparams: Any) -> Algorithm:
            return build(resolve(name, hyperparams))

        params = [
            inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY,
                              default=(inspect.Parameter.empty if repr(p.default) == "REQUIRED" else p.default))
            for k, p in spec.items()
        ]
        make.__signature__ = inspect.Signature(params, return_annotation=Algorithm)  # type: ignore[attr-defined]
        lines = [f"    {k} (default {p.default!r}): {p.doc}" for k, p in spec.items()]
        make.__doc__ = (build.__doc__ or "").rstrip() + "\n\n    Hyperparameters:\n" + "\n".join(lines) + "\n"
        make.__name__ = make.__qualname__ = name
        return make

    return wrap


def as_float_array(x0: Any) -> np.ndarray:
    """``x0`` as a floating array (integer input becomes float64); copies, never aliases."""
    x = np.array(x0, copy=True)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if x.ndim == 0:
        raise ValueError("x0 must have at least one axis (shape (..., d))")
    return x


def lr_at(alg: str, lr: float | Schedule, t: int) -> float:
    """The learning rate of step ``t`` (t = 1, 2, ...): a constant, or ``lr(t)`` checked."""
    if callable(lr):
        return check_lr_value(alg, t, lr(t))
    return lr


def ratio(n: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``n / b`` elementwise with the convention ``b = 0  =>  0`` (see the module docstring).

    NaN in ``b`` or ``n`` propagates (NaN == 0 is false).
    """
    zero = b == 0
    return np.where(zero, 0.0, n / np.where(zero, 1.0, b)).astype(np.result_type(n, b), copy=False)


def norm(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Euclidean norm over ``axis`` with ``keepdims``; the same reduction for every batch shape."""
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=True))


def decoupled_step(x: np.ndarray, d: np.ndarray, lr_t: float, weight_decay: float) -> np.ndarray:
    """``x_{t+1} = x_t (1 - lr_t lambda) - lr_t d_t`` (decoupled weight decay, AdamW/torch order)."""
    if weight_decay:
        return x * (1.0 - lr_t * weight_decay) - lr_t * d
    return x - lr_t * d


def draw_sample(oracle: Oracle, same_sample: bool) -> Callable[[np.ndarray], np.ndarray]:
    """A gradient function for one sample ``xi_t`` if the oracle can freeze it, else the oracle.

    With ``same_sample`` and an oracle offering ``sample()``, both SAM evaluations use one
    sample; otherwise each call draws (or, under ``replay``, consumes) a fresh gradient.
    """
    if same_sample and hasattr(oracle, "sample"):
        return oracle.sample()  # type: ignore[no-any-return]
    return oracle


def check_shape(alg: str, x: np.ndarray, state: Any) -> None:
    """Reject an ``x`` whose shape differs from the state's buffers."""
    ref = state.direction
    if x.shape != ref.shape:
        raise ValueError(f"{alg}: x has shape {x.shape} but the state was initialised for {ref.shape}")


def oracle_gradient(alg: str, oracle: Oracle | Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Call the oracle and check that the gradient has the shape of ``x``; cast to x's dtype."""
    g = np.asarray(oracle(x))
    if g.shape != x.shape:
        raise ValueError(f"{alg}: oracle returned shape {g.shape} for x of shape {x.shape}")
    return g.astype(x.dtype, copy=False)
