"""For users' CI: assert_matches (every stream by default, an AssertionError with the first divergence
and the reproducer), compare_impls (two implementations against each other and the reference) and the
pytest plugin's fixture."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reference.oracle import ALL, assert_matches, compare_impls, torch_impl  # noqa: E402


def lion_step(b1: float = 0.9):
    def step(x, g, state):
        m = np.zeros_like(x) if state is None else state["exp_avg"]
        c = b1 * m + (1 - b1) * g
        return x - 1e-3 * np.sign(c), {"exp_avg": 0.99 * m + 0.01 * g}
    return step


def test_assert_matches_returns_the_record_and_runs_every_stream() -> None:
    res = assert_matches(torch.optim.AdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1},
                         groups=[{"params": [(3, 4), (5,)]}, {"params": [(2,)], "weight_decay": 0.0}])
    assert res.matches and res.stream == ALL and len(res.streams) == 7


def test_assert_matches_message() -> None:
    with pytest.raises(AssertionError) as info:
        assert_matches(lion_step(b1=0.5), "lion", {"lr": 1e-3})
    text = str(info.value)
    assert text.startswith("test_oracle_assertions.lion_step.<locals>.step does not match reference.lion: ")
    assert "verdict: diverges at step 6 (stream 'heavy-tailed')" in text  # the first sign the betas change
    assert "first divergence: stream 'heavy-tailed', step 6, update" in text
    assert "reproduce: from reference.oracle import compare; print(compare(" in text
    with pytest.raises(ValueError, match="unknown algorithm"):
        assert_matches(lion_step(), "lionn", {})
    with pytest.raises(AssertionError, match="cannot configure: a NumPy step function takes no impl_kwargs"):
        assert_matches(lion_step(), "lion", {}, impl_kwargs={"x": 1})


def test_compare_impls_fused_and_foreach_agree() -> None:
    a = torch_impl(lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=True), label="foreach")
    b = torch_impl(lambda ps: torch.optim.Adam(ps, lr=1e-3, fused=True), label="fused")
    out = compare_impls(a, b, "adam", {"lr": 1e-3}, dtype="float32")
    assert out.matches and out.agree and out.verdict in ("agree", "identical")
    assert "a vs b:" in str(out)
    same = compare_impls(a, a, "adam", {"lr": 1e-3}, stream="heavy-tailed")
    assert same.verdict == "identical" and same.max_difference == {"update": 0.0, "m": 0.0, "v": 0.0}


def test_two_implementations_can_agree_with_each_other_and_not_with_the_paper() -> None:
    out = compare_impls(lion_step(b1=0.5), lion_step(b1=0.5), "lion", {"lr": 1e-3}, stream="heavy-tailed")
    assert out.agree and not out.matches and not out.a.matches and not out.b.matches


def test_compare_impls_finds_where_they_differ() -> None:
    out = compare_impls(lion_step(), lion_step(b1=0.5), "lion", {"lr": 1e-3}, stream="heavy-tailed")
    assert out.verdict == "differ at step 6 (stream 'heavy-tailed')"
    assert out.disagreement.quantity == "update" and out.a.matches and not out.b.matches


def test_the_pytest_plugin(tmp_path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent('''
        import numpy as np
        import torch

        def test_good(optimizer_oracle):
            optimizer_oracle.assert_matches(torch.optim.Adam, "adam", {"lr": 1e-3})

        def test_bad(optimizer_oracle):
            def step(x, g, state):
                return x - 2e-3 * np.sign(g), state
            optimizer_oracle.assert_matches(step, "signsgd", {"lr": 1e-3})
    '''))
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "reference.oracle.pytest_plugin",
                          "-p", "no:cacheprovider", "--oracle-steps", "20", str(tmp_path / "test_user.py")],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.returncode == 1, out.stdout + out.stderr
    assert "1 failed, 1 passed" in out.stdout
    assert "verdict: diverges at step 1 (stream 'heavy-tailed')" in out.stdout
    assert "steps=20" in out.stdout  # the session's default reached compare()
