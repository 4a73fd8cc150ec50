"""The donor-screening notebook runs top to bottom, in a fresh kernel, with the kirmatch under test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kirmatch

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "donor_screening.ipynb"


def _need(module: str):
    try:
        return pytest.importorskip(module, reason=f"{module} is not installed (pip install '.[docs]')")
    except pytest.skip.Exception:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the notebook: {module} is missing (install the docs extra)")
        raise


def test_notebook_is_committed_without_outputs() -> None:
    nbformat = _need("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, "the notebook has no code"
    assert all(not cell.outputs and cell.execution_count is None for cell in code), "clear the notebook's outputs"
    assert "sys.path" not in "".join(cell.source for cell in code), "the notebook must use the installed kirmatch"


def test_notebook_executes(monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = _need("nbformat")
    nbclient = _need("nbclient")
    _need("ipykernel")
    _need("matplotlib")
    # The kernel is a subprocess started in the notebook's directory: give it the same kirmatch as this test, also
    # when that comes from a relative PYTHONPATH (PYTHONPATH=src in a checkout).
    if os.environ.get("PYTHONPATH"):
        absolute = [str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p]
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(absolute))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o.get("data", {}) for o in outputs]
    assert any("kirmatch-mismatch" in d.get("text/html", "") for d in rich), "the HTML result grid was not shown"
    assert any("image/png" in d for d in rich), "the ligand plot was not shown"
    text = "".join(o.get("text", "") for o in outputs)
    assert str(kirmatch.reference_info()) in text, "the kernel used another kirmatch or table than the tests"
