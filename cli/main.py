"""Entry point of the ``tsrnn`` command: a click group; commands live in their own modules."""

from __future__ import annotations

import click

import tsrnn

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tsrnn.__version__, prog_name="tsrnn")
def main() -> None:
    """Forecast time series with recurrent neural nets (RNN, LSTM, GRU).

    \b
    Example:
      tsrnn --version
    """
