"""Additive noise models with exact constants, and :func:`with_noise`.

A stochastic gradient is ``g = grad F(x) + e`` with ``e`` drawn independently at each call
(``E e = 0``, so the oracle is unbiased by construction).  Each model states exactly:

* ``sigma2_total = E||e||_2^2`` (s3 Assumption 3 / nsgdm (A3) / adasam Assumption 2);
* ``sigma_vec[i] = sqrt(E e_i^2)`` (adamlinf Assumption 3.4, coordinate-wise variance);
* ``as_bound[i]``: ``|e_i| <= as_bound[i]`` with probability 1 (gsignsgd Assumption 3), or
  None when ``e`` is unbounded (Gaussian).

Scalar ``sigma`` arguments leave the dimension open until the model is bound to a problem
(:meth:`Noise.bind`, done by :func:`with_noise`); draws are always float64 from the
Generator, then cast to the requested dtype (the same stream at every precision).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .base import DETERMINISTIC_TIGHT, Problem, as_rng, check_int, check_real, check_vector

__all__ = [
    "Noise",
    "GaussianNoise",
    "CoordinateNoise",
    "BoundedNoise",
    "RademacherNoise",
    "MinibatchNoise",
    "gaussian",
    "coordinate",
    "bounded",
    "rademacher",
    "minibatch",
    "with_noise",
    "StochasticProblem",
    "NoisyOracle",
]


def _sigma_arg(name: str, sigma: Any) -> float | np.ndarray:
    if isinstance(sigma, (int, float, np.integer, np.floating)) and not isinstance(sigma, bool):
        return check_real(name, sigma, lo=0.0)
    return check_vector(name, sigma, nonneg=True)


class Noise(ABC):
    """An additive, zero-mean noise model (see the module docstring)."""

    dim: int | None

    @abstractmethod
    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """float64 draw of the given shape (``shape[-1]`` is the dimension)."""

    @abstractmethod
    def _std(self, d: int) -> np.ndarray:
        """Per-coordinate standard deviation for dimension d."""

    @abstractmethod
    def _as(self, d: int) -> np.ndarray | None:
        """Per-coordinate almost-sure bound for dimension d (None if unbounded)."""

    @property
    @abstractmethod
    def name(self) -> str: ...

    def bind(self, d: int) -> Noise:
        """This model with its dimension fixed to ``d`` (ValueError if it has another)."""
        d = check_int("d", d)
        if self.dim is not None and self.dim != d:
            raise ValueError(f"noise {self.name} has dimension {self.dim}, cannot bind it to d={d}")
        return self if self.dim == d else self._bound(d)

    def _bound(self, d: int) -> Noise:
        return replace(self, dim=d)  # type: ignore[type-var]

    def _d(self, shape: tuple[int, ...] | None = None) -> int:
        if shape is not None:
            if len(shape) == 0:
                raise ValueError("shape must have at least one axis (..., d)")
            if self.dim is not None and shape[-1] != self.dim:
                raise ValueError(f"noise {self.name} has dimension {self.dim}, asked for shape {shape}")
            return shape[-1]
        if self.dim is None:
            raise ValueError(f"noise {self.name} has no dimension yet: bind(d) it (with_noise does)")
        return self.dim

    def draw(self, rng: np.random.Generator, shape: tuple[int, ...] | int, dtype: Any = np.float64) -> np.ndarray:
        """One independent draw of ``e`` per leading index: an array of ``shape`` (..., d)."""
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        self._d(shape)
        return self._draw(rng, shape).astype(dtype, copy=False)

    @property
    def sigma_vec(self) -> np.ndarray:
        """``sqrt(E e_i^2)`` per coordinate (exact)."""
        return self._std(self._d())

    @property
    def sigma2_total(self) -> float:
        """``E||e||_2^2`` (exact)."""
        return float(np.sum(self.sigma_vec**2))

    @property
    def variance_bound(self) -> float:
        """Alias of :attr:`sigma2_total` (the sigma^2 of s3 Assumption 3 / nsgdm (A3))."""
        return self.sigma2_total

    @property
    def as_bound(self) -> np.ndarray | None:
        """Per-coordinate a.s. bound ``|e_i| <= as_bound[i]`` (gsignsgd Assumption 3), or None."""
        return self._as(self._d())


def _per_coord(sigma: float | np.ndarray, d: int) -> np.ndarray:
    return np.full(d, sigma) if np.ndim(sigma) == 0 else np.array(sigma)


def _vec_dim(sigma: float | np.ndarray, dim: int | None, name: str) -> int | None:
    if np.ndim(sigma) == 1:
        n = np.size(sigma)
        if dim is not None and dim != n:
            raise ValueError(f"{name} has length {n} but dim={dim}")
        return n
    return dim


@dataclass(frozen=True, eq=False)
class GaussianNoise(Noise):
    """Isotropic ``e = sigma / sqrt(d) * N(0, I_d)``: ``E||e||^2 = sigma^2`` exactly, whatever d.

    The ``1/sqrt(d)`` scaling makes ``sigma`` the sigma of s3 Assumption 3 / nsgdm (A3)
    (a bound on the *total* variance); per coordinate ``sigma_vec = sigma / sqrt(d)``.
    """

    sigma: float
    dim: int | None = None

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return (self.sigma / math.sqrt(shape[-1])) * rng.standard_normal(shape)

    def _std(self, d: int) -> np.ndarray:
        return np.full(d, self.sigma / math.sqrt(d))

    def _as(self, d: int) -> None:
        return None

    @property
    def sigma2_total(self) -> float:
        return self.sigma**2

    @property
    def name(self) -> str:
        return f"gaussian({self.sigma:g})"


@dataclass(frozen=True, eq=False)
class CoordinateNoise(Noise):
    """Independent ``e_i ~ N(0, sigma_i^2)`` (adamlinf Assumption 3.4 with equality)."""

    sigma: np.ndarray
    dim: int | None = None

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return self.sigma * rng.standard_normal(shape)

    def _std(self, d: int) -> np.ndarray:
        return np.array(self.sigma)

    def _as(self, d: int) -> None:
        return None

    @property
    def name(self) -> str:
        return f"coordinate(d={self.sigma.size})"


@dataclass(frozen=True, eq=False)
class BoundedNoise(Noise):
    """Independent ``e_j ~ Unif[-sigma_j, sigma_j]``: ``|e_j| <= sigma_j`` a.s. (gsignsgd
    Assumption 3; the bound is the supremum of |e_j|), variance ``sigma_j^2 / 3``."""

    sigma: float | np.ndarray
    dim: int | None = None

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return self.sigma * rng.uniform(-1.0, 1.0, size=shape)

    def _std(self, d: int) -> np.ndarray:
        return _per_coord(self.sigma, d) / math.sqrt(3.0)

    def _as(self, d: int) -> np.ndarray:
        return _per_coord(self.sigma, d)

    @property
    def name(self) -> str:
        return f"bounded({self.sigma:g})" if np.ndim(self.sigma) == 0 else f"bounded(d={np.size(self.sigma)})"


@dataclass(frozen=True, eq=False)
class RademacherNoise(Noise):
    """Independent ``e_j = +-sigma_j`` with probability 1/2 each: ``|e_j| = sigma_j`` a.s.,
    variance ``sigma_j^2`` (both bounds attained by every draw)."""

    sigma: float | np.ndarray
    dim: int | None = None

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return self.sigma * (2.0 * rng.integers(0, 2, size=shape) - 1.0)

    def _std(self, d: int) -> np.ndarray:
        return _per_coord(self.sigma, d)

    def _as(self, d: int) -> np.ndarray:
        return _per_coord(self.sigma, d)

    @property
    def name(self) -> str:
        return f"rademacher({self.sigma:g})" if np.ndim(self.sigma) == 0 else f"rademacher(d={np.size(self.sigma)})"


@dataclass(frozen=True, eq=False)
class MinibatchNoise(Noise):
    """The average of ``b`` iid draws of ``noise``: variance divided by ``b`` exactly
    (independent zero-mean terms), a.s. bound unchanged (an average of values in
    ``[-c, c]`` stays there; attained when all b draws agree)."""

    noise: Noise
    b: int
    dim: int | None = None

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return np.mean(self.noise._draw(rng, (self.b,) + shape), axis=0)

    def _std(self, d: int) -> np.ndarray:
        return self.noise._std(d) / math.sqrt(self.b)

    def _as(self, d: int) -> np.ndarray | None:
        return self.noise._as(d)

    def _bound(self, d: int) -> Noise:
        return replace(self, noise=self.noise.bind(d), dim=d)

    @property
    def sigma2_total(self) -> float:
        return self.noise.bind(self._d()).sigma2_total / self.b

    @property
    def name(self) -> str:
        return f"minibatch({self.noise.name}, b={self.b})"


def gaussian(sigma: float) -> GaussianNoise:
    """Isotropic Gaussian noise with ``E||e||^2 = sigma^2`` (``e = sigma/sqrt(d) N(0, I)``)."""
    return GaussianNoise(check_real("sigma", sigma, lo=0.0))


def coordinate(sigma_vec: Any) -> CoordinateNoise:
    """Independent ``N(0, sigma_i^2)`` per coordinate (adamlinf Assumption 3.4)."""
    s = check_vector("sigma_vec", sigma_vec, nonneg=True)
    return CoordinateNoise(s, s.size)


def bounded(sigma: Any) -> BoundedNoise:
    """Uniform on ``[-sigma_j, sigma_j]`` per coordinate (gsignsgd Assumption 3); ``sigma`` a
    scalar (every coordinate) or a vector."""
    s = _sigma_arg("sigma", sigma)
    return BoundedNoise(s, _vec_dim(s, None, "sigma"))


def rademacher(sigma: Any) -> RademacherNoise:
    """``+-sigma_j`` with probability 1/2 per coordinate; ``sigma`` a scalar or a vector."""
    s = _sigma_arg("sigma", sigma)
    return RademacherNoise(s, _vec_dim(s, None, "sigma"))


def minibatch(noise: Noise, b: int) -> MinibatchNoise:
    """Average of ``b >= 1`` iid draws of ``noise``: ``sigma2_total`` and ``sigma_vec^2`` / b."""
    if not isinstance(noise, Noise):
        raise ValueError(f"noise must be a Noise model, got {noise!r}")
    return MinibatchNoise(noise, check_int("b", b), noise.dim)


# --------------------------------------------------------------------------------------


class NoisyOracle:
    """``oracle(x) = grad F(x) + e`` with fresh ``e`` of shape ``x.shape`` at every call.

    ``sample()`` returns ``x -> grad F(x) + e_xi`` where ``e_xi`` is drawn on the first call
    (shape of that x) and reused by later calls (SAM evaluates one sample at two points).
    """

    def __init__(self, problem: Problem, noise: Noise, rng: np.random.Generator) -> None:
        self.problem, self.noise, self.rng = problem, noise, rng

    def __call__(self, x: np.ndarray) -> np.ndarray:
        g = self.problem.grad(x)
        return g + self.noise.draw(self.rng, g.shape, g.dtype)

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        frozen: list[np.ndarray] = []

        def grad_sample(x: np.ndarray) -> np.ndarray:
            g = self.problem.grad(x)
            if not frozen:
                frozen.append(self.noise.draw(self.rng, g.shape, np.float64))
            elif frozen[0].shape != g.shape:
                raise ValueError(f"sample drawn for shape {frozen[0].shape}, got x of shape {g.shape}")
            return g + frozen[0].astype(g.dtype, copy=False)

        return grad_sample


class StochasticProblem(Problem):
    """``base`` with an additive-noise oracle: same value/grad/hessian/hvp, constants of the
    base plus the noise fields (``sigma2``, ``sigma_vec``, ``sigma_as``, ``sigma_as_norm``;
    ``L_sample`` unchanged since ``f(x; e) = F(x) + e^T x`` has the Hessian of F)."""

    def __init__(self, base: Problem, noise: Noise) -> None:
        if not isinstance(base, Problem):
            raise ValueError(f"problem must be a Problem, got {base!r}")
        if not isinstance(noise, Noise):
            raise ValueError(f"noise must be a Noise model, got {noise!r}")
        if isinstance(base, StochasticProblem):
            raise ValueError("problem already has noise: pass its .base, or combine noise models explicitly")
        self.base = base
        self.noise = noise.bind(base.d)
        self.d = base.d
        self.name = f"{base.name}+{self.noise.name}"
        c = base.constants
        a = self.noise.as_bound
        tight = (c.tight - DETERMINISTIC_TIGHT) | {"sigma2", "sigma_vec"}
        if a is not None:
            tight |= {"sigma_as", "sigma_as_norm"}
        self.constants = c.replace(
            sigma2=self.noise.sigma2_total,
            sigma_vec=self.noise.sigma_vec,
            sigma_as=a,
            sigma_as_norm=None if a is None else float(np.linalg.norm(a)),
            G_inf=None if (a is None or c.G_inf is None) else c.G_inf + float(a.max()),
            G_2=None if (a is None or c.G_2 is None) else c.G_2 + float(np.linalg.norm(a)),
            tight=tight - {"G_inf", "G_2"},
        )

    def _value(self, x: np.ndarray) -> np.ndarray:
        return self.base._value(x)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return self.base._grad(x)

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return self.base._hessian(x)

    def _hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.base._hvp(x, v)

    def oracle(self, rng: Any = None) -> NoisyOracle:
        """The seeded noisy oracle (``rng``: a numpy Generator or an int seed)."""
        return NoisyOracle(self.base, self.noise, as_rng(rng))


def with_noise(problem: Problem, noise: Noise) -> StochasticProblem:
    """``problem`` with the unbiased oracle ``grad F(x) + e``, ``e ~ noise`` (bound to d)."""
    return StochasticProblem(problem, noise)
