"""The report: console table grouped by paper, JSON with run metadata, Markdown with PNG plots, and the CLI
(exit statuses, argument validation before any claim runs, atomic writes, safe when piped to head)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from proofs_check import REGISTRY, Context, Verdict
from proofs_check.__main__ import main
from proofs_check.report import atomic_write, run_metadata, table, to_json, to_markdown


@pytest.fixture(scope="module")
def some(results):
    return [results.claim(c) for c in ("s3.thm1", "s3.thm1.limit", "s3.sec5_5")]


def test_table_is_grouped_by_paper_fitted_to_the_width_and_wraps(some) -> None:
    out = table(some, width=80)
    assert "s3: SoftSignSGD" in out and "3/3 claims" in out and "erratum" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out  # wrapped, never cut
    wide = table(some, width=200)
    assert len(wide.splitlines()) < len(out.splitlines())


def test_json_has_metadata_papers_numbers_and_rerun_commands(some, tmp_path: Path) -> None:
    meta = run_metadata(Context(seed=5), ["--seed", "5"])
    to_json(some, tmp_path / "r.json", meta)
    data = json.loads((tmp_path / "r.json").read_text())
    assert {"version", "git_commit", "seed", "profile", "python", "numpy", "scipy", "sympy", "date"} <= set(data["meta"])
    assert data["papers"]["s3"]["arxiv"] == "2507.06464"
    c = {d["id"]: d for d in data["claims"]}
    assert c["s3.thm1"]["command"].startswith("python -m proofs_check --only 's3.thm1' --seed")
    tight = c["s3.sec5_5"]
    assert isinstance(tight["stated_value"], float) and isinstance(tight["measured_value"], float)
    assert c["s3.thm1"]["checks"][0]["details"]["counterexamples_to_printed"]
    assert all(ch["negative_control"] for d in data["claims"] for ch in d["checks"])


def test_markdown_embeds_a_png_per_plot(some, tmp_path: Path) -> None:
    to_markdown(some, tmp_path / "r.md", "python -m proofs_check", {"seed": 1})
    text = (tmp_path / "r.md").read_text()
    pngs = list((tmp_path / "r_figures").glob("*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    assert all(p.name in text for p in pngs)
    assert "arXiv:2507.06464" in text and "Re-run:" in text


def test_atomic_write_leaves_the_previous_report_when_interrupted(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "r.json"
    path.write_text("previous")

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "new")
    assert path.read_text() == "previous" and list(tmp_path.iterdir()) == [path]


def test_cli_only_json_markdown_and_exit_status(tmp_path: Path) -> None:
    code = main(["--only", "s3.thm1.c*", "--json", str(tmp_path / "a.json"), "--markdown", str(tmp_path / "a.md")])
    assert code == 0
    assert {d["id"] for d in json.loads((tmp_path / "a.json").read_text())["claims"]} == {"s3.thm1.condition"}


@pytest.mark.parametrize("argv,message", [
    (["--only", "no.such.claim"], "no claim matches"),
    (["--seed", "-1"], "invalid seed"),
    (["--seed", "x"], "invalid seed"),
    (["--json", "{tmp}"], "is a directory"),
    (["--markdown", "/proc/forbidden/r.md"], "cannot create"),
])
def test_cli_usage_errors_exit_2_with_one_line_before_running(argv, message, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([a.format(tmp=tmp_path) for a in argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_cli_exits_1_when_a_verdict_differs_from_its_expectation(monkeypatch) -> None:
    claim = REGISTRY["s3.thm1.condition"]
    monkeypatch.setitem(REGISTRY, claim.id, dataclasses.replace(claim, expected=Verdict.REFUTED))
    assert main(["--only", claim.id]) == 1


def test_help_documents_the_exit_codes(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "usage error" in out


def test_module_entry_point_lists_by_paper_and_survives_head() -> None:
    out = subprocess.run([sys.executable, "-m", "proofs_check", "--list"], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0].startswith("s3: ") and "s3.thm4.rate" in out.stdout
    piped = subprocess.run(f"{sys.executable} -m proofs_check --only s3.thm1.condition | head -1", shell=True,
                           capture_output=True, text=True)
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr
