"""``tsrnn backtest``: forecast a file from many origins with a saved model and score them."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

import tsrnn
from tsrnn.data import future_index
from tsrnn.io import seasonal_period
from tsrnn.plotting import plot_backtest, save_figure

from ._common import check_output, echo_table, say, write_table
from ._read import FILL_OPTION, TIME_OPTIONS, check_rows
from .forecast import STATIC_OPTION, read_data, read_static

__all__ = ["backtest", "parse_start"]


def parse_start(text: str):
    """``--start`` text as the Python API takes it: ``"0.8"`` -> 0.8 (a fraction; other
    numbers with a point are refused by the API), ``"-48"`` / ``"500"`` -> a row, anything
    else -> a timestamp (text)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _trained_until(model) -> dict:
    """Series id -> the last timestamp (or step) the model was trained on: the end of its
    training data less the ``validation`` rows it held out."""
    held = int(model.validation or 0)
    return {sid: _back(index, model.freq_, held)
            for sid, index in zip(model.ids_, model.context_["index"])}


def _back(index: pd.Index, freq, steps: int):
    """The time ``steps`` steps before the last of ``index``."""
    if steps == 0:
        return index[-1]
    if steps < len(index):
        return index[-1 - steps]
    if freq is None:
        return index[-1] - steps
    return index[-1] - steps * pd.tseries.frequencies.to_offset(freq)


def _warn_in_sample(model, metrics: pd.DataFrame) -> None:
    """Say when origins forecast rows the model trained on: their scores flatter it."""
    until = _trained_until(model)
    inside = [sid in until and origin <= until[sid]
              for sid, origin in zip(metrics["id"].tolist(), metrics["origin"])]
    n = int(sum(inside))
    if not n:
        return
    first = min(until.values())
    held = int(model.validation or 0)
    hint = f"--start -{held}" if held and len(set(until.values())) > 1 else (
        f"--start '{future_index(first, model.freq_, 1)[0]}'")
    say(f"Warning: {n} of {len(metrics)} forecasts start inside the rows the model was trained "
        f"on (up to {first}); their scores flatter the model. Score held-out rows only, e.g. "
        f"{hint}")


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--start", default="0.8", show_default=True, help="First origin: a fraction of "
              "each series in (0, 1), a row (negative: from the end) or a timestamp.")
@click.option("--stride", type=click.IntRange(min=1), help="Steps between origins (default: "
              "the horizon).")
@click.option("--horizon", type=click.IntRange(min=1), help="Steps per forecast (default: the "
              "model's).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the per-origin "
              "metrics here as CSV (- for stdout).")
@click.option("--plot", type=click.Path(path_type=Path), help="Draw the backtest forecasts.")
@FILL_OPTION
@STATIC_OPTION
@TIME_OPTIONS
def backtest(model_dir, data, start, stride, horizon, output, plot, fill, static_path, dayfirst,
             date_format, round_to):
    """Forecast DATA from many origins with the saved model and score every forecast.

    All origins are forecast in one batched pass; the seasonal-naive baseline is scored on the
    same origins. Origins inside the rows the model trained on are scored too, with a
    warning: only held-out rows say how well it forecasts.

    \b
    Example:
      tsrnn backtest model/ history.csv --start -24 --stride 24 --plot backtest.png
    """
    inputs = {"DATA": data, "--static file": static_path, "model folder": model_dir}
    check_output(output, "-o", inputs)
    check_output(plot, "--plot", inputs, plot=True)
    first = parse_start(start)
    model = tsrnn.load(model_dir)
    frame = read_data(data, model, fill, dayfirst, date_format, round_to)
    check_rows(frame, data)
    static = read_static(static_path, model, model_dir, data)
    m = seasonal_period(model.freq_)
    result = model.backtest(frame, start=first, stride=stride, horizon=horizon, m=m,
                            static=static)
    _warn_in_sample(model, result.metrics)
    roles = model.roles_
    naive = tsrnn.SeasonalNaiveForecaster(m=m, horizon=horizon or model.horizon,
                                          target=roles.target, time_col=roles.time_col,
                                          id_col=roles.id_col).fit(frame)
    base = naive.backtest(frame, start=first, stride=stride, horizon=horizon, m=m)
    echo_table(result.metrics.round({c: 4 for c in ("mae", "rmse", "smape", "mase")}))
    summary = pd.DataFrame({"tsrnn": result.summary, f"seasonal naive (m={m})": base.summary}).T
    click.echo(f"\nmean over {len(result.metrics)} forecasts:")
    echo_table(summary.round(4))
    if output is not None:
        write_table(result.metrics, output)
        say(f"metrics written to {output}")
    if plot is not None:
        save_figure(plot_backtest(result), plot)
        say(f"plot written to {plot}")
