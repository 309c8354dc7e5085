"""Static covariates on a panel where they matter: how much they help, and which way of
feeding them to the network ("state": the initial hidden state; "input": constant channels at
every step) works better.

The data is :func:`tsrnn.datasets.category_panel`: 200 monthly series of 60 rows whose level
and seasonal shape depend on a 5-valued category ``kind``, plus noise. Each model reads 2 months
(``lookback=2``, calendar features on, no seasonal residual, no window normalisation: the
standard deviation of two values is no scale), so the history it reads does not tell the
shape; the last 12 months of each series are held out and scored (MAE, averaged over series),
for several seeds of the data and the model.

Example: ``python benchmarks/statics.py --seeds 0,1,2 --threads 1``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from tsrnn import RNNForecaster
from tsrnn.datasets import category_panel

VARIANTS = {
    "no statics": {},
    "kind, state": dict(static_covariates=["kind"], static_mode="state"),
    "kind, input": dict(static_covariates=["kind"], static_mode="input"),
    "id embedding, state": dict(id_embedding=True),
    "kind + id embedding, state": dict(static_covariates=["kind"], id_embedding=True),
}


def score(variant: dict, seed: int, steps: int) -> tuple[float, float]:
    """(held-out MAE, fit seconds) of one variant on the panel of ``seed``."""
    frame = category_panel(seed=seed)
    train, test = frame.groupby("id").head(48), frame.groupby("id").tail(12)
    model = RNNForecaster(horizon=12, lookback=2, season=None, window_norm=None,
                          time_features=True, id_col="id",
                          time_col="time", target="y", n_models=1, validate=False,
                          random_state=seed, hidden_size=32, max_steps=steps, device="cpu",
                          **variant)
    tic = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - tic
    pred = model.predict()
    return float(np.abs(pred["y"].to_numpy() - test["y"].to_numpy()).mean()), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    print("| variant | MAE per seed | mean MAE | vs no statics | fit s (mean) |")
    print("|---|---|---:|---:|---:|")
    base = None
    for name, variant in VARIANTS.items():
        runs = [score(variant, s, args.steps) for s in seeds]
        maes = [m for m, _ in runs]
        mean = float(np.mean(maes))
        base = mean if base is None else base
        print(f"| {name} | {', '.join(f'{m:.3f}' for m in maes)} | {mean:.3f} | "
              f"{mean / base:.2f} | {np.mean([s for _, s in runs]):.1f} |", flush=True)


if __name__ == "__main__":
    main()
