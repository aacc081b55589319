"""torch.optim conventions of the gpu optimizers: hyperparameters from reference.hyperparams,
options, param groups, closures, dtypes, autograd end to end."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import gpu  # noqa: E402
import reference as R  # noqa: E402
from reference.hyperparams import REQUIRED, SPECS  # noqa: E402

NAMES = sorted(gpu.OPTIMIZERS)
CLOSURE = {n for n in NAMES if R.registry.get(n).x_dependent is True}  # closure-based steps


def _param(*shape: int, dtype: torch.dtype = torch.float32) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.randn(*shape, dtype=dtype))


def _lr(name: str) -> dict:
    return {"lr": 0.01}


@pytest.mark.parametrize("name", NAMES)
def test_defaults_and_signature_come_from_the_reference_table(name: str) -> None:
    opt = gpu.OPTIMIZERS[name]([_param(3)], **_lr(name))
    sig = inspect.signature(gpu.OPTIMIZERS[name])
    for k, p in SPECS[name].items():
        if k in ("lr", "blocks"):
            continue
        assert opt.defaults[k] == p.default, k
        assert sig.parameters[k].default == p.default, k
    assert "foreach" in sig.parameters and "maximize" in sig.parameters
    assert f"SPECS[{name!r}]" in (gpu.OPTIMIZERS[name].__doc__ or "")


@pytest.mark.parametrize("name", NAMES)
def test_invalid_hyperparameters_raise_the_reference_error(name: str) -> None:
    cls, factory = gpu.OPTIMIZERS[name], R.ALGORITHMS[name]
    extra = {k: [0, 0, 0] for k, p in SPECS[name].items() if p.per_coordinate}
    for bad in ({"lr": -1.0}, {"lr": float("nan")}):
        with pytest.raises(ValueError) as ours:
            cls([_param(3)], **bad)
        with pytest.raises(ValueError) as theirs:
            factory(**bad, **extra)
        assert str(ours.value) == str(theirs.value)
    numeric = [k for k, p in SPECS[name].items() if isinstance(p.default, float) and k != "lr"]
    for k in numeric:
        with pytest.raises(ValueError) as ours:
            cls([_param(3)], lr=0.01, **{k: -5.0})
        with pytest.raises(ValueError) as theirs:
            factory(lr=0.01, **{k: -5.0}, **extra)
        assert str(ours.value) == str(theirs.value)


def test_unknown_and_missing_hyperparameters() -> None:
    with pytest.raises(TypeError, match="unexpected"):
        gpu.S3([_param(3)], betas=(0.9, 0.9))
    assert SPECS["signsgd"]["lr"].default is REQUIRED
    with pytest.raises(TypeError, match="missing required hyperparameter 'lr'"):
        gpu.SignSGD([_param(3)])
    opt = gpu.SignSGD([{"params": [_param(3)], "lr": 0.1}, {"params": [_param(2)], "lr": 0.2}])
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]


def test_param_groups_are_validated() -> None:
    opt = gpu.S3([_param(3)], lr=0.01)
    with pytest.raises(ValueError, match="beta must be"):
        opt.add_param_group({"params": [_param(2)], "beta": 1.0})
    opt.add_param_group({"params": [_param(2)], "beta": 0.5, "p": 2})
    assert opt.param_groups[-1]["p"] == 2.0 and opt.param_groups[-1]["lr"] == 0.01


def test_torch_options_are_validated() -> None:
    with pytest.raises(ValueError, match="foreach"):
        gpu.Lion([_param(3)], foreach="yes")
    with pytest.raises(ValueError, match="norm_scope"):
        gpu.NormalizedSGDM([_param(3)], lr=0.1, norm_scope="layer")
    with pytest.raises(RuntimeError, match="cannot be `True` together"):
        gpu.S3([_param(3)], fused=True, foreach=True)
    with pytest.raises(TypeError):
        gpu.Lion([_param(3)], fused=True)  # only S3 has a fused path


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU refusal of fused=True")
def test_fused_requires_cuda_or_the_interpreter() -> None:
    from gpu import fused_s3

    if fused_s3.available() and fused_s3.interpreting():
        pytest.skip("TRITON_INTERPRET=1: CPU tensors are accepted")
    with pytest.raises(RuntimeError, match="fused=True|Triton"):
        gpu.S3([_param(3)], fused=True)


def test_default_path_follows_torch() -> None:
    """foreach=None: the for-loop on CPU, foreach on CUDA (torch's _default_to_fused_or_foreach)."""
    opt = gpu.S3([_param(3)])
    group = opt.param_groups[0]
    from gpu._common import Batch

    assert opt._implementation(group, Batch([_param(3)], [], [], [], [], [])) == "single"
    if torch.cuda.is_available():
        p = _param(3).cuda()
        assert opt._implementation(group, Batch([p], [], [], [], [], [])) == "foreach"


@pytest.mark.parametrize("name", sorted(CLOSURE))
def test_closure_methods_require_a_closure(name: str) -> None:
    p = _param(3)
    p.grad = torch.ones(3)
    with pytest.raises(RuntimeError, match="closure"):
        gpu.OPTIMIZERS[name]([p], lr=0.01).step()


def test_sam_closure_must_reproduce_gradients() -> None:
    a, b = _param(3), _param(2)
    a.grad, b.grad = torch.ones(3), torch.ones(2)
    opt = gpu.SAM([a, b], lr=0.1)

    def closure() -> float:
        a.grad = torch.ones(3)
        return 0.0

    with pytest.raises(RuntimeError, match="no gradient"):
        opt.step(closure)


def test_sparse_gradients_are_rejected() -> None:
    p = _param(4)
    p.grad = torch.eye(4)[0].to_sparse()
    with pytest.raises(RuntimeError, match="sparse"):
        gpu.S3([p]).step()


def test_blockwise_partition_validation() -> None:
    p = _param(2, 3)
    with pytest.raises(ValueError, match="block ids"):
        gpu.BlockwiseAdam([p], lr=0.1, blocks=[np.arange(5)])
    with pytest.raises(ValueError, match="non-negative integer"):
        gpu.BlockwiseAdam([p], lr=0.1, blocks=[np.array([0, 1, -1, 0, 1, 1])])
    with pytest.raises(ValueError, match="one entry"):
        gpu.BlockwiseAdam([p], lr=0.1, blocks=np.arange(6))
    opt = gpu.BlockwiseAdam([p], lr=0.1, blocks=[torch.tensor([[5, 5, 9], [9, 9, 5]])])
    p.grad = torch.ones(2, 3)
    opt.step()
    assert opt.state[p]["v"].shape == (2,)
    assert opt.state[p]["index"].tolist() == [0, 0, 1, 1, 1, 0]


def test_non_contiguous_parameter() -> None:
    """A transposed (non-contiguous) parameter is updated like its contiguous copy."""
    base = torch.randn(4, 3, dtype=torch.float64)
    p, q = torch.nn.Parameter(base.t()), torch.nn.Parameter(base.t().contiguous())
    assert not p.is_contiguous()
    ga = torch.randn(3, 4, dtype=torch.float64)
    for foreach in (False, True):
        o1, o2 = gpu.S3([p], foreach=foreach), gpu.S3([q], foreach=foreach)
        for _ in range(3):
            p.grad, q.grad = ga.clone(), ga.clone()
            o1.step()
            o2.step()
        assert torch.equal(p, q)


def _regression() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    x, y = torch.randn(16, 4, dtype=torch.float64), torch.randn(16, 1, dtype=torch.float64)
    return model, x, y


def _flat_grad_oracle(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor):  # type: ignore[no-untyped-def]
    """The reference's oracle for the model: gradient of the loss at a flat parameter vector."""
    params = list(model.parameters())
    sizes = [p.numel() for p in params]

    def grad(flat: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            backup = [p.detach().clone() for p in params]
            for p, chunk in zip(params, np.split(flat, np.cumsum(sizes)[:-1])):
                p.copy_(torch.from_numpy(chunk.copy()).reshape(p.shape))
        model.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        out = np.concatenate([p.grad.detach().numpy().reshape(-1) for p in params])
        with torch.no_grad():
            for p, b in zip(params, backup):
                p.copy_(b)
        return out

    return grad


def _flat(model: torch.nn.Module) -> np.ndarray:
    return np.concatenate([p.detach().numpy().reshape(-1) for p in model.parameters()])


@pytest.mark.parametrize("name,hp", [("sam", dict(lr=0.05, rho=0.05, beta=0.5)),
                                     ("adasam", dict(lr=0.01, rho=0.05)),
                                     ("nigt", dict(lr=0.01, beta=0.5))])
def test_closure_optimizers_end_to_end_with_autograd(name: str, hp: dict) -> None:
    """A real model and closure; the reference twin runs on the flattened parameter vector
    (norm_scope='group') with an oracle that calls the same model's autograd."""
    model, x, y = _regression()
    oracle = _flat_grad_oracle(model, x, y)
    alg = R.ALGORITHMS[name](**hp)
    w = _flat(model)
    state = alg.init(w)
    opt = gpu.OPTIMIZERS[name](model.parameters(), norm_scope="group", **hp)

    def closure() -> torch.Tensor:
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        return loss

    losses = []
    for _ in range(25):
        if name != "nigt":
            opt.zero_grad()
            closure()
        losses.append(float(opt.step(closure).detach()))
        w, state = alg.step(w, state, oracle)
        np.testing.assert_allclose(_flat(model), w, rtol=1e-12, atol=1e-14)
    assert losses[-1] < losses[0]
