"""Speed of ``reference.oracle.compare`` (issue 16): a 1e5-parameter model for 100 steps, old and new
code in this process, under the same conditions.

The workload: ``torch.optim.Adam`` checked as ``reference.adam(lr=1e-3)`` on one float64 tensor of
1e5 coordinates, 100 steps of the default heavy-tailed stream (goal: <= 5 s on 2 cores).  The old
oracle is the package as it was at ``--baseline`` (default: the commit before issue 16's oracle),
extracted with ``git archive`` into a temporary directory and imported as ``reference_before`` (its
modules import each other relatively, so the two packages live side by side: two registries, two
oracles).  Each measurement is interleaved (old, new, old, new, ...) after a warm-up that pays the
one-off imports (torch.compile's modules on the first optimizer); the median is printed.

Where the time went (today's 15 s): torch's intra-op threads.  On 1e5 elements each op of torch's
Adam is split over ``torch.get_num_threads()`` OpenMP threads; on a machine whose cores are busy
the threads' synchronisation costs ~10 ms per op (~100x the op).  The new oracle steps the
implementation with one intra-op thread (``torch_impl(threads=1)``, restored after) -- the old code
is timed both as found and with one thread, so the share of each change shows -- and draws the
stream a step at a time with a cheaper heavy-tailed generator, compares in place per tensor, and
keeps no (T, d) history.

``python -m benchmarks.oracle_speed`` (``--quick``: 1e4 coordinates, 20 steps).  A benchmark, not a
test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BASELINE = "3350b72"
"""The commit before issue 16 (``Merge branch 'l-registry'``): the oracle of issue 15."""

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def old_oracle(baseline: str) -> Iterator[Any]:
    """``reference_before.oracle.compare`` of ``baseline`` (None if git cannot give it)."""
    tmp = Path(tempfile.mkdtemp(prefix="oracle-baseline-"))
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", baseline, "reference"], capture_output=True,
                                 check=False)
        if archive.returncode != 0:
            print(f"(no baseline: git archive {baseline} failed: {archive.stderr.decode().strip()})")
            yield None
            return
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
        (tmp / "reference").rename(tmp / "reference_before")
        sys.path.insert(0, str(tmp))
        try:
            importlib.import_module("reference_before.registry").load("reference_before")  # its own modules
            yield importlib.import_module("reference_before.oracle").compare
        finally:
            sys.path.remove(str(tmp))
            for name in [m for m in sys.modules if m == "reference_before" or m.startswith("reference_before.")]:
                del sys.modules[name]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.oracle_speed", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1e4 coordinates, 20 steps (a smoke run)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--baseline", default=BASELINE, help=f"git revision of the old oracle (default {BASELINE})")
    args = ap.parse_args(argv)

    import torch

    from reference.oracle import compare

    d, steps = (10_000, 20) if args.quick else (100_000, 100)
    hp = {"lr": 1e-3}
    print(f"oracle speed, {datetime.date.today()}, {platform.processor() or platform.machine()}, "
          f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, torch {torch.__version__} with {torch.get_num_threads()} intra-op threads")
    print(f"workload: torch.optim.Adam as reference.adam(lr=1e-3), one float64 tensor of {d} coordinates, "
          f"{steps} steps, stream heavy-tailed; median of {args.repeats}, interleaved")

    def new() -> Any:
        return compare(torch.optim.Adam, "adam", hp, shape=(d,), steps=steps)

    compare(torch.optim.Adam, "adam", hp, steps=3)  # warm-up: torch.compile's modules, registries
    times: dict[str, list[float]] = {"new": []}
    verdicts: dict[str, str] = {}
    with old_oracle(args.baseline) as old_compare:
        if old_compare is not None:
            old_compare(torch.optim.Adam, "adam", hp, steps=3)
            times["old, torch threads as found"] = []
            times["old, one torch thread"] = []

            def old() -> Any:
                return old_compare(torch.optim.Adam, "adam", hp, shape=(d,), steps=steps)

        for _ in range(args.repeats):
            if old_compare is not None:
                t, res = _timed(old)
                times["old, torch threads as found"].append(t)
                verdicts["old"] = res.verdict
                with torch_threads(1):
                    t, _ = _timed(old)
                times["old, one torch thread"].append(t)
            t, res = _timed(new)
            times["new"].append(t)
            verdicts["new"] = res.verdict
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        print(f"  {k:<30} {v:8.2f} s   (runs: {', '.join(f'{x:.2f}' for x in times[k])})")
    if "old, torch threads as found" in med:
        print(f"  speed-up: {med['old, torch threads as found'] / med['new']:.1f}x as found, "
              f"{med['old, one torch thread'] / med['new']:.1f}x against the old code with one thread")
    print(f"  verdicts: {verdicts}")
    if not args.quick:
        print(f"  goal <= 5 s: {'met' if med['new'] <= 5.0 else 'NOT met'} ({med['new']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
