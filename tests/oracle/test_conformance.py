"""Conformance of real third-party optimizers (reference.oracle.conformance.CASES).

Each case asserts the verdict that was found and documented (a divergence is a result, with its
cause read from the library's source), the quantity where it first shows, and, for a match, that
the errors stay within the tolerance.  The README's table is generated from these cases: a test
fails when it is stale.  Cases skip when their library (the ``oracle`` extra) is missing -- except
in CI, where the extra must be installed (``make test`` installs it).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import pytest

from reference.oracle.conformance import CASES, LIBRARIES, Outcome, markdown_table, run_case, update_readme

EXTRA = ("pytorch_optimizer", "lion_pytorch", "optax", "jax", "torch", "keras", "torchopt", "heavyball", "adam_mini",
         "timm")
README = Path(__file__).resolve().parents[2] / "README.md"


@functools.lru_cache(maxsize=None)
def outcome(case_id: str) -> Outcome:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return run_case(next(c for c in CASES if c.id == case_id))


def test_the_oracle_extra_is_installed_in_ci() -> None:
    if not os.environ.get("CI"):
        pytest.skip("outside CI the oracle extra is optional")
    for mod in EXTRA:
        assert importlib.util.find_spec(mod) is not None, mod


def test_cases_cover_the_libraries_and_algorithms() -> None:
    assert {c.library for c in CASES} == set(LIBRARIES)
    algorithms = {c.algorithm for c in CASES}
    assert {"lion", "adan", "sam", "nadam", "amsgrad", "rmsprop", "adam", "adamw", "signsgd", "signum", "sgdm",
            "adasgd"} <= algorithms
    assert len({c.id for c in CASES}) == len(CASES)
    for c in CASES:
        assert (c.expected == "match") or (c.cause and c.quantity), f"{c.id}: a divergence needs its cause"
    # every library has a case in float64 and the table shows groups, low precision and several streams
    assert any(c.groups for c in CASES) and any(c.dtype == "bfloat16" for c in CASES)
    assert {"zeros", "tiny", "long", "sign-flips"} <= {c.stream for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_documented_verdict(case) -> None:
    for mod in case.requires or (case.library.replace("-", "_"),):
        if importlib.util.find_spec(mod) is None:
            pytest.skip(f"{mod} not installed")
    res = outcome(case.id).result
    assert res is not None and outcome(case.id).version
    assert res.verdict == case.expected, f"{case.id}: {res}\n{case.cause}"
    if case.expected == "match":
        assert res.max_ratio <= 1.0
    else:
        assert res.divergence is not None and res.divergence.quantity == case.quantity, res


def test_the_readme_table_is_generated_from_the_cases() -> None:
    """``python -m reference.oracle.conformance --readme README.md`` writes it; stale means failing."""
    outcomes = [outcome(c.id) for c in CASES]
    if any(o.result is None for o in outcomes):
        pytest.skip("some libraries of the oracle extra are missing")
    text = README.read_text()
    assert update_readme(text, outcomes) == text, (
        "README.md's conformance table is stale: run python -m reference.oracle.conformance --readme README.md")
    table = markdown_table(outcomes)
    assert table.count("\n") == len(CASES) + 1


def test_update_readme_needs_its_markers() -> None:
    with pytest.raises(ValueError, match="no conformance table markers"):
        update_readme("no table here", [])
