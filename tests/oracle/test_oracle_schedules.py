"""Learning-rate schedules: the reference's schedule set on a class before each step, a torch LR
scheduler (the hook) followed by the reference through a twin, and an optimizer that ignores them."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from reference.oracle import compare, torch_impl  # noqa: E402


def halving(t: int) -> float:
    return 1e-3 * 0.5 ** ((t - 1) // 10)


def test_a_reference_schedule_drives_a_class() -> None:
    res = compare(torch.optim.Adam, "adam", {"lr": halving}, stream="all")
    assert res.verdict == "match", res
    assert res.passed_as["lr"] == "lr (set to lr_t before each step)"


def test_a_torch_scheduler_is_stepped_and_followed() -> None:
    impl = torch_impl(torch.optim.AdamW, scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, 10, 0.5))
    res = compare(impl, "adamw", {"lr": 1e-3, "weight_decay": 0.1},
                  groups=[{"params": [(3, 4)]}, {"params": [(5,)], "lr": 1e-2}])
    assert res.verdict == "match", res
    assert res.passed_as["lr"].endswith("(driven by the scheduler)")


def test_an_optimizer_that_caches_its_learning_rate_is_caught_when_it_changes() -> None:
    class Cached(torch.optim.SGD):
        def __init__(self, params, lr=1e-2, momentum=0.0):
            super().__init__(params, lr=lr, momentum=momentum)
            self.lr0 = lr

        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            for g in self.param_groups:
                g["lr"] = self.lr0
            return super().step(closure)

    impl = torch_impl(Cached, scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, 10, 0.5))
    res = compare(impl, "sgdm", {"lr": 1e-2, "beta": 0.0, "convention": "torch"})
    assert res.verdict == "diverges at step 11" and res.divergence.quantity == "update"
    res = compare(Cached, "sgdm", {"lr": halving, "beta": 0.0, "convention": "torch"})
    assert res.verdict == "diverges at step 11"


def test_a_factory_gets_the_schedule_through_its_groups() -> None:
    res = compare(torch_impl(lambda ps: torch.optim.Adam(ps, lr=halving(1))), "adam", {"lr": halving})
    assert res.matches and res.passed_as["lr"] == "param_groups[i]['lr'] (set to lr_t before each step)"
