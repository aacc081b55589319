"""A pytest plugin for users' CI: the fixture ``optimizer_oracle``.

Enable it with ``pytest -p reference.oracle.pytest_plugin`` or, in the root ``conftest.py``,
``pytest_plugins = ["reference.oracle.pytest_plugin"]``::

    def test_my_adamw(optimizer_oracle):
        optimizer_oracle.assert_matches(MyAdamW, "adamw", {"lr": 1e-3, "weight_decay": 0.1},
                                        groups=[{"params": [(64, 32), (32,)]},
                                                {"params": [(32,)], "weight_decay": 0.0}])

    @pytest.mark.parametrize("dtype", ["float64", "float32", "bfloat16"])
    def test_my_adamw_dtypes(optimizer_oracle, dtype):
        optimizer_oracle.assert_matches(MyAdamW, "adamw", {"lr": 1e-3}, dtype=dtype)

The fixture's ``assert_matches``, ``compare`` and ``compare_impls`` are :mod:`reference.oracle`'s,
with the session's defaults from the command line: ``--oracle-stream`` (default ``all``, every
stream), ``--oracle-steps``, ``--oracle-seed``.  A failure is an ``AssertionError`` whose message
holds the first divergence and the command or snippet that reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .assertions import ImplComparison, assert_matches, compare_impls
from .compare import compare
from .result import Conformance

__all__ = ["OptimizerOracle", "optimizer_oracle", "pytest_addoption"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("reference.oracle", "optimizer checks against the s3-oracle reference")
    group.addoption("--oracle-stream", default="all", help="gradient stream of optimizer_oracle (default: all)")
    group.addoption("--oracle-steps", type=int, default=None, help="steps per stream (default: the oracle's)")
    group.addoption("--oracle-seed", type=int, default=0, help="stream seed (default 0)")


@dataclass(frozen=True)
class OptimizerOracle:
    """:func:`reference.oracle.assert_matches`, :func:`~reference.oracle.compare` and
    :func:`~reference.oracle.compare_impls` with the session's stream, steps and seed as defaults."""

    stream: str = "all"
    steps: int | None = None
    seed: int = 0

    def _defaults(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("stream", self.stream)
        kwargs.setdefault("seed", self.seed)
        if self.steps is not None:
            kwargs.setdefault("steps", self.steps)
        return kwargs

    def assert_matches(self, impl: Any, algorithm: str, hyperparams: dict[str, Any] | None = None,
                       **kwargs: Any) -> Conformance:
        __tracebackhide__ = True
        return assert_matches(impl, algorithm, hyperparams, **self._defaults(kwargs))

    def compare(self, impl: Any, algorithm: str, hyperparams: dict[str, Any] | None = None,
                **kwargs: Any) -> Conformance:
        return compare(impl, algorithm, hyperparams, **self._defaults(kwargs))

    def compare_impls(self, a: Any, b: Any, algorithm: str, hyperparams: dict[str, Any] | None = None,
                      **kwargs: Any) -> ImplComparison:
        return compare_impls(a, b, algorithm, hyperparams, **self._defaults(kwargs))


@pytest.fixture
def optimizer_oracle(request: pytest.FixtureRequest) -> OptimizerOracle:
    """The oracle with this session's defaults (``--oracle-stream``, ``--oracle-steps``, ``--oracle-seed``)."""
    cfg = request.config
    return OptimizerOracle(cfg.getoption("oracle_stream"), cfg.getoption("oracle_steps"), cfg.getoption("oracle_seed"))
