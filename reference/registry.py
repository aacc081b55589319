"""The registry of algorithm declarations (:class:`reference.declaration.Declaration`).

An algorithm module registers its declarations when it is imported (:func:`register`);
:func:`load` imports every module of the ``reference`` package, so that a new module
``reference/<name>.py`` is found without being listed anywhere.  Every consumer reads the
registry: ``reference.ALGORITHMS``, ``hyperparams.SPECS``, ``reference.tolerances``,
``reference.oracle``, ``gpu`` and the test sweeps.

:func:`temporarily` registers a declaration for the duration of a ``with`` block (tests).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

from .declaration import Declaration

__all__ = ["REGISTRY", "register", "get", "load", "temporarily", "declarations"]

_DECLARATIONS: dict[str, Declaration[Any, Any]] = {}

REGISTRY: Mapping[str, Declaration[Any, Any]] = MappingProxyType(_DECLARATIONS)
"""Every registered declaration by name, in registration order (read-only, live)."""

D = TypeVar("D", bound=Declaration[Any, Any])


def register(decl: D) -> D:
    """Add ``decl`` to the registry (a name is registered once) and return it."""
    if not decl.name.isidentifier():
        raise ValueError(f"algorithm name {decl.name!r} must be a Python identifier")
    known = _DECLARATIONS.get(decl.name)
    if known is not None and known is not decl:
        raise ValueError(f"algorithm {decl.name!r} is already registered")
    _check(decl)
    _DECLARATIONS[decl.name] = decl
    return decl


def _check(decl: Declaration[Any, Any]) -> None:
    """The declaration is complete: its state has ``t`` first and ``direction`` last, the examples
    name only its hyperparameters, and its first example gives every required one."""
    fields = decl.state._fields
    if not fields or fields[0] != "t" or fields[-1] != "direction":
        raise ValueError(f"{decl.name}: the state's fields must start with 't' and end with 'direction', got {fields}")
    for ex in decl.examples:
        unknown = set(ex.hyperparams) - set(decl.params)
        if unknown:
            raise ValueError(f"{decl.name}: example {ex.id!r} has unknown hyperparameters {sorted(unknown)}")


def get(name: str) -> Declaration[Any, Any]:
    """The declaration of ``name`` (``KeyError`` naming the known ones)."""
    try:
        return _DECLARATIONS[name]
    except KeyError:
        raise KeyError(f"unknown algorithm {name!r}; known: {sorted(_DECLARATIONS)}") from None


def declarations() -> Iterator[Declaration[Any, Any]]:
    """The registered declarations, in registration order."""
    return iter(list(_DECLARATIONS.values()))


TOOLS = ("numerics",)
"""Modules that declare no algorithm and run as ``python -m reference.<name>`` (importing them
here would make runpy warn that the module was imported before it ran)."""


def load(package: str = "reference") -> Mapping[str, Declaration[Any, Any]]:
    """Import every top-level module of ``package`` (so that each registers its declarations)."""
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.ispkg and not info.name.startswith("_") and info.name not in TOOLS:
            importlib.import_module(f"{package}.{info.name}")
    return REGISTRY


@contextmanager
def temporarily(*decls: Declaration[Any, Any]) -> Iterator[None]:
    """Register ``decls`` inside the ``with`` block only."""
    for decl in decls:
        register(decl)
    try:
        yield
    finally:
        for decl in decls:
            _DECLARATIONS.pop(decl.name, None)
