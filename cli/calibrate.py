"""``tsrnn calibrate``: conformal intervals for a saved model, from a backtest of its data."""

from __future__ import annotations

import click

from ._common import say
from ._read import FILL_OPTION, TIME_OPTIONS
from ._rewrite import model_and_rows, rewrite_arguments

__all__ = ["calibrate"]


@click.command()
@rewrite_arguments("calibrated")
@click.option("--windows", type=click.IntRange(min=1), default=5, show_default=True,
              help="Horizons at the end of each series that the calibration forecasts.")
@FILL_OPTION
@TIME_OPTIONS
def calibrate(model_dir, data, out_dir, windows, fill, dayfirst, date_format, round_to):
    """Calibrate conformal intervals for the model in MODEL_DIR, without retraining: it
    forecasts the last --windows horizons of each series in DATA (its training data, or rows
    that continue it) in one pass and keeps the errors. Then `tsrnn forecast MODEL_DIR
    --quantiles ...` or `--level ...` gives intervals, for a point model too.

    \b
    Example:
      tsrnn calibrate model/ train.csv
      tsrnn forecast model/ --level 80 --level 95 --plot band.png
    """
    out_dir, model, frame = model_and_rows(model_dir, data, out_dir, fill, dayfirst,
                                           date_format, round_to)
    model.calibrate(frame, windows=windows)
    model.save(out_dir)
    c = model.conformal_
    say(f"calibrated on {len(c.scores)} windows of {c.horizon} steps (errors x "
        f"{c.inflation:.2f} for rows the model has seen); model written to {out_dir}/")
