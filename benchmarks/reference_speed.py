"""Speed of the NumPy reference (issue 10, part 2): two figures, measured in this process.

1. **One step at d = 1e7, float64**: a reference S3 step (default hyperparameters: p = 3,
   Nesterov, beta = 0.95) against ``torch.optim.AdamW(foreach=True)`` on one float64 parameter
   of the same size, both run as a training loop runs them (``x, state = alg.step(...)``;
   ``opt.step()``), interleaved, minimum over repeats.  Printed as the ratio S3 / AdamW (goal
   <= 1.5); the reference's Adam(W) and generalized SignSGD are printed alongside.  Threads as
   found: torch uses ``torch.get_num_threads()``, the reference ``reference.algorithm.THREADS``
   (the available cores; ``--threads 1`` for one).
2. **A batched sweep**: S3 on 256 seeds x d = 10 for 1e5 steps with ``reference.run`` (every
   iterate's F, ||grad F||_1, ||grad F||_2 recorded) on a diagonal quadratic with Gaussian
   noise, whose oracle is cheap, so that the reference's own per-step cost is what is
   measured (goal <= 10 s on 2 cores); then the same steps without records (the optimizer loop
   alone).  The breakdown times the S3 steps alone (fixed gradient) and the oracle alone over a
   tenth of the steps.

``python -m benchmarks.reference_speed`` (``--quick`` for a smoke run).  A benchmark, not a
test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from collections.abc import Callable

import numpy as np

import reference as R
import reference.algorithm as A
from reference import problems as P


def _loop_time(make_step: Callable[[], Callable[[], None]], steps: int) -> float:
    """Seconds per call of the step function returned by ``make_step`` (min over ``steps`` calls)."""
    step = make_step()
    step()  # warm-up: non-zero state, allocator and page cache warm
    best = np.inf
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - t0)
    return best


def _reference_loop(alg: R.Algorithm, x0: np.ndarray, g: np.ndarray) -> Callable[[], None]:
    box = [x0.copy(), alg.init(x0)]

    def step() -> None:
        box[0], box[1] = alg.step(box[0], box[1], lambda _x: g)

    return step


def _torch_adamw_loop(x0: np.ndarray, g: np.ndarray) -> Callable[[], None]:
    import torch

    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    p.grad = torch.tensor(g, dtype=torch.float64)
    opt = torch.optim.AdamW([p], lr=1e-3, foreach=True)
    return opt.step


def large_step(d: int, repeats: int) -> dict[str, float]:
    """Seconds per step at size d: torch AdamW and the reference methods, interleaved."""
    rng = np.random.default_rng(0)
    x0, g = rng.normal(size=d), rng.normal(size=d)
    loops = {
        "torch AdamW (foreach, float64)": lambda: _torch_adamw_loop(x0, g),
        "reference S3 (p=3, Nesterov)": lambda: _reference_loop(R.s3(lr=1e-3), x0, g),
        "reference AdamW": lambda: _reference_loop(R.adamw(lr=1e-3), x0, g),
        "reference generalized SignSGD": lambda: _reference_loop(R.generalized_signsgd(lr=1e-3), x0, g),
    }
    best = dict.fromkeys(loops, np.inf)
    for _ in range(repeats):  # rounds interleave the methods, so load changes hit all of them
        for name, make in loops.items():
            best[name] = min(best[name], _loop_time(make, 3))
    return best


def sweep(seeds: int, d: int, T: int) -> dict[str, float]:
    """Seconds for ``reference.run`` of S3 on (seeds, d) for T steps, and a breakdown."""
    problem = P.with_noise(P.diagonal_quadratic(np.linspace(0.5, 2.0, d)), P.gaussian(1.0))
    x0 = np.random.default_rng(1).normal(size=(seeds, d))
    alg = R.s3()
    t0, c0 = time.perf_counter(), time.process_time()
    rec = R.run(alg, problem, x0, T, np.random.default_rng(2), record_directions=False)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert rec.F.shape == (T + 1, seeds) and np.isfinite(rec.F).all()
    oracle = problem.oracle(np.random.default_rng(2))
    x, state = x0.copy(), alg.init(x0)
    t0 = time.perf_counter()
    for _ in range(T):  # the optimizer loop alone: steps and oracle calls, nothing recorded
        x, state = alg.step(x, state, oracle)
    loop = time.perf_counter() - t0
    assert np.array_equal(x, rec.x_last)  # the same run as reference.run's
    n = max(1, T // 10)
    step = _reference_loop(alg, x0, np.random.default_rng(3).normal(size=(seeds, d)))
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    steps = (time.perf_counter() - t0) / n * T
    oracle = problem.oracle(np.random.default_rng(4))
    t0 = time.perf_counter()
    for _ in range(n):
        oracle(x0)
    calls = (time.perf_counter() - t0) / n * T
    return {"run": total, "cpu": cpu, "loop": loop, "steps": steps, "oracle": calls}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d", type=int, default=10_000_000, help="size of the one-step comparison")
    ap.add_argument("--repeats", type=int, default=5, help="interleaved rounds of 3 timed steps per method")
    ap.add_argument("--seeds", type=int, default=256)
    ap.add_argument("--sweep-d", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=None,
                    help="reference.algorithm.THREADS (default: as found, the available cores); torch keeps its own")
    ap.add_argument("--quick", action="store_true", help="d = 1e5, 1000 sweep steps (smoke run)")
    args = ap.parse_args(argv)
    if args.threads is not None:
        A.THREADS = args.threads
    if args.quick:
        args.d, args.repeats, args.steps = 100_000, 2, 1000
    import torch

    load0 = os.getloadavg()[0]
    print(f"reference speed  {datetime.date.today()}  numpy {np.__version__}  torch {torch.__version__} "
          f"(threads {torch.get_num_threads()})  reference threads {A.THREADS}  python {platform.python_version()}  "
          f"{platform.machine()}  "
          f"{os.cpu_count()} cores  OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    best = large_step(args.d, args.repeats)
    base = best["torch AdamW (foreach, float64)"]
    print(f"\n1. one step, d = {args.d:.0e}, float64 (min over {args.repeats} x 3 steps)")
    for name, s in best.items():
        print(f"   {name:<32} {s * 1e3:8.1f} ms   {s / base:5.2f} x torch AdamW")
    print(f"   => S3 / torch AdamW = {best['reference S3 (p=3, Nesterov)'] / base:.2f} (goal <= 1.5)")
    sw = sweep(args.seeds, args.sweep_d, args.steps)
    print(f"\n2. sweep: S3, {args.seeds} seeds x d = {args.sweep_d} x {args.steps:.0e} steps, reference.run "
          f"(noisy diagonal quadratic, F and gradient norms recorded)")
    per = {k: v / args.steps * 1e6 for k, v in sw.items()}
    print(f"   => {sw['run']:.2f} s (goal <= 10 s; process CPU time {sw['cpu']:.2f} s): {per['run']:.1f} us per step, "
          f"of which about {per['steps']:.1f} us the S3 step, {per['oracle']:.1f} us the oracle (gradient + Gaussian "
          f"draw) and {per['run'] - per['steps'] - per['oracle']:.1f} us the records and the loop")
    print(f"   the same {args.steps:.0e} steps without records (alg.step and the oracle in a loop): {sw['loop']:.2f} s")
    print(f"\nload average (1 min) at start {load0:.2f}, at end {os.getloadavg()[0]:.2f}: other processes on these "
          f"{os.cpu_count()} cores slow the wall times (torch's two threads most)")


if __name__ == "__main__":
    main()
