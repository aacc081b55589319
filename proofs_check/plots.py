"""Render :class:`proofs_check.registry.Plot` data to PNG files with matplotlib (Agg, headless)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .registry import Plot  # noqa: E402

__all__ = ["render"]

_STYLE = {"line": {"linestyle": "-"}, "dashed": {"linestyle": "--"}, "points": {"linestyle": "none", "marker": "o"}}


def render(plot: Plot, path: Path) -> Path:
    """Draw ``plot`` into ``path`` (PNG) and return the path."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for s in plot.series:
        style = dict(_STYLE.get(s.style, {}))
        if s.yerr is not None:
            ax.errorbar(s.x, s.y, yerr=s.yerr, label=s.label, capsize=3, **style)
        else:
            ax.plot(s.x, s.y, label=s.label, **style)
    if plot.logx:
        ax.set_xscale("log")
    if plot.logy:
        ax.set_yscale("log")
    ax.set_title(plot.title, fontsize=10)
    ax.set_xlabel(plot.xlabel)
    ax.set_ylabel(plot.ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
