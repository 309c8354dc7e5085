"""Gaps learned around: M3 Monthly with 10% of the training values removed, three ways.

- ``complete``: the defaults on the complete data (the reference);
- ``mask``: the defaults on the data with gaps, ``missing="mask"`` (indicator channels, missing
  targets out of the loss; :mod:`tsrnn.forecast.missing`);
- ``interpolate``: the gaps filled by linear interpolation per series
  (:func:`tsrnn.data.fill_missing`), then a normal fit (``missing="raise"``).

The gaps. In each series of the training file (``n`` values), ``round(frac * n)`` values are
removed at random (``numpy.random.default_rng(seed)``, series by series), never among its first
season (12 values) nor its last horizon + season (30 values): so the validation actuals (the
last horizon of the training file) are complete, the last season before every forecast is
complete, and the older part of every forecast window holds gaps. The same gaps serve both
splits; the validation split fits on the training file without its last horizon.

Scores as in ``benchmarks/accuracy.py`` (sMAPE %, MASE with m = 12), every variant against the
same actuals and the same MASE scale (the complete history). Choose settings with
``--split validation`` (the default); run ``--split test`` once, for BENCHMARKS.md.

Example: ``python benchmarks/missing.py --split test --threads 2``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import SETS, data_dir, load, long_frame, scores  # noqa: E402

from tsrnn import RNNForecaster  # noqa: E402
from tsrnn.data import fill_missing  # noqa: E402

VARIANTS = ("complete", "mask", "interpolate")
KEEP_HEAD = 12  # the first season of each series keeps its values
KEEP_TAIL = 18 + 12  # and so do its last horizon + season


def remove_values(series: list, frac: float, seed: int) -> list:
    """Copies of ``series`` (training files, complete) with ``round(frac * n)`` values of
    each set to NaN, never in the first ``KEEP_HEAD`` or the last ``KEEP_TAIL``."""
    rng = np.random.default_rng(seed)
    out = []
    for s in series:
        s = s.copy()
        eligible = np.arange(KEEP_HEAD, len(s) - KEEP_TAIL)
        n = min(int(round(frac * len(s))), len(eligible))
        s[rng.choice(eligible, n, replace=False)] = np.nan
        out.append(s)
    return out


def fit_and_score(name, ids, fit, complete_fit, actual, variant, seed, overrides):
    """(sMAPE, MASE, fit seconds, the fitted model) of one variant."""
    _, _, h, m, *_ = SETS[name]
    frame = long_frame(name, ids, fit)
    params = dict(horizon=h, id_col="id", time_col="ds", target="y", random_state=seed)
    if variant == "mask":
        params["missing"] = "mask"
    elif variant == "interpolate":
        frame = fill_missing(frame, "interpolate", ["y"], id_col="id", time_col="ds")
        params["missing"] = "raise"
    model = RNNForecaster(**params, **overrides)
    tic = time.perf_counter()
    model.fit(frame)
    seconds = time.perf_counter() - tic
    fc = model.predict()
    pred = fc.pivot_table(index="id", columns="ds", values="y").loc[ids].to_numpy(np.float64)
    smape, mase = scores(actual, pred, complete_fit, m)
    return smape, mase, seconds, model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["validation", "test"], default="validation")
    ap.add_argument("--data", help="the shared data folder (default ../shared/data)")
    ap.add_argument("--seed", type=int, default=0, help="the model's seed")
    ap.add_argument("--gap-seed", type=int, default=0, help="the seed of the removed values")
    ap.add_argument("--frac", type=float, default=0.1, help="share of each series removed")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--max-series", type=int, help="a quick run on the first N series")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--set", dest="sets_", action="append", default=[], metavar="KEY=VALUE",
                    help="an RNNForecaster parameter for every variant (JSON value)")
    ap.add_argument("--json", help="append one JSON line per variant to this file")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.sets_)}
    root = data_dir(args.data)
    ids, whole, _ = load("m3", "test", root, args.max_series)  # the training files, complete
    gapped = remove_values(whole, args.frac, args.gap_seed)
    h = SETS["m3"][2]
    if args.split == "validation":
        actual = np.stack([s[-h:] for s in whole])
        complete, gapped = [s[:-h] for s in whole], [s[:-h] for s in gapped]
    else:
        _, complete, actual = load("m3", "test", root, args.max_series)
    removed = sum(int(np.isnan(s).sum()) for s in gapped)
    print(f"M3 Monthly, {args.split}: {len(ids)} series, {removed} of "
          f"{sum(len(s) for s in gapped)} training values removed", flush=True)
    for variant in args.variants.split(","):
        fit = complete if variant == "complete" else gapped
        smape, mase, seconds, model = fit_and_score("m3", ids, fit, complete, actual, variant,
                                                    args.seed, overrides)
        print(f"{variant:12s} sMAPE {smape:6.3f}  MASE {mase:.3f}  fit {seconds:6.1f} s  "
              f"(missing={model.config_['missing']}, combine="
              f"{(getattr(model, 'validation_', None) or {}).get('combine')})", flush=True)
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps({"split": args.split, "variant": variant, "smape": smape,
                                    "mase": mase, "fit_s": seconds, "frac": args.frac,
                                    "series": len(ids), "overrides": overrides}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
