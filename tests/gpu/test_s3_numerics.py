"""S3's |g|^p and p-th root (the same function as reference.s3 in every path) and the float32
validity domain documented in gpu.s3."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gpu  # noqa: E402
from gpu import s3 as S  # noqa: E402
from gpu import tolerances as TOL  # noqa: E402
RS = importlib.import_module("reference.s3")  # the module (reference.s3 is also the factory)

PS = [1.0, 2.0, 3.0, 2.5, 1.5]


def _special(dtype: np.dtype) -> np.ndarray:
    fi = np.finfo(dtype)
    rng = np.random.default_rng(0)
    vals = np.concatenate([
        [0.0, -0.0, fi.smallest_subnormal, fi.tiny, fi.tiny / 3, 1.0, -1.0, fi.max, -fi.max, np.inf, -np.inf, np.nan],
        10.0 ** rng.uniform(np.log10(fi.tiny) + 1, np.log10(fi.max) - 1, 400) * rng.choice([-1, 1], 400),
    ])
    return vals.astype(dtype)


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_abs_pow_and_root_compute_the_reference_function(p: float, dtype: type) -> None:
    g = _special(np.dtype(dtype))
    with np.errstate(all="ignore"):
        ref_pow = RS.abs_pow(g, p)
        y = np.abs(g)
        ref_root = RS.root(y, p)
    ours_pow = S.abs_pow(torch.from_numpy(g), p).numpy()
    ours_root = S.root(torch.from_numpy(y), p).numpy()
    fe_pow = torch.stack(S.foreach_abs_pow([torch.from_numpy(g)], p)).numpy()[0]
    fe_root = torch.stack(S.foreach_root([torch.from_numpy(y)], p)).numpy()[0]
    assert np.array_equal(ours_pow, fe_pow, equal_nan=True) and np.array_equal(ours_root, fe_root, equal_nan=True)
    for ours, ref, exact in ((ours_pow, ref_pow, p in (1.0, 2.0, 3.0)), (ours_root, ref_root, p in (1.0,))):
        assert np.array_equal(np.isnan(ours), np.isnan(ref)) and np.array_equal(np.isinf(ours), np.isinf(ref))
        fin = np.isfinite(ref) & (ref != 0)
        assert np.array_equal(ours == 0, ref == 0)
        rel = np.abs(ours[fin] - ref[fin]) / np.abs(ref[fin])
        if exact:  # the same multiplications: bit for bit
            assert np.array_equal(ours[fin], ref[fin])
        elif dtype is np.float64:
            # sqrt: 0; y^(1/p) via pow: |ln y| * 2^-54 (rounding of 1/p) + 1 ulp each side
            assert rel.max() <= 1e-13
        else:
            # float32: a float64 pow rounded once is within one rounding (u) of the exact value.
            # (NumPy's float32 ``y ** (1/p)`` is not: it rounds 1/p to float32 first, relative
            # error |ln y| u / p, up to ~25 u here -- so compare with the float64 reference.)
            with np.errstate(all="ignore"):
                exact = (RS.abs_pow if ref is ref_pow else RS.root)(
                    (g if ref is ref_pow else y).astype(np.float64), p)
            tiny = np.finfo(np.float32).tiny
            normal = np.isfinite(exact) & (np.abs(exact) >= tiny) & (np.abs(exact) <= np.finfo(np.float32).max)
            rel64 = np.abs(ours[normal] - exact[normal]) / np.abs(exact[normal])
            # torch's float32 CPU sqrt is within 1 ulp (2u), not correctly rounded (gpu.tolerances R5)
            assert rel64.max() <= (2 if p == 2.0 else 1) * TOL.U32 + 1e-13
            sub = np.abs(exact) < tiny  # subnormal results: half the subnormal spacing, 2^-150
            assert (np.abs(ours[sub].astype(np.float64) - exact[sub]) <= 2.0**-150 * (1 + 1e-9)).all()


def _one_step(g: float, p: float = 3.0, dtype: torch.dtype = torch.float32, foreach: bool = False,
              steps: int = 1) -> tuple[torch.Tensor, torch.optim.Optimizer]:
    x = torch.nn.Parameter(torch.ones(4, dtype=dtype))
    opt = gpu.S3([x], lr=0.1, p=p, foreach=foreach)
    for _ in range(steps):
        x.grad = torch.full((4,), g, dtype=dtype)
        opt.step()
    return x, opt


@pytest.mark.parametrize("foreach", [False, True])
def test_float32_domain_inside_is_accurate(foreach: bool) -> None:
    """|g| in [2^-42, 6.9e12]: the step equals the float64 one within the float32 bound."""
    for g in (2.0**-42, 1e-12, 1.0, 1e12, 6.9e12):
        x32, _ = _one_step(g, foreach=foreach)
        x64, _ = _one_step(g, dtype=torch.float64, foreach=foreach)
        err = float((x32.detach().double() - x64.detach()).abs().max() / x64.detach().abs().max())
        assert err <= TOL.float32_bound("s3", 1), (g, err)


@pytest.mark.parametrize("foreach", [False, True])
def test_float32_underflow_gives_zero_steps_not_nan(foreach: bool) -> None:
    """|g|^3 underflows (|g| < ~1e-15): b = 0 and the step is 0 by the 0/0 := 0 rule."""
    x, opt = _one_step(1e-16, foreach=foreach, steps=3)
    assert torch.equal(x.detach(), torch.ones(4))
    assert torch.equal(opt.state[x]["s"], torch.zeros(4))
    x, opt = _one_step(1e-14, foreach=foreach)  # subnormal |g|^3: a step, not exact, but finite
    assert torch.isfinite(x).all() and (x < 1).all()


@pytest.mark.parametrize("foreach", [False, True])
def test_float32_overflow_freezes_the_coordinate_not_nan(foreach: bool) -> None:
    """(1 - beta)|g|^3 overflows (|g| > ~7e12): s = inf, b = inf, the step is 0 -- and stays 0."""
    x, opt = _one_step(1e13, foreach=foreach)
    assert torch.equal(x.detach(), torch.ones(4)) and torch.isinf(opt.state[x]["s"]).all()
    for _ in range(3):
        x.grad = torch.full((4,), 1.0)
        opt.step()
    assert torch.equal(x.detach(), torch.ones(4)) and torch.isfinite(x).all()


def test_float64_has_the_same_edges_far_away() -> None:
    x, opt = _one_step(1e-120, dtype=torch.float64)
    assert torch.equal(x.detach(), torch.ones(4, dtype=torch.float64))  # (1e-120)^3 underflows
    x, opt = _one_step(1e-90, dtype=torch.float64)
    assert (x < 1).all()
