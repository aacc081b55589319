"""Keras 3 optimizers through reference.oracle, on the JAX backend on CPU (any backend works: the
driver uses keras.ops only)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")
pytest.importorskip("jax")

from reference.oracle import compare, keras_impl  # noqa: E402

if keras.backend.backend() != "jax":  # pragma: no cover - keras imported earlier with another backend
    pytestmark = pytest.mark.skip(reason=f"Keras runs on {keras.backend.backend()}; these tests use JAX")


def test_keras_adam_matches_with_eps_0() -> None:
    res = compare(keras.optimizers.Adam, "adam", {"lr": 1e-3, "eps": 0.0}, shape=[(3, 4), (5,)])
    assert res.verdict == "match", res
    assert res.compared == {"momentum": "m", "velocity": "v"}
    assert res.passed_as == {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon",
                             "weight_decay": "weight_decay"}
    # eps = 0 and a zero gradient: Keras divides 0 by 0 (NaN) where the reference's convention gives 0
    zeros = compare(keras.optimizers.Adam, "adam", {"lr": 1e-3, "eps": 0.0}, stream="zeros")
    assert zeros.verdict == "diverges at step 1" and "NaN in the implementation" in zeros.divergence.reason


def test_keras_adam_float32_forms_its_bias_correction_in_float32() -> None:
    """beta_2_power = power(cast(beta_2, float32), t): 1 - fl32(0.999)^t is 1.3e-5 off, 6e-6 in the update."""
    res = compare(keras.optimizers.Adam, "adam", {"lr": 1e-3, "eps": 0.0}, dtype="float32")
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update"
    assert 1.0 < res.divergence.error / res.divergence.tolerance < 3.0


def test_keras_epsilon_hat_is_a_divergence_of_the_update() -> None:
    res = compare(keras.optimizers.Adam, "adam", {"lr": 1e-3, "eps": 1e-7})
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update"


def test_keras_bfloat16_is_pure_low_precision() -> None:
    res = compare(keras.optimizers.Lion, "lion", {"lr": 1e-3}, dtype="bfloat16")
    assert res.verdict == "diverges at step 1" and "keeps momentum in bfloat16" in res.divergence.reason
    # checked as pure bfloat16, Keras forms 1 - beta2 after casting beta2 = 0.99 to bfloat16 (0.98828):
    # 1 - beta2 = 0.0117, 17 % off, far above bfloat16's one-step bound
    pure = compare(keras.optimizers.Lion, "lion", {"lr": 1e-3}, dtype="bfloat16", state_dtype="bfloat16")
    assert pure.verdict == "diverges at step 1" and pure.divergence.quantity == "m"
    assert pure.divergence.impl / pure.divergence.reference == pytest.approx(0.01171875 / 0.01, rel=1e-2)
    assert compare(keras.optimizers.Lion, "lion", {"lr": 1e-3, "beta2": 0.5}, dtype="bfloat16",
                   state_dtype="bfloat16").matches  # 0.5 is exact in bfloat16


def test_groups_instances_and_schedules() -> None:
    groups = [{"params": [(3, 4)]}, {"params": [(5,)], "weight_decay": 0.0}]
    res = compare(keras.optimizers.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1, "eps": 0.0}, groups=groups)
    assert res.matches, res
    opt = keras.optimizers.SGD(learning_rate=1e-2, momentum=0.9)  # its learning rate: a float32 variable
    res = compare(keras_impl(opt), "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, stream="all",
                  dtype="float32")
    assert res.matches and res.compared == {"momentum": "m|-lr_scaled"}
    assert not opt.built  # the user's instance is copied, never stepped
    f64 = compare(keras_impl(opt), "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"})
    assert f64.verdict == "diverges at step 1" and f64.divergence.quantity == "m"  # lr = fl32(0.01) in float64
    sched = lambda t: 1e-3 * 0.5 ** ((t - 1) // 10)  # noqa: E731
    res = compare(keras.optimizers.Adam, "adam", {"lr": sched, "eps": 0.0}, steps=40)
    assert res.matches and res.passed_as["lr"] == "learning_rate (set to lr_t before each step)"


def test_x_dependent_methods_cannot_be_driven_through_keras() -> None:
    res = compare(keras.optimizers.SGD, "sam", {"lr": 1e-2, "rho": 0.05})
    assert res.verdict.startswith("cannot configure: a Keras optimizer applies the gradients it is given")


def test_a_keras_spec_string_and_the_float64_floatx_is_restored() -> None:
    before = keras.config.floatx()
    res = compare("keras:keras.optimizers.Lion", "lion", {"lr": 1e-3}, steps=10)
    assert res.matches and res.reproducer.startswith("python -m reference.oracle keras:keras.optimizers.Lion")
    assert keras.config.floatx() == before
