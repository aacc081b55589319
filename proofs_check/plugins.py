"""Claims from other packages: the ``proofs_check.claims`` entry-point group.

An installed package declares, in its ``pyproject.toml``::

    [project.entry-points."proofs_check.claims"]
    mypaper = "mypackage.claims"

The value names a module (importing it registers its paper with
:func:`proofs_check.papers.register_paper` and its claims with :func:`proofs_check.registry.register`)
or a callable ``module:function`` called with no arguments.  ``python -m proofs_check`` loads every
entry point after the built-in claims and runs the plugin's claims like ours.  A plugin that fails to
load is reported (:data:`ERRORS`, printed by the CLI) and never hides the other claims.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["GROUP", "ERRORS", "LOADED", "load"]

GROUP = "proofs_check.claims"
ERRORS: list[tuple[str, str]] = []
LOADED: list[str] = []


def load() -> None:
    """Load every entry point of :data:`GROUP` (once per name)."""
    for ep in metadata.entry_points(group=GROUP):
        if ep.name in LOADED:
            continue
        try:
            obj = ep.load()
            if callable(obj):
                obj()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            ERRORS.append((ep.name, f"{type(exc).__name__}: {exc}"))
        else:
            LOADED.append(ep.name)
