"""The claim registry: every checkable claim of the papers, its checks and negative controls.

A :class:`Claim` is one statement of a paper (theorem, lemma, corollary, remark, table).  It
holds one or more :class:`Check` s.  Running a check returns an :class:`Outcome` whose verdict
uses the report's vocabulary (:class:`Verdict`); the claim's verdict combines those of its checks
(:func:`combine`).  Every check also has a *negative control*: the same check applied to a
perturbed algorithm, bound or constant, which must come out with a different verdict — the
test suite runs all of them, so no check can pass vacuously.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Verdict", "Plot", "Series", "Outcome", "Check", "Claim", "Context", "REGISTRY", "register",
           "combine", "ClaimResult", "run_claim"]


class Verdict(str, enum.Enum):
    """The report's verdicts (issue 3, Sec. 1)."""

    VERIFIED = "verified"          # holds on every case tried, within a derived tolerance
    TIGHT = "tight"                # holds and is attained or approached to tolerance
    LOOSE = "loose"                # holds; the exact or best-found worst case is reported
    REFUTED = "refuted"            # a counterexample, reported so anyone can re-run it
    ERRATUM = "erratum"            # the statement differs from what its own proof derives / is garbled
    INCONCLUSIVE = "inconclusive"  # the evidence decides neither way

    def __str__(self) -> str:
        return self.value


# When checks of one claim disagree, the most informative verdict wins.
_PRECEDENCE = [Verdict.REFUTED, Verdict.ERRATUM, Verdict.INCONCLUSIVE, Verdict.LOOSE, Verdict.TIGHT,
               Verdict.VERIFIED]


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """The claim verdict: refuted > erratum > inconclusive > loose > tight > verified."""
    vs = list(verdicts)
    if not vs:
        return Verdict.INCONCLUSIVE
    return min(vs, key=_PRECEDENCE.index)


@dataclass(frozen=True)
class Series:
    """One curve of a plot."""

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    yerr: tuple[float, ...] | None = None
    style: str = "line"  # "line" | "points" | "dashed"


@dataclass(frozen=True)
class Plot:
    """Data for one PNG of the markdown report (rendered by :mod:`proofs_check.plots`)."""

    title: str
    xlabel: str
    ylabel: str
    series: tuple[Series, ...]
    logx: bool = False
    logy: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one check found.

    ``stated`` is the paper's value or statement, ``measured`` ours (short strings for the
    table); ``details`` holds everything needed to re-run or audit (counterexamples included).
    """

    verdict: Verdict
    stated: str
    measured: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()


@dataclass(frozen=True)
class Context:
    """Run-wide settings: the profile (``full`` enlarges sweeps), the base seed, and an optional
    progress sink for long checks (the CLI prints to stderr; it never affects results)."""

    full: bool = False
    seed: int = 20241125
    progress: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

    def pick(self, default: Any, full: Any) -> Any:
        return full if self.full else default

    def say(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


CheckFn = Callable[[Context, bool], Outcome]


@dataclass(frozen=True)
class Check:
    """One check of a claim.

    ``fn(ctx, negative)`` runs it; with ``negative=True`` it runs its negative control (the
    perturbation described in ``negative_control``), whose verdict must differ from
    ``expected``.
    """

    name: str
    fn: CheckFn
    expected: Verdict
    negative_control: str

    def run(self, ctx: Context, negative: bool = False) -> Outcome:
        return self.fn(ctx, negative)


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    statement: str
    expected: Verdict
    checks: tuple[Check, ...]
    note: str = ""


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim; ids are unique and the expected verdict must follow from the checks'."""
    if claim.id in REGISTRY:
        raise ValueError(f"duplicate claim id {claim.id!r}")
    if combine(c.expected for c in claim.checks) != claim.expected:
        raise ValueError(f"{claim.id}: expected verdict {claim.expected} does not follow from its checks")
    REGISTRY[claim.id] = claim
    return claim


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    verdict: Verdict
    outcomes: tuple[tuple[Check, Outcome, float], ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.verdict == self.claim.expected

    @property
    def primary(self) -> Outcome:
        return self.outcomes[0][1]


def run_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """Run every check of ``claim`` (never the negative controls) and combine the verdicts."""
    start = time.perf_counter()
    rows = []
    for check in claim.checks:
        t0 = time.perf_counter()
        try:
            out = check.run(ctx)
        except Exception as exc:  # a crashing check is reported, never hidden
            out = Outcome(Verdict.INCONCLUSIVE, "-", f"check raised {type(exc).__name__}: {exc}",
                          {"exception": repr(exc)})
        rows.append((check, out, time.perf_counter() - t0))
    verdict = combine(o.verdict for _, o, _ in rows)
    return ClaimResult(claim, verdict, tuple(rows), time.perf_counter() - start)
