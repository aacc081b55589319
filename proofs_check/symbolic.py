"""Sympy comparisons used by the judge: equality of transcribed and derived objects, and homogeneity.

:func:`equal` decides ``a == b`` for expressions (``simplify(a - b) == 0``, else numerically at random
points of the declared domain, many digits), relations (``lhs - rhs`` of both sides, same relation
type), sets and intervals, ``Sum``/``Product`` objects (their summand and index range), and tuples
(elementwise).  :func:`homogeneous` checks that every additive term of an expression has the
dimension a statement's quantity must have.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .tolerances import POLICY, Policy

__all__ = ["Comparison", "equal", "dimension_of_terms", "homogeneous", "proof_holds"]


@dataclass(frozen=True)
class Comparison:
    equal: bool
    how: str               # "structural", "simplify", "numeric", "differs"
    difference: str = ""   # a readable form of what differs


def _sympify(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return tuple(_sympify(v) for v in x)
    return sp.sympify(x)


def _numeric_equal(a: sp.Expr, b: sp.Expr, domain: Mapping[Any, tuple[Any, Any]], policy: Policy) -> bool | None:
    """``a == b`` at random points (None when no point evaluates to a finite number)."""
    syms = sorted((a.free_symbols | b.free_symbols), key=str)
    rng = random.Random(0)
    seen = 0
    for _ in range(policy.numeric_points * 4):
        point = {}
        for s in syms:
            lo, hi = domain.get(s, (sp.Rational(1, 10), sp.Integer(3)) if not s.is_integer else (1, 40))
            if s.is_integer:
                point[s] = sp.Integer(rng.randint(int(lo), int(hi)))
            else:
                lo_f, hi_f = float(lo), float(hi)
                point[s] = sp.Float(lo_f + (hi_f - lo_f) * rng.uniform(0.05, 0.95), policy.symbolic_digits)
        try:
            va = a.evalf(policy.symbolic_digits, subs=point)
            vb = b.evalf(policy.symbolic_digits, subs=point)
        except (ZeroDivisionError, ValueError, TypeError):
            continue
        if not (va.is_real and vb.is_real) or not (va.is_finite and vb.is_finite):
            continue
        scale = max(abs(va), abs(vb), sp.Integer(1))
        if abs(va - vb) > policy.numeric_rel * scale:
            return False
        seen += 1
        if seen >= policy.numeric_points:
            return True
    return True if seen else None


def equal(a: Any, b: Any, domain: Mapping[Any, tuple[Any, Any]] | None = None, policy: Policy = POLICY) -> Comparison:
    """Decide whether two transcribed/derived sympy objects are the same statement."""
    domain = domain or {}
    a, b = _sympify(a), _sympify(b)
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            return Comparison(False, "differs", f"{a} vs {b}")
        for i, (x, y) in enumerate(zip(a, b)):
            c = equal(x, y, domain, policy)
            if not c.equal:
                return Comparison(False, "differs", f"component {i}: {c.difference}")
        return Comparison(True, "structural")
    if a == b:
        return Comparison(True, "structural")
    if isinstance(a, sp.core.relational.Relational) or isinstance(b, sp.core.relational.Relational):
        if type(a) is not type(b):
            return Comparison(False, "differs", f"relation {type(a).__name__} vs {type(b).__name__}")
        c = equal(a.lhs - a.rhs, b.lhs - b.rhs, domain, policy)
        return c if c.equal else Comparison(False, "differs", f"{a} vs {b}")
    if isinstance(a, sp.Set) or isinstance(b, sp.Set):
        if isinstance(a, sp.Interval) and isinstance(b, sp.Interval):
            same_open = (a.left_open, a.right_open) == (b.left_open, b.right_open)
            ends = equal((a.start, a.end), (b.start, b.end), domain, policy)
            if same_open and ends.equal:
                return Comparison(True, ends.how)
            return Comparison(False, "differs", f"{a} vs {b}")
        return Comparison(bool(sp.simplify(a.symmetric_difference(b)) == sp.S.EmptySet), "simplify", f"{a} vs {b}")
    if isinstance(a, (sp.Sum, sp.Product)) and isinstance(b, (sp.Sum, sp.Product)):
        if type(a) is not type(b) or len(a.limits) != len(b.limits):
            return Comparison(False, "differs", f"{a} vs {b}")
        # same summand after renaming the index, same index range
        for (ia, la, ua), (ib, lb, ub) in zip(a.limits, b.limits):
            rng_eq = equal((la, ua), (lb, ub), domain, policy)
            if not rng_eq.equal:
                return Comparison(False, "differs", f"index range {ia} = {la}..{ua} vs {ib} = {lb}..{ub}")
        fb = b.function.subs({ib: ia for (ia, _, _), (ib, _, _) in zip(a.limits, b.limits)})
        c = equal(a.function, fb, domain, policy)
        return c if c.equal else Comparison(False, "differs", f"summand {a.function} vs {b.function}")
    if not isinstance(a, sp.Expr) or not isinstance(b, sp.Expr):
        return Comparison(False, "differs", f"{a} vs {b}")
    # numeric first: cheap and decisive when they differ; a symbolic proof only for what agrees everywhere
    num = _numeric_equal(a, b, domain, policy)
    if num is False:
        return Comparison(False, "differs", _difference(a, b))
    diff = a - b
    for transform in (sp.expand, sp.cancel, lambda e: sp.powsimp(sp.expand_power_base(e, force=True), force=True)):
        try:
            if transform(diff) == 0:
                return Comparison(True, "simplify")
        except (TypeError, ValueError, RecursionError):  # pragma: no cover - sympy internals
            pass
    if sp.count_ops(diff) <= _SIMPLIFY_OPS and sp.simplify(diff) == 0:
        return Comparison(True, "simplify")
    if num:
        return Comparison(True, f"numeric ({policy.numeric_points} points, {policy.symbolic_digits} digits)")
    return Comparison(False, "differs", _difference(a, b))


_SIMPLIFY_OPS = 60  # sympy.simplify is exponential in the worst case: only small differences go to it


def _difference(a: sp.Expr, b: sp.Expr) -> str:
    d = a - b
    if sp.count_ops(d) <= _SIMPLIFY_OPS:
        d = sp.simplify(d)
    text = str(d)
    return text if len(text) <= 300 else text[:297] + "..."


def _monomial_dimension(term: sp.Expr, units: Mapping[Any, Any]) -> sp.Expr:
    """The dimension of one term: ``term(s -> s u_s) / term`` for the dimensional symbols s (unit u_s).

    Dimensionless symbols (absent from ``units``, or mapped to a number) and numerical factors cancel
    (``(1 - beta1) sqrt(Delta L)`` has the dimension of ``sqrt(Delta L)``); a term that is not homogeneous in
    its own right (``log Delta``) keeps symbols."""
    scale = {s: s * units[s] for s in term.free_symbols if s in units and not sp.sympify(units[s]).is_number}
    if not scale:
        return sp.Integer(1)
    ratio = sp.powsimp(sp.expand_power_base(term.subs(scale, simultaneous=True) / term, force=True), force=True)
    base = set().union(*(sp.sympify(u).free_symbols for u in units.values()))
    if ratio.free_symbols <= base:  # already a power product of the base dimensions: no simplify needed
        return ratio
    return sp.simplify(ratio)


def dimension_of_terms(expr: Any, units: Mapping[Any, Any]) -> list[sp.Expr]:
    """The dimension of every additive term of ``expr`` (symbols missing from ``units`` are
    dimensionless).  Base dimensions should be positive symbols, so that ``sqrt(G^2) = G``."""
    expr = sp.expand(sp.sympify(expr))
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    return [_monomial_dimension(t, units) for t in terms]


def homogeneous(expr: Any, units: Mapping[Any, Any], quantity: Any) -> tuple[bool, list[str]]:
    """Every additive term of ``expr`` has the dimension ``quantity``; returns (ok, term dimensions)."""
    dims = dimension_of_terms(expr, units)
    q = sp.simplify(sp.sympify(quantity))
    ok = all(sp.simplify(d / q) == 1 for d in dims)
    return ok, [str(d) for d in dims]


def proof_holds(statement: Any) -> bool:
    """A sympy proof step: an expression that must simplify to 0, or a relation/boolean that must
    simplify to True."""
    s = sp.sympify(statement)
    if isinstance(s, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
        return bool(sp.simplify(s) == sp.true)
    return bool(sp.simplify(s) == 0)
