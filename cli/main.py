"""Entry point of the ``tsrnn`` command: a click group; commands live in their own modules."""

from __future__ import annotations

import click

import tsrnn

from ._common import TsrnnGroup
from .backtest import backtest
from .calibrate import calibrate
from .export import export
from .fit import fit
from .forecast import forecast
from .info import datasets, info
from .update import update

__all__ = ["main"]


@click.group(cls=TsrnnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tsrnn.__version__, prog_name="tsrnn")
@click.option("--debug", is_flag=True, envvar="TSRNN_DEBUG",
              help="Show full tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Forecast time series with recurrent neural nets (RNN, LSTM, GRU).

    \b
    Example:
      tsrnn datasets export weather weather.csv
      tsrnn fit weather.csv --id-col origin --target temp -o model/
      tsrnn forecast model/ --plot forecast.png
    """


main.add_command(fit)
main.add_command(forecast)
main.add_command(backtest)
main.add_command(update)
main.add_command(calibrate)
main.add_command(export)
main.add_command(info)
main.add_command(datasets)
