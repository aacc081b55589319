"""Helpers shared by the claim modules: driving reference algorithms on batches of sequences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import reference as R
from reference.algorithm import Algorithm

from ..registry import Plot, Series

__all__ = ["last_direction", "fmt", "series", "curve_plot"]


def last_direction(alg: Algorithm, G: np.ndarray) -> np.ndarray:
    """``|d_t|`` after replaying each column of ``G`` (shape (t, N)) as a 1-D gradient sequence."""
    trace = R.replay(alg, np.asarray(G, dtype=np.float64)[:, :, None])
    return np.abs(trace.direction[-1, :, 0])


def batched(alg_for: Callable[[], Algorithm]) -> Callable[[np.ndarray], np.ndarray]:
    """The objective ``G -> |d_t|`` for :func:`proofs_check.worst_case.adversarial_max`."""
    alg = alg_for()
    return lambda G: last_direction(alg, G)


def fmt(x: float, digits: int = 6) -> str:
    return f"{x:.{digits}g}"


def series(label: str, x, y, style: str = "line", yerr=None) -> Series:
    return Series(label, tuple(float(v) for v in x), tuple(float(v) for v in y),
                  None if yerr is None else tuple(float(v) for v in yerr), style)


def curve_plot(title: str, xlabel: str, ylabel: str, *curves: Series, logx: bool = False,
               logy: bool = False) -> Plot:
    return Plot(title, xlabel, ylabel, tuple(curves), logx, logy)
