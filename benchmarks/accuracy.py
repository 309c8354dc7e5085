"""Accuracy of the defaults: tsrnn as a new user runs it, beside statsforecast, on M4 Hourly and
M3 Monthly.

tsrnn is given only the data description and the horizon: ``RNNForecaster(horizon=h,
id_col="id", time_col="ds", target="y", random_state=seed)``; every other parameter keeps its
default (``"auto"``, resolved in ``fit`` from the data). Each series gets real timestamps
(hourly, or month starts), all ending on one common timestamp, so the frequency, and from it the
season, is inferred as it would be from a user's file. statsforecast's SeasonalNaive, AutoETS
and AutoTheta (``season_length`` m) run in the same process when statsforecast is installed
(the peers environment, ``make bench-peers``; never a dependency of tsrnn).

Protocol. ``--split validation`` (the default) scores the last h points of each *training*
series, fitting on the rest: every default was chosen this way. ``--split test`` fits on the
whole training files and scores the test files: run it once, for the table in BENCHMARKS.md.

Scores (M4 definitions, :mod:`tsrnn.metrics`): sMAPE in %, and MASE with the in-sample
seasonal-naive scale (m = 24 hourly, 12 monthly), averaged over series. Fit and predict
seconds are wall clock on this machine, torch with ``--threads`` threads.

Example: ``python benchmarks/accuracy.py --sets m3,m4h --split test --peers``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tsrnn import RNNForecaster
from tsrnn.metrics import seasonal_naive_forecast

REPO = Path(__file__).resolve().parents[1]
SETS = {  # name: (folder, file stem, horizon, season, pandas freq, the common last timestamp)
    "m4h": ("m4", "Hourly", 48, 24, "h", "2017-01-01 00:00"),
    "m3": ("m3", "Monthly", 18, 12, "MS", "2000-12-01"),
}


def data_dir(given: str | None) -> Path:
    return Path(given or os.environ.get("TSRNN_SHARED_DATA") or REPO.parent / "shared" / "data")


def load(name: str, split: str, root: Path, max_series: int | None):
    """(ids, training histories, actuals (S, h)) of one data set and split."""
    folder, stem, h, _, _, _ = SETS[name]
    train = pd.read_csv(root / folder / f"{stem}-train.csv", index_col=0)
    rows = [r.to_numpy(np.float64) for _, r in train.iterrows()]
    rows = [r[~np.isnan(r)] for r in rows]
    ids = [str(i) for i in train.index]
    if split == "validation":
        fit, actual = [r[:-h] for r in rows], np.stack([r[-h:] for r in rows])
    else:
        test = pd.read_csv(root / folder / f"{stem}-test.csv", index_col=0).loc[train.index]
        fit, actual = rows, test.to_numpy(np.float64)[:, :h]
    if max_series:
        ids, fit, actual = ids[:max_series], fit[:max_series], actual[:max_series]
    return ids, fit, actual


def long_frame(name: str, ids: list, series: list) -> pd.DataFrame:
    """``(id, ds, y)``: every series on real timestamps ending at one common timestamp."""
    *_, freq, end = SETS[name]
    stamps = [pd.date_range(end=end, periods=len(s), freq=freq) for s in series]
    return pd.DataFrame({"id": np.repeat(ids, [len(s) for s in series]),
                         "ds": np.concatenate([s.to_numpy() for s in stamps]),
                         "y": np.concatenate(series)})


def scores(actual: np.ndarray, pred: np.ndarray, fit: list, m: int) -> tuple[float, float]:
    """(sMAPE %, MASE): per series, then the mean over series."""
    err = np.abs(actual - pred)
    smape = 200 * np.mean(err / (np.abs(actual) + np.abs(pred)))
    scale = np.array([np.mean(np.abs(s[m:] - s[:-m])) for s in fit])
    return float(smape), float(np.mean(err.mean(axis=1) / scale))


def run_tsrnn(name, ids, fit, seed, overrides):
    _, _, h, *_ = SETS[name]
    frame = long_frame(name, ids, fit)
    model = RNNForecaster(horizon=h, id_col="id", time_col="ds", target="y", random_state=seed,
                          **overrides)
    tic = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - tic
    tic = time.perf_counter()
    fc = model.predict()
    predict_s = time.perf_counter() - tic
    wide = fc.pivot_table(index="id", columns="ds", values="y").loc[ids]
    return wide.to_numpy(np.float64), fit_s, predict_s, model


def run_statsforecast(name, ids, fit, n_jobs):
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive

    _, _, h, m, freq, _ = SETS[name]
    frame = long_frame(name, ids, fit).rename(columns={"id": "unique_id"})
    out = {}
    for label, model in (("statsforecast SeasonalNaive", SeasonalNaive(season_length=m)),
                         ("statsforecast AutoETS", AutoETS(season_length=m)),
                         ("statsforecast AutoTheta", AutoTheta(season_length=m))):
        sf = StatsForecast(models=[model], freq=freq, n_jobs=n_jobs)
        tic = time.perf_counter()
        fc = sf.forecast(df=frame, h=h)
        seconds = time.perf_counter() - tic
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
        wide = fc.pivot_table(index="unique_id", columns="ds", values=col).loc[ids]
        out[label] = (wide.to_numpy(np.float64), seconds)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="m3,m4h", help="comma-separated: m3, m4h")
    ap.add_argument("--split", choices=["validation", "test"], default="validation")
    ap.add_argument("--data", help="the shared data folder (default ../shared/data)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--max-series", type=int, help="a quick run on the first N series")
    ap.add_argument("--peers", action="store_true", help="also run statsforecast")
    ap.add_argument("--set", dest="sets_", action="append", default=[], metavar="KEY=VALUE",
                    help="override a tsrnn parameter (for exploring on --split validation)")
    ap.add_argument("--json", help="append one JSON line per data set to this file")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    overrides = {k: json.loads(v) if v[:1] in "[{0123456789-tfn" else v
                 for k, v in (s.split("=", 1) for s in args.sets_)}
    root = data_dir(args.data)
    for name in args.sets.split(","):
        _, stem, h, m, _, _ = SETS[name]
        ids, fit, actual = load(name, args.split, root, args.max_series)
        rows = []
        pred, fit_s, pred_s, model = run_tsrnn(name, ids, fit, args.seed, overrides)
        rows.append(("tsrnn defaults", *scores(actual, pred, fit, m), fit_s, pred_s))
        naive = np.stack([seasonal_naive_forecast(s, h, m) for s in fit])
        rows.append(("seasonal naive (tsrnn.metrics)", *scores(actual, naive, fit, m), 0.0, 0.0))
        if args.peers:
            for label, (p, seconds) in run_statsforecast(name, ids, fit, args.threads).items():
                rows.append((label, *scores(actual, p, fit, m), seconds, float("nan")))
        print(f"\n## {stem} ({name}), {len(ids)} series, h={h}, m={m}, split={args.split}")
        print("| model | sMAPE | MASE | fit s | predict s |\n|---|---:|---:|---:|---:|")
        for label, s, ms, fs, ps in rows:
            print(f"| {label} | {s:.3f} | {ms:.3f} | {fs:.1f} | {ps:.2f} |")
        resolved = {k: model.config_[k] for k in ("lookback", "season", "patch",
                                                   "target_transform", "hidden_size",
                                                   "head_hidden", "batch_size", "max_steps",
                                                   "epochs", "n_models")}
        print(f"resolved: {resolved}")
        print(f"validation_ (fit's own check): {getattr(model, 'validation_', None)}")
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps({"set": name, "split": args.split, "overrides": overrides,
                                    "rows": rows, "resolved": resolved}) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
