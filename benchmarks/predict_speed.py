"""Prediction latency: all 414 M4-Hourly-sized series at once, and one series at a time.

Bars (issues 3 and 6): predicting all 414 series <= 0.5 s; a single-series ``predict()`` <= 5 ms
median. Two networks are timed: ``recipe``, the recommended M4 Hourly model
(``benchmarks/peers.py`` ``RECIPE``: LSTM 128 reading 24 rows per step, lookback 168, direct
48-step head, season 24, window_norm standard, log targets), and ``peers``, the peers'
same-config network (LSTM 2x128, 168 steps of one row, direct 48-step head), whose cost is
nearly all LSTM arithmetic. Each is trained briefly (timing does not depend on the weights).
Synthetic series of M4 Hourly's shape are used so the script runs without the shared data.

The onnxruntime columns time the same network exported with ``model.export_onnx`` (issue 18):
``session.run`` on inputs built beforehand (``tsrnn.forecast.export.onnx_inputs``: the last
lookback rows and the scaling statistics of each series), with as many threads as torch.

    python benchmarks/predict_speed.py [--config recipe peers] [--series 414] [--repeats 20]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tsrnn import ConfigError, RNNForecaster
from tsrnn.forecast.export import onnx_inputs


def panel(n_series: int, length: int = 960, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        level = rng.uniform(10, 1000)
        y = level * (1 + 0.3 * np.sin(2 * np.pi * (t + rng.integers(24)) / 24))
        y += rng.normal(0, 0.05 * level, length)
        frames.append(pd.DataFrame({"id": f"H{i + 1}", "t": t, "y": y}))
    return pd.concat(frames, ignore_index=True)


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        tic = time.perf_counter()
        fn()
        out.append(time.perf_counter() - tic)
    return out


CONFIGS = {
    "recipe": dict(lookback=168, patch=24, hidden_size=128, head_hidden=256, season=24,
                   window_norm="standard", target_transform="log"),
    "peers": dict(lookback=168, hidden_size=128, num_layers=2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", nargs="+", choices=sorted(CONFIGS),
                        default=["recipe", "peers"])
    parser.add_argument("--series", type=int, default=414)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    data = panel(args.series)
    one = data[data.id == "H1"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| network | predict() all series | predict(one series) | onnxruntime all series | "
          "onnxruntime one series |")
    print("|---|---:|---:|---:|---:|")
    for name in args.config:
        model = RNNForecaster(horizon=48, epochs=1, stride=200, id_col="id", time_col="t",
                              random_state=0, device="cpu", **CONFIGS[name]).fit(data)
        all_series = timed(model.predict, max(3, args.repeats // 4))
        single = timed(lambda m=model: m.predict(one), args.repeats)
        ort_all, ort_one, alone = onnx_times(model, one, max(3, args.repeats // 4),
                                             args.repeats)
        print(f"| {name} | {statistics.median(all_series):.3f} s (bar 0.5 s, {args.series} "
              f"series) | {1000 * statistics.median(single):.2f} ms (bar 5 ms) | "
              f"{statistics.median(ort_all):.3f} s | {1000 * statistics.median(ort_one):.2f} ms"
              " |", flush=True)
        if alone:  # the graph holds the networks only: time torch without the combination too
            bare = copy.copy(model)
            bare.__dict__.pop("combination_", None)
            bare.__dict__.pop("fallback_", None)
            bare_all = statistics.median(timed(bare.predict, max(3, args.repeats // 4)))
            bare_one = statistics.median(timed(lambda b=bare: b.predict(one), args.repeats))
            print(f"| {name}, torch without the combination (the graph: network_only=True) | "
                  f"{bare_all:.3f} s | {1000 * bare_one:.2f} ms | same | same |", flush=True)


def onnx_times(model, one, repeats_all: int, repeats_one: int) -> tuple[list, list, bool]:
    """onnxruntime seconds of the exported model: all series, ``one``, and whether the graph
    holds the networks only (a Theta combination or a fallback is computed outside it)."""
    import onnxruntime as ort  # the tsrnn[onnx] extra: only this column needs it

    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path, alone = model.export_onnx(Path(tmp) / "model.onnx"), False
        except ConfigError:
            path = model.export_onnx(Path(tmp) / "model.onnx", network_only=True)
            alone = True
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    every, single = onnx_inputs(model), onnx_inputs(model, one)
    return (timed(lambda: session.run(None, every), repeats_all),
            timed(lambda: session.run(None, single), repeats_one), alone)


if __name__ == "__main__":
    main()
