"""Memory beyond the window: does a stateful forecaster use an event older than 4 x lookback?

Synthetic hourly series: a daily-like sine (period 96) plus, once per period, an *event* (a small
spike of random sign s) and, 60 steps later, its *echo* (a large spike of the same sign s). With
lookback 12, the event lies 5 x lookback before the echo: a stateless model sees the echo coming
(the sine gives the phase) but cannot know its sign; a stateful model can, if it learns to keep
one bit for 60 steps. Both models: same lookback, horizon, size; held-out RMSE from a backtest
over the last 20% (every origin). Bar (issue 8): stateful RMSE <= 0.5 x stateless.

    python benchmarks/stateful_memory.py [--seeds 0 1 2] [--epochs 300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch

from tsrnn import RNNForecaster


def series(n=9600, period=96, delay=60, noise=0.05, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)
    for start in range(0, n - period, period):
        s = rng.choice([-1.0, 1.0])
        y[start + 5] += 1.0 * s  # the event
        y[start + 5 + delay] += 6.0 * s  # its echo, delay > 4 x lookback
    return pd.DataFrame({"y": y}, index=pd.date_range("2024-01-01", periods=n, freq="h"))


def held_out_rmse(model, df, split) -> float:
    return model.backtest(df, start=split, stride=1).summary["rmse"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    df = series()
    split = int(0.8 * len(df))
    common = dict(lookback=12, horizon=6, hidden_size=32, loss="mse", device="cpu")
    print("| seed | stateless RMSE | stateful RMSE | ratio | <= 0.5 "
          "| fit s (stateless, stateful) |")
    print("|---|---:|---:|---:|:---:|---|")
    for seed in args.seeds:
        tic = time.perf_counter()
        stateless = RNNForecaster(**common, batch_size=128, epochs=40, lr=3e-3,
                                  random_state=seed).fit(df.iloc[:split])
        t1 = time.perf_counter() - tic
        tic = time.perf_counter()
        stateful = RNNForecaster(**common, stateful=True, batch_size=8, epochs=args.epochs,
                                 lr=1e-2, random_state=seed).fit(df.iloc[:split])
        t2 = time.perf_counter() - tic
        a, b = held_out_rmse(stateless, df, split), held_out_rmse(stateful, df, split)
        print(f"| {seed} | {a:.4f} | {b:.4f} | {b / a:.2f} | {'yes' if b <= 0.5 * a else 'no'} "
              f"| {t1:.1f} / {t2:.1f} |", flush=True)


if __name__ == "__main__":
    main()
