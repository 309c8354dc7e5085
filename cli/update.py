"""``tsrnn update``: feed a saved model the rows that followed its training data."""

from __future__ import annotations

from pathlib import Path

import click

from tsrnn import load
from tsrnn.data import FILL_METHODS

from ._common import check_model_output, say
from ._read import TIME_OPTIONS
from .forecast import read_data

__all__ = ["update"]


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
              help="Write the updated model here (default: MODEL_DIR, replaced atomically).")
@click.option("--refit", type=click.Choice(["partial"]), help="partial: also train each "
              "network a few steps on the windows that end in the new rows.")
@click.option("--fill", type=click.Choice(FILL_METHODS), help="Fill missing values of DATA "
              "first (and add its missing timestamps), as `tsrnn fit --fill`.")
@TIME_OPTIONS
def update(model_dir, data, out_dir, refit, fill, dayfirst, date_format):
    """Give the model in MODEL_DIR the rows in DATA that followed its training data, without
    refitting: the next `tsrnn forecast MODEL_DIR` forecasts from their end, scaled with the
    fitted statistics (a stateful model also carries its state over them).

    Each series in DATA must start at the step after the last one the model has seen; the
    error names that step otherwise.

    \b
    Example:
      tsrnn update model/ last_week.csv
      tsrnn update model/ last_month.csv --refit partial -o model-tuned/
      tsrnn forecast model/ -o forecast.csv
    """
    out_dir = model_dir if out_dir is None else out_dir
    check_model_output(out_dir, {"DATA": data})
    model = load(model_dir)
    frame = read_data(data, model, fill, dayfirst, date_format)
    model.update(frame, refit=refit)
    model.save(out_dir)
    ends = sorted({str(ix[-1]) for ix in model.context_["index"]})
    say(f"{len(frame)} new rows taken; the model's series now end at "
        f"{ends[-1] if len(ends) == 1 else f'{ends[0]} .. {ends[-1]}'}; model written to "
        f"{out_dir}/")
