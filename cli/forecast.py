"""``tsrnn forecast``: forecast with a saved model (``tsrnn backtest`` is in :mod:`.backtest`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

import tsrnn
from tsrnn import ConfigError, DataError
from tsrnn.io import PARQUET_SUFFIXES, guess_time_column
from tsrnn.metrics import check_levels, level_name
from tsrnn.plotting import plot_forecast, save_figure

from ._common import check_output, echo_table, say, write_table
from ._read import (
    FILL_OPTION,
    TIME_OPTIONS,
    apply_fill,
    check_rows,
    combine_periods,
    parse_time_column,
    read_frame,
)
from ._zones import localize, model_zone

__all__ = ["forecast", "read_data", "read_static", "LEVELS", "MAX_HORIZON", "STATIC_OPTION"]


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


def _figure(history, predicted, model, bands=None, pick=()):
    """The forecast figure and a note on the series it shows (small multiples, the first six
    or the ``--series`` picked)."""
    fig = plot_forecast(history, _by_time(predicted, model), quantiles=bands,
                        id_col=model.roles_.id_col, max_history=4 * model.config_["lookback"],
                        series=list(pick) or None)
    id_col = model.roles_.id_col
    n = 1 if id_col is None else predicted[id_col].nunique()
    shown = len(pick) if pick else min(n, 6)
    note = f" (showing {shown} of {n} series; pick others with --series)" if shown < n else ""
    return fig, note


def _with_quantiles(model, point: pd.DataFrame, frame, horizon, future, levels, coverage=(),
                    static=None):
    """The point forecast plus a ``{target}_q{level}`` column per level (and the interval
    columns ``{target}-lo-{L}``, ``{target}-hi-{L}`` per ``--level L``), and the plot bands
    ``{level: frame of the target columns}`` (every default level when none are asked for)."""
    calibrated = hasattr(model, "conformal_")
    if not levels and (not (model.quantiles_ or calibrated) or (horizon or 0) > model.horizon):
        return point, None  # no levels asked for, and none to shade
    quantiles = model.predict_quantiles(frame, horizon=horizon, future_covariates=future,
                                        levels=levels or None, static=static)
    out = point.copy()
    bands = {}
    for q in levels or model.quantiles_ or tsrnn.forecast.DEFAULT_LEVELS:
        names = {f"{t}_{level_name(q)}": t for t in model.target_names_}
        if levels:
            for name in names:
                out[name] = quantiles[name].to_numpy()
        keep = [c for c in point.columns if c not in model.target_names_]
        band = point[keep].copy()
        for name, target in names.items():
            band[target] = quantiles[name].to_numpy()
        bands[q] = _by_time(band, model)
    if coverage:
        intervals = model.predict_quantiles(frame, horizon=horizon, future_covariates=future,
                                            level=list(coverage), static=static)
        for name in intervals.columns[-len(coverage) * 2 * len(model.target_names_):]:
            out[name] = intervals[name].to_numpy()
    return out, bands


#: The most steps one ``tsrnn forecast`` rolls a model forward.
MAX_HORIZON = 10_000


def read_data(path: Path, model, fill=None, dayfirst=False, date_format=None,
              round_to=None) -> pd.DataFrame:
    """DATA (or a ``--future`` file) read as the model's training data was: ids as text when
    the model's are, times parsed the same way, ``--fill`` at the model's frequency."""
    roles = model.roles_
    text = roles.id_col is not None and all(isinstance(i, str) for i in model.ids_)
    frame = read_frame(path, roles.id_col, text_ids=text)
    if roles.time_col is not None and roles.time_col not in frame.columns:
        frame = combine_periods(frame, guess_time_column(frame), roles.time_col)[0]
    frame = parse_time_column(frame, roles.time_col, dayfirst, date_format,
                              dates=model.freq_ is not None, round_to=round_to)
    frame = localize(frame, roles.time_col, roles.id_col, model_zone(model), f"'{path}'",
                     option="the model's time zone")
    keys = {"time_col": roles.time_col, "id_col": roles.id_col}
    masked = getattr(model, "config_", {}).get("missing") == "mask"
    return apply_fill(frame, fill, keys, model.freq_, mask=masked)


#: ``--static FILE`` of the commands that forecast DATA with a saved model.
STATIC_OPTION = click.option(
    "--static", "static_path", type=click.Path(path_type=Path), metavar="FILE",
    help="CSV or Parquet file of the model's static covariates for the series of DATA, one row "
    "per series keyed by the model's id column (series it was fitted on know theirs; new ones "
    "need theirs here, or as columns of DATA).")


def read_static(path: Path | None, model, model_dir: Path, data: Path | None):
    """The ``--static`` file (one row per series, ids as in :func:`read_data`), or None."""
    if path is None:
        return None
    if not model.roles_.static:
        raise ConfigError(f"{model_dir} was fitted without static covariates, so --static "
                          f"'{path}' has nothing to give it; leave out --static (or refit with "
                          "--static-covariates)")
    if data is None:
        raise ConfigError(f"--static '{path}' gives the static covariates of the series of DATA; "
                          "give DATA too (the model knows those of its training series)")
    id_col = model.roles_.id_col
    text = id_col is not None and all(isinstance(i, str) for i in model.ids_)
    frame = read_frame(path, id_col, text_ids=text)
    if id_col is not None and id_col not in frame.columns:
        raise DataError(f"--static '{path}' has no column {id_col!r} (the model's series ids); "
                        "it needs one row per series with its id")
    return frame


def _check_model_options(model, model_dir, horizon, future_csv, levels) -> None:
    if future_csv is not None and not model.roles_.future:
        raise ConfigError(f"{model_dir} was fitted without future covariates, so --future "
                          f"'{future_csv}' has nothing to give it; leave out --future (or refit "
                          "with --future-covariates)")
    if horizon is not None and horizon > MAX_HORIZON:
        raise ConfigError(f"--horizon {horizon} is more than the {MAX_HORIZON} steps tsrnn "
                          f"forecasts at once (this model learnt {model.horizon}); forecasts "
                          "that far ahead only repeat the model's own guesses: ask for fewer")
    if levels and not model.quantiles_ and not hasattr(model, "conformal_"):
        raise ConfigError(f"{model_dir} was fitted without quantiles; calibrate it with tsrnn "
                          f"calibrate {model_dir} DATA (conformal intervals, no refit), or "
                          f"refit with --quantiles {','.join(f'{q:g}' for q in levels)}")


@click.command()
@click.argument("model_dir", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path), required=False)
@click.option("--horizon", type=click.IntRange(min=1), help="Steps to forecast (default: the "
              "model's horizon).")
@click.option("--future", "future_csv", type=click.Path(path_type=Path),
              help="CSV with the future covariates for the forecast steps.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the forecast here "
              "(- for stdout; default: a preview on a terminal, the whole table in a pipe).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("--plot", type=click.Path(path_type=Path), help="Draw history and forecast to a "
              "PNG/SVG/PDF file (a model fitted with quantiles shades the intervals).")
@click.option("--quantiles", "levels", type=LEVELS, help="Also write these quantile levels, "
              "e.g. 0.05,0.5,0.95 (each must be one the model was fitted with).")
@click.option("--level", "coverage", multiple=True, metavar="PERCENT",
              type=click.FloatRange(0, 100, min_open=True, max_open=True),
              help="Also write the central interval of this coverage, e.g. --level 80 --level "
              "95: columns TARGET-lo-80, TARGET-hi-80 (a point model after tsrnn calibrate).")
@click.option("--chunk-series", type=click.IntRange(min=1), metavar="N", help="Forecast N "
              "series at a time and append each block to -o (bounded memory; a Parquet DATA "
              "file is read N series at a time). Implied, with N=1000, by -o FILE.parquet.")
@FILL_OPTION
@click.option("--series", "pick", multiple=True, metavar="ID", help="Series to draw in --plot "
              "(repeat; default: the first few).")
@STATIC_OPTION
@TIME_OPTIONS
def forecast(model_dir, data, horizon, future_csv, output, fmt, plot, levels, coverage,
             chunk_series, fill, pick, static_path, dayfirst, date_format, round_to):
    """Forecast with the model in MODEL_DIR, from the end of its training data or of DATA
    (a CSV or Parquet file).

    The point forecast of a model fitted with quantiles is its 0.5 level (or the level nearest
    0.5); --quantiles adds a column TARGET_qLEVEL per level, --level 95 the columns
    TARGET-lo-95 and TARGET-hi-95; after `tsrnn calibrate` both are conformal. Without -o the
    whole forecast goes to stdout when it is a pipe or a file (tsrnn forecast model/ > f.csv),
    a preview when it is a terminal.

    \b
    Example:
      tsrnn forecast model/ --plot forecast.png -o forecast.csv
      tsrnn forecast model/ new_history.csv --horizon 48 --format json
      tsrnn forecast model/ --quantiles 0.05,0.5,0.95 --plot band.png
      tsrnn forecast model/ --level 80 --level 95
      tsrnn forecast model/ history.parquet -o forecast.parquet --chunk-series 1000
      tsrnn forecast model/ new_stores.csv --static stores.csv
    """
    inputs = {"DATA": data, "--future file": future_csv, "--static file": static_path,
              "model folder": model_dir}
    check_output(output, "-o", inputs)
    check_output(plot, "--plot", inputs, plot=True)
    if pick and plot is None:
        raise ConfigError("--series picks the series drawn by --plot; give --plot too")
    chunked = bool(chunk_series) or str(output or "").lower().endswith(PARQUET_SUFFIXES)
    if chunked:
        _check_chunked(output, plot, fmt, fill, (dayfirst, date_format, round_to), coverage)
    model = tsrnn.load(model_dir)
    _check_model_options(model, model_dir, horizon, future_csv, levels or coverage)
    future = None if future_csv is None else read_data(future_csv, model, None, dayfirst,
                                                       date_format, round_to)
    static = read_static(static_path, model, model_dir, data)
    if chunked:
        rows = tsrnn.forecast.predict_to_file(model, output, data,
                                              chunk_series=chunk_series or 1000,
                                              horizon=horizon, future_covariates=future,
                                              levels=levels, static=static)
        return say(f"{rows} forecast rows written to {output}")
    frame = None
    if data is not None:
        frame = read_data(data, model, fill, dayfirst, date_format, round_to)
        check_rows(frame, data)
    point = model.predict(frame, horizon=horizon, future_covariates=future, static=static)
    predicted, bands = _with_quantiles(model, point, frame, horizon, future, levels, coverage,
                                       static)
    if plot is not None:  # drawn first: a bad --series writes nothing
        fig, note = _figure(_history(model, frame), point, model, bands, pick)
    if output is not None and str(output) != "-":
        write_table(predicted, output, fmt)
        say(f"forecast written to {output}")
    elif output is None and sys.stdout.isatty():
        echo_table(predicted, max_rows=30)
        say(f"(a preview of {len(predicted)} rows; -o FILE or -o - writes them all)")
    else:
        write_table(predicted, "-", fmt)
    if plot is not None:
        save_figure(fig, plot)
        say(f"plot written to {plot}{note}")


def _check_chunked(output, plot, fmt, fill, times, coverage=()) -> None:
    """Chunked forecasts go straight from DATA to a file: nothing else may be asked of them."""
    if coverage:
        raise ConfigError("chunked forecasts (--chunk-series, or -o FILE.parquet) write quantile "
                          "columns only: give --quantiles 0.025,0.975 instead of --level 95")
    if output is None or str(output) == "-" or plot is not None or fmt != "csv":
        raise ConfigError("chunked forecasts (--chunk-series, or -o FILE.parquet) go straight "
                          "to a file: give -o FILE, and leave out --plot and --format json")
    dayfirst, date_format, round_to = times
    given = [name for name, value in (("--fill", fill), ("--dayfirst", dayfirst),
                                      ("--date-format", date_format), ("--round", round_to))
             if value]
    if given:
        raise ConfigError(f"chunked forecasts (--chunk-series, or -o FILE.parquet) read DATA "
                          f"as it is, so {given[0]} cannot apply; prepare the file first, or "
                          "forecast without chunks")
