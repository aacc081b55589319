"""Sign-like methods: SignSGD, Signum, GeneralizedSignSGD (gsignsgd Algorithm 1).

Step t = 1, 2, ... (``sign(0) = 0``, ``0/0 := 0``; state keys as ``reference.sign``)::

    SignSGD:             x_{t+1} = x_t - lr_t sign(g_t)                        (state: step)
    Signum:              m_t = beta m_{t-1} + (1 - beta) g_t;  x_{t+1} = x_t - lr_t sign(m_t)
    GeneralizedSignSGD:  m_t = beta1 m_{t-1} + (1 - beta1) g_t                 (gsignsgd Alg. 1)
                         v_t = beta2 v_{t-1} + (1 - beta2) m_t^2
                         x_{t+1} = x_t - lr_t m_t / (sqrt(v_t) + eps)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from ._common import Batch, ReferenceOptimizer, for_each, foreach_decoupled_update, foreach_ema_, foreach_ratio, \
    foreach_sign, scalar

__all__ = ["SignSGD", "Signum", "GeneralizedSignSGD", "signsgd_kernel", "signum_kernel", "gsign_kernel"]


def signsgd_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], lrs: Sequence[float]) -> None:
    """``x <- x - lr sign(g)`` on tensor lists."""
    foreach_decoupled_update(xs, foreach_sign(gs), scalar(lrs), 0.0)


def signum_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], lrs: Sequence[float], *,
                  beta: float) -> None:
    """``m <- beta m + (1 - beta) g``, ``x <- x - lr sign(m)`` on tensor lists."""
    foreach_ema_(ms, beta, gs)
    foreach_decoupled_update(xs, foreach_sign(ms), scalar(lrs), 0.0)


def gsign_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], vs: Sequence[Tensor],
                 lrs: Sequence[float], *, beta1: float, beta2: float, eps: float) -> None:
    """gsignsgd Algorithm 1 on tensor lists (``reference.sign``)."""
    foreach_ema_(ms, beta1, gs)
    foreach_ema_(vs, beta2, torch._foreach_mul(ms, ms))
    den = torch._foreach_add(torch._foreach_sqrt(vs), eps)
    foreach_decoupled_update(xs, foreach_ratio(ms, den), scalar(lrs), 0.0)


class SignSGD(ReferenceOptimizer):
    """SignSGD (Bernstein et al. 2018; s3 Sec. 2): ``x <- x - lr sign(g)``."""

    spec = "signsgd"
    examples: ClassVar[dict[str, dict[str, Any]]] = {"signsgd": dict(lr=1e-2)}

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, signsgd_kernel, batch.xs, batch.gs, batch.lrs)


class Signum(ReferenceOptimizer):
    """Signum / SignSGD with momentum (gsignsgd Sec. 4): ``x <- x - lr sign(m)``."""

    spec = "signum"
    examples: ClassVar[dict[str, dict[str, Any]]] = {"signum": dict(lr=1e-2, beta=0.8)}

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, signum_kernel, batch.xs, batch.gs, batch.buf("m"), batch.lrs, beta=group["beta"])


class GeneralizedSignSGD(ReferenceOptimizer):
    """Generalized SignSGD (gsignsgd Algorithm 1); ``beta2 = 0`` is Signum."""

    spec = "generalized_signsgd"
    nonnegative: ClassVar[tuple[str, ...]] = ("v",)
    examples: ClassVar[dict[str, dict[str, Any]]] = {"generalized_signsgd": dict(lr=1e-3, eps=1e-8)}

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "v": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, gsign_kernel, batch.xs, batch.gs, batch.buf("m"), batch.buf("v"), batch.lrs,
                 beta1=group["beta1"], beta2=group["beta2"], eps=group["eps"])
