r"""Seeded gradient streams and oracles shared by an implementation and its reference twin.

A stream of ``T`` steps over ``d`` coordinates (every tensor of every parameter group, flattened
and concatenated in order) is drawn from ``seed``; both sides see the same numbers, rounded once
to the compared dtype (the reference computes in float64 on those representable values).  Per
coordinate a magnitude ``sigma_i`` and per step a unit-scale draw ``z_t`` give the gradient
``g_t = mask_t * sigma * z_t``:

* ``gaussian``: ``z ~ N(0.3, 1)``, ``sigma_i = 10^U(-3, 1)`` (heterogeneous scales, as
  tests/reference/test_torch_parity.py).
* ``heavy-tailed`` (default): ``z = 0.3 + N(0, 1) * P`` with ``P = exp(2E/3)``, ``E ~ Exp(1)``: a
  Pareto factor of tail index 1.5, so ``z`` has infinite variance like Student-t(1.5) (rare huge
  entries, what breaks an eps placed on the wrong side of a square root) and is cheap to draw.
* ``sign-flips``: ``|z|`` heavy-tailed with the sign alternating every step on even coordinates
  and drawn at random on odd ones (momentum near cancellation; the sign of small quantities).
* ``zeros``: heavy-tailed with exact zeros: steps 1-3 and every 7th step all zero, coordinate 0
  always zero, 30 % of the other entries zero (0/0 conventions, first steps from zero state,
  an EMA that must still decay on a zero gradient).
* ``tiny`` / ``huge``: ``sigma_i`` within a decade above ``tiny^(1/4)`` / below ``max^(1/4)``
  of the dtype (float64: 1.2e-77 / 1.2e77; float32 and bfloat16: 1.0e-10 / 1.4e9; float16:
  0.088 / 16), ``|z| <= 1``, so that ``g^2`` and ``|g|^3`` stay normal numbers (float16: ``|g|^3``
  and ``g``; its range is too narrow for ``g^2`` of the smallest draws): magnitude bugs, eps
  dominating, no spurious over/underflow.  ``tiny`` also puts ``x_0`` and ``c`` at that scale.
* ``long``: heavy-tailed over at least 1000 steps (drift of rounding errors).

``x_0 = N(0, 1) * 10^U(-3, 0)``: magnitudes over three decades, so that low-precision parameters
(bfloat16 rounds x to 2^-9 |x|) show the update ``lr d`` on their small coordinates.

Methods whose oracle depends on x (SAM, AdaSAM, NIGT, IGT, NAG form I: ``Declaration.x_dependent``) get
``g_t(x) = mask_t * (sigma * z_t + kappa * (x - c))`` with ``kappa_i = a_i min(sigma_i, 1)``,
``a_i ~ U(0.2, 1)`` and ``c`` at distance 2..3 from ``x_0`` (a stochastic gradient of
``sum kappa (x - c)^2 / 2 + <mask sigma z_t, x>``).  An x-dependent gradient is computed in float64
and rounded once to the implementation's dtype.  Each step has ``k = alg.oracle_calls`` samples
``z_{t,0..k-1}``; SAM's two evaluations use sample 0 when ``same_sample``.

Step ``t`` is drawn from its own generator ``default_rng([seed, stream, t])`` when first asked for,
so a long run over many coordinates never holds the whole stream in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from ..registry import REGISTRY, get

__all__ = ["STREAMS", "ALL", "X_DEPENDENT", "LONG_STEPS", "StreamData", "make_stream", "RefOracle", "ImplOracle",
           "x_dependent", "representable", "finfo"]

STREAMS = ("heavy-tailed", "gaussian", "sign-flips", "zeros", "tiny", "huge", "long")
"""The stream names accepted by :func:`make_stream`."""

ALL = "all"
"""``compare(stream='all')``: every stream of :data:`STREAMS`, one verdict each."""

LONG_STEPS = 1000
"""Minimum (and default) number of steps of the ``long`` stream."""


class _XDependent(AbstractSet[str]):
    """The registered algorithms whose declaration says ``x_dependent=True`` (live)."""

    def _names(self) -> list[str]:
        return [name for name, decl in REGISTRY.items() if decl.x_dependent is True]

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


X_DEPENDENT: AbstractSet[str] = _XDependent()
"""Algorithms whose oracle is evaluated away from the current iterate or twice per step, whatever
their hyperparameters (``Declaration.x_dependent``; NAG's form I depends on them: :func:`x_dependent`)."""


def x_dependent(algorithm: str, hyperparams: Mapping[str, Any]) -> bool:
    """Whether ``algorithm`` with ``hyperparams`` needs a gradient *function* (its declaration)."""
    return get(algorithm).depends_on_x(hyperparams)


_FINFO = {
    # (smallest normal, largest finite, unit roundoff)
    "float64": (2.0**-1022, float(np.finfo(np.float64).max), 2.0**-53),
    "float32": (2.0**-126, float(np.finfo(np.float32).max), 2.0**-24),
    "bfloat16": (2.0**-126, (2.0 - 2.0**-7) * 2.0**127, 2.0**-8),
    "float16": (2.0**-14, 65504.0, 2.0**-11),
}


def finfo(dtype: str) -> tuple[float, float, float]:
    """``(tiny, max, unit roundoff)`` of ``dtype`` (bfloat16 without ml_dtypes)."""
    return _FINFO[dtype]


def _round_bfloat16(a: np.ndarray) -> np.ndarray:
    """Round to bfloat16 (nearest, ties to even) through float32, as torch converts float64."""
    f = np.asarray(a, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    return np.where(np.isnan(f), f, rounded)


def representable(a: np.ndarray, dtype: str) -> np.ndarray:
    """``a`` rounded to ``dtype`` (round to nearest even) and back to float64."""
    a = np.asarray(a, dtype=np.float64)
    if dtype == "float64":
        return a
    if dtype == "bfloat16":
        return _round_bfloat16(a).astype(np.float64)
    with np.errstate(over="ignore"):
        return a.astype(dtype).astype(np.float64)


_STREAM_CODE = {name: i for i, name in enumerate(STREAMS)}


def _heavy(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """``0.3 + N(0, 1) exp(2E/3)``: tail index 1.5 (infinite variance).  The Pareto factor is drawn
    in float32 (a random scale; half the cost)."""
    e = rng.standard_exponential(shape, dtype=np.float32)
    e *= np.float32(2.0 / 3.0)
    np.exp(e, out=e)
    z = rng.standard_normal(shape)
    z *= e
    z += 0.3
    return z


class StreamData:
    """One seeded stream: ``x0``, ``sigma``, ``kappa``, ``c`` (d,) float64 arrays (``x0``, ``kappa``,
    ``c`` representable in ``dtype``) and the step draws, generated per step on first use:
    :meth:`G` (k, d) the x-free gradients ``mask * sigma * z`` (representable in ``dtype``) and
    :meth:`mask` (d,)."""

    def __init__(self, name: str, dtype: str, steps: int, d: int, samples: int, seed: int) -> None:
        if name not in STREAMS:
            raise ValueError(f"unknown stream {name!r}; known: {', '.join(STREAMS)}")
        self.name, self.dtype, self.steps, self.d, self.samples, self.seed = name, dtype, steps, d, samples, seed
        rng = np.random.default_rng([seed, _STREAM_CODE[name]])
        x0 = rng.normal(size=d) * 10.0 ** rng.uniform(-3.0, 0.0, size=d)
        sigma = 10.0 ** rng.uniform(-3.0, 1.0, size=d)
        a = rng.uniform(0.2, 1.0, size=d)
        c = x0 + np.where(rng.random(d) < 0.5, -1.0, 1.0) * rng.uniform(2.0, 3.0, size=d)
        self._rand_sign = np.where(rng.random(d) < 0.5, -1.0, 1.0)
        if name in ("tiny", "huge"):
            tiny, big, _ = finfo(dtype)
            lo, hi = tiny**0.25, big**0.25
            sigma = lo * 10.0 ** rng.uniform(0.0, 1.0, size=d) if name == "tiny" else \
                hi * 10.0 ** rng.uniform(-1.0, 0.0, size=d)
            if name == "tiny":  # steps lr * g must stay visible next to x: x at the gradients' scale
                x0, c = x0 * lo, c * lo
        self.sigma = sigma
        self.kappa = representable(a * np.minimum(sigma, 1.0), dtype)
        self.x0 = representable(x0, dtype)
        self.c = representable(c, dtype)
        self._t = -1
        self._G = np.zeros((samples, d))
        self._mask = np.ones(d)

    def _draw(self, t: int) -> None:
        if t == self._t:
            return
        if not 0 <= t < self.steps:
            raise IndexError(f"step {t} outside the stream's {self.steps} steps")
        name, d, k = self.name, self.d, self.samples
        rng = np.random.default_rng([self.seed, _STREAM_CODE[name], t + 1])
        shape = (k, d)
        z = rng.standard_normal(shape) + 0.3 if name == "gaussian" else _heavy(rng, shape)
        mask = np.ones(d)
        if name == "sign-flips":
            flip = 1.0 if t % 2 == 0 else -1.0
            rand = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
            sign = np.where(np.arange(d) % 2 == 0, flip, rand)
            z = np.abs(z) * sign
        elif name == "zeros":
            mask = np.where(rng.random(d) < 0.3, 0.0, 1.0)
            mask[0] = 0.0
            if t < 3 or t % 7 == 6:
                mask[:] = 0.0
        elif name in ("tiny", "huge"):
            z = np.clip(z, -8.0, 8.0) / 8.0  # keep sigma * z inside the safe range
        self._G = representable(mask * self.sigma * z, self.dtype)
        self._mask = mask
        self._t = t

    def G(self, t: int) -> np.ndarray:
        """The x-free gradients of step ``t`` (0-based), one row per sample: (k, d)."""
        self._draw(t)
        return self._G

    def mask(self, t: int) -> np.ndarray:
        """The zero pattern of step ``t`` (1 where the gradient is not forced to 0)."""
        self._draw(t)
        return self._mask

    def gradient(self, t: int, i: int, x: np.ndarray | None, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Gradient of sample ``i`` at step ``t`` (0-based) on coordinates ``lo:hi``, float64;
        ``x=None`` for x-free methods (else x holds those coordinates)."""
        hi = self.d if hi is None else hi
        g = self.G(t)[i, lo:hi]
        if x is None:
            return g
        return g + self.mask(t)[lo:hi] * self.kappa[lo:hi] * (np.asarray(x, dtype=np.float64).reshape(-1)
                                                              - self.c[lo:hi])


def make_stream(name: str, *, steps: int, d: int, samples: int = 1, seed: int = 0,
                dtype: str = "float64") -> StreamData:
    """Stream ``name`` (see the module docstring) for ``steps`` steps of ``d`` coordinates."""
    return StreamData(name, dtype, steps, d, samples, seed)


class RefOracle:
    """The reference twin's oracle for one step and one run (coordinates ``lo:hi``): call j of the
    step uses sample ``min(j, k-1)``; ``sample()`` freezes sample 0 (``reference.algorithm.draw_sample``)."""

    def __init__(self, data: StreamData, depends_on_x: bool, samples: int, lo: int = 0, hi: int | None = None) -> None:
        self.data, self.depends_on_x, self.samples = data, depends_on_x, samples
        self.lo, self.hi = lo, data.d if hi is None else hi
        self.t, self.calls = 0, 0

    def start(self, t: int) -> None:
        self.t, self.calls = t, 0

    def _grad(self, i: int, x: np.ndarray) -> np.ndarray:
        return self.data.gradient(self.t, i, x if self.depends_on_x else None, self.lo, self.hi)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        i = min(self.calls, self.samples - 1)
        self.calls += 1
        return self._grad(i, x)

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        return lambda x: self._grad(0, x)


class ImplOracle:
    """The implementation's oracle for one step: gradients at the tensors ``xs`` (their shapes,
    flattened in order they are the d coordinates), float64 values representable in the dtype.

    Call j of the step uses sample ``min(j, k-1)``, or sample 0 for every call when ``same``
    (SAM's ``same_sample``); x-free streams ignore x and return ``g_t``.  ``calls`` counts the
    evaluations of the step."""

    def __init__(self, data: StreamData, depends_on_x: bool, samples: int, same: bool,
                 shapes: Sequence[tuple[int, ...]]) -> None:
        self.data, self.depends_on_x, self.samples, self.same = data, depends_on_x, samples, same
        self.shapes = [tuple(s) for s in shapes]
        self.cuts = np.cumsum([0] + [int(np.prod(s)) for s in self.shapes]).tolist()
        self.t, self.calls = 0, 0

    def start(self, t: int) -> None:
        self.t, self.calls = t, 0

    def __call__(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        i = 0 if self.same else min(self.calls, self.samples - 1)
        self.calls += 1
        if len(xs) != len(self.shapes):
            raise ValueError(f"the oracle was asked for {len(xs)} tensors, the parameters have {len(self.shapes)}")
        out = []
        for j, (x, shape) in enumerate(zip(xs, self.shapes)):
            lo, hi = self.cuts[j], self.cuts[j + 1]
            g = self.data.gradient(self.t, i, np.asarray(x, dtype=np.float64) if self.depends_on_x else None, lo, hi)
            # a fresh array: an implementation may modify its gradient in place
            g = representable(g, self.data.dtype) if self.depends_on_x else g.copy()
            out.append(g.reshape(shape))
        return out
