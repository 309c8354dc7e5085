"""Memory beyond the window: does a stateful forecaster use an event older than 4 x lookback?

Synthetic hourly series (``tests/test_stateful.py::echo_series``): a sine (period 32) plus, once
per period, an *event* (a small spike, 0.5, of random sign s) and, ``--delay`` steps later, its
*echo* (a large spike, 4.0, of the same sign s). With lookback 5 and delay 24 the event lies
more than 4 x lookback before the echo but within the stateful model's bptt (8 x lookback = 40):
a stateless model sees the echo coming (the sine gives the phase) but cannot know its sign; a
stateful model can, if it keeps one bit for 24 steps. Both models: same lookback, horizon,
size and epochs; held-out RMSE from a backtest over the last 20% (every origin).
Bar (issue 8): stateful RMSE <= 0.5 x stateless.

    python benchmarks/stateful_memory.py [--seeds 0 1 2 3 4] [--epochs 100] [--delay 24]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from tsrnn import RNNForecaster

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_stateful import echo_series  # noqa: E402  (the test's series, one definition)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--delay", type=int, default=24)
    parser.add_argument("--lookback", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| seed | stateless RMSE | stateful RMSE | ratio | <= 0.5 "
          "| fit s (stateless, stateful) |")
    print("|---|---:|---:|---:|:---:|---|")
    for seed in args.seeds:
        df = echo_series(delay=args.delay, seed=seed)
        split = int(0.8 * len(df))
        common = dict(lookback=args.lookback, horizon=3, hidden_size=32, epochs=args.epochs,
                      lr=3e-3, loss="mse", random_state=seed, device="cpu")
        tic = time.perf_counter()
        stateless = RNNForecaster(**common, batch_size=256).fit(df.iloc[:split])
        t1 = time.perf_counter() - tic
        tic = time.perf_counter()
        stateful = RNNForecaster(**common, stateful=True, batch_size=2).fit(df.iloc[:split])
        t2 = time.perf_counter() - tic
        a = stateless.backtest(df, start=split, stride=1).summary["rmse"]
        b = stateful.backtest(df, start=split, stride=1).summary["rmse"]
        print(f"| {seed} | {a:.4f} | {b:.4f} | {b / a:.2f} | {'yes' if b <= 0.5 * a else 'no'} "
              f"| {t1:.1f} / {t2:.1f} |", flush=True)


if __name__ == "__main__":
    main()
