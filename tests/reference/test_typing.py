"""Static signatures: mypy checks a call ``reference.s3(lr=...)`` against S3's typed hyperparameters.

The factories' signatures come from the typed ``Hyperparams`` classes (a ``dataclass_transform``)
through ``ParamSpec``, and ``reference/_factories.pyi`` re-exports them by name (test_declarations keeps
it in sync).  Negative controls: a wrong type, an unknown keyword and None for a float are errors;
the good calls are not.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy")

SNIPPET = '''
import reference

good = reference.s3(lr=1e-3, beta=0.9, beta2=None, nesterov=False)
also = reference.blockwise_adam(lr=lambda t: 1.0 / t, blocks=[0, 1, 1])
bad_type = reference.s3(lr="fast")  # line 6
bad_name = reference.s3(lrr=1e-3)  # line 7
bad_none = reference.adam(beta1=None)  # line 8
reveal_type(reference.s3)  # line 9
'''


def test_factories_are_checked_statically(tmp_path: Path) -> None:
    src = tmp_path / "calls.py"
    src.write_text(textwrap.dedent(SNIPPET))
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary", "--cache-dir",
         str(tmp_path / ".mypy_cache"), str(src)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    lines = out.stdout.splitlines()
    errors = {int(line.split(":")[1]) for line in lines if ": error:" in line}
    assert errors == {6, 7, 8}, out.stdout + out.stderr
    reveal = next(line for line in lines if ":9: note: Revealed type" in line)
    for param in ("lr: float | (def (int) -> float) =", "beta: float =", "p: float =", "beta2: float | None =",
                  "nesterov: bool =", "-> reference.algorithm.Algorithm"):
        assert param in reveal, reveal
