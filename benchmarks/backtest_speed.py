"""RNN-aware backtesting: 500 origins on a 10,000-step series, batched vs one predict() per origin.

Bar (issue 8): the batched backtest is >= 20x faster than a loop calling ``predict()`` per origin,
for a stateless and a stateful forecaster, with forecasts equal to 1e-5.

    python benchmarks/backtest_speed.py [--origins 500] [--loop-sample 50]

The per-origin loop is timed on ``--loop-sample`` origins and scaled to all of them (the loop's
cost per origin is constant); its forecasts are compared with the batched ones on that sample.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from tsrnn import RNNForecaster


def data(n=10_000, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24) + 0.5 * rng.standard_normal(n)
    return pd.DataFrame({"y": y}, index=pd.date_range("2020-01-01", periods=n, freq="h"))


def compare(name: str, model, df, origins: int, sample: int) -> str:
    start = len(df) - 24 - (origins - 1) * 10
    tic = time.perf_counter()
    result = model.backtest(df, start=start, stride=10, horizon=24)
    batched = time.perf_counter() - tic
    stamps = result.forecasts.origin.unique()
    picked = stamps[np.linspace(0, len(stamps) - 1, sample).astype(int)]
    tic = time.perf_counter()
    worst = 0.0
    for origin in picked:
        expected = model.predict(df[df.index < origin], horizon=24)["y"].to_numpy()
        got = result.forecasts[result.forecasts.origin == origin].forecast.to_numpy()
        worst = max(worst, float(np.max(np.abs(got - expected))))
    loop = (time.perf_counter() - tic) / sample * len(stamps)
    return (f"| {name} | {len(stamps)} | {batched:.2f} s | {loop:.1f} s | "
            f"**{loop / batched:.0f}x** | {worst:.1e} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=500)
    parser.add_argument("--loop-sample", type=int, default=50)
    args = parser.parse_args()
    df = data()
    train = df.iloc[:5000]
    common = dict(lookback=48, horizon=24, hidden_size=32, epochs=2, random_state=0,
                  device="cpu")
    models = {"stateless (direct)": RNNForecaster(**common).fit(train),
              "stateful": RNNForecaster(**common, stateful=True).fit(train)}
    print("| forecaster | origins | batched backtest | predict() loop | speed-up | max diff |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, model in models.items():
        print(compare(name, model, df, args.origins, args.loop_sample), flush=True)


if __name__ == "__main__":
    main()
