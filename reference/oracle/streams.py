"""Seeded gradient streams and oracles shared by an implementation and its reference twin.

A stream of ``T`` steps over ``d = prod(shape)`` coordinates is drawn once from ``seed``; both
sides see the same numbers, rounded to the compared dtype (the reference computes in float64 on
those representable values).  Per coordinate a magnitude ``sigma_i`` and per step a unit-scale
draw ``z_t`` give the gradient ``g_t = mask_t * sigma * z_t``:

* ``gaussian``: ``z ~ N(0.3, 1)``, ``sigma_i = 10^U(-3, 1)`` (heterogeneous scales, as
  tests/reference/test_torch_parity.py).
* ``heavy-tailed`` (default): ``z ~ 0.3 + Student-t(1.5)`` (infinite variance: rare huge
  entries, what breaks an eps placed on the wrong side of a square root).
* ``sign-flips``: ``|z|`` heavy-tailed with the sign alternating every step on even coordinates
  and drawn at random on odd ones (momentum near cancellation; the sign of small quantities).
* ``zeros``: heavy-tailed with exact zeros: steps 1-3 and every 7th step all zero, coordinate 0
  always zero, 30 % of the other entries zero (0/0 conventions, first steps from zero state).
* ``tiny`` / ``huge``: ``sigma_i`` within a decade above ``tiny^(1/4)`` / below ``max^(1/4)``
  of the dtype (float64: 1.2e-77 / 1.2e77; float32: 1.0e-10 / 1.4e9), ``|z| <= 1``, so that
  ``g^2`` and ``|g|^3`` stay normal numbers: magnitude bugs, eps dominating, no spurious
  over/underflow.  ``tiny`` also puts ``x_0`` and ``c`` at that scale (else ``x - lr g = x``).
* ``long``: heavy-tailed over at least 1000 steps (drift of rounding errors).

Methods whose oracle depends on x (SAM, AdaSAM, NIGT, IGT, NAG form I: ``Declaration.x_dependent``) get
``g_t(x) = mask_t * (sigma * z_t + kappa * (x - c))`` with ``kappa_i = a_i min(sigma_i, 1)``,
``a_i ~ U(0.2, 1)`` and ``c`` at distance 2..3 from ``x_0`` (the harness's quadratic, scaled by the
stream: a stochastic gradient of ``sum kappa (x - c)^2 / 2 + <mask sigma z_t, x>``).  The x-free
gradients ``mask_t * sigma * z_t`` are rounded to the dtype once, so both sides read equal numbers.  Each step has
``k = alg.oracle_calls`` samples ``z_{t,0..k-1}``; SAM's two evaluations use sample 0 when
``same_sample`` (adasam Alg. 1, the torch closure and optax's two update calls then see one sample).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..registry import REGISTRY, get

__all__ = ["STREAMS", "X_DEPENDENT", "LONG_STEPS", "StreamData", "make_stream", "RefOracle", "ImplOracle",
           "x_dependent", "representable"]

STREAMS = ("heavy-tailed", "gaussian", "sign-flips", "zeros", "tiny", "huge", "long")
"""The stream names accepted by :func:`make_stream`."""

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


def representable(a: np.ndarray, dtype: str) -> np.ndarray:
    """``a`` rounded to ``dtype`` (round to nearest even) and back to float64."""
    return np.asarray(a, dtype=np.float64).astype(dtype).astype(np.float64)


@dataclass(frozen=True)
class StreamData:
    """One seeded stream: ``x0`` (d,), the x-free gradients ``G = mask * sigma * z`` (T, k, d),
    ``mask`` (T, d), ``sigma``, ``kappa``, ``c`` (d,); float64 arrays, ``x0``, ``G``, ``kappa``
    and ``c`` representable in ``dtype`` (an x-dependent gradient is computed in float64 and the
    implementation's is rounded once to its dtype, as tests/gpu does)."""

    name: str
    dtype: str
    x0: np.ndarray
    G: np.ndarray
    mask: np.ndarray
    sigma: np.ndarray
    kappa: np.ndarray
    c: np.ndarray

    def gradient(self, t: int, i: int, x: np.ndarray | None) -> np.ndarray:
        """Gradient of sample ``i`` at step ``t`` (0-based), float64; ``x=None`` for x-free methods."""
        if x is None:
            return self.G[t, i]
        return self.G[t, i] + self.mask[t] * self.kappa * (np.asarray(x, dtype=np.float64).reshape(-1) - self.c)


def _range(dtype: str) -> tuple[float, float]:
    info = np.finfo(dtype)
    return float(info.tiny) ** 0.25, float(info.max) ** 0.25


def make_stream(name: str, *, steps: int, d: int, samples: int = 1, seed: int = 0,
                dtype: str = "float64") -> StreamData:
    """Draw stream ``name`` (see the module docstring) for ``steps`` steps of ``d`` coordinates."""
    if name not in STREAMS:
        raise ValueError(f"unknown stream {name!r}; known: {', '.join(STREAMS)}")
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=d)
    sigma = 10.0 ** rng.uniform(-3.0, 1.0, size=d)
    a = rng.uniform(0.2, 1.0, size=d)
    c = x0 + np.where(rng.random(d) < 0.5, -1.0, 1.0) * rng.uniform(2.0, 3.0, size=d)
    shape = (steps, samples, d)
    if name == "gaussian":
        z = rng.normal(size=shape) + 0.3
    else:
        z = rng.standard_t(1.5, size=shape) + 0.3
    mask = np.ones((steps, d))
    if name == "sign-flips":
        flip = np.where(np.arange(steps) % 2 == 0, 1.0, -1.0)[:, None, None]
        rand = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        z = np.abs(z) * np.where(np.arange(d) % 2 == 0, flip, rand)
    elif name == "zeros":
        mask = np.where(rng.random((steps, d)) < 0.3, 0.0, 1.0)
        mask[:, 0] = 0.0
        mask[:3] = 0.0
        mask[6::7] = 0.0
    elif name in ("tiny", "huge"):
        lo, hi = _range(dtype)
        sigma = lo * 10.0 ** rng.uniform(0.0, 1.0, size=d) if name == "tiny" else \
            hi * 10.0 ** rng.uniform(-1.0, 0.0, size=d)
        z = np.clip(z, -8.0, 8.0) / 8.0  # keep sigma * z inside the safe range
        if name == "tiny":  # steps lr * g must stay visible next to x: x at the gradients' scale
            x0, c = x0 * lo, c * lo
    kappa = a * np.minimum(sigma, 1.0)
    r = representable
    G = r(mask[:, None, :] * sigma * z, dtype)
    return StreamData(name, dtype, r(x0, dtype), G, mask, sigma, r(kappa, dtype), r(c, dtype))


class RefOracle:
    """The reference twin's oracle for one step: call j of the step uses sample ``min(j, k-1)``;
    ``sample()`` freezes sample 0 (``reference.algorithm.draw_sample``).  x is flat (d,)."""

    def __init__(self, data: StreamData, depends_on_x: bool, samples: int) -> None:
        self.data, self.depends_on_x, self.samples = data, depends_on_x, samples
        self.t, self.calls = 0, 0

    def start(self, t: int) -> None:
        self.t, self.calls = t, 0

    def _grad(self, i: int, x: np.ndarray) -> np.ndarray:
        return self.data.gradient(self.t, i, x if self.depends_on_x else None)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        i = min(self.calls, self.samples - 1)
        self.calls += 1
        return self._grad(i, x)

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        return lambda x: self._grad(0, x)


class ImplOracle:
    """The implementation's oracle for one step: gradients at x (any shape) in the compared dtype.

    Call j of the step uses sample ``min(j, k-1)``, or sample 0 for every call when ``same``
    (SAM's ``same_sample``); x-free streams ignore x and return ``g_t``.  ``calls`` counts the
    evaluations of the step (reported when an implementation asks for more or fewer)."""

    def __init__(self, data: StreamData, depends_on_x: bool, samples: int, same: bool) -> None:
        self.data, self.depends_on_x, self.samples, self.same = data, depends_on_x, samples, same
        self.t, self.calls = 0, 0

    def start(self, t: int) -> None:
        self.t, self.calls = t, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        i = 0 if self.same else min(self.calls, self.samples - 1)
        self.calls += 1
        g = self.data.gradient(self.t, i, x if self.depends_on_x else None)
        return g.reshape(x.shape).astype(self.data.dtype)
