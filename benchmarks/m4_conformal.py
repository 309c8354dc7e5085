"""M4 Hourly conformal intervals: a point ``RNNForecaster`` calibrated without retraining.

The point recipe of ``benchmarks/m4_hourly.py`` (its options, the same defaults) is fitted once
(``validate=True``, as every default fit), then ``model.calibrate(train, windows=W)`` backtests
the last ``W`` horizons of every training series in one pass and keeps the scaled residuals;
``predict_quantiles`` gives the 80% and 95% intervals. They are scored beside the M4
seasonal-naive intervals (``tsrnn.metrics.seasonal_naive_quantiles``): coverage, MSIS (m = 24)
and the pinball loss, with :func:`tsrnn.metrics.score_quantiles`.

``--split validation`` (the default) fits on each training series without its last 48 values
and scores those 48: the calibration settings (``--windows``, the inflation of in-sample
residuals by the out-of-sample validation MASE) are chosen here. ``--split test`` fits on the
whole training files and scores the test files: run it once, with the chosen settings.

Calibration seconds are timed against the fit seconds (bar: below 10%). Example:
``python benchmarks/m4_conformal.py --split validation --windows 1,3,5 --threads 1``; a smoke
run: ``--max-series 40 --epochs 1``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import m4_hourly as m4  # noqa: E402  (the loaders and the recipe's options)

from tsrnn.metrics import score_quantiles, seasonal_naive_quantiles  # noqa: E402

LEVELS = [0.025, 0.1, 0.5, 0.9, 0.975]
RECIPE = ("--epochs 16 --stride 4 --window-norm standard --head-hidden 256 --target-transform "
          "log --patch 24 --season 24 --hidden-size 128 --lr-schedule cosine").split()


def split_data(args, ids, train, test):
    """(fit histories, actuals ``(S, 48)``) of the split."""
    if args.split == "validation":
        return [s[:-m4.HORIZON] for s in train], np.stack([s[-m4.HORIZON:] for s in train])
    return train, test


def calibrated_rows(args, model, frame, ids, actual, history):
    """One scored row per calibration setting: (name, seconds, inflation, scores)."""
    rows = []
    for windows in args.windows:
        tic = time.perf_counter()
        model.calibrate(frame, windows=windows)
        cal_s = time.perf_counter() - tic
        inflation = model.conformal_.inflation
        for inflated in (True, False) if args.split == "validation" else (True,):
            model.conformal_.inflation = inflation if inflated else 1.0
            block = m4.quantile_block(model.predict_quantiles(levels=LEVELS), ids, LEVELS)
            name = f"conformal, {windows} window(s){'' if inflated else ', no inflation'}"
            rows.append((name, cal_s, model.conformal_.inflation,
                         score_quantiles(actual, block, LEVELS, history, m=m4.SEASON)))
        model.conformal_.inflation = inflation
    return rows


def naive_rows(actual, history):
    block = np.stack([seasonal_naive_quantiles(s, m4.HORIZON, m4.SEASON, LEVELS, "sqrt")
                      for s in history])
    return [("seasonal naive +- z sigma sqrt(k)", None, None,
             score_quantiles(actual, block, LEVELS, history, m=m4.SEASON))]


def report(args, rows, fit_s, n_series) -> None:
    print(f"## M4 Hourly conformal intervals, {args.split} split ({n_series} series), "
          f"point recipe, fit {fit_s:.1f} s\n")
    keys = ["coverage_95", "msis_95", "coverage_80", "msis_80", "pinball"]
    print("| method | calibrate s | % of fit | inflation | " + " | ".join(keys) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(keys))
    for name, cal_s, inflation, scores in rows:
        cal = "- | -" if cal_s is None else f"{cal_s:.2f} | {100 * cal_s / fit_s:.1f}"
        infl = "-" if inflation is None else f"{inflation:.3f}"
        print(f"| {name} | {cal} | {infl} | " + " | ".join(f"{scores[k]:.3f}" for k in keys)
              + " |")


def parse_args(argv=None):
    """This script's options; the rest go to ``m4_hourly.py``'s parser after the recipe."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], add_help=False)
    p.add_argument("--split", choices=("validation", "test"), default="validation")
    p.add_argument("--windows", default="5", help="calibration windows to try, e.g. 1,3,5")
    p.add_argument("--model", default="", help="save the fit here, or load it if it exists")
    own, rest = p.parse_known_args(argv)
    args = m4.parse_args(RECIPE + rest)
    args.split, args.model = own.split, own.model
    args.windows = [int(w) for w in own.windows.split(",")]
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ids, train, test = m4.load(m4.data_dir(args.data), args.max_series)
    history, actual = split_data(args, ids, train, test)
    frame = m4.long_frame(ids, history)
    model, fit_s = m4.fitted(args, frame, args.model)
    rows = calibrated_rows(args, model, frame, ids, actual, history) + naive_rows(actual, history)
    report(args, rows, fit_s, len(ids))


if __name__ == "__main__":
    main()
