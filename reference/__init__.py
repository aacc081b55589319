"""s3-oracle reference: pure-NumPy implementations of every algorithm of the five papers.

One functional API (see :mod:`reference.algorithm`)::

    alg = reference.s3(lr=1e-3)          # validated hyperparameters, paper defaults
    state = alg.init(x0)                 # NamedTuple: paper's buffers, t, direction
    x, state = alg.step(x, state, oracle)

Every algorithm is declared once, in its module (:mod:`reference.declaration`), and found by
:mod:`reference.registry`: ``ALGORITHMS`` and the factories ``reference.s3``, ``reference.adam``,
... come from the registry.  ``reference.replay`` drives an algorithm with a given gradient
sequence and ``reference.run`` runs it on a problem of :mod:`reference.problems`.
``reference.oracle.compare`` checks a third-party implementation against these step by step,
with the tolerances of ``reference.tolerances``.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ._version import __version__
from .algorithm import Algorithm, GradientOracle, Oracle, ratio
from .hessian import hessian_11_norm
from .hyperparams import SPECS, defaults, resolve
from ._factories import *  # noqa: F403  (reference.s3, reference.adam, ...: every registered factory)
from .registry import REGISTRY
from .replay import Trace, replay
from .runner import RunRecord, run


class _Factories(Mapping[str, Callable[..., Algorithm]]):
    """Every factory by name (the keys of ``hyperparams.SPECS``), read from the registry."""

    def __getitem__(self, name: str) -> Callable[..., Algorithm]:
        return REGISTRY[name].factory

    def __iter__(self) -> Iterator[str]:
        return iter(REGISTRY)

    def __len__(self) -> int:
        return len(REGISTRY)


ALGORITHMS: Mapping[str, Callable[..., Algorithm]] = _Factories()
"""Every factory by name (the keys of ``hyperparams.SPECS``)."""

from . import oracle, tolerances  # noqa: E402

_factories: list[Any] = list(REGISTRY)

__all__ = [
    "__version__", "oracle", "tolerances",
    "Algorithm", "GradientOracle", "Oracle", "ratio", "Trace", "RunRecord", "replay", "run", "hessian_11_norm",
    "SPECS", "defaults", "resolve", "ALGORITHMS", *_factories,
]
