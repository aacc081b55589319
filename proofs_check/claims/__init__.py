"""Claim modules, one or more per paper (``<paper>_<topic>.py``); importing this package registers
every claim.  Modules are discovered by name (sorted, so the report's order is stable); helpers
whose names start with ``_`` are not claim modules."""

import importlib
import pkgutil

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
