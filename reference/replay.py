"""Drive an algorithm with a given gradient sequence and record the trajectory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, as_float_array

__all__ = ["Trace", "GradientStream", "replay", "stack_states"]


class Trace(NamedTuple):
    """``x``: (T+1, ..., d) with ``x[0] = x0``; ``direction``: (T, ..., d); ``state``: the
    algorithm's state type with every field stacked over the T steps (``state.t`` = 1..T)."""

    x: np.ndarray
    direction: np.ndarray
    state: Any


class GradientStream:
    """An oracle that ignores ``x`` and returns the next gradient of a fixed sequence."""

    def __init__(self, grads: np.ndarray) -> None:
        self._grads = grads
        self.calls = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.calls >= len(self._grads):
            raise IndexError(f"gradient stream exhausted after {self.calls} calls")
        g = self._grads[self.calls]
        self.calls += 1
        if g.shape != x.shape:
            raise ValueError(f"replay: gradient {self.calls - 1} has shape {g.shape}, x has shape {x.shape}")
        return g


def stack_states(states: Sequence[Any]) -> Any:
    """Stack a sequence of NamedTuple states field by field along a new leading axis."""
    first = states[0]
    return type(first)(*(np.stack([np.asarray(getattr(s, f)) for s in states]) for f in first._fields))


def replay(alg: Algorithm, grads: Any, x0: Any = None) -> Trace:
    """Run ``alg`` on the gradient sequence ``grads`` of shape (N, ..., d).

    Each oracle call consumes the next gradient, so an algorithm with ``alg.oracle_calls = k``
    takes ``T = N / k`` steps (N must be a multiple of k).  ``x0`` defaults to zeros.
    """
    g = np.asarray(grads)
    if not np.issubdtype(g.dtype, np.floating):
        g = g.astype(np.float64)
    if g.ndim < 2:
        raise ValueError(f"replay: grads must have shape (N, ..., d), got {g.shape}")
    k = alg.oracle_calls
    if len(g) == 0 or len(g) % k:
        raise ValueError(f"replay: {alg.name} calls the oracle {k} time(s) per step; got {len(g)} gradients")
    x = np.zeros(g.shape[1:], dtype=g.dtype) if x0 is None else as_float_array(x0)
    x = np.broadcast_to(x, g.shape[1:]).astype(x.dtype, copy=True)
    stream = GradientStream(g)
    state = alg.init(x)
    xs, states = [x], []
    for _ in range(len(g) // k):
        x, state = alg.step(x, state, stream)
        xs.append(x)
        states.append(state)
    stacked = stack_states(states)
    return Trace(np.stack(xs), stacked.direction, stacked)
