"""The :class:`Problem` protocol, the :class:`Constants` record and the exact oracle.

A problem is a smooth objective ``F : R^d -> R`` with exactly known value, gradient, Hessian
and Hessian-vector product, plus the constants that the five papers' assumptions use
(:class:`Constants`).  Conventions shared by every problem in this package:

* **Batching.**  ``x`` has shape ``(..., d)``; leading axes are independent points (runs).
  ``value(x)`` has shape ``(...,)``, ``grad(x)`` ``(..., d)``, ``hessian(x)`` ``(..., d, d)``
  and ``hvp(x, v)`` is ``hessian(x) @ v`` with the leading axes of ``x`` and ``v`` broadcast
  (``x`` of shape ``(d,)`` and ``v`` of shape ``(n, d)`` give ``(n, d)``).
* **Precision.**  The computation runs in the dtype of ``x`` (integer input becomes float64);
  float64 is the reference precision.
* **No NaN from finite input.**  Overflow rounds to ``+-inf`` silently (e.g. ``cosh`` of a
  huge argument); if a finite input would produce a NaN (``inf - inf`` in a rotated problem,
  ``inf * 0`` in an ``hvp``) a :class:`FloatingPointError` is raised instead.
* **Validation.**  Invalid constructor arguments raise ``ValueError`` naming the parameter
  and its allowed range.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..algorithm import GradientOracle
from ..validation import interval_text, real

__all__ = [
    "instance_digest",
    "Constants",
    "Problem",
    "Oracle",
    "GradientOracle",
    "ExactOracle",
    "as_rng",
    "check_real",
    "check_vector",
]


Oracle = GradientOracle
"""The gradient-oracle protocol, :class:`reference.algorithm.GradientOracle` (one protocol for the
package; ``Oracle`` is its former name here)."""


# --------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------

_VECTOR_FIELDS = ("L0_vec", "L1_vec", "H_vec", "x_star", "sigma_vec", "sigma_as")


@dataclass(frozen=True, eq=False)
class Constants:
    """The constants of one problem, each a proven valid bound for the definition it names.

    ``None`` means "not applicable" (e.g. ``L`` of a function whose Hessian is unbounded,
    ``F_star`` of a function unbounded below) or "not computed".  Arrays are read-only
    float64 copies of length ``d``.  ``tight`` names the fields that equal the *smallest*
    valid value for their definition (attained, or approached as a supremum); every other
    non-None field is a valid upper bound only.

    "Tight" precisely: a scalar cannot be lowered; ``L1`` cannot be lowered whatever finite
    ``L0`` accompanies it; a vector cannot be lowered uniformly (by a factor < 1); noise
    fields are exact (equalities for every x).  ``F_star``/``x_star`` are exact values to
    rounding and are never listed.  All values are computed in float64, so "exact" means to
    within a few ulps (``d eps`` relative for sums of d terms).

    Smoothness (with ``h = y - x``; ``g = grad F``):

    * ``L``: s3 Assumption 2 with ``L1 = 0`` / nsgdm (A1) / adasam Assumption 1:
      ``||g(x) - g(y)||_2 <= L ||h||_2`` for all x, y.
    * ``L0, L1, R``: s3 Assumption 2 (generalized smoothness): for ``||h||_2 <= R``,
      ``||g(y) - g(x)||_2 <= (L0 + L1 ||g(x)||_2) ||h||_2``; ``R = inf`` when global.
    * ``L0_vec, L1_vec``: gsignsgd Assumption 2 (coordinate-wise (L0,L1)): for
      ``||h||_2 <= 1 / ||L1_vec||_inf`` (see :attr:`radius_coordinate`) and every j,
      ``|g_j(y) - g_j(x)| <= (L0_vec[j] / sqrt(d) + L1_vec[j] |g_j(x)|) ||h||_2``.
      Note the ``1/sqrt(d)`` in that paper's definition: an L-smooth function has
      ``L0_vec[j] <= sqrt(d) L``.
    * ``H_inf``: adamlinf Definition 3.1 (H-smooth w.r.t. l_inf, dual norm l_1):
      ``||g(x) - g(y)||_1 <= H_inf ||h||_inf``; for C^2 functions the best constant is
      ``sup_x ||hess F(x)||_{inf->1}``.
    * ``H_vec``: adamlinf Definition 3.3 (coordinate-wise w.r.t. l_inf):
      ``|g_i(x) - g_i(y)| <= H_vec[i] ||h||_inf``; best constant
      ``sup_x ||hess F(x)[i, :]||_1``.
    * ``hessian_11``: ``sup_x ||hess F(x)||_{1,1}`` (sum of absolute entries), the quantity
      of adamlinf Corollary 3.7 / Table 1 (Table 1 reports ``hessian_11 / d``).
    * ``rho``: nsgdm (A4) second-order smoothness:
      ``||hess F(x) - hess F(y)||_op <= rho ||h||_2``.
    * ``L_sample``: adasam Assumption 1: every sample function ``f(.; xi)`` the oracle
      differentiates (and F) is ``L_sample``-smooth w.r.t. l_2.

    Optimum: ``F_star = inf_x F(x)`` (s3 Assumption 1, gsignsgd Assumption 1; nsgdm (A2)
    after shifting by ``F_star``), ``x_star`` one minimizer (None if none is attained or
    it was not computed).

    Noise of the problem's default oracle (``problem.oracle(rng)``; all zero for exact
    oracles), with ``e = oracle(x) - g(x)``:

    * ``sigma2``: s3 Assumption 3 / nsgdm (A3) / adasam Assumption 2 variance:
      ``E||e||_2^2 <= sigma2`` for every x.
    * ``sigma_vec``: adamlinf Assumption 3.4 (coordinate-wise variance):
      ``E[e_i^2] <= sigma_vec[i]^2``.
    * ``sigma_as``: gsignsgd Assumption 3 (a.s. bounded coordinate noise):
      ``|e_j| <= sigma_as[j]`` with probability 1 (None if the noise is unbounded).
    * ``sigma_as_norm``: ``||e||_2 <= sigma_as_norm`` with probability 1.
    * ``G_inf``: adasam Assumption 3: ``||oracle(x)||_inf <= G_inf`` a.s. for every x.
    * ``G_2``: nsgdm Theorem 4's ``g``: ``||oracle(x)||_2 <= G_2`` a.s. for every x.
    """

    L: float | None = None
    L0: float | None = None
    L1: float | None = None
    R: float | None = None
    L0_vec: np.ndarray | None = None
    L1_vec: np.ndarray | None = None
    H_inf: float | None = None
    H_vec: np.ndarray | None = None
    hessian_11: float | None = None
    rho: float | None = None
    L_sample: float | None = None
    F_star: float | None = None
    x_star: np.ndarray | None = None
    sigma2: float | None = None
    sigma_vec: np.ndarray | None = None
    sigma_as: np.ndarray | None = None
    sigma_as_norm: float | None = None
    G_inf: float | None = None
    G_2: float | None = None
    tight: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        names = {f.name for f in dataclasses.fields(self)}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if v is None or f.name == "tight":
                continue
            if f.name in _VECTOR_FIELDS:
                a = np.array(v, dtype=np.float64)
                if a.ndim != 1 or not np.all(np.isfinite(a)):
                    raise ValueError(f"Constants.{f.name} must be a finite 1-D array")
                if f.name != "x_star" and np.any(a < 0):
                    raise ValueError(f"Constants.{f.name} must be >= 0")
                a.setflags(write=False)
                object.__setattr__(self, f.name, a)
            else:
                x = float(v)
                if math.isnan(x) or (f.name != "F_star" and x < 0):
                    raise ValueError(f"Constants.{f.name} must be a number >= 0, got {v!r}")
                if f.name != "R" and math.isinf(x):
                    raise ValueError(f"Constants.{f.name} must be finite, got {v!r}")
                object.__setattr__(self, f.name, x)
        tight = frozenset(self.tight)
        unknown = tight - names
        if unknown:
            raise ValueError(f"Constants.tight names unknown fields {sorted(unknown)}")
        object.__setattr__(self, "tight", frozenset(n for n in tight if getattr(self, n) is not None))

    @property
    def radius_coordinate(self) -> float | None:
        """gsignsgd Assumption 2's radius ``1 / ||L1_vec||_inf`` (``inf`` when L1_vec = 0)."""
        if self.L1_vec is None:
            return None
        m = float(np.max(self.L1_vec)) if self.L1_vec.size else 0.0
        return math.inf if m == 0.0 else 1.0 / m

    @property
    def H_inf_exact(self) -> bool:
        """Whether ``H_inf`` is the exact best constant (else a valid upper bound)."""
        return "H_inf" in self.tight

    def replace(self, **changes: Any) -> Constants:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------------------
# Validation helpers (shared by every module of the package)
# --------------------------------------------------------------------------------------


def check_real(name: str, value: Any, *, lo: float = -math.inf, hi: float = math.inf,
               lo_open: bool = False, hi_open: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float in the interval lo..hi, else ``ValueError`` naming ``name``
    (:func:`reference.validation.real`)."""
    allowed = f"a {'' if allow_inf else 'finite '}real number in {interval_text(lo, hi, lo_open, hi_open)}"
    return real(name, value, allowed, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open, allow_inf=allow_inf)


def check_int(name: str, value: Any, *, lo: int = 1) -> int:
    """``value`` as an int >= lo, else ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ValueError(f"{name} must be an integer >= {lo}, got {value!r}")
    return int(value)


def check_vector(name: str, value: Any, *, nonneg: bool = False, d: int | None = None) -> np.ndarray:
    """``value`` as a finite 1-D float64 array (length ``d`` if given), a fresh read-only copy."""
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a non-empty finite 1-D real array, got {value!r}") from None
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a non-empty finite 1-D real array, got {value!r}")
    if d is not None and a.size != d:
        raise ValueError(f"{name} must have length {d}, got {a.size}")
    if nonneg and np.any(a < 0):
        raise ValueError(f"{name} must have entries >= 0, got {value!r}")
    a.setflags(write=False)
    return a


def check_matrix(name: str, value: Any, *, square: bool = True) -> np.ndarray:
    """``value`` as a finite 2-D float64 array (square if asked), a fresh copy."""
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real 2-D array") from None
    if a.ndim != 2 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be a non-empty finite real 2-D array, got shape {a.shape}")
    if square and a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be square, got shape {a.shape}")
    return a


def as_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from a Generator or an int seed (None is refused:
    oracles and generated problems are always seeded)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be a numpy.random.Generator or an int seed >= 0, got {rng!r}")


# --------------------------------------------------------------------------------------
# Problem
# --------------------------------------------------------------------------------------


def _nan_guard(out: np.ndarray, *inputs: np.ndarray, what: str) -> np.ndarray:
    """Raise instead of returning NaN computed from finite inputs (overflow made inf - inf);
    return a writeable array owned by the caller (copies broadcast views)."""
    if np.isnan(out).any() and all(np.isfinite(a).all() for a in inputs):
        raise FloatingPointError(
            f"{what}: the result overflowed float range (inf - inf or inf * 0) for a finite input;"
            " the input lies outside the representable domain of this problem")
    return out if out.flags.writeable else out.copy()


class Problem(ABC):
    """A smooth objective with exact derivatives and exact constants.

    Subclasses implement ``_value``, ``_grad``, ``_hessian`` (and optionally ``_hvp``) on a
    checked floating array ``x`` of shape ``(..., d)``; the public methods validate, cast and
    guard against NaN (see the module docstring).
    """

    name: str
    d: int
    constants: Constants

    # -- public API -------------------------------------------------------------------
    def value(self, x: Any) -> np.ndarray:
        """``F(x)``, shape ``(...,)``."""
        x = self._input(x)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(self._value(x), dtype=x.dtype)
        return _nan_guard(out, x, what=f"{self.name}.value")

    def grad(self, x: Any) -> np.ndarray:
        """``grad F(x)``, shape ``(..., d)``."""
        x = self._input(x)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(self._grad(x), dtype=x.dtype)
        return _nan_guard(out, x, what=f"{self.name}.grad")

    def hessian(self, x: Any) -> np.ndarray:
        """``hess F(x)``, shape ``(..., d, d)``."""
        x = self._input(x)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(self._hessian(x), dtype=x.dtype)
        return _nan_guard(out, x, what=f"{self.name}.hessian")

    def hvp(self, x: Any, v: Any) -> np.ndarray:
        """``hess F(x) @ v``; the leading axes of ``x`` and ``v`` broadcast."""
        x = self._input(x)
        v = self._input(v, "v").astype(x.dtype, copy=False)
        try:
            np.broadcast_shapes(x.shape, v.shape)
        except ValueError:
            raise ValueError(f"v of shape {v.shape} does not broadcast against x of shape {x.shape}") from None
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(self._hvp(x, v), dtype=x.dtype)
        return _nan_guard(out, x, v, what=f"{self.name}.hvp")

    def oracle(self, rng: Any = None) -> Oracle:
        """The problem's default oracle: here the exact gradient (``rng`` is not used)."""
        return ExactOracle(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} d={self.d}>"

    # -- to implement -----------------------------------------------------------------
    @abstractmethod
    def _value(self, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _grad(self, x: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _hessian(self, x: np.ndarray) -> np.ndarray: ...

    def _hvp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("...ij,...j->...i", self._hessian(x), v)

    # -- helpers ----------------------------------------------------------------------
    def _input(self, x: Any, name: str = "x") -> np.ndarray:
        a = np.asarray(x)
        if a.dtype.kind in "biu":
            a = a.astype(np.float64)
        elif a.dtype.kind != "f":
            raise ValueError(f"{name} must be a real array, got dtype {a.dtype}")
        if a.ndim == 0 or a.shape[-1] != self.d:
            raise ValueError(f"{name} must have shape (..., {self.d}), got {a.shape}")
        return a


def deterministic_noise_constants(d: int) -> dict[str, Any]:
    """Noise fields of :class:`Constants` for an exact oracle (all zero, trivially tight)."""
    z = np.zeros(d)
    return dict(sigma2=0.0, sigma_vec=z, sigma_as=z, sigma_as_norm=0.0)


DETERMINISTIC_TIGHT = frozenset({"sigma2", "sigma_vec", "sigma_as", "sigma_as_norm"})


class ExactOracle:
    """The exact gradient oracle of a deterministic problem: ``oracle(x) = grad F(x)``.

    ``sample()`` returns ``grad F`` itself (a deterministic "sample"), so algorithms that
    freeze a sample (SAM) run unchanged.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.problem.grad(x)

    def sample(self) -> Callable[[np.ndarray], np.ndarray]:
        return self.problem.grad


def instance_digest(array: Any) -> str:
    """A short SHA-256 digest of an array's dtype, shape and bytes: names a problem instance (e.g. the
    matrix a certificate certifies) in a report without storing the data."""
    a = np.ascontiguousarray(np.asarray(array))
    h = hashlib.sha256(f"{a.dtype.str}{a.shape}".encode())
    h.update(a.tobytes())
    return h.hexdigest()[:16]
