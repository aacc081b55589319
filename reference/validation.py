"""Validation of user input, one module for the whole package.

Every check raises ``ValueError("<name> must be <allowed>, got <value>")``: the name of the
parameter (prefixed by the algorithm for hyperparameters, ``"s3: beta"``) and its allowed range.
:mod:`reference.hyperparams` (algorithm hyperparameters) and :mod:`reference.problems` (problem
constructors) both build on :func:`real`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["fail", "is_real", "real", "interval_text"]


def fail(name: str, allowed: str, value: Any) -> ValueError:
    """The error for ``value`` outside ``allowed``: ``"<name> must be <allowed>, got <value!r>"``."""
    return ValueError(f"{name} must be {allowed}, got {value!r}")


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
    v = float(value)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise fail(name, allowed, value)
    if v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
        raise fail(name, allowed, value)
    return v
