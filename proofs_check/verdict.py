"""The report's verdict vocabulary and how the verdicts of several checks combine."""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["Verdict", "combine"]


class Verdict(str, enum.Enum):
    """The report's verdicts."""

    VERIFIED = "verified"          # holds on every case tried, within the policy's tolerance
    TIGHT = "tight"                # holds and is attained or approached within the policy's tolerance
    LOOSE = "loose"                # holds; the exact, certified or best-found supremum is below the bound
    REFUTED = "refuted"            # a counterexample satisfying every hypothesis, reported so anyone can re-run it
    ERRATUM = "erratum"            # the statement differs from what its own proof derives; the corrected one is given
    INCONCLUSIVE = "inconclusive"  # the evidence decides neither way

    def __str__(self) -> str:
        return self.value


# When checks of one claim disagree, the most informative verdict wins.
PRECEDENCE = (Verdict.REFUTED, Verdict.ERRATUM, Verdict.INCONCLUSIVE, Verdict.LOOSE, Verdict.TIGHT, Verdict.VERIFIED)


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """The claim verdict: refuted > erratum > inconclusive > loose > tight > verified."""
    vs = list(verdicts)
    if not vs:
        return Verdict.INCONCLUSIVE
    return min(vs, key=PRECEDENCE.index)
