"""Every notebook in ``notebooks/`` is stored without outputs and runs top to bottom in a fresh
kernel of this virtualenv's Python, in a temporary working directory."""

import importlib.util
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import tsrnn

from .conftest import ROOT, shared_data_dir

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SOURCES = sorted((NOTEBOOK_DIR / "_src").glob("*.py"))
CELL_TIMEOUT = 300  # seconds per cell; a notebook is meant to finish in under a minute

# Run first in every kernel (never stored): the kernel is this Python with this tsrnn, one
# thread, in the temporary directory.
KERNEL_CHECK = """\
import os, sys
import tsrnn
assert sys.executable == {executable!r}, f"kernel runs {{sys.executable}}, not {executable!r}"
assert tsrnn.__file__ == {package!r}, f"kernel imports {{tsrnn.__file__}}, not {package!r}"
assert os.environ.get("OMP_NUM_THREADS") == "1"
assert os.getcwd() == {cwd!r}, os.getcwd()
"""


def _ids(path: Path) -> str:
    return path.stem


def _files_under(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def test_the_walkthroughs_are_there():
    names = [p.stem for p in NOTEBOOKS]
    for prefix in ("01_", "02_", "03_", "04_"):
        assert any(n.startswith(prefix) for n in names), f"no notebook {prefix}*.ipynb in {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: code cell {i} is stored with outputs; clear them (or rebuild with "
            "notebooks/_build.py) before committing")


def _builder():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOK_DIR / "_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_notebook_matches_its_source(source):
    stored = nbformat.read(NOTEBOOK_DIR / f"{source.stem}.ipynb", as_version=4)
    built = _builder().notebook(source)
    cells = [(c.cell_type, c.source) for c in stored.cells]
    assert cells == [(c.cell_type, c.source) for c in built.cells], (
        f"notebooks/{source.stem}.ipynb differs from _src/{source.name}; edit the source and "
        f"run notebooks/_build.py {source.stem}")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # inherited by the kernel
    monkeypatch.setenv("TSRNN_SHARED_DATA", str(shared_data_dir().resolve()))
    nb = nbformat.read(path, as_version=4)
    check = KERNEL_CHECK.format(executable=sys.executable, package=tsrnn.__file__,
                                cwd=os.path.realpath(tmp_path))
    nb.cells.insert(0, nbformat.v4.new_code_cell(check))
    before = _files_under(NOTEBOOK_DIR)
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT,
                            startup_timeout=120, allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
    assert _files_under(NOTEBOOK_DIR) == before, "the notebook wrote into notebooks/"
