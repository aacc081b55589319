"""Run an algorithm on a problem and record the quantities the convergence theorems bound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .algorithm import Algorithm, as_float_array

__all__ = ["RunRecord", "run"]


class RunRecord(NamedTuple):
    """Per-iterate records of a run over T steps (x_0, ..., x_T); leading run axes kept.

    ``F``, ``grad_l1``, ``grad_l2``: shape (T+1, ...): F(x_t), ||grad F(x_t)||_1, ||grad F(x_t)||_2.
    ``direction``: (T, ..., d) or None; ``x``: (T+1, ..., d) or None; ``x_last``, ``state``: final.
    """

    F: np.ndarray
    grad_l1: np.ndarray
    grad_l2: np.ndarray
    direction: np.ndarray | None
    x: np.ndarray | None
    x_last: np.ndarray
    state: Any


def run(alg: Algorithm, problem: Any, x0: Any, T: int, rng: np.random.Generator, *,
        record_directions: bool = True, record_x: bool = False,
        on_step: Callable[[int, np.ndarray, Any], None] | None = None) -> RunRecord:
    """Run ``alg`` for ``T`` steps from ``x0`` with the oracle ``problem.oracle(rng)``.

    ``x0`` of shape (..., d) runs every leading index independently (one batched call).
    ``on_step(t, x_t, state_t)``, if given, is called after every step (for statistics that
    would be too large to record, e.g. a running minimum over all directions).
    """
    if not isinstance(T, (int, np.integer)) or T < 0:
        raise ValueError(f"run: T must be an integer >= 0, got {T!r}")
    x = as_float_array(x0)
    oracle = problem.oracle(rng)
    state = alg.init(x)
    F, l1, l2, dirs, xs = [], [], [], [], []

    def record(x: np.ndarray) -> None:
        gF = problem.grad(x)
        F.append(problem.value(x))
        l1.append(np.sum(np.abs(gF), axis=-1))
        l2.append(np.sqrt(np.sum(gF * gF, axis=-1)))
        if record_x:
            xs.append(x)

    record(x)
    for _ in range(T):
        x, state = alg.step(x, state, oracle)
        record(x)
        if on_step is not None:
            on_step(state.t, x, state)
        if record_directions:
            dirs.append(state.direction)
    return RunRecord(np.stack(F), np.stack(l1), np.stack(l2),
                     np.stack(dirs) if record_directions and dirs else None,
                     np.stack(xs) if record_x else None, x, state)
