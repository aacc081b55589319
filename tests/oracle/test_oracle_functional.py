"""Functional (init, update) transformations that are not optax: torchopt (torch tensors), its
torch.optim-like classes, and a clear error for a pair of unknown framework."""

from __future__ import annotations

from typing import NamedTuple

import pytest

torch = pytest.importorskip("torch")
torchopt = pytest.importorskip("torchopt")

from reference.oracle import as_impl, compare, functional_impl  # noqa: E402


def test_torchopt_is_recognised_as_functional_not_optax() -> None:
    assert as_impl(torchopt.adam(1e-3)).kind == "functional"
    assert as_impl(torchopt.adam).kind == "functional"
    assert as_impl(torchopt.Adam).kind == "torch"


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_torchopt_adamw_matches_with_groups(dtype: str) -> None:
    groups = [{"params": [(3, 4), (5,)]}, {"params": [(2,)], "weight_decay": 0.0}]
    res = compare(torchopt.adamw, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=groups, dtype=dtype,
                  stream="all", state_dtype="bfloat16" if dtype == "bfloat16" else None)
    assert res.verdict == "match", res
    assert res.compared == {"0.mu": "m", "0.nu": "v"}


def test_the_update_returned_is_used() -> None:
    res = compare(torchopt.sgd, "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"}, steps=20)
    assert res.matches and res.errors["update"].max() == 0.0


def test_default_dtype_matters_to_torchopt() -> None:
    """torchopt forms 1 - b^count with pow(b, count) in the default dtype: float32 corrections for float64
    parameters under the float32 default, and in float32 runs a 6e-6 error of the update (1.3e-5 in
    1 - fl32(0.999)), above one float32 step's bound."""
    res = compare(functional_impl(torchopt.adam, default_dtype=False), "adam", {"lr": 1e-3})
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "update"
    f32 = compare(torchopt.adam, "adam", {"lr": 1e-3}, dtype="float32")
    assert f32.verdict == "diverges at step 1" and f32.divergence.quantity == "update"
    assert 1.0 < f32.divergence.error / f32.divergence.tolerance < 3.0


def test_a_pair_of_unknown_framework_needs_saying_which() -> None:
    class Pair(NamedTuple):
        init: object
        update: object

    pair = Pair(lambda p: (), lambda g, s, params=None: (g, s))
    with pytest.raises(TypeError, match="an \\(init, update\\) transformation of an unknown framework"):
        compare(pair, "signsgd", {"lr": 1e-3})

    def init(params):
        return ()

    def update(grads, state, params=None):
        return tuple(-1e-3 * torch.sign(g) for g in grads), state

    res = compare(functional_impl(Pair(init, update)), "signsgd", {"lr": 1e-3}, stream="zeros")
    assert res.matches, res
