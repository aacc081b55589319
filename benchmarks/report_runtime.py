"""Wall time of the default verification profile against its 60 s budget (issue 3, Sec. 2).

``python -m benchmarks.report_runtime`` runs every claim once (default profile), prints the
seconds per claim, the total and its ratio to the budget.  A benchmark, not a test: timing
depends on the machine (the budget is for 2 cores).
"""

from __future__ import annotations

import os
import time

from proofs_check import REGISTRY, Context, run_claim

BUDGET_S = 60.0


def main() -> None:
    start = time.perf_counter()
    rows = [(cid, run_claim(c, Context()).seconds) for cid, c in REGISTRY.items()]
    total = time.perf_counter() - start
    for cid, s in sorted(rows, key=lambda r: -r[1]):
        print(f"{cid:<24} {s:7.2f} s")
    print(f"total {total:.1f} s on {os.cpu_count()} cores = {total / BUDGET_S:.2f} x the {BUDGET_S:.0f} s budget")


if __name__ == "__main__":
    main()
