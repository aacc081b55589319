"""``python -m proofs_check``: run the claim registry and print the verification report.

Exit status 0 iff every claim's verdict equals its expected verdict.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
from pathlib import Path

from . import REGISTRY, Context, run_claim
from .report import table, to_json, to_markdown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m proofs_check", description=__doc__)
    ap.add_argument("--only", metavar="PATTERN", action="append",
                    help="run claims whose id matches this glob or prefix (repeatable), e.g. 's3.thm2*'")
    ap.add_argument("--full", action="store_true", help="larger sweeps than the default profile")
    ap.add_argument("--json", metavar="PATH", type=Path, help="write the results as JSON")
    ap.add_argument("--markdown", metavar="PATH", type=Path, help="write a Markdown report with PNG plots")
    ap.add_argument("--seed", type=int, default=Context().seed, help="base seed of every check")
    ap.add_argument("--list", action="store_true", help="list the registered claims and exit")
    args = ap.parse_args(argv)

    claims = list(REGISTRY.values())
    if args.only:
        claims = [c for c in claims if any(fnmatch.fnmatch(c.id, p) or c.id.startswith(p) for p in args.only)]
        if not claims:
            print(f"no claim matches {args.only}", file=sys.stderr)
            return 2
    if args.list:
        for c in claims:
            print(f"{c.id:<22} {c.expected.value:<10} {c.source}")
        return 0

    ctx = Context(full=args.full, seed=args.seed, progress=lambda m: print(f"\n    {m}", end="", file=sys.stderr, flush=True))
    results = []
    start = time.perf_counter()
    for i, claim in enumerate(claims, 1):
        print(f"[{i}/{len(claims)}] {claim.id} ...", end="", file=sys.stderr, flush=True)
        res = run_claim(claim, ctx)
        print(f" {res.verdict.value} ({res.seconds:.1f} s)", file=sys.stderr, flush=True)
        results.append(res)
    print(table(results))
    print(f"profile: {'full' if args.full else 'default'}, seed {args.seed}, wall {time.perf_counter() - start:.1f} s")
    command = "python -m proofs_check" + (" --full" if args.full else "") + "".join(f" --only '{p}'" for p in args.only or [])
    if args.json:
        to_json(results, args.json)
        print(f"wrote {args.json}")
    if args.markdown:
        to_markdown(results, args.markdown, command)
        print(f"wrote {args.markdown}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
