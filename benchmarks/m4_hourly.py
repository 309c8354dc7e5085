"""M4 Hourly accuracy: one global ``tsrnn.RNNForecaster`` on all 414 hourly series of M4.

Reads ``m4/Hourly-train.csv`` and ``m4/Hourly-test.csv`` from the shared data folder
(``../shared/data`` relative to the repository root; ``TSRNN_SHARED_DATA`` or ``--data`` point
elsewhere). Each CSV row is one series: ``V1`` is the id (``H1`` ...), then the values, ragged
with empty cells at the end. The series have no timestamps, so they become a long frame
``(id, t, y)`` with an integer step ``t`` and the forecaster runs with ``time_col="t"``.

One forecaster (or the mean of ``--seeds`` of them) is trained on every training series, forecasts
the 48 test steps of each, and is scored with the M4 definitions (``tsrnn.metrics.point``):

* sMAPE = mean(200 |y - yhat| / (|y| + |yhat|)) over all series and steps;
* MASE = per series, the MAE divided by the in-sample seasonal-naive MAE (m = 24), then averaged.

Seasonal naive and Naive2 (M4's benchmark) are computed in the same run as references. The
table (markdown) shows sMAPE, MASE and wall-clock seconds of fitting and predicting; the 414 x 48
forecasts go to ``--out`` (columns ``id, step, forecast``, step 1..48).

With ``--quantiles`` (levels 0.025, 0.5, 0.975 unless given, e.g. ``--quantiles
0.025,0.1,0.5,0.9,0.975``) the forecaster also learns quantiles (pinball loss; the point forecast
is the median) and a second table scores the intervals on the test file: pinball loss, CRPS
(from the quantiles), and for every central interval its empirical coverage and M4's MSIS
(``tsrnn.metrics``), beside the seasonal-naive intervals of the M4 benchmarks (seasonal naive
+- z sigma sqrt(k), sigma from the in-sample seasonal-naive residuals, k the season ahead; and the
same with a constant width) computed in the same run.

Run ``python benchmarks/m4_hourly.py --help`` for the options. A quick smoke run:
``python benchmarks/m4_hourly.py --max-series 40 --epochs 1``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import tsrnn
from tsrnn import RNNForecaster
from tsrnn.metrics import (
    check_levels,
    mase,
    naive2_forecast,
    score_quantiles,
    seasonal_naive_forecast,
    seasonal_naive_quantiles,
    smape,
)

HORIZON = 48
SEASON = 24
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- data


def data_dir(option: str | None) -> Path:
    """The shared data folder: ``--data``, else ``TSRNN_SHARED_DATA``, else ``../shared/data``."""
    folder = option or os.environ.get("TSRNN_SHARED_DATA") or REPO.parent / "shared" / "data"
    return Path(folder)


def read_m4(path: Path) -> dict[str, np.ndarray]:
    """One M4 CSV -> ``{id: values}``, the empty trailing cells dropped."""
    if not path.is_file():
        sys.exit(f"error: {path} not found; point --data or TSRNN_SHARED_DATA at the shared "
                 "data folder (the one holding m4/Hourly-train.csv)")
    frame = pd.read_csv(path, index_col=0)
    out = {}
    for sid, row in frame.iterrows():
        values = row.to_numpy(dtype=np.float64)
        out[str(sid)] = values[~np.isnan(values)]
    return out


def load(folder: Path, max_series: int | None) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    """Ids, training series and the ``(n, 48)`` test block (evenly spaced subset if asked)."""
    train = read_m4(folder / "m4" / "Hourly-train.csv")
    test = read_m4(folder / "m4" / "Hourly-test.csv")
    ids = list(train)
    if max_series and max_series < len(ids):
        ids = [ids[i] for i in np.linspace(0, len(ids) - 1, max_series).round().astype(int)]
    missing = [sid for sid in ids if sid not in test or len(test[sid]) != HORIZON]
    if missing:
        sys.exit(f"error: the test file lacks {HORIZON} values for {len(missing)} series, "
                 f"first {missing[0]!r}")
    return ids, [train[sid] for sid in ids], np.stack([test[sid] for sid in ids])


def long_frame(ids: list[str], series: list[np.ndarray]) -> pd.DataFrame:
    """Long frame ``(id, t, y)`` with integer steps ``t = 0, 1, ...`` per series."""
    return pd.DataFrame({
        "id": np.repeat(ids, [len(s) for s in series]),
        "t": np.concatenate([np.arange(len(s)) for s in series]).astype(np.int64),
        "y": np.concatenate(series),
    })


# --------------------------------------------------------------------------- models


def make_model(args: argparse.Namespace, seed: int) -> RNNForecaster:
    return RNNForecaster(
        id_col="id", time_col="t", target="y", horizon=HORIZON, lookback=args.lookback,
        cell=args.cell, head=args.head, hidden_size=args.hidden_size, num_layers=args.layers,
        head_hidden=args.head_hidden, patch=args.patch, dropout=args.dropout,
        scaler=args.scaler,
        window_norm=args.window_norm, season=args.season or None, epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr, loss=args.loss, stride=args.stride, random_state=seed, device="cpu",
        lr_schedule=None if args.lr_schedule == "constant" else args.lr_schedule,
        target_transform=None if args.target_transform == "none" else args.target_transform,
        verbose=args.verbose, quantiles=args.quantiles or None,
        error_scale=None if args.error_scale == "none" else args.error_scale)


def to_block(forecast: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """``predict()`` output (id, t, y) -> ``(n_series, 48)`` in the order of ``ids``."""
    wide = forecast.pivot(index="id", columns="t", values="y")
    block = np.stack([wide.loc[sid].dropna().to_numpy() for sid in ids])
    if block.shape != (len(ids), HORIZON):
        raise RuntimeError(f"forecast block has shape {block.shape}, expected "
                           f"({len(ids)}, {HORIZON})")
    return block


def fitted(args: argparse.Namespace, frame: pd.DataFrame, folder: str | None):
    """``(model, fit seconds)``: the recipe of ``args`` loaded from ``folder`` when it holds
    one (with the seconds its fit took), else fitted on ``frame`` (and saved there)."""
    seconds = Path(folder or ".") / "fit_seconds.txt"
    if folder and Path(folder).is_dir():
        return tsrnn.load(folder), float(seconds.read_text()) if seconds.exists() else None
    model = make_model(args, args.seed)
    tic = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - tic
    if folder:
        model.save(folder)
        seconds.write_text(f"{fit_s:.3f}")
    return model, fit_s


def quantile_block(forecast: pd.DataFrame, ids: list[str], levels: list[float]) -> np.ndarray:
    """``predict_quantiles()`` output (id, t, y_q...) -> ``(n_series, 48, Q)``."""
    columns = [f"y_q{q:g}" for q in levels]
    return np.stack([to_block(forecast[["id", "t", c]].rename(columns={c: "y"}), ids)
                     for c in columns], axis=-1)


def run_rnn(args, frame, ids) -> tuple[np.ndarray, float, float, list[dict]]:
    """Fit ``--seeds`` forecasters; mean forecast, fit seconds, predict seconds, run notes
    (with ``--quantiles``, ``notes[0]["quantiles"]`` holds the mean quantile block)."""
    blocks, fit_s, pred_s, notes, qblocks = [], 0.0, 0.0, [], []
    for k in range(args.seeds):
        if args.time_budget and k and fit_s + fit_s / k > args.time_budget:
            print(f"# time budget {args.time_budget:.0f} s: stopping after {k} seed(s)",
                  file=sys.stderr)
            break
        model = make_model(args, args.seed + k)
        tic = time.perf_counter()
        model.fit(frame)
        fit_s += time.perf_counter() - tic
        tic = time.perf_counter()
        forecast = model.predict()
        pred_s += time.perf_counter() - tic
        blocks.append(to_block(forecast, ids))
        if args.quantiles:
            qblocks.append(quantile_block(model.predict_quantiles(), ids, args.quantiles))
        losses = [round(r["train_loss"], 4) for r in model.history_]
        notes.append({"seed": args.seed + k, "losses": losses,
                      "epoch_s": [round(r["seconds"], 1) for r in model.history_]})
        print(f"# seed {args.seed + k}: train loss per epoch {losses}, "
              f"fit so far {fit_s:.1f} s", file=sys.stderr)
    if qblocks:  # averaging quantiles over seeds (Vincentization) keeps them ordered
        notes[0]["quantiles"] = np.mean(qblocks, axis=0)
    return np.mean(blocks, axis=0), fit_s, pred_s, notes


def baseline(fn, series: list[np.ndarray]) -> tuple[np.ndarray, float]:
    tic = time.perf_counter()
    block = np.stack([fn(s) for s in series])
    return block, time.perf_counter() - tic


# --------------------------------------------------------------------------- report


def scores(test: np.ndarray, pred: np.ndarray, train: list[np.ndarray]) -> tuple[float, float]:
    return smape(test, pred), mase(test, pred, train, m=SEASON)


def write_forecasts(path: Path, ids: list[str], block: np.ndarray) -> None:
    out = pd.DataFrame({"id": np.repeat(ids, HORIZON),
                        "step": np.tile(np.arange(1, HORIZON + 1), len(ids)),
                        "forecast": block.reshape(-1)})
    out.to_csv(path, index=False)


def describe(args: argparse.Namespace) -> str:
    keys = ("cell", "head", "lookback", "hidden_size", "layers", "head_hidden", "patch", "dropout",
            "scaler", "window_norm", "season", "loss", "epochs", "batch_size", "lr", "lr_schedule",
            "target_transform", "stride",
            "seeds", "quantiles", "error_scale")
    return ", ".join(f"{k}={getattr(args, k)}" for k in keys)


def report(args, rows: list[tuple], n_series: int) -> None:
    print(f"## M4 Hourly ({n_series} series, horizon {HORIZON}, m={SEASON}) -- {date.today()}\n")
    print(f"- machine: {platform.machine()}, {os.cpu_count()} CPU(s), torch "
          f"{torch.__version__}, {torch.get_num_threads()} thread(s)")
    print(f"- RNN: {describe(args)}\n")
    print("| method | sMAPE | MASE | fit s | predict s |")
    print("|---|---:|---:|---:|---:|")
    for name, s, m, fit_s, pred_s in rows:
        fit = "-" if fit_s is None else f"{fit_s:.1f}"
        print(f"| {name} | {s:.3f} | {m:.3f} | {fit} | {pred_s:.2f} |")


def interval_report(test: np.ndarray, train: list[np.ndarray], levels: list[float],
                    rnn_q: np.ndarray, label: str) -> None:
    """Interval scores of the RNN's quantiles beside seasonal-naive intervals, same test file."""
    rows = [(label, rnn_q)]
    for widen in ("sqrt", "constant"):
        block = np.stack([seasonal_naive_quantiles(s, HORIZON, SEASON, levels, widen)
                          for s in train])
        rows.append((f"seasonal naive +- z sigma {'sqrt(k)' if widen == 'sqrt' else '(constant)'}",
                     block))
    scored = [(name, score_quantiles(test, block, levels, train, m=SEASON)) for name, block in rows]
    keys = [k for k in scored[0][1] if k != "crps"] + ["crps"]
    print(f"\n### Intervals (levels {', '.join(f'{q:g}' for q in levels)}; coverage: fraction "
          f"of the {test.size} test values inside; MSIS with m={SEASON})\n")
    print("| method | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for name, scores in scored:
        print(f"| {name} | " + " | ".join(f"{scores[k]:.3f}" for k in keys) + " |")


# --------------------------------------------------------------------------- main


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", help="shared data folder (holding m4/); default "
                   "$TSRNN_SHARED_DATA or ../shared/data")
    p.add_argument("--out", default="", help="write the forecasts to this CSV (default: none)")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--lookback", type=int, default=168)
    p.add_argument("--cell", choices=("rnn", "lstm", "gru"), default="lstm")
    p.add_argument("--hidden-size", type=int, default=64)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--head", choices=("direct", "seq2seq", "recursive"), default="direct")
    p.add_argument("--head-hidden", type=int, default=0)
    p.add_argument("--patch", type=int, default=1, help="input rows per recurrent step")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--scaler", choices=("standard", "robust", "minmax", "none"),
                   default="standard")
    p.add_argument("--window-norm", choices=("none", "mean", "last", "standard"), default="mean")
    p.add_argument("--season", type=int, default=24,
                   help="learn corrections to seasonal naive with this m (0 = off)")
    p.add_argument("--loss", choices=("mae", "mse", "huber"), default="mae")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--target-transform", choices=("none", "log"), default="none",
                   help="model log(y) (relative errors, as sMAPE counts them)")
    p.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant",
                   help="constant lr, or cosine decay to zero over the fit")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--stride", type=int, default=4)
    p.add_argument("--seeds", type=int, default=1, help="models averaged (seeds seed..)")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")
    p.add_argument("--max-series", type=int, default=0,
                   help="evenly spaced subset of series for a smoke run (0 = all 414)")
    p.add_argument("--time-budget", type=float, default=0.0,
                   help="seconds of fitting after which no further seed is started "
                        "(if the next would exceed it; 0 = no limit)")
    p.add_argument("--verbose", action="store_true", help="progress bar per fit")
    p.add_argument("--quantiles", nargs="?", const="0.025,0.5,0.975", default="",
                   help="also learn these quantile levels (comma-separated; the flag alone: "
                        "0.025,0.5,0.975) and score the intervals")
    p.add_argument("--error-scale", choices=("auto", "none", "mase"), default="auto",
                   help="error_scale of the forecaster (auto: mase with --quantiles, else none)")
    args = p.parse_args(argv)
    try:
        levels = [float(v) for v in args.quantiles.split(",")] if args.quantiles else []
        args.quantiles = list(check_levels(levels)) if levels else []
    except ValueError as exc:  # bad numbers, or tsrnn's ConfigError
        p.error(f"--quantiles {args.quantiles!r}: {exc}")
    if args.error_scale == "auto":
        args.error_scale = "mase" if args.quantiles else "none"
    args.scaler = None if args.scaler == "none" else args.scaler
    args.window_norm = None if args.window_norm == "none" else args.window_norm
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ids, train, test = load(data_dir(args.data), args.max_series)
    frame = long_frame(ids, train)
    rnn, fit_s, pred_s, notes = run_rnn(args, frame, ids)
    snaive, snaive_s = baseline(lambda s: seasonal_naive_forecast(s, HORIZON, SEASON), train)
    naive2, naive2_s = baseline(lambda s: naive2_forecast(s, HORIZON, SEASON), train)
    label = f"tsrnn {args.cell}" + (f" x{len(notes)} seeds" if len(notes) > 1 else "")
    rows = [(label, *scores(test, rnn, train), fit_s, pred_s),
            ("seasonal naive", *scores(test, snaive, train), None, snaive_s),
            ("Naive2", *scores(test, naive2, train), None, naive2_s)]
    report(args, rows, len(ids))
    if args.quantiles:
        interval_report(test, train, args.quantiles, notes[0]["quantiles"], label)
    if args.out:
        write_forecasts(Path(args.out), ids, rnn)


if __name__ == "__main__":
    main()
