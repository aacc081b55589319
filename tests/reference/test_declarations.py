"""One declaration per algorithm (reference.declaration, reference.registry).

* Each algorithm's name is a string literal in at most two library files, its reference module
  and its torch module (``reference/`` and ``gpu/``; the documented third-party conformance cases
  of ``reference/oracle/conformance.py`` aside): every other consumer reads the registry.
* Registering a new declaration reaches every sweep without an edit: a toy algorithm registered
  in a temporary registry appears in ``reference.ALGORITHMS``, ``SPECS``, the test sweeps of
  tests/reference, the derived rounding count and ``reference.oracle``; then it is gone.
* The rounding count K is derived from the update (reference.counting): one more operation in a
  toy update raises it (negative control).
"""

from __future__ import annotations

import ast
import pathlib
from typing import Any, NamedTuple

import numpy as np
import pytest

import _cases
import reference as R
from reference import counting, registry, tolerances
from reference.declaration import Declaration, Example, Step
from reference.hyperparams import SPECS, UNIT, Hyperparams, LearningRate, learning_rate, param

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRARY = ("reference", "gpu")
EXEMPT = {"reference/oracle/conformance.py"}  # third-party conformance cases, documented per case


def literal_files(root: pathlib.Path, names: set[str]) -> dict[str, set[str]]:
    """name -> the library files (relative paths) in which it occurs as a string literal
    (an ``ast.Constant`` equal to the name; docstrings are text, not literals of the name)."""
    found: dict[str, set[str]] = {n: set() for n in names}
    for package in LIBRARY:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel in EXEMPT:
                continue
            for node in ast.walk(ast.parse(path.read_text(), rel)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                    found[node.value].add(rel)
    return found


def _module_file(module: str) -> str:
    return module.replace(".", "/") + ".py"


def test_each_name_is_a_literal_in_its_reference_and_torch_modules_only() -> None:
    found = literal_files(ROOT, set(R.ALGORITHMS))
    for name, files in found.items():
        decl = registry.get(name)
        allowed = {_module_file(decl.update.__module__)}
        if decl.torch is not None:
            allowed.add(_module_file(decl.torch.partition(":")[0]))
        assert files <= allowed and len(files) <= 2, (name, sorted(files))


def test_negative_control_a_third_file_is_found(tmp_path: pathlib.Path) -> None:
    for package in LIBRARY:
        (tmp_path / package).mkdir()
    (tmp_path / "reference" / "mine.py").write_text('NAME = "toy"\n"""Docstring naming "toy" is text."""\n')
    (tmp_path / "gpu" / "other.py").write_text('if name == "toy":\n    pass\n')
    (tmp_path / "gpu" / "third.py").write_text('OPTIMIZERS = {"toy": None}\n')
    assert literal_files(tmp_path, {"toy"})["toy"] == {"reference/mine.py", "gpu/other.py", "gpu/third.py"}


# --------------------------------------------------------------------------- a toy declaration


class ToyState(NamedTuple):
    t: int
    m: np.ndarray
    direction: np.ndarray


class ToyParams(Hyperparams):
    lr: LearningRate = param(check=learning_rate, doc="learning rate")
    beta: float = param(default=0.5, check=UNIT, doc="momentum coefficient beta in [0, 1)")


def _toy_init(x: np.ndarray, hp: ToyParams) -> ToyState:
    z = np.zeros_like(x)
    return ToyState(0, z, z.copy())


def _toy_update(g: np.ndarray, state: ToyState, hp: ToyParams, step: Step) -> ToyState:
    m = hp.beta * state.m + (1.0 - hp.beta) * g  # 3 roundings; x - lr m: 3 + 2 + 1 = 6
    return ToyState(step.t, m, m)


def _toy(name: str = "toy_momentum", update: Any = _toy_update) -> Declaration[Any, Any]:
    return Declaration(name=name, hyperparams=ToyParams, state=ToyState, init=_toy_init, update=update,
                       doc="A toy EMA-momentum SGD.", examples=(Example(name, {"lr": 0.1}),
                                                                Example(f"{name}_beta0", {"lr": 0.1, "beta": 0.0})))


def test_a_registered_toy_reaches_every_sweep_then_leaves() -> None:
    toy = _toy()
    assert "toy_momentum" not in R.ALGORITHMS
    with registry.temporarily(toy):
        assert "toy_momentum" in R.ALGORITHMS and list(SPECS["toy_momentum"]) == ["lr", "beta"]
        alg = R.ALGORITHMS["toy_momentum"](lr=0.1)
        tr = R.replay(alg, np.ones((3, 2)))
        assert np.allclose(tr.x[-1], -0.1 * (0.5 + 0.75 + 0.875))
        with pytest.raises(ValueError, match=r"toy_momentum: beta must be a finite number in \[0, 1\)"):
            R.ALGORITHMS["toy_momentum"](lr=0.1, beta=1.0)
        # tests/reference sweeps (CASES, REQUIRED_KWARGS) and test_hyperparams' parameters
        assert {("toy_momentum", "toy_momentum"), ("toy_momentum_beta0", "toy_momentum")} <= \
            {(c[0], c[1]) for c in _cases.cases()}
        assert _cases.required_kwargs()["toy_momentum"] == {"lr": 0.1}
        assert _cases.scope("toy_momentum") == "coordinate" and not _cases.sign_of_gradient("toy_momentum")
        # the derived rounding count and the oracle's tolerance
        assert "toy_momentum" in tolerances.ROUNDINGS and tolerances.roundings("toy_momentum") == 6
        from reference.oracle import compare, numpy_impl

        def step(x: np.ndarray, g: np.ndarray, state: Any) -> tuple[np.ndarray, Any]:
            m = np.zeros_like(x) if state is None else state["m"]
            m = 0.5 * m + 0.5 * g
            return x - 0.1 * m, {"m": m}

        res = compare(numpy_impl(step), "toy_momentum", {"lr": 0.1}, steps=20)
        assert res.verdict == "match" and res.compared == {"m": "m"}
        assert "K(toy_momentum, n=1) = 6" in res.tolerance_source
    assert "toy_momentum" not in R.ALGORITHMS and "toy_momentum" not in SPECS
    assert "toy_momentum" not in {c[1] for c in _cases.cases()}


def test_k_counts_the_update_negative_control() -> None:
    """One more product by a coefficient in the update raises K by two (R1 its rounding, R2 the
    coefficient's), and a reduction over the run adds n - 1 (R6)."""
    def longer(g: np.ndarray, state: ToyState, hp: ToyParams, step: Step) -> ToyState:
        m = hp.beta * state.m + (1.0 - hp.beta) * (g * 0.75)
        return ToyState(step.t, m, m)

    def reduced(g: np.ndarray, state: ToyState, hp: ToyParams, step: Step) -> ToyState:
        m = hp.beta * state.m + (1.0 - hp.beta) * g
        return ToyState(step.t, m, m / np.sqrt(np.add.reduce(m * m, axis=-1, keepdims=True)))

    assert counting.derive(_toy("toy_a"), 1) == 6
    assert counting.derive(_toy("toy_b", longer), 1) == 8
    # m 3; m^2 7; sum 7 + (n - 1); sqrt ceil(./2) + 2; d = m / norm: 3 + sqrt + 1; x: d + 3
    assert [counting.derive(_toy("toy_c", reduced), n) for n in (1, 10)] == [3 + 6 + 1 + 3, 3 + 10 + 1 + 3]


def test_registry_refuses_incomplete_or_duplicate_declarations() -> None:
    class NoDirection(NamedTuple):
        t: int
        m: np.ndarray

    with pytest.raises(ValueError, match="must start with 't' and end with 'direction'"):
        registry.register(Declaration(name="bad", hyperparams=ToyParams, state=NoDirection, init=_toy_init,
                                      update=_toy_update))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(_toy("s3"))
    with pytest.raises(ValueError, match="unknown hyperparameters"):
        registry.register(Declaration(name="bad2", hyperparams=ToyParams, state=ToyState, init=_toy_init,
                                      update=_toy_update, examples=(Example("x", {"gamma": 1.0}),)))
    assert "bad" not in registry.REGISTRY and "bad2" not in registry.REGISTRY


def test_every_declaration_is_complete() -> None:
    """Each declaration documents its update, names its examples and (if any) its torch class."""
    for decl in registry.declarations():
        assert decl.doc and decl.examples, decl.name
        assert R.ALGORITHMS[decl.name].__doc__.startswith(decl.doc.rstrip()), decl.name
        assert decl.torch is None or ":" in decl.torch, decl.name
        assert decl.scope in ("coordinate", "run", "block") and decl.reduction in ("none", "run", "block")
        assert decl.sign_of is None or decl.sign_based, decl.name


def test_typing_stubs_are_in_sync_with_the_registry() -> None:
    """``reference/_factories.pyi`` and ``gpu/_optimizers.pyi`` list every registered factory and torch
    class (``python -m reference._stubs --write`` regenerates them)."""
    from reference._stubs import STUBS, stubs

    for rel, package in STUBS.items():
        assert (ROOT / rel).read_text() == stubs(package), f"{rel} is stale: python -m reference._stubs --write"
    assert (ROOT / "reference" / "py.typed").exists() and (ROOT / "gpu" / "py.typed").exists()
