"""The verification report: a console table grouped by paper, JSON with run metadata, and Markdown with
PNG plots.  Files are written atomically (a temporary file in the same directory, then a rename)."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .papers import PAPERS, Paper
from .registry import ClaimResult, Context

__all__ = ["table", "to_json", "to_markdown", "run_metadata", "atomic_write", "group_by_paper", "jsonable"]


# --------------------------------------------------------------------------- helpers


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename, so an
    interrupted write never leaves a truncated report."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def jsonable(x: Any) -> Any:
    """Plain JSON values (non-finite floats as strings, arrays as lists, anything else as its str)."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (str, int)) or x is None:
        return x
    return str(x)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("s3-oracle")
    except Exception:  # noqa: BLE001
        return "unknown"


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def run_metadata(ctx: Context, argv: Sequence[str] | None = None) -> dict[str, Any]:
    """What a reader needs to re-run the report: versions, commit, seed, profile, date."""
    import scipy
    import sympy
    return {
        "package": "s3-oracle", "version": _version(), "git_commit": _git_commit(), "seed": ctx.seed,
        "profile": "full" if ctx.full else "default",
        "command": "python -m proofs_check" + ("" if argv is None else "".join(f" {a}" for a in argv)),
        "python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
        "sympy": sympy.__version__, "platform": platform.platform(),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def group_by_paper(results: Sequence[ClaimResult]) -> list[tuple[Paper | None, list[ClaimResult]]]:
    """Results grouped by paper, papers in registration order, claims in run order."""
    groups: dict[str, list[ClaimResult]] = {}
    for r in results:
        groups.setdefault(r.claim.id.split(".", 1)[0], []).append(r)
    order = [s for s in PAPERS if s in groups] + [s for s in groups if s not in PAPERS]
    return [(PAPERS.get(s), groups[s]) for s in order]


# --------------------------------------------------------------------------- console


def table(results: Sequence[ClaimResult], width: int | None = None) -> str:
    """The console table, grouped by paper under its title, fitted to ``width`` (default: the terminal,
    ``COLUMNS``); the stated-vs-measured text is wrapped, never cut."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    width = max(width, 60)
    idw = min(max((len(r.claim.id) for r in results), default=10), 34)
    head = f"{'claim':<{idw}} {'verdict':<12} {'expected':<12} {'s':>6}  stated | measured"
    text_w = max(width - 2, 40)
    lines = [head, "=" * min(width, max(len(head), 60))]
    for paper, rows in group_by_paper(results):
        title = f"{paper.short}: {paper.title}" + (f" (arXiv:{paper.arxiv})" if paper.arxiv else "") if paper else \
            f"{rows[0].claim.id.split('.', 1)[0]}: (unregistered paper)"
        lines += [""] + textwrap.wrap(title, width) + ["-" * min(width, 60)]
        for r in rows:
            mark = "" if r.ok else "  <-- MISMATCH"
            lines.append(f"{r.claim.id:<{idw}} {r.verdict.value:<12} {r.claim.expected.value:<12} {r.seconds:6.2f}{mark}")
            sm = f"{r.primary.stated} | {r.primary.measured}"
            lines += textwrap.wrap(sm, text_w, initial_indent="  ", subsequent_indent="    ", break_long_words=True)
    n_ok = sum(r.ok for r in results)
    lines += ["=" * min(width, max(len(head), 60)),
              f"{n_ok}/{len(results)} claims have their expected verdict; total {sum(r.seconds for r in results):.1f} s"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- JSON


def _claim_json(r: ClaimResult) -> dict[str, Any]:
    p = r.primary
    return {
        "id": r.claim.id, "paper": r.claim.id.split(".", 1)[0], "source": r.claim.source, "statement": r.claim.statement,
        "verdict": r.verdict.value, "expected": r.claim.expected.value, "ok": r.ok, "seconds": round(r.seconds, 4),
        "stated": p.stated, "measured": p.measured, "stated_value": jsonable(p.stated_value),
        "measured_value": jsonable(p.measured_value), "note": r.claim.note, "command": r.command,
        "checks": [{"check": c.name, "verdict": o.verdict.value, "expected": c.expected.value, "stated": o.stated,
                    "measured": o.measured, "stated_value": jsonable(o.stated_value),
                    "measured_value": jsonable(o.measured_value), "negative_control": c.negative_control,
                    "seconds": round(s, 4), "details": jsonable(o.details)} for c, o, s in r.outcomes],
    }


def to_json(results: Sequence[ClaimResult], path: Path, meta: dict[str, Any] | None = None) -> None:
    """``{"meta": run metadata, "papers": {short: record}, "claims": [...]}`` (numbers beside the strings;
    per claim the command that re-runs it)."""
    papers = {s: {"title": p.title, "authors": list(p.authors), "venue": p.venue, "year": p.year, "arxiv": p.arxiv,
                  "arxiv_version": p.arxiv_version, "copy": p.copy, "note": p.note}
              for s, p in PAPERS.items() if any(r.claim.id.startswith(s + ".") for r in results)}
    out = {"meta": jsonable(meta or {}), "papers": papers, "claims": [_claim_json(r) for r in results]}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(Path(path), json.dumps(out, indent=2))


# --------------------------------------------------------------------------- Markdown


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", s)


def to_markdown(results: Sequence[ClaimResult], path: Path, command: str, meta: dict[str, Any] | None = None) -> None:
    """A human report: run metadata, a summary table per paper, then one section per claim with its
    checks, negative controls, re-run command and plots."""
    from .plots import render
    path = Path(path)
    fig_dir = path.parent / (path.stem + "_figures")
    lines = ["# s3-oracle verification report", "", f"Reproduce: `{command}`", ""]
    if meta:
        lines += ["| run | |", "|---|---|"] + [f"| {k} | {_cell(str(v))} |" for k, v in meta.items()] + [""]
    for paper, rows in group_by_paper(results):
        if paper is not None:
            ref = f" ([arXiv:{paper.arxiv}]({paper.url}))" if paper.arxiv else ""
            lines += [f"## {paper.short}: {paper.title}{ref}", "", f"*{paper.cite()}*", ""]
        lines += ["| id | source | verdict | expected | stated | measured | s |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            flag = "" if r.ok else " **(mismatch)**"
            lines.append(f"| [{r.claim.id}](#{_slug(r.claim.id)}) | {_cell(r.claim.source)} | **{r.verdict.value}**{flag} | "
                         f"{r.claim.expected.value} | {_cell(r.primary.stated)} | {_cell(r.primary.measured)} | {r.seconds:.2f} |")
        lines.append("")
    for r in results:
        lines += ["", f"<a id=\"{_slug(r.claim.id)}\"></a>", f"### {r.claim.id} — {r.verdict.value}", "",
                  f"*Source:* {r.claim.source}", "", f"*Statement:* {r.claim.statement}", "",
                  f"*Re-run:* `{r.command}`", ""]
        if r.claim.note:
            lines += [f"*Note:* {r.claim.note}", ""]
        for c, o, s in r.outcomes:
            lines += [f"#### {c.name}: {o.verdict.value} ({s:.2f} s)", "", f"- stated: {o.stated}",
                      f"- measured: {o.measured}", f"- negative control: {c.negative_control}", ""]
            for i, plot in enumerate(o.plots):
                png = render(plot, fig_dir / f"{_slug(r.claim.id)}_{_slug(c.name)}_{i}.png")
                lines += [f"![{plot.title}]({png.relative_to(path.parent).as_posix()})", ""]
            detail = json.dumps(jsonable(o.details), indent=1)
            if len(detail) > 4000:
                detail = detail[:4000] + "\n… (truncated; see --json)"
            lines += ["<details><summary>details</summary>", "", "```json", detail, "```", "", "</details>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, "\n".join(lines))
