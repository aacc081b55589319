"""Lion (Chen et al. 2023; s3 Sec. 5 baseline), the form of ``reference.lion``.

Step t = 1, 2, ... (``sign(0) = 0``)::

    c_t = beta1 m_{t-1} + (1 - beta1) g_t
    m_t = beta2 m_{t-1} + (1 - beta2) g_t
    x_{t+1} = x_t (1 - lr_t wd) - lr_t sign(c_t)
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ._common import (
    Batch,
    ReferenceOptimizer,
    decoupled_update,
    ema_,
    foreach_decoupled_update,
    foreach_ema_,
    foreach_sign,
    sign,
)

__all__ = ["Lion"]


class Lion(ReferenceOptimizer):
    """Lion; see the module docstring.  State: ``'m'``, ``'step'``."""

    spec = "lion"

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta1, beta2, wd = group["beta1"], group["beta2"], group["weight_decay"]
        ms = batch.buf("m")
        if impl == "foreach":
            c = torch._foreach_add(torch._foreach_mul(ms, beta1), torch._foreach_mul(batch.gs, 1.0 - beta1))
            d = foreach_sign(c)
            foreach_ema_(ms, beta2, batch.gs)
            foreach_decoupled_update(batch.xs, d, Batch.scalar(batch.lrs), wd)
        else:
            for x, g, m, lr in zip(batch.xs, batch.gs, ms, batch.lrs):
                d = sign(m * beta1 + g * (1.0 - beta1))
                ema_(m, beta2, g)
                decoupled_update(x, d, lr, wd)
