"""The fused S3 Triton kernel on CPU, under Triton's interpreter (``TRITON_INTERPRET=1``).

Triton decides at import whether kernels are compiled or interpreted, so
:func:`test_fused_kernel_under_the_triton_interpreter` re-runs this module in a subprocess with
``TRITON_INTERPRET=1``; the other tests run only there.  Everything is skipped when Triton is not
importable.  Under the interpreter libdevice does not exist: the kernel's ``LIBDEVICE=False``
branch computes the cube root / general powers as float64 ``exp2(log2(y)/p)`` rounded once;
every other line is the one compiled for CUDA (see ``gpu.fused_s3``).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

import gpu  # noqa: E402
import harness as H  # noqa: E402
from cases import CASES  # noqa: E402
from gpu import fused_s3  # noqa: E402
from gpu import tolerances as TOL  # noqa: E402
from harness import Group  # noqa: E402

# NumPy warnings inside the interpreter: log2(0) and x/0 (masked by tl.where) are intended
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
ROOT = Path(__file__).resolve().parents[2]
inside = pytest.mark.skipif(not fused_s3.interpreting(), reason="runs in the TRITON_INTERPRET=1 subprocess")
S3_CASES = sorted(c for c, (a, _) in CASES.items() if a == "s3")


@pytest.mark.skipif(fused_s3.interpreting(), reason="already inside the interpreter run")
def test_fused_kernel_under_the_triton_interpreter() -> None:
    env = dict(os.environ, TRITON_INTERPRET="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", str(Path(__file__)), "-q", "-p", "no:cacheprovider",
                           "-x"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " skipped" in proc.stdout


@inside
@pytest.mark.parametrize("case", S3_CASES)
def test_fused_float64_parity(case: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl="fused", dtype=torch.float64, steps=100, seed=1)
    H.assert_parity(r, H.f64_bound)


@inside
@pytest.mark.parametrize("case", S3_CASES)
def test_fused_float32_parity(case: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl="fused", dtype=torch.float32, steps=100, seed=2)
    H.assert_parity(r, H.f32_bound(r))


@inside
@pytest.mark.parametrize("dtype,unit", [(torch.bfloat16, 2 * TOL.U_BF16), (torch.float16, TOL.U_F16)])
def test_fused_low_precision_parity(dtype: torch.dtype, unit: float) -> None:
    """One rounding per step to the parameter dtype.  The interpreter emulates float32 -> bfloat16
    by *truncation* (``triton.runtime.interpreter._convert_float`` without a rounding mode; the
    compiled kernel's ``cvt.rn`` rounds to nearest even), so bfloat16 gets one ulp, ``2 U_BF16``,
    here; float16 goes through NumPy (round to nearest)."""
    alg, groups = CASES["s3_wd_beta2"]
    r = H.run(alg, groups, impl="fused", dtype=dtype, steps=60, seed=3, resync=True)
    for p in r.extra["params"][0]:
        assert r.extra["opt"].state[p]["m"].dtype == torch.float32
    H.assert_parity(r, H.f32_bound(r), low=(unit, lambda t: TOL.low_bound(unit, alg, t, r.n)[1]))


@inside
def test_fused_groups_maximize_none_schedule() -> None:
    groups = [Group([(3, 4), (5,)], dict(lr=lambda t: 1e-2 / t, beta=0.9, p=2.0)),
              Group([(6,), (2, 3)], dict(lr=3e-3, p=3.0, weight_decay=0.1, eps=1e-7, nesterov=False), maximize=True)]
    r = H.run("s3", groups, impl="fused", dtype=torch.float64, steps=40, seed=4,
              none=lambda t, gi, j: (j == 0 and t < 5) or (gi == 1 and j == 1 and t % 3 == 0))
    H.assert_parity(r, H.f64_bound)


@inside
def test_fused_nonfinite_and_extreme_magnitudes() -> None:
    alg, groups = CASES["s3"]
    inj = {(5, 0, 0, 3): np.nan, (9, 0, 1, 2): np.inf, (12, 0, 2, 0): -np.inf}
    r = H.run(alg, groups, impl="fused", dtype=torch.float64, steps=20, seed=5, inject=inj)
    H.assert_parity(r, H.f64_bound)
    for scale in (1e-20, 1e-14, 1e13):  # float32 edges: same patterns as the float32 reference
        r = H.run(alg, groups, impl="fused", dtype=torch.float32, steps=20, seed=6, scale=scale, ref_dtype=np.float32)
        rep = H.compare(r, lambda t: 2 * TOL.float32_bound("s3", t), quantities=["x"])
        assert rep.masks_equal and rep.worst_ratio <= 1.0, (scale, rep)
        assert all(np.isfinite(v).all() for k, v in r.torch.items() if k[2] == "x")


@inside
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 2.5, 8.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_fused_root_mode_equals_the_foreach_path(p: float, dtype: torch.dtype) -> None:
    """Gradients from the smallest normal number to the largest finite one, zeros and a NaN: the
    fused kernel takes root mode on exactly the coordinates the foreach path does (reference.s3's
    decision), with the same values (float64 to 1e-14; float32 within 4 u: torch's CPU sqrt is
    within one ulp, the kernel's sqrt_rn correctly rounded), and the scale-invariant step."""
    fi = torch.finfo(dtype if dtype != torch.bfloat16 else torch.float32)
    mags = [fi.tiny, 1e-30, 1e-12, 1e-5, 1.0, 7.0, 1e5, 1e12, 1e30, fi.max / 2]
    g = torch.tensor([m * s for m in mags for s in (1.0, -1.0)] + [0.0, math.nan], dtype=torch.float64).to(dtype)
    runs = []
    for kw in (dict(fused=True), dict(foreach=True)):
        x = torch.nn.Parameter(torch.zeros(g.numel(), dtype=dtype))
        opt = gpu.S3([x], lr=0.1, p=p, beta=0.9, beta2=0.99, **kw)
        for _ in range(3):
            x.grad = g.clone()
            opt.step()
        runs.append((x.detach().double(), opt.state[x]["s"].double()))
    (xf, sf), (xe, se) = runs
    assert torch.equal(sf < 0, se < 0) and bool((se < 0).any())  # the smallest normal |g|: a subnormal s
    tol = 1e-14 if dtype == torch.float64 else 4 * TOL.U32
    fin = torch.isfinite(xe)
    if dtype == torch.bfloat16:  # a bfloat16 rounding of x per step (the interpreter truncates, see above)
        assert float(((xf[fin] - xe[fin]).abs() / xe[fin].abs().clamp_min(1e-30)).max()) <= 3 * 2 * TOL.U_BF16
    else:
        assert float((xf[fin] - xe[fin]).abs().max()) <= tol and torch.equal(torch.isnan(xf), torch.isnan(xe))
    assert float((sf[fin].abs() - se[fin].abs()).abs().div(se[fin].abs().clamp_min(1e-300)).max()) <= max(tol, 1e-6)


@inside
def test_fused_state_dict_round_trip() -> None:
    alg, groups = CASES["s3"]

    def reload(t: int, opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
        if t != 7:
            return opt
        saved = H.deep_state_dict(opt)
        fresh = H.make_optimizer(alg, [list(g["params"]) for g in opt.param_groups], groups, "fused")
        fresh.load_state_dict(saved)
        return fresh

    a = H.run(alg, groups, impl="fused", dtype=torch.float32, steps=15, seed=7)
    b = H.run(alg, groups, impl="fused", dtype=torch.float32, steps=15, seed=7, hook=reload)
    for k, v in a.torch.items():
        assert np.array_equal(v, b.torch[k]), k


@inside
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_fused_kernel_blocks_alignment_and_views(dtype: torch.dtype) -> None:
    """Tensors spanning several blocks with a masked tail, an empty tensor, a one-element tensor,
    unaligned views (storage offset 1: the ALIGNED=False variant) and a non-contiguous one, against
    the for-loop path."""
    from gpu.s3 import s3_single

    torch.manual_seed(0)
    n = fused_s3.BLOCK
    base = torch.randn(3 * n + 7, dtype=dtype)
    xs = [torch.randn(2 * n + 5, dtype=dtype), torch.randn(0, dtype=dtype), torch.randn(1, dtype=dtype),
          base[1:n + 2], torch.randn(5, 7, dtype=dtype).t()]
    gs = [torch.randn_like(x) for x in xs]
    ms = [torch.randn(x.shape, dtype=dtype) * 0.1 for x in xs]
    ss = [torch.rand(x.shape, dtype=dtype) for x in xs]
    ref = [[t.clone() for t in ts] for ts in (xs, ms, ss)]
    head, tail = base[:1].clone(), base[n + 2:].clone()
    kw = dict(beta1=0.9, beta2=0.99, p=3.0, nesterov=True, eps=0.0, weight_decay=0.01)
    lrs = [0.01] * len(xs)
    fused_s3.s3_fused_step(xs, gs, ms, ss, lrs, maximize=False, **kw)
    s3_single(ref[0], gs, ref[1], ref[2], lrs, **kw)
    bound = TOL.F64_RTOL if dtype == torch.float64 else TOL.float32_bound("s3", 1)
    for got, want in zip(xs + ms + ss, ref[0] + ref[1] + ref[2]):
        if want.numel():
            assert float((got - want).abs().max() / want.abs().max()) <= bound
    assert torch.equal(base[:1], head) and torch.equal(base[n + 2:], tail)  # neighbours of the view untouched


@inside
def test_fused_bytes_per_element() -> None:
    assert fused_s3.bytes_per_element(torch.float32) == 28
    assert fused_s3.bytes_per_element(torch.bfloat16) == 22
    assert fused_s3.bytes_per_element(torch.float64) == 56


@inside
@pytest.mark.parametrize("change", [{"beta": 0.951}, {"nesterov": False}, {"p": 2.0}])
def test_fused_negative_controls(change: dict) -> None:
    """The fused parity check fails against a twin with a perturbed hyperparameter."""
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="fused", dtype=torch.float32, steps=30, seed=8, ref_hp=lambda hp: {**hp, **change})
    assert H.compare(r, H.f32_bound(r)).worst_ratio > 1.0
