"""Execute every notebook in notebooks/, fail on the first cell that raises, and check that the notebooks with
plots show them: a figure drawn but never displayed (for example under ``matplotlib.use("Agg")``) leaves no
``image/png`` output, neither in the stored notebook that GitHub renders nor after executing it again."""
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
WITH_FIGURES = {"newton_logistic_regression.ipynb": 1, "benchmarks.ipynb": 1}


def outputs(notebook):
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


def images(notebook):
    return [output for output in outputs(notebook) if "image/png" in output.get("data", {})]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3
    assert set(WITH_FIGURES) <= {path.name for path in NOTEBOOKS}


@pytest.mark.parametrize("name", sorted(WITH_FIGURES))
def test_stored_notebook_shows_its_figures(name):
    path = next(path for path in NOTEBOOKS if path.name == name)
    assert len(images(nbformat.read(path, as_version=4))) >= WITH_FIGURES[name]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(path.parent.parent))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    assert not [output for output in outputs(notebook) if output.get("output_type") == "error"]
    assert len(images(notebook)) >= WITH_FIGURES.get(path.name, 0)
