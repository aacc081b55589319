"""The registry: claims, checks returning evidence, declared negative controls, papers as records."""

from __future__ import annotations

import pytest

from proofs_check import Bound, Case, Instances, Params, ScaleBound, SetParam, ShiftClaim, UseCorrected
from proofs_check.papers import PAPERS, Paper, paper_of, register_paper
from proofs_check.registry import REGISTRY, Check, Claim, Context, Verdict, combine, register, run_claim


def _fn(ctx: Context, p: Params) -> Bound:
    return Bound("v <= 1", (Case(p.value, 1.0, {"value": p.value}),), Instances())


def _check(expected: Verdict = Verdict.VERIFIED, value: float = 0.5) -> Check:
    return Check("c", _fn, expected, SetParam("value", 2.0, "input"), {"value": value})


def test_combine_precedence() -> None:
    V = Verdict
    assert combine([V.VERIFIED, V.TIGHT]) is V.TIGHT
    assert combine([V.TIGHT, V.LOOSE]) is V.LOOSE
    assert combine([V.LOOSE, V.ERRATUM, V.VERIFIED]) is V.ERRATUM
    assert combine([V.ERRATUM, V.REFUTED]) is V.REFUTED
    assert combine([V.VERIFIED, V.INCONCLUSIVE]) is V.INCONCLUSIVE
    assert combine([]) is V.INCONCLUSIVE


def test_a_check_returns_evidence_and_the_framework_applies_its_negative_control() -> None:
    check = _check()
    assert check.run(Context()).verdict is Verdict.VERIFIED
    neg = check.run(Context(), negative=True)
    assert neg.verdict is Verdict.REFUTED and "value" in neg.details["negative_control"]
    assert neg.details["params"] == {"value": 0.5}  # the declared inputs; the perturbed ones are what ran
    assert neg.details["cases"][0]["inputs"] == {"value": 2.0}


def test_perturbations_validate_against_the_declared_inputs() -> None:
    with pytest.raises(KeyError, match="not a declared parameter"):
        Check("c", _fn, Verdict.VERIFIED, SetParam("valeu", 2.0), {"value": 0.5})
    with pytest.raises(ValueError, match="equals the declared"):
        Check("c", _fn, Verdict.VERIFIED, SetParam("value", 0.5), {"value": 0.5})
    with pytest.raises(AttributeError):
        Params(a=1).a = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Check("c", _fn, Verdict.VERIFIED, 3)  # type: ignore[arg-type]
    assert ScaleBound(0.99).describe() and ShiftClaim(-0.1).describe() and UseCorrected().describe()


def test_register_rejects_inconsistent_expected_duplicates_and_unknown_papers() -> None:
    with pytest.raises(ValueError, match="does not follow"):
        register(Claim("s3.test_x1", "s3 X", "s", Verdict.LOOSE, (_check(),)))
    with pytest.raises(KeyError, match="no registered paper"):
        register(Claim("nopaper.x", "nopaper X", "s", Verdict.VERIFIED, (_check(),)))
    claim = Claim("s3.test_x2", "s3 X", "s", Verdict.VERIFIED, (_check(),))
    try:
        register(claim)
        with pytest.raises(ValueError, match="duplicate"):
            register(claim)
    finally:
        REGISTRY.pop("s3.test_x2", None)


def test_run_claim_reports_a_crashing_check_as_inconclusive() -> None:
    def boom(ctx: Context, p: Params) -> Bound:
        raise RuntimeError("boom")

    claim = Claim("s3.test_x3", "s3 X", "s", Verdict.VERIFIED,
                  (Check("c", boom, Verdict.VERIFIED, SetParam("v", 2), {"v": 1}),))
    res = run_claim(claim, Context(seed=7))
    assert res.verdict is Verdict.INCONCLUSIVE and not res.ok
    assert "boom" in res.primary.measured
    assert res.command == "python -m proofs_check --only 's3.test_x3' --seed 7"


def test_papers_are_records() -> None:
    assert set(PAPERS) >= {"s3", "gsignsgd", "adasam", "nsgdm", "adamlinf"}
    assert all(p.title and p.year for p in PAPERS.values())
    assert PAPERS["gsignsgd"].arxiv == "2208.11195" and PAPERS["gsignsgd"].url.endswith("2208.11195")
    assert paper_of("nsgdm.thm4.rate").short == "nsgdm"
    with pytest.raises(ValueError):
        register_paper(Paper("Bad Name", "t", (), "v", 2020))
    with pytest.raises(ValueError, match="duplicate"):
        register_paper(Paper("s3", "another title", (), "v", 2020))


def test_context_profile() -> None:
    assert Context().pick(1, 2) == 1 and Context(full=True).pick(1, 2) == 2
