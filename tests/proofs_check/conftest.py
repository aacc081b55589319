"""Shared, session-scoped results: each claim's checks and each negative control run once per session."""

from __future__ import annotations

import pytest

from proofs_check import REGISTRY, Context
from proofs_check.registry import ClaimResult, Outcome, run_check, run_claim

CTX = Context()


class _Results:
    def __init__(self) -> None:
        self._claims: dict[str, ClaimResult] = {}
        self._negative: dict[tuple[str, int], Outcome] = {}

    def claim(self, cid: str) -> ClaimResult:
        if cid not in self._claims:
            self._claims[cid] = run_claim(REGISTRY[cid], CTX)
        return self._claims[cid]

    def outcome(self, cid: str, i: int) -> Outcome:
        return self.claim(cid).outcomes[i][1]

    def negative(self, cid: str, i: int) -> Outcome:
        if (cid, i) not in self._negative:
            self._negative[(cid, i)] = run_check(REGISTRY[cid].checks[i], CTX, negative=True)[0]
        return self._negative[(cid, i)]


_RESULTS = _Results()


@pytest.fixture(scope="session")
def results() -> _Results:
    """Each claim run once (default profile, default seed), each negative control once."""
    return _RESULTS
