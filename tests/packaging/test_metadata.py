"""Files that repeat the version or the papers agree with their one source."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_citation_names_this_version_and_five_papers() -> None:
    text = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", text, re.M).group(1) == VERSION
    assert re.search(r"^license: (\S+)$", text, re.M).group(1) == "Apache-2.0"
    notes = re.findall(r"Short name (\w+)", text)
    assert sorted(notes) == sorted(["s3", "gsignsgd", "adasam", "nsgdm", "adamlinf"])


def test_changelog_has_this_version_and_unreleased() -> None:
    heads = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert heads[0] == "Unreleased" and VERSION in heads


def test_license_is_the_apache_2_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 190
