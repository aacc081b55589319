"""``python -m reference.oracle``: one run as a subprocess (as a user runs it), the rest in process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reference.oracle.__main__ import main


def test_torch_match_exits_0_and_prints_the_table(tmp_path) -> None:
    pytest.importorskip("lion_pytorch")
    out = subprocess.run([sys.executable, "-m", "reference.oracle", "torch:lion_pytorch:Lion", "--as", "lion",
                          "--hp", "lr=1e-3,beta1=0.9,beta2=0.99", "--steps", "12", "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "verdict: match" in out.stdout
    lines = [ln for ln in out.stdout.splitlines() if ln.split() and ln.split()[0].isdigit() and ln.endswith("ok")]
    assert len(lines) == 12 and lines[-1].split()[0] == "12"
    rec = json.loads((tmp_path / "r.json").read_text())
    assert rec["verdict"] == "match" and rec["compared"] == {"exp_avg": "m"}


def test_optax_divergence_exits_1(capsys) -> None:
    pytest.importorskip("optax")
    assert main(["optax:optax.adan", "--as", "adan", "--hp", "lr=1e-3", "--impl-kw", "eps_root=0",
                 "--steps", "5"]) == 1
    out = capsys.readouterr().out
    assert "verdict: diverges at step 2" in out and "DIVERGES" in out


def test_object_values_and_cannot_configure(capsys) -> None:
    pytest.importorskip("pytorch_optimizer")
    assert main(["torch:pytorch_optimizer:SAM", "--as", "sam", "--hp", "lr=0.01,rho=0.05", "--impl-kw",
                 "base_optimizer=@torch.optim.SGD", "--dtype", "float32", "--steps", "10"]) == 0
    assert main(["torch:torch.optim.SGD", "--as", "lion", "--hp", "lr=1e-3,beta2=0.5"]) == 1
    assert "cannot configure" in capsys.readouterr().out


def test_bad_input_exits_2(capsys) -> None:
    assert main(["torch:torch.optim.Adam", "--as", "adam", "--hp", "lr=1e-3,bogus=1"]) == 2
    assert "unexpected hyperparameter(s) ['bogus']" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["torch:torch.optim.Adam", "--as", "adam", "--stream", "pink"])
    assert info.value.code == 2


def test_known_cases_and_markdown(tmp_path, capsys) -> None:
    pytest.importorskip("optax")
    assert main(["--known", "optax.nadam*", "--markdown", str(tmp_path / "t.md"), "--json", str(tmp_path / "k.json")]) == 0
    table = (tmp_path / "t.md").read_text()
    assert table.startswith("| library | version |") and table.count("\n| optax |") == 3  # nadam, .constant, nadamw
    recs = json.loads((tmp_path / "k.json").read_text())
    assert [r["case"] for r in recs] == ["optax.nadam", "optax.nadam.constant", "optax.nadamw"]
    assert all(r["verdict"] == r["documented"] for r in recs)
