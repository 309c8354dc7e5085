"""Memory: fitting on a long series never materialises its windows.

A fresh process fits an RNNForecaster (lookback 168) for 20 optimiser steps on a 1,000,000-row
series and reports its peak resident memory (``benchmarks/memory.py`` does the measuring; run
that script for the 5,000,000-row bar). The peak is the child's own ``VmHWM``: its ``ru_maxrss``
would start at this pytest process's peak, which Linux carries across ``exec``."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ROWS, LOOKBACK, HORIZON = 1_000_000, 168, 24


def _memory_script():
    spec = importlib.util.spec_from_file_location("tsrnn_bench_memory",
                                                  ROOT / "benchmarks" / "memory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ")
def test_fit_on_a_long_series_does_not_copy_windows():
    report = _memory_script().measure(rows=ROWS, steps=20, lookback=LOOKBACK, horizon=HORIZON,
                                      hidden_size=16, timeout=600)
    assert report["optimizer_steps"] == 20  # max_steps stopped the epoch early
    # The bound. Materialising every training window once, as float32, would take
    #   n_windows * (lookback + horizon) * 4 bytes = ~1e6 * 192 * 4 B = ~732 MiB,
    # on top of the data itself (one float64 column plus its timestamps: ~15 MiB). What tsrnn
    # may use above the imports is half of that: a few float32/float64 copies of the column
    # (panel, scaled channels: ~8 MiB each), the window start rows (8 MiB), the shuffled order,
    # and the fixed cost of the network and its autograd (~150 MiB measured for this size).
    windows_mib = (ROWS - LOOKBACK - HORIZON + 1) * (LOOKBACK + HORIZON) * 4 / 2**20
    used = report["peak_mb"] - report["import_mb"]
    assert used < windows_mib / 2, report
    assert used > report["data_mb"]  # sanity: the measured process really held the data
