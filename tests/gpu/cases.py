"""The parity cases: every gpu optimizer in the configurations its class declares
(``ReferenceOptimizer.examples``: reference hyperparameters plus torch options), read from
``gpu.OPTIMIZERS`` (the registry), so that a new optimizer is swept without editing this file.

Learning rates keep ``lr * T * max|d| <= max|x|`` over the harness's 100-150 steps
(``gpu.tolerances``: error propagation through ``x - lr d``).
"""

from __future__ import annotations

from typing import Any

import gpu
from harness import Group, x_dependent

SHAPES = [(4, 3), (7,), (2, 2, 2)]
TORCH_OPTIONS = ("norm_scope", "blocks", "maximize")


def group_of(example: dict[str, Any]) -> Group:
    """A :class:`harness.Group` over :data:`SHAPES` from a class's example (hyperparameters + options)."""
    hp = {k: v for k, v in example.items() if k not in TORCH_OPTIONS}
    opts = {k: v for k, v in example.items() if k in TORCH_OPTIONS}
    return Group(SHAPES, hp, **opts)


def cases() -> dict[str, tuple[str, list[Group]]]:
    """case id -> (algorithm, groups), for every optimizer of ``gpu.OPTIMIZERS`` and every example."""
    out: dict[str, tuple[str, list[Group]]] = {}
    for name, cls in gpu.OPTIMIZERS.items():
        if not cls.examples:
            raise AssertionError(f"gpu optimizer {cls.__name__} declares no parity examples")
        for cid, example in cls.examples.items():
            out[cid] = (name, [group_of(example)])
    return out


CASES = cases()

STREAM = [k for k, (a, groups) in CASES.items() if not x_dependent(a, groups[0].hp)]
"""Cases whose gradients do not depend on x."""
