"""Normalized SGD with momentum (nsgdm Eqs. 2-3) and NIGT (nsgdm Algorithm 1).

``d_t = m_t / ||m_t||`` (0 where ``m_t = 0``); the norm is per tensor (default
``norm_scope='tensor'``: the per-layer normalization of nsgdm Sec. 5 and LARS) or over the
concatenation of the group's tensors (``'group'``: the algorithm on the whole parameter vector).

* ``NormalizedSGDM``: ``m_t = beta m_{t-1} + (1 - beta) g(w_t)`` (``m1='gradient'``: ``m_1 = g_1``,
  nsgdm Theorem 1), ``w_{t+1} = w_t - lr_t m_t / ||m_t||``.  State ``'m'``, ``'step'``.
* ``NIGT``: ``m_1 = g(w_1)``; for t >= 2 the gradient is taken at the extrapolated point
  ``x_t = w_t + beta/(1-beta) (w_t - w_{t-1})``, ``m_t = beta m_{t-1} + (1-beta) g(x_t)``;
  ``w_{t+1} = w_t - lr_t m_t / ||m_t||``.  State ``'m'``, ``'w_prev'`` (``w_{t-1}``), ``'step'``
  (``reference.normalized.NIGTState``).

**NIGT closure design.**  The parameters always hold the paper's iterate ``w_t``.
``step(closure)`` (closure required; it evaluates the loss at the current parameter values and
calls ``backward()``, like ``torch.optim.LBFGS``'s) moves every parameter that has state to
``x_t`` (a parameter without state, t = 1, stays at ``w_1``), sets all ``.grad`` to ``None``,
calls the closure once, restores ``w_t`` exactly (from a copy) and updates the parameters that
received a gradient; the others are restored and skipped (state untouched).  One gradient
evaluation per step, as the algorithm; the gradients present before ``step`` are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from . import distributed as dist
from ._common import Batch, NormScoped, closure_at_moved_point, for_each, foreach_ema_, foreach_ratio, norms, scalar, \
    state_dtype

__all__ = ["NormalizedSGDM", "NIGT", "momentum_kernel", "normalized_kernel"]


def momentum_kernel(ms: Sequence[Tensor], gs: Sequence[Tensor], steps: Sequence[int], *, beta: float,
                    first_is_gradient: bool) -> None:
    """``m <- g`` at t = 1 (if ``first_is_gradient``), else ``m <- beta m + (1 - beta) g``, on tensor lists."""
    first = [i for i, t in enumerate(steps) if t == 1 and first_is_gradient]
    for i in first:
        ms[i].copy_(gs[i])
    rest = [i for i in range(len(ms)) if i not in first]
    if rest:
        foreach_ema_([ms[i] for i in rest], beta, [gs[i] for i in rest])


def normalized_kernel(xs: Sequence[Tensor], ms: Sequence[Tensor], nrm: Sequence[Tensor], lrs: Sequence[float]
                      ) -> None:
    """``x <- x - lr m / ||m||`` on tensor lists (``nrm``: the norms, per tensor or of the group)."""
    torch._foreach_sub_(xs, torch._foreach_mul(foreach_ratio(ms, nrm), scalar(lrs)))


def _normalized_update(group: dict[str, Any], batch: Batch, impl: str, first_is_gradient: bool) -> None:
    """The momentum, the norms over the group's scope (all-reduced for DTensors), the step."""
    ms = batch.buf("m")
    for_each(impl, momentum_kernel, ms, batch.gs, batch.steps, beta=group["beta"], first_is_gradient=first_is_gradient)
    nrm = norms(ms, group["norm_scope"], likes=batch.params)
    for_each(impl, normalized_kernel, batch.xs, ms, nrm, batch.lrs)


class NormalizedSGDM(NormScoped):
    """Normalized SGD with momentum (nsgdm Eqs. 2-3); see the module docstring."""

    spec = "normalized_sgdm"
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "normalized_sgdm": dict(lr=1e-2),
        "normalized_sgdm_group_ema": dict(lr=1e-2, beta=0.5, m1="ema", norm_scope="group"),
    }

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        _normalized_update(group, batch, impl, group["m1"] == "gradient")


class NIGT(NormScoped):
    """NIGT, normalized SGD with implicit gradient transport (nsgdm Algorithm 1); closure-based."""

    spec = "nigt"
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "nigt": dict(lr=1e-2, beta=0.9),
        "nigt_group": dict(lr=1e-2, beta=0.5, norm_scope="group"),
    }

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        # w_{t-1} in the state dtype (float32 for float16/bfloat16 parameters, as every buffer)
        return {"m": self._zeros(p), "w_prev": p.detach().to(dtype=state_dtype(p.dtype), copy=True)}

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One NIGT step; ``closure`` evaluates the loss and gradients at the current parameters.

        Transactional: if the extrapolation or the closure raises, every parameter of every group
        is back at ``w_t`` and every ``.grad`` is the one given before the exception propagates."""
        if closure is None:
            raise RuntimeError("NIGT.step needs a closure that evaluates the loss and calls backward(): "
                               "the gradient is taken at the extrapolated point x_t")
        def extrapolate(moved: list[tuple[Tensor, Tensor]]) -> None:
            for group in self.param_groups:
                k = group["beta"] / (1.0 - group["beta"])
                for p in group["params"]:
                    st = self.state.get(p)
                    if st:  # t >= 2: x_t = w_t + k (w_t - w_{t-1}); w_prev is in the state dtype
                        lp, w_prev = dist.local(p), dist.local(st["w_prev"])  # local parts of DTensors
                        w = lp.detach().clone()
                        moved.append((p, w))
                        wf = w.to(w_prev.dtype)
                        lp.copy_(wf + (wf - w_prev) * k)
        loss = closure_at_moved_point(self, closure, extrapolate)
        self._apply([(group, [(p, p.grad) for p in group["params"] if p.grad is not None])
                     for group in self.param_groups])
        return loss

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        w_prev = batch.buf("w_prev")
        # w_t, before the update (x is the state-dtype working view of the parameter)
        w_now = [x.clone() for x in batch.xs]
        _normalized_update(group, batch, impl, True)
        for buf, w in zip(w_prev, w_now):
            buf.copy_(w)
