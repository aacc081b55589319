"""Claims from other packages: the example plugin in tests/plugin_example (a sixth paper: the descent lemma
and GD's O(1/T) rate on convex L-smooth functions, plus a deliberately false claim) is installed with pip
and found, run and judged by ``python -m proofs_check`` like our own claims."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parent.parent / "plugin_example"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(PLUGIN)], check=True, cwd=build,
                   env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
    assert any(p.name.endswith(".dist-info") for p in target.iterdir())
    return target


def _run(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "proofs_check", *args], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2])


def test_the_installed_plugin_appears_in_the_report(installed: Path, tmp_path: Path) -> None:
    listed = _run(installed, "--list")
    assert listed.returncode == 0, listed.stderr
    assert "gdconvex: Lectures on Convex Optimization" in listed.stdout
    out = _run(installed, "--only", "gdconvex", "--json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in data["claims"]}
    assert verdicts == {"gdconvex.descent_lemma": "tight", "gdconvex.cor2_1_2": "loose", "gdconvex.accelerated": "refuted"}
    assert data["papers"]["gdconvex"]["authors"] == ["Yurii Nesterov"]
    assert "gdconvex: Lectures on Convex Optimization" in out.stdout


def test_without_the_plugin_the_claims_are_absent() -> None:
    out = subprocess.run([sys.executable, "-m", "proofs_check", "--list"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert "gdconvex" not in out.stdout


def test_a_broken_plugin_is_reported_and_fails_the_run(tmp_path: Path) -> None:
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[proofs_check.claims]\nbroken = no_such_module_xyz\n")
    out = _run(tmp_path, "--list")
    assert out.returncode == 1 and "plugin 'broken' failed to load" in out.stderr


def test_the_plugin_claims_negative_controls_flip(installed: Path) -> None:
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from proofs_check import REGISTRY, Context\n"
        "for cid in ('gdconvex.descent_lemma', 'gdconvex.cor2_1_2', 'gdconvex.accelerated'):\n"
        "    for c in REGISTRY[cid].checks:\n"
        "        pos, neg = c.run(Context()).verdict, c.run(Context(), negative=True).verdict\n"
        "        assert pos == c.expected and neg != c.expected and neg.value != 'inconclusive', (cid, c.name, pos, neg)\n"
    ) % str(installed)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
