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

from .algorithm import Algorithm, Oracle, as_float_array, check_shape, factory, lr_at, oracle_gradient, ratio

__all__ = ["BlockState", "adasgd", "blockwise_adam", "Partition", "partition"]


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


def _blockwise(name: str, hp: Any, blocks: np.ndarray | None) -> Algorithm:
    beta1, beta2 = hp["beta1"], hp["beta2"]
    part = None if blocks is None else partition(blocks)
    n_blocks = 1 if part is None else part.sizes.size

    def init(x0: Any) -> BlockState:
        x = as_float_array(x0)
        if blocks is not None and x.shape[-1] != blocks.size:
            raise ValueError(f"{name}: blocks has {blocks.size} entries but x has d = {x.shape[-1]} coordinates")
        z = np.zeros_like(x)
        v = np.full(x.shape[:-1] + (n_blocks,), hp["v0"], dtype=x.dtype)
        return BlockState(t=0, m=z, v=v, direction=z.copy())

    def step(x: np.ndarray, state: BlockState, oracle: Oracle) -> tuple[np.ndarray, BlockState]:
        check_shape(name, x, state)
        t = state.t + 1
        g = oracle_gradient(name, oracle, x)
        m = beta1 * state.m + (1.0 - beta1) * g
        if part is None:  # AdaSGD: one block, v broadcasts over the coordinates
            v = beta2 * state.v + (1.0 - beta2) * (np.sum(g * g, axis=-1, keepdims=True) / x.shape[-1])
            v_coord = v
        else:
            v = beta2 * state.v + (1.0 - beta2) * part.block_mean(g * g)
            v_coord = part.expand(v)
        d = ratio(m, np.sqrt(v_coord + hp["eps"]))
        return x - lr_at(name, hp["lr"], t) * d, BlockState(t, m, v, d)

    return Algorithm(name, hp, init, step)


@factory("adasgd")
def adasgd(hp: Any) -> Algorithm:
    """AdaSGD (adamlinf Algorithm 2): one adaptive scale ``v_t`` per run, from ``||g_t||^2 / d``."""
    return _blockwise("adasgd", hp, None)


@factory("blockwise_adam")
def blockwise_adam(hp: Any) -> Algorithm:
    """Blockwise Adam (adamlinf Algorithm 3) for any partition given as block ids."""
    return _blockwise("blockwise_adam", hp, hp["blocks"])
