"""Smoke test of ``python -m gpu.bench`` with a tiny size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_and_reports_every_method(capsys: pytest.CaptureFixture[str]) -> None:
    from gpu import bench

    out = bench.main(["--sizes", "2000", "--repeat", "2", "--device", "cpu"])
    assert f"torch {torch.__version__}" in out and "device: CPU" in out
    for method in ("S3 foreach", "S3 for-loop", "AdamW fused", "AdamW foreach", "AdamW for-loop", "copy"):
        assert method in out, method
    assert "28" in out.splitlines()[1]  # bytes per float32 element
    assert capsys.readouterr().out.strip().endswith(out.splitlines()[-1].strip())


def test_bench_command_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "gpu.bench", "--sizes", "1000", "--repeat", "1", "--device", "cpu",
                           "--dtype", "bfloat16"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "S3 foreach" in proc.stdout and "22" in proc.stdout.splitlines()[1]
