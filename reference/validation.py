"""Validation of user input, one module for the whole package.

Every check raises ``ValueError("<name> must be <allowed>, got <value>")``: the name of the
parameter (prefixed by the algorithm for hyperparameters, ``"s3: beta"``) and its allowed range
(a value of the wrong kind -- complex, a string, an object -- raises ``TypeError`` naming it).
:mod:`reference.hyperparams` (algorithm hyperparameters) and :mod:`reference.problems` (problem
constructors) both build on :func:`real`; the generic driver of every algorithm
(:func:`reference.declaration.build`) checks its arrays with :func:`initial_point`,
:func:`iterate` and :func:`gradient`:

* ``x0`` and ``x``: a real array.  bool and integer input is **promoted** (``x0`` to float64, an
  ``x`` passed to ``step`` to the state's float dtype), so that the update's arithmetic is never
  integer arithmetic; complex input raises ``TypeError`` (no silent loss of the imaginary part).
* the oracle's gradient: real, of ``x``'s shape; integer/bool gradients are promoted and a float
  gradient is rounded to ``x``'s dtype (the working precision).  A finite gradient too large for
  that dtype (a float64 gradient beyond float32's max for a float32 ``x``) raises ``ValueError``:
  rounding it would turn a finite input into inf.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["fail", "is_real", "real", "interval_text", "initial_point", "iterate", "gradient"]


def _short(value: Any) -> str:
    """``repr(value)``, shortened past 80 characters (a huge int has thousands of digits)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:40]}...{text[-20:]} ({len(text)} characters)"


def fail(name: str, allowed: str, value: Any) -> ValueError:
    """The error for ``value`` outside ``allowed``: ``"<name> must be <allowed>, got <value!r>"``."""
    return ValueError(f"{name} must be {allowed}, got {_short(value)}")


def is_real(value: Any) -> bool:
    """A Python or NumPy real number (not a bool, not a string, not complex)."""
    return not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))


def interval_text(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    """``[lo, hi)`` and the like, as the error messages print an interval."""
    return f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"


def real(name: str, value: Any, allowed: str, *, lo: float = -math.inf, hi: float = math.inf,
         lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float in the interval lo..hi (finite unless ``allow_inf``), else
    ``ValueError`` naming ``name`` and ``allowed``."""
    if not is_real(value):
        raise fail(name, allowed, value)
    try:
        v = float(value)
    except OverflowError:  # an int beyond float64's range (about 1.8e308)
        raise fail(name, allowed, value) from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise fail(name, allowed, value)
    if v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
        raise fail(name, allowed, value)
    return v


# --------------------------------------------------------------------------- arrays


def _real_array(name: str, value: Any) -> np.ndarray:
    """``value`` as an array of a real kind (bool, integer or float); ``TypeError`` naming ``name``
    for complex, string and object input, ``ValueError`` for an int beyond float64's range."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:  # ragged nesting, unconvertible objects
        raise TypeError(f"{name} must be a real numeric array, got {_short(value)} ({exc})") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real, got a complex array ({arr.dtype}): the imaginary part would be lost")
    if kind == "O":  # e.g. Python ints beyond int64
        try:
            return arr.astype(np.float64)
        except OverflowError:
            raise ValueError(f"{name} has an entry beyond float64's range (|x| <= {np.finfo(np.float64).max:.6g})"
                             ) from None
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a real numeric array, got dtype object") from None
    if kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr


def initial_point(value: Any, name: str = "x0") -> np.ndarray:
    """``x0`` as a fresh floating array of shape ``(..., d)`` (bool/integer input becomes float64;
    never aliases the input)."""
    x = np.array(_real_array(name, value), copy=True)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (shape (..., d))")
    return x


def iterate(alg: str, x: Any, dtype: np.dtype) -> Any:
    """The iterate ``x`` passed to ``step``: a floating array as given (subclasses too), or
    bool/integer input promoted to the state's float ``dtype`` (the update would otherwise run in
    integer arithmetic: a zero step); complex input raises ``TypeError`` naming ``x``."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x
    if getattr(x, "__counting__", False):  # an operation-counting array (reference.counting)
        return x
    arr = _real_array(f"{alg}: x", x)
    return arr if arr.dtype.kind == "f" else arr.astype(dtype if np.dtype(dtype).kind == "f" else np.float64)


def gradient(alg: str, g: Any, x: np.ndarray) -> np.ndarray:
    """The oracle's gradient at ``x``: real, of ``x``'s shape, rounded to ``x``'s dtype.

    ``TypeError`` for a complex (or non-numeric) gradient, ``ValueError`` for a wrong shape or for
    a finite entry that overflows ``x``'s dtype (|g| > max; it would become inf)."""
    if getattr(g, "__counting__", False):  # an operation-counting array (reference.counting)
        return g  # type: ignore[no-any-return]
    g = _real_array(f"{alg}: the oracle's gradient", g)
    if g.shape != x.shape:
        raise ValueError(f"{alg}: oracle returned shape {g.shape} for x of shape {x.shape}")
    if g.dtype == x.dtype:
        return g
    with np.errstate(over="ignore", invalid="ignore"):
        out = g.astype(x.dtype)
    if out.dtype.kind == "f" and (g.dtype.kind != "f" or out.dtype.itemsize < g.dtype.itemsize):
        lost = np.isinf(out) & np.isfinite(g)  # an int beyond float16's 65504, a float64 beyond float32
        if lost.any():
            big = float(np.max(np.abs(g[lost])))
            raise ValueError(f"{alg}: the oracle's gradient has finite entries beyond {out.dtype}'s range "
                             f"(|g| up to {big:.6g} > {float(np.finfo(out.dtype).max):.6g}, x's dtype): they would "
                             f"become inf; pass x in {g.dtype} or scale the objective")
    return out
