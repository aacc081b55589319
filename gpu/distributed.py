"""The ``gpu`` optimizers under ``torch.distributed``: DTensor parameters (FSDP2 ``fully_shard``,
tensor parallelism), with every reduction taken over the *logical* tensor.

Convention.  A parameter may be a ``torch.distributed.tensor.DTensor`` (any device mesh;
placements ``Shard(d)``, FSDP2's ``_StridedShard`` and ``Replicate``).  Its state buffers are
DTensors with the parameter's placements (``torch.zeros_like``), so ``state_dict``, FSDP2's
``get_optimizer_state_dict`` and ``torch.distributed.checkpoint`` see them as torch's own
optimizers' state.  The update itself runs on the local tensors (:func:`local`): every
elementwise operation is the unsharded one applied to the local elements, so elementwise methods
compute on each element exactly what they compute unsharded.  What is *not* local is a reduction
over a tensor (a norm, a sum of squares, the sums of a block):

    sum_{i in tensor} y_i = sum_{ranks r} sum_{i in shard r} y_i

:func:`reduce_sums` takes the per-rank partial sums and all-reduces them over the mesh dimensions
on which the tensor is sharded (not over replicated ones: the replicas hold the same elements),
one collective per (mesh, placements) class, in torch's own way (a ``Partial`` DTensor
redistributed to ``Replicate``, as ``full_tensor`` does for ``clip_grad_norm_``'s norms).  So a
per-tensor norm is the norm of the whole logical tensor, a ``norm_scope='group'`` norm that of
the group's logical tensors, and a BlockwiseAdam block the block's logical elements wherever
the shard boundaries cut it.  Only the summation order differs from the unsharded run (local sums
then the all-reduce), hence rounding at the level of the ``gamma_{n-1}`` term R6 of
``gpu.tolerances``.

Plain tensors pass through every function here unchanged (no communication), so the unsharded
behaviour is exactly that of before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

__all__ = ["is_dtensor", "local", "zeros_like", "full_like_replicated", "local_slice", "reduce_sums"]

try:  # torch.distributed may be absent (some builds) or unusable: then nothing is a DTensor
    from torch.distributed.tensor import DTensor, Replicate, distribute_tensor
    from torch.distributed.tensor.placement_types import Partial
except ImportError:  # pragma: no cover - depends on the torch build
    DTensor = None  # type: ignore[assignment,misc]


def is_dtensor(t: Any) -> bool:
    """Whether ``t`` is a ``DTensor``."""
    return DTensor is not None and isinstance(t, DTensor)


def local(t: Tensor) -> Tensor:
    """The local tensor of a DTensor (sharing its storage: in-place updates reach the DTensor);
    a plain tensor itself."""
    if is_dtensor(t):
        return t._local_tensor if not torch.is_grad_enabled() else t.to_local()
    return t


def zeros_like(p: Tensor, dtype: torch.dtype) -> Tensor:
    """A zero state buffer with the layout of ``p`` (a DTensor with ``p``'s placements for a
    DTensor ``p``; contiguous)."""
    if is_dtensor(p):
        return torch.zeros_like(p, dtype=dtype, memory_format=torch.contiguous_format)
    return torch.zeros(p.shape, dtype=dtype, device=p.device)


def full_like_replicated(p: Tensor, shape: Sequence[int], value: float, dtype: torch.dtype) -> Tensor:
    """A state tensor of ``shape`` filled with ``value`` that is the same on every rank (a
    ``Replicate`` DTensor on ``p``'s mesh for a DTensor ``p``): per-tensor or per-block scalars."""
    t = torch.full(tuple(shape), value, dtype=dtype, device=p.device if not is_dtensor(p) else local(p).device)
    if is_dtensor(p):
        mesh = p.device_mesh
        return DTensor.from_local(t, mesh, [Replicate()] * mesh.ndim, run_check=False)
    return t


def local_slice(full: Tensor, p: Tensor) -> Tensor:
    """``full`` (the logical tensor's shape, or flattened) laid out as ``p``: a DTensor with
    ``p``'s placements holding this rank's part (cut locally, no communication), or ``full``
    reshaped to ``p``'s shape for a plain ``p``."""
    full = full.reshape(p.shape)
    if is_dtensor(p):
        return distribute_tensor(full.to(local(p).device), p.device_mesh, p.placements, src_data_rank=None)
    return full


def _partial_placements(p: Tensor) -> tuple[Any, ...]:
    return tuple(Partial() if pl.is_shard() else Replicate() for pl in p.placements)


def reduce_sums(sums: Sequence[Tensor], likes: Sequence[Tensor]) -> list[Tensor]:
    """The sums over the logical tensors from per-rank partial sums.

    ``sums[i]`` is a plain tensor (any shape, e.g. 0-dim or one entry per block) summed over the
    local elements of ``likes[i]``; returned: the same summed over every shard of ``likes[i]``
    (all-reduce over the mesh dimensions where ``likes[i]`` is sharded), a plain tensor equal on
    all ranks.  Entries whose ``likes[i]`` is a plain tensor are returned as they are.  One
    collective per distinct (mesh, placements) class.
    """
    out = list(sums)
    classes: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(likes):
        if is_dtensor(p):
            classes.setdefault((p.device_mesh, _partial_placements(p), sums[i].dtype, sums[i].device), []).append(i)
    for (mesh, placements, _, _), idx in classes.items():
        if not any(pl.is_partial() for pl in placements):  # fully replicated: nothing to sum
            continue
        flat = torch.cat([sums[i].reshape(-1) for i in idx])
        total = DTensor.from_local(flat, mesh, placements, run_check=False).full_tensor()
        offset = 0
        for i in idx:
            k = sums[i].numel()
            out[i] = total[offset:offset + k].reshape(sums[i].shape)
            offset += k
    return out
