"""Conventions as declared transforms (reference.declaration.Conventions): buffers stored bias-corrected,
scaled by the learning rate or negated; library-specific buffer names; hyperparameter aliases; Adan's
beta conventions as given; numeric convention options (RMSprop's v0) for classes; what an
implementation leaves at its own default."""

from __future__ import annotations

import numpy as np
import pytest

from reference.declaration import IDENTITY, as_buffer, bias_corrected, lr_scaled, negated, transform_named
from reference.oracle import compare, numpy_impl
from reference.oracle.translate import buffer_map, translate
from reference.registry import get


def adam_step(store: str = "raw", lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
    """NumPy Adam whose first moment is stored raw, bias-corrected or lr-scaled."""
    def step(x, g, state):
        t = 1 if state is None else state["t"] + 1
        m = np.zeros_like(x) if state is None else state["_m"]
        v = np.zeros_like(x) if state is None else state["_v"]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        shown = {"raw": m, "corrected": m / (1 - b1**t), "scaled": lr * m}[store]
        x = x - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        return x, {"t": t, "_m": m, "_v": v, "moment": shown}

    return step


def test_transforms_parse_and_invert() -> None:
    a = np.array([1.0, -2.0])
    hp = {"beta2": 0.9}
    for tr in (IDENTITY, bias_corrected("beta2"), lr_scaled(), lr_scaled(-1.0), negated()):
        np.testing.assert_allclose(tr.back(tr.to(a, hp, 3, 0.1), hp, 3, 0.1), a)
        assert transform_named(tr.name).name == tr.name
    np.testing.assert_allclose(bias_corrected("beta2").to(a, hp, 1, 0.1), a / 0.1)
    assert str(as_buffer("v_max|bias_corrected(beta2)")) == "v_max|bias_corrected(beta2)"
    assert as_buffer("v_max|bias_corrected(beta2)").field == "v_max"
    assert as_buffer("none") is None and str(as_buffer("m|-lr_scaled")) == "m|-lr_scaled"
    with pytest.raises(ValueError, match="unknown buffer transform 'squared'"):
        as_buffer("m|squared")


@pytest.mark.parametrize("store,spec", [("raw", "m"), ("corrected", "m|bias_corrected(beta1)"),
                                        ("scaled", "m|lr_scaled")])
def test_a_buffer_in_any_declared_form_is_compared_and_synced(store: str, spec: str) -> None:
    res = compare(adam_step(store), "adam", {"lr": 1e-3}, state_map={"moment": spec}, stream="all")
    assert res.verdict == "match", res
    assert res.compared == {"moment": spec} and res.synced == ["m"]


def test_a_buffer_in_the_wrong_form_is_a_divergence() -> None:
    """Bias-corrected values compared as raw: a divergence of m (what the issue's users hit)."""
    res = compare(adam_step("corrected"), "adam", {"lr": 1e-3}, state_map={"moment": "m"})
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "m"


def test_library_specific_buffer_names() -> None:
    """'trace' means optax's -lr buf, torchopt's buf and (sgdm) the momentum itself."""
    fields = ("v", "g_avg", "buf")
    assert str(buffer_map("rmsprop", fields, ["2.trace"], None, "optax")[0]["2.trace"]) == "buf|-lr_scaled"
    assert str(buffer_map("rmsprop", fields, ["1.trace"], None, "torchopt")[0]["1.trace"]) == "buf"
    assert str(buffer_map("sgdm", ("m",), ["momentum"], None, "keras")[0]["momentum"]) == "m|-lr_scaled"
    assert str(buffer_map("sgdm", ("m",), ["momentum_buffer"], None, "torch")[0]["momentum_buffer"]) == "m"
    # the user's state_map wins
    mapped, left = buffer_map("sgdm", ("m",), ["momentum"], {"momentum": None}, "keras")
    assert mapped == {} and left == ["momentum"]


def _params(*names: str) -> dict:
    import inspect

    return {n: inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=0.0) for n in names}


def test_parameter_aliases_across_libraries() -> None:
    """SGD's momentum is 'momentum' (torch), 'beta' (heavyball) or 'momentum' again (Keras)."""
    hp = dict(get("sgdm").resolve({"lr": 0.1, "beta": 0.9, "convention": "torch"}))
    assert translate("sgdm", hp, {"lr", "beta"}, _params("lr", "momentum"))[0]["momentum"] == 0.9
    assert translate("sgdm", hp, {"lr", "beta"}, _params("lr", "beta"))[0]["beta"] == 0.9
    hp = dict(get("adam").resolve({"lr": 1e-3}))
    kw, how, _ = translate("adam", hp, {"lr"}, _params("learning_rate", "beta_1", "beta_2", "epsilon"))
    assert how == {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"}


def test_adan_betas_in_the_form_asked_for() -> None:
    hp = dict(get("adan").resolve({"form": "paper", "beta1": 0.1}))
    params = _params("lr", "betas")
    assert translate("adan", hp, set(), params)[0]["betas"] == pytest.approx((0.9, 0.92, 0.99))  # official
    assert translate("adan", hp, set(), params, "paper")[0]["betas"] == pytest.approx((0.1, 0.08, 0.01))
    assert translate("adan", hp, set(), params, "as-given")[0]["betas"] == pytest.approx((0.1, 0.08, 0.01))
    official = dict(get("adan").resolve({"beta1": 0.9}))
    assert translate("adan", official, set(), params, "as-given")[0]["betas"] == pytest.approx((0.9, 0.92, 0.99))
    assert translate("adan", official, set(), params, "paper")[0]["betas"] == pytest.approx((0.1, 0.08, 0.01))
    with pytest.raises(ValueError, match="hp_form must be one of"):
        compare(adam_step(), "adan", {}, hp_form="weird")
    with pytest.raises(ValueError, match="declares no hyperparameter forms"):
        compare(adam_step(), "adam", {}, hp_form="paper")


def test_numeric_convention_options_are_checked_not_refused() -> None:
    """RMSprop's v0: a class without the parameter has its own built-in v_0, which the run checks."""
    torch = pytest.importorskip("torch")

    class TF1RMSprop(torch.optim.Optimizer):  # v_0 = 1 built in, eps inside the root
        def __init__(self, params, lr=1e-3, alpha=0.9, eps=1e-10):
            super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps})

        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            for g in self.param_groups:
                for p in g["params"]:
                    st = self.state[p]
                    if not st:
                        st["square_avg"] = torch.ones_like(p)
                    st["square_avg"].mul_(g["alpha"]).addcmul_(p.grad, p.grad, value=1 - g["alpha"])
                    p.addcdiv_(p.grad, (st["square_avg"] + g["eps"]).sqrt(), value=-g["lr"])

    hp = {"lr": 1e-3, "beta2": 0.9, "eps": 1e-10, "eps_inside_sqrt": True}
    res = compare(TF1RMSprop, "rmsprop", {**hp, "v0": 1.0})
    assert res.verdict == "match" and "v0" in res.not_passed
    assert compare(TF1RMSprop, "rmsprop", hp).verdict == "diverges at step 1"  # the default v0 = 0 is not it
    res = compare(TF1RMSprop, "rmsprop", {**hp, "v0": 1.0, "momentum": 0.5})
    assert res.verdict.startswith("cannot configure: the implementation has no parameter for the reference "
                                  "hyperparameter momentum=0.5")


def test_what_the_implementation_keeps_at_its_default_is_recorded() -> None:
    po = pytest.importorskip("pytorch_optimizer")
    res = compare(po.Tiger, "signum", {"lr": 1e-3, "beta": 0.9})
    assert res.impl_defaults["weight_decay"] == 0.01
    assert "left at the implementation's default:" in str(res) and "weight_decay=0.01" in str(res)
    assert not res.matches
