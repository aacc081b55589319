"""Hyperparameters: typed declarations, defaults and validation, in one place.

Each algorithm declares its hyperparameters once, next to its update, as a typed class
(:class:`Hyperparams`, a frozen dataclass-like record that is also a read-only ``Mapping``)::

    class S3Params(Hyperparams):
        lr: LearningRate = param(default=3e-3, check=learning_rate, doc="learning rate gamma_t")
        beta: float = param(default=0.95, check=UNIT, doc="EMA coefficient beta, in [0, 1)")

The field's name is the paper's, its annotation the accepted type (so the factory
``reference.s3(lr=...)`` is checked statically: the class is a ``dataclass_transform``), and
:func:`param` gives the default (``REQUIRED`` when the paper fixes none), the check that raises
``ValueError`` naming the parameter and its allowed range, and a one-line description.
``SPECS[name]`` (name -> :class:`Param`) is generated from these declarations
(:mod:`reference.registry`); the reference factories and the PyTorch optimizers (``gpu``) both
validate with :func:`resolve`, so a default or a range is written exactly once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, dataclass_transform

import numpy as np

from .validation import fail, interval_text, real

__all__ = ["REQUIRED", "Param", "param", "Hyperparams", "LearningRate", "SPECS", "resolve", "defaults",
           "check_lr_value", "validate", "interval", "at_least", "optional", "one_of", "boolean", "learning_rate",
           "block_ids", "UNIT", "UNIT_CLOSED", "NONNEG", "POS", "P_ORDER"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""Sentinel default: the caller must supply the value."""

Check = Callable[[str, str, Any], Any]
LearningRate = float | Callable[[int], float]
"""A constant learning rate or a schedule ``t -> lr_t`` (t = 1, 2, ...)."""


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its default, its check, a one-line description.

    ``per_coordinate``: the value has one entry per coordinate of x (blockwise_adam's ``blocks``).
    ``branches``: values that select every branch of the update (for the rounding count of
    :mod:`reference.counting`); by default those of the check.
    """

    default: Any
    check: Check
    doc: str
    per_coordinate: bool = False
    branches: tuple[Any, ...] | None = None

    def branch_values(self) -> tuple[Any, ...]:
        """:attr:`branches`, else the check's (``check.branches``), else the default."""
        if self.branches is not None:
            return self.branches
        return getattr(self.check, "branches", None) or (self.default,)


def param(*, default: Any = REQUIRED, check: Check, doc: str, per_coordinate: bool = False,
          branches: tuple[Any, ...] | None = None) -> Any:
    """Declare one field of a :class:`Hyperparams` class (the dataclass field specifier)."""
    return Param(default, check, doc, per_coordinate, branches)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(param,))
class Hyperparams(Mapping[str, Any]):
    """Base of every algorithm's typed hyperparameters: fields declared with :func:`param`.

    Instances are frozen and read as attributes (``hp.beta``) or as a read-only mapping
    (``hp["beta"]``, ``dict(hp)``; the order of declaration).  A subclass may redeclare a field
    of its base (another default or range): the field keeps its place.  Instances come from
    :func:`resolve` (validated); the constructor does not validate.
    """

    PARAMS: ClassVar[Mapping[str, Param]] = MappingProxyType({})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        params: dict[str, Param] = dict(cls.PARAMS)
        for name in cls.__dict__.get("__annotations__", {}):
            value = cls.__dict__.get(name)
            if isinstance(value, Param):
                params[name] = value
                delattr(cls, name)
        cls.PARAMS = MappingProxyType(params)

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.PARAMS)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected field(s) {sorted(unknown)}")
        for name, p in self.PARAMS.items():
            object.__setattr__(self, name, values.get(name, p.default))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __getitem__(self, key: str) -> Any:
        if key not in self.PARAMS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.PARAMS)

    def __len__(self) -> int:
        return len(self.PARAMS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.PARAMS)})"

    def __eq__(self, other: object) -> bool:
        """Equal to any mapping with the same names and values (arrays compared elementwise)."""
        if not isinstance(other, Mapping) or list(self) != list(other):
            return False
        return all(np.array_equal(v, other[k]) if isinstance(v, np.ndarray) else v == other[k]
                   for k, v in self.items())

    __hash__ = None  # type: ignore[assignment]  # a mapping, as MappingProxyType

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value derived from the hyperparameters, computed once per record (e.g. a partition)."""
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]


# --------------------------------------------------------------------------- checks

_GENERIC = 0.3183098861837907
"""An interior value (1/pi) for the branch values of a range: no power of 2, no simple ratio, so that
no coefficient derived from it (1 - beta, beta/(1 - beta), ...) is exactly representable by accident."""


def _with_branches(check: Check, branches: tuple[Any, ...], kind: str | None = None) -> Check:
    """Attach ``branches`` (reference.counting) and, if given, a ``kind`` naming the range (the
    tests sweep each kind's boundary values) to ``check``."""
    check.branches = branches  # type: ignore[attr-defined]
    if kind is not None:
        check.kind = kind  # type: ignore[attr-defined]
    return check


def interval(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Check:
    """A finite real in the interval lo..hi (open or closed at each end)."""
    allowed = f"a finite number in {interval_text(lo, hi, lo_open, hi_open)}"

    def check(alg: str, name: str, value: Any) -> float:
        return real(f"{alg}: {name}", value, allowed, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)

    ends = (() if lo_open else (lo,)) + (lo + (hi - lo) * _GENERIC,) + (() if hi_open else (hi,))
    return _with_branches(check, ends)


def at_least(lo: float, *, strict: bool = False) -> Check:
    """A finite real >= lo (> lo if ``strict``)."""
    allowed = f"a finite number {'>' if strict else '>='} {lo:g}"

    def check(alg: str, name: str, value: Any) -> float:
        return real(f"{alg}: {name}", value, allowed, lo=lo, lo_open=strict)

    return _with_branches(check, (lo + _GENERIC,) if strict else (lo, lo + _GENERIC))


def optional(inner: Check) -> Check:
    """``None`` or a value that ``inner`` accepts."""
    def check(alg: str, name: str, value: Any) -> Any:
        return None if value is None else inner(alg, name, value)

    inner_kind = getattr(inner, "kind", None)
    return _with_branches(check, (None, *getattr(inner, "branches", ())),
                          None if inner_kind is None else f"opt_{inner_kind}")


def one_of(*choices: Any) -> Check:
    """One of ``choices``."""
    allowed = "one of " + ", ".join(repr(c) for c in choices)

    def check(alg: str, name: str, value: Any) -> Any:
        for c in choices:  # equal *and* of the choice's kind (an array, 1 for True, ... are refused)
            if (type(value) is type(c) or (isinstance(c, str) and isinstance(value, str))) and value == c:
                return c
        raise fail(f"{alg}: {name}", allowed, value)

    check.choices = choices  # type: ignore[attr-defined]
    return _with_branches(check, choices, "choice:" + ",".join(map(str, choices)))


def boolean(alg: str, name: str, value: Any) -> bool:
    """``True`` or ``False`` (a NumPy bool too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise fail(f"{alg}: {name}", "True or False", value)
    return bool(value)


_with_branches(boolean, (False, True), "bool")


def learning_rate(alg: str, name: str, value: Any) -> Any:
    """A finite float > 0, or a schedule ``t -> lr_t`` (t = 1, 2, ...) checked at each call."""
    if callable(value):
        return value
    return real(f"{alg}: {name}", value, "a finite number > 0 or a callable schedule t -> lr_t", lo=0.0, lo_open=True)


_with_branches(learning_rate, (0.1,), "lr")


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
        raise fail(f"{alg}: {name}", allowed, value) from None
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or (arr < 0).any():
        raise fail(f"{alg}: {name}", allowed, value)
    arr = arr.astype(np.int64, copy=True)
    arr.setflags(write=False)
    return arr


_with_branches(block_ids, ([0, 0, 1],), "blocks")

UNIT = interval(0.0, 1.0, hi_open=True)
"""beta in [0, 1)."""
UNIT.kind = "unit"  # type: ignore[attr-defined]
UNIT_CLOSED = interval(0.0, 1.0)
"""In [0, 1]."""
UNIT_CLOSED.kind = "unit_closed"  # type: ignore[attr-defined]
NONNEG = at_least(0.0)
"""A finite number >= 0."""
NONNEG.kind = "nonneg"  # type: ignore[attr-defined]
POS = at_least(0.0, strict=True)
"""A finite number > 0."""
POS.kind = "pos"  # type: ignore[attr-defined]
P_ORDER = _with_branches(at_least(1.0), (1.0, 2.0, 3.0, math.nextafter(1.0, 2.0)), "p")
"""An order p >= 1.  Branches: the exact paths p = 1, 2, 3 and a general p just above 1, where
the p-th root divides the rounding of its argument least (reference.counting)."""


# --------------------------------------------------------------------------- the table


class _Specs(Mapping[str, Mapping[str, Param]]):
    """``SPECS[name]``: the hyperparameters of every registered algorithm (read-only, live)."""

    def __getitem__(self, name: str) -> Mapping[str, Param]:
        from .registry import REGISTRY

        return REGISTRY[name].params

    def __iter__(self) -> Iterator[str]:
        from .registry import REGISTRY

        return iter(REGISTRY)

    def __len__(self) -> int:
        from .registry import REGISTRY

        return len(REGISTRY)

    def __repr__(self) -> str:
        return f"SPECS({', '.join(self)})"


SPECS: Mapping[str, Mapping[str, Param]] = _Specs()
"""Every algorithm's hyperparameters by name (generated from the declarations; read-only)."""


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
    return validate(alg, spec, given, exclude=exclude)


def validate(alg: str, spec: Mapping[str, Param], given: Mapping[str, Any], *,
             exclude: tuple[str, ...] = ()) -> Mapping[str, Any]:
    """:func:`resolve` against the hyperparameters ``spec`` of algorithm ``alg`` (registered or not)."""
    unknown = set(given) - set(spec) - set(exclude)
    if unknown:
        raise TypeError(f"{alg}: unexpected hyperparameter(s) {sorted(unknown)}; allowed: {list(spec)}")
    out: dict[str, Any] = {}
    for name, p in spec.items():
        if name in exclude:
            continue
        value = given.get(name, p.default)
        if value is REQUIRED:
            raise TypeError(f"{alg}: missing required hyperparameter {name!r} ({p.doc})")
        out[name] = p.check(alg, name, value)
    return MappingProxyType(out)


def defaults(alg: str) -> Mapping[str, Any]:
    """The default of every hyperparameter of ``alg`` (``REQUIRED`` where none)."""
    return MappingProxyType({k: p.default for k, p in SPECS[alg].items()})
