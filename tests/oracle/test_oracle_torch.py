"""reference.oracle's torch adapter: classes, factories, closures, kwargs translation, float32.

The project's own gpu optimizers (whose state keys are the reference's field names) match through
``compare`` in float64 and float32 on every stream, including the SAM/NIGT closures; perturbed
configurations are caught (negative controls); torch.optim's parameter names are translated.
"""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gpu  # noqa: E402

from reference.hyperparams import SPECS  # noqa: E402
from reference.oracle import compare, torch_impl  # noqa: E402
from reference.oracle.__main__ import main  # noqa: E402

D = 7  # compare's default shape (7,)


def _reference_hp(name: str) -> dict:
    """The first parity example of the gpu class, its reference hyperparameters only (torch options
    such as norm_scope dropped: one tensor); per-coordinate ids (blocks) for D coordinates."""
    spec = SPECS[name]
    example = next(iter(gpu.OPTIMIZERS[name].examples.values()))
    hp = {k: v for k, v in example.items() if k in spec and not spec[k].per_coordinate}
    hp.update({k: [3 * i // D for i in range(D)] for k, p in spec.items() if p.per_coordinate})
    return hp


GPU_HP = {name: _reference_hp(name) for name in gpu.OPTIMIZERS}


def _gpu(name: str) -> tuple[dict, dict]:
    hp = dict(GPU_HP[name])
    kw = {k: [torch.tensor(hp[k])] for k, p in SPECS[name].items() if p.per_coordinate}  # the torch option
    return hp, kw


def test_every_gpu_optimizer_is_covered() -> None:
    assert set(GPU_HP) == set(gpu.OPTIMIZERS)


@pytest.mark.parametrize("stream", ["heavy-tailed", "zeros", "tiny"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(GPU_HP))
def test_gpu_optimizers_match(name: str, dtype: str, stream: str) -> None:
    hp, kw = _gpu(name)
    res = compare(gpu.OPTIMIZERS[name], name, hp, dtype=dtype, stream=stream, steps=40, impl_kwargs=kw)
    assert res.verdict == "match", res
    # buffers carry the reference's field names: all compared
    assert res.uncompared == [] and (res.compared or name == "signsgd")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,key", [("lion", "beta2"), ("s3", "beta"), ("adan", "eps"), ("sam", "rho"),
                                      ("nigt", "beta"), ("adasam", "beta2")])
def test_negative_control_perturbed_hyperparameter(name: str, key: str, dtype: str) -> None:
    """The gpu optimizer with one hyperparameter off by 0.1 % (eps: 1e-3) diverges from the reference."""
    hp, _ = _gpu(name)
    from reference.hyperparams import defaults

    value = hp.get(key, defaults(name)[key])
    bad = 1e-3 if key == "eps" else value * 1.001
    res = compare(torch_impl(lambda ps: gpu.OPTIMIZERS[name](ps, **{**hp, key: bad})), name, hp, dtype=dtype,
                  steps=40)
    assert res.verdict.startswith("diverges at step"), res


def test_torch_optim_names_are_translated() -> None:
    res = compare(torch.optim.RMSprop, "rmsprop", {"lr": 1e-3, "beta2": 0.9, "momentum": 0.5})
    assert res.verdict == "match"
    assert res.passed_as["beta2"] == "alpha" and res.impl_config["alpha"] == 0.9
    assert res.compared == {"momentum_buffer": "buf", "square_avg": "v"}
    res = compare(torch.optim.Adam, "amsgrad", {"lr": 1e-3})
    assert res.verdict == "match" and res.impl_config["amsgrad"] is True
    assert res.compared["max_exp_avg_sq"] == "v_max"
    res = compare(torch.optim.SGD, "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch", "nesterov": True})
    assert res.verdict == "match" and res.impl_config["momentum"] == 0.9 and res.impl_config["nesterov"] is True
    res = compare(torch.optim.Adam, "adamw", {"lr": 1e-3, "weight_decay": 0.1})  # torch >= 2.6: the flag
    assert res.verdict == "match" and res.impl_config["decoupled_weight_decay"] is True


def test_wrong_class_is_a_divergence_not_an_error() -> None:
    """Adam's coupled weight decay checked as AdamW: g + wd x enters m at step 1."""
    res = compare(torch_impl(lambda ps: torch.optim.Adam(ps, lr=1e-3, weight_decay=0.1)), "adamw",
                  {"lr": 1e-3, "weight_decay": 0.1})
    assert res.verdict == "diverges at step 1" and res.divergence.quantity == "m"


def test_cannot_configure() -> None:
    res = compare(torch.optim.SGD, "lion", {"lr": 1e-3, "beta2": 0.5})
    assert res.verdict.startswith("cannot configure: the implementation has no parameter for the reference "
                                  "hyperparameter beta2=0.5")
    res = compare(torch.optim.Adam, "adam", {"lr": 1e-3}, impl_kwargs={"bogus": 1})
    assert res.verdict.startswith("cannot configure: torch.optim.adam.Adam(") and "TypeError" in res.verdict
    res = compare(torch_impl(lambda ps: object()), "adam", {"lr": 1e-3})
    assert res.verdict.startswith("cannot configure:") and "which has no step()" in res.verdict
    sched = lambda t: 1e-3 / t  # noqa: E731
    res = compare(torch_impl(torch.optim.Adam, scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, 5)), "adam",
                  {"lr": sched})
    assert res.verdict.startswith("cannot configure: give the learning-rate schedule either as the reference's lr")


def test_step_without_closure() -> None:
    res = compare(torch_impl(torch.optim.Adam, closure=False), "adam", {"lr": 1e-3})
    assert res.verdict == "match"


def test_reproducer_is_a_working_command(tmp_path, capsys) -> None:
    lion_pytorch = pytest.importorskip("lion_pytorch")
    res = compare(lion_pytorch.Lion, "lion", {"lr": 1e-3, "weight_decay": 0.1}, steps=30, seed=4, stream="zeros")
    assert res.reproducer.startswith("python -m reference.oracle torch:lion_pytorch.lion_pytorch:Lion --as lion ")
    argv = shlex.split(res.reproducer)[3:] + ["--json", str(tmp_path / "r.json")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "verdict: match" in out and "exp_avg = m" in out
    rec = json.loads((tmp_path / "r.json").read_text())
    assert rec["verdict"] == "match" and rec["steps"] == 30 and rec["seed"] == 4
    np.testing.assert_allclose(rec["errors"]["update"], res.errors["update"])
    np.testing.assert_allclose(rec["errors"]["m"], res.errors["m"])


def test_reproducer_of_a_divergence_reproduces_it(capsys) -> None:
    bad = torch_impl(gpu.OPTIMIZERS["lion"], label="gpu.lion.Lion")
    res = compare(bad, "lion", {"lr": 1e-3, "beta2": 0.5}, impl_kwargs={"beta2": 0.6}, steps=20)
    assert res.verdict == "diverges at step 1"
    assert res.reproducer.startswith("python -m reference.oracle torch:gpu.lion:")
    assert main(shlex.split(res.reproducer)[3:]) == 1
    assert f"first divergence: {res.divergence}" in capsys.readouterr().out


def test_impl_defaults_are_recorded() -> None:
    """What the implementation keeps at its own default is listed (torch.optim.AdamW: amsgrad)."""
    res = compare(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1}, steps=5)
    assert res.impl_defaults == {"amsgrad": False}
    assert "left at the implementation's default: amsgrad=False" in str(res)


def test_default_dtype_is_restored() -> None:
    before = torch.get_default_dtype()
    compare(torch.optim.Adam, "adam", {"lr": 1e-3}, steps=3)
    compare(torch.optim.Adam, "adam", {"lr": 1e-3}, steps=3, dtype="bfloat16")
    assert torch.get_default_dtype() == before


def test_gradients_given_are_fresh_arrays() -> None:
    """An implementation that modifies p.grad in place does not corrupt the stream (SAM's second call
    sees the same sample)."""
    class Negating(torch.optim.SGD):
        @torch.no_grad()
        def step(self, closure=None):  # type: ignore[override]
            for g in self.param_groups:
                for p in g["params"]:
                    p.grad.neg_().neg_()
            return super().step(closure)

    assert compare(Negating, "sgdm", {"lr": 1e-2, "beta": 0.9, "convention": "torch"}).matches
