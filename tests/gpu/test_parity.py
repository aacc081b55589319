"""Parity of every gpu optimizer with its reference twin, every path, on CPU (gpu.tolerances).

float64: <= 1e-12 normwise relative at every one of 120 steps, parameters and every state buffer.
float32: within ``gpu.tolerances.float32_bound`` (derived in that module).  bfloat16 parameters:
``gpu.tolerances.low_bound`` (one bf16 rounding per step, float32 state).  Plus param groups,
maximize, ``grad=None``, schedules, resuming from a state_dict, zero and non-finite gradients, and
negative controls showing that each kind of check can fail.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import gpu  # noqa: E402
import harness as H  # noqa: E402
from cases import CASES, SHAPES, STREAM  # noqa: E402
from gpu import tolerances as TOL  # noqa: E402
from harness import Group  # noqa: E402

import reference as R  # noqa: E402

IMPLS = ["single", "foreach"]
F64_STEPS = 120
F32_STEPS = 100


def _sign_precondition(r: H.Run, steps: int) -> None:
    """R7: the sign's argument stays farther from 0 than its own float32 error bound (K_c = 3)."""
    assert r.sign_margin > TOL.A * 3 * TOL.U32 * steps, f"{r.name}: seed too close to a sign change"


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_float64_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, dtype=torch.float64, steps=F64_STEPS, seed=1)
    H.assert_parity(r, H.f64_bound)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_float32_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, dtype=torch.float32, steps=F32_STEPS, seed=2, resync=alg in H.QUADRATIC)
    if alg in H.SIGN_ARG:
        _sign_precondition(r, F32_STEPS)
    H.assert_parity(r, H.f32_bound(r))


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(STREAM))
def test_bfloat16_parity(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, dtype=torch.bfloat16, steps=F32_STEPS, seed=3, resync=True)
    if alg in H.SIGN_ARG:
        _sign_precondition(r, F32_STEPS)
    for p in r.extra["params"][0]:
        assert p.dtype == torch.bfloat16
        for k, v in r.extra["opt"].state[p].items():
            if isinstance(v, torch.Tensor) and v.is_floating_point():
                assert v.dtype == torch.float32, f"state {k} of a bfloat16 parameter must be float32"
    unit, normwise = TOL.U_BF16, lambda t: TOL.low_bound(TOL.U_BF16, alg, t, r.n)[1]
    H.assert_parity(r, H.f32_bound(r), low=(unit, normwise))


def test_float16_parity() -> None:
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="foreach", dtype=torch.float16, steps=50, seed=3, resync=True)
    H.assert_parity(r, H.f32_bound(r), low=(TOL.U_F16, lambda t: TOL.low_bound(TOL.U_F16, alg, t, r.n)[1]))


# --------------------------------------------------------------------------- groups, options


GROUP_CASES = {
    "s3": [Group([(3, 4), (5,)], dict(lr=1e-2, beta=0.9, p=2.0)),
           Group([(6,)], dict(lr=3e-3, beta=0.95, p=3.0, weight_decay=0.1, eps=1e-7), maximize=True)],
    "adan": [Group([(3, 4)], dict(lr=5e-3)), Group([(5,), (2, 3)], dict(lr=1e-3, form="paper", weight_decay=0.1))],
    "sam": [Group([(3, 4), (5,)], dict(lr=3e-3, rho=0.05)),
            Group([(6,)], dict(lr=1e-3, rho=0.2, beta=0.5), norm_scope="tensor", maximize=True)],
    "nigt": [Group([(3, 4), (5,)], dict(lr=1e-2, beta=0.9), norm_scope="group"),
             Group([(6,)], dict(lr=5e-3, beta=0.5))],
    "adasgd": [Group([(3, 4), (5,)], dict(lr=1e-3), norm_scope="group"), Group([(6,)], dict(lr=1e-3, beta1=0.5))],
    "blockwise_adam": [Group([(3, 4)], dict(lr=1e-3), blocks=[np.arange(12) // 4]),
                       Group([(5,)], dict(lr=2e-3, beta1=0.5, eps=1e-8))],
}


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("alg", sorted(GROUP_CASES))
def test_param_groups_with_different_hyperparameters(alg: str, impl: str) -> None:
    r = H.run(alg, GROUP_CASES[alg], impl=impl, dtype=torch.float64, steps=F64_STEPS, seed=4)
    H.assert_parity(r, H.f64_bound)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("alg", ["s3", "lion", "signum", "generalized_signsgd", "adasam", "normalized_sgdm",
                                 "nigt", "blockwise_adam"])
def test_maximize(alg: str, impl: str) -> None:
    case = next(c for c, (a, _) in CASES.items() if a == alg)
    groups = [dataclasses.replace(g, maximize=True) for g in CASES[case][1]]
    r = H.run(alg, groups, impl=impl, dtype=torch.float64, steps=F64_STEPS, seed=5)
    H.assert_parity(r, H.f64_bound)


def _none_pattern(t: int, gi: int, j: int) -> bool:
    """Tensor 0 has no gradient for the first 10 steps, tensor 2 every third step."""
    return (j == 0 and t < 10) or (j == 2 and t % 3 == 1)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", ["s3", "adan", "lion", "signsgd", "generalized_signsgd", "sam_tensor", "adasam",
                                  "normalized_sgdm", "nigt", "adasgd", "blockwise_adam"])
def test_grad_none_is_skipped(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    if alg in H.SCOPED:  # skipping maps to the reference only run by run
        groups = [dataclasses.replace(g, norm_scope="tensor") for g in groups]
    steps = 40
    r = H.run(alg, groups, impl=impl, dtype=torch.float64, steps=steps, seed=6, none=_none_pattern)
    H.assert_parity(r, H.f64_bound)
    assert r.steps_torch[(0, 0)] == steps - 10
    assert r.steps_torch[(0, 1)] == steps
    # state untouched while skipped: identical records at the skipped steps
    for k, v in r.torch.items():
        if k[1] == 2 and k[2] != "x":
            skipped = [t for t in range(1, steps) if _none_pattern(t, 0, 2)]
            assert all(np.array_equal(v[t], v[t - 1], equal_nan=True) for t in skipped), k


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("alg", ["s3", "adan", "nigt"])
def test_lr_schedule(alg: str, impl: str) -> None:
    """A callable ``lr`` is evaluated at each tensor's own step count, as the reference does."""
    def schedule(t: int) -> float:
        return 1e-2 / (1.0 + 0.1 * t)

    groups = [Group(SHAPES, dict(lr=schedule))]
    r = H.run(alg, groups, impl=impl, dtype=torch.float64, steps=60, seed=7, none=_none_pattern)
    H.assert_parity(r, H.f64_bound)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", ["s3", "adan", "lion", "signum", "generalized_signsgd", "sam", "adasam", "adam_sam",
                                  "normalized_sgdm", "nigt", "adasgd", "blockwise_adam"])
@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_state_dict_round_trip_resumes_identically(case: str, impl: str, dtype: str) -> None:
    """Save mid-run, build a fresh optimizer, load, continue: the same steps bit for bit."""
    alg, groups = CASES[case]
    dt = getattr(torch, dtype)
    steps, cut = 30, 12

    def reload(t: int, opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
        if t != cut:
            return opt
        saved = H.deep_state_dict(opt)
        params = [list(g["params"]) for g in opt.param_groups]
        fresh = H.make_optimizer(alg, params, groups, impl)
        fresh.load_state_dict(saved)
        for p in (q for ps in params for q in ps):
            for k, v in fresh.state[p].items():
                if isinstance(v, torch.Tensor) and v.is_floating_point():
                    assert v.dtype == gpu.state_dtype(p.dtype), (k, v.dtype)
        return fresh

    straight = H.run(alg, groups, impl=impl, dtype=dt, steps=steps, seed=8)
    resumed = H.run(alg, groups, impl=impl, dtype=dt, steps=steps, seed=8, hook=reload)
    for k, v in straight.torch.items():
        assert np.array_equal(v, resumed.torch[k], equal_nan=True), k


# --------------------------------------------------------------------------- special values


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(STREAM))
def test_zero_gradients_give_zero_steps_not_nan(case: str, impl: str) -> None:
    """0/0 := 0: an all-zero gradient history leaves x unchanged (up to weight decay), no NaN."""
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, dtype=torch.float32, steps=5, seed=9, scale=0.0)
    H.assert_parity(r, H.f32_bound(r))
    for k, v in r.torch.items():
        assert np.isfinite(v).all(), k


def _nan_inf_injection() -> dict[tuple[int, int, int, int], float]:
    return {(5, 0, 0, 3): np.nan, (9, 0, 1, 2): np.inf, (12, 0, 2, 0): -np.inf}


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_nonfinite_gradients_propagate_like_the_reference(case: str, impl: str) -> None:
    alg, groups = CASES[case]
    r = H.run(alg, groups, impl=impl, dtype=torch.float64, steps=20, seed=10, inject=_nan_inf_injection())
    rep = H.assert_parity(r, H.f64_bound)
    assert rep.masks_equal
    assert any(np.isnan(v).any() for v in r.torch.values()), "the injection must reach the state"


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("scale", [1e-20, 1e-14, 1e13, 1e30])
@pytest.mark.parametrize("p", [2.0, 3.0])
def test_s3_float32_extreme_magnitudes_match_float32_reference(scale: float, p: float, impl: str) -> None:
    """Outside the float32 validity domain (gpu.s3) S3 degrades to zero steps exactly as the
    float32 reference does: same zero/NaN/inf pattern, finite parameters."""
    groups = [Group(SHAPES, dict(lr=1e-2, p=p, beta=0.9))]
    r = H.run("s3", groups, impl=impl, dtype=torch.float32, steps=30, seed=11, scale=scale, ref_dtype=np.float32)
    rep = H.compare(r, H.f32_bound(r))
    assert rep.masks_equal, rep.mask_detail
    for k, v in r.torch.items():
        if k[2] == "x":
            assert np.isfinite(v).all(), f"finite input gave non-finite parameters ({k})"
    # x must match the float32 reference within the float32 bound (two float32 runs: 2x)
    xrep = H.compare(r, lambda t: 2 * TOL.float32_bound("s3", t), quantities=["x"])
    assert xrep.worst_ratio <= 1.0, xrep.worst


# --------------------------------------------------------------------------- negative controls


@pytest.mark.parametrize("case,key,factor", [("s3", "beta", 1.001), ("adan", "eps", None), ("lion", "beta2", 1.001),
                                             ("sam", "rho", 1.01), ("nigt", "beta", 1.001),
                                             ("blockwise_adam", "beta2", 1.001)])
def test_negative_control_perturbed_hyperparameter_fails(case: str, key: str, factor: float | None) -> None:
    alg, groups = CASES[case]

    def perturb(hp: dict) -> dict:
        hp = dict(hp)
        hp[key] = 1e-3 if factor is None else hp.get(key, R.defaults(alg)[key]) * factor
        return hp

    for dtype, bound in ((torch.float64, lambda r: H.f64_bound), (torch.float32, H.f32_bound)):
        r = H.run(alg, groups, impl="foreach", dtype=dtype, steps=60, seed=12, ref_hp=perturb,
                  resync=dtype == torch.float32 and alg in H.QUADRATIC)
        assert H.compare(r, bound(r)).worst_ratio > 1.0, f"{case}: perturbing {key} went undetected ({dtype})"


def test_negative_control_wrong_path_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately wrong power (|g|^2 for p = 3) in the S3 kernel breaks float32 parity."""
    import gpu.s3 as S

    real = S.foreach_abs_pow
    monkeypatch.setattr(S, "foreach_abs_pow", lambda gs, p: real(gs, 2.0 if p == 3.0 else p))
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="single", dtype=torch.float32, steps=20, seed=13)
    assert H.compare(r, H.f32_bound(r)).worst_ratio > 1.0


def test_negative_control_dropped_zero_rule_breaks_masks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``0/0 := 0`` zero gradients give NaN: the mask comparison catches it."""
    import gpu.s3 as S

    monkeypatch.setattr(S, "foreach_ratio", lambda ns, bs: list(torch._foreach_div(ns, bs)))
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="single", dtype=torch.float64, steps=3, seed=14, scale=0.0)
    assert not H.compare(r, H.f64_bound).masks_equal


def test_negative_control_float32_fails_the_float64_bound() -> None:
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="single", dtype=torch.float32, steps=20, seed=15)
    assert H.compare(r, H.f64_bound).worst_ratio > 1.0


def test_negative_control_bfloat16_rounding_is_visible() -> None:
    """The bf16 bound is not vacuous: bf16 parameters fail the float32 bound."""
    alg, groups = CASES["s3"]
    r = H.run(alg, groups, impl="single", dtype=torch.bfloat16, steps=20, seed=16, resync=True)
    assert H.compare(r, H.f32_bound(r), quantities=["x"]).worst_ratio > 1.0


# --------------------------------------------------------------------------- random hyperparameters


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(beta=st.floats(0.0, 0.999), beta2=st.one_of(st.none(), st.floats(0.0, 0.999)),
       p=st.one_of(st.sampled_from([1.0, 2.0, 3.0]), st.floats(1.0, 6.0)), nesterov=st.booleans(),
       eps=st.sampled_from([0.0, 1e-8, 1e-3]), wd=st.sampled_from([0.0, 0.1]), foreach=st.booleans(),
       seed=st.integers(0, 2**16))
def test_s3_random_hyperparameters_float64(beta: float, beta2: float | None, p: float, nesterov: bool, eps: float,
                                           wd: float, foreach: bool, seed: int) -> None:
    hp = dict(lr=1e-2, beta=beta, beta2=beta2, p=p, nesterov=nesterov, eps=eps, weight_decay=wd)
    r = H.run("s3", [Group([(3, 2), (4,)], hp)], impl="foreach" if foreach else "single", dtype=torch.float64,
              steps=25, seed=seed)
    H.assert_parity(r, H.f64_bound)
