"""Parameters as in training: several tensors of different shapes, several param groups with their own
hyperparameters, norms over the scope the declaration says (or the one asked for), and the bugs only
such a layout shows (grouping, foreach, global norms)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gpu  # noqa: E402

from reference.oracle import compare, torch_impl  # noqa: E402
from reference.oracle.layout import make_layout  # noqa: E402

GROUPS = [{"params": [(3, 4), (5,)]}, {"params": [(2, 3)], "lr": 3e-3, "weight_decay": 0.0}]


def test_layout_tensors_groups_and_runs() -> None:
    lay = make_layout(None, GROUPS, {"lr": 1e-3, "weight_decay": 0.1})
    assert [t.name for t in lay.tensors] == ["p0", "p1", "p2"] and lay.d == 12 + 5 + 6
    assert [(t.lo, t.hi, t.group) for t in lay.tensors] == [(0, 12, 0), (12, 17, 0), (17, 23, 1)]
    assert lay.groups[1].given == {"lr": 3e-3, "weight_decay": 0.0}
    assert [(r.lo, r.hi) for r in lay.runs("tensor")] == [(0, 12), (12, 17), (17, 23)]
    assert [(r.lo, r.hi) for r in lay.runs("group")] == [(0, 17), (17, 23)]
    assert [(r.lo, r.hi) for r in lay.runs("global")] == [(0, 23)]
    assert make_layout([(3, 4), (5,)], None, {}).shapes == [(3, 4), (5,)]
    with pytest.raises(ValueError, match="either shape or groups"):
        make_layout((3,), GROUPS, {})
    with pytest.raises(ValueError, match=r"groups\[0\] must be a mapping with 'params'"):
        make_layout(None, [{"lr": 1.0}], {})


@pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16"])
def test_torch_adamw_with_two_groups_matches_on_every_stream(dtype: str) -> None:
    res = compare(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=GROUPS, dtype=dtype,
                  stream="all", state_dtype="bfloat16" if dtype == "bfloat16" else None)
    assert res.verdict == "match", res
    assert res.layout == "group 0: [(3, 4), (5,)]; group 1: [(2, 3)] lr=0.003, weight_decay=0.0"
    assert res.passed_as["lr"] == "lr"


def test_a_group_given_the_wrong_hyperparameter_is_named_by_tensor_and_coordinate() -> None:
    """A foreach-style bug: the first group's weight decay applied to every group."""
    class FirstGroupDecay(torch.optim.AdamW):
        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            wd = self.param_groups[0]["weight_decay"]
            for g in self.param_groups:
                g["weight_decay"] = wd
            return super().step(closure)

    res = compare(FirstGroupDecay, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, groups=GROUPS)
    assert res.verdict == "diverges at step 1"
    d = res.divergence
    assert d.quantity == "update" and d.tensor == "p2" and len(d.index) == 2


def test_global_norm_bug_shows_only_with_several_tensors() -> None:
    """SAM with one norm per tensor instead of one over the group: invisible on one tensor."""
    class PerTensorSAM(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-2, rho=0.05):
            super().__init__(params, {"lr": lr, "rho": rho})

        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            for g in self.param_groups:
                x0 = [p.detach().clone() for p in g["params"]]
                for p in g["params"]:
                    n = p.grad.norm()
                    p.add_(g["rho"] * p.grad / n if n > 0 else 0 * p)
                with torch.enable_grad():
                    closure()
                for p, x in zip(g["params"], x0):
                    p.copy_(x - g["lr"] * p.grad)

    hp = {"lr": 1e-2, "rho": 0.05}
    assert compare(PerTensorSAM, "sam", hp).matches
    res = compare(PerTensorSAM, "sam", hp, shape=[(3, 4), (5,)])
    assert res.verdict == "diverges at step 1" and res.norm_scope == "global"
    assert compare(PerTensorSAM, "sam", hp, shape=[(3, 4), (5,)], norm_scope="tensor").matches


@pytest.mark.parametrize("scope", ["tensor", "group"])
def test_norm_scopes_of_the_gpu_classes(scope: str) -> None:
    cls = gpu.OPTIMIZERS["normalized_sgdm"]
    hp = {"lr": 1e-2, "beta": 0.9}
    res = compare(cls, "normalized_sgdm", hp, groups=GROUPS[:1] + [{"params": [(4,)]}],
                  impl_kwargs={"norm_scope": scope}, norm_scope=scope)
    assert res.verdict == "match", res
    other = "group" if scope == "tensor" else "tensor"
    bad = compare(cls, "normalized_sgdm", hp, groups=GROUPS[:1] + [{"params": [(4,)]}],
                  impl_kwargs={"norm_scope": scope}, norm_scope=other)
    assert bad.verdict == "diverges at step 1", bad


def test_the_declaration_gives_the_default_norm_scope() -> None:
    cls = gpu.OPTIMIZERS["normalized_sgdm"]  # its default is per tensor (nsgdm Sec. 5), as the declaration's
    res = compare(cls, "normalized_sgdm", {"lr": 1e-2, "beta": 0.9}, shape=[(3, 4), (5,)])
    assert res.matches and res.norm_scope == "tensor"


def test_a_global_norm_over_groups_needs_equal_hyperparameters() -> None:
    with pytest.raises(ValueError, match=r"norm_scope='global' takes one norm over groups \[0, 1\].*differ in lr"):
        compare(torch.optim.SGD, "sam", {"lr": 1e-2, "rho": 0.05}, groups=GROUPS[:1] + [{"params": [(4,)], "lr": 1.0}])


def test_per_coordinate_hyperparameters_per_group() -> None:
    cls = gpu.OPTIMIZERS["blockwise_adam"]
    blocks0 = [0] * 12 + [1] * 5
    blocks1 = [0, 0, 1, 1, 2, 2]
    groups = [{"params": [(3, 4), (5,)], "blocks": blocks0}, {"params": [(2, 3)], "blocks": blocks1}]
    def make(params):
        ps0, ps1 = params[0]["params"], params[1]["params"]
        return cls([{"params": ps0, "blocks": [torch.tensor(blocks0[:12]).reshape(3, 4), torch.tensor(blocks0[12:])]},
                    {"params": ps1, "blocks": [torch.tensor(blocks1).reshape(2, 3)]}], lr=1e-3)

    res = compare(torch_impl(make), "blockwise_adam", {"lr": 1e-3}, groups=groups)
    assert res.verdict == "match", res
    with pytest.raises(ValueError, match=r"groups\[1\]: blockwise_adam: blocks has 5 ids for 6 coordinates"):
        compare(torch_impl(make), "blockwise_adam", {"lr": 1e-3},
                groups=[groups[0], {"params": [(2, 3)], "blocks": [0, 0, 1, 1, 2]}])


def test_numpy_step_gets_lists_for_several_tensors() -> None:
    def step(xs, gs, state):
        state = state or {"exp_avg": [np.zeros_like(x) for x in xs]}
        out, ms = [], []
        for x, g, m in zip(xs, gs, state["exp_avg"]):
            c = 0.9 * m + 0.1 * g
            out.append(x - 1e-3 * np.sign(c))
            ms.append(0.99 * m + 0.01 * g)
        return out, {"exp_avg": ms}

    res = compare(step, "lion", {"lr": 1e-3}, shape=[(3, 4), (5,)], stream="all")
    assert res.verdict == "match" and res.compared == {"exp_avg": "m"}
