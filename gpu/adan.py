"""Adan (Xie et al. 2024; s3 Sec. 5 baseline), both forms of ``reference.adan``.

Coefficients in the official (old-value) convention, ``reference.adan.official_betas``; step
t = 1, 2, ... with ``g_0 := g_1`` (``diff_1 = g_1 - g_1``)::

    diff_t = g_t - g_{t-1}
    m_t = beta1 m_{t-1} + (1 - beta1) g_t
    v_t = beta2 v_{t-1} + (1 - beta2) diff_t
    n_t = beta3 n_{t-1} + (1 - beta3) (g_t + beta2 diff_t)^2
    d_t = (m_t / (1 - beta1^t) + beta2 v_t / (1 - beta2^t)) / (sqrt(n_t) / sqrt(1 - beta3^t) + eps)
          ('official'; 'paper': (m_t + beta2 v_t) / (sqrt(n_t) + eps))
    x_{t+1} = (x_t - lr_t d_t) / (1 + lr_t wd)          (no_prox=False)
    x_{t+1} = x_t (1 - lr_t wd) - lr_t d_t              (no_prox=True)

State: ``'m'``, ``'v'``, ``'n'``, ``'g_prev'``, ``'step'`` (``reference.adan.AdanState``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from reference.adan import official_betas

from ._common import Batch, ReferenceOptimizer, for_each, foreach_ema_, foreach_ratio, scalar

__all__ = ["Adan", "adan_kernel"]


def adan_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], vs: Sequence[Tensor],
                ns: Sequence[Tensor], gps: Sequence[Tensor], steps: Sequence[int], lrs: Sequence[float], *,
                betas: tuple[float, float, float], corrected: bool, eps: float, weight_decay: float,
                no_prox: bool) -> None:
    """Adan on tensor lists, in place (module docstring; ``reference.adan``)."""
    beta1, beta2, beta3 = betas
    wd = weight_decay
    prev = [g if t == 1 else gp for g, gp, t in zip(gs, gps, steps)]
    diff = torch._foreach_sub(gs, prev)
    foreach_ema_(ms, beta1, gs)
    foreach_ema_(vs, beta2, diff)
    u = torch._foreach_add(gs, torch._foreach_mul(diff, beta2))
    foreach_ema_(ns, beta3, torch._foreach_mul(u, u))
    den = torch._foreach_sqrt(ns)
    if corrected:
        torch._foreach_div_(den, scalar([math.sqrt(1.0 - beta3**t) for t in steps]))
        torch._foreach_add_(den, eps)
        num = torch._foreach_add(
            torch._foreach_div(ms, scalar([1.0 - beta1**t for t in steps])),
            torch._foreach_div(torch._foreach_mul(vs, beta2), scalar([1.0 - beta2**t for t in steps])))
    else:
        torch._foreach_add_(den, eps)
        num = torch._foreach_add(ms, torch._foreach_mul(vs, beta2))
    step = torch._foreach_mul(foreach_ratio(num, den), scalar(lrs))
    if no_prox:
        torch._foreach_mul_(xs, scalar([1.0 - lr * wd for lr in lrs]))
        torch._foreach_sub_(xs, step)
    else:
        torch._foreach_sub_(xs, step)
        torch._foreach_div_(xs, scalar([1.0 + lr * wd for lr in lrs]))
    for g_prev, g in zip(gps, gs):
        g_prev.copy_(g)


class Adan(ReferenceOptimizer):
    """Adan, official implementation or paper Algorithm 1 form; see the module docstring."""

    spec = "adan"
    nonnegative: ClassVar[tuple[str, ...]] = ("n",)
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "adan": dict(lr=5e-3, weight_decay=0.02),
        "adan_paper_noprox": dict(lr=5e-3, form="paper", no_prox=True, weight_decay=0.02, eps=1e-6),
    }

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "v": self._zeros(p), "n": self._zeros(p), "g_prev": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, adan_kernel, batch.xs, batch.gs, batch.buf("m"), batch.buf("v"), batch.buf("n"),
                 batch.buf("g_prev"), batch.steps, batch.lrs, betas=official_betas(group),
                 corrected=group["form"] == "official", eps=group["eps"], weight_decay=group["weight_decay"],
                 no_prox=group["no_prox"])
