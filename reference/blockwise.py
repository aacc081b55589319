"""Blockwise adaptivity (adamlinf): adasgd (Alg. 2) and blockwise_adam (Alg. 3).

Blockwise Adam with partition Phi: [d] -> [B] (block b has d_b coordinates), t = 1, 2, ...::

    m_{t,i} = beta1 m_{t-1,i} + (1 - beta1) g_{t,i}
    v_{t,b} = beta2 v_{t-1,b} + (1 - beta2) sum_{Phi(i)=b} g_{t,i}^2 / d_b        (v_{0,b} = v0)
    x_{t,i} = x_{t-1,i} - eta_t m_{t,i} / sqrt(v_{t,Phi(i)} + eps)

``Phi(i) = i`` gives adamlinf's Adam (Alg. 1: no bias correction, eps inside the sqrt) and
``Phi(i) = 1`` gives AdaSGD (Alg. 2, ``v_t`` one scalar per run).  0/0 := 0.  ``v`` has shape
``(..., B)``; blocks are numbered by ``np.unique`` of the given ids (ids need not be contiguous).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .algorithm import ratio
from .declaration import BLOCK, RUN, Conventions, Declaration, Example, Step
from .hyperparams import NONNEG, UNIT, Hyperparams, LearningRate, block_ids, learning_rate, param
from .registry import register

__all__ = ["BlockState", "AdaSGDParams", "BlockwiseAdamParams", "adasgd", "blockwise_adam", "Partition",
           "partition"]

_LR_DOC = "learning rate gamma/eta: float > 0 or schedule t -> lr_t"


class BlockState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    direction: np.ndarray


class Partition(NamedTuple):
    """A partition of ``[d]``: ``index[i]`` is the (compacted) block of coordinate i."""

    index: np.ndarray  # (d,) block of each coordinate, values 0..B-1
    order: np.ndarray  # (d,) coordinates sorted by block (stable)
    starts: np.ndarray  # (B,) start of each block in ``order``
    sizes: np.ndarray  # (B,) d_b

    def block_mean(self, y: np.ndarray) -> np.ndarray:
        """``(sum_{Phi(i)=b} y_i) / d_b`` over the last axis, shape ``(..., B)``."""
        sums = np.add.reduceat(y[..., self.order], self.starts, axis=-1)
        return sums / self.sizes.astype(sums.dtype)  # int64 sizes would promote float32 to float64

    def expand(self, vb: np.ndarray) -> np.ndarray:
        """Broadcast a per-block array ``(..., B)`` back to coordinates ``(..., d)``."""
        return vb[..., self.index]


def partition(blocks: np.ndarray) -> Partition:
    """Build a :class:`Partition` from per-coordinate block ids."""
    _, index = np.unique(blocks, return_inverse=True)
    order = np.argsort(index, kind="stable")
    sizes = np.bincount(index)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return Partition(index.reshape(-1), order, starts, sizes)


class AdaSGDParams(Hyperparams):
    """AdaSGD's (adamlinf Algorithm 2)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    beta1: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.99, check=UNIT, doc="EMA coefficient of ||g||^2/d in [0, 1)")
    eps: float = param(default=0.0, check=NONNEG, doc="epsilon >= 0 inside the square root (adamlinf Alg. 2)")
    v0: float = param(default=0.0, check=NONNEG, doc="initial value v_0 >= 0")


class BlockwiseAdamParams(Hyperparams):
    """Blockwise Adam's (adamlinf Algorithm 3)."""

    lr: LearningRate = param(check=learning_rate, doc=_LR_DOC)
    blocks: Any = param(check=block_ids, doc="block id Phi(i) of every coordinate i", per_coordinate=True)
    beta1: float = param(default=0.9, check=UNIT, doc="momentum coefficient beta1 in [0, 1)")
    beta2: float = param(default=0.99, check=UNIT, doc="EMA coefficient of the block mean of g^2, in [0, 1)")
    eps: float = param(default=0.0, check=NONNEG, doc="epsilon >= 0 inside the square root (adamlinf Alg. 3)")
    v0: float = param(default=0.0, check=NONNEG, doc="initial value v_0 >= 0 of every block")


def _init(x: np.ndarray, hp: AdaSGDParams | BlockwiseAdamParams) -> BlockState:
    blocks = hp.get("blocks")
    if blocks is not None and x.shape[-1] != blocks.size:
        raise ValueError(f"blockwise_adam: blocks has {blocks.size} entries but x has d = {x.shape[-1]} coordinates")
    n_blocks = 1 if blocks is None else _partition_of(hp).sizes.size
    z = np.zeros_like(x)
    v = np.full(x.shape[:-1] + (n_blocks,), hp.v0, dtype=x.dtype)
    return BlockState(t=0, m=z, v=v, direction=z.copy())


def _partition_of(hp: Any) -> Partition:
    """:func:`partition` of ``hp.blocks``, computed once per hyperparameter record."""
    return hp.cached("partition", lambda: partition(hp.blocks))  # type: ignore[no-any-return]


def update(g: np.ndarray, state: BlockState, hp: AdaSGDParams | BlockwiseAdamParams, step: Step) -> BlockState:
    """The module docstring's update; AdaSGD: one block, ``v`` broadcasts over the coordinates."""
    beta1, beta2 = hp.beta1, hp.beta2
    m = beta1 * state.m + (1.0 - beta1) * g
    blocks = hp.get("blocks")
    if blocks is None:
        # the mean of g^2 over the run's d coordinates (a run with d = 0 has mean 0, not 0/0)
        v = beta2 * state.v + (1.0 - beta2) * (np.sum(g * g, axis=-1, keepdims=True) / max(g.shape[-1], 1))
        v_coord = v
    else:
        part = _partition_of(hp)
        v = beta2 * state.v + (1.0 - beta2) * part.block_mean(g * g)
        v_coord = part.expand(v)
    return BlockState(step.t, m, v, ratio(m, np.sqrt(v_coord + hp.eps)))


ADASGD = register(Declaration(
    name="adasgd", hyperparams=AdaSGDParams, state=BlockState, init=_init, update=update,
    doc="AdaSGD (adamlinf Algorithm 2): one adaptive scale ``v_t`` per run, from ``||g_t||^2 / d``.",
    scope=RUN, reduction=RUN, torch="gpu.blockwise:AdaSGD",
    # Adam-mini's per-tensor second moment (adam-mini: vmean, pytorch-optimizer AdamMini: v_mean)
    conventions=Conventions(buffers={"vmean": "v", "v_mean": "v"}, norm_scope="tensor"),
    examples=(Example("adasgd", {"lr": 0.1}), Example("adasgd_eps_v0", {"lr": 0.1, "eps": 1e-6, "v0": 0.5})),
))
adasgd = ADASGD.factory

BLOCKWISE_ADAM = register(Declaration(
    name="blockwise_adam", hyperparams=BlockwiseAdamParams, state=BlockState, init=_init, update=update,
    doc="Blockwise Adam (adamlinf Algorithm 3) for any partition given as block ids.",
    scope=BLOCK, reduction=BLOCK, torch="gpu.blockwise:BlockwiseAdam",
    examples=(Example("blockwise_adam", {"lr": 0.1, "blocks": [3, 0, 3, 1, 0, 3, 1]}),),
))
blockwise_adam = BLOCKWISE_ADAM.factory
