"""S3 / SoftSignSGD (s3 Algorithm 1) as a ``torch.optim.Optimizer``, three implementations.

Step t = 1, 2, ... (``beta1 = beta``, ``beta2 = beta2 or beta``; ``m_0 = s_0 = 0``)::

    m_t     = beta1 m_{t-1} + (1 - beta1) g_t                    (Alg. 1 line 4)
    s_t     = beta2 s_{t-1} + (1 - beta2) |g_t|^p                (line 5)
    n_t     = beta1 m_t + (1 - beta1) g_t                        (line 6; nesterov=False: m_t)
    b_t     = (beta2 s_t + (1 - beta2) |g_t|^p)^(1/p) + eps      (line 7; nesterov=False: s_t^(1/p) + eps)
    x_{t+1} = x_t (1 - lr_t wd) - lr_t n_t / b_t                 (line 8, decoupled weight decay)

with ``n / b := 0`` where ``b = 0``.  State: ``'m'``, ``'s'`` (the paper's buffers) and
``'step'``, exactly the reference's ``S3State`` (``reference.s3``).

Implementations (``foreach``/``fused`` as in ``torch.optim.AdamW``):

* ``'single'`` (a for-loop over the tensors) and ``'foreach'`` run one functional kernel,
  :func:`s3_kernel`, on lists of one tensor or on the whole list (``torch._foreach_*`` ops);
  ``'fused'`` (CUDA, needs Triton): one kernel launch per
  (device, dtype, lr) that reads x, g, m, s once and writes x, m, s once (:mod:`gpu.fused_s3`).
* ``|g|^p`` and the p-th root take exact fast paths for p = 1, 2, 3 as
  ``reference.s3.abs_pow``/``root`` do: ``|g|``, ``|g|*|g|``, ``(|g|*|g|)*|g|`` and the
  identity, ``sqrt``, cube root.  torch has no ``cbrt``: the torch paths evaluate
  ``y^(1/3)`` (and any other ``y^(1/p)``, ``|g|^p``) as a float64 ``pow`` rounded once to the
  state dtype, which for float32 is within 1 rounding of the true value (for float64 within
  ``|ln y| 2^-54`` relative of ``cbrt``, from the rounding of 1/3).  The fused kernel uses
  libdevice ``cbrt`` (1 ulp).  Every path evaluates the same real function, with the reference's
  order of operations; ``gpu.tolerances`` bounds the differences.

float32 validity domain (p = 3; the paper's ``s`` is stored, in float32 for float32, float16 and
bfloat16 parameters).  The step is accurate (``gpu.tolerances``) while ``|g|^3`` and
``(1 - beta2)|g|^3`` are normal float32 numbers, i.e. for
``2^-42 (1 - beta2)^(-1/3) <= |g| < 2^(128/3) ~ 6.98e12`` (``6.2e-13 .. 6.98e12`` at
``beta2 = 0.95``).  Outside it the step degrades but never produces NaN/inf from finite input:

* ``|g|`` below it: ``|g|^3`` is subnormal (relative precision lost gradually), and below
  ``~1.1e-15`` it is 0.  If the whole history of a coordinate underflowed, ``b_t = 0`` and the
  step of that coordinate is 0 (``n/0 := 0``) although the exact step is ``~ lr``.
* ``|g| > 6.98e12``: ``|g|^3`` and ``s`` become ``+inf``, ``b_t = inf`` and the step of the
  coordinate is 0 -- permanently, since ``s`` stays ``inf``.

For p = 2 the domain is about ``2^-63 .. 2^64`` (``1.1e-19 .. 1.8e19``), for p = 1 all of
float32; float64 state (float64 parameters) meets the same edges only at ``|g| ~ 1e-103`` and
``5.6e102`` (p = 3).  This is inherent to storing ``s`` (the paper's buffer) in float32: a
rescaled evaluation of ``b_t`` cannot recover an ``s`` that already under/overflowed (storing
``r = s^(1/p)``, updated as a rescaled power mean, would, but the state would no longer hold
the paper's ``s``).  The paths agree on these edges with the
float32 reference: same zero/NaN/inf patterns (``tests/gpu``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor

from ._common import (
    Batch,
    ReferenceOptimizer,
    for_each,
    foreach_decoupled_update,
    foreach_ema_,
    foreach_ratio,
    scalar,
)

__all__ = ["S3", "abs_pow", "root", "foreach_abs_pow", "foreach_root", "s3_kernel", "s3_single", "s3_foreach"]


def _via_float64_pow(y: Tensor, e: float) -> Tensor:
    """``y ** e`` evaluated in float64 and rounded once to ``y.dtype`` (torch has no ``cbrt``)."""
    if y.dtype == torch.float64:
        return y.pow(e)
    return y.double().pow(e).to(y.dtype)


def foreach_abs_pow(gs: Sequence[Tensor], p: float) -> list[Tensor]:
    """``|g|^p``: ``|g|``, ``|g|*|g|``, ``(|g|*|g|)*|g|`` for p = 1, 2, 3, else a float64 pow rounded
    once (``reference.s3.abs_pow``), for tensor lists (``torch._foreach_*``)."""
    a = torch._foreach_abs(gs)
    if p == 1.0:
        return list(a)
    if p == 2.0:
        return list(torch._foreach_mul(a, a))
    if p == 3.0:
        return list(torch._foreach_mul(torch._foreach_mul(a, a), a))
    return _foreach_via_float64_pow(a, p)


def foreach_root(ys: Sequence[Tensor], p: float) -> list[Tensor]:
    """``y^(1/p)`` for ``y >= 0``: identity, ``sqrt``, else a float64 pow rounded once (the cube
    root too; ``reference.s3.root``), for tensor lists."""
    if p == 1.0:
        return list(ys)
    if p == 2.0:
        return list(torch._foreach_sqrt(ys))
    return _foreach_via_float64_pow(ys, 1.0 / p)


def _foreach_via_float64_pow(ys: Sequence[Tensor], e: float) -> list[Tensor]:
    wide = [y if y.dtype == torch.float64 else y.double() for y in ys]
    out = torch._foreach_pow(wide, e)
    return [o if o.dtype == y.dtype else o.to(y.dtype) for o, y in zip(out, ys)]


def abs_pow(g: Tensor, p: float) -> Tensor:
    """:func:`foreach_abs_pow` of one tensor."""
    return foreach_abs_pow([g], p)[0]


def root(y: Tensor, p: float) -> Tensor:
    """:func:`foreach_root` of one tensor."""
    return foreach_root([y], p)[0]


def s3_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], ss: Sequence[Tensor],
              lrs: float | Sequence[float], *, beta1: float, beta2: float, p: float, nesterov: bool, eps: float,
              weight_decay: float) -> None:
    """s3 Algorithm 1 on tensor lists, in place (``reference.s3.s3_direction`` and the decoupled step):
    the one torch formula, run on whole lists (foreach) or lists of one (for-loop)."""
    gp = foreach_abs_pow(gs, p)
    foreach_ema_(ms, beta1, gs)
    foreach_ema_(ss, beta2, gp)
    if nesterov:
        num = torch._foreach_add(torch._foreach_mul(ms, beta1), torch._foreach_mul(gs, 1.0 - beta1))
        den = foreach_root(torch._foreach_add(torch._foreach_mul(ss, beta2), torch._foreach_mul(gp, 1.0 - beta2)), p)
    else:
        num, den = list(ms), foreach_root(ss, p)
    if eps:
        den = torch._foreach_add(den, eps)
    foreach_decoupled_update(xs, foreach_ratio(num, den), scalar(lrs), weight_decay)


def s3_single(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], ss: Sequence[Tensor],
              lrs: Sequence[float], **kw: Any) -> None:
    """The for-loop path: :func:`s3_kernel` on each tensor."""
    for_each("single", s3_kernel, xs, gs, ms, ss, list(lrs), **kw)


def s3_foreach(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], ss: Sequence[Tensor],
               lrs: float | list[float], **kw: Any) -> None:
    """The ``torch._foreach_*`` path: :func:`s3_kernel` on the whole lists."""
    s3_kernel(xs, gs, ms, ss, lrs, **kw)


class S3(ReferenceOptimizer):
    """S3 / SoftSignSGD (s3 Algorithm 1); see the module docstring for the update and the paths.

    ``fused=True`` selects the single-pass Triton kernel (CUDA parameters; or CPU parameters when
    Triton runs in interpreter mode, ``TRITON_INTERPRET=1``).
    """

    spec = "s3"
    examples: ClassVar[dict[str, dict[str, Any]]] = {
        "s3": dict(lr=1e-2),
        "s3_wd_beta2": dict(lr=1e-2, beta=0.9, beta2=0.99, weight_decay=0.1),
        "s3_p2_eps": dict(lr=1e-2, p=2.0, eps=1e-6),
        "s3_p1_plain": dict(lr=1e-2, p=1.0, nesterov=False),
        "s3_p2.5": dict(lr=1e-2, p=2.5, beta=0.9, beta2=0.999),
        "s3_p3_plain": dict(lr=1e-2, nesterov=False, weight_decay=0.05),
    }
    options: ClassVar[dict[str, tuple[Any, tuple[Any, ...]]]] = {
        **ReferenceOptimizer.options,
        "fused": (None, (None, True, False)),
    }

    def _check_group(self, group: dict[str, Any]) -> None:
        if group["fused"]:
            from . import fused_s3

            fused_s3.check_supported(group["params"])

    def _init_state(self, group: dict[str, Any], p: Tensor) -> dict[str, Any]:
        return {"m": self._zeros(p), "s": self._zeros(p)}

    def _update(self, group: dict[str, Any], batch: Batch, impl: str) -> None:
        beta1 = group["beta"]
        beta2 = beta1 if group["beta2"] is None else group["beta2"]
        kw = dict(beta1=beta1, beta2=beta2, p=group["p"], nesterov=group["nesterov"], eps=group["eps"],
                  weight_decay=group["weight_decay"])
        ms, ss = batch.buf("m"), batch.buf("s")
        if impl == "fused":
            from . import fused_s3

            fused_s3.s3_fused_step(batch.xs, batch.gs, ms, ss, batch.lrs, maximize=group["maximize"], **kw)
        else:
            for_each(impl, s3_kernel, batch.xs, batch.gs, ms, ss, batch.lrs, **kw)

    def _batch(self, group: dict[str, Any], pairs: Sequence[tuple[Tensor, Tensor]], working: bool = True) -> Batch:
        # fused: no float32 working copies, the kernel converts dtypes and flips signs in registers
        return super()._batch(group, pairs, working=working and not group["fused"])
