"""``tsrnn fit``: train a forecaster on a CSV or Parquet file and save it (``--nproc N``:
data-parallel in N processes, see :mod:`tsrnn.forecast.distributed`)."""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

import click
import pandas as pd

import tsrnn
from tsrnn import ConfigError, DataError, TsrnnError
from tsrnn.data import FILL_METHODS, to_panel
from tsrnn.forecast import FORECAST_HEADS, MISSING, launched

from ._common import check_model_output, check_set_keys, echo_table, fmt_score, parse_sets, say
from ._launch import end_worker, launch, peer_errors, resume_hint
from ._progress import epoch_lines
from ._read import (
    TIME_OPTIONS,
    apply_fill,
    check_freq,
    check_rows,
    constant_ids,
    guess_roles,
    parse_time_column,
    read_frame,
)
from ._words import OPTION_OF
from ._zones import TZ_OPTION, check_dst_repeats, localize
from .forecast import LEVELS

__all__ = ["fit"]

_POSITIVE = click.IntRange(min=1)


def _read_rows(path: Path, id_col, device: str) -> tuple[pd.DataFrame, list | None]:
    """The table (CSV or Parquet); in a torchrun worker only this rank's series, and the ids
    of all series."""
    if not launched():
        return read_frame(path, id_col), None
    if id_col is None:
        raise ConfigError("--nproc splits the data by series; give --id-col")
    dist = tsrnn.forecast.distributed
    shard = dist.make_shard(path, id_col, dist.setup(tsrnn.nn.resolve_device(device)))
    return shard.frame, shard.ids


def _writer() -> bool:
    """Whether this process writes the files (see :func:`tsrnn.forecast.distributed.is_writer`)."""
    return tsrnn.forecast.distributed.is_writer()


def _sharded(frame: pd.DataFrame, all_ids: list | None):
    """The frame to fit on: as read, or this worker's share of a data-parallel fit."""
    return frame if all_ids is None else tsrnn.forecast.distributed.Shard(frame, all_ids)


def _read(path: Path, roles: dict, fill: str | None, device: str = "auto", freq=None,
          dates: tuple = (False, None), missing: str = "auto",
          static_path: Path | None = None):
    """``(frame, panel, all ids or None)``: the data read and checked with its roles;
    ``dates``: ``(--dayfirst, --date-format[, --tz[, --round]])``; NaN kept unless ``missing``
    is "raise"; the static covariates from DATA or from the ``--static`` file (the panel's
    ``static``, one row per series)."""
    frame, all_ids = _read_rows(path, roles["id_col"], device)
    check_rows(frame, path)
    frame, roles["time_col"], id_col = guess_roles(frame, roles["time_col"], roles["id_col"])
    if id_col is not None and roles["id_col"] is None and frame[id_col].dtype.kind in "iuf":
        text = read_frame(path, id_col)  # ids such as 001 stay text
        frame[id_col] = text[id_col].to_numpy() if len(text) == len(frame) else frame[id_col]
    roles["id_col"] = id_col
    frame = parse_time_column(frame, roles["time_col"], *dates[:2],
                              round_to=dates[3] if len(dates) > 3 else None)
    tz = dates[2] if len(dates) > 2 else None
    if tz is None:
        check_dst_repeats(frame, roles["time_col"], id_col, path)
    frame = localize(frame, roles["time_col"], id_col, tz, f"'{path}'")
    check_freq(frame, roles["time_col"], freq)
    roles.setdefault("static_covariates", None)
    for key in ("target", "past_covariates", "future_covariates", "static_covariates"):
        roles[key] = list(roles[key] or ()) or None
    ids = constant_ids(frame, roles)
    if ids:
        frame = frame.drop(columns=ids)
        say(f"Left out {', '.join(map(repr, ids))}: one value, named like a series id, so not a "
            "target (name it with --target to forecast it)")
    frame = apply_fill(frame, fill, roles, freq, mask=missing != "raise")
    static = _read_static(static_path, roles)
    panel = to_panel(frame, target=roles["target"], time_col=roles["time_col"],
                     id_col=roles["id_col"], past_covariates=roles["past_covariates"],
                     future_covariates=roles["future_covariates"], freq=freq,
                     allow_nan=missing != "raise", name=f"'{path}'",
                     static_covariates=roles["static_covariates"], static=static)
    return frame, panel, all_ids


def _read_static(path: Path | None, roles: dict) -> pd.DataFrame | None:
    """The ``--static`` file: one row per series, keyed by ``--id-col`` (ids as text, as in
    DATA)."""
    if path is None:
        return None
    if not roles["static_covariates"]:
        raise ConfigError(f"--static '{path}' gives static covariates, but none is named; "
                          "add --static-covariates COLUMN for each column to use")
    if roles["id_col"] is None:
        raise ConfigError(f"--static '{path}' is keyed by series id; give --id-col")
    frame = read_frame(path, roles["id_col"])
    if roles["id_col"] not in frame.columns:
        raise DataError(f"--static '{path}' has no column {roles['id_col']!r} (--id-col); it "
                        "needs one row per series with its id")
    return frame


def _keyed(panel) -> pd.DataFrame:
    """The panel's static table (one row per series, in order) keyed by the id column."""
    return panel.static.assign(**{panel.roles.id_col: panel.ids})


def _horizon(panel) -> int:
    """The default horizon: one season of the data's frequency (never a single step of
    sub-hourly data: then an hour, or a day when the frequency has a daily season)."""
    season = tsrnn.forecast.season_of(panel.freq)
    if season:
        return season
    nanos = _fixed_nanos(panel.freq)
    if nanos and nanos < 3_600 * 10**9:
        return max(2, int(3_600 * 10**9 // nanos))
    return 1


def _fixed_nanos(freq) -> int | None:
    try:
        return int(pd.tseries.frequencies.to_offset(freq).nanos) if freq else None
    except ValueError:
        return None


def _short_note(model, panel) -> str | None:
    """How many series were shorter than one window, and what was done with them."""
    c = model.config_
    need = c["lookback"] + c["horizon"]
    short = int((panel.lengths < need).sum())
    if not short or c["stateful"]:
        return None
    return (f"{short} of {panel.n_series} series have fewer than lookback {c['lookback']} + "
            f"horizon {c['horizon']} = {need} rows: padded at the front with their own first "
            "season (never as targets); every series is trained on and forecast")


def _scores(validation: dict) -> pd.DataFrame:
    """The safety net's scores: a copy of the model trained without the last horizon rows
    of every series, beside seasonal naive on those rows."""
    m, method = validation["m"], validation.get("combine")
    rows = {f"tsrnn (mean with {method})" if method else "tsrnn": validation["model"],
            **({"tsrnn network alone": validation["network"]} if method else {}),
            f"seasonal naive (m={m})": validation["seasonal_naive"]}
    return pd.DataFrame({k: {"sMAPE": v["smape"], "MASE": v["mase"]} for k, v in
                         rows.items()}).T


@click.command()
@click.pass_context
@click.argument("data", type=click.Path(path_type=Path), required=False)
@click.option("-o", "--output", "model_dir", type=click.Path(path_type=Path), default="model",
              show_default=True, help="Folder to write the model to.")
@click.option("--target", multiple=True, help="Target column (repeat for several; default: "
              "every numeric column without another role).")
@click.option("--time-col", help="Timestamp column (default: the first column that parses as "
              "dates).")
@click.option("--id-col", help="Series id column of a long file with many series.")
@click.option("--past-covariates", multiple=True, help="Column observed up to now only.")
@click.option("--future-covariates", multiple=True, help="Column known ahead (calendar, "
              "prices).")
@click.option("--static-covariates", multiple=True, help="Column constant within each series "
              "(region, type, size: text is a category, learned as an embedding).")
@click.option("--static", "static_path", type=click.Path(path_type=Path), metavar="FILE",
              help="CSV or Parquet file of the --static-covariates, one row per series keyed "
              "by --id-col (default: the columns of DATA).")
@click.option("--id-embedding", is_flag=True, help="Learn an embedding of each series id.")
@click.option("--lookback", type=_POSITIVE, help="Past steps the network reads (default: "
              "chosen from the season and the series' lengths).")
@click.option("--horizon", type=_POSITIVE, help="Steps to forecast (default: one season).")
@click.option("--cell", type=click.Choice(["rnn", "lstm", "gru"]), default="lstm",
              show_default=True)
@click.option("--head", type=click.Choice(FORECAST_HEADS), default="direct", show_default=True)
@click.option("--hidden-size", type=_POSITIVE, help="Hidden units (default: from the number "
              "of training windows).")
@click.option("--layers", type=_POSITIVE, default=1, show_default=True)
@click.option("--epochs", type=_POSITIVE, help="Passes over the data (default: a budget of "
              "optimiser steps scaled to the data).")
@click.option("--models", "n_models", type=_POSITIVE, help="Ensemble members, combined by "
              "their median (default: 5, or 3 of a wider network; one network with "
              "--checkpoint-every, --nproc or --stateful).")
@click.option("--stateful", is_flag=True, help="Carry the hidden state across windows "
              "(truncated BPTT over contiguous streams; see --set bptt=N).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--fill", type=click.Choice(FILL_METHODS), help="Fill missing values first "
              "(with --freq: add the missing timestamps too; drop: remove rows with gaps).")
@click.option("--missing", type=click.Choice(MISSING), default="auto", show_default=True,
              help="Empty cells: mask learns around them (a missing-indicator input, left out "
              "of the loss); raise stops with an error; auto masks when DATA has any.")
@click.option("--freq", help="Frequency of the data, a pandas alias such as D, B (business "
              "days), h, W, MS (default: inferred); timestamps missing at it become gaps "
              "(or --fill them).")
@TIME_OPTIONS
@TZ_OPTION
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Any other RNNForecaster parameter, e.g. --set lr=0.003 --set "
              "window_norm=mean.")
@click.option("--quantiles", type=LEVELS, help="Also learn these quantile levels, e.g. "
              "0.05,0.5,0.95 (pinball loss; the point forecast is the 0.5 level).")
@click.option("--checkpoint-every", type=_POSITIVE, metavar="N",
              help="Write a resumable checkpoint to the model folder every N epochs.")
@click.option("--resume", "resume_dir", type=click.Path(path_type=Path), metavar="MODEL_DIR",
              help="Finish the interrupted fit whose checkpoint is in MODEL_DIR (DATA and the "
              "other options come from the checkpoint).")
@click.option("--nproc", type=_POSITIVE, default=1, show_default=True, help="Train "
              "data-parallel in N local processes (torchrun's launcher; DDP, gloo on CPU, "
              "nccl on GPUs), each on its share of the series (needs --id-col).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def fit(ctx, data, model_dir, target, time_col, id_col, past_covariates, future_covariates,
        static_covariates, static_path, id_embedding, lookback, horizon, cell, head,
        hidden_size, layers, epochs, n_models, stateful, seed, fill, missing, freq, dayfirst,
        date_format, round_to, tz, overrides, quantiles, checkpoint_every, resume_dir, nproc,
        quiet):
    """Train a forecaster on DATA (a CSV or Parquet file) and save it to a model folder.

    The model trains on every row. Its validation table scores a copy trained without the
    last HORIZON rows (several horizons on long series) there, beside seasonal naive.

    \b
    With --checkpoint-every N, Ctrl-C (or a crash) leaves the last checkpoint in the model
    folder; `tsrnn fit --resume MODEL_DIR` finishes the fit with the same result as an
    uninterrupted run.

    \b
    Example:
      tsrnn fit sales.csv --time-col date --id-col store --target sales \\
          --horizon 14 --epochs 30 -o model/
      tsrnn fit sales.csv --epochs 100 --checkpoint-every 5 -o model/
      tsrnn fit --resume model/
      tsrnn fit big.parquet --id-col store --nproc 4 -o model/

    \b
    With --nproc N (or in every process of a `torchrun ... -m tsrnn.cli fit ...` launch),
    each process reads and trains on its share of the series (a Parquet file is filtered
    while it is read), gradients are averaged (DDP) and the global batch stays batch_size;
    rank 0 writes the checkpoints and the model.
    """
    if nproc > 1 and not launched():
        if resume_dir is None and id_col is None:
            raise ConfigError("--nproc splits the data by series; give --id-col")
        if resume_dir is None:
            check_model_output(model_dir, {"DATA": data})
        return launch(nproc, resume_dir or model_dir, ctx.find_root().params.get("debug"))
    with peer_errors():
        _fit(data, model_dir, target, time_col, id_col, past_covariates, future_covariates,
             (static_covariates, static_path, id_embedding), lookback, horizon, cell, head,
             hidden_size, layers, epochs, n_models, stateful, seed, (fill, missing),
             (freq, dayfirst, date_format, tz, round_to), overrides, quantiles,
             checkpoint_every,
             resume_dir, quiet)
    if launched():
        end_worker()  # a worker of a data-parallel fit: all done, leave without teardown


def _fit(data, model_dir, target, time_col, id_col, past_covariates, future_covariates, statics,
         lookback, horizon, cell, head, hidden_size, layers, epochs, n_models, stateful, seed,
         gaps, times, overrides, quantiles, checkpoint_every, resume_dir, quiet):
    """``gaps``: (``--fill``, ``--missing``); ``times``: (``--freq``, ``--dayfirst``,
    ``--date-format``, ``--tz``, ``--round``)."""
    fill, missing = gaps
    if resume_dir is not None:
        return _resume(resume_dir, data, quiet)
    if data is None:
        raise click.UsageError("missing DATA (a CSV or Parquet file), or --resume MODEL_DIR")
    static_covariates, static_path, id_embedding = statics
    check_model_output(model_dir, {"DATA": data, "--static": static_path})
    extra = parse_sets(overrides, taken=OPTION_OF)
    freq, dayfirst, date_format, tz, round_to = times
    roles = dict(time_col=time_col, id_col=id_col, target=target,
                 past_covariates=past_covariates, future_covariates=future_covariates,
                 static_covariates=static_covariates)
    frame, panel, all_ids = _read(data, roles, fill, extra.get("device", "auto"), freq,
                                  (dayfirst, date_format, tz, round_to), missing, static_path)
    # the data is read and checked before torch loads: a bad file is refused in a second
    check_set_keys(extra, tsrnn.RNNForecaster().get_params(), taken=OPTION_OF)
    horizon = horizon or _horizon(panel)
    shared = "" if all_ids is None else f" over {len(all_ids)} series in all"
    say(f"Series: {panel.n_series}{shared}, rows: {int(panel.lengths.sum())}, frequency: "
        f"{panel.freq or 'integer steps'}; targets: {', '.join(map(str, panel.roles.target))}")
    given = dict(lookback=lookback, hidden_size=hidden_size, epochs=epochs, n_models=n_models)
    params = dict(horizon=horizon, cell=cell, head=head, num_layers=layers, stateful=stateful,
                  random_state=seed, id_embedding=id_embedding,
                  verbose=not quiet and _writer(), freq=freq, missing=missing, **roles,
                  **{k: v for k, v in given.items() if v is not None})
    params.update(extra, **({"quantiles": quantiles} if quantiles else {}))
    params["distributed"] = all_ids is not None
    model = tsrnn.RNNForecaster(**params)
    checkpoint = None
    if checkpoint_every:
        note = {"data": str(Path(data).resolve()), "fill": fill, "dayfirst": dayfirst,
                "date_format": date_format, "tz": tz, "round": round_to}
        checkpoint = tsrnn.forecast.Checkpointing(model_dir, checkpoint_every, note)
    tic = time.perf_counter()
    with _interrupt_note(model_dir if checkpoint else None), epoch_lines(params["verbose"]):
        model.fit(_sharded(frame, all_ids), checkpoint=checkpoint,
                  static=_keyed(panel) if static_path else None)
    _finish(model, panel, model_dir, time.perf_counter() - tic)


def _finish(model, panel, model_dir, seconds) -> None:
    """Save the fitted model and report what was chosen and how it scored on validation."""
    if not _writer():  # another worker of a data-parallel fit: rank 0 reports and saves
        return
    model.save(model_dir)
    say(f"Configuration: {tsrnn.forecast.describe(model.config_)}")
    note = _short_note(model, panel)
    if note:
        say(note)
    validation = getattr(model, "validation_", None)
    if validation:
        say(f"Validation: the last {validation['rows']} rows of {validation['series']} series "
            f"({validation.get('origins', 1)} forecast(s) of {model.config_['horizon']} steps "
            "each), by a copy of the model trained without them"
            + (f" ({validation['left_out']} series too short to score)"
               if validation["left_out"] else ""))
        echo_table(_scores(validation).round(4))
        if tsrnn.forecast.smape_unfair(validation):
            say(f"({100 * validation['zeros']:.0f}% of the held-out values are 0, where sMAPE "
                "scores any other forecast as 200%: the model is judged by MASE)")
        if tsrnn.forecast.lost(validation):
            ours, theirs = validation["model"], validation["seasonal_naive"]
            more = ("--models 5, " if model.config_["n_models"] < 5 else "")
            click.echo(f"Warning: the model lost to seasonal naive on validation (sMAPE "
                       f"{ours['smape']:.2f} vs {theirs['smape']:.2f}, MASE "
                       f"{fmt_score(ours['mase'])} vs {fmt_score(theirs['mase'])}); try "
                       f"{more}more history, or --set fallback=seasonal_naive",
                       err=True)
    elif model.distributed:
        say("Validation: not scored in a data-parallel fit (run tsrnn backtest on held-out "
            "rows)")
    click.echo(f"trained {len(model.history_)} epochs in {seconds:.1f} s; model written to "
               f"{model_dir}/")


@contextlib.contextmanager
def _interrupt_note(model_dir):
    """On Ctrl-C, say where the last checkpoint is and how to resume."""
    try:
        yield
    except KeyboardInterrupt:
        info = None
        if model_dir is not None and Path(model_dir).is_dir():
            with contextlib.suppress(TsrnnError):
                info = tsrnn.forecast.checkpoint_info(model_dir)
        if info is None:
            raise
        say(f"Interrupted; the checkpoint of epoch {info['epoch']} is in {model_dir}/. "
            f"Continue with: tsrnn fit --resume {model_dir}{resume_hint()}")
        sys.exit(130)


def _resume(model_dir: Path, data: Path | None, quiet: bool) -> None:
    info = tsrnn.forecast.checkpoint_info(model_dir)
    if info is None:
        raise ConfigError(f"{model_dir} holds a finished model, not a training checkpoint; "
                          "there is nothing to resume")
    note = info.get("note") or {}
    if data is None and not note.get("data"):
        raise click.UsageError(f"the checkpoint in {model_dir} does not name its data file; "
                               "pass DATA")
    data = Path(data or note["data"])
    model = tsrnn.load(model_dir)
    roles = dict(time_col=model.time_col, id_col=model.id_col, target=model.target,
                 past_covariates=model.past_covariates,
                 future_covariates=model.future_covariates)
    frame, panel, all_ids = _read(data, roles, note.get("fill"), model.device, model.freq,
                                  (note.get("dayfirst", False), note.get("date_format"),
                                   note.get("tz"), note.get("round")),
                                  model.missing)
    say(f"Resuming from epoch {info['epoch']} of {info['epochs']} ({data})")
    tic = time.perf_counter()
    with _interrupt_note(model_dir), epoch_lines(not quiet):
        model = tsrnn.forecast.resume(model_dir, _sharded(frame, all_ids))
    _finish(model, panel, model_dir, time.perf_counter() - tic)
