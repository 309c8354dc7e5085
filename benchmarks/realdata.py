"""The defaults on real data sets they were never tuned on: the series that pip packages bundle.

Every default of tsrnn was chosen on validation windows of M3 Monthly and M4 Hourly. This script
scores the same defaults, untouched, on the small real series that ``statsmodels`` and
``pmdarima`` ship (the peers environment, ``make bench-peers``; never a dependency of tsrnn):
yearly, quarterly, monthly, weekly, business-daily and half-hourly data, with trends, seasons,
cycles and a random walk. Nothing here feeds back into the defaults; run it once for the table.

Protocol. The last ``h`` points of each series are held out (M4's horizons: yearly 6,
quarterly 8, monthly 18, weekly 13, daily 14, half-hourly 48, one day); every model is fitted
on the rest. tsrnn is given only the data description and the horizon
(``RNNForecaster(horizon=h, time_col=..., target=..., id_col=..., random_state=seed)``),
every other parameter ``"auto"``. Beside it, in the same process: seasonal naive (season ``m``
of the frequency; 1 for yearly data) and statsforecast's AutoETS and AutoTheta with the same
``m``. Scores: sMAPE (%) and MASE (in-sample seasonal-naive scale with ``m``), averaged over a
data set's series, and at the end their geometric mean over the data sets relative to
seasonal naive; the last column says whether tsrnn's fit, on its own validation rows, chose
to combine with Theta or naive (``combine="auto"``).

Example: ``python benchmarks/realdata.py --threads 2`` (in the peers environment).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd
import torch

from tsrnn import RNNForecaster
from tsrnn.metrics import seasonal_naive_forecast


def _statsmodels(name: str) -> pd.DataFrame:
    import statsmodels.api as sm

    return getattr(sm.datasets, name).load_pandas().data


def _pmdarima(name: str) -> np.ndarray:
    import pmdarima.datasets as ds

    return np.asarray(getattr(ds, f"load_{name}")(), dtype=np.float64)


def _dated(values, start: str, freq: str, col: str = "y") -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.date_range(start, periods=len(values), freq=freq),
                         col: np.asarray(values, dtype=np.float64)})


def _macro() -> pd.DataFrame:
    m = _statsmodels("macrodata")
    ds = pd.period_range("1959Q1", periods=len(m), freq="Q").to_timestamp()
    cols = ["realgdp", "realcons", "cpi"]
    return pd.concat([pd.DataFrame({"id": c, "ds": ds, "y": m[c].to_numpy()}) for c in cols])


def _elnino() -> pd.DataFrame:
    e = _statsmodels("elnino").set_index("YEAR")
    return _dated(e.to_numpy().ravel(), f"{int(e.index[0])}-01-01", "MS")


def _msft() -> pd.DataFrame:
    """Closing prices on business days, the last ten years (2,520 days); a holiday takes the
    close before it (as price data is customarily filled)."""
    import pmdarima.datasets as ds

    frame = ds.load_msft()
    close = pd.Series(frame["Close"].to_numpy(np.float64),
                      index=pd.DatetimeIndex(pd.to_datetime(frame["Date"])))
    close = close.asfreq("B").ffill().iloc[-2520:]
    return pd.DataFrame({"ds": close.index, "y": close.to_numpy()})


def _years(values, first: int) -> pd.DataFrame:
    return pd.DataFrame({"ds": np.arange(first, first + len(values)),
                         "y": np.asarray(values, dtype=np.float64)})


# name: (loader, horizon, season m for the baselines and MASE, statsforecast freq)
SETS = {
    "nile (statsmodels, yearly)": (lambda: _years(_statsmodels("nile")["volume"], 1871), 6, 1, 1),
    "sunspots (statsmodels, yearly)": (
        lambda: _years(_statsmodels("sunspots")["SUNACTIVITY"], 1700), 6, 1, 1),
    "lynx (pmdarima, yearly)": (lambda: _years(_pmdarima("lynx"), 1821), 6, 1, 1),
    "macrodata: realgdp, realcons, cpi (statsmodels, quarterly)": (_macro, 8, 4, "QS"),
    "ausbeer (pmdarima, quarterly)": (
        lambda: _dated(_pmdarima("ausbeer"), "1956-01-01", "QS").dropna(), 8, 4, "QS"),
    "woolyrnq (pmdarima, quarterly)": (
        lambda: _dated(_pmdarima("woolyrnq"), "1965-01-01", "QS"), 8, 4, "QS"),
    "austres (pmdarima, quarterly)": (
        lambda: _dated(_pmdarima("austres"), "1971-01-01", "QS"), 8, 4, "QS"),
    "airpassengers (pmdarima, monthly)": (
        lambda: _dated(_pmdarima("airpassengers"), "1949-01-01", "MS"), 18, 12, "MS"),
    "wineind (pmdarima, monthly)": (
        lambda: _dated(_pmdarima("wineind"), "1980-01-01", "MS"), 18, 12, "MS"),
    "elnino (statsmodels, monthly)": (_elnino, 18, 12, "MS"),
    "co2 (statsmodels, weekly)": (
        lambda: _statsmodels("co2").interpolate().rename_axis("ds").reset_index()
        .rename(columns={"co2": "y"}), 13, 52, "W-SAT"),
    "msft close (pmdarima, business days)": (_msft, 14, 5, "B"),
    "taylor (pmdarima, half-hourly)": (
        lambda: _dated(_pmdarima("taylor"), "2000-06-05", "30min"), 48, 48, "30min"),
}


def _tail_index(frame: pd.DataFrame, h: int) -> pd.Index:
    """The rows held out: the last ``h`` of each series."""
    return frame.reset_index(drop=True).groupby("id", sort=False).tail(h).index


def scores(actual: np.ndarray, pred: np.ndarray, fit: list, m: int) -> tuple[float, float]:
    """(sMAPE %, MASE), per series, then the mean over series."""
    err = np.abs(actual - pred)
    smape = 200 * np.mean(err / (np.abs(actual) + np.abs(pred)), axis=1)
    scale = np.array([np.mean(np.abs(s[m:] - s[:-m])) for s in fit])
    return float(smape.mean()), float(np.mean(err.mean(axis=1) / scale))


def run_tsrnn(train: pd.DataFrame, ids: list, h: int, seed: int):
    model = RNNForecaster(horizon=h, id_col="id", time_col="ds", target="y", random_state=seed)
    tic = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - tic
    fc = model.predict()
    pred = np.stack([fc.loc[fc["id"] == i, "y"].to_numpy(np.float64) for i in ids])
    chose = (model.validation_ or {}).get("combine") if hasattr(model, "validation_") else None
    return pred, seconds, chose or "-"


def run_statsforecast(train: pd.DataFrame, ids: list, h: int, m: int, freq) -> dict:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    frame = train.rename(columns={"id": "unique_id"})[["unique_id", "ds", "y"]]
    out = {}
    for label, model in (("AutoETS", AutoETS(season_length=m)),
                         ("AutoTheta", AutoTheta(season_length=m))):
        tic = time.perf_counter()
        fc = StatsForecast(models=[model], freq=freq, n_jobs=1).forecast(df=frame, h=h)
        seconds = time.perf_counter() - tic
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
        out[label] = (np.stack([fc.loc[fc["unique_id"] == i, col].to_numpy(np.float64)
                                for i in ids]), seconds)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--only", help="run the data sets whose name contains this text")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print("| data (series, h, m) | tsrnn defaults | seasonal naive | AutoETS | AutoTheta | "
          "tsrnn fit s | ETS fit s | combined with |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    wins, relative = [], {}
    for name, (loader, h, m, freq) in SETS.items():
        if args.only and args.only not in name:
            continue
        frame = loader()
        frame = (frame if "id" in frame.columns else frame.assign(id="y")).reset_index(drop=True)
        test = frame.loc[_tail_index(frame, h)]
        train = frame.drop(index=test.index)
        ids = list(pd.unique(frame["id"]))
        fit = [train.loc[train["id"] == i, "y"].to_numpy(np.float64) for i in ids]
        actual = np.stack([test.loc[test["id"] == i, "y"].to_numpy(np.float64) for i in ids])
        pred, fit_s, chose = run_tsrnn(train, ids, h, args.seed)
        rows = {"tsrnn": scores(actual, pred, fit, m)}
        naive = np.stack([seasonal_naive_forecast(s, h, m) for s in fit])
        rows["naive"] = scores(actual, naive, fit, m)
        peers = run_statsforecast(train, ids, h, m, freq)
        for label, (p, _) in peers.items():
            rows[label] = scores(actual, p, fit, m)
        best = min(rows, key=lambda k: rows[k][0])
        for label, (smape, mase) in rows.items():
            relative.setdefault(label, []).append((smape / rows["naive"][0],
                                                   mase / rows["naive"][1]))
        wins.append((rows["tsrnn"][0] < rows["naive"][0], best == "tsrnn"))
        cells = [f"{s:.2f} / {ms:.3f}" for s, ms in rows.values()]
        cells = [f"**{c}**" if k == best else c for k, c in zip(rows, cells, strict=True)]
        print(f"| {name} ({len(ids)}, {h}, {m}) | {' | '.join(cells)} | {fit_s:.1f} | "
              f"{peers['AutoETS'][1]:.1f} | {chose} |", flush=True)
    print(f"\ntsrnn beats seasonal naive (sMAPE) on {sum(w for w, _ in wins)} of {len(wins)} "
          f"data sets and is the best of the four on {sum(b for _, b in wins)}.")
    print("Geometric mean over the data sets of sMAPE / MASE relative to seasonal naive: " +
          ", ".join(f"{label} {np.exp(np.log(r).mean(axis=0))[0]:.3f} / "
                    f"{np.exp(np.log(r).mean(axis=0))[1]:.3f}"
                    for label, r in ((k, np.array(v)) for k, v in relative.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
