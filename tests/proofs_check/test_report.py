"""The report: console table, JSON, Markdown with PNG plots, and the CLI exit status."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from proofs_check import REGISTRY, Context, Verdict, run_claim
from proofs_check.__main__ import main
from proofs_check.report import table, to_json, to_markdown


@pytest.fixture(scope="module")
def results():
    return [run_claim(REGISTRY[c], Context()) for c in ("s3.thm1", "s3.thm2.2")]


def test_table_lists_every_claim(results) -> None:
    out = table(results)
    assert "s3.thm1" in out and "erratum" in out and "2/2 claims" in out


def test_json_has_the_required_fields(results, tmp_path: Path) -> None:
    to_json(results, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert {"id", "source", "statement", "verdict", "expected", "seconds", "details"} <= set(data[0])
    assert data[0]["details"][0]["details"]["counterexamples_to_printed"]


def test_markdown_embeds_a_png_per_plot(results, tmp_path: Path) -> None:
    to_markdown(results, tmp_path / "r.md", "python -m proofs_check")
    text = (tmp_path / "r.md").read_text()
    pngs = list((tmp_path / "r_figures").glob("*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    assert all(p.name in text for p in pngs)


def test_cli_only_json_markdown_and_exit_status(tmp_path: Path, capsys) -> None:
    code = main(["--only", "s3.thm3*", "--json", str(tmp_path / "a.json"), "--markdown", str(tmp_path / "a.md")])
    assert code == 0
    assert {d["id"] for d in json.loads((tmp_path / "a.json").read_text())} == {"s3.thm3", "s3.thm3.moreover"}
    assert main(["--only", "no.such.claim"]) == 2


def test_cli_exits_1_when_a_verdict_differs_from_its_expectation(monkeypatch) -> None:
    claim = REGISTRY["s3.sec2.sign_like"]
    monkeypatch.setitem(REGISTRY, claim.id, dataclasses.replace(claim, expected=Verdict.REFUTED))
    assert main(["--only", claim.id]) == 1


def test_module_entry_point_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "proofs_check", "--list"], capture_output=True, text=True, check=True)
    assert "s3.thm4.rate" in out.stdout
