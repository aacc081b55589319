"""The fused S3 step: one Triton kernel that reads x, g, m, s once and writes x, m, s once.

Memory traffic per element: float32 parameters 4 reads + 3 writes of 4 bytes = **28 bytes**;
bfloat16/float16 parameters (float32 state) 2+2+4+4 read, 2+4+4 written = 22 bytes; float64 56.

Design:

* **Multi-tensor launch.**  All tensors of one (device, parameter dtype, lr) bucket are updated
  by one launch.  The bucket's first x, g, m, s are passed as pointer arguments (so Triton
  specializes them on 16-byte alignment) and a small int64 table holds, per tensor, the element
  offsets of its x, g, m, s from those bases and its length; when every address is 16-byte
  aligned the offsets carry ``tl.multiple_of`` hints, so loads and stores vectorize.  Each program
  handles one block of ``BLOCK`` elements of one tensor (a block never straddles two tensors),
  found through two block maps.  Tables are cached by (offsets, lengths), block maps by lengths.
  Full blocks use unmasked loads, the last block of a tensor a masked one.
* **Same function as the reference** (``reference.s3.s3_direction``): the order of operations is
  the reference's, floating-point contraction is disabled (``enable_fp_fusion=False``: no FMA),
  division and square root are the IEEE-rounded ``div_rn``/``sqrt_rn``; the coefficients
  (beta1, beta2, p, 1/p, lr_t, 1 - lr_t wd, eps) travel in a float64 device tensor (cached by
  value; a new lr is one pinned, non-blocking copy) and are rounded once to the state dtype in
  the kernel, as NumPy/torch round a Python float.
  ``|g|^p`` and ``y^(1/p)`` take the fast paths of ``reference.s3.abs_pow/root`` for p = 1, 2, 3
  (no general pow): ``|g|``, ``|g|*|g|``, ``(|g|*|g|)*|g|``, ``sqrt_rn``, libdevice ``cbrt``
  (1 ulp).  libdevice is linked with flush-to-zero on (Triton's default), so a float32 ``y``
  below ``2^-99`` is scaled by ``2^96`` before ``cbrt`` and the root by ``2^-32`` after (both
  exact): subnormal ``s`` give the same root as on the CPU.  Other p use float64 libdevice
  ``pow`` rounded once.
* **Root mode** (``reference.s3``, the whole finite range for any p): after the plain evaluation
  each element checks, as the reference does, whether it was accurate (finite input,
  ``s_{t-1} >= 0``, ``y`` in ``[tiny, inf)`` or an exact zero); a block with any element that was
  not evaluates ``reference.s3.root_mode_update`` in float64 registers (libdevice ``pow``/``cbrt``)
  for the whole block and keeps it where needed -- no extra memory traffic, and blocks without
  such elements skip it.
* **Interpreter.**  Under ``TRITON_INTERPRET=1`` (set before this module is imported) the same
  kernel runs on CPU tensors; libdevice does not exist there, so the cube root / general powers
  use ``exp2(log2(y)/p)`` in float64 rounded once (the ``LIBDEVICE`` constexpr; every other line
  of the kernel is the one that runs on the GPU).

Not supported: CUDA graphs capture (``lr`` is a launch argument), sparse gradients.
"""

import os
from collections import OrderedDict
from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["available", "interpreting", "check_supported", "s3_fused_step", "BLOCK", "NUM_WARPS",
           "bytes_per_element"]

try:
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - exercised where triton is absent
    triton = None
    tl = None

BLOCK = 2048
NUM_WARPS = 8
_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def available() -> bool:
    """Whether Triton is importable (the kernel can be compiled or interpreted)."""
    return triton is not None


def interpreting() -> bool:
    """Whether Triton runs kernels in its CPU interpreter (``TRITON_INTERPRET=1`` at import)."""
    return os.environ.get("TRITON_INTERPRET", "0").lower() in ("1", "true", "on", "yes")


def bytes_per_element(dtype: torch.dtype) -> int:
    """Bytes moved per element by one fused step: x, g in ``dtype``; m, s in the state dtype."""
    state = 4 if dtype in (torch.float16, torch.bfloat16) else torch.empty((), dtype=dtype).element_size()
    param = torch.empty((), dtype=dtype).element_size()
    return 3 * param + 4 * state  # read x, g, m, s; write x, m, s


def check_supported(params: Sequence[Tensor]) -> None:
    """Raise ``RuntimeError`` unless ``fused=True`` can update ``params``."""
    if triton is None:
        raise RuntimeError("S3(fused=True) needs Triton (`pip install triton`, bundled with CUDA builds of torch)")
    for p in params:
        ok_device = p.device.type == "cuda" or (p.device.type == "cpu" and interpreting())
        if not ok_device or p.dtype not in _DTYPES:
            raise RuntimeError("`fused=True` requires all the params to be floating point Tensors on CUDA "
                               f"(or on CPU with TRITON_INTERPRET=1); got {p.dtype} on {p.device}")


if triton is not None:
    try:
        from triton.language.extra import libdevice
    except ImportError:  # pragma: no cover - very old triton
        libdevice = None

    @triton.jit
    def _abs_pow(a, p, P: tl.constexpr, LIBDEVICE: tl.constexpr):
        if P == 1:
            r = a
        elif P == 2:
            r = a * a
        elif P == 3:
            r = a * a * a
        else:
            w = a.to(tl.float64)
            if LIBDEVICE:
                r = libdevice.pow(w, p).to(a.dtype)
            else:
                r = tl.exp2(p * tl.log2(w)).to(a.dtype)
        return r

    @triton.jit
    def _root(y, inv_p, P: tl.constexpr, IS_F32: tl.constexpr, LIBDEVICE: tl.constexpr):
        if P == 1:
            r = y
        elif P == 2:
            if IS_F32:
                r = tl.math.sqrt_rn(y)
            else:  # float64 sqrt is always IEEE-rounded
                r = tl.sqrt(y)
        elif P == 3:
            if LIBDEVICE:
                if IS_F32:  # libdevice flushes subnormals: scale them up exactly, 2^96 and 2^-32
                    tiny = y < 1.5777218104420236e-30  # 2^-99
                    r = libdevice.cbrt(tl.where(tiny, y * 7.922816251426434e28, y))
                    r = tl.where(tiny, r * 2.3283064365386963e-10, r)
                else:
                    r = libdevice.cbrt(y)
            else:
                r = tl.exp2(tl.log2(y.to(tl.float64)) * inv_p).to(y.dtype)
        else:
            w = y.to(tl.float64)
            if LIBDEVICE:
                r = libdevice.pow(w, inv_p).to(y.dtype)
            else:
                r = tl.exp2(tl.log2(w) * inv_p).to(y.dtype)
        return r

    @triton.jit
    def _pow64(a, p, P: tl.constexpr, LIBDEVICE: tl.constexpr):
        """``a^p`` in float64 for ``a >= 0`` (root mode): products for p = 1, 2, 3, else pow."""
        if P == 1:
            r = a
        elif P == 2:
            r = a * a
        elif P == 3:
            r = a * a * a
        else:
            if LIBDEVICE:
                r = libdevice.pow(a, p)
            else:
                r = tl.exp2(p * tl.log2(a))
        return r

    @triton.jit
    def _root64(y, inv_p, P: tl.constexpr, LIBDEVICE: tl.constexpr):
        """``y^(1/p)`` in float64 for ``y >= 0`` (root mode): sqrt, cbrt, else pow."""
        if P == 1:
            r = y
        elif P == 2:
            r = tl.sqrt(y)
        else:
            if LIBDEVICE:
                if P == 3:
                    r = libdevice.cbrt(y)
                else:
                    r = libdevice.pow(y, inv_p)
            else:
                r = tl.exp2(tl.log2(y) * inv_p)
        return r

    @triton.jit
    def _power_mean(u, v, p, inv_p, P: tl.constexpr, LIBDEVICE: tl.constexpr):
        """``(u^p + v^p)^(1/p)`` for ``u, v >= 0`` scaled by ``max(u, v)`` (``reference.s3._power_mean``)."""
        c = tl.maximum(u, v)
        q = tl.where(c > 0, c, 1.0)
        return c * _root64(_pow64(u / q, p, P, LIBDEVICE) + _pow64(v / q, p, P, LIBDEVICE), inv_p, P, LIBDEVICE)

    @triton.jit
    def _root_mode(g, m0, s0, beta1, beta2, p, inv_p, ws, wg, eps, lo, hi,
                   P: tl.constexpr, NESTEROV: tl.constexpr, HAS_EPS: tl.constexpr, LIBDEVICE: tl.constexpr):
        """s3 Alg. 1 lines 4-8 in root mode, float64 (``reference.s3.root_mode_update``):
        ``(m_t, s_t as stored, d_t)``."""
        g = g.to(tl.float64)
        m0 = m0.to(tl.float64)
        s0 = s0.to(tl.float64)
        r0 = tl.where(s0 < 0, -s0, _root64(tl.maximum(s0, 0.0), inv_p, P, LIBDEVICE))
        a = tl.abs(g)
        r = tl.minimum(_power_mean(ws * r0, wg * a, p, inv_p, P, LIBDEVICE), tl.maximum(r0, a))
        m = beta1 * m0 + (1.0 - beta1) * g
        if NESTEROV:
            num = beta1 * m + (1.0 - beta1) * g
            den = tl.minimum(_power_mean(ws * r, wg * a, p, inv_p, P, LIBDEVICE), tl.maximum(r, a))
        else:
            num = m
            den = r
        if HAS_EPS:
            den = den + eps
        d = tl.where(den == 0, 0.0, num / tl.where(den == 0, 1.0, den))
        sp = _pow64(r, p, P, LIBDEVICE)
        plain = (sp >= lo) & (sp <= hi)
        st = tl.where(r == 0, 0.0, tl.where(plain, sp, -r))
        return m, st, d

    @triton.jit
    def _s3_block(x_ptr, g_ptr, m_ptr, s_ptr, offs, n, b1, c1, b2, c2, p, inv_p, lr, decay, eps,
                  beta1, beta2, ws, wg, eps64, tiny, lo, hi,
                  X_DT: tl.constexpr, S_DT: tl.constexpr, P: tl.constexpr, NESTEROV: tl.constexpr,
                  HAS_WD: tl.constexpr, HAS_EPS: tl.constexpr, MAXIMIZE: tl.constexpr,
                  IS_F32: tl.constexpr, LIBDEVICE: tl.constexpr, MASKED: tl.constexpr):
        if MASKED:
            mask = offs < n
            x = tl.load(x_ptr + offs, mask=mask, other=0.0).to(S_DT)
            g = tl.load(g_ptr + offs, mask=mask, other=0.0).to(S_DT)
            m = tl.load(m_ptr + offs, mask=mask, other=0.0)
            s = tl.load(s_ptr + offs, mask=mask, other=0.0)
        else:
            x = tl.load(x_ptr + offs).to(S_DT)
            g = tl.load(g_ptr + offs).to(S_DT)
            m = tl.load(m_ptr + offs)
            s = tl.load(s_ptr + offs)
        if MAXIMIZE:
            g = -g
        m0 = m
        s0 = s
        gp = _abs_pow(tl.abs(g), p, P, LIBDEVICE)
        m = m * b1 + g * c1
        s = s * b2 + gp * c2
        if NESTEROV:
            num = m * b1 + g * c1
            y = s * b2 + gp * c2
        else:
            num = m
            y = s
        den = _root(y, inv_p, P, IS_F32, LIBDEVICE)
        if HAS_EPS:
            den = den + eps
        if IS_F32:
            q = tl.math.div_rn(num, den)
        else:  # float64 division is always IEEE-rounded
            q = num / den
        d = tl.where(den == 0, tl.zeros_like(num), q)
        # root mode where the plain evaluation is out of range (reference.s3._needs_root): finite
        # input and s_{t-1} < 0, or y outside [tiny, inf) without an exact zero; x - x == 0 <=> finite
        finite = ((g - g) == 0) & ((m0 - m0) == 0) & ((s0 - s0) == 0)
        y64 = y.to(tl.float64)
        good = (s0 >= 0) & (((y64 >= tiny) & ((y - y) == 0)) | ((y == 0) & (g == 0) & (m0 == 0)))
        bad = finite & (good == 0)
        if tl.max(bad.to(tl.int32), axis=0) > 0:  # the block has such coordinates: float64 root mode
            mr, sr, dr = _root_mode(g, m0, s0, beta1, beta2, p, inv_p, ws, wg, eps64, lo, hi, P, NESTEROV,
                                    HAS_EPS, LIBDEVICE)
            m = tl.where(bad, mr.to(S_DT), m)
            s = tl.where(bad, sr.to(S_DT), s)
            d = tl.where(bad, dr.to(S_DT), d)
        if HAS_WD:
            x = x * decay - d * lr
        else:
            x = x - d * lr
        if MASKED:
            tl.store(x_ptr + offs, x.to(X_DT), mask=mask)
            tl.store(m_ptr + offs, m, mask=mask)
            tl.store(s_ptr + offs, s, mask=mask)
        else:
            tl.store(x_ptr + offs, x.to(X_DT))
            tl.store(m_ptr + offs, m)
            tl.store(s_ptr + offs, s)

    @triton.jit
    def _s3_kernel(x_base, g_base, m_base, s_base, table_ptr, blk_tensor_ptr, blk_start_ptr, coef_ptr,
                   X_DT: tl.constexpr, S_DT: tl.constexpr, P: tl.constexpr, NESTEROV: tl.constexpr,
                   HAS_WD: tl.constexpr, HAS_EPS: tl.constexpr, MAXIMIZE: tl.constexpr,
                   LIBDEVICE: tl.constexpr, ALIGNED: tl.constexpr, X_VEC: tl.constexpr, S_VEC: tl.constexpr,
                   BLOCK: tl.constexpr):
        pid = tl.program_id(0)
        ti = tl.load(blk_tensor_ptr + pid).to(tl.int64)
        start = tl.load(blk_start_ptr + pid)
        row = table_ptr + ti * 5
        # element offsets of this tensor's x, g, m, s from the base pointers (the bucket's first
        # tensors): pointer arguments keep Triton's alignment specialization, the offsets are hinted
        x_off = tl.load(row)
        g_off = tl.load(row + 1)
        m_off = tl.load(row + 2)
        s_off = tl.load(row + 3)
        n = tl.load(row + 4)
        if ALIGNED:  # every address is a multiple of 16 bytes (checked on the host)
            x_off = tl.multiple_of(x_off, X_VEC)
            g_off = tl.multiple_of(g_off, X_VEC)
            m_off = tl.multiple_of(m_off, S_VEC)
            s_off = tl.multiple_of(s_off, S_VEC)
            start = tl.multiple_of(start, BLOCK)
        x_ptr = x_base + x_off
        g_ptr = g_base + g_off
        m_ptr = m_base + m_off
        s_ptr = s_base + s_off
        # float64 coefficients rounded once to the state dtype, as NumPy/torch round a Python float
        beta1 = tl.load(coef_ptr)
        beta2 = tl.load(coef_ptr + 1)
        p = tl.load(coef_ptr + 2)
        inv_p = tl.load(coef_ptr + 3)
        lr = tl.load(coef_ptr + 4)
        decay = tl.load(coef_ptr + 5)
        eps = tl.load(coef_ptr + 6)
        ws = tl.load(coef_ptr + 7)  # root mode (float64): beta2^(1/p), (1 - beta2)^(1/p), tiny, plain range
        wg = tl.load(coef_ptr + 8)
        tiny = tl.load(coef_ptr + 9)
        lo = tl.load(coef_ptr + 10)
        hi = tl.load(coef_ptr + 11)
        b1 = beta1.to(S_DT)
        c1 = (1.0 - beta1).to(S_DT)
        b2 = beta2.to(S_DT)
        c2 = (1.0 - beta2).to(S_DT)
        lr_c = lr.to(S_DT)
        decay_c = decay.to(S_DT)
        eps_c = eps.to(S_DT)
        offs = start + tl.arange(0, BLOCK)
        if start + BLOCK <= n:
            _s3_block(x_ptr, g_ptr, m_ptr, s_ptr, offs, n, b1, c1, b2, c2, p, inv_p, lr_c, decay_c, eps_c,
                      beta1, beta2, ws, wg, eps, tiny, lo, hi,
                      X_DT, S_DT, P, NESTEROV, HAS_WD, HAS_EPS, MAXIMIZE, S_DT == tl.float32, LIBDEVICE, False)
        else:
            _s3_block(x_ptr, g_ptr, m_ptr, s_ptr, offs, n, b1, c1, b2, c2, p, inv_p, lr_c, decay_c, eps_c,
                      beta1, beta2, ws, wg, eps, tiny, lo, hi,
                      X_DT, S_DT, P, NESTEROV, HAS_WD, HAS_EPS, MAXIMIZE, S_DT == tl.float32, LIBDEVICE, True)

    _TL_DTYPES = {torch.float16: tl.float16, torch.bfloat16: tl.bfloat16, torch.float32: tl.float32,
                  torch.float64: tl.float64}


class _Cache(OrderedDict):
    """A small LRU cache of device tensors (address tables, block maps)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or_make(self, key: object, make):  # type: ignore[no-untyped-def]
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


_TABLES = _Cache(64)
_BLOCK_MAPS = _Cache(64)
_COEFS = _Cache(64)


def _device_tensor(rows: list, dtype: torch.dtype, device: torch.device) -> Tensor:
    host = torch.tensor(rows, dtype=dtype)
    if device.type == "cuda":  # pinned + non_blocking: no stream synchronisation
        return host.pin_memory().to(device, non_blocking=True)
    return host.to(device)


def _block_maps(numels: tuple[int, ...], device: torch.device) -> tuple[Tensor, Tensor]:
    def make() -> tuple[Tensor, Tensor]:
        counts = torch.tensor([(n + BLOCK - 1) // BLOCK for n in numels], dtype=torch.int64)
        tensor_of_block = torch.repeat_interleave(torch.arange(len(numels), dtype=torch.int64), counts)
        first = torch.cumsum(counts, 0) - counts
        start = (torch.arange(int(counts.sum()), dtype=torch.int64) - first[tensor_of_block]) * BLOCK
        return tensor_of_block.to(torch.int32).to(device), start.to(device)

    return _BLOCK_MAPS.get_or_make((device, numels), make)


def _launch_options() -> dict[str, object]:
    return {"num_warps": NUM_WARPS, "enable_fp_fusion": False}


def s3_fused_step(xs: Sequence[Tensor], gs: Sequence[Tensor], ms: Sequence[Tensor], ss: Sequence[Tensor],
                  lrs: Sequence[float], *, beta1: float, beta2: float, p: float, nesterov: bool, eps: float,
                  weight_decay: float, maximize: bool) -> None:
    """One S3 step on every tensor of ``xs`` (in place, with ``ms``, ``ss``); ``gs`` are read.

    ``xs``/``gs`` may be float16/bfloat16 (then ``ms``/``ss`` are float32), float32 or float64.
    ``lrs`` holds ``lr_t`` per tensor.  Arithmetic as :func:`gpu.s3.s3_single`.
    """
    if triton is None:
        raise RuntimeError("s3_fused_step needs Triton")
    buckets: dict[tuple[torch.device, torch.dtype, float], list[int]] = {}
    for i, (x, lr) in enumerate(zip(xs, lrs)):
        if x.numel():
            buckets.setdefault((x.device, x.dtype, float(lr)), []).append(i)
    P = int(p) if p in (1.0, 2.0, 3.0) else 0
    for (device, dtype, lr), idx in buckets.items():
        sdt = ms[idx[0]].dtype
        works, keep, writeback = [], [], []
        for i in idx:
            x, g, m, s = xs[i], gs[i], ms[i], ss[i]
            if m.dtype != sdt or s.dtype != sdt or not (m.is_contiguous() and s.is_contiguous()):
                raise RuntimeError("s3_fused_step: state buffers must be contiguous and of one dtype per bucket")
            if g.dtype != dtype or not g.is_contiguous():
                g = g.to(dtype).contiguous()
                keep.append(g)  # alive until the kernel is enqueued
            if not x.is_contiguous():
                writeback.append((x, x.contiguous()))
                x = writeback[-1][1]
            works.append((x, g, m, s))
        bases = works[0]
        rows = []
        for w in works:
            row = []
            for t, b in zip(w, bases):
                delta = t.data_ptr() - b.data_ptr()
                assert delta % t.element_size() == 0
                row.append(delta // t.element_size())
            rows.append((*row, w[0].numel()))
        aligned = all(t.data_ptr() % 16 == 0 for w in works for t in w)
        key = (device, tuple(rows))
        table = _TABLES.get_or_make(key, lambda: _device_tensor([list(r) for r in rows], torch.int64, device))
        blk_tensor, blk_start = _block_maps(tuple(r[4] for r in rows), device)
        fi = torch.finfo(sdt)
        coefs = (float(beta1), float(beta2), float(p), 1.0 / float(p), lr, 1.0 - lr * weight_decay, float(eps),
                 float(beta2) ** (1.0 / float(p)), (1.0 - float(beta2)) ** (1.0 / float(p)), fi.tiny,
                 fi.tiny * 2.0**8, fi.max * 2.0**-8)
        coef = _COEFS.get_or_make((device, coefs), lambda: _device_tensor(list(coefs), torch.float64, device))
        grid = (blk_tensor.numel(),)
        _s3_kernel[grid](
            *bases, table, blk_tensor, blk_start, coef,
            X_DT=_TL_DTYPES[dtype], S_DT=_TL_DTYPES[sdt], P=P, NESTEROV=bool(nesterov),
            HAS_WD=bool(weight_decay), HAS_EPS=bool(eps), MAXIMIZE=bool(maximize),
            LIBDEVICE=not interpreting() and libdevice is not None, ALIGNED=aligned,
            X_VEC=16 // bases[0].element_size(), S_VEC=16 // bases[2].element_size(), BLOCK=BLOCK,
            **_launch_options(),
        )
        for orig, work in writeback:
            orig.copy_(work)
