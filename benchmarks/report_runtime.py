"""Wall time of the verification report against its budgets (issue 14): default profile <= 45 s for all
claims, ``--full`` <= 15 min, on 2 cores.

``python -m benchmarks.report_runtime [--full]`` runs every claim once, prints the seconds per claim
(slowest first), per paper, the total and its ratio to the budget, and whether every verdict was the
expected one.  A benchmark, not a test: timing depends on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import time

from proofs_check import REGISTRY, Context, run_claim

BUDGET_S = {False: 45.0, True: 15 * 60.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.report_runtime", description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args(argv)
    ctx = Context(full=args.full)
    start = time.perf_counter()
    rows = []
    for cid, c in REGISTRY.items():
        r = run_claim(c, ctx)
        rows.append((cid, r.seconds, r.ok))
    total = time.perf_counter() - start
    for cid, s, ok in sorted(rows, key=lambda r: -r[1]):
        print(f"{cid:<36} {s:8.2f} s" + ("" if ok else "  (unexpected verdict)"))
    papers: dict[str, float] = {}
    for cid, s, _ in rows:
        papers[cid.split(".", 1)[0]] = papers.get(cid.split(".", 1)[0], 0.0) + s
    print("per paper: " + ", ".join(f"{p} {s:.1f} s" for p, s in papers.items()))
    budget = BUDGET_S[args.full]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{'full' if args.full else 'default'} profile: {len(rows)} claims, total {total:.1f} s on {os.cpu_count()} cores "
          f"(load {load:.1f}) = {total / budget:.2f} x the {budget:.0f} s budget; "
          f"{sum(ok for *_, ok in rows)}/{len(rows)} expected verdicts")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
