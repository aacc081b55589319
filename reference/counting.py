# mypy: disable-error-code="call-overload, arg-type, no-any-return"
r"""The rounding count K of an algorithm, derived by running its update on a counting array.

:class:`Counted` stands for an array whose every entry carries a relative error of at most
``k`` units of roundoff.  It implements NumPy's ufunc and function protocols with the rules of
``reference.tolerances`` (Higham, *Accuracy and Stability of Numerical Algorithms*, 3.1-3.4):

* R1/R3 ``* /``: the factors' errors add, plus 1 for the rounding (a factor that is exactly
  +-1 or 0, as ``sign(.)``, adds nothing and is not rounded).
* R2 a Python float coefficient is rounded once to the dtype: 1 (exact integers and +-1: 0).
* R4 ``+ -``: 1 plus the larger error of the terms (relative to the terms' magnitudes);
  adding an exact zero is exact.
* R5 ``sqrt``: ``ceil(k/2) + 2``; ``cbrt``: ``ceil(k/3) + 2``; ``y ** e`` (a float64 pow
  rounded once): ``ceil(k |e|) + 1``.
* R6 a sum over the reduced axis of n numbers: ``k + (n - 1)``.
* R7 ``sign``: exact (the harness checks the argument's margin); ``abs``, ``max``, ``min``,
  ``where``, ``clip``, indexing: exact.

:func:`derive` runs the declaration's generic step (:func:`reference.declaration.build`, the
same code as every real step) on ``Counted`` iterates, buffers and gradients, for every
combination of the hyperparameters' branch values (``Param.branch_values``: booleans, choices,
``None``/a value, 0/non-0, p in {1, 2, 3, 1+}) and for the first and a later step, each step
starting from exact buffers; an oracle evaluated at a computed point (x-dependent methods)
returns that point's error plus 1 (the gradient's rounding; gain <= 1 by the problems'
scaling).  K(n) is the largest error of x_{t+1} and of every state buffer.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["Counted", "derive", "reduction_length_var"]

reduction_length_var: contextvars.ContextVar[int] = contextvars.ContextVar("reduction_length", default=1)
"""n of R6 (the longest reduced vector) while counting."""


def _k(v: Any) -> tuple[float, bool, bool]:
    """``(k, unit, zero)`` of an operand: a Counted, a Python/NumPy number or a plain array."""
    if isinstance(v, Counted):
        return v.k, v.unit, v.zero
    if isinstance(v, (bool, np.bool_)):
        return 0.0, True, not v
    if isinstance(v, (int, np.integer)):
        return 0.0, v in (0, 1, -1), v == 0
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f in (0.0, 1.0, -1.0):
            return 0.0, True, f == 0.0
        return (0.0 if f.is_integer() else 1.0), False, False
    a = np.asarray(v)
    if a.dtype == bool or (np.issubdtype(a.dtype, np.number) and np.all(np.mod(a, 1) == 0)):
        return 0.0, False, False
    return 1.0, False, False


class Counted:
    """An array of shape ``shape`` whose entries have relative error <= ``k`` units of roundoff.

    ``unit``: every entry is exactly -1, 0 or 1 (a product with it is exact); ``zero``: every
    entry is exactly 0; ``boolean``: a mask (comparisons)."""

    __counting__ = True
    __array_priority__ = 100.0

    def __init__(self, k: float = 0.0, shape: tuple[int, ...] = (3,), *, unit: bool = False, zero: bool = False,
                 boolean: bool = False) -> None:
        self.k, self.shape, self.unit, self.zero, self.boolean = float(k), tuple(shape), unit, zero, boolean

    def __repr__(self) -> str:
        return f"Counted(k={self.k:g})"

    # -- array attributes -------------------------------------------------------------
    dtype = np.dtype(np.float64)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def _like(self, k: float, **flags: bool) -> Counted:
        return Counted(k, self.shape, **flags)

    def copy(self) -> Counted:
        return Counted(self.k, self.shape, unit=self.unit, zero=self.zero, boolean=self.boolean)

    def astype(self, *args: Any, **kwargs: Any) -> Counted:
        return self

    def reshape(self, *args: Any, **kwargs: Any) -> Counted:
        return self

    def __getitem__(self, index: Any) -> Counted:
        return self

    def any(self, *args: Any, **kwargs: Any) -> bool:
        return False  # no special entries (no zero denominator, no NaN): the general path

    def all(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def __bool__(self) -> bool:
        raise TypeError("the truth value of a counted array is unknown")

    # -- operators --------------------------------------------------------------------
    def __add__(self, o: Any) -> Counted:
        return np.add(self, o)  # type: ignore[no-any-return]

    def __radd__(self, o: Any) -> Counted:
        return np.add(o, self)  # type: ignore[no-any-return]

    def __sub__(self, o: Any) -> Counted:
        return np.subtract(self, o)  # type: ignore[no-any-return]

    def __rsub__(self, o: Any) -> Counted:
        return np.subtract(o, self)  # type: ignore[no-any-return]

    def __mul__(self, o: Any) -> Counted:
        return np.multiply(self, o)  # type: ignore[no-any-return]

    def __rmul__(self, o: Any) -> Counted:
        return np.multiply(o, self)  # type: ignore[no-any-return]

    def __truediv__(self, o: Any) -> Counted:
        return np.true_divide(self, o)  # type: ignore[no-any-return]

    def __rtruediv__(self, o: Any) -> Counted:
        return np.true_divide(o, self)  # type: ignore[no-any-return]

    def __pow__(self, o: Any) -> Counted:
        return np.power(self, o)  # type: ignore[no-any-return]

    def __neg__(self) -> Counted:
        return self.copy()

    def __abs__(self) -> Counted:
        return self.copy()

    def __eq__(self, o: Any) -> Counted:  # type: ignore[override]
        return self._like(0.0, boolean=True)

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    # -- NumPy protocols --------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "reduce" or method == "reduceat":
            (a,) = inputs[:1]
            return self._like(_k(a)[0] + (reduction_length_var.get() - 1))
        if method != "__call__":
            return NotImplemented
        rule = _RULES.get(ufunc.__name__)
        if rule is None:
            raise TypeError(f"reference.counting has no rounding rule for numpy.{ufunc.__name__}")
        return rule(self, *inputs)

    def __array_function__(self, func: Callable[..., Any], types: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        name = func.__name__
        if name in ("zeros_like", "empty_like"):
            return self._like(0.0, zero=True, unit=True)
        if name in ("ones_like",):
            return self._like(0.0, unit=True)
        if name == "full_like":
            k, unit, zero = _k(args[1] if len(args) > 1 else kwargs["fill_value"])
            return self._like(k, unit=unit, zero=zero)
        if name == "sum":
            return self._like(_k(args[0])[0] + (reduction_length_var.get() - 1))
        if name == "where":
            return self._like(max(_k(args[1])[0], _k(args[2])[0]))
        if name == "clip":
            return self._like(max(_k(a)[0] for a in args[:3]))
        if name == "result_type":
            return np.dtype(np.float64)
        if name in ("copy", "broadcast_to", "ascontiguousarray", "squeeze", "expand_dims"):
            return args[0].copy() if isinstance(args[0], Counted) else args[0]
        raise TypeError(f"reference.counting has no rounding rule for numpy.{name}")


def _out(ref: Counted, k: float, **flags: bool) -> Counted:
    return Counted(k, ref.shape, **flags)


def _sum(ref: Counted, a: Any, b: Any) -> Counted:
    (ka, ua, za), (kb, ub, zb) = _k(a), _k(b)
    if za:
        return _out(ref, kb, unit=ub, zero=zb)
    if zb:
        return _out(ref, ka, unit=ua, zero=za)
    return _out(ref, max(ka, kb) + 1)


def _product(ref: Counted, a: Any, b: Any) -> Counted:
    (ka, ua, za), (kb, ub, zb) = _k(a), _k(b)
    if za or zb:
        return _out(ref, 0.0, unit=True, zero=True)
    if ua or ub:
        return _out(ref, ka + kb, unit=ua and ub)
    return _out(ref, ka + kb + 1)


def _quotient(ref: Counted, a: Any, b: Any) -> Counted:
    (ka, ua, za), (kb, ub, _) = _k(a), _k(b)
    if za:
        return _out(ref, 0.0, unit=True, zero=True)
    if ub:
        return _out(ref, ka + kb, unit=ua)
    return _out(ref, ka + kb + 1)


def _power(ref: Counted, a: Any, e: Any) -> Counted:
    return _out(ref, math.ceil(_k(a)[0] * abs(float(e))) + 1)


def _exact(ref: Counted, *args: Any) -> Counted:
    ks = [_k(a) for a in args]
    return _out(ref, max(k for k, _, _ in ks), unit=all(u for _, u, _ in ks))


def _mask(ref: Counted, *args: Any) -> Counted:
    return _out(ref, 0.0, boolean=True)


_RULES: dict[str, Callable[..., Counted]] = {
    "add": _sum,
    "subtract": _sum,
    "multiply": _product,
    "divide": _quotient,
    "true_divide": _quotient,
    "power": _power,
    "float_power": _power,
    "sqrt": lambda ref, a: _out(ref, math.ceil(_k(a)[0] / 2) + 2),
    "cbrt": lambda ref, a: _out(ref, math.ceil(_k(a)[0] / 3) + 2),
    "square": lambda ref, a: _out(ref, 2 * _k(a)[0] + 1),
    "sign": lambda ref, a: _out(ref, 0.0, unit=True),
    "absolute": _exact,
    "negative": _exact,
    "positive": _exact,
    "maximum": _exact,
    "minimum": _exact,
    "fmax": _exact,
    "fmin": _exact,
    "equal": _mask,
    "not_equal": _mask,
    "less": _mask,
    "less_equal": _mask,
    "greater": _mask,
    "greater_equal": _mask,
    "isnan": _mask,
    "isfinite": _mask,
    "isinf": _mask,
    "logical_and": _mask,
    "logical_or": _mask,
    "logical_not": _mask,
}


class _CountingOracle:
    """Gradients for counting: exact for an x-free stream (both sides read the same numbers); at a
    computed point, the point's error plus the gradient's rounding."""

    def __init__(self, x_dependent: bool) -> None:
        self.x_dependent = x_dependent

    def __call__(self, x: Any) -> Counted:
        k = _k(x)[0]
        return Counted(k + 1 if self.x_dependent else 0.0, getattr(x, "shape", (3,)))

    def sample(self) -> _CountingOracle:
        return self


def _fields_error(state: Any) -> float:
    return max((v.k for v in state if isinstance(v, Counted)), default=0.0)


def _exact_state(state: Any) -> Any:
    """The state with every buffer an exact input (``Counted`` with k = 0)."""
    return type(state)(*(Counted(0.0, v.shape) if isinstance(v, (Counted, np.ndarray)) else v for v in state))


def _configurations(decl: Any) -> list[dict[str, Any]]:
    names = list(decl.params)
    values = [decl.params[k].branch_values() for k in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def count_step(decl: Any, hp: Any, n: int) -> float:
    """The largest error (units of u) of x_{t+1} and the state after one step from exact inputs,
    over the first and a later step (``t == 1`` branches)."""
    from .declaration import build

    d = max((len(v) for k, v in hp.items() if decl.params[k].per_coordinate), default=3)
    token = reduction_length_var.set(max(1, n))
    try:
        alg = build(decl, hp)
        oracle = _CountingOracle(decl.depends_on_x(hp))
        state = decl.init(Counted(0.0, (d,)), hp)
        worst = 0.0
        for _ in range(2):
            state = _exact_state(state)
            x_next, state = alg.step(Counted(0.0, (d,)), state, oracle)
            worst = max(worst, _k(x_next)[0], _fields_error(state))
        return worst
    finally:
        reduction_length_var.reset(token)


@functools.lru_cache(maxsize=None)
def _derive(decl: Any, n: int) -> int:
    worst = 0.0
    for config in _configurations(decl):
        try:
            hp = decl.resolve(config)
        except (TypeError, ValueError):
            continue  # an inconsistent combination (the factory refuses it)
        worst = max(worst, count_step(decl, hp, n))
    return math.ceil(worst)


def derive(decl: Any, n: int = 1) -> int:
    """K of ``decl`` for reductions over at most ``n`` numbers (see the module docstring)."""
    if decl.roundings is not None:
        raise KeyError(f"no rounding count K derived for {decl.name!r}: {decl.roundings}")
    return _derive(decl, max(1, int(n)))
