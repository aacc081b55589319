"""bfloat16 and float16 parameters: mixed precision (float32 state, the default) and pure low precision,
with the tolerances of reference/tolerances (R8 for the update read from stored iterates, R9 for
x-dependent oracles); float32 detects what float64 detects wherever the defect exceeds its rounding."""

from __future__ import annotations

import pytest

from reference import tolerances as TOL

torch = pytest.importorskip("torch")

import gpu  # noqa: E402

from reference.oracle import compare, torch_impl  # noqa: E402


def test_tolerance_table_for_the_oracle() -> None:
    k = TOL.roundings("adam")
    assert TOL.oracle_bound("adam", "float64", 1) == TOL.F64_RTOL
    assert TOL.oracle_bound("adam", "float32", 1) == TOL.A * k * TOL.U32
    assert TOL.oracle_bound("adam", "bfloat16", 1) == TOL.A * k * TOL.U32  # mixed: float32 state
    assert TOL.oracle_bound("adam", "bfloat16", 1, state_dtype="bfloat16") == TOL.A * k * TOL.U_BF16
    assert TOL.oracle_bound("adam", "float16", 3, state_dtype="float16") == 3 * TOL.A * k * TOL.U_F16
    assert TOL.oracle_bound("sam", "bfloat16", 1, gradient_evaluations=2) == \
        TOL.A * TOL.roundings("sam") * TOL.U32 + TOL.A * 2 * 2 * TOL.U_BF16
    assert TOL.update_allowance("float32") == (TOL.A + 1) * TOL.U32
    assert TOL.update_allowance("bfloat16") == TOL.A * TOL.U32 + TOL.U_BF16
    assert TOL.update_allowance("bfloat16", "bfloat16") == (TOL.A + 1) * TOL.U_BF16
    with pytest.raises(KeyError, match="no rounding count K derived for 'igt'"):
        TOL.oracle_bound("igt", "float32", 1)
    text = TOL.oracle_provenance("adam", "bfloat16")
    assert "t_eff = 1" in text and "u32" in text


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", ["adan", "lion", "s3", "sam", "signum", "adasgd"])
def test_gpu_classes_are_mixed_precision_and_match(name: str, dtype: str) -> None:
    """gpu keeps float32 state for low-precision parameters: a match on every stream."""
    cls = gpu.OPTIMIZERS[name]
    hp = {"lr": 1e-3} if name not in ("sam", "adasgd") else {"lr": 1e-2}
    res = compare(cls, name, hp, dtype=dtype, stream="all", shape=[(3, 4), (5,)])
    assert res.verdict == "match", res
    assert res.state_dtype == "float32"


def test_torch_optim_keeps_low_precision_state() -> None:
    res = compare(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, dtype="float16")
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "m"
    assert "keeps exp_avg in float16; state_dtype='float32' (mixed precision) was expected" in res.divergence.reason
    assert compare(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, dtype="bfloat16",
                   state_dtype="bfloat16").matches
    # pure float16: g^2 of a heavy-tailed gradient overflows float16's 65504 where the reference is finite
    pure = compare(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, dtype="float16",
                   state_dtype="float16")
    assert pure.verdict == "diverges at step 1" and "inf in the implementation" in pure.divergence.reason


def test_float16_subnormal_iterates_are_within_the_allowance() -> None:
    assert TOL.update_floor("float16") == 2 * 2.0**-11 * 2.0**-14
    assert TOL.update_floor("bfloat16") < 1e-40


def test_float32_detects_what_float64_detects() -> None:
    """An update off by 0.1 % (a coefficient slightly wrong) is a divergence in float64 and float32 alike."""
    class Scaled(torch.optim.Adam):
        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            before = [p.detach().clone() for g in self.param_groups for p in g["params"]]
            super().step(closure)
            for p, x in zip([p for g in self.param_groups for p in g["params"]], before):
                p.copy_(x + (p - x) * 1.001)

    for dtype in ("float64", "float32"):
        res = compare(Scaled, "adam", {"lr": 1e-3}, dtype=dtype)
        assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update", (dtype, res)


def test_the_state_is_synced_so_the_bound_does_not_grow() -> None:
    res = compare(torch.optim.Adam, "adam", {"lr": 1e-3}, dtype="float32", stream="long")
    assert res.matches and res.synced == ["m", "v"]
    assert res.tolerance[-1] == res.tolerance[0]  # t_eff = 1 at every step
    hidden = compare(torch_impl(torch.optim.Adam), "adam", {"lr": 1e-3}, dtype="float32",
                     state_map={"exp_avg": None, "exp_avg_sq": None})
    assert hidden.matches and hidden.synced == [] and hidden.tolerance[99] == pytest.approx(100 * hidden.tolerance[0])
