"""``tsrnn forecast`` and ``tsrnn backtest``: use a saved model."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from tsrnn import ConfigError, SeasonalNaiveForecaster, load, read_csv
from tsrnn.forecast import predict_to_file
from tsrnn.io import PARQUET_SUFFIXES, read_table, seasonal_period
from tsrnn.metrics import check_levels, level_name
from tsrnn.plotting import plot_backtest, plot_forecast, save_figure

from ._common import check_output, echo_table, say, write_table

__all__ = ["forecast", "backtest", "LEVELS"]


class _Levels(click.ParamType):
    """``0.05,0.5,0.95`` -> ``[0.05, 0.5, 0.95]`` (distinct levels in (0, 1), sorted)."""

    name = "LEVELS"

    def convert(self, value, param, ctx):
        if isinstance(value, (list, tuple)):
            return list(value)
        try:
            levels = [float(v) for v in str(value).split(",") if v.strip()]
            return list(check_levels(levels, "--quantiles"))
        except ValueError as exc:  # a bad number, or ConfigError (a ValueError too)
            hint = "" if isinstance(exc, ConfigError) else (
                f"{value!r} is not a comma-separated list of levels such as 0.05,0.5,0.95")
            self.fail(hint or str(exc), param, ctx)


#: Click type of ``--quantiles`` (used by ``tsrnn fit`` too).
LEVELS = _Levels()


def _by_time(frame: pd.DataFrame, model) -> pd.DataFrame:
    """Index a frame by its time column (as plots want)."""
    time_col = model.roles_.time_col
    if time_col is None or time_col not in frame.columns:
        return frame
    out = frame.copy()
    out[time_col] = pd.to_datetime(out[time_col]) if model.freq_ else out[time_col]
    return out.set_index(time_col)


def _history(model, data: pd.DataFrame | None) -> pd.DataFrame:
    """What to draw before the forecast: the given data, or the model's saved context."""
    if data is not None:
        return _by_time(data, model)
    parts = []
    for i, sid in enumerate(model.ids_):
        part = pd.DataFrame(model.context_["target"][i], index=model.context_["index"][i],
                            columns=model.target_names_)
        if model.roles_.id_col is not None:
            part.insert(0, model.roles_.id_col, sid)
        parts.append(part)
    return pd.concat(parts)


def _plot(path: Path, history, predicted, model, actual=None, bands=None) -> None:
    fig = plot_forecast(history, _by_time(predicted, model), actual, quantiles=bands,
                        id_col=model.roles_.id_col, max_history=4 * model.config_["lookback"])
    save_figure(fig, path)


def _with_quantiles(model, point: pd.DataFrame, frame, horizon, future, levels):
    """The point forecast plus a ``{target}_q{level}`` column per level, and the plot bands
    ``{level: frame of the target columns}`` (every fitted level when none are asked for)."""
    if not levels and (not model.quantiles_ or (horizon or 0) > model.horizon):
        return point, None  # no levels asked for, and none to shade
    quantiles = model.predict_quantiles(frame, horizon=horizon, future_covariates=future,
                                        levels=levels or None)
    out = point.copy()
    bands = {}
    for q in levels or model.quantiles_:
        names = {f"{t}_{level_name(q)}": t for t in model.target_names_}
        if levels:
            for name in names:
                out[name] = quantiles[name].to_numpy()
        keep = [c for c in point.columns if c not in model.target_names_]
        band = point[keep].copy()
        for name, target in names.items():
            band[target] = quantiles[name].to_numpy()
        bands[q] = _by_time(band, model)
    return out, bands


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path), required=False)
@click.option("--horizon", type=click.IntRange(min=1), help="Steps to forecast (default: the "
              "model's horizon).")
@click.option("--future", "future_csv", type=click.Path(path_type=Path),
              help="CSV with the future covariates for the forecast steps.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the forecast here "
              "(default: print it).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("--plot", type=click.Path(path_type=Path), help="Draw history and forecast to a "
              "PNG/SVG/PDF file (a model fitted with quantiles shades the intervals).")
@click.option("--quantiles", "levels", type=LEVELS, help="Also write these quantile levels, "
              "e.g. 0.05,0.5,0.95 (each must be one the model was fitted with).")
@click.option("--chunk-series", type=click.IntRange(min=1), metavar="N", help="Forecast N "
              "series at a time and append each block to -o (bounded memory; a Parquet DATA "
              "file is read N series at a time). Implied, with N=1000, by -o FILE.parquet.")
def forecast(model_dir, data, horizon, future_csv, output, fmt, plot, levels, chunk_series):
    """Forecast with the model in MODEL_DIR, from the end of its training data or of DATA
    (a CSV or Parquet file).

    The point forecast of a model fitted with quantiles is its 0.5 level (or the level nearest
    0.5); --quantiles adds a column TARGET_qLEVEL per level.

    \b
    Example:
      tsrnn forecast model/ --plot forecast.png -o forecast.csv
      tsrnn forecast model/ new_history.csv --horizon 48 --format json
      tsrnn forecast model/ --quantiles 0.05,0.5,0.95 --plot band.png
      tsrnn forecast model/ history.parquet -o forecast.parquet --chunk-series 1000
    """
    check_output(output)
    check_output(plot)
    model = load(model_dir)
    future = read_csv(future_csv) if future_csv is not None else None
    if levels and not model.quantiles_:
        raise ConfigError(f"{model_dir} was fitted without quantiles; refit with --quantiles "
                          f"{','.join(f'{q:g}' for q in levels)} to forecast them")
    if chunk_series or str(output or "").lower().endswith(PARQUET_SUFFIXES):
        return _chunked(model, data, output, horizon, future, levels, chunk_series or 1000,
                        plot, fmt)
    frame = read_table(data) if data is not None else None
    point = model.predict(frame, horizon=horizon, future_covariates=future)
    predicted, bands = _with_quantiles(model, point, frame, horizon, future, levels)
    if output is not None:
        write_table(predicted, output, fmt)
        say(f"forecast written to {output}")
    elif fmt == "json":
        click.echo(predicted.reset_index().to_json(orient="records", date_format="iso"))
    else:
        echo_table(predicted, max_rows=200)
    if plot is not None:
        _plot(plot, _history(model, frame), point, model, bands=bands)
        say(f"plot written to {plot}")


def _chunked(model, data, output, horizon, future, levels, chunk_series, plot, fmt) -> None:
    if output is None or plot is not None or fmt != "csv":
        raise ConfigError("chunked forecasts (--chunk-series, or -o FILE.parquet) go straight "
                          "to a file: give -o, and leave out --plot and --format json")
    rows = predict_to_file(model, output, data, chunk_series=chunk_series, horizon=horizon,
                           future_covariates=future, levels=levels)
    say(f"{rows} forecast rows written to {output}")


def _start(text: str):
    """``0.8`` -> fraction, ``-48`` / ``500`` -> row, anything else -> timestamp."""
    try:
        value = float(text)
    except ValueError:
        return text
    return value if "." in text and 0 < value < 1 else int(value)


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--start", default="0.8", show_default=True, help="First origin: a fraction of "
              "each series, a row (negative: from the end) or a timestamp.")
@click.option("--stride", type=click.IntRange(min=1), help="Steps between origins (default: "
              "the horizon).")
@click.option("--horizon", type=click.IntRange(min=1), help="Steps per forecast (default: the "
              "model's).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the per-origin "
              "metrics here as CSV.")
@click.option("--plot", type=click.Path(path_type=Path), help="Draw the backtest forecasts.")
def backtest(model_dir, data, start, stride, horizon, output, plot):
    """Forecast DATA from many origins with the saved model and score every forecast.

    All origins are forecast in one batched pass; the seasonal-naive baseline is scored on the
    same origins.

    \b
    Example:
      tsrnn backtest model/ history.csv --start 0.8 --stride 24 --plot backtest.png
    """
    check_output(output)
    check_output(plot)
    model = load(model_dir)
    frame = read_table(data)
    m = seasonal_period(model.freq_)
    result = model.backtest(frame, start=_start(start), stride=stride, horizon=horizon, m=m)
    roles = model.roles_
    naive = SeasonalNaiveForecaster(m=m, horizon=horizon or model.horizon, target=roles.target,
                                    time_col=roles.time_col, id_col=roles.id_col).fit(frame)
    base = naive.backtest(frame, start=_start(start), stride=stride, horizon=horizon, m=m)
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
