"""Blockwise adaptivity (adamlinf): AdaSGD (Algorithm 2) and BlockwiseAdam (Algorithm 3).

With a partition Phi of a parameter's coordinates into blocks (block b has d_b coordinates)::

    m_{t,i} = beta1 m_{t-1,i} + (1 - beta1) g_{t,i}
    v_{t,b} = beta2 v_{t-1,b} + (1 - beta2) sum_{Phi(i)=b} g_{t,i}^2 / d_b        (v_{0,b} = v0)
    x_{t,i} = x_{t-1,i} - lr_t m_{t,i} / sqrt(v_{t,Phi(i)} + eps)                 (0/0 := 0)

* ``BlockwiseAdam``: the group option ``blocks`` is ``None`` (default: each parameter tensor is
  one block) or a list aligned with the group's ``params`` whose entries are ``None`` (one
  block) or an integer tensor/array of block ids, one per element of that parameter (its shape
  or flattened; any non-negative ids, numbered by ``unique`` as the reference's ``partition``).
  Each parameter is one reference run with its own partition.  State: ``'m'``, ``'v'`` (one
  entry per block, in ``unique`` order), ``'index'`` (int64 block of each element; absent for a
  one-block tensor), ``'step'``.  ``blocks`` given to the constructor applies to every group
  (meant for a single list of parameters); with several groups give it per group.
* ``AdaSGD``: one scalar ``v`` per tensor (``norm_scope='tensor'``, ``'v'`` is 0-dim) or one per
  group (``'group'``: ``||g||^2 / d`` over all the group's tensors; every tensor holds the same
  0-dim ``'v'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from reference.hyperparams import SPECS

from . import distributed as dist
from ._common import Batch, NormScoped, ReferenceOptimizer, ema_, for_each, foreach_ema_, foreach_ratio, scalar, \
    state_dtype

__all__ = ["AdaSGD", "BlockwiseAdam", "first_moment_kernel", "adaptive_kernel"]


def first_moment_kernel(ms: Sequence[Tensor], gs: Sequence[Tensor], *, beta1: float) -> None:
    """``m <- beta1 m + (1 - beta1) g`` on tensor lists."""
    foreach_ema_(ms, beta1, gs)


def adaptive_kernel(xs: Sequence[Tensor], ms: Sequence[Tensor], v_coord: Sequence[Tensor], lrs: Sequence[float], *,
                    eps: float) -> None:
    """``x <- x - lr m / sqrt(v + eps)`` on tensor lists, ``v`` broadcast to the coordinates."""
    den = torch._foreach_sqrt(torch._foreach_add(list(v_coord), eps))
    torch._foreach_sub_(xs, torch._foreach_mul(foreach_ratio(ms, den), scalar(lrs)))


class AdaSGD(NormScoped):
    """AdaSGD (adamlinf Algorithm 2): one adaptive scale per tensor or per group."""

    spec = "adasgd"
    nonnegative: ClassVar[tuple[str, ...]] = ("v",)
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "adasgd": dict(lr=1e-3),
        "adasgd_group": dict(lr=1e-3, eps=1e-8, v0=1e-4, norm_scope="group"),
    }

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "v": dist.full_like_replicated(p, (), group["v0"], state_dtype(p.dtype))}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta2 = group["beta2"]
        for_each(impl, first_moment_kernel, batch.buf("m"), batch.gs, beta1=group["beta1"])
        # sums of squares of the logical tensors (all-reduced over the shards of DTensors)
        sq = dist.reduce_sums([torch.sum(g * g) for g in batch.gs], batch.params)
        numel = [p.numel() for p in batch.params]  # logical sizes
        if group["norm_scope"] == "group":
            total = torch.sum(torch.stack([s.to(sq[0].device) for s in sq]))
            mean = [total / max(sum(numel), 1)] * len(sq)  # an empty group or tensor has mean 0, not 0/0
        else:
            mean = [s / max(d, 1) for s, d in zip(sq, numel)]
        vs = batch.buf("v")
        for v, y in zip(vs, mean):
            ema_(v, beta2, y.to(v.device))
        for_each(impl, adaptive_kernel, batch.xs, batch.buf("m"), vs, batch.lrs, eps=group["eps"])


def _partition(ids: Tensor) -> tuple[Tensor, Tensor]:
    """``(index, sizes)``: compacted block of every element (``unique`` order) and block sizes."""
    _, index = torch.unique(ids.reshape(-1), return_inverse=True)
    return index.to(torch.int64), torch.bincount(index)


class BlockwiseAdam(ReferenceOptimizer):
    """Blockwise Adam (adamlinf Algorithm 3) with a partition per parameter tensor."""

    spec = "blockwise_adam"
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "blockwise_adam": dict(lr=1e-3, eps=1e-10, blocks=[np.array([0, 0, 1, 1, 1, 2, 7, 7, 7, 7, 2, 0]), None,
                                                           np.arange(8) % 3]),
        "blockwise_adam_tensor": dict(lr=1e-3, beta2=0.9, v0=1e-6),
    }

    def __init__(self, params: Any, *, blocks: Sequence[Any] | None = None, **kwargs: Any) -> None:
        self._default_blocks = blocks
        super().__init__(params, **kwargs)

    nonnegative: ClassVar[tuple[str, ...]] = ("v",)

    def _group_extras(self, group: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        return {"blocks": self._check_blocks(group["params"], given.get("blocks", getattr(self, "_default_blocks", None)))}

    def _group_keys(self) -> tuple[str, ...]:
        return ("blocks",)

    def _checked_group_keys(self, group: dict[str, Any], ours: dict[str, Any], index: int) -> dict[str, Any]:
        return {"blocks": self._check_blocks(ours["params"], group.get("blocks", ours["blocks"]))}

    def _check_blocks(self, params: Sequence[Tensor], blocks: Sequence[Any] | None) -> list[Tensor | None]:
        if blocks is None:
            return [None] * len(params)
        if isinstance(blocks, (list, tuple)) and len(blocks) == len(params) and all(b is None for b in blocks):
            return [None] * len(params)
        if isinstance(blocks, (Tensor, np.ndarray)) or len(blocks) != len(params):
            raise ValueError(f"{self.spec}: blocks must be None or a list with one entry (None or block ids) "
                             f"per parameter of the group ({len(params)} parameters)")
        out: list[Tensor | None] = []
        for p, ids in zip(params, blocks):
            if ids is None:
                out.append(None)
                continue
            arr = np.asarray(ids.detach().cpu() if isinstance(ids, Tensor) else ids)
            if arr.size != p.numel():
                raise ValueError(f"{self.spec}: a parameter with {p.numel()} elements got {arr.size} block ids")
            checked = SPECS[self.spec]["blocks"].check(self.spec, "blocks", arr.reshape(-1))
            out.append(torch.as_tensor(np.array(checked)))
        return out

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        ids = group["blocks"][next(i for i, q in enumerate(group["params"]) if q is p)]
        sd = state_dtype(p.dtype)
        if ids is None:  # one block: no index needed
            return {"m": self._zeros(p), "v": dist.full_like_replicated(p, (1,), group["v0"], sd)}
        index, sizes = _partition(ids)
        v = dist.full_like_replicated(p, (sizes.numel(),), group["v0"], sd)
        # a DTensor parameter's index is laid out as the parameter (each rank: its elements' blocks)
        index = dist.local_slice(index, p) if dist.is_dtensor(p) else index.to(p.device)
        return {"m": self._zeros(p), "v": v, "index": index}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, first_moment_kernel, batch.buf("m"), batch.gs, beta1=group["beta1"])
        # per block: the sum of g^2 and the size, over the local elements, then (DTensors) over
        # the shards -- a block may straddle shard boundaries
        sums, likes = [], []
        for g, p, st in zip(batch.gs, batch.params, batch.states):
            v, index = dist.local(st["v"]), st.get("index")
            if index is None:
                sums += [torch.sum(g * g).reshape(1)]
                likes += [p]
                continue
            index = dist.local(index).reshape(-1)
            sums += [torch.zeros_like(v).index_add_(0, index, (g * g).reshape(-1)),
                     torch.bincount(index, minlength=v.numel()).to(v.dtype)]
            likes += [p, p]
        sums = dist.reduce_sums(sums, likes)
        v_coord, k = [], 0
        for g, p, st in zip(batch.gs, batch.params, batch.states):
            v, index = dist.local(st["v"]), st.get("index")
            if index is None:
                ema_(v, group["beta2"], sums[k] / max(p.numel(), 1))  # an empty tensor: mean 0, not 0/0
                v_coord.append(v.reshape(()) if g.dim() == 0 else v)  # broadcasts (a 0-dim parameter: 0-dim)
                k += 1
                continue
            ema_(v, group["beta2"], sums[k] / sums[k + 1])
            v_coord.append(v[dist.local(index).reshape(-1)].view_as(g))
            k += 2
        for_each(impl, adaptive_kernel, batch.xs, batch.buf("m"), v_coord, batch.lrs, eps=group["eps"])
