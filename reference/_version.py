"""The distribution's version, declared once in ``pyproject.toml`` (``[project] version``).

Read from the installed metadata (``importlib.metadata``); from a source tree that was never
installed, from ``pyproject.toml`` beside the package; else ``"0+unknown"``.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

__all__ = ["DISTRIBUTION", "__version__"]

DISTRIBUTION = "s3-oracle"


def _version() -> str:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if pyproject.is_file():  # a source tree: its pyproject is the truth, even beside an older install
        import tomllib

        with pyproject.open("rb") as f:
            project = tomllib.load(f).get("project", {})
        if project.get("name") == DISTRIBUTION and isinstance(project.get("version"), str):
            return project["version"]
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__: str = _version()
