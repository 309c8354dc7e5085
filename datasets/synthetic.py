"""Synthetic panels with a known answer, for tests and benchmarks (numpy and pandas)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["category_panel"]


def category_panel(n_series: int = 200, length: int = 60, noise: float = 0.7,
                   seed: int = 0) -> pd.DataFrame:
    """Monthly series (``id``, ``time``, ``y``) whose level and seasonal shape depend on a
    category ``kind`` with 5 values (series ``i`` has kind ``"ABCDE"[i % 5]``).

    Each kind has its own random 12-month shape (standardised, amplitude 2) and level (5 to 15,
    times a per-series factor in 0.8-1.2); Gaussian noise of standard deviation ``noise``
    comes on top. A few months of one series do not tell which shape it follows, so a model
    that knows ``kind`` can forecast it better than one that only reads the history.
    """
    rng = np.random.default_rng(seed)
    shapes = rng.normal(size=(5, 12))
    shapes = (shapes - shapes.mean(1, keepdims=True)) / shapes.std(1, keepdims=True)
    levels = np.linspace(5, 15, 5)
    t = pd.date_range("2015-01-01", periods=length, freq="MS")
    parts = []
    for i in range(n_series):
        c = i % 5
        y = (levels[c] * rng.uniform(0.8, 1.2) + 2 * shapes[c, t.month - 1]
             + noise * rng.normal(size=length))
        parts.append(pd.DataFrame({"id": f"s{i:03d}", "time": t, "y": y, "kind": "ABCDE"[c]}))
    return pd.concat(parts, ignore_index=True)
