"""reference.oracle's optax adapter: factories and transformations, x64, jit, SAM's update calls."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")

from reference.oracle import compare, optax_impl  # noqa: E402


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("jit", [True, False])
def test_factory_float64_and_float32_with_and_without_jit(dtype: str, jit: bool) -> None:
    res = compare(optax_impl(optax.lion, jit=jit), "lion", {"lr": 1e-3, "weight_decay": 0.1}, dtype=dtype, steps=40)
    assert res.verdict == "match", res
    assert res.compared == {"0.mu": "m"}
    assert res.passed_as["lr"] == "learning_rate" and res.passed_as["beta1"] == "b1"


def test_adam_float32_bias_correction_is_seen() -> None:
    """optax forms 1 - b2^t from float32 b2 (6e-6 relative in d at t = 1, above one float32 step's
    3.9e-6): a divergence of the update, which the float64 run does not have."""
    res = compare(optax.adam, "adam", {"lr": 1e-3}, dtype="float32", steps=40)
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update"
    assert 1.0 < res.divergence.error / res.divergence.tolerance < 3.0
    assert compare(optax.adam, "adam", {"lr": 1e-3}, steps=40).matches


def test_the_update_returned_is_compared_exactly() -> None:
    """A single update call returns the update: no rounding allowance for the stored iterates."""
    res = compare(optax.sgd, "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, steps=20)
    assert res.matches and res.divergence is None
    assert res.errors["update"].max() == 0.0


def test_x64_does_not_leak() -> None:
    before = jax.config.jax_enable_x64
    compare(optax.lion, "lion", {"lr": 1e-3}, steps=5)
    assert jax.config.jax_enable_x64 == before


def test_a_transformation_is_used_as_given() -> None:
    tx = optax.lion(1e-3, b1=0.9, b2=0.99, weight_decay=0.0)
    assert compare(tx, "lion", {"lr": 1e-3}, steps=30).verdict == "match"
    res = compare(tx, "lion", {"lr": 1e-3}, impl_kwargs={"b1": 0.5})
    assert res.verdict.startswith("cannot configure: an optax transformation is used as given")


def test_negative_control_swapped_betas() -> None:
    res = compare(optax.lion, "lion", {"lr": 1e-3}, impl_kwargs={"b1": 0.99, "b2": 0.9})
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "m"


def test_factory_errors_are_cannot_configure() -> None:
    res = compare(optax.adam, "adam", {"lr": 1e-3}, impl_kwargs={"bogus": 1})
    assert res.verdict.startswith("cannot configure: optax._src.alias.adam(") and "TypeError" in res.verdict
    res = compare(optax_impl(lambda learning_rate: 3), "adam", {"lr": 1e-3})
    assert "not a GradientTransformation" in res.verdict


def _sam(opaque: bool):
    from optax import contrib

    return contrib.sam(optax.sgd(1e-2), optax.chain(contrib.normalize(), optax.sgd(0.05)), sync_period=2,
                       opaque_mode=opaque)


@pytest.mark.parametrize("opaque", [False, True])
def test_sam_two_update_calls_or_grad_fn(opaque: bool) -> None:
    res = compare(optax_impl(_sam(opaque), opaque=opaque), "sam", {"lr": 1e-2, "rho": 0.05}, steps=40)
    assert res.verdict == "match", res
    # negative control: a different rho in the adversarial step
    from optax import contrib

    tx = contrib.sam(optax.sgd(1e-2), optax.chain(contrib.normalize(), optax.sgd(0.06)), sync_period=2,
                     opaque_mode=opaque)
    assert compare(optax_impl(tx, opaque=opaque), "sam", {"lr": 1e-2, "rho": 0.05}, steps=40).verdict == \
        "diverges at step 1"


def test_one_update_call_per_step_is_caught() -> None:
    """Driving transparent SAM with one update per step (a wrong adapter setting) is not a match."""
    res = compare(optax_impl(_sam(False), calls_per_step=1), "sam", {"lr": 1e-2, "rho": 0.05}, steps=10)
    assert res.verdict == "diverges at step 1"
    assert np.isfinite(res.errors["update"][0])


def test_pytrees_groups_and_schedules() -> None:
    """Several tensors (a tuple pytree), one transformation per group, a schedule as the update count."""
    groups = [{"params": [(3, 4), (5,)]}, {"params": [(2,)], "weight_decay": 0.0, "lr": 3e-3}]
    res = compare(optax.adamw, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=groups, stream="all")
    assert res.verdict == "match", res
    bad = compare(optax.adamw, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=groups,
                  impl_kwargs={"weight_decay": 0.1})
    assert bad.verdict == "diverges at step 1" and bad.divergence.tensor == "p2"  # group 1 should have no decay
    sched = lambda t: 1e-3 * 0.5 ** ((t - 1) // 10)  # noqa: E731
    res = compare(optax.adam, "adam", {"lr": sched}, steps=40)
    assert res.matches and res.passed_as["lr"] == "learning_rate (a schedule of the update count)"
    off = compare(optax_impl(lambda learning_rate: optax.adam(lambda c: learning_rate(c + 1))), "adam", {"lr": sched},
                  steps=40)
    assert off.verdict == "diverges at step 10"  # the schedule read one count late: halves one step early
