"""The one functional API shared by every algorithm, and the numerical conventions.

An :class:`Algorithm` is a pair of pure functions, in the spirit of optax's
``GradientTransformation``::

    state = alg.init(x0)
    x_next, state_next = alg.step(x, state, oracle)

``oracle(x)`` returns a stochastic gradient at ``x``.  Arrays have shape ``(..., d)``:
leading axes are independent runs, and every norm is taken over the last axis (or a block of
it) only, so a batched call equals the looped calls bit for bit.

Numerical policy (one policy for the reference and for ``gpu``):

* **Finite input never yields NaN.**  Every ratio whose denominator is zero only when its
  numerator is zero in exact arithmetic (S3 with an all-zero gradient history, Adam with
  ``eps = 0``, ``m/||m||`` at ``m = 0``, SAM's ``s/||s||`` at ``s = 0``) uses
  :func:`ratio`: ``n / b`` with ``b = 0  =>  0``.  The same rule covers a denominator that
  underflowed to 0 in floating point.  ``sign(0) = 0``.
* **Non-finite gradients propagate.**  NaN or inf in ``g`` are not masked: they flow, as
  IEEE-754 arithmetic dictates, into exactly the coordinates (or, for norm-based methods,
  the runs/blocks) whose update reads them.  Nothing is skipped silently; callers who want
  to skip such steps do it outside (e.g. ``torch.amp.GradScaler``).

Speed without changing a bit.  Each hot coordinate-wise method (S3, Adam, generalized SignSGD)
states its update once as plain array expressions (e.g. :func:`reference.s3.s3_direction`) and
evaluates it with a *fused kernel*: the same IEEE operations on the same operands in the same
order, written with ``out=`` into fresh result arrays and reused scratch buffers, over blocks
of :data:`BLOCK` elements of the flattened arrays (:func:`fused`) so that a large step streams
through the cache once instead of once per operation; the blocks of arrays of :data:`PARALLEL`
elements or more are shared by :data:`THREADS` threads.  Rounding is per operation and
elementwise, so blocks, threads and ``out=`` cannot change a result; tests/reference/
test_speed_equivalence.py pins every kernel to a frozen copy of the plain formula bit for bit.
A step whose ``x`` and state buffers differ in dtype (not produced by ``init``) takes the plain
expressions, whose mixed-precision promotions the kernels do not reproduce, and so do ndarray
subclasses (which may override ufuncs, e.g. to trace them: proofs_check's s3.sec3.p1_cost).
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

import numpy as np

from .hyperparams import check_lr_value

__all__ = [
    "Algorithm",
    "GradientOracle",
    "Oracle",
    "Schedule",
    "lr_at",
    "ratio",
    "norm",
    "as_float_array",
    "decoupled_step",
    "draw_sample",
    "BLOCK",
    "THREADS",
    "fused",
    "kernel_ready",
    "divide_or_zero",
]

Schedule = Callable[[int], float]
State = TypeVar("State", bound=NamedTuple)


class GradientOracle(Protocol):
    """A stochastic first-order oracle: ``oracle(x)`` returns a gradient estimate at ``x``.

    An oracle may also offer ``oracle.sample()``, returning a function ``x -> grad f(x; xi)``
    with the sample ``xi`` frozen, for algorithms that evaluate one sample at two points
    (SAM/AdaSAM, adasam Alg. 1 lines 3 and 5).  The one oracle protocol of the package (the
    problems of :mod:`reference.problems` implement it); not to be confused with the
    :mod:`reference.oracle` subpackage, which checks third-party optimizers.
    """

    def __call__(self, x: np.ndarray) -> np.ndarray: ...


Oracle = GradientOracle
"""The former name of :class:`GradientOracle` (kept for compatibility)."""


@dataclass(frozen=True)
class Algorithm:
    """An optimizer as two pure functions.

    Attributes:
        name: factory name (``"s3"``, ``"adam"``, ...).
        hyperparams: the resolved, validated hyperparameters (read-only).
        init: ``x0 -> state``; the state is an immutable NamedTuple with the paper's buffers,
            the step count ``t`` (0 after init) and ``direction``.
        step: ``(x, state, oracle) -> (x_next, state_next)`` with
            ``x_next = x - lr_t * state_next.direction`` (before decoupled weight decay).
        oracle_calls: how many times ``step`` calls the oracle.
    """

    name: str
    hyperparams: Mapping[str, Any]
    init: Callable[[Any], Any] = field(repr=False)
    step: Callable[[np.ndarray, Any, GradientOracle], tuple[np.ndarray, Any]] = field(repr=False)
    oracle_calls: int = 1

    def __repr__(self) -> str:
        hp = ", ".join(f"{k}={_short(v)}" for k, v in self.hyperparams.items())
        return f"{self.name}({hp})"


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    if callable(v):
        return getattr(v, "__name__", "schedule")
    return repr(v)


def as_float_array(x0: Any) -> np.ndarray:
    """``x0`` as a floating array (integer input becomes float64); copies, never aliases."""
    x = np.array(x0, copy=True)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    if x.ndim == 0:
        raise ValueError("x0 must have at least one axis (shape (..., d))")
    return x


def lr_at(alg: str, lr: float | Schedule, t: int) -> float:
    """The learning rate of step ``t`` (t = 1, 2, ...): a constant, or ``lr(t)`` checked."""
    if callable(lr):
        return check_lr_value(alg, t, lr(t))
    return lr


def ratio(n: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``n / b`` elementwise with the convention ``b = 0  =>  0`` (see the module docstring).

    NaN in ``b`` or ``n`` propagates (NaN == 0 is false).
    """
    zero = np.equal(b, 0)
    if not zero.any():  # the common case: a plain division, the same quotients
        q = np.true_divide(n, b)
        if getattr(q, "__counting__", False):  # an operation-counting array (reference.counting)
            return q  # type: ignore[no-any-return]
        return np.asarray(q).astype(np.result_type(n, b), copy=False)
    return np.where(zero, 0.0, n / np.where(zero, 1.0, b)).astype(np.result_type(n, b), copy=False)


def divide_or_zero(n: np.ndarray, b: np.ndarray, out: np.ndarray, mask: np.ndarray) -> None:
    """``out = n / b`` with ``b = 0  =>  0`` (:func:`ratio`) in place; ``b`` is clobbered (its zeros
    become 1) and ``mask`` (bool, ``b``'s shape) is scratch.  ``out`` may be ``n``.

    ``min(b) > 0`` (false if b holds a NaN, a zero or a negative) proves there is no zero, in one
    reduction; otherwise the zeros are located.
    """
    if b.size and np.minimum.reduce(b, axis=None) > 0:
        np.divide(n, b, out)
        return
    np.equal(b, 0, mask)
    if mask.any():
        np.copyto(b, 1.0, where=mask)
        np.divide(n, b, out)
        np.copyto(out, 0.0, where=mask)
    else:
        np.divide(n, b, out)


BLOCK = 1 << 15
"""Elements per block of :func:`fused`: about ten float64 blocks (2.6 MB) in flight per step."""

THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
"""Threads that share the blocks of one :func:`fused` call on :data:`PARALLEL` elements or more
(as torch's CPU kernels use its intra-op threads).  Blocks are disjoint and elementwise, so the
result does not depend on it; set it to 1 to stay on the calling thread."""

PARALLEL = 1 << 20
"""Fewer elements than this run on the calling thread (thread hand-off costs ~0.1 ms)."""

_POOL: dict[int, ThreadPoolExecutor] = {}  # per process id: a forked child never uses its parent's


def _executor(workers: int) -> ThreadPoolExecutor:
    """This process's pool for :func:`fused`, with at least ``workers`` threads."""
    key = os.getpid()
    pool = _POOL.get(key)
    if pool is None or pool._max_workers < workers:  # noqa: SLF001
        if pool is not None:
            pool.shutdown(wait=False)  # idle threads exit; never done to a parent's pool after fork
        _POOL.clear()
        pool = _POOL[key] = ThreadPoolExecutor(workers, thread_name_prefix="reference-fused")
    return pool


def kernel_ready(x: np.ndarray, *arrays: np.ndarray) -> bool:
    """Whether a fused kernel may run: ``x`` and ``arrays`` are exact ``np.ndarray`` of one dtype
    (otherwise the plain expressions run, with NumPy's promotions and subclass dispatch)."""
    if type(x) is not np.ndarray:
        return False
    dt = x.dtype
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype != dt:
            return False
    return True


def fused(kernel: Callable[..., None], inputs: tuple[np.ndarray, ...], n_out: int, n_scratch: int,
          *scalars: Any) -> list[np.ndarray]:
    """Evaluate an elementwise ``kernel`` into ``n_out`` fresh arrays of ``inputs[0]``'s shape/dtype.

    ``kernel(*scalars, *inputs, *outputs, *scratch, mask)`` must write its outputs with ``out``
    ufuncs only, elementwise: then evaluating it block by block over the flattened arrays (for
    arrays larger than :data:`BLOCK`) gives the same bits as one call on the whole arrays, and
    only the inputs and outputs travel through memory.  ``scratch`` are float buffers of the
    block's size and ``mask`` a bool one, reused across a thread's blocks.  All inputs share one
    shape.  Large arrays are split into :data:`THREADS` runs of blocks; each runs in a copy of the
    caller's context (``np.errstate`` applies), and an error in any is raised here.
    """
    ref = inputs[0]
    shape, dtype, size, block = ref.shape, ref.dtype, ref.size, BLOCK
    outs = [np.empty(shape, dtype) for _ in range(n_out)]
    if size <= block:
        scratch = [np.empty(shape, dtype) for _ in range(n_scratch)]
        kernel(*scalars, *inputs, *outs, *scratch, np.empty(shape, np.bool_))
        return outs
    flat = [a.reshape(-1) for a in (*inputs, *outs)]  # views of contiguous arrays, copies otherwise

    def blocks(first: int, stop: int) -> None:
        scratch = [np.empty(block, dtype) for _ in range(n_scratch)]
        mask = np.empty(block, np.bool_)
        for lo in range(first * block, min(stop * block, size), block):
            hi = min(lo + block, size)
            k = hi - lo
            kernel(*scalars, *[a[lo:hi] for a in flat], *[s[:k] for s in scratch], mask[:k])

    n_blocks = -(-size // block)
    workers = min(THREADS, n_blocks) if size >= PARALLEL else 1
    if workers <= 1:
        blocks(0, n_blocks)
        return outs
    cuts = [n_blocks * i // workers for i in range(workers + 1)]
    pool = _executor(workers - 1)
    futures = [pool.submit(contextvars.copy_context().run, blocks, cuts[i], cuts[i + 1]) for i in range(1, workers)]
    try:
        blocks(cuts[0], cuts[1])
    finally:
        wait(futures)
    for f in futures:
        f.result()  # re-raises a worker's error
    return outs


def norm(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Euclidean norm over ``axis`` with ``keepdims``; the same reduction for every batch shape."""
    return np.sqrt(np.add.reduce(x * x, axis=axis, keepdims=True))  # = np.sum, without its wrapper


def decoupled_step(x: np.ndarray, d: np.ndarray, lr_t: float, weight_decay: float) -> np.ndarray:
    """``x_{t+1} = x_t (1 - lr_t lambda) - lr_t d_t`` (decoupled weight decay, AdamW/torch order)."""
    if weight_decay:
        return x * (1.0 - lr_t * weight_decay) - lr_t * d
    return x - lr_t * d


def draw_sample(oracle: GradientOracle, same_sample: bool) -> Callable[[np.ndarray], np.ndarray]:
    """A gradient function for one sample ``xi_t`` if the oracle can freeze it, else the oracle.

    With ``same_sample`` and an oracle offering ``sample()``, both SAM evaluations use one
    sample; otherwise each call draws (or, under ``replay``, consumes) a fresh gradient.
    """
    if same_sample and hasattr(oracle, "sample"):
        return oracle.sample()  # type: ignore[no-any-return]
    return oracle


def check_shape(alg: str, x: np.ndarray, state: Any) -> None:
    """Reject an ``x`` whose shape differs from the state's buffers."""
    ref = state.direction
    if x.shape != ref.shape:
        raise ValueError(f"{alg}: x has shape {x.shape} but the state was initialised for {ref.shape}")


def oracle_gradient(alg: str, oracle: GradientOracle | Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """Call the oracle and check that the gradient has the shape of ``x``; cast to x's dtype."""
    g = oracle(x)
    if getattr(g, "__counting__", False):  # an operation-counting array (reference.counting)
        return g  # type: ignore[no-any-return]
    g = np.asarray(g)
    if g.shape != x.shape:
        raise ValueError(f"{alg}: oracle returned shape {g.shape} for x of shape {x.shape}")
    return g.astype(x.dtype, copy=False)
