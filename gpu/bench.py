"""Benchmark of one optimizer step: S3 (fused, foreach, for-loop) vs torch's AdamW.

``python -m gpu.bench [--sizes N ...] [--repeat R] [--device cuda|cpu] [--dtype float32|bfloat16]``

For each size N (total number of parameter elements, split into 8 tensors of unequal length so
that the multi-tensor paths and the kernel's masked tails are exercised) it prints the median time
per step, the ratio to AdamW(fused=True), and the achieved bandwidth as a fraction of a
device-to-device copy (``dst.copy_(src)`` of N elements of the parameter dtype, 2 x N x itemsize
bytes) measured in the same run on the same device.

Bytes counted per element: S3 reads x, g, m, s and writes x, m, s: 28 B for float32 parameters
(22 B for bfloat16: x and g in bf16, state in float32).  AdamW reads x, g, exp_avg, exp_avg_sq and
writes x, exp_avg, exp_avg_sq: the same 28 B (22 B).  The foreach and for-loop paths move more
(temporaries); their "bandwidth" is the same useful-bytes count divided by their time, i.e. an
effective bandwidth.

Defaults: CUDA: 1e6, 1e7, 1e8, 1e9 (sizes that do not fit in free device memory are skipped);
CPU: 1e5, 1e6 with the foreach and for-loop paths (and torch's CPU fused AdamW as the reference).
Goal on CUDA (stated in the README, not tested): fused S3 >= 85% of the copy bandwidth for
>= 1e8 parameters and no slower than fused AdamW.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import statistics
import time
from collections.abc import Callable, Sequence

import torch

from .fused_s3 import available as triton_available
from .fused_s3 import bytes_per_element
from .s3 import S3

__all__ = ["main", "time_step", "copy_bandwidth"]

N_TENSORS = 8


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_step(fn: Callable[[], object], device: torch.device, repeat: int, warmup: int = 2) -> float:
    """Median seconds of ``fn()`` over ``repeat`` calls (CUDA events on CUDA, perf_counter on CPU)."""
    for _ in range(warmup):
        fn()
    _sync(device)
    times = []
    for _ in range(repeat):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / 1e3)
        else:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def copy_bandwidth(n: int, dtype: torch.dtype, device: torch.device, repeat: int) -> float:
    """Bytes per second of ``dst.copy_(src)`` for ``n`` elements (read + write counted)."""
    src = torch.empty(n, dtype=dtype, device=device).uniform_()
    dst = torch.empty_like(src)
    t = time_step(lambda: dst.copy_(src), device, repeat)
    return 2 * n * src.element_size() / t


def _split(n: int) -> list[int]:
    """N_TENSORS unequal lengths summing to n (the largest about 2x the smallest)."""
    weights = [1.0 + i / (N_TENSORS - 1) for i in range(N_TENSORS)]
    sizes = [max(1, int(n * w / sum(weights))) for w in weights]
    sizes[-1] += n - sum(sizes)
    return sizes


def _params(n: int, dtype: torch.dtype, device: torch.device) -> list[torch.nn.Parameter]:
    ps = []
    for k in _split(n):
        p = torch.nn.Parameter(torch.randn(k, dtype=dtype, device=device))
        p.grad = torch.randn(k, dtype=dtype, device=device)
        ps.append(p)
    return ps


def _methods(device: torch.device) -> list[tuple[str, Callable[[list[torch.nn.Parameter]], torch.optim.Optimizer]]]:
    methods: list[tuple[str, Callable[[list[torch.nn.Parameter]], torch.optim.Optimizer]]] = []
    if device.type == "cuda" and triton_available():
        methods.append(("S3 fused", lambda ps: S3(ps, lr=1e-4, fused=True)))
    methods += [
        ("S3 foreach", lambda ps: S3(ps, lr=1e-4, foreach=True)),
        ("S3 for-loop", lambda ps: S3(ps, lr=1e-4, foreach=False)),
        ("AdamW fused", lambda ps: torch.optim.AdamW(ps, lr=1e-4, fused=True)),
        ("AdamW foreach", lambda ps: torch.optim.AdamW(ps, lr=1e-4, foreach=True)),
        ("AdamW for-loop", lambda ps: torch.optim.AdamW(ps, lr=1e-4, foreach=False)),
    ]
    return methods


def _fits(n: int, dtype: torch.dtype, device: torch.device) -> bool:
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    # params + grads + two state buffers + the foreach temporaries (~4 more float32 buffers)
    need = n * (2 * torch.empty((), dtype=dtype).element_size() + 6 * 4)
    return need < 0.9 * free


def main(argv: Sequence[str] | None = None) -> str:
    """Run the benchmark, print the table and return it."""
    ap = argparse.ArgumentParser(prog="python -m gpu.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=float, nargs="+", help="total parameter elements per run (e.g. 1e6 1e8)")
    ap.add_argument("--repeat", type=int, default=None, help="timed steps per measurement (median)")
    ap.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    args = ap.parse_args(argv)
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    dtype = getattr(torch, args.dtype)
    sizes = [int(s) for s in (args.sizes or ([1e6, 1e7, 1e8, 1e9] if device.type == "cuda" else [1e5, 1e6]))]
    repeat = args.repeat or (20 if device.type == "cuda" else 5)

    if device.type == "cuda":
        where = f"{torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda})"
    else:
        where = f"CPU ({torch.get_num_threads()} threads)"
    lines = [
        f"gpu.bench  {_dt.datetime.now().isoformat(timespec='seconds')}  torch {torch.__version__}  device: {where}",
        f"parameters: {args.dtype}, {N_TENSORS} tensors per size; bytes/element counted: "
        f"S3 {bytes_per_element(dtype)}, AdamW {bytes_per_element(dtype)} (x, g, 2 state read; x, 2 state written)",
    ]
    if device.type == "cuda" and not triton_available():
        lines.append("(Triton is not importable: no fused S3 row)")
    header = f"{'size':>10}  {'method':<15} {'ms/step':>10} {'vs AdamW fused':>15} {'GB/s':>8} {'of copy':>8}"
    lines += [header, "-" * len(header)]
    print("\n".join(lines), flush=True)

    for n in sizes:
        if not _fits(n, dtype, device):
            msg = f"{n:>10.0e}  skipped: does not fit in free device memory"
            print(msg, flush=True)
            lines.append(msg)
            continue
        copy_bw = copy_bandwidth(n, dtype, device, repeat)
        results: list[tuple[str, float]] = []
        for name, make in _methods(device):
            if name.endswith("for-loop") and device.type == "cuda" and n > 1e8:
                continue  # minutes per step on a GPU, and nothing to learn
            params = opt = None
            try:
                params = _params(n, dtype, device)
                opt = make(params)
                results.append((name, time_step(opt.step, device, repeat)))
            except torch.cuda.OutOfMemoryError:  # the foreach temporaries of the largest sizes
                results.append((name, float("nan")))
            del opt, params
            if device.type == "cuda":
                torch.cuda.empty_cache()
        ref = dict(results).get("AdamW fused") or dict(results).get("AdamW foreach") or float("nan")
        rows = [f"{n:>10.0e}  {'copy':<15} {'':>10} {'':>15} {copy_bw / 1e9:>8.1f} {1.0:>8.0%}"]
        for name, t in results:
            if t != t:
                rows.append(f"{n:>10.0e}  {name:<15} {'out of memory':>10}")
                continue
            bw = n * bytes_per_element(dtype) / t
            rows.append(f"{n:>10.0e}  {name:<15} {t * 1e3:>10.3f} {t / ref:>14.2f}x {bw / 1e9:>8.1f} "
                        f"{bw / copy_bw:>8.0%}")
        print("\n".join(rows), flush=True)
        lines += rows
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
