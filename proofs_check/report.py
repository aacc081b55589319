"""The verification report: a console table, JSON and Markdown (with PNG plots)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .plots import render
from .registry import ClaimResult

__all__ = ["table", "to_json", "to_markdown"]


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def table(results: Sequence[ClaimResult], width: int = 62) -> str:
    """Fixed-width table: id, source, verdict, expected, stated vs measured, seconds."""
    head = f"{'id':<22} {'source':<34} {'verdict':<12} {'expected':<12} {'stated vs measured':<{width}} {'s':>6}"
    lines = [head, "-" * len(head)]
    for r in results:
        mark = "" if r.ok else "  <-- MISMATCH"
        sm = f"{r.primary.stated} | {r.primary.measured}"
        lines.append(f"{r.claim.id:<22} {_clip(r.claim.source, 34):<34} {r.verdict.value:<12} "
                     f"{r.claim.expected.value:<12} {_clip(sm, width):<{width}} {r.seconds:6.2f}{mark}")
    n_ok = sum(r.ok for r in results)
    lines.append("-" * len(head))
    lines.append(f"{n_ok}/{len(results)} claims have their expected verdict; "
                 f"total {sum(r.seconds for r in results):.1f} s")
    return "\n".join(lines)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, (str, int, bool)) or x is None:
        return x
    return str(x)


def to_json(results: Sequence[ClaimResult], path: Path) -> None:
    """A list of objects with id, source, statement, verdict, expected, seconds, details (per check)."""
    out = []
    for r in results:
        out.append({
            "id": r.claim.id, "source": r.claim.source, "statement": r.claim.statement,
            "verdict": r.verdict.value, "expected": r.claim.expected.value, "ok": r.ok,
            "seconds": round(r.seconds, 4), "stated": r.primary.stated, "measured": r.primary.measured,
            "note": r.claim.note,
            "details": [{"check": c.name, "verdict": o.verdict.value, "expected": c.expected.value,
                         "stated": o.stated, "measured": o.measured, "negative_control": c.negative_control,
                         "seconds": round(s, 4), "details": _jsonable(o.details)} for c, o, s in r.outcomes],
        })
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))


def _cell(s: str) -> str:
    return s.replace("|", "\\|")


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)


def to_markdown(results: Sequence[ClaimResult], path: Path, command: str) -> None:
    """A human report: summary table, then one section per claim with its checks and plots."""
    fig_dir = path.parent / (path.stem + "_figures")
    lines = ["# s3-oracle verification report", "", f"Reproduce: `{command}`", "",
             "| id | source | verdict | expected | stated | measured | s |", "|---|---|---|---|---|---|---|"]
    for r in results:
        flag = "" if r.ok else " **(mismatch)**"
        lines.append(f"| [{r.claim.id}](#{_slug(r.claim.id)}) | {_cell(r.claim.source)} | **{r.verdict.value}**{flag} | "
                     f"{r.claim.expected.value} | {_cell(r.primary.stated)} | {_cell(r.primary.measured)} | {r.seconds:.2f} |")
    for r in results:
        lines += ["", f"<a id=\"{_slug(r.claim.id)}\"></a>", f"## {r.claim.id} — {r.verdict.value}", "",
                  f"*Source:* {r.claim.source}", "", f"*Statement:* {r.claim.statement}", ""]
        if r.claim.note:
            lines += [f"*Note:* {r.claim.note}", ""]
        for c, o, s in r.outcomes:
            lines += [f"### {c.name}: {o.verdict.value} ({s:.2f} s)", "", f"- stated: {o.stated}",
                      f"- measured: {o.measured}", f"- negative control: {c.negative_control}", ""]
            for i, plot in enumerate(o.plots):
                png = render(plot, fig_dir / f"{_slug(r.claim.id)}_{_slug(c.name)}_{i}.png")
                lines += [f"![{plot.title}]({png.relative_to(path.parent).as_posix()})", ""]
            detail = json.dumps(_jsonable(o.details), indent=1)
            if len(detail) > 4000:
                detail = detail[:4000] + "\n… (truncated; see --json)"
            lines += ["<details><summary>details</summary>", "", "```json", detail, "```", "", "</details>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
