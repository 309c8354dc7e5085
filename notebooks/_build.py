"""Build the notebooks from their sources: ``notebooks/_src/NN_name.py`` -> ``notebooks/NN_name.ipynb``.

A source is a Python file in the "percent" format: ``# %%`` starts a code cell and
``# %% [markdown]`` a markdown cell whose lines are comments (``# `` is stripped). The notebooks
are written with outputs stripped and stable cell ids, so a rebuild without source changes leaves
them byte for byte the same. Run from anywhere::

    .venv/bin/python notebooks/_build.py            # build every source
    .venv/bin/python notebooks/_build.py 02_weather  # build one
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "_src"
CODE, MARKDOWN = "# %%", "# %% [markdown]"


def parse(text: str) -> list[tuple[str, str]]:
    """Percent-format text -> [(kind, source), ...] with kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.strip() == MARKDOWN:
            cells.append(("markdown", []))
        elif line.strip() == CODE:
            cells.append(("code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                line = line[2:] if line.startswith("# ") else line.lstrip("#")
            lines.append(line)
        elif line.strip():
            raise ValueError(f"text before the first cell marker: {line!r}")
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook of one source, outputs stripped, cell ids ``NN-00``, ``NN-01``, ..."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    for i, (kind, text) in enumerate(parse(source.read_text(encoding="utf-8"))):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(text, id=f"{source.stem[:2]}-{i:02d}"))
    nbformat.validate(nb)
    return nb


def build(source: Path) -> Path:
    """Write the notebook of one source next to ``_src/``; returns its path."""
    target = HERE / f"{source.stem}.ipynb"
    nbformat.write(notebook(source), target)
    return target


def main(names: list[str]) -> None:
    sources = sorted(SOURCES.glob("*.py")) if not names else [SOURCES / f"{n}.py" for n in names]
    for source in sources:
        print(f"{source.relative_to(HERE)} -> {build(source).relative_to(HERE)}")


if __name__ == "__main__":
    main(sys.argv[1:])
