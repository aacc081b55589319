"""Lion (Chen et al. 2023; s3 Sec. 5 baseline), the form of ``reference.lion``.

Step t = 1, 2, ... (``sign(0) = 0``)::

    c_t = beta1 m_{t-1} + (1 - beta1) g_t
    m_t = beta2 m_{t-1} + (1 - beta2) g_t
    x_{t+1} = x_t (1 - lr_t wd) - lr_t sign(c_t)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from ._common import Batch, ReferenceOptimizer, for_each, foreach_decoupled_update, foreach_ema_, foreach_sign, \
    scalar

__all__ = ["Lion", "lion_kernel"]


def lion_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], lrs: Sequence[float], *,
                beta1: float, beta2: float, weight_decay: float) -> None:
    """Lion on tensor lists, in place (``reference.lion``)."""
    c = torch._foreach_add(torch._foreach_mul(ms, beta1), torch._foreach_mul(gs, 1.0 - beta1))
    d = foreach_sign(c)
    foreach_ema_(ms, beta2, gs)
    foreach_decoupled_update(xs, d, scalar(lrs), weight_decay)


class Lion(ReferenceOptimizer):
    """Lion; see the module docstring.  State: ``'m'``, ``'step'``."""

    spec = "lion"
    examples: ClassVar[dict[str, dict[str, Any]]] = {"lion": dict(lr=1e-2, weight_decay=0.1)}

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, lion_kernel, batch.xs, batch.gs, batch.buf("m"), batch.lrs, beta1=group["beta1"],
                 beta2=group["beta2"], weight_decay=group["weight_decay"])
