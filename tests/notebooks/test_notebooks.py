"""The notebooks under notebooks/: one exploration per paper, executed so that they never rot.

Each notebook is run top to bottom (nbclient, a per-cell timeout) in the repository root, so that it
imports this checkout's packages; it must raise nothing and show at least three figures inline
(``image/png`` outputs: a figure that only reaches a file or a closed Agg canvas does not count).
Static checks keep the shape issue 18 asked for: the paper linked by title and arXiv id (not a local
file), a tagged parameters cell first, no change of matplotlib's backend, assertions only in the last
cell.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from proofs_check import PAPERS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
MIN_FIGURES = 3
CELL_TIMEOUT_S = 300
# One BLAS thread per kernel unless the caller chose otherwise: the notebooks' matrices are small, and on a
# shared 2-core runner OpenBLAS's spinning threads made a notebook 2-6x slower (adamlinf: 98 s -> 41 s wall).
KERNEL_ENV = {**{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}, **os.environ}


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _figures(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in _code(nb) for o in c.outputs
               if o.get("output_type") in ("display_data", "execute_result"))


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes_and_shows_figures(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=KERNEL_ENV)  # raises CellExecutionError on any failing cell
    errors = [o for c in _code(nb) for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, errors
    assert _figures(nb) >= MIN_FIGURES, f"{path.name}: {_figures(nb)} inline figures, expected >= {MIN_FIGURES}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_shape(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    paper = PAPERS[path.stem]
    intro = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown" and paper.url in intro and f"arXiv:{paper.arxiv}" in intro
    assert paper.title.split(":")[0].lower() in intro.lower().replace("*", "")
    text = "\n".join(c.source for c in nb.cells)
    assert "shared/papers" not in text, "papers are linked by arXiv id, not by a local file"
    code = _code(nb)
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell holds the parameters"
    for c in code:
        assert not re.search(r"matplotlib\.use\(|plt\.close\(|\.use\([\"']Agg", c.source), c.source[:80]
    asserting = [i for i, c in enumerate(code) if re.search(r"^\s*assert\b", c.source, re.M)]
    assert asserting == [len(code) - 1], f"assertions belong in the last cell, found in code cells {asserting}"
    assert not any(c.outputs for c in code), "notebooks are committed without outputs"


def test_there_is_a_notebook_per_checked_paper() -> None:
    assert {p.stem for p in NOTEBOOKS} >= {"s3", "gsignsgd", "nsgdm", "adasam", "adamlinf"}
