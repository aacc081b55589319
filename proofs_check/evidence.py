"""Typed evidence: what a check measured.  A check never writes a verdict; :mod:`proofs_check.judge`
maps evidence to one under the single threshold policy of :mod:`proofs_check.tolerances`.

Kinds (each a frozen dataclass):

* :class:`Bound` -- a measured quantity against the statement's bound over a set of
  :class:`Case` s, with *how* the supremum was obtained (:class:`Exact` closed form, proven in sympy;
  :class:`Certified`, with a certificate the judge re-verifies; :class:`Searched`, an optimiser over a
  declared domain, so a lower bound on the supremum; :class:`Instances`, explicit instances or runs).
  Monte-Carlo cases carry their standard error.
* :class:`Identity` -- two computations that must agree (our algorithm and a from-scratch transcription,
  two trajectories, two sympy objects), with the error model that says how far apart they may be.
* :class:`SearchAgreement` -- a black-box search against a closed-form supremum.
* :class:`Derivation` -- statement vs proof: the printed expression (transcribed once as a sympy object)
  against the one derived from the proof's steps, compared by sympy; homogeneity (units) where it decides.
* :class:`Rate` -- per-seed statistics over a grid of horizons, the claimed order (exponent, hidden
  log factors, the bound's other terms), fitted by :mod:`proofs_check.rates`.

Every kind carries ``stated`` (the paper's statement in a few words), ``note`` (what a reader needs to
interpret the number, appended to the judge's summary), ``details`` (everything needed to re-run or
audit) and ``plots``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Union, runtime_checkable

import numpy as np

from reference.problems.base import instance_digest

from .plotdata import Plot

__all__ = [
    "Case", "Exact", "Certified", "Searched", "Instances", "Method", "Bound", "Identity", "SearchAgreement",
    "Derivation", "Rate", "Evidence", "Certificate", "CertificateCheck", "instance_digest", "Exactly", "Rounding",
    "Symbolic", "MonteCarlo", "ErrorModel", "Units",
]


# --------------------------------------------------------------------------- bounds


@dataclass(frozen=True)
class Case:
    """One instance of a bound comparison: ``value`` against ``bound`` at ``inputs``.

    ``inputs`` holds every input needed to reproduce the instance (hyperparameters, t, the gradient
    sequence, the seed ...).  ``ops`` is the operation count behind ``value`` (rounding model
    ``gamma_ops``, :func:`proofs_check.tolerances.gamma`); ``se`` the Monte-Carlo standard error of
    ``value`` when it is a sample mean (0 for exact evaluations).  ``scale`` is the magnitude the rounding
    errors accumulate on when the two sides cancel (e.g. the sum of the absolute values of the terms);
    the rounding margin is ``gamma_ops * scale`` (default ``|bound|``).
    """

    value: float
    bound: float
    inputs: Mapping[str, Any] = field(default_factory=dict)
    ops: float = 0.0
    se: float = 0.0
    scale: float | None = None


@dataclass(frozen=True)
class CertificateCheck:
    """What an independent re-verification of a certificate found: ``lower <= value <= upper``."""

    ok: bool
    lower: float
    upper: float
    checks: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


@runtime_checkable
class Certificate(Protocol):
    """A certificate of a computed value (e.g. an SDP's primal and dual points).  ``verify`` is an
    independent routine: it must not reuse the solver's own feasibility tests.

    A certificate may also expose ``instance``: a mapping naming the problem it certifies with the
    keys of its case's ``inputs`` (e.g. ``{"d": 50, "A": A}``, or a digest of large data such as
    :func:`instance_digest`).  The judge then requires at least one shared key and equality on every
    shared key (arrays exactly), so a certificate of another instance cannot certify the case; without
    ``instance`` it binds by value alone (the case's value must lie in the re-verified bracket)."""

    def verify(self) -> CertificateCheck: ...


@dataclass(frozen=True)
class Exact:
    """The cases' values are the exact supremum over the statement's domain, by ``argument`` (e.g.
    "Holder duality"); ``proof`` holds sympy expressions that must simplify to 0 (or relations that
    must simplify to True) -- the judge re-checks them."""

    argument: str
    proof: tuple[Any, ...] = ()
    domain: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Certified:
    """The cases' values are certified by ``certificates`` (one per case, same order)."""

    certificates: tuple[Certificate, ...]
    argument: str = ""
    domain: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Searched:
    """The cases' values are the best found by an optimiser over ``domain`` (every hyperparameter,
    constant and input the statement allows, as ``name -> range``), within ``budget``: lower bounds on
    the supremum."""

    domain: Mapping[str, str]
    budget: str


@dataclass(frozen=True)
class Instances:
    """The cases are explicit instances or runs (no optimiser); ``domain`` says what they cover."""

    domain: Mapping[str, str] = field(default_factory=dict)
    description: str = ""


Method = Union[Exact, Certified, Searched, Instances]


@dataclass(frozen=True)
class Bound:
    """``value <= bound`` (``sense="upper"``) or ``value >= bound`` (``sense="lower"``) on every case.

    ``approach`` names an input along which the cases approach a supremum that is not attained
    (e.g. ``"t"``): the gap must shrink along it and end within the policy's ``approach_rel``.
    """

    stated: str
    cases: tuple[Case, ...]
    method: Method
    sense: Literal["upper", "lower"] = "upper"
    approach: str | None = None
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


# --------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class Exactly:
    """Equal as objects (arrays elementwise, integers, sets, strings)."""


@dataclass(frozen=True)
class Rounding:
    """``|lhs - rhs| <= gamma_ops * scale`` elementwise; ``scale`` defaults to ``|rhs|`` (a relative
    error bound); pass the magnitude the rounding errors accumulate on where that is larger (e.g. the
    sum of absolute terms of a cancelling sum, or a trajectory's path length)."""

    ops: float
    scale: Any = None


@dataclass(frozen=True)
class Symbolic:
    """Sympy objects equal: ``simplify(lhs - rhs) == 0`` (relations, sets and tuples elementwise),
    else equal at ``numeric_points`` random points of the declared domain to ``symbolic_digits``."""

    domain: Mapping[Any, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class MonteCarlo:
    """``|lhs - rhs| <= z_mc * se`` elementwise (two-sided)."""

    se: Any


ErrorModel = Union[Exactly, Rounding, Symbolic, MonteCarlo]


@dataclass(frozen=True)
class Identity:
    """Two computations that must agree under ``error``."""

    stated: str
    lhs: Any
    rhs: Any
    error: ErrorModel
    lhs_name: str = "lhs"
    rhs_name: str = "rhs"
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


@dataclass(frozen=True)
class SearchAgreement:
    """A black-box search of the supremum against its closed form, case by case (``searched[i]`` vs
    ``closed_form[i]`` at ``inputs[i]``): the search must never exceed the closed form beyond rounding
    and must reach it within the policy's ``search_rel``."""

    stated: str
    searched: tuple[float, ...]
    closed_form: tuple[float, ...]
    inputs: tuple[Mapping[str, Any], ...]
    ops: tuple[float, ...]
    domain: Mapping[str, str]
    budget: str
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


# --------------------------------------------------------------------------- statement vs proof


@dataclass(frozen=True)
class Units:
    """Dimensions of the symbols (``symbol -> sympy expression in base-dimension symbols``) and the
    dimension the statement's quantity must have; the judge checks that every additive term of the
    printed and derived expressions has it."""

    of: Mapping[Any, Any]
    quantity: Any


@dataclass(frozen=True)
class Derivation:
    """The printed statement against what the proof derives.

    ``printed`` is the paper's expression transcribed once (a sympy object: an expression, a relation,
    an interval or set, a ``Sum`` with its index range, or a tuple of these); ``derived`` is computed from
    the proof's transcribed steps by sympy.  ``corrected`` is the corrected statement we report; when
    given it must equal ``derived`` (else the judge cannot tell what the right statement is).
    ``domain`` maps symbols to ranges for the numeric fallback of the comparison.
    """

    stated: str
    printed: Any
    derived: Any
    corrected: Any = None
    units: Units | None = None
    domain: Mapping[Any, tuple[Any, Any]] = field(default_factory=dict)
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True)
class Rate:
    """A measured rate: ``values[k, s]`` is seed s's statistic at horizon ``horizons[k]``.

    The claim is ``statistic = O~(var^claimed)`` (``sense="upper"``: decays at least that fast) or
    ``Theta~(var^claimed)`` (``sense="exact"``).  ``log_power`` is the power k of the ``log(var)``
    factor the statement hides (0 for O(.)); ``other_terms`` the exponents of the bound's other terms
    (lower-order transients, or a floor such as a constant); they are fitted, and the claimed term
    must dominate the fit at the end of the window.  Horizons below ``min_horizon`` are shown, not fitted.
    """

    stated: str
    variable: str
    horizons: np.ndarray
    values: np.ndarray
    claimed: float
    log_power: float = 0.0
    other_terms: tuple[float, ...] = ()
    sense: Literal["upper", "exact"] = "upper"
    min_horizon: float = 0.0
    seed: int = 0
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


Evidence = Union[Bound, Identity, SearchAgreement, Derivation, Rate]
EVIDENCE_KINDS: tuple[type, ...] = (Bound, Identity, SearchAgreement, Derivation, Rate)


def as_tuple(evidence: Evidence | Sequence[Evidence]) -> tuple[Evidence, ...]:
    """A check may return one piece of evidence or several (judged separately, combined by precedence)."""
    if isinstance(evidence, EVIDENCE_KINDS):
        return (evidence,)
    out = tuple(evidence)
    if not out or not all(isinstance(e, EVIDENCE_KINDS) for e in out):
        raise TypeError(f"a check must return evidence ({', '.join(k.__name__ for k in EVIDENCE_KINDS)}), "
                        f"got {type(evidence).__name__}")
    return out
