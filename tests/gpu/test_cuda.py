"""The same parity checks on a CUDA device: for-loop, foreach and the fused Triton kernel.

Skipped (with a reason) without CUDA; the fused tests also need Triton.  The bounds are the
ones of ``gpu.tolerances``: nothing CUDA-specific is loosened (CUDA reductions run in a
different order, which the n-1 summation term already covers).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import harness as H  # noqa: E402
from cases import CASES, STREAM  # noqa: E402
from gpu import tolerances as TOL  # noqa: E402

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]
IMPLS = ["single", "foreach"]
S3_CASES = sorted(c for c, (a, _) in CASES.items() if a == "s3")


def _fused_available() -> None:
    pytest.importorskip("triton")


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_cuda_float64_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    H.assert_parity(H.run(alg, groups, impl=impl, device="cuda", dtype=torch.float64, steps=120, seed=1),
                    H.f64_bound)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_cuda_float32_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, device="cuda", dtype=torch.float32, steps=100, seed=2,
              resync=alg in H.QUADRATIC)
    if alg in ("lion", "signum"):
        assert r.sign_margin > TOL.A * 3 * TOL.U32 * 100
    H.assert_parity(r, H.f32_bound(r))


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(STREAM))
def test_cuda_bfloat16_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, device="cuda", dtype=torch.bfloat16, steps=100, seed=3, resync=True)
    H.assert_parity(r, H.f32_bound(r), low=(TOL.U_BF16, lambda t: TOL.low_bound(TOL.U_BF16, alg, t, r.n)[1]))


def test_cuda_default_is_foreach() -> None:
    import gpu
    from gpu._common import Batch

    p = torch.nn.Parameter(torch.randn(3, device="cuda"))
    opt = gpu.S3([p])
    assert opt._implementation(opt.param_groups[0], Batch([p], [], [], [], [], [])) == "foreach"


@pytest.mark.parametrize("case", S3_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cuda_fused_parity(case: str, dtype: str) -> None:
    _fused_available()
    alg, groups = CASES[case]
    dt = getattr(torch, dtype)
    r = H.run(alg, groups, impl="fused", device="cuda", dtype=dt, steps=120 if dt == torch.float64 else 100, seed=4)
    H.assert_parity(r, H.f64_bound if dt == torch.float64 else H.f32_bound(r))


@pytest.mark.parametrize("dtype,unit", [(torch.bfloat16, TOL.U_BF16), (torch.float16, TOL.U_F16)])
def test_cuda_fused_low_precision_parity(dtype: torch.dtype, unit: float) -> None:
    _fused_available()
    alg, groups = CASES["s3_wd_beta2"]
    r = H.run(alg, groups, impl="fused", device="cuda", dtype=dtype, steps=100, seed=5, resync=True)
    H.assert_parity(r, H.f32_bound(r), low=(unit, lambda t: TOL.low_bound(unit, alg, t, r.n)[1]))


@pytest.mark.parametrize("impl", ["fused", "foreach"])
@pytest.mark.parametrize("scale", [1e-20, 1e-14, 1e-13, 1e13])
def test_cuda_float32_edges_match_float32_reference(impl: str, scale: float) -> None:
    """Subnormal |g|^3 and s (1e-14, 1e-13: the fused kernel's scaled cbrt must not flush them)
    and under/overflow: the float32 reference's pattern, finite parameters."""
    if impl == "fused":
        _fused_available()
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl=impl, device="cuda", dtype=torch.float32, steps=30, seed=6, scale=scale,
              ref_dtype=np.float32)
    rep = H.compare(r, lambda t: 2 * TOL.float32_bound("s3", t), quantities=["x"])
    assert rep.masks_equal and rep.worst_ratio <= 1.0, rep
    assert all(np.isfinite(v).all() for k, v in r.torch.items() if k[2] == "x")


def test_cuda_fused_nonfinite_groups_none() -> None:
    _fused_available()
    from harness import Group

    groups = [Group([(3, 4), (5,)], dict(lr=1e-2, p=2.0)),
              Group([(6,)], dict(lr=3e-3, weight_decay=0.1, eps=1e-7), maximize=True)]
    inj = {(5, 0, 0, 3): np.nan, (9, 1, 0, 2): np.inf}
    r = H.run("s3", groups, impl="fused", device="cuda", dtype=torch.float64, steps=40, seed=7, inject=inj,
              none=lambda t, gi, j: j == 1 and t % 4 == 0)
    H.assert_parity(r, H.f64_bound)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_cuda_fused_large_and_unaligned_tensors(dtype: torch.dtype) -> None:
    """Many blocks, masked tails, an unaligned view, against the foreach path on the same device."""
    _fused_available()
    from gpu import fused_s3
    from gpu.s3 import s3_foreach

    torch.manual_seed(0)
    n = fused_s3.BLOCK
    base = torch.randn(50 * n + 3, device="cuda", dtype=dtype)
    xs = [torch.randn(1_000_003, device="cuda", dtype=dtype), base[1:], torch.randn(7, device="cuda", dtype=dtype)]
    gs = [torch.randn_like(x) for x in xs]
    ms = [torch.randn(x.shape, device="cuda") * 0.1 for x in xs]
    ss = [torch.rand(x.shape, device="cuda") for x in xs]
    ref = [[t.float().clone() for t in xs], [m.clone() for m in ms], [s.clone() for s in ss]]
    kw = dict(beta1=0.9, beta2=0.95, p=3.0, nesterov=True, eps=0.0, weight_decay=0.0)
    fused_s3.s3_fused_step(xs, gs, ms, ss, [1e-3] * 3, maximize=False, **kw)
    s3_foreach(ref[0], [g.float() for g in gs], ref[1], ref[2], 1e-3, **kw)
    for got, want in zip(ms + ss, ref[1] + ref[2]):
        assert float((got - want).abs().max() / want.abs().max()) <= 2 * TOL.float32_bound("s3", 1)
    for got, want in zip(xs, ref[0]):
        unit = TOL.U_BF16 if dtype == torch.bfloat16 else 0.0
        err = (got.float() - want).abs() - unit * want.abs()
        assert float(err.max() / want.abs().max()) <= 2 * TOL.float32_bound("s3", 1)


def test_cuda_bench_smoke() -> None:
    from gpu import bench

    out = bench.main(["--sizes", "100000", "--repeat", "3"])
    assert "S3 fused" in out or "S3 foreach" in out
