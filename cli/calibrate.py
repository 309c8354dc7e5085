"""``tsrnn calibrate``: conformal intervals for a saved model, from a backtest of its data."""

from __future__ import annotations

from pathlib import Path

import click

from tsrnn import load
from tsrnn.data import FILL_METHODS

from ._common import check_model_output, say
from ._read import TIME_OPTIONS
from .forecast import read_data

__all__ = ["calibrate"]


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
              help="Write the calibrated model here (default: MODEL_DIR, replaced atomically).")
@click.option("--windows", type=click.IntRange(min=1), default=5, show_default=True,
              help="Horizons at the end of each series that the calibration forecasts.")
@click.option("--fill", type=click.Choice(FILL_METHODS), help="Fill missing values of DATA "
              "first (and add its missing timestamps), as `tsrnn fit --fill`.")
@TIME_OPTIONS
def calibrate(model_dir, data, out_dir, windows, fill, dayfirst, date_format):
    """Calibrate conformal intervals for the model in MODEL_DIR, without retraining: it
    forecasts the last --windows horizons of each series in DATA (its training data, or rows
    that continue it) in one pass and keeps the errors. Then `tsrnn forecast MODEL_DIR
    --quantiles ...` or `--level ...` gives intervals, for a point model too.

    \b
    Example:
      tsrnn calibrate model/ train.csv
      tsrnn forecast model/ --level 80 --level 95 --plot band.png
    """
    out_dir = model_dir if out_dir is None else out_dir
    check_model_output(out_dir, {"DATA": data})
    model = load(model_dir)
    frame = read_data(data, model, fill, dayfirst, date_format)
    model.calibrate(frame, windows=windows)
    model.save(out_dir)
    c = model.conformal_
    say(f"calibrated on {len(c.scores)} windows of {c.horizon} steps (errors x "
        f"{c.inflation:.2f} for rows the model has seen); model written to {out_dir}/")
