"""S3's |g|^p and p-th root (the same function as reference.s3 in every path) and root mode: the
whole finite range for any p (gpu.s3, reference.s3), the same decisions and values as the reference."""

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
@pytest.mark.parametrize("p", [3.0, 8.0, 50.0])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_every_finite_gradient_gives_the_exact_step(foreach: bool, p: float, dtype: torch.dtype) -> None:
    """|g| from the smallest normal number to the largest finite one: the step is the scale-invariant
    d_1 = (1 - beta^2)^(1 - 1/p) (formerly 0 where |g|^p under- or overflowed: float32 p = 3 below
    ~1e-15 and above ~7e12, for ever once s = inf; p = 50 everywhere but near |g| = 1)."""
    fi = torch.finfo(dtype)
    expected = 0.1 * (1 - 0.95**2) ** (1 - 1 / p)
    for g in (fi.tiny, 1e-30, 1e-12, 1.0, 1e12, 1e30, fi.max):
        x, opt = _one_step(g, p=p, dtype=dtype, foreach=foreach)
        step = (1.0 - x.detach().double()).numpy()
        np.testing.assert_allclose(step, expected, rtol=64 * fi.eps * (1 if p == 3.0 else 40), err_msg=str(g))
        for _ in range(3):  # and later steps of ordinary size are unaffected by the spike's state
            x.grad = torch.full((4,), 1.0, dtype=dtype)
            opt.step()
        assert torch.isfinite(x).all() and torch.isfinite(opt.state[x]["s"]).all()


@pytest.mark.parametrize("foreach", [False, True])
def test_root_mode_matches_the_reference(foreach: bool) -> None:
    """The same coordinates in root mode (s < 0) and the same values as reference.s3, float32 and float64."""
    rng = np.random.default_rng(0)
    for dtype, ndt, decades in ((torch.float32, np.float32, (-44, 37)), (torch.float64, np.float64, (-300, 300))):
        for p in (1.0, 2.0, 3.0, 2.5, 8.0):
            g = (rng.normal(size=(5, 12)) * 10.0 ** rng.uniform(*decades, size=(5, 12))).astype(ndt)
            g[:, ::5] = 0.0
            x = torch.nn.Parameter(torch.zeros(12, dtype=dtype))
            opt = gpu.S3([x], lr=0.1, p=p, beta2=0.9, foreach=foreach)
            alg = RS.s3(lr=0.1, p=p, beta2=0.9)
            xr = np.zeros(12, ndt)
            state = alg.init(xr)
            for t in range(5):
                x.grad = torch.from_numpy(g[t].copy())
                opt.step()
                xr, state = alg.step(xr, state, lambda _x, t=t: g[t])
                s = opt.state[x]["s"].numpy()
                assert np.array_equal(s < 0, state.s < 0), (p, t)
                tol = 1e-12 if dtype == torch.float64 else 64 * TOL.U32
                np.testing.assert_allclose(x.detach().numpy(), xr, rtol=tol, atol=tol)
                np.testing.assert_allclose(RS.root_s(s, p), RS.root_s(state.s, p), rtol=tol * (1 + 1 / p) * 8)
