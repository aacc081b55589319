"""proofs_check.plots: Figures without global state, readable ticks, named categories, PNG output."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from proofs_check.plots import MARKERS, figure, render
from proofs_check.registry import Plot, Series

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class NamedPlot(Plot):
    """A Plot with the optional categorical-axis field that plots.py reads."""

    xticklabels: tuple[str, ...] | None = None


def _rate_plot(lo: float = 256, hi: float = 8192, logy: bool = True) -> Plot:
    T = np.geomspace(lo, hi, 6)
    y = 3 * T**-0.25
    return Plot("rate", "T", "mean gradient norm",
                (Series("measured", tuple(T), tuple(y), tuple(0.05 * y), "points"),
                 Series("stated C T^-1/4", tuple(T), tuple(1.1 * y), None, "dashed"),
                 Series("fit", tuple(T), tuple(y), None, "line")), logx=True, logy=logy)


def _labels(fig: Figure, axis: str):
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    ticks = (ax.xaxis if axis == "x" else ax.yaxis).get_ticklabels(which="both")
    lo, hi = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    i = 0 if axis == "x" else 1
    shown = [t for t in ticks if t.get_visible() and t.get_text() and lo <= t.get_position()[i] <= hi]
    return shown, renderer


def _run(code: str, **env: str) -> None:
    full_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | env
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, check=True, timeout=120)


def test_importing_the_library_keeps_the_matplotlib_backend() -> None:
    # Before issue 18 plots.py called matplotlib.use("Agg") at import: svg became agg.
    _run("import matplotlib, sys\n"
         "import proofs_check, proofs_check.plots, proofs_check.report\n"
         "assert matplotlib.get_backend() == 'svg', matplotlib.get_backend()\n"
         "assert 'matplotlib.pyplot' not in sys.modules", MPLBACKEND="svg")


def test_rendering_keeps_the_backend_and_pyplot_state(tmp_path: Path) -> None:
    _run("import matplotlib, sys, numpy as np\n"
         "from proofs_check.plots import figure, render\n"
         "from proofs_check.registry import Plot, Series\n"
         "p = Plot('t', 'x', 'y', (Series('a', (1.0, 2.0), (1.0, 2.0)),))\n"
         f"render(p, __import__('pathlib').Path({str(tmp_path / 'a.png')!r})); figure(p)\n"
         "assert matplotlib.get_backend() == 'svg' and 'matplotlib.pyplot' not in sys.modules", MPLBACKEND="svg")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_writes_a_png(tmp_path: Path) -> None:
    path = render(_rate_plot(), tmp_path / "sub" / "rate.png")
    assert path == tmp_path / "sub" / "rate.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = matplotlib.image.imread(path)
    assert img.shape[0] > 300 and img.shape[1] > 500
    assert img[..., :3].std() > 0.05  # something is drawn


def test_figure_returns_a_figure_that_jupyter_can_show() -> None:
    fig = figure(_rate_plot())
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1 and fig.axes[0].get_xscale() == "log"
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # inline display without pyplot


@pytest.mark.parametrize("lo, hi", [(256, 8192), (200, 2e4), (110, 9e4), (300, 900), (1e-16, 1.0), (0.09, 60),
                                    (1e-3, 3e-3), (1, 1e6)])
def test_log_tick_labels_never_overlap(lo: float, hi: float) -> None:
    fig = figure(_rate_plot(lo, hi))
    for axis in "xy":
        shown, renderer = _labels(fig, axis)
        assert 2 <= len(shown) <= 8, [t.get_text() for t in shown]
        boxes = [t.get_window_extent(renderer) for t in shown]
        for a, b in combinations(boxes, 2):
            gap = max(b.x0 - a.x1, a.x0 - b.x1) if axis == "x" else max(b.y0 - a.y1, a.y0 - b.y1)
            assert gap > 2, f"{axis} tick labels overlap on [{lo}, {hi}]: {[t.get_text() for t in shown]}"


def test_categorical_axis_is_named() -> None:
    names = ("quadratic", "cosh+cos (rotated)", "(L0,L1) Gaussian")
    plot = NamedPlot("lemma", "problem", "max ratio",
                     (Series("max ratio", (0.0, 1.0, 2.0), (1.0, 0.98, 0.84), None, "points"),
                      Series("bound 1", (0.0, 2.0), (1.0, 1.0), None, "dashed")), xticklabels=names)
    shown, _ = _labels(figure(plot), "x")
    assert [t.get_text() for t in shown] == list(names)


@pytest.mark.parametrize("x", [(0.0, 3.0), (0.5,), (-1.0,)])
def test_categorical_x_must_index_the_names(x: tuple[float, ...]) -> None:
    plot = NamedPlot("t", "case", "y", (Series("a", x, (1.0,) * len(x)),), xticklabels=("a", "b", "c"))
    with pytest.raises(ValueError, match="xticklabels"):
        figure(plot)


def test_integer_x_without_names_gets_integer_ticks() -> None:
    plot = Plot("t", "case", "y", (Series("a", (0.0, 1.0, 2.0), (1.0, 2.0, 3.0), None, "points"),))
    shown, _ = _labels(figure(plot), "x")
    assert all(float(t.get_position()[0]).is_integer() for t in shown)


@pytest.mark.parametrize("ylabel", ["", "   "])
def test_ylabel_must_be_given(ylabel: str) -> None:
    with pytest.raises(ValueError, match="ylabel"):
        figure(Plot("t", "x", ylabel, (Series("a", (1.0,), (1.0,)),)))


def test_unknown_style_and_ragged_series_are_rejected() -> None:
    with pytest.raises(ValueError, match="style"):
        figure(Plot("t", "x", "y", (Series("a", (1.0,), (1.0,), None, "dotted"),)))
    with pytest.raises(ValueError, match="one length"):
        figure(Plot("t", "x", "y", (Series("a", (1.0, 2.0), (1.0,)),)))


def test_stated_and_measured_look_different_and_markers_do_not_hide_each_other() -> None:
    same = (1.0, 2.0, 3.0)
    plot = Plot("t", "x", "y", (Series("measured A", same, same, None, "points"),
                                Series("measured B", same, same, (0.1,) * 3, "points"),
                                Series("measured C", same, same, None, "points"),
                                Series("stated", same, same, None, "dashed")))
    ax = figure(plot).axes[0]
    handles, names = ax.get_legend_handles_labels()
    lines = {n: getattr(h, "lines", [h])[0] for h, n in zip(handles, names)}  # an errorbar's data line
    points = [lines[f"measured {k}"] for k in "ABC"]
    assert [ln.get_marker() for ln in points] == list(MARKERS[:3])
    assert all(ln.get_linestyle() == "None" for ln in points)
    sizes = [ln.get_markersize() for ln in points]
    orders = [ln.get_zorder() for ln in points]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3  # later, smaller, on top
    assert orders == sorted(orders) and len(set(orders)) == 3
    stated = lines["stated"]
    assert stated.get_linestyle() == "--" and stated.get_marker() in ("None", None, "")
    assert max(ln.get_zorder() for ln in points) > stated.get_zorder()
