"""``tsrnn update``: feed a saved model the rows that followed its training data."""

from __future__ import annotations

import click

from ._common import say
from ._read import FILL_OPTION, TIME_OPTIONS
from ._rewrite import model_and_rows, rewrite_arguments

__all__ = ["update"]


@click.command()
@rewrite_arguments("updated")
@click.option("--refit", type=click.Choice(["partial"]), help="partial: also train each "
              "network a few steps on the windows that end in the new rows.")
@FILL_OPTION
@TIME_OPTIONS
def update(model_dir, data, out_dir, refit, fill, dayfirst, date_format, round_to):
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
    out_dir, model, frame = model_and_rows(model_dir, data, out_dir, fill, dayfirst,
                                           date_format, round_to)
    model.update(frame, refit=refit)
    model.save(out_dir)
    ends = sorted({str(ix[-1]) for ix in model.context_["index"]})
    say(f"{len(frame)} new rows taken; the model's series now end at "
        f"{ends[-1] if len(ends) == 1 else f'{ends[0]} .. {ends[-1]}'}; model written to "
        f"{out_dir}/")
