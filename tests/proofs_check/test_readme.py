"""The README's findings tables are generated from the registry (``python -m proofs_check.readme``): this
test fails when they disagree (it compares with the session's own run of every claim)."""

from __future__ import annotations

from pathlib import Path

from proofs_check import REGISTRY
from proofs_check.papers import PAPERS
from proofs_check.readme import findings_table, regions, update

README = Path(__file__).resolve().parents[2] / "README.md"
BUILT_IN = ("s3", "gsignsgd", "adasam", "nsgdm", "adamlinf")


def _ordered(paper: str) -> list[str]:
    return [cid for cid in REGISTRY if cid.split(".", 1)[0] == paper]


def test_every_paper_has_a_generated_findings_table() -> None:
    assert set(regions(README.read_text())) == set(BUILT_IN)
    assert set(BUILT_IN) <= set(PAPERS)


def test_readme_findings_tables_match_the_registry(results) -> None:
    text = README.read_text()
    for paper, body in regions(text).items():
        want = findings_table([results.claim(cid) for cid in _ordered(paper)])
        assert body == want, f"README findings for {paper} are stale: run `python -m proofs_check.readme`"


def test_update_rewrites_only_the_regions(results) -> None:
    text = "intro\n<!-- findings:s3 -->\nold\n<!-- /findings:s3 -->\noutro\n"
    new = update(text, [results.claim("s3.thm1.condition")])
    assert new.startswith("intro\n<!-- findings:s3 -->\n| claim | verdict | finding |") and new.endswith("outro\n")
    assert "`s3.thm1.condition` | verified" in new
