"""Every registered claim reaches its expected verdict, and every check's negative control fails.

The negative control applies the same check to a perturbed algorithm, bound or constant; its
verdict must differ from the check's expected verdict, so no check can pass vacuously.
"""

from __future__ import annotations

import pytest

from proofs_check import REGISTRY, Context, Verdict, run_claim

CTX = Context()
CHECKS = [(cid, i) for cid, claim in REGISTRY.items() for i in range(len(claim.checks))]


def test_registry_covers_every_s3_claim_of_the_issue() -> None:
    required = {"s3.thm1", "s3.thm1.limit", "s3.thm1.condition", "s3.thm2.1", "s3.thm2.2", "s3.thm2.3", "s3.thm3",
                "s3.thm3.moreover", "s3.lemma5", "s3.thm4", "s3.thm4.rate", "s3.thm4.derivation", "s3.sec5_5",
                "s3.sec3.p1_cost"}
    assert required <= set(REGISTRY)


@pytest.mark.parametrize("cid", sorted(REGISTRY))
def test_claim_has_its_expected_verdict(cid: str) -> None:
    res = run_claim(REGISTRY[cid], CTX)
    assert res.verdict == REGISTRY[cid].expected, [(c.name, o.verdict, o.measured) for c, o, _ in res.outcomes]


@pytest.mark.parametrize("cid,i", CHECKS, ids=[f"{c}-{i}" for c, i in CHECKS])
def test_check_passes_and_its_negative_control_fails(cid: str, i: int) -> None:
    check = REGISTRY[cid].checks[i]
    assert check.run(CTX).verdict == check.expected
    negative = check.run(CTX, negative=True)
    assert negative.verdict != check.expected, f"negative control ({check.negative_control}) did not fail"
    # the control must fail decisively (a counterexample, an erratum, or "no erratum" for a derivation
    # check whose expected verdict is erratum), never by crashing or being undecided
    assert negative.verdict is not Verdict.INCONCLUSIVE


@pytest.mark.parametrize("cid", sorted(REGISTRY))
def test_claim_metadata(cid: str) -> None:
    claim = REGISTRY[cid]
    paper = cid.split(".")[0]
    assert paper in {"s3", "gsignsgd", "adasam", "nsgdm", "adamlinf"}
    assert claim.source.startswith(paper + " ")
    assert claim.statement and claim.checks
    for check in claim.checks:
        assert check.negative_control, f"{cid}/{check.name} has no negative control"


def test_checks_are_deterministic() -> None:
    for cid in ("s3.thm1", "s3.thm2.1"):
        a = [o.details for _, o, _ in run_claim(REGISTRY[cid], CTX).outcomes]
        b = [o.details for _, o, _ in run_claim(REGISTRY[cid], CTX).outcomes]
        assert repr(a) == repr(b)
