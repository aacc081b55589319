"""Every registered claim reaches its expected verdict, and every check's negative control flips it.

A negative control is a declared perturbation (:mod:`proofs_check.perturb`) that the framework applies to
the check's inputs or evidence; its verdict must differ from the check's expected verdict, decisively
(never inconclusive, never by crashing), so no check can pass vacuously.  Results come from the
session-scoped cache (``conftest.results``): each check and each control runs once per session.
"""

from __future__ import annotations

import ast
import inspect
import sys

import pytest

from proofs_check import REGISTRY, Verdict
from proofs_check.papers import PAPERS

CHECKS = [(cid, i) for cid, claim in REGISTRY.items() for i in range(len(claim.checks))]


@pytest.mark.parametrize("cid", sorted(REGISTRY))
def test_claim_has_its_expected_verdict(cid: str, results) -> None:
    res = results.claim(cid)
    assert res.verdict == REGISTRY[cid].expected, [(c.name, o.verdict, o.measured) for c, o, _ in res.outcomes]


@pytest.mark.parametrize("cid,i", CHECKS, ids=[f"{c}-{i}" for c, i in CHECKS])
def test_check_passes_and_its_negative_control_flips_it(cid: str, i: int, results) -> None:
    check = REGISTRY[cid].checks[i]
    assert results.outcome(cid, i).verdict == check.expected, results.outcome(cid, i).measured
    negative = results.negative(cid, i)
    assert negative.verdict != check.expected, f"negative control ({check.negative_control}) did not flip the verdict"
    assert negative.verdict is not Verdict.INCONCLUSIVE, negative.measured


@pytest.mark.parametrize("cid", sorted(REGISTRY))
def test_claim_metadata(cid: str) -> None:
    claim = REGISTRY[cid]
    paper = cid.split(".")[0]
    assert paper in PAPERS
    assert claim.source.startswith(paper + " ")
    assert claim.statement and claim.checks
    for check in claim.checks:
        assert check.negative_control, f"{cid}/{check.name} has no negative control"


def test_checks_are_deterministic(results) -> None:
    from proofs_check import Context, run_claim
    for cid in ("s3.thm1", "s3.thm2.1"):
        a = [o.details for _, o, _ in results.claim(cid).outcomes]
        b = [o.details for _, o, _ in run_claim(REGISTRY[cid], Context()).outcomes]
        assert repr(a) == repr(b)


def _claim_modules() -> list[str]:
    import pkgutil
    import proofs_check.claims as pkg
    return sorted(f"{pkg.__name__}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__))


class _Lint(ast.NodeVisitor):
    """Verdicts appear only as declared expectations (Claim/Check arguments); no float literal is compared
    with anything (thresholds live in proofs_check.tolerances)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._declaring = 0

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        declaring = name in ("Claim", "Check", "register")
        self._declaring += declaring
        self.generic_visit(node)
        self._declaring -= declaring

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id == "Verdict" and not self._declaring:
            self.problems.append(f"line {node.lineno}: Verdict.{node.attr} outside a declaration")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in [node.left, *node.comparators]:
            for sub in ast.walk(operand):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, float):
                    self.problems.append(f"line {node.lineno}: float literal {sub.value!r} in a comparison")
        self.generic_visit(node)


@pytest.mark.parametrize("module", _claim_modules())
def test_claim_modules_hold_no_verdict_logic(module: str) -> None:
    lint = _Lint()
    lint.visit(ast.parse(inspect.getsource(sys.modules[module])))
    assert not lint.problems, lint.problems
