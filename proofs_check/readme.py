"""The README's findings tables, generated from the registry (``python -m proofs_check.readme``).

Each paper's table sits between ``<!-- findings:SHORT -->`` and ``<!-- /findings:SHORT -->`` in README.md:
one row per claim with its verdict and its finding (the claim's curated note, then what the judge measured
in the default profile).  ``--check`` exits 1 when the README differs from what the registry gives (the
test suite does the same comparison with its own run of every claim).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from .registry import ClaimResult

__all__ = ["findings_table", "update", "main"]

_REGION = re.compile(r"(<!-- findings:(?P<paper>[a-z0-9_]+) -->\n)(?P<body>.*?)(<!-- /findings:(?P=paper) -->)", re.S)


def _cell(s: str) -> str:
    return " ".join(s.replace("|", "\\|").split())


def findings_table(results: Sequence[ClaimResult]) -> str:
    """One Markdown table: claim | verdict | finding (note, then the measured text of the check that set the verdict)."""
    lines = ["| claim | verdict | finding |", "|---|---|---|"]
    for r in results:
        note = r.claim.note.strip()
        measured = r.primary.measured.strip()
        finding = f"{note} *Measured:* {measured}" if note else measured
        flag = "" if r.ok else f" (expected {r.claim.expected.value})"
        lines.append(f"| `{r.claim.id}` | {r.verdict.value}{flag} | {_cell(finding)} |")
    return "\n".join(lines) + "\n"


def update(text: str, results: Sequence[ClaimResult]) -> str:
    """``text`` with every findings region replaced by the table of its paper's claims (in ``results`` order)."""
    def repl(m: re.Match) -> str:
        rows = [r for r in results if r.claim.id.split(".", 1)[0] == m["paper"]]
        return m.group(1) + findings_table(rows) + m.group(4)
    return _REGION.sub(repl, text)


def regions(text: str) -> dict[str, str]:
    return {m["paper"]: m["body"] for m in _REGION.finditer(text)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m proofs_check.readme", description=__doc__.split("\n\n")[0])
    ap.add_argument("readme", nargs="?", default="README.md", type=Path)
    ap.add_argument("--check", action="store_true", help="exit 1 if the README's tables differ from the registry's")
    args = ap.parse_args(argv)
    if not args.readme.is_file():
        ap.exit(2, f"{ap.prog}: error: {args.readme}: no such file\n")
    from . import REGISTRY
    from .papers import PAPERS
    from .registry import Context, run_claim
    from .report import atomic_write
    text = args.readme.read_text(encoding="utf-8")
    wanted = set(regions(text))
    rank = {s: i for i, s in enumerate(PAPERS)}
    claims = sorted((c for c in REGISTRY.values() if c.id.split(".", 1)[0] in wanted),
                    key=lambda c: rank.get(c.id.split(".", 1)[0], len(rank)))
    results = []
    for c in claims:
        print(f"{c.id} ...", file=sys.stderr, flush=True)
        results.append(run_claim(c, Context()))
    new = update(text, results)
    if args.check:
        if new != text:
            print("README findings tables differ from the registry: run python -m proofs_check.readme", file=sys.stderr)
            return 1
        return 0
    if new != text:
        atomic_write(args.readme, new)
        print(f"updated {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
