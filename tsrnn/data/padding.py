"""Left padding of short series, so that a panel with a few short series keeps one lookback
(numpy and pandas).

:func:`pad_front` extends every series shorter than ``min_rows`` backwards in time by repeating
its own first season (the value ``m`` steps later, for the row ``m`` steps earlier), so a
window reaching before the start of a short series sees a plausible seasonal history instead of
zeros. The padded rows are never training targets: :attr:`Padded.pads` says how many rows of
each series were invented, and the caller keeps its targets on the real rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from .panel import Panel
from .timeindex import as_offset

__all__ = ["Padded", "pad_front"]


class Padded(NamedTuple):
    """A padded panel and the rows added at the front of each series."""

    panel: Panel
    pads: np.ndarray  # (n_series,) int64


def _back_rows(n: int, pad: int, season: int) -> np.ndarray:
    """Row positions (into the real series) that fill the ``pad`` rows before row 0: the row
    a whole number of seasons later (the first row for ``season`` 1 or a series shorter than
    one season)."""
    m = season if 1 < season <= n else 1
    if m == 1:
        return np.zeros(pad, dtype=np.int64)
    back = np.arange(-pad, 0)
    return back + (-(back // m)) * m  # shift each by whole seasons into [0, m)


def _past_index(index: pd.Index, pad: int, freq) -> pd.Index:
    if freq is None:
        return pd.RangeIndex(int(index[0]) - pad, int(index[-1]) + 1, name=index.name)
    offset = as_offset(freq)
    start = pd.Timestamp(index[0]) - pad * offset
    return pd.date_range(start, periods=pad + len(index), freq=offset, name=index.name)


def pad_front(panel: Panel, min_rows: int, season: int = 1) -> Padded:
    """``panel`` with every series shorter than ``min_rows`` padded at the front to
    ``min_rows`` rows; series long enough are unchanged (and no copy is made when none is
    short)."""
    pads = np.maximum(min_rows - panel.lengths, 0).astype(np.int64)
    if not pads.any():
        return Padded(panel, pads)
    take, index = [], []
    for i in range(panel.n_series):
        rows = panel.series(i)
        n, pad = int(panel.lengths[i]), int(pads[i])
        take.append(rows.start + np.concatenate([_back_rows(n, pad, season),
                                                 np.arange(n)]))
        index.append(_past_index(panel.index[i], pad, panel.freq) if pad else panel.index[i])
    rows = np.concatenate(take)
    pick = (lambda a: None if a is None else a[rows])  # noqa: E731
    padded = replace(panel, index=index, lengths=panel.lengths + pads,
                     target=panel.target[rows], past=pick(panel.past),
                     future=pick(panel.future))
    return Padded(padded, pads)
