"""Draw :class:`proofs_check.registry.Plot` data with matplotlib, on :class:`~matplotlib.figure.Figure` objects.

The library never touches the global matplotlib state: no ``matplotlib.use``, no pyplot, no
rcParams.  :func:`figure` returns a Figure (a notebook shows it inline when it is a cell's
value), :func:`render` saves one to a PNG file for the Markdown report.

How a series looks says what it is:

* ``"dashed"``: a stated value or bound (the paper's), a dashed line without markers;
* ``"points"``: a measured value, markers (with error bars when ``yerr`` is given).  Each
  measured series has its own marker shape; earlier series are drawn larger and underneath,
  later ones smaller and on top, slightly transparent (alpha 0.8), so coincident points stay visible;
* ``"line"``: a derived curve (e.g. a fit), a thin solid line.

Attributes read from a ``Plot`` (duck-typed, so that optional ones may be added to the dataclass
later without breaking anything): ``title: str``, ``xlabel: str``, ``ylabel: str`` (non-empty),
``series: tuple[Series, ...]``, ``logx: bool``, ``logy: bool`` and, optional,
``xticklabels: tuple[str, ...] | None``: names of a categorical x axis; then every x value must be
an integer index into it (case ``i`` is drawn at ``x = i`` and labelled ``xticklabels[i]``).
From a ``Series``: ``label``, ``x``, ``y``, ``yerr`` (or None) and ``style``.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, Locator, LogLocator, MaxNLocator, NullFormatter

__all__ = ["figure", "render", "PlotFigure", "STYLES", "MARKERS", "LogTicks", "LogLabels"]

STYLES = ("line", "dashed", "points")
"""The allowed ``Series.style`` values."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
"""Marker shapes of the measured series, in order."""

_FIGSIZE = (6.4, 4.2)
_DPI = 110
_MAX_TICKS = 8  # at most this many labelled ticks on a log axis: ~0.6 in per label on a 6.4 in figure
_TICKLABEL_CHARS = 80  # category names are rotated when (longest name) x (number of names) exceeds this


class LogTicks(Locator):
    """Labelled ticks of a base-10 log axis, never more than ``max_ticks`` of them.

    Decades (every k-th, k | exponent, when there are too many); if fewer than three decades fall
    in the view, also 3 times a decade, then 2 and 5 times, then every integer multiple, until
    three ticks are labelled (on a sliver of a decade with fewer than two, round values spaced
    as on a linear axis).  Neighbouring labels are then at least ~0.45 decade apart on a view
    of <= 3 decades, which leaves room for ``5 x 10^3`` on the report's 6.4-inch figure.
    Unlabelled minor ticks at 2..9 times a decade (none on views of > 10 decades) come from
    :func:`_log_axis`.
    """

    def __init__(self, max_ticks: int = _MAX_TICKS) -> None:
        self.max_ticks = max_ticks

    def __call__(self) -> Any:
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float) -> Any:
        lo, hi = sorted((float(vmin), float(vmax)))
        if not (lo > 0 and math.isfinite(lo) and math.isfinite(hi)):
            return LogLocator(base=10, numticks=self.max_ticks).tick_values(vmin, vmax)
        k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        if k1 - k0 > self.max_ticks:  # decades only, every step-th (multiples of step: 10^0 stays)
            step = math.ceil((k1 - k0 + 1) / self.max_ticks)
            return np.array([10.0**k for k in range(k0, k1 + 1) if k % step == 0 and lo <= 10.0**k <= hi * (1 + 1e-12)])
        for subs in ((1,), (1, 3), (1, 2, 5), tuple(range(1, 10))):
            ticks = [m * 10.0**k for k in range(k0, k1 + 1) for m in subs if lo <= m * 10.0**k <= hi * (1 + 1e-12)]
            if len(ticks) >= 3:
                break
        if len(ticks) > 5 and len(subs) == 9:  # under half a decade: every other multiple
            ticks = ticks[::2]
        if len(ticks) < 2:  # a sliver of a decade: evenly spaced round values, as on a linear axis
            ticks = [v for v in MaxNLocator(nbins=4).tick_values(lo, hi) if lo <= v <= hi]
        return np.array(ticks)


class LogLabels(Formatter):
    """Labels of :class:`LogTicks`: plain numbers (``0.03``, ``300``) when every tick lies in
    [1e-3, 1e4], else ``m x 10^k`` in mathtext (``10^k`` for m = 1, matplotlib's look)."""

    def __init__(self) -> None:
        self.plain = True

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        vals = [float(v) for v in locs if v > 0 and math.isfinite(v)]
        self.plain = bool(vals) and min(vals) >= 1e-3 and max(vals) <= 1e4

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not (x > 0 and math.isfinite(x)):
            return ""
        if self.plain:
            return f"{x:g}"
        k = math.floor(math.log10(x) + 1e-9)
        m = round(x / 10.0**k, 6)
        mant = "" if m == 1 else f"{m:g}\\times"
        return f"$\\mathdefault{{{mant}10^{{{k}}}}}$"


def _log_axis(axis: Any) -> None:
    axis.set_major_locator(LogTicks())
    axis.set_major_formatter(LogLabels())
    axis.set_minor_locator(LogLocator(base=10, subs="auto"))  # 2..9 x a decade; none beyond 10 decades
    axis.set_minor_formatter(NullFormatter())


def _check(plot: Any) -> tuple[str, ...] | None:
    """Validate what is drawn; returns the category names (or None)."""
    if not isinstance(plot.ylabel, str) or not plot.ylabel.strip():
        raise ValueError(f"plot.ylabel must be a non-empty string (plot {plot.title!r}), got {plot.ylabel!r}")
    for s in plot.series:
        if s.style not in STYLES:
            raise ValueError(f"series.style must be one of {STYLES} (series {s.label!r}), got {s.style!r}")
        if len(s.x) != len(s.y) or (s.yerr is not None and len(s.yerr) != len(s.y)):
            raise ValueError(f"series {s.label!r}: x, y and yerr must have one length, got "
                             f"{len(s.x)}, {len(s.y)}, {None if s.yerr is None else len(s.yerr)}")
    names = getattr(plot, "xticklabels", None)
    if names is None:
        return None
    names = tuple(str(n) for n in names)
    if plot.logx:
        raise ValueError(f"plot {plot.title!r}: a categorical x axis (xticklabels) cannot be logarithmic")
    for s in plot.series:
        if any(not float(x).is_integer() or not 0 <= int(x) < len(names) for x in s.x):
            raise ValueError(f"plot.xticklabels has {len(names)} names: every x of series {s.label!r} must be an "
                             f"integer index in [0, {len(names) - 1}], got {list(s.x)}")
    return names


def _draw(ax: Axes, plot: Any) -> None:
    names = _check(plot)
    colors = [f"C{i}" for i in range(10)]
    n_points = sum(s.style == "points" for s in plot.series)
    k_points = 0
    for i, s in enumerate(plot.series):
        color = colors[i % len(colors)]
        x, y = np.asarray(s.x, dtype=float), np.asarray(s.y, dtype=float)
        if s.style == "points":
            size = 9.0 - 5.0 * k_points / max(n_points - 1, 1)  # 9 pt for the first, 4 pt for the last
            style = dict(linestyle="none", marker=MARKERS[k_points % len(MARKERS)], markersize=size,
                         markerfacecolor=color, markeredgecolor="black", markeredgewidth=0.6, alpha=0.8,
                         color=color, zorder=3 + k_points)
            k_points += 1
        elif s.style == "dashed":
            style = dict(linestyle=(0, (6, 3)), linewidth=1.8, color=color, zorder=2)
        else:
            style = dict(linestyle="-", linewidth=1.3, color=color, zorder=2)
        if s.yerr is not None:
            ax.errorbar(x, y, yerr=np.asarray(s.yerr, dtype=float), label=s.label, capsize=3, elinewidth=1.0,
                        ecolor=color, **style)
        else:
            ax.plot(x, y, label=s.label, **style)
    if plot.logx:
        ax.set_xscale("log")
        _log_axis(ax.xaxis)
    if plot.logy:
        ax.set_yscale("log")
        _log_axis(ax.yaxis)
    if names is not None:
        ax.set_xticks(range(len(names)))
        long = max((len(n) for n in names), default=0) * len(names) > _TICKLABEL_CHARS
        ax.set_xticklabels(names, rotation=25 if long else 0, ha="right" if long else "center", fontsize=8)
        ax.set_xlim(-0.5, len(names) - 0.5)
    elif not plot.logx and all(float(v).is_integer() for s in plot.series for v in s.x):
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    ax.set_title(plot.title, fontsize=10)
    ax.set_xlabel(plot.xlabel)
    ax.set_ylabel(plot.ylabel)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    if plot.series:
        ax.legend(fontsize=8, framealpha=0.9)


class PlotFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that Jupyter shows inline (PNG) as a cell's value even
    where pyplot was never imported (IPython registers its Figure printer only with pyplot)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        return buf.getvalue()


def figure(plot: Any) -> Figure:
    """A new Figure (a :class:`PlotFigure`) showing ``plot``: no pyplot, no global state.

    Raises ValueError on an empty ``ylabel``, an unknown series style, series of unequal
    lengths, or x values that are not indices into ``xticklabels``.
    """
    fig = PlotFigure(figsize=_FIGSIZE, dpi=_DPI, layout="constrained")
    _draw(fig.add_subplot(), plot)
    return fig


def render(plot: Any, path: Path) -> Path:
    """Draw ``plot`` into ``path`` (PNG; parent folders are created) and return the path."""
    path = Path(path)
    fig = figure(plot)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path
