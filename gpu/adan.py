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
from typing import Any

import torch
from torch import Tensor

from reference.adan import official_betas

from ._common import Batch, ReferenceOptimizer, ema_, foreach_ema_, foreach_ratio, ratio

__all__ = ["Adan"]


class Adan(ReferenceOptimizer):
    """Adan, official implementation or paper Algorithm 1 form; see the module docstring."""

    spec = "adan"

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "v": self._zeros(p), "n": self._zeros(p), "g_prev": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta1, beta2, beta3 = official_betas(group)
        corrected = group["form"] == "official"
        eps, wd, no_prox = group["eps"], group["weight_decay"], group["no_prox"]
        ms, vs, ns, gps = batch.buf("m"), batch.buf("v"), batch.buf("n"), batch.buf("g_prev")
        steps, lrs = batch.steps, batch.lrs
        if impl == "foreach":
            gs = batch.gs
            prev = [g if t == 1 else gp for g, gp, t in zip(gs, gps, steps)]
            diff = torch._foreach_sub(gs, prev)
            foreach_ema_(ms, beta1, gs)
            foreach_ema_(vs, beta2, diff)
            u = torch._foreach_add(gs, torch._foreach_mul(diff, beta2))
            foreach_ema_(ns, beta3, torch._foreach_mul(u, u))
            den = torch._foreach_sqrt(ns)
            if corrected:
                torch._foreach_div_(den, Batch.scalar([math.sqrt(1.0 - beta3**t) for t in steps]))
                torch._foreach_add_(den, eps)
                num = torch._foreach_add(
                    torch._foreach_div(ms, Batch.scalar([1.0 - beta1**t for t in steps])),
                    torch._foreach_div(torch._foreach_mul(vs, beta2), Batch.scalar([1.0 - beta2**t for t in steps])))
            else:
                torch._foreach_add_(den, eps)
                num = torch._foreach_add(ms, torch._foreach_mul(vs, beta2))
            step = torch._foreach_mul(foreach_ratio(num, den), Batch.scalar(lrs))
            if no_prox:
                torch._foreach_mul_(batch.xs, Batch.scalar([1.0 - lr * wd for lr in lrs]))
                torch._foreach_sub_(batch.xs, step)
            else:
                torch._foreach_sub_(batch.xs, step)
                torch._foreach_div_(batch.xs, Batch.scalar([1.0 + lr * wd for lr in lrs]))
            for g_prev, g in zip(gps, gs):
                g_prev.copy_(g)
            return
        for x, g, m, v, n, g_prev, t, lr in zip(batch.xs, batch.gs, ms, vs, ns, gps, steps, lrs):
            diff = g - (g if t == 1 else g_prev)
            ema_(m, beta1, g)
            ema_(v, beta2, diff)
            u = g + diff * beta2
            ema_(n, beta3, u * u)
            if corrected:
                den = torch.sqrt(n) / math.sqrt(1.0 - beta3**t) + eps
                num = m / (1.0 - beta1**t) + (v * beta2) / (1.0 - beta2**t)
            else:
                den = torch.sqrt(n) + eps
                num = m + v * beta2
            d = ratio(num, den)
            if no_prox:
                x.mul_(1.0 - lr * wd).sub_(d * lr)
            else:
                x.sub_(d * lr).div_(1.0 + lr * wd)
            g_prev.copy_(g)
