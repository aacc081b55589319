"""The claim registry: every checkable claim of the papers, its checks and their negative controls.

A :class:`Claim` is one statement of a paper (theorem, lemma, corollary, remark, table); its id starts
with the short name of a registered :class:`~proofs_check.papers.Paper`.  It holds one or more
:class:`Check` s.  A check is a function ``fn(ctx, params) -> evidence`` (:mod:`proofs_check.evidence`)
over declared inputs ``params``; it never decides a verdict: :func:`proofs_check.judge.judge` does, under
the one threshold policy.  Every check declares a negative control, a
:class:`~proofs_check.perturb.Perturbation` that the framework applies (to the inputs or to the
evidence) and whose verdict must differ from the expected one -- the test suite runs all of them.

The claim's verdict combines its checks' (:func:`~proofs_check.verdict.combine`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from .evidence import Evidence, as_tuple
from .judge import Judgement, judge_all
from .papers import Paper, paper_of
from .perturb import Params, Perturbation, declared
from .plotdata import Plot, Series
from .verdict import Verdict, combine

__all__ = ["Verdict", "Plot", "Series", "Outcome", "Check", "Claim", "Context", "REGISTRY", "register",
           "combine", "ClaimResult", "run_claim", "run_check"]


@dataclass(frozen=True)
class Outcome:
    """What one check found, as judged.

    ``stated`` is the paper's statement, ``measured`` the judge's reading of the evidence (short strings
    for the table) with ``stated_value``/``measured_value`` the numbers behind them; ``details`` holds
    everything needed to re-run or audit (counterexamples included).
    """

    verdict: Verdict
    stated: str
    measured: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: tuple[Plot, ...] = ()
    stated_value: float | None = None
    measured_value: float | None = None
    judgements: tuple[Judgement, ...] = ()
    evidence: tuple[Evidence, ...] = ()


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


CheckFn = Callable[[Context, Params], Union[Evidence, Sequence[Evidence]]]


def _details(e: Evidence, j: Judgement) -> dict[str, Any]:
    """An auditable record of one piece of evidence (inputs of every case, the method, the judge's numbers)."""
    from .evidence import Bound, Certified, Derivation, Identity, Rate, SearchAgreement
    out: dict[str, Any] = {"kind": type(e).__name__, "verdict": j.verdict.value, "judge": dict(j.numbers)}
    if isinstance(e, Bound):
        m = e.method
        out["method"] = {"kind": type(m).__name__,
                         **{k: v for k, v in dataclasses.asdict(m).items() if k not in ("certificates", "proof")}}
        if isinstance(m, Certified):
            out["method"]["certificates"] = [dataclasses.asdict(c.verify()) for c in m.certificates]
        out["sense"] = e.sense
        out["cases"] = [{"value": c.value, "bound": c.bound, "se": c.se, "ops": c.ops, "inputs": dict(c.inputs)}
                        for c in e.cases]
    elif isinstance(e, SearchAgreement):
        out["domain"], out["budget"] = dict(e.domain), e.budget
        out["cases"] = [{"searched": s, "closed_form": c, "inputs": dict(i)}
                        for s, c, i in zip(e.searched, e.closed_form, e.inputs)]
    elif isinstance(e, Derivation):
        out.update(printed=str(e.printed), derived=str(e.derived),
                   corrected=None if e.corrected is None else str(e.corrected))
    elif isinstance(e, Rate):
        import numpy as np
        v = np.asarray(e.values, dtype=float)
        out.update(variable=e.variable, horizons=[float(t) for t in e.horizons], claimed=e.claimed,
                   log_power=e.log_power, other_terms=list(e.other_terms), seeds=int(v.shape[1]),
                   mean=v.mean(axis=1).tolist(), se=(v.std(axis=1, ddof=1) / np.sqrt(v.shape[1])).tolist())
    elif isinstance(e, Identity):
        out.update(error_model=type(e.error).__name__, lhs=e.lhs_name, rhs=e.rhs_name)
    out.update(dict(e.details))
    return out


@dataclass(frozen=True)
class Check:
    """One check of a claim.

    ``fn(ctx, params)`` returns evidence; ``params`` are the check's declared inputs (the ones its
    negative control may perturb); ``negative`` is the negative control.
    """

    name: str
    fn: CheckFn
    expected: Verdict
    negative: Perturbation
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.negative, Perturbation):
            raise TypeError(f"check {self.name!r}: negative must be a Perturbation (proofs_check.perturb), "
                            f"got {type(self.negative).__name__}")
        if not isinstance(self.expected, Verdict):
            raise TypeError(f"check {self.name!r}: expected must be a Verdict")
        self.negative.validate(declared(self.params))

    @property
    def negative_control(self) -> str:
        return self.negative.describe()

    def evidence(self, ctx: Context, negative: bool = False) -> tuple[Evidence, ...]:
        """Run the check (perturbed when ``negative``) and return its evidence."""
        pert = self.negative if negative else None
        params = declared(self.params)
        if pert is not None:
            params = pert.params(params)
        ev = as_tuple(self.fn(ctx, params))
        if pert is not None:
            ev = tuple(pert.evidence(e) for e in ev)
        return ev

    def run(self, ctx: Context, negative: bool = False) -> Outcome:
        ev = self.evidence(ctx, negative)
        verdict, js = judge_all(ev)
        first = js[0]
        details: dict[str, Any] = {"params": {k: v for k, v in declared(self.params).items()}} if self.params else {}
        if negative:
            details["negative_control"] = self.negative_control
        if len(ev) == 1:
            details.update(_details(ev[0], first))
        else:
            details["evidence"] = [_details(e, j) for e, j in zip(ev, js)]
        decisive = next((j for j in js if j.verdict == verdict), first)
        measured = decisive.measured if len(js) == 1 else " | ".join(j.measured for j in js)
        return Outcome(verdict, decisive.stated, measured, details, tuple(p for e in ev for p in e.plots),
                       decisive.stated_value, decisive.measured_value, js, ev)


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    statement: str
    expected: Verdict
    checks: tuple[Check, ...]
    note: str = ""

    @property
    def paper(self) -> Paper:
        return paper_of(self.id)

    def command(self, ctx: Context) -> str:
        """A command that re-runs exactly this claim's instances (same seed and profile)."""
        return f"python -m proofs_check --only '{self.id}' --seed {ctx.seed}" + (" --full" if ctx.full else "")


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim; ids are unique, belong to a registered paper, and the expected verdict must follow
    from the checks'."""
    if claim.id in REGISTRY:
        raise ValueError(f"duplicate claim id {claim.id!r}")
    paper_of(claim.id)
    if not claim.checks:
        raise ValueError(f"{claim.id}: a claim needs at least one check")
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
    command: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == self.claim.expected

    @property
    def primary(self) -> Outcome:
        """The outcome of the first check whose verdict is the claim's (the one that set it)."""
        for _, o, _ in self.outcomes:
            if o.verdict == self.verdict:
                return o
        return self.outcomes[0][1]


def run_check(check: Check, ctx: Context, negative: bool = False) -> tuple[Outcome, float]:
    """Run one check; a crashing check is reported as inconclusive, never hidden."""
    t0 = time.perf_counter()
    try:
        out = check.run(ctx, negative)
    except Exception as exc:  # noqa: BLE001
        out = Outcome(Verdict.INCONCLUSIVE, "-", f"check raised {type(exc).__name__}: {exc}", {"exception": repr(exc)})
    return out, time.perf_counter() - t0


def run_claim(claim: Claim, ctx: Context) -> ClaimResult:
    """Run every check of ``claim`` (never the negative controls) and combine the verdicts."""
    start = time.perf_counter()
    rows = []
    for check in claim.checks:
        out, s = run_check(check, ctx)
        rows.append((check, out, s))
    verdict = combine(o.verdict for _, o, _ in rows)
    return ClaimResult(claim, verdict, tuple(rows), time.perf_counter() - start, claim.command(ctx))
