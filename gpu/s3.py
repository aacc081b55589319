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

The whole finite range, any p: **root mode** (``reference.s3``).  Where the plain evaluation
leaves the state dtype's range (``|g|^p`` or ``s`` over- or underflowing: in float32 with p = 3
beyond ``|g| ~ 7e12`` or below ``~1e-15``, with p = 8 outside about ``[1e-5, 1e4]``), the
coordinate's ``s`` is stored as ``-s_t^(1/p)`` and both power means of lines 5 and 7 are
evaluated scaled by their largest weighted term, in float64 (``reference.s3.root_mode_update``;
:func:`root_mode_update` here, the same formula in torch).  The decision is the reference's, per
coordinate: the plain result is kept where ``s_{t-1} >= 0`` and the root argument ``y`` is a
finite number at least the dtype's smallest normal (or the coordinate is exactly zero).  Every
path (for-loop, foreach, fused) implements the same two modes.  The for-loop/foreach paths look
for such coordinates with one reduction per tensor and one host synchronisation per step, and
evaluate root mode only where it is needed; the fused kernel decides per element in registers.
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

__all__ = ["S3", "abs_pow", "root", "foreach_abs_pow", "foreach_root", "s3_kernel", "s3_single", "s3_foreach",
           "root_mode_update", "needs_root"]


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


def _power_mean(u: Tensor, v: Tensor, p: float) -> Tensor:
    """``(u^p + v^p)^(1/p)`` for ``u, v >= 0`` scaled by ``max(u, v)`` (``reference.s3._power_mean``)."""
    c = torch.maximum(u, v)
    q = torch.where(c > 0, c, torch.ones_like(c))
    return c * root(abs_pow(u / q, p) + abs_pow(v / q, p), p)


def root_mode_update(g: Tensor, m0: Tensor, s0: Tensor, *, beta1: float, beta2: float, p: float, nesterov: bool,
                     eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """s3 Alg. 1 lines 4-8 in root mode for coordinates with finite input: ``(m_t, s_t, d_t)`` in the
    state dtype, ``s_t`` as stored; ``reference.s3.root_mode_update`` in torch (float64 inside)."""
    dt = s0.dtype
    w = torch.float64
    g, m0, s0 = g.to(w), m0.to(w), s0.to(w)
    r0 = torch.where(s0 < 0, -s0, root(s0.clamp_min(0), p))
    a = g.abs()
    ws, wg = beta2 ** (1.0 / p), (1.0 - beta2) ** (1.0 / p)
    r = torch.minimum(_power_mean(ws * r0, wg * a, p), torch.maximum(r0, a))
    m = beta1 * m0 + (1.0 - beta1) * g
    if nesterov:
        num = beta1 * m + (1.0 - beta1) * g
        den = torch.minimum(_power_mean(ws * r, wg * a, p), torch.maximum(r, a))
    else:
        num, den = m, r
    if eps:
        den = den + eps
    d = foreach_ratio([num], [den])[0]
    sp = abs_pow(r, p)
    fi = torch.finfo(dt)
    plain = (sp >= fi.tiny * 2.0**8) & (sp <= fi.max * 2.0**-8)
    s = torch.where(r == 0, torch.zeros_like(r), torch.where(plain, sp, -r))
    return m.to(dt), s.to(dt), d.to(dt)


def needs_root(g: Tensor, m0: Tensor, s0: Tensor, y: Tensor) -> Tensor:
    """The coordinates the plain evaluation gets wrong (``reference.s3._needs_root``): finite input
    and either root mode (``s0 < 0``) or ``y`` outside ``[tiny, inf)`` without an exact zero."""
    tiny = torch.finfo(y.dtype).tiny
    finite = torch.isfinite(g) & torch.isfinite(m0) & torch.isfinite(s0)
    good = (s0 >= 0) & (((y >= tiny) & (y < float("inf"))) | ((y == 0) & (g == 0) & (m0 == 0)))
    return finite & ~good


def _in_range(s0: Tensor, y: Tensor) -> Tensor:
    """One reduction per tensor: ``min s0 >= 0`` and ``y`` within ``[tiny, inf)`` (0-dim bool)."""
    if not y.numel():
        return torch.ones((), dtype=torch.bool, device=y.device)
    lo, hi = torch.aminmax(y)
    return (s0.min() >= 0) & (lo >= torch.finfo(y.dtype).tiny) & (hi < float("inf"))


def _indexable(t: Tensor) -> Tensor:
    """``t`` itself, or a 1-element view of a 0-dim ``t`` (which boolean-mask indices cannot address)."""
    return t.view(1) if t.dim() == 0 else t


def s3_kernel(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], ss: Sequence[Tensor],
              lrs: float | Sequence[float], *, beta1: float, beta2: float, p: float, nesterov: bool, eps: float,
              weight_decay: float) -> None:
    """s3 Algorithm 1 on tensor lists, in place (``reference.s3.s3_direction`` and the decoupled step,
    root mode where the plain evaluation is out of range): the one torch formula, run on whole
    lists (foreach) or lists of one (for-loop)."""
    gp = foreach_abs_pow(gs, p)
    c2gp = torch._foreach_mul(gp, 1.0 - beta2)
    s_new = torch._foreach_add(torch._foreach_mul(ss, beta2), c2gp)  # line 5 (torch._foreach_* rounding)
    ys = torch._foreach_add(torch._foreach_mul(s_new, beta2), c2gp) if nesterov else s_new
    fix: list[tuple[int, Tensor, Tensor, Tensor, Tensor]] = []
    if not bool(torch.stack([_in_range(s, y).to(gs[0].device) for s, y in zip(ss, ys)]).all()):  # one sync
        for i, (g, m, s, y) in enumerate(zip(gs, ms, ss, ys)):
            g, m, s, y = (_indexable(t) for t in (g, m, s, y))
            idx = needs_root(g, m, s, y).nonzero(as_tuple=True)
            if idx[0].numel():
                fix.append((i, idx, g[idx], m[idx].clone(), s[idx].clone()))
    torch._foreach_copy_(ss, s_new)
    foreach_ema_(ms, beta1, gs)
    if nesterov:
        num = torch._foreach_add(torch._foreach_mul(ms, beta1), torch._foreach_mul(gs, 1.0 - beta1))
    else:
        num = list(ms)
    den = foreach_root(ys, p)
    if eps:
        den = torch._foreach_add(den, eps)
    ds = foreach_ratio(num, den)
    for i, idx, g, m0, s0 in fix:
        m, s, d = root_mode_update(g, m0, s0, beta1=beta1, beta2=beta2, p=p, nesterov=nesterov, eps=eps)
        _indexable(ms[i])[idx], _indexable(ss[i])[idx], _indexable(ds[i])[idx] = m, s, d
    foreach_decoupled_update(xs, ds, scalar(lrs), weight_decay)


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

    def _batch(self, group: dict[str, Any], pairs: Sequence[tuple[Tensor, Tensor]], working: bool = True,
               lrs: list[float] | None = None) -> Batch:
        # fused: no float32 working copies, the kernel converts dtypes and flips signs in registers
        return super()._batch(group, pairs, working=working and not group["fused"], lrs=lrs)
