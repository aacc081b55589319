"""The parameters of a comparison as in training: tensors of several shapes in param groups.

A :class:`Layout` lists the tensors ``p0, p1, ...`` (group by group, in order) with their shapes
and offsets in the flat vector of ``d`` coordinates that the gradient stream covers, and the
groups with their hyperparameters (the common ones, overridden per group).  The reference runs on
*runs*, contiguous slices of that vector (:meth:`Layout.runs`): one per group for elementwise
methods, and for norm-based methods one per tensor, per group or one for everything, the scope of
the norm (``'tensor'``, ``'group'``, ``'global'``; the declaration's ``Conventions.norm_scope`` by
default).

``compare(shape=(7,))``: one tensor; ``shape=[(3, 4), (5,)]``: two tensors in one group;
``groups=[{"params": [(3, 4)], "lr": 1e-2}, {"params": [(5,)], "weight_decay": 0.0}]``: two groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..declaration import NORM_SCOPES

__all__ = ["TensorSpec", "Group", "Run", "Layout", "make_layout", "MAX_PARAMETERS", "parse_shape"]

MAX_PARAMETERS = 50_000_000
"""The largest number of coordinates a comparison accepts (both sides hold several float64
copies of them)."""


@dataclass(frozen=True)
class TensorSpec:
    """One parameter tensor: its name (``p0``...), shape, group and slice of the flat vector."""

    name: str
    shape: tuple[int, ...]
    group: int
    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class Group:
    """A param group: its tensors (indices into ``Layout.tensors``) and the hyperparameters given
    for it (the common ones updated with the group's own)."""

    index: int
    tensors: tuple[int, ...]
    given: Mapping[str, Any]
    own: Mapping[str, Any]


@dataclass(frozen=True)
class Run:
    """A contiguous slice ``lo:hi`` of the flat vector that the reference steps as one vector,
    its tensors and the group whose hyperparameters it takes."""

    lo: int
    hi: int
    tensors: tuple[int, ...]
    group: int


def parse_shape(shape: Any, what: str = "shape") -> tuple[int, ...]:
    """One tensor shape: an int or a sequence of positive ints."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not shape or \
            not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape):
        raise ValueError(f"{what} must be a positive int or a non-empty tuple of positive ints, got {shape!r}")
    out = tuple(int(s) for s in shape)
    if any(s < 1 for s in out):
        raise ValueError(f"{what} must be a positive int or a non-empty tuple of positive ints, got {shape!r}")
    return out


def _shapes(value: Any, what: str) -> list[tuple[int, ...]]:
    """A shape, or a list of shapes (``[(3, 4), (5,)]``)."""
    if isinstance(value, list) and value and all(isinstance(s, (tuple, list, int)) and not isinstance(s, bool)
                                                 for s in value) and any(isinstance(s, (tuple, list)) for s in value):
        return [parse_shape(s, what) for s in value]
    return [parse_shape(value, what)]


@dataclass(frozen=True)
class Layout:
    """Tensors and groups (see the module docstring)."""

    tensors: tuple[TensorSpec, ...]
    groups: tuple[Group, ...]

    @property
    def d(self) -> int:
        return self.tensors[-1].hi

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        return [t.shape for t in self.tensors]

    @property
    def single(self) -> bool:
        """One tensor in one group (the implementation gets plain arrays, not lists)."""
        return len(self.tensors) == 1

    def describe(self) -> str:
        if self.single:
            return f"shape {self.tensors[0].shape}"
        parts = []
        for g in self.groups:
            shapes = ", ".join(str(self.tensors[i].shape) for i in g.tensors)
            own = ", ".join(f"{k}={v!r}" for k, v in g.own.items())
            parts.append(f"group {g.index}: [{shapes}]" + (f" {own}" if own else ""))
        return "; ".join(parts)

    def runs(self, scope: str) -> list[Run]:
        """The reference runs for a reduction over ``scope`` (``'none'`` for elementwise methods:
        one run per group)."""
        if scope == "tensor":
            return [Run(t.lo, t.hi, (i,), t.group) for i, t in enumerate(self.tensors)]
        if scope in ("group", "none", "block"):
            return [Run(self.tensors[g.tensors[0]].lo, self.tensors[g.tensors[-1]].hi, g.tensors, g.index)
                    for g in self.groups]
        if scope == "global":
            return [Run(0, self.d, tuple(range(len(self.tensors))), 0)]
        raise ValueError(f"norm_scope must be one of {NORM_SCOPES}, got {scope!r}")


def make_layout(shape: Any, groups: Sequence[Mapping[str, Any]] | None, hyperparams: Mapping[str, Any]) -> Layout:
    """The :class:`Layout` of ``shape`` (one group) or ``groups`` (each a mapping with ``params``:
    a shape or a list of shapes, and hyperparameters that override ``hyperparams``)."""
    specs: list[tuple[list[tuple[int, ...]], dict[str, Any]]]
    if groups is None:
        specs = [(_shapes(shape, "shape"), {})]
    else:
        if shape is not None:
            raise ValueError("give either shape or groups (each group's 'params' holds its shapes), not both")
        if not isinstance(groups, (list, tuple)) or not groups:
            raise ValueError(f"groups must be a non-empty list of mappings with 'params', got {groups!r}")
        specs = []
        for i, g in enumerate(groups):
            if not isinstance(g, Mapping) or "params" not in g:
                raise ValueError(f"groups[{i}] must be a mapping with 'params' (a shape or a list of shapes), "
                                 f"got {g!r}")
            own = {k: v for k, v in g.items() if k != "params"}
            specs.append((_shapes(g["params"], f"groups[{i}]['params']"), own))
    tensors: list[TensorSpec] = []
    out_groups: list[Group] = []
    lo = 0
    for gi, (shapes, own) in enumerate(specs):
        idx = []
        for shape_ in shapes:
            size = int(np.prod(shape_))
            tensors.append(TensorSpec(f"p{len(tensors)}", shape_, gi, lo, lo + size))
            idx.append(len(tensors) - 1)
            lo += size
        out_groups.append(Group(gi, tuple(idx), {**hyperparams, **own}, dict(own)))
    if lo > MAX_PARAMETERS:
        raise ValueError(f"the parameters have {lo} coordinates; at most {MAX_PARAMETERS} are compared "
                         "(a model of that size checks nothing a smaller one does not)")
    return Layout(tuple(tensors), tuple(out_groups))
