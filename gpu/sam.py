"""Sharpness-aware minimization: SAM, AdaSAM (adasam Algorithm 1), AdamSAM (adasam Remark 1).

Step t (adasam Alg. 1 lines 3-5, then the update; state keys as ``reference.sam``)::

    s_t     = grad f(x_t; xi_t)                       (the gradients present when step() is called)
    delta_t = rho s_t / ||s_t||                       (0 where s_t = 0)
    g_t     = grad f(x_t + delta_t; xi_t)             (closure(), evaluated at the perturbed point)
    SAM:     m_t = beta m_{t-1} + (1 - beta) g_t,  x_{t+1} = x_t - lr_t m_t
    AdaSAM:  m_t = beta1 m + (1 - beta1) g_t,  v_t = beta2 v + (1 - beta2) g_t^2,
             v^_t = max(v^_{t-1}, v_t),  x_{t+1} = x_t - lr_t m_t / sqrt(v^_t)   (v^_{-1} = eps^2)
    AdamSAM: as AdaSAM with v^_t = v_t (v_{-1} = eps^2)

**Closure design** (the torch convention of SAM implementations, e.g. davda54/sam)::

    loss = loss_fn(model(batch)); loss.backward()      # s_t at x_t
    opt.step(closure)                                  # closure: loss_fn(model(batch)).backward()
    opt.zero_grad()

``step`` reads ``s_t`` from ``.grad``, moves every parameter with a gradient to
``x_t + delta_t``, sets all ``.grad`` to ``None``, calls ``closure`` (under ``enable_grad``) for
``g_t``, restores ``x_t`` *exactly* (from a copy, not by subtracting ``delta_t``) and applies the
update; it returns the closure's loss.  The closure must evaluate the same mini-batch
(``same_sample=True``, the reference's default; the flag is validated and stored but the sample
is the closure's choice).  Parameters without a gradient at ``x_t`` are neither perturbed nor
updated; one that has ``s_t`` but no ``g_t`` is an error.

``||s_t||`` is per tensor or over the group (``norm_scope``; default ``'group'``: SAM's and
adasam's perturbation of the whole parameter vector).  With ``maximize=True`` both gradients are
negated (the method minimizes ``-f``).  For float16/bfloat16 parameters the perturbed point is
rounded to the parameter dtype (the model is evaluated there).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from . import distributed as dist
from ._common import Batch, NormScoped, closure_at_moved_point, for_each, foreach_ema_, foreach_ratio, norms, scalar, \
    state_dtype

__all__ = ["SAM", "AdaSAM", "AdamSAM", "perturbation_kernel", "sam_kernel", "adasam_kernel"]


def perturbation_kernel(s: Sequence[Tensor], nrm: Sequence[Tensor], *, rho: float) -> list[Tensor]:
    """``delta = rho s / ||s||`` (0 where s = 0) on tensor lists (adasam Alg. 1 line 4)."""
    return list(torch._foreach_mul(foreach_ratio(s, nrm), rho))


def sam_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], lrs: Sequence[float], *,
               beta: float) -> None:
    """SAM's update on tensor lists: ``m <- beta m + (1 - beta) g``, ``x <- x - lr m``."""
    foreach_ema_(ms, beta, gs)
    torch._foreach_sub_(xs, torch._foreach_mul(ms, scalar(lrs)))


def adasam_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], vs: Sequence[Tensor],
                  vhs: Sequence[Tensor], lrs: Sequence[float], *, beta1: float, beta2: float, keep_max: bool) -> None:
    """AdaSAM's update (adasam Alg. 1 lines 6-10; ``keep_max=False``: Remark 1) on tensor lists."""
    foreach_ema_(ms, beta1, gs)
    foreach_ema_(vs, beta2, torch._foreach_mul(gs, gs))
    if keep_max:
        torch._foreach_maximum_(vhs, vs)
    else:
        torch._foreach_copy_(vhs, vs)
    d = foreach_ratio(ms, torch._foreach_sqrt(vhs))
    torch._foreach_sub_(xs, torch._foreach_mul(d, scalar(lrs)))


class _SharpnessAware(NormScoped):
    options: ClassVar[dict[str, tuple[Any, tuple[Any, ...]]]] = {
        **NormScoped.options,
        "norm_scope": ("group", ("tensor", "group")),
    }

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One SAM step; ``closure`` re-evaluates the loss and its gradients (see the module docstring).

        Transactional: if computing the perturbation or the closure raises, every parameter of
        every group is back at ``x_t`` and every ``.grad`` is the one given, before the exception
        propagates; if a parameter misses its second gradient, all are restored and nothing is
        updated."""
        if closure is None:
            raise RuntimeError(f"{type(self).__name__}.step needs a closure that re-evaluates the loss "
                               "and calls backward() on the same mini-batch")
        pending: list[tuple[dict[str, Any], list[Tensor]]] = []

        def perturb(moved: list[tuple[Tensor, Tensor]]) -> None:
            for group in self.param_groups:
                params = [p for p in group["params"] if p.grad is not None]
                if not params:
                    continue
                impl = self._implementation_of(group, params)
                sd = [state_dtype(p.dtype) for p in params]
                s = [dist.local(p.grad).to(d) for p, d in zip(params, sd)]
                if group["maximize"]:
                    s = [-v for v in s]
                nrm = norms(s, group["norm_scope"], likes=params)
                delta = for_each(impl, perturbation_kernel, s, nrm, rho=group["rho"])
                saved = [dist.local(p).detach().clone() for p in params]  # local parts of DTensors
                moved.extend(zip(params, saved))
                pending.append((group, params))
                for p, d, x in zip(params, delta, saved):
                    dist.local(p).copy_(x.to(d.dtype) + d)
        loss = closure_at_moved_point(self, closure, perturb)
        missing = [(gi, i) for gi, (group, params) in enumerate(pending) for i, p in enumerate(params)
                   if p.grad is None]
        if missing:
            raise RuntimeError(f"{type(self).__name__}: the closure produced no gradient for parameter(s) "
                               f"{missing} (group, index among those with a gradient) although they had one at x_t; "
                               "the parameters are restored and nothing was updated")
        self._apply([(group, [(p, p.grad) for p in params]) for group, params in pending])
        return loss

    def _implementation_of(self, group: dict[str, Any], params: list[Tensor]) -> str:
        return self._implementation(group, Batch(params, [], [], [], [], []))


class SAM(_SharpnessAware):
    """SAM (Foret et al. 2021) with optional EMA momentum (``reference.sam``); closure-based step."""

    spec = "sam"
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "sam": dict(lr=3e-3, rho=0.05, beta=0.9),
        "sam_tensor": dict(lr=3e-3, rho=0.1, norm_scope="tensor"),
    }

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, sam_kernel, batch.xs, batch.gs, batch.buf("m"), batch.lrs, beta=group["beta"])


class AdaSAM(_SharpnessAware):
    """AdaSAM (adasam Algorithm 1: AMSGrad-style ``v^ = max(v^, v)``); closure-based step."""

    spec = "adasam"
    keep_max: ClassVar[bool] = True
    nonnegative: ClassVar[tuple[str, ...]] = ("v", "v_hat")
    examples: ClassVar[dict[str, dict[str, Any]]] = {"adasam": dict(lr=3e-3, rho=0.05)}

    def _check_group(self, group: dict[str, Any]) -> None:
        """``v^_{-1} = eps^2`` (adasam Alg. 1, Input) must be finite in every parameter's state dtype
        (the reference's rule)."""
        super()._check_group(group)
        try:
            eps2 = float(group["eps"]) ** 2
        except OverflowError:
            eps2 = float("inf")
        for p in group["params"]:
            top = torch.finfo(state_dtype(p.dtype)).max
            if not eps2 <= top:
                raise ValueError(f"{self.spec}: eps must have a finite eps^2 in {state_dtype(p.dtype)} "
                                 f"(eps <= {top ** 0.5:.4g}), got eps={group['eps']!r}")

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        eps2 = group["eps"] ** 2  # finite: _check_group
        v = self._zeros(p) if self.keep_max else self._zeros(p).fill_(eps2)
        return {"m": self._zeros(p), "v": v, "v_hat": self._zeros(p).fill_(eps2)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        for_each(impl, adasam_kernel, batch.xs, batch.gs, batch.buf("m"), batch.buf("v"), batch.buf("v_hat"),
                 batch.lrs, beta1=group["beta1"], beta2=group["beta2"], keep_max=self.keep_max)


class AdamSAM(AdaSAM):
    """AdaSAM without the max of line 8 (adasam Remark 1; ``reference.adam_sam``)."""

    spec = "adam_sam"
    keep_max = False
    examples: ClassVar[dict[str, dict[str, Any]]] = {"adam_sam": dict(lr=3e-3, rho=0.05, beta2=0.99,
                                                                      norm_scope="tensor")}
