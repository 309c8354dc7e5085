"""What the commands that rewrite a model folder from DATA share (``update``, ``calibrate``):
the MODEL_DIR and DATA arguments, ``-o``, the output checked before any work, and DATA read as
the model's training data was."""

from __future__ import annotations

from pathlib import Path

import click

import tsrnn

from ._common import check_model_output
from .forecast import read_data

__all__ = ["model_and_rows", "rewrite_arguments"]


def rewrite_arguments(what: str):
    """MODEL_DIR, DATA and ``-o`` (the ``what`` model; default: MODEL_DIR, atomically)."""
    def decorate(func):
        func = click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
                            help=f"Write the {what} model here (default: MODEL_DIR, replaced "
                            "atomically).")(func)
        func = click.argument("data", type=click.Path(path_type=Path))(func)
        return click.argument("model_dir", type=click.Path(path_type=Path))(func)
    return decorate


def model_and_rows(model_dir: Path, data: Path, out_dir: Path | None, fill, dayfirst,
                   date_format, round_to=None):
    """``(output folder, model, DATA frame)``: the output (default MODEL_DIR) checked first."""
    out_dir = model_dir if out_dir is None else out_dir
    check_model_output(out_dir, {"DATA": data})
    model = tsrnn.load(model_dir)
    return out_dir, model, read_data(data, model, fill, dayfirst, date_format, round_to)
