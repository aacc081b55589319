"""adasam Appendix B, Lemmas 1 and 2: Young's inequality with a parameter, and the Hadamard-product bound.

* Lemma 1 (Eq. 48): ``<a, b> <= lambda^2/2 ||a||^2 + ||b||^2/(2 lambda^2)``, stated for ``lambda in (1, inf)``.
  Its proof, the AM-GM step (48), holds for every real ``lambda != 0`` (both coefficients positive, their
  product 1/4).  The inequality is symmetric under ``(a, b, lambda) -> (b, a, 1/lambda)`` (and depends on lambda^2
  only), so the printed lemma already gives it for every ``lambda^2 != 1`` (:func:`young_range_covered`): Theorem 1's
  ``lambda_1^2 = 1/4`` (Lemma 9) is the printed lemma at ``lambda = 2`` with a and b swapped, and ``mu^2 = alpha^2 =
  8`` (Lemmas 7, 8) are inside.  What the printed range leaves out is ``lambda^2 = 1`` (its own image under the
  symmetry), and the proof of Theorem 1 uses exactly that: ``lambda_2^2 = lambda_3^2 = 1`` (Lemma 9).  The
  inequality is tight: ``RHS - LHS = ||lambda a - b/lambda||^2/2``, zero at ``b = lambda^2 a``.
* Lemma 2 (Eq. 49): ``||x (.) y||^2 <= ||x||^2 ||y||_inf^2 <= ||x||^2 ||y||^2``; both are equalities at
  ``x = y = e_1``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..evidence import Bound, Case, Derivation, Exact, Searched
from ..perturb import Params, ScaleBound, SetParam, UseCorrected
from ..registry import Check, Claim, Context, Verdict, register
from ..worst_case import adversarial_max

__all__ = ["young_gap", "USED_LAMBDA2", "young_range_printed", "young_range_derived", "young_range_covered",
           "young_symmetries", "YOUNG_RANGE_CORRECTED", "hadamard_ratios"]

LAM = sp.Symbol("lambda", real=True)
USED_LAMBDA2 = {"lambda1^2 (Lemma 9, Thm 1)": sp.Rational(1, 4), "lambda2^2 (Lemma 9, Thm 1)": sp.Integer(1),
                "lambda3^2 (Lemma 9, Thm 1)": sp.Integer(1), "mu^2 (Lemma 7, Thm 1)": sp.Integer(8),
                "alpha^2 (Lemma 8, Thm 1)": sp.Integer(8)}


def young_gap(a: np.ndarray, b: np.ndarray, lam2: float, c: float = 0.5) -> np.ndarray:
    """``c lambda^2 ||a||^2 + ||b||^2/(2 lambda^2) - <a, b>`` per row (adasam Lemma 1 with c = 1/2)."""
    return c * lam2 * np.sum(a * a, -1) + np.sum(b * b, -1) / (2 * lam2) - np.sum(a * b, -1)


def young_range_printed() -> sp.Set:
    """Lemma 1's range as printed: ``lambda in (1, +inf)``."""
    return sp.Interval.open(1, sp.oo)


def young_range_derived() -> sp.Set:
    """The lambdas for which the proof's step (48) holds, computed: AM-GM ``x + y >= 2 sqrt(x y)`` applies to
    ``x = lambda^2/2 a_j^2`` and ``y = b_j^2/(2 lambda^2)`` when both coefficients are defined and positive, and
    then gives exactly ``|a_j| |b_j|`` when the product of the coefficients is 1/4 (it is, identically)."""
    c1, c2 = LAM**2 / 2, 1 / (2 * LAM**2)
    positive = sp.solveset(c1 > 0, LAM, sp.S.Reals).intersect(sp.solveset(c2 > 0, LAM, sp.S.Reals))
    exact = sp.solveset(sp.Eq(sp.simplify(c1 * c2), sp.Rational(1, 4)), LAM, sp.S.Reals)
    return positive.intersect(exact)


YOUNG_RANGE_CORRECTED = sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo))  # every real lambda != 0

_A2, _B2 = sp.symbols("A B", nonnegative=True)  # ||a||^2, ||b||^2


def _young_rhs(a2: sp.Expr, b2: sp.Expr, lam: sp.Expr) -> sp.Expr:
    """Lemma 1's right side ``lambda^2/2 ||a||^2 + ||b||^2/(2 lambda^2)`` (its left side <a, b> is symmetric in a, b)."""
    return lam**2 / 2 * a2 + b2 / (2 * lam**2)


def young_symmetries() -> dict[str, bool]:
    """The maps of lambda under which Lemma 1's inequality is invariant, checked by sympy: swapping a and b with
    ``lambda -> 1/lambda``, and ``lambda -> -lambda``."""
    rhs = _young_rhs(_A2, _B2, LAM)
    return {"(a, b, lambda) -> (b, a, 1/lambda)": sp.simplify(_young_rhs(_B2, _A2, 1 / LAM) - rhs) == 0,
            "lambda -> -lambda": sp.simplify(_young_rhs(_A2, _B2, -LAM) - rhs) == 0}


def young_range_covered() -> sp.Set:
    """The lambdas at which the printed lemma gives the inequality: the printed range and its images under the maps
    of :func:`young_symmetries` that hold (sympy), i.e. every real lambda with lambda^2 != 0, 1."""
    maps = {"(a, b, lambda) -> (b, a, 1/lambda)": 1 / LAM, "lambda -> -lambda": -LAM}
    covered = young_range_printed()
    for name, holds in young_symmetries().items():
        if holds:
            covered = sp.Union(covered, sp.imageset(sp.Lambda(LAM, maps[name]), covered))
    return covered


def _young_range(ctx: Context, p: Params) -> Derivation:
    """The printed range of lambda vs the range the proof (48) supports; the lambdas the proof of Theorem 1 uses that
    the printed lemma does not cover even with its a <-> b symmetry."""
    printed, covered = young_range_printed(), young_range_covered()
    outside = {k: str(v) for k, v in USED_LAMBDA2.items() if not covered.contains(sp.sqrt(v))}
    via_symmetry = {k: f"the printed lemma at lambda = {1 / sp.sqrt(v)} with a and b swapped" for k, v in
                    USED_LAMBDA2.items() if covered.contains(sp.sqrt(v)) and not printed.contains(sp.sqrt(v))}
    gap = sp.Complement(young_range_derived(), covered)
    return Derivation("lambda in (1, +inf)", printed, young_range_derived(), corrected=YOUNG_RANGE_CORRECTED,
                      note=("with its a <-> b, lambda -> 1/lambda symmetry the printed lemma covers every lambda^2 != 1 "
                            f"(of the lambdas the proof (48) supports it misses {sp.simplify(gap)}); the proof of "
                            "Theorem 1 applies it with "
                            + ", ".join(f"{k} = {v}" for k, v in outside.items()) + ", the excluded endpoint ("
                            + "; ".join(f"{k} = {USED_LAMBDA2[k]} is {v}" for k, v in via_symmetry.items()) + ")"),
                      details={"used_by_the_proof_of_theorem_1": {k: str(v) for k, v in USED_LAMBDA2.items()},
                               "symmetries (sympy)": young_symmetries(),
                               "covered_by_the_printed_lemma": str(covered),
                               "derived_minus_covered": str(sp.simplify(gap)),
                               "covered_via_symmetry": via_symmetry, "outside_printed_range": outside})


def _young(ctx: Context, p: Params) -> Bound:
    """Tight: RHS - LHS = ||lambda a - b/lambda||^2/2 (sympy); equality at b = lambda^2 a, over the whole range of
    lambda (the proof's values and log-uniform lambda^2 in [1e-4, 1e4]) and dimensions 1..6."""
    a_s, b_s = sp.symbols("a0:3", real=True), sp.symbols("b0:3", real=True)
    lam = sp.Symbol("lambda", positive=True)
    gap = lam**2 / 2 * sum(x**2 for x in a_s) + sum(y**2 for y in b_s) / (2 * lam**2) - sum(x * y for x, y in zip(a_s, b_s))
    square = sum((lam * x - y / lam) ** 2 for x, y in zip(a_s, b_s)) / 2
    rng = np.random.default_rng(ctx.seed)
    lam2s = [float(v) for v in USED_LAMBDA2.values()] + list(10 ** rng.uniform(-4, 4, ctx.pick(8, 40)))
    cases, worst_random = [], np.inf
    for k, lam2 in enumerate(lam2s):
        d = int(rng.integers(1, 7))
        a = rng.standard_normal(d) * 10 ** rng.uniform(-3, 3)
        b = lam2 * a  # the equality case
        lhs = float(a @ b)
        rhs = p.coefficient * lam2 * float(a @ a) + float(b @ b) / (2 * lam2)
        cases.append(Case(lhs, rhs, {"lambda^2": lam2, "d": d, "a": a.tolist()}, ops=3 * d + 4))
        A, B = rng.standard_normal((2000, d)), rng.standard_normal((2000, d)) * 10 ** rng.uniform(-3, 3, (2000, 1))
        worst_random = min(worst_random, float(np.min(young_gap(A, B, lam2, p.coefficient))))
    return Bound("<a,b> <= lambda^2/2 ||a||^2 + ||b||^2/(2 lambda^2), equality at b = lambda^2 a", tuple(cases),
                 Exact("RHS - LHS = ||lambda a - b/lambda||^2/2 >= 0, zero exactly at b = lambda^2 a",
                       proof=(sp.expand(gap - square),),
                       domain={"lambda^2": "the proof's 1/4, 1, 8 and log-uniform [1e-4, 1e4]", "d": "1..6"}),
                 note=f"random pairs: min RHS - LHS = {worst_random:.3g}")


register(Claim(
    id="adasam.lemma1", source="adasam Lemma 1 (Appendix B, Eq. 48)",
    statement=r"$\langle a,b\rangle\le\frac{\lambda^2}{2}\|a\|^2+\frac{1}{2\lambda^2}\|b\|^2$ for $\lambda\in(1,+\infty)$",
    expected=Verdict.ERRATUM,
    checks=(Check("stated range vs the range the proof (48) supports", _young_range, Verdict.ERRATUM, UseCorrected()),
            Check("exact: sympy identity and the equality case over the whole range", _young, Verdict.TIGHT,
                  SetParam("coefficient", 0.25, "constant", "lambda^2/4 ||a||^2 in place of lambda^2/2 ||a||^2"),
                  {"coefficient": 0.5})),
    note="Young's inequality is tight for every real lambda != 0, which is what its proof shows. The printed range "
         "lambda in (1, inf), with the lemma's symmetry (a, b, lambda) -> (b, a, 1/lambda), covers every lambda^2 != 1 "
         "(Lemma 9's lambda_1 = 1/2 is the printed lemma at lambda = 2); it excludes lambda = 1, and the proof of "
         "Theorem 1 uses exactly that endpoint (Lemma 9's lambda_2^2 = lambda_3^2 = 1). The statement is right, its "
         "range misses the one value used.",
))


# --------------------------------------------------------------------------- Lemma 2


def hadamard_ratios(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(||x (.) y||^2, ||x||^2 ||y||_inf^2, ||y||_inf^2, ||y||^2)`` per row: the two sides of each inequality of
    Lemma 2 (the second divided by ``||x||^2``)."""
    xy = np.sum((X * Y) ** 2, -1)
    x2, yinf2, y2 = np.sum(X * X, -1), np.max(np.abs(Y), -1) ** 2, np.sum(Y * Y, -1)
    return xy, x2 * yinf2, yinf2, y2


def _lemma2(ctx: Context, p: Params) -> tuple[Bound, Bound]:
    """Both inequalities: the equality case x = y = e_1, and the best of a search over x, y in R^d (scale-invariant:
    [-1, 1]^2d), d = 1..4.  Rounding: ``sum_i (x_i y_i)^2`` carries ``gamma_(d+1)``, ``||x||^2 ||y||_inf^2``
    ``gamma_(d+2)``, so two sides equal in exact arithmetic differ by at most ``gamma_(2d+3)`` relative (ops = 2d + 4)."""
    first, second = [], []
    for d in (1, 2, 3, 4):
        e1 = np.eye(d)[:1]
        xy, bnd1, yi, y2 = hadamard_ratios(e1, e1)
        first.append(Case(float(xy[0]), float(bnd1[0]), {"d": d, "x": e1[0].tolist(), "y": e1[0].tolist()}, ops=2 * d + 4))
        second.append(Case(float(yi[0]), float(y2[0]), {"d": d, "y": e1[0].tolist()}, ops=2 * d + 4))

        def r1(Z: np.ndarray, d: int = d) -> np.ndarray:
            a, b, _, _ = hadamard_ratios(Z[:d].T, Z[d:].T)
            return a / np.maximum(b, 1e-300)

        def r2(Z: np.ndarray) -> np.ndarray:
            _, _, a, b = hadamard_ratios(Z.T, Z.T)
            return a / np.maximum(b, 1e-300)

        for fn, dim, out, kind in ((r1, 2 * d, first, 1), (r2, d, second, 2)):
            res = adversarial_max(fn, dim, seed=ctx.seed + 10 * d + kind, maxiter=ctx.pick(30, 150), popsize=10)
            Z = res.argmax
            if kind == 1:
                xy, bnd1, _, _ = hadamard_ratios(Z[None, :d], Z[None, d:])
                out.append(Case(float(xy[0]), float(bnd1[0]), {"d": d, "x": Z[:d].tolist(), "y": Z[d:].tolist(),
                                                                 "search": True}, ops=2 * d + 4))
            else:
                _, _, yi, y2 = hadamard_ratios(Z[None], Z[None])
                out.append(Case(float(yi[0]), float(y2[0]), {"d": d, "y": Z.tolist(), "search": True}, ops=2 * d + 4))
    dom = {"x, y": "R^d (scale-invariant: [-1, 1]^d each)", "d": "1..4"}
    budget = f"differential evolution + L-BFGS-B, maxiter {ctx.pick(30, 150)} per d, plus x = y = e_1"
    return (Bound("||x (.) y||^2 <= ||x||^2 ||y||_inf^2", tuple(first), Searched(dom, budget)),
            Bound("||y||_inf^2 <= ||y||^2 (so ||x||^2 ||y||_inf^2 <= ||x||^2 ||y||^2)", tuple(second), Searched(dom, budget)))


register(Claim(
    id="adasam.lemma2", source="adasam Lemma 2 (Appendix B, Eq. 49)",
    statement=r"$\|x\odot y\|^2\le\|x\|^2\|y\|_\infty^2\le\|x\|^2\|y\|^2$",
    expected=Verdict.TIGHT,
    checks=(Check("equality case + adversarial search", _lemma2, Verdict.TIGHT, ScaleBound(1 - 1e-3)),),
    note="Both inequalities are equalities at x = y = e_1 in every dimension.",
))
