r"""The declaration of an algorithm: everything the package knows about it, in one record.

Each algorithm module declares, next to its update::

    S3 = register(Declaration(
        name="s3", hyperparams=S3Params, state=S3State, init=init, update=update,
        scope=COORDINATE, decay=decoupled, torch="gpu.s3:S3", examples=(...), ...))
    s3 = S3.factory          # the public factory reference.s3(lr=..., beta=...), statically typed

and every consumer reads the declaration (through :mod:`reference.registry`) instead of a list
of names: ``reference.ALGORITHMS`` and ``hyperparams.SPECS``, the rounding counts of
``reference.tolerances`` (derived by running ``update`` on an operation-counting array,
:mod:`reference.counting`), the oracle's translation of other libraries' names
(:class:`Conventions`), ``gpu`` (the torch class, the traits of its reductions) and the test sweeps
(:attr:`Declaration.examples`, the traits).

The update is written once: ``update(g, state, hp, step) -> state`` holds the paper's formula as
plain array expressions (the new buffers and ``direction``).  :func:`build` wraps it in the one
generic driver of every algorithm, which owns what is not the formula: the shape check, the step
count ``t``, the learning rate ``lr_t`` (a constant or a checked schedule), the oracle calls
(:attr:`Declaration.gradient`), weight decay (:attr:`Declaration.decay`) and the step
``x_{t+1} = x_t - lr_t d_t``::

    g = oracle(x)                                   (or the declaration's gradient rule)
    g = g + lambda x                                (coupled decay only)
    state' = update(g, state, hp, Step(t, lr_t, x))
    x' = x - lr_t d  |  x (1 - lr_t lambda) - lr_t d  |  (x - lr_t d) / (1 + lr_t lambda)

An optional fused kernel (:attr:`Declaration.fused`) evaluates the same operations faster and is
pinned to the plain formula bit for bit (tests/reference/test_speed_equivalence.py).

The driver also owns the input checks and the numerical policy (README "Numerical policy";
:mod:`reference.validation`): ``x`` is a real array (bool/integer promoted to the state's dtype,
complex refused), the oracle's gradient is real, of x's shape and representable in x's dtype.
The update and the step run with NumPy's overflow, invalid and divide-by-zero flags raising: a
step from finite x, state and gradient whose arithmetic leaves the dtype's range raises
``FloatingPointError`` naming the algorithm and the step (never a NaN, an inf or a silently zeroed
coordinate from finite input); a step with non-finite input runs with the flags ignored, so that
NaN and inf propagate as IEEE arithmetic dictates.  Oracle calls run under the caller's
``np.errstate``; a point at which a gradient rule evaluates the oracle (SAM's ``x + delta``,
NIGT's extrapolation) that overflows from finite input raises ``FloatingPointError`` before the
oracle sees it.  State is never mutated: a step that raises leaves ``x`` and the state as they were.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, NamedTuple, ParamSpec, TypeVar, cast

import numpy as np

from .algorithm import Algorithm, GradientOracle, check_shape, draw_sample, kernel_ready, lr_at
from .hyperparams import REQUIRED, Hyperparams, validate
from .validation import gradient as checked_gradient
from .validation import iterate

__all__ = ["Declaration", "Conventions", "Transform", "Buffer", "IDENTITY", "bias_corrected", "lr_scaled", "negated",
           "transform_named", "as_buffer", "NormScope", "NORM_SCOPES", "Example", "Step", "Gradient", "WeightDecay", "Scope", "Reduction",
           "COORDINATE", "RUN", "BLOCK", "NONE", "no_decay", "decoupled", "coupled", "build"]

P = ParamSpec("P")
S = TypeVar("S", bound=NamedTuple)

Scope = Literal["coordinate", "run", "block"]
Reduction = Literal["none", "run", "block"]
COORDINATE: Final = "coordinate"
"""Scope: a gradient entry reaches its own coordinate only."""
RUN: Final = "run"
"""Scope / reduction: the whole run (a norm, a mean over the vector)."""
BLOCK: Final = "block"
"""Scope / reduction: the coordinate's block (``blocks``)."""
NONE: Final = "none"
"""Reduction: none (elementwise; shards are independent)."""


class Step(NamedTuple):
    """What the driver knows about the step being taken: ``t`` (1, 2, ...), ``lr`` (``lr_t``; an
    array of per-run rates for adaptive_nsgd) and ``x`` (the iterate x_t the step starts from)."""

    t: int
    lr: Any
    x: np.ndarray


class WeightDecay(NamedTuple):
    """How weight decay ``lambda`` enters: ``'none'``, ``'coupled'`` (``g <- g + lambda x``, L2),
    ``'decoupled'`` (``x (1 - lr lambda) - lr d``, AdamW) or ``'proximal'``
    (``(x - lr d) / (1 + lr lambda)``, Adan's default)."""

    kind: Literal["none", "coupled", "decoupled", "proximal"]
    value: float = 0.0


def no_decay(hp: Any) -> WeightDecay:
    """No weight decay."""
    return WeightDecay("none")


def decoupled(hp: Any) -> WeightDecay:
    """Decoupled weight decay ``hp.weight_decay`` (AdamW; s3 App. B.1)."""
    return WeightDecay("decoupled", hp.weight_decay)


def coupled(hp: Any) -> WeightDecay:
    """Coupled weight decay (L2) ``hp.weight_decay`` (torch.optim.SGD / RMSprop)."""
    return WeightDecay("coupled", hp.weight_decay)


class Gradient:
    """The oracle as an update's gradient rule sees it: ``grad(point)`` calls the oracle and checks
    the gradient (:func:`reference.validation.gradient`: real, the point's shape, cast to its
    dtype); ``grad.sample(same)`` one frozen sample (``reference.algorithm.draw_sample``).

    The driver gives it the caller's ``np.errstate`` (the oracle runs under it, not under the
    driver's) and a function telling whether the step's inputs are finite: a point that is not
    finite although they are (an extrapolation that overflowed) raises ``FloatingPointError``
    instead of reaching the oracle."""

    __slots__ = ("name", "oracle", "inputs_finite", "errstate", "seen")

    def __init__(self, name: str, oracle: Any, inputs_finite: Callable[[], bool] | None = None,
                 errstate: Mapping[str, str] | None = None, seen: list[bool] | None = None) -> None:
        self.name, self.oracle, self.inputs_finite, self.errstate = name, oracle, inputs_finite, errstate
        self.seen = [True] if seen is None else seen  # [whether every gradient returned so far was finite]

    def __call__(self, point: np.ndarray) -> np.ndarray:
        if self.inputs_finite is not None and not all_finite(point) and self.seen[0] and self.inputs_finite():
            raise FloatingPointError(
                f"{self.name}: the point at which the oracle is evaluated left {np.asarray(point).dtype}'s range "
                "from finite x, state and gradients (its exact value is not representable)")
        if self.errstate is None:
            g = self.oracle(point)
        else:
            with np.errstate(**self.errstate):
                g = self.oracle(point)
        g = checked_gradient(self.name, g, point)
        if self.inputs_finite is not None and self.seen[0] and not all_finite(g):
            self.seen[0] = False
        return g

    def sample(self, same_sample: bool = True) -> Gradient:
        return Gradient(self.name, draw_sample(self.oracle, same_sample), self.inputs_finite, self.errstate, self.seen)


def all_finite(*values: Any) -> bool:
    """Whether every float entry of ``values`` (arrays, tuples of arrays, numbers, NamedTuple
    states) is finite; integer entries and operation-counting arrays count as finite."""
    for v in values:
        if getattr(v, "__counting__", False) or v is None or isinstance(v, (bool, int, str, np.integer)):
            continue
        if isinstance(v, tuple):
            if not all_finite(*v):
                return False
        elif isinstance(v, float):
            if not math.isfinite(v):
                return False
        else:
            a = np.asarray(v)
            if a.dtype.kind in "fc" and not np.isfinite(a).all():
                return False
    return True


class Transform(NamedTuple):
    """How an implementation stores a reference state buffer (reference.oracle).

    ``to(ours, hp, t, lr_t)`` gives the implementation's value from the reference field after step
    ``t``; ``back`` is its inverse.  ``name`` is how ``state_map`` strings write it
    (``'v_max|bias_corrected(beta2)'``, ``'m|lr_scaled'``, ``'m|-lr_scaled'``, ``'buf|neg'``)."""

    name: str
    to: Callable[[np.ndarray, Mapping[str, Any], int, Any], np.ndarray]
    back: Callable[[np.ndarray, Mapping[str, Any], int, Any], np.ndarray]


IDENTITY: Final = Transform("identity", lambda a, hp, t, lr: a, lambda a, hp, t, lr: a)
"""The buffer is the reference field itself."""


def bias_corrected(beta: str) -> Transform:
    """The implementation stores ``field / (1 - hp[beta]^t)`` (a bias-corrected moment)."""
    def to(a: np.ndarray, hp: Mapping[str, Any], t: int, lr: Any) -> np.ndarray:
        return a / (1.0 - hp[beta] ** t)

    def back(a: np.ndarray, hp: Mapping[str, Any], t: int, lr: Any) -> np.ndarray:
        return a * (1.0 - hp[beta] ** t)

    return Transform(f"bias_corrected({beta})", to, back)


def lr_scaled(sign: float = 1.0) -> Transform:
    """The implementation stores ``sign * lr_t * field`` (a momentum that traces the step, as optax's
    RMSprop momentum (+) or Keras' SGD velocity (-))."""
    def to(a: np.ndarray, hp: Mapping[str, Any], t: int, lr: Any) -> np.ndarray:
        return sign * lr * a

    def back(a: np.ndarray, hp: Mapping[str, Any], t: int, lr: Any) -> np.ndarray:
        return a / (sign * lr)

    return Transform(("-" if sign < 0 else "") + "lr_scaled" if abs(sign) == 1 else f"lr_scaled({sign!r})", to, back)


def negated() -> Transform:
    """The implementation stores ``-field`` (a trace of the negated step, torchopt's RMSprop momentum)."""
    return Transform("neg", lambda a, hp, t, lr: -a, lambda a, hp, t, lr: -a)


class Buffer(NamedTuple):
    """An implementation buffer that holds reference field ``field`` through ``transform``."""

    field: str
    transform: Transform = IDENTITY

    def __str__(self) -> str:
        return self.field if self.transform is IDENTITY else f"{self.field}|{self.transform.name}"


def transform_named(text: str) -> Transform:
    """The transform written ``text`` (``identity``, ``bias_corrected(beta2)``, ``lr_scaled``,
    ``-lr_scaled``); ``ValueError`` naming the known forms otherwise."""
    text = text.strip().replace(" ", "")
    if text in ("", "identity"):
        return IDENTITY
    if text in ("lr_scaled", "-lr_scaled"):
        return lr_scaled(-1.0 if text.startswith("-") else 1.0)
    if text == "neg":
        return negated()
    if text.startswith("bias_corrected(") and text.endswith(")") and text[15:-1].isidentifier():
        return bias_corrected(text[15:-1])
    raise ValueError(f"unknown buffer transform {text!r}: identity, bias_corrected(<beta hyperparameter>), "
                     "lr_scaled, -lr_scaled or neg")


def as_buffer(value: str | Buffer | None) -> Buffer | None:
    """``'field'`` / ``'field|transform'`` / a :class:`Buffer` / None (never compare) as a Buffer."""
    if value is None or isinstance(value, Buffer):
        return value
    if not isinstance(value, str):
        raise TypeError(f"a buffer mapping must be a reference field name, 'field|transform', a Buffer or None; "
                        f"got {value!r}")
    field_name, _, how = value.partition("|")
    if field_name.strip().lower() == "none":
        return None
    return Buffer(field_name.strip(), transform_named(how))


NormScope = Literal["tensor", "group", "global"]
NORM_SCOPES: Final = ("tensor", "group", "global")
"""How a norm-based method reduces over several tensors: per tensor, per param group, or over all."""


@dataclass(frozen=True)
class Conventions:
    """How other libraries name and store this algorithm's hyperparameters and buffers (reference.oracle).

    ``kwargs``: reference hyperparameter -> implementation parameter names tried first (then the
    reference name and the common aliases ``learning_rate``, ``b1``, ``beta_1``, ...; an alias one
    library uses for another algorithm, such as SGD's ``beta`` or ``momentum``, is declared here).
    ``buffers``: their buffer name -> the reference field (a :class:`Buffer` when stored through a
    :class:`Transform`: bias-corrected, lr-scaled; None: never compare; ``'library:name'`` for a
    name that one library (the implementation's top-level module) uses in its own way), on top of
    ``exp_avg``/``momentum_buffer``/... -> ``m``.  ``flags``: implementation parameters that select the
    algorithm itself (``amsgrad=True``).  ``betas``: the ``betas`` tuple other libraries take (default:
    the hyperparameters beta1, beta2, beta3 that are set); ``folded``: hyperparameters that ``betas``
    already expresses (never passed, never reported).  ``forms``: named conventions in which an
    implementation may take the hyperparameters, ``name -> (hp -> the changed ones)``; the first is
    the default and ``compare(hp_form=...)`` picks another (Adan: ``official``, ``paper``,
    ``as-given``).  ``options``: numeric hyperparameters that choose a convention (RMSprop's ``v0``):
    passed where the implementation has a parameter for them, else the implementation's built-in
    convention is what the run checks.  ``norm_scope``: the default reduction of a norm over several
    tensors (``'tensor'``, ``'group'`` or ``'global'``).
    """

    kwargs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    buffers: Mapping[str, str | Buffer | None] = field(default_factory=dict)
    flags: Mapping[str, Any] = field(default_factory=dict)
    betas: Callable[[Mapping[str, Any]], tuple[float, ...]] | None = None
    folded: tuple[str, ...] = ()
    forms: Mapping[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    norm_scope: NormScope = "global"

    def __post_init__(self) -> None:
        if self.norm_scope not in NORM_SCOPES:
            raise ValueError(f"norm_scope must be one of {NORM_SCOPES}, got {self.norm_scope!r}")
        for name, value in self.buffers.items():
            as_buffer(value)  # raises on a bad entry

    def buffer(self, name: str) -> Buffer | None:
        """The declared :class:`Buffer` of the implementation buffer ``name`` (KeyError if none)."""
        return as_buffer(self.buffers[name])

    def form(self, name: str | None, hp: Mapping[str, Any]) -> dict[str, Any]:
        """``hp`` in the named form (None: the default, the first of :attr:`forms`)."""
        out = dict(hp)
        if not self.forms:
            if name not in (None, "as-given"):
                raise ValueError(f"hp_form={name!r}: this algorithm declares no hyperparameter forms")
            return out
        key = next(iter(self.forms)) if name is None else name
        if key not in self.forms:
            raise ValueError(f"hp_form must be one of {sorted(self.forms)}, got {name!r}")
        out.update(self.forms[key](hp))
        return out


class Example(NamedTuple):
    """A configuration of the test sweeps: an id and hyperparameters (the first example of a
    declaration gives every required hyperparameter a value)."""

    id: str
    hyperparams: Mapping[str, Any]


@dataclass(frozen=True, eq=False)
class Declaration(Generic[P, S]):
    """One algorithm (see the module docstring).

    Attributes:
        name: the factory name (``"s3"``).
        hyperparams: the typed :class:`~reference.hyperparams.Hyperparams` class.
        state: the state NamedTuple: ``t``, the paper's buffers, ``direction``.
        init: ``(x0, hp) -> state`` with ``t = 0`` (x0 a fresh float array).
        update: ``(g, state, hp, step) -> state``: the paper's formula.
        doc: the factory's docstring (paper and equation).
        scope: the coordinates one gradient entry reaches through the update: ``'coordinate'``,
            ``'run'`` (a norm or mean over the run) or ``'block'``.
        reduction: the reductions the step takes (what a sharded run must all-reduce): ``'none'``,
            ``'run'`` (over the whole vector) or ``'block'`` (per block of ``blocks``).
        oracle_calls: oracle calls per step.
        gradient: the gradient rule ``(grad, state, hp, step) -> g`` when it is not one call at
            ``x_t`` (SAM's perturbed point, NIGT's extrapolation, two samples).
        x_dependent: whether the oracle is evaluated away from ``x_t`` or twice (a bool or a
            function of the hyperparameters): the oracle's streams then give a gradient function.
        decay: ``hp -> WeightDecay``.
        learning_rate: ``(state, hp, t) -> lr_t`` for an algorithm without an ``lr``
            hyperparameter (adaptive_nsgd's eta_t).
        sign_based: the direction is a sign (``sign(0) = 0``; R7 of reference.tolerances).
        sign_of: ``(g, state, hp) -> c``, the argument of the sign when it is computed (Signum's
            momentum, Lion's interpolation); None when it is the gradient itself.
        fused: ``(g, state, hp, step) -> (x_next, state) | None``: the same step with a fused
            kernel, or None where it does not apply (mixed dtypes, subclasses).
        check: a consistency check across hyperparameters (raises ValueError).
        roundings: None when the rounding count K is derived from ``update``; else why not.
        conventions: other libraries' names (:class:`Conventions`).
        torch: ``"module:Class"`` of the ``gpu`` optimizer, if any.
        examples: the test sweeps' configurations, one per option that changes the math.
    """

    name: str
    hyperparams: Callable[P, Hyperparams]
    state: type[S]
    init: Callable[[np.ndarray, Any], S]
    update: Callable[[Any, S, Any, Step], S]
    doc: str = ""
    scope: Scope = COORDINATE
    reduction: Reduction = NONE
    oracle_calls: int = 1
    gradient: Callable[[Gradient, S, Any, Step], Any] | None = None
    x_dependent: bool | Callable[[Mapping[str, Any]], bool] = False
    decay: Callable[[Any], WeightDecay] = no_decay
    learning_rate: Callable[[S, Any, int], Any] | None = None
    sign_based: bool = False
    sign_of: Callable[[np.ndarray, S, Any], np.ndarray] | None = None
    fused: Callable[[np.ndarray, S, Any, Step], tuple[np.ndarray, S] | None] | None = None
    check: Callable[[Any], None] | None = None
    roundings: str | None = None
    conventions: Conventions = field(default_factory=Conventions)
    torch: str | None = None
    examples: tuple[Example, ...] = ()

    @property
    def params(self) -> Mapping[str, Any]:
        """The hyperparameters' :class:`~reference.hyperparams.Param` records, in order."""
        return self.hyperparams.PARAMS  # type: ignore[attr-defined, no-any-return]

    def depends_on_x(self, hp: Mapping[str, Any]) -> bool:
        """:attr:`x_dependent` for the hyperparameters ``hp``."""
        return self.x_dependent(hp) if callable(self.x_dependent) else self.x_dependent

    def resolve(self, given: Mapping[str, Any]) -> Hyperparams:
        """Validated hyperparameters (defaults applied) as the typed record."""
        hp = self.hyperparams(**validate(self.name, self.params, given))  # type: ignore[call-arg]
        if self.check is not None:
            self.check(hp)
        lr, decay = hp.get("lr"), self.decay(hp)
        if isinstance(lr, float) and decay.kind in ("decoupled", "proximal") and not math.isfinite(lr * decay.value):
            raise ValueError(f"{self.name}: lr * weight_decay must be finite (the decay factor 1 -+ lr weight_decay), "
                             f"got lr={lr!r}, weight_decay={decay.value!r}")
        return hp

    def build(self, hp: Hyperparams) -> Algorithm:
        """The :class:`~reference.algorithm.Algorithm` of validated ``hp`` (:func:`build`)."""
        return build(self, hp)

    @functools.cached_property
    def factory(self) -> Callable[P, Algorithm]:
        """The public keyword-only factory ``name(**hyperparams) -> Algorithm`` (validated)."""
        decl = self

        def make(**given: Any) -> Algorithm:
            return decl.build(decl.resolve(given))

        params = [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY,
                                    default=inspect.Parameter.empty if p.default is REQUIRED else p.default)
                  for k, p in self.params.items()]
        make.__signature__ = inspect.Signature(params, return_annotation=Algorithm)  # type: ignore[attr-defined]
        lines = [f"    {k} (default {p.default!r}): {p.doc}" for k, p in self.params.items()]
        make.__doc__ = self.doc.rstrip() + "\n\n    Hyperparameters:\n" + "\n".join(lines) + "\n"
        make.__name__ = make.__qualname__ = self.name
        make.__module__ = getattr(self.update, "__module__", __name__)
        make.declaration = self  # type: ignore[attr-defined]
        return cast("Callable[P, Algorithm]", make)


# --------------------------------------------------------------------------- the generic driver


def _minus(x: np.ndarray, lr_t: Any, d: np.ndarray) -> np.ndarray:
    """``x - lr_t d`` (one temporary fewer on plain arrays of one dtype; the same bits)."""
    if not kernel_ready(x, d):
        return x - lr_t * d
    u = np.multiply(d, lr_t)
    return np.subtract(x, u, out=u)


def _factor(name: str, value: float, what: str) -> float:
    """A decay factor ``1 -+ lr_t lambda``, refused when ``lr_t lambda`` overflows (it would turn a
    zero coordinate into NaN, 0 * inf)."""
    if not math.isfinite(value):
        raise ValueError(f"{name}: lr_t * weight_decay must be finite ({what}), got {value!r}")
    return value


def apply_step(x: np.ndarray, d: np.ndarray, lr_t: Any, decay: WeightDecay, name: str = "step") -> np.ndarray:
    """``x_{t+1}`` from ``x_t``, the direction ``d_t`` and ``lr_t`` under ``decay``."""
    kind, lam = decay
    if kind == "decoupled":
        if lam:
            return x * _factor(name, 1.0 - lr_t * lam, "1 - lr_t weight_decay") - lr_t * d
        return _minus(x, lr_t, d)
    if kind == "proximal":
        return (x - lr_t * d) / _factor(name, 1.0 + lr_t * lam, "1 + lr_t weight_decay")
    return _minus(x, lr_t, d)


RAISE: Final = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
"""The ``np.errstate`` of an update from finite input: leaving the dtype's range is an error."""


def build(decl: Declaration[Any, Any], hp: Hyperparams) -> Algorithm:
    """The generic driver: ``init`` and ``step`` of ``decl`` with hyperparameters ``hp``."""
    name, update, gradient, fused = decl.name, decl.update, decl.gradient, decl.fused
    decay = decl.decay(hp)
    coupled_wd = decay.value if decay.kind == "coupled" else 0.0
    lr = hp.get("lr")
    rate = decl.learning_rate
    init_state = decl.init

    def init(x0: Any) -> Any:
        from .algorithm import as_float_array

        return init_state(as_float_array(x0), hp)

    def advance(x: np.ndarray, g: Any, state: Any, info: Step) -> tuple[np.ndarray, Any]:
        if fused is not None:
            out = fused(g, state, hp, info)
            if out is not None:
                return out
        if coupled_wd:
            g = g + coupled_wd * x
        new = update(g, state, hp, info)
        return apply_step(x, new.direction, info.lr, decay, name), new

    def step(x: np.ndarray, state: Any, oracle: GradientOracle) -> tuple[np.ndarray, Any]:
        x = iterate(name, x, state.direction.dtype)
        check_shape(name, x, state)
        t = state.t + 1
        lr_t = lr_at(name, cast(Any, lr), t) if rate is None else rate(state, hp, t)
        info = Step(t, lr_t, x)
        finite: list[bool] = []

        def inputs_finite() -> bool:  # x and the state, evaluated once and only when needed
            if not finite:
                finite.append(all_finite(x, *state))
            return finite[0]

        if gradient is None:
            g = checked_gradient(name, oracle(x), x)
        else:
            caller = np.geterr()  # the oracle runs under the caller's errstate
            with np.errstate(all="ignore"):  # the rule's own arithmetic: its points are checked
                g = gradient(Gradient(name, oracle, inputs_finite, caller), state, hp, info)
        try:
            with np.errstate(**RAISE):
                return advance(x, g, state, info)
        except FloatingPointError as exc:
            if inputs_finite() and all_finite(g):
                dtype = getattr(x, "dtype", "float64")
                raise FloatingPointError(
                    f"{name}: step {t} from finite x, state and gradient left {dtype}'s range ({exc}); outside "
                    "the algorithm's domain (README, Numerical policy) no finite result represents it") from None
        with np.errstate(all="ignore"):  # non-finite input: NaN/inf propagate
            out = advance(x, g, state, info)
        _check_reach(name, t, decl.scope, x, g, state, out)
        return out

    return Algorithm(name, hp, init, step, oracle_calls=decl.oracle_calls)


def _finite_mask(values: Any, shape: tuple[int, ...], scope: str) -> np.ndarray:
    """Per coordinate of ``shape`` (per run unless ``scope`` is ``'coordinate'``): whether every
    input it reads is finite.  Arrays of ``shape`` count per coordinate, other arrays per run."""
    fin = np.ones(shape, bool)
    run_shape = shape[:-1] + (1,)
    for v in values:
        if getattr(v, "__counting__", False) or not isinstance(v, np.ndarray) or v.dtype.kind not in "fc":
            continue
        f = np.isfinite(v)
        if v.shape == shape:
            fin &= f
        elif v.ndim == len(shape) and v.shape[:-1] == shape[:-1]:
            fin &= f.all(axis=-1, keepdims=True)
        else:
            fin &= bool(f.all())
    if scope != "coordinate" and len(shape):
        fin = np.broadcast_to(fin.all(axis=-1, keepdims=True), shape) if shape[-1] else fin
    return np.broadcast_to(fin, shape) if fin.shape != shape else fin  # type: ignore[no-any-return]


def _check_reach(name: str, t: int, scope: str, x: Any, g: Any, state: Any, out: tuple[np.ndarray, Any]) -> None:
    """After a step with some non-finite input: a coordinate (or run) whose inputs were all finite
    must have finite outputs -- NaN and inf may only reach what reads them (README policy)."""
    if getattr(x, "__counting__", False) or not isinstance(x, np.ndarray):
        return
    grads = g if isinstance(g, tuple) else (g,)
    fin = _finite_mask((x, *grads, *state), x.shape, scope)
    if not fin.any():
        return
    x_next, new = out
    for field, v in (("x", x_next), *zip(new._fields, new)):
        if not isinstance(v, np.ndarray) or v.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(v)
        if v.shape == x.shape:
            bad &= fin
        elif v.ndim == x.ndim and v.shape[:-1] == x.shape[:-1]:
            bad &= fin.all(axis=-1, keepdims=True)
        else:
            bad &= bool(fin.all())
        if bad.any():
            raise FloatingPointError(
                f"{name}: step {t}: {field} left {v.dtype}'s range where its inputs are finite (other coordinates had "
                "non-finite input); outside the algorithm's domain (README, Numerical policy)")
