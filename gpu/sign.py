"""Sign-like methods: SignSGD, Signum, GeneralizedSignSGD (gsignsgd Algorithm 1).

Step t = 1, 2, ... (``sign(0) = 0``, ``0/0 := 0``; state keys as ``reference.sign``)::

    SignSGD:             x_{t+1} = x_t - lr_t sign(g_t)                        (state: step)
    Signum:              m_t = beta m_{t-1} + (1 - beta) g_t;  x_{t+1} = x_t - lr_t sign(m_t)
    GeneralizedSignSGD:  m_t = beta1 m_{t-1} + (1 - beta1) g_t                 (gsignsgd Alg. 1)
                         v_t = beta2 v_{t-1} + (1 - beta2) m_t^2
                         x_{t+1} = x_t - lr_t m_t / (sqrt(v_t) + eps)
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ._common import (
    Batch,
    ReferenceOptimizer,
    ema_,
    foreach_decoupled_update,
    foreach_ema_,
    foreach_ratio,
    foreach_sign,
    ratio,
    sign,
)

__all__ = ["SignSGD", "Signum", "GeneralizedSignSGD"]


class SignSGD(ReferenceOptimizer):
    """SignSGD (Bernstein et al. 2018; s3 Sec. 2): ``x <- x - lr sign(g)``."""

    spec = "signsgd"

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        if impl == "foreach":
            foreach_decoupled_update(batch.xs, foreach_sign(batch.gs), Batch.scalar(batch.lrs), 0.0)
        else:
            for x, g, lr in zip(batch.xs, batch.gs, batch.lrs):
                x.sub_(sign(g) * lr)


class Signum(ReferenceOptimizer):
    """Signum / SignSGD with momentum (gsignsgd Sec. 4): ``x <- x - lr sign(m)``."""

    spec = "signum"

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta, ms = group["beta"], batch.buf("m")
        if impl == "foreach":
            foreach_ema_(ms, beta, batch.gs)
            foreach_decoupled_update(batch.xs, foreach_sign(ms), Batch.scalar(batch.lrs), 0.0)
        else:
            for x, g, m, lr in zip(batch.xs, batch.gs, ms, batch.lrs):
                ema_(m, beta, g)
                x.sub_(sign(m) * lr)


class GeneralizedSignSGD(ReferenceOptimizer):
    """Generalized SignSGD (gsignsgd Algorithm 1); ``beta2 = 0`` is Signum."""

    spec = "generalized_signsgd"

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "v": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta1, beta2, eps = group["beta1"], group["beta2"], group["eps"]
        ms, vs = batch.buf("m"), batch.buf("v")
        if impl == "foreach":
            foreach_ema_(ms, beta1, batch.gs)
            foreach_ema_(vs, beta2, torch._foreach_mul(ms, ms))
            den = torch._foreach_add(torch._foreach_sqrt(vs), eps)
            foreach_decoupled_update(batch.xs, foreach_ratio(ms, den), Batch.scalar(batch.lrs), 0.0)
        else:
            for x, g, m, v, lr in zip(batch.xs, batch.gs, ms, vs, batch.lrs):
                ema_(m, beta1, g)
                ema_(v, beta2, m * m)
                x.sub_(ratio(m, torch.sqrt(v) + eps) * lr)
