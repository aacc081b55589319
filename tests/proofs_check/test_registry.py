from __future__ import annotations

import pytest

from proofs_check.registry import Check, Claim, Context, Outcome, Verdict, combine, register, run_claim


def _check(verdict: Verdict) -> Check:
    return Check("c", lambda ctx, neg: Outcome(Verdict.REFUTED if neg else verdict, "s", "m"), verdict, "flip")


def test_combine_precedence() -> None:
    V = Verdict
    assert combine([V.VERIFIED, V.TIGHT]) is V.TIGHT
    assert combine([V.TIGHT, V.LOOSE]) is V.LOOSE
    assert combine([V.LOOSE, V.ERRATUM, V.VERIFIED]) is V.ERRATUM
    assert combine([V.ERRATUM, V.REFUTED]) is V.REFUTED
    assert combine([V.VERIFIED, V.INCONCLUSIVE]) is V.INCONCLUSIVE
    assert combine([]) is V.INCONCLUSIVE


def test_register_rejects_inconsistent_expected_and_duplicates() -> None:
    with pytest.raises(ValueError, match="does not follow"):
        register(Claim("test.x1", "test X", "s", Verdict.VERIFIED, (_check(Verdict.LOOSE),)))
    claim = Claim("test.x2", "test X", "s", Verdict.LOOSE, (_check(Verdict.LOOSE),))
    from proofs_check.registry import REGISTRY
    try:
        register(claim)
        with pytest.raises(ValueError, match="duplicate"):
            register(claim)
    finally:
        REGISTRY.pop("test.x2", None)


def test_run_claim_reports_a_crashing_check_as_inconclusive() -> None:
    def boom(ctx: Context, neg: bool) -> Outcome:
        raise RuntimeError("boom")

    claim = Claim("test.x3", "test X", "s", Verdict.VERIFIED, (Check("c", boom, Verdict.VERIFIED, "-"),))
    res = run_claim(claim, Context())
    assert res.verdict is Verdict.INCONCLUSIVE and not res.ok
    assert "boom" in res.primary.measured


def test_context_profile() -> None:
    assert Context().pick(1, 2) == 1 and Context(full=True).pick(1, 2) == 2
