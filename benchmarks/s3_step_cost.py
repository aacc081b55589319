"""Cost of one reference S3 step for p = 1, 2, 3 (and a general p), as ratios to p = 1.

s3 Sec. 3 says p = 1 "involves only a computationally light element-wise absolute operation";
this measures it on the NumPy reference (``python -m benchmarks.s3_step_cost``).  Each number
is the minimum over repeats of one ``step`` on d parameters; ratios are taken in this process.
"""

from __future__ import annotations

import argparse
import platform
import timeit

import numpy as np

import reference as R


def step_time(p: float, d: int, repeat: int) -> float:
    rng = np.random.default_rng(0)
    g = rng.normal(size=d)
    alg = R.s3(lr=1e-3, p=p)
    x = rng.normal(size=d)
    state = alg.init(x)
    x, state = alg.step(x, state, lambda _x: g)  # warm-up, non-zero state
    return min(timeit.repeat(lambda: alg.step(x, state, lambda _x: g), number=3, repeat=repeat)) / 3


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    print(f"reference S3 step cost  numpy {np.__version__}  python {platform.python_version()}  {platform.machine()}")
    print(f"{'d':>10} {'p=1 (ms)':>10} {'p=2/p=1':>9} {'p=3/p=1':>9} {'p=2.5/p=1':>10}")
    for d in args.sizes:
        t = {p: step_time(p, d, args.repeat) for p in (1.0, 2.0, 3.0, 2.5)}
        print(f"{d:>10} {t[1.0] * 1e3:>10.3f} {t[2.0] / t[1.0]:>9.2f} {t[3.0] / t[1.0]:>9.2f} {t[2.5] / t[1.0]:>10.2f}")


if __name__ == "__main__":
    main()
