"""Plot data attached to evidence (rendered by :mod:`proofs_check.plots`); plain data, no matplotlib."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Series", "Plot"]


@dataclass(frozen=True)
class Series:
    """One curve of a plot.  ``style``: ``"line"`` (a computed curve), ``"dashed"`` (a stated bound or
    reference line), ``"points"`` (measured values, with ``yerr`` when they are sample means)."""

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    yerr: tuple[float, ...] | None = None
    style: str = "line"


@dataclass(frozen=True)
class Plot:
    """Data for one figure.  ``xticklabels`` names the x positions 0, 1, ... of a categorical axis."""

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    logx: bool = False
    logy: bool = False
    xticklabels: tuple[str, ...] | None = None
