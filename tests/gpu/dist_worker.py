"""Worker of ``test_distributed``: one gloo rank running every gpu optimizer sharded and unsharded.

Each rank holds the unsharded parameters (plain tensors) and their DTensor twins (placements per
world size, below), feeds both the same gradients (the sharded side gets its local part of the
same full gradient; closure methods evaluate ``a (x - c) + xi_t`` elementwise on their own
parameters) and records, per step, ``||x_shard - x_full[shard]||_inf / Q_t`` for the parameters
and every floating state buffer (``Q_t``: running max of the unsharded quantity's inf-norm).
The per-rank maxima go to ``<out>/rank<r>.json``.  World 2 also trains a small MLP under FSDP2
(``fully_shard``) against the unsharded model, and round-trips the optimizer state through
``torch.distributed.checkpoint`` (save, load into a fresh sharded model and optimizer, one more
step on both: identical parameters and state).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import numpy as np
import torch
import torch.distributed as tdist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import Replicate, Shard, distribute_tensor

import gpu
from gpu import distributed as D
from reference.registry import get

SHAPES = [(5, 3), (7,), (3, 2, 2)]  # 3 rows over 4 ranks: empty shards
STEPS = 6


def _blocks(example_blocks: list) -> list:
    """Block ids for :data:`SHAPES` that straddle every shard boundary (ids interleave along the
    sharded dimensions), in place of a parity example's ids (which are for tests/gpu/cases.SHAPES)."""
    return [np.arange(15) % 4, None, (np.arange(12) // 5)]


def cases() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(label, optimizer, hyperparameters, torch options): every gpu optimizer's parity examples."""
    out = []
    for name, cls in gpu.OPTIMIZERS.items():
        for label, example in cls.examples.items():
            hp = {k: v for k, v in example.items() if k not in ("norm_scope", "blocks")}
            opts = {k: v for k, v in example.items() if k == "norm_scope"}
            if "blocks" in example:
                opts["blocks"] = _blocks(example["blocks"])
            out.append((label, name, hp, opts))
    return out


CASES = cases()
QUADRATIC = {name for _, name, hp, _ in CASES if get(name).depends_on_x(hp)}


def placements(world: int, mesh: Any, j: int) -> list[Any]:
    """World 2: FSDP2's layout (Shard(0) on a 1-D mesh).  World 4: a 2 x 2 mesh, HSDP-like
    (Replicate, Shard(0)) and, for the matrix, (Shard(0), Shard(1)) (FSDP x TP-like)."""
    if mesh.ndim == 1:
        return [Shard(0)]
    return [Shard(0), Shard(1)] if j == 0 else [Replicate(), Shard(0)]


class _Data:
    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.x0, self.stream, self.a, self.c, self.xi = [], [], [], [], []
        for shape in SHAPES:
            d = int(np.prod(shape))
            self.x0.append(rng.normal(size=shape))
            scale = 10.0 ** rng.uniform(-3, 1, size=shape)
            self.stream.append((rng.normal(size=(STEPS, *shape)) + 0.3) * scale)
            self.a.append(rng.uniform(0.2, 1.0, size=shape))
            self.c.append(self.x0[-1] + np.where(rng.random(shape) < 0.5, -1.0, 1.0) * rng.uniform(2, 3, size=shape))
            self.xi.append(0.3 * rng.normal(size=(STEPS, *shape)))
            del d


def run_case(name: str, hp: dict[str, Any], opts: dict[str, Any], impl: str, mesh: Any, world: int,
             dtype: torch.dtype = torch.float64) -> dict[str, float]:
    """Max over steps of the normwise error per quantity (this rank's shards)."""
    data = _Data(seed=7)
    t = lambda a: torch.tensor(a, dtype=dtype)  # noqa: E731
    plain = [torch.nn.Parameter(t(x)) for x in data.x0]
    pls = [placements(world, mesh, j) for j in range(len(SHAPES))]
    shard = [torch.nn.Parameter(distribute_tensor(t(x), mesh, pl, src_data_rank=None)) for x, pl in zip(data.x0, pls)]
    kw = dict(hp, foreach=impl == "foreach", **{k: v for k, v in opts.items() if k != "blocks"})
    if "blocks" in opts:
        kw["blocks"] = [None if b is None else torch.as_tensor(b) for b in opts["blocks"]]
    cls = gpu.OPTIMIZERS[name]
    opt_p, opt_s = cls(plain, **kw), cls(shard, **kw)
    quad = name in QUADRATIC
    coef = [(t(a), t(c)) for a, c in zip(data.a, data.c)]
    coef_s = [(distribute_tensor(a, mesh, pl, src_data_rank=None), distribute_tensor(c, mesh, pl, src_data_rank=None))
              for (a, c), pl in zip(coef, pls)]
    errs: dict[str, float] = {}
    mags: dict[str, float] = {}
    for step in range(STEPS):
        for side, params, cf in (("p", plain, coef), ("s", shard, coef_s)):
            def grads(params=params, cf=cf, side=side) -> None:
                for j, p in enumerate(params):
                    if quad:
                        xi = t(data.xi[j][step])
                        if side == "s":
                            xi = distribute_tensor(xi, mesh, pls[j], src_data_rank=None)
                        p.grad = cf[j][0] * (p.detach() - cf[j][1]) + xi
                    else:
                        g = t(data.stream[j][step])
                        p.grad = g if side == "p" else distribute_tensor(g, mesh, pls[j], src_data_rank=None)
            grads()
            opt = opt_p if side == "p" else opt_s
            opt.step((lambda: (grads(), 0.0)[1]) if quad else None)
        for j, (p, s) in enumerate(zip(plain, shard)):
            pairs = [("x", p.detach(), s.detach())]
            pairs += [(k, v, opt_s.state[s][k]) for k, v in opt_p.state[p].items()
                      if isinstance(v, torch.Tensor) and v.is_floating_point()]
            for k, full, sh in pairs:
                key = f"{j}.{k}"
                mags[key] = max(mags.get(key, 0.0), float(full.abs().max()))
                mine = D.local(sh).double()
                ref = D.local(D.local_slice(full, sh)).double() if D.is_dtensor(sh) else full.double()
                diff = float((mine - ref).abs().max()) if mine.numel() else 0.0
                errs[key] = max(errs.get(key, 0.0), diff / mags[key] if mags[key] > 0 else (np.inf if diff else 0.0))
            assert opt_s.state[s]["step"] == opt_p.state[p]["step"] == step + 1
    return errs


FSDP_CASES = [("s3", dict(lr=1e-2, weight_decay=0.1), {}), ("sam", dict(lr=3e-3, rho=0.05), {}),
              ("nigt", dict(lr=1e-2, beta=0.5), {}), ("normalized_sgdm", dict(lr=1e-2), dict(norm_scope="group")),
              ("adasgd", dict(lr=1e-3), {}), ("blockwise_adam", dict(lr=1e-3), {})]
"""FSDP2 end to end (``fully_shard``, forward/backward through the sharded model)."""
DCP_CASES = ("s3", "sam", "nigt", "normalized_sgdm", "adasgd", "blockwise_adam")
"""Distributed-checkpoint round trip.  torch creates a fresh optimizer's state by ``step()``
without a closure, which the closure methods (SAM, NIGT) refuse: they take one training step
first (the load then overwrites parameters and state)."""


def _model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).double()


def _sharded(mesh: Any) -> torch.nn.Module:
    from torch.distributed.fsdp import fully_shard

    m = _model()
    for layer in (m[0], m[2]):
        fully_shard(layer, mesh=mesh)
    return fully_shard(m, mesh=mesh)


def _train_step(mod: torch.nn.Module, opt: torch.optim.Optimizer, name: str, X: torch.Tensor, Y: torch.Tensor) -> None:
    def closure() -> float:
        loss = ((mod(X) - Y) ** 2).mean()
        loss.backward()
        return float(loss.detach())

    opt.zero_grad(set_to_none=True)
    if name == "nigt":
        opt.step(closure)
        return
    closure()
    opt.step(closure if name in QUADRATIC else None)


def _max_err(plain: list[torch.Tensor], shard: list[torch.Tensor]) -> float:
    err = 0.0
    for p, s in zip(plain, shard):
        mine, ref = D.local(s.detach()), D.local(D.local_slice(p.detach(), s))
        if mine.numel():
            err = max(err, float((mine - ref).abs().max()) / max(float(p.abs().max()), 1e-300))
    return err


def fsdp_case(name: str, hp: dict[str, Any], opts: dict[str, Any], mesh: Any, ckpt: str) -> dict[str, float]:
    """FSDP2 vs unsharded per step (every rank feeds the same batch; world 2 averages g + g exactly),
    then (DCP_CASES) save, load into a fresh sharded model and optimizer, one more step on both."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

    g = torch.Generator().manual_seed(3)
    X, Y = torch.randn(8, 5, generator=g, dtype=torch.float64), torch.randn(8, 3, generator=g, dtype=torch.float64)
    cls = gpu.OPTIMIZERS[name]
    ref, m = _model(), _sharded(mesh)
    opt_r, opt_m = cls(ref.parameters(), **hp, **opts), cls(m.parameters(), **hp, **opts)
    res = {}
    for step in range(4):
        _train_step(ref, opt_r, name, X, Y)
        _train_step(m, opt_m, name, X, Y)
        res["x"] = max(res.get("x", 0.0), _max_err(list(ref.parameters()), list(m.parameters())))
    if name in DCP_CASES:
        msd, osd = get_state_dict(m, opt_m)
        dcp.save({"model": msd, "optim": osd}, checkpoint_id=ckpt)
        m2 = _sharded(mesh)
        opt2 = cls(m2.parameters(), **hp, **opts)
        if name in QUADRATIC:
            _train_step(m2, opt2, name, X, Y)
        msd2, osd2 = get_state_dict(m2, opt2)
        sd = {"model": msd2, "optim": osd2}
        dcp.load(sd, checkpoint_id=ckpt)
        set_state_dict(m2, opt2, model_state_dict=sd["model"], optim_state_dict=sd["optim"])
        _train_step(m, opt_m, name, X, Y)
        _train_step(m2, opt2, name, X, Y)
        res["dcp_x"] = _max_err(list(m.parameters()), list(m2.parameters()))
        for p, q in zip(m.parameters(), m2.parameters()):
            for k, v in opt_m.state[p].items():
                w = opt2.state[q][k]
                same = v == w if not isinstance(v, torch.Tensor) else torch.equal(D.local(v), D.local(w))
                res["dcp_state"] = max(res.get("dcp_state", 0.0), 0.0 if same else 1.0)
    return res


def main(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    tdist.init_process_group("gloo", rank=rank, world_size=world)
    mesh = init_device_mesh("cpu", (world,) if world == 2 else (2, 2))
    res: dict[str, Any] = {}
    for label, name, hp, opts in CASES:
        for impl in ("single", "foreach"):
            res[f"{label}/{impl}"] = run_case(name, hp, opts, impl, mesh, world)
    res["float32:s3/foreach"] = run_case("s3", dict(lr=1e-2), {}, "foreach", mesh, world, torch.float32)
    res["float32:normalized_sgdm/foreach"] = run_case("normalized_sgdm", dict(lr=1e-2), {}, "foreach", mesh, world,
                                                      torch.float32)
    if world == 2:
        for name, hp, opts in FSDP_CASES:
            res[f"fsdp:{name}"] = fsdp_case(name, hp, opts, mesh, os.path.join(out, f"ckpt_{name}"))
    # negative control: shard-local reductions (no all-reduce) must be detected
    real = D.reduce_sums
    D.reduce_sums = lambda sums, likes: list(sums)
    try:
        for label in ("normalized_sgdm", "blockwise_adam", "sam"):
            _, name, hp, opts = next(c for c in CASES if c[0] == label)
            res[f"control:{label}/single"] = run_case(name, hp, opts, "single", mesh, world)
    finally:
        D.reduce_sums = real
    with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
        json.dump(res, f)
    tdist.barrier()
    tdist.destroy_process_group()


if __name__ == "__main__":  # pragma: no cover - manual runs
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
