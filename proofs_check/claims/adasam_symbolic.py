"""Sympy helpers of the adasam claim modules: exact zero tests, scaling degrees and dimensions.

Homogeneity is what decides several of adasam's statement-vs-proof comparisons.  Scaling ``f -> c f``
(with ``eps -> c eps``) leaves AdaSAM's iterates unchanged (``eta -> eta/c``), so every term of a bound
on a quantity of degree k in c must have degree k too.  In dimensions: with F the dimension of f and X
that of x, ``G, sigma, eps, grad f`` have dimension F/X, ``L`` has F/X^2, ``rho`` and ``gamma`` have X
(``x_(t+1) = x_t - gamma m eta`` and ``m eta`` is dimensionless), ``eta`` has X/F and ``f(x_0) - f*``
(``Delta``) has F; ``beta1, beta2, b, d, T`` are numbers.  :data:`UNITS` maps the symbols of
:mod:`adasam_theorem` and the lemmas (matched by name) to these dimensions for
:class:`proofs_check.evidence.Units`.
"""

from __future__ import annotations

import math

import sympy as sp

__all__ = ["generic_point", "exponent_in", "scaling_degree", "dimension", "is_zero", "F", "X", "DIMENSIONS", "units_of"]

_SCALED = ("L", "G", "sigma", "epsilon", "gradf", "Delta")

F, X = sp.symbols("F_dim X_dim", positive=True)
DIMENSIONS = {"G": F / X, "sigma": F / X, "epsilon": F / X, "gradf": F / X, "L": F / X**2, "rho": X, "gamma": X,
              "eta": X / F, "Delta": F}


def units_of(*exprs: sp.Basic) -> dict[sp.Symbol, sp.Expr]:
    """``symbol -> dimension`` for the free symbols of ``exprs``: those named in :data:`DIMENSIONS` get theirs, the
    dimensionless ones (beta1, b, d, T, ...) a generic rational number, not 1: the homogeneity test substitutes
    dimensions for symbols, and ``1 - beta1`` must not vanish."""
    syms = sorted(set().union(*(sp.sympify(e).free_symbols for e in exprs)), key=lambda s: s.name)
    numbers = iter(sp.Rational(1, sp.prime(i + 3)) for i in range(len(syms)))
    return {s: DIMENSIONS[s.name] if s.name in DIMENSIONS else next(numbers) for s in syms}


def generic_point(expr: sp.Expr, shift: int = 0) -> dict:
    """A generic rational point for the free symbols of ``expr``: 1/p with distinct primes p (values in (0, 1/2], so
    no factor such as 1 - beta1 or eps - G vanishes); exact evaluation, no simplification."""
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    return {s: sp.Rational(1, sp.prime(i + 1 + shift)) for i, s in enumerate(syms)}


def exponent_in(expr: sp.Expr, scaled: dict[str, int], base: dict | None = None) -> sp.Rational:
    """The exponent k with ``expr -> c^k expr`` when each symbol named in ``scaled`` is multiplied by ``c^power``;
    evaluated exactly (``xreplace``) at a generic rational point for c = 4 and c = 9 (ValueError if the two
    disagree: ``expr`` is not homogeneous)."""
    base = generic_point(expr) if base is None else base

    def ratio(c: int) -> sp.Expr:
        point = {s: v * sp.Integer(c) ** scaled.get(s.name, 0) for s, v in base.items()}
        return sp.nsimplify(expr.xreplace(point) / expr.xreplace(base))

    r4 = ratio(4)
    k = sp.Rational(round(12 * math.log(float(r4)) / math.log(4)), 12) if r4.is_positive else None  # k in Z/12
    if k is None or r4 != sp.Integer(4) ** k or ratio(9) != sp.Integer(9) ** k:
        raise ValueError(f"{expr} is not homogeneous in {sorted(scaled)}")
    return k


def scaling_degree(expr: sp.Expr) -> int:
    """The exponent k with ``expr -> c^k expr`` under ``f -> c f`` at fixed x: L, G, sigma, grad f, f(x_0) - f*
    (``Delta``) and, with them, eps scale by c (AdaSAM's iterates are then unchanged: eta -> eta/c).  Symbols are
    matched by name (``L, G, sigma, epsilon, gradf, Delta`` scale; ``eta`` scales as 1/c; the rest are fixed)."""
    return int(exponent_in(expr, {**{n: 1 for n in _SCALED}, "eta": -1}))


def dimension(expr: sp.Expr) -> sp.Expr:
    """The dimension ``F^a X^b`` of a homogeneous ``expr`` (symbols matched by name to :data:`DIMENSIONS`, the others
    dimensionless): ``a`` and ``b`` are the exponents of ``expr`` when every symbol is multiplied by ``c`` to the power
    of F (resp. X) in its dimension (:func:`exponent_in`, exact evaluation; ValueError if not homogeneous).  A cheap
    route independent of :func:`proofs_check.symbolic.dimension_of_terms` (which simplifies)."""
    powers = {n: dim.as_powers_dict() for n, dim in DIMENSIONS.items()}
    return (F ** exponent_in(expr, {n: int(pw[F]) for n, pw in powers.items()})
            * X ** exponent_in(expr, {n: int(pw[X]) for n, pw in powers.items()}))


def is_zero(expr: sp.Expr, points: int = 3) -> bool:
    """Exact zero test of a rational expression by evaluation at distinct generic rational points (a nonzero
    rational function vanishes at a random rational point with probability 0)."""
    for j in range(points):
        if sp.nsimplify(expr.xreplace(generic_point(expr, shift=7 * j))) != 0:
            return False
    return True
