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
    res = compare(optax_impl(optax.adam, jit=jit), "adam", {"lr": 1e-3}, dtype=dtype, steps=40)
    assert res.verdict == "match", res
    assert res.compared == {"0.mu": "m", "0.nu": "v"}
    assert res.passed_as["lr"] == "learning_rate" and res.passed_as["beta1"] == "b1"


def test_x64_does_not_leak() -> None:
    before = jax.config.jax_enable_x64
    compare(optax.lion, "lion", {"lr": 1e-3}, steps=5)
    assert jax.config.jax_enable_x64 == before


def test_a_transformation_is_used_as_given() -> None:
    tx = optax.lion(1e-3, b1=0.9, b2=0.99, weight_decay=0.0)
    assert compare(tx, "lion", {"lr": 1e-3}, steps=30).verdict == "match"
    res = compare(tx, "lion", {"lr": 1e-3}, impl_kwargs={"b1": 0.5})
    assert res.verdict.startswith("cannot configure: an optax GradientTransformation is used as given")


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
    assert np.isfinite(res.errors["x"][0])
