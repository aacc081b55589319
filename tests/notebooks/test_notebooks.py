"""Execute every notebook under notebooks/ so that they never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent.parent)}})
    client.execute()  # raises CellExecutionError on any failing cell (the cells assert their findings)
    assert any(o.get("output_type") == "stream" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_there_is_a_notebook_per_checked_paper() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {"s3", "gsignsgd", "nsgdm", "adasam", "adamlinf"}
