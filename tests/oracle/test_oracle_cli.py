"""``python -m reference.oracle``: the summary first, the table on request, JSON before printing and
atomically, exit 2 with one line for every user error, bounded sizes, a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reference.oracle.__main__ import build_parser, main

def _table_rows(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.split() and ln.split()[0].isdigit()
            and ln.split()[-1] in ("ok", "DIVERGES", "-")]


def _run(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reference.oracle", *argv], capture_output=True, text=True,
                          timeout=300, **kw)


def test_summary_first_no_table_unless_asked(tmp_path) -> None:
    pytest.importorskip("lion_pytorch")
    out = _run("torch:lion_pytorch:Lion", "--as", "lion", "--hp", "lr=1e-3,beta1=0.9,beta2=0.99", "--steps", "12",
               "--json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "verdict: match" and lines[1].startswith("reproduce: python -m reference.oracle")
    assert _table_rows(out.stdout) == []  # no table
    rec = json.loads((tmp_path / "r.json").read_text())
    assert rec["verdict"] == "match" and rec["compared"] == {"exp_avg": "m"}


def test_rows_n_shows_n_rows(capsys) -> None:
    pytest.importorskip("lion_pytorch")
    for n in (1, 3, 15):
        assert main(["torch:lion_pytorch:Lion", "--as", "lion", "--hp", "lr=1e-3", "--rows", str(n)]) == 0
        assert len(_table_rows(capsys.readouterr().out)) == n
    assert main(["torch:lion_pytorch:Lion", "--as", "lion", "--hp", "lr=1e-3", "--rows", "all", "--steps", "30"]) == 0
    assert len(_table_rows(capsys.readouterr().out)) == 30


def test_optax_divergence_exits_1_and_the_table_shows_it(capsys) -> None:
    pytest.importorskip("optax")
    assert main(["optax:optax.adan", "--as", "adan", "--hp", "lr=1e-3", "--impl-kw", "eps_root=0",
                 "--steps", "5", "--rows", "2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("verdict: diverges at step 2\nfirst divergence: stream 'heavy-tailed', step 2, n")
    assert "DIVERGES" in out


def test_ci_mode_runs_every_stream_and_prints_the_summary(capsys) -> None:
    pytest.importorskip("torch")
    assert main(["torch:torch.optim.Adam", "--as", "adam", "--hp", "lr=1e-3", "--ci", "--steps", "20"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "verdict: match" and "--stream all" in out and "tolerance" not in out


def test_object_values_and_cannot_configure(capsys) -> None:
    pytest.importorskip("pytorch_optimizer")
    assert main(["torch:pytorch_optimizer:SAM", "--as", "sam", "--hp", "lr=0.01,rho=0.05", "--impl-kw",
                 "base_optimizer=@torch.optim.SGD", "--dtype", "float32", "--steps", "10"]) == 0
    assert main(["torch:torch.optim.SGD", "--as", "lion", "--hp", "lr=1e-3,beta2=0.5"]) == 1
    assert "cannot configure" in capsys.readouterr().out


def test_groups_and_low_precision_from_the_command_line(capsys) -> None:
    pytest.importorskip("torch")
    argv = ["torch:torch.optim.AdamW", "--as", "adamw", "--hp", "lr=1e-3,weight_decay=0.1", "--group",
            "params=[(4,3),(5,)]", "--group", "params=[(3,)],weight_decay=0", "--steps", "20"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "group 0: [(4, 3), (5,)]; group 1: [(3,)] weight_decay=0" in out
    assert main(argv + ["--dtype", "bfloat16"]) == 1  # torch keeps bfloat16 state: not mixed precision
    assert "keeps exp_avg in bfloat16" in capsys.readouterr().out
    assert main(argv + ["--dtype", "bfloat16", "--state-dtype", "bfloat16"]) == 0
    assert main(["torch:torch.optim.Adam", "--as", "adam", "--shape", "4,3;5", "--steps", "10"]) == 0
    assert "shape" not in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["torch:torch.optim.Adam", "--as", "adam", "--hp", "lr=1e-3,bogus=1"], "unexpected hyperparameter(s) ['bogus']"),
    (["torch:torch.optim.Adam", "--as", "adam", "--stream", "pink"], "invalid choice: 'pink'"),
    (["torch:torch.optim.Adam", "--as", "adam", "--state-map", "exp_avg=mm"], "'mm', which is not a state field"),
    (["torch:torch.optim.Adam", "--as", "adam", "--steps", "1e12"], "--steps: expected an integer in [1, 100000]"),
    (["torch:torch.optim.Adam", "--as", "adam", "--steps", "1000000"], "expected an integer in [1, 100000]"),
    (["torch:torch.optim.Adam", "--as", "adam", "--shape", "1000000000"], "more than 50000000 coordinates"),
    (["torch:torch.optim.Adam", "--as", "adam", "--shape", "100000,100000"], "more than 50000000 coordinates"),
    (["torch:torch.optim.Adam", "--as", "adam", "--shape", "x"], "--shape: expected sizes"),
    (["torch:torch.optim.Adam", "--as", "adam", "--seed", "-1"], "--seed: expected a non-negative integer"),
    (["numpy:no_such_module:f", "--as", "lion"], "cannot load 'no_such_module:f'"),
    (["torch:pytorch_optimizer:SAM", "--as", "sam", "--impl-kw", "base_optimizer=@torch.optim.NoSuch"],
     "cannot load '@torch.optim.NoSuch'"),
    (["torch:pytorch_optimizer:SAM", "--as", "sam", "--impl-kw", "base_optimizer=@no_such_pkg_z.x"],
     "cannot load '@no_such_pkg_z.x'"),
    (["--known", "no.such.case*"], "matches no conformance case"),
    (["torch:torch.optim.Adam", "--as", "adam", "--json", "/"], "is a directory"),
    (["torch:torch.optim.Adam", "--as", "adam", "--json", "/no/such/dir/r.json"], "does not exist"),
    (["torch:torch.optim.Adam", "--as", "adam", "--markdown", "t.md"], "--markdown goes with --known"),
    (["torch:torch.optim.Adam"], "give an implementation spec and --as ALGORITHM"),
    (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["torch:torch.optim.Adam", "--as", "adam", "--rows", "0"], "--rows: expected a positive integer or 'all'"),
    (["torch:torch.optim.Adam", "--as", "adan", "--hp-form", "weird"], "hp_form must be one of"),
    (["torch:torch.optim.Adam", "--as", "adam", "--dtype", "float32", "--state-dtype", "float64"],
     "state_dtype applies to bfloat16/float16"),
])
def test_every_user_error_exits_2_with_one_line(argv, message, capsys) -> None:
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err.count("\n") == 1 and cap.err.startswith("error: ") and message in cap.err, cap.err


def test_help_documents_the_exit_codes(capsys) -> None:
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for code in ("Exit status: 0", "1 a divergence or ``cannot configure``", "2 a usage error"):
        assert code in text
    assert build_parser().prog == "python -m reference.oracle"


def test_json_is_written_before_printing_and_survives_a_closed_pipe(tmp_path) -> None:
    """``| head -1``: the JSON is complete, no BrokenPipe traceback, the verdict's exit status."""
    path = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, "-m", "reference.oracle", "torch:torch.optim.Adam", "--as", "adam",
                             "--hp", "lr=1e-3", "--rows", "all", "--json", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away
    err = proc.stderr.read()
    rc = proc.wait(timeout=300)
    assert first == "verdict: match\n"
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert rc == 0
    assert json.loads(path.read_text())["verdict"] == "match"


def test_json_is_written_atomically(tmp_path, monkeypatch) -> None:
    """A failure while writing leaves the previous file whole and no temporary behind."""
    import reference.oracle.__main__ as cli

    path = tmp_path / "r.json"
    path.write_text('{"previous": true}')
    real_fdopen = os.fdopen

    def broken(fd, *a, **k):
        fh = real_fdopen(fd, *a, **k)

        class Boom:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                fh.close()
                return False

            def write(self, text):
                fh.write(text[:10])
                raise KeyboardInterrupt

        return Boom()

    monkeypatch.setattr(cli.os, "fdopen", broken)
    with pytest.raises(KeyboardInterrupt):
        cli.write_atomic(str(path), json.dumps({"new": list(range(100))}))
    assert json.loads(path.read_text()) == {"previous": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_known_cases_markdown_and_json(tmp_path, capsys) -> None:
    pytest.importorskip("optax")
    assert main(["--known", "optax.nadam*", "--markdown", str(tmp_path / "t.md"), "--json",
                 str(tmp_path / "k.json")]) == 0
    table = (tmp_path / "t.md").read_text()
    assert table.startswith("| library | version |") and table.count("\n| optax |") == 3  # nadam, .constant, nadamw
    recs = json.loads((tmp_path / "k.json").read_text())
    assert [r["case"] for r in recs] == ["optax.nadam", "optax.nadam.constant", "optax.nadamw"]
    assert all(r["verdict"] == r["documented"] for r in recs)
    assert capsys.readouterr().out.startswith("3 cases run, 0 with a verdict other than the documented one")


def test_console_script_is_main() -> None:
    out = _run("--help")
    assert out.returncode == 0 and "Exit status" in out.stdout
