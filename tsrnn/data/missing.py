"""Filling or dropping missing values per series, in time order (numpy and pandas only).

:func:`fill_missing` fills a frame before a fit (the CLI's ``--fill``); the helpers after it
serve a model that learns around the gaps (``missing="mask"``): :func:`has_missing`,
:func:`carry_forward` (known-ahead channels) and :func:`interpolate_gaps` (the histories that
the statistical forecasts and the error scales read).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DataError, check_choice
from .checks import as_frame, as_list, check_numeric, require
from .timeindex import as_offset, parse_times

__all__ = ["FILL_METHODS", "add_missing_rows", "carry_forward", "fill_missing", "has_missing",
           "interpolate_gaps"]

FILL_METHODS = ("ffill", "interpolate", "drop")


def _time_order(df: pd.DataFrame, time_col: object, id_col: object) -> np.ndarray:
    """Row positions sorted by (series, time), stable; row order where time cannot be read."""
    codes = np.zeros(len(df), dtype=np.int64)
    if id_col is not None:
        codes = pd.factorize(df[id_col])[0].astype(np.int64)
    source = df.index if time_col is None else df[time_col]
    try:
        times = parse_times(source, "time")
    except DataError:
        if time_col is not None:
            raise
        times = pd.RangeIndex(len(df))
    keys = times.asi8 if isinstance(times, pd.DatetimeIndex) else times.to_numpy()
    return np.lexsort((keys, codes))


def fill_missing(df, method, columns=None, *, id_col=None, time_col=None,
                 freq=None) -> pd.DataFrame:
    """Fill (or drop) NaN in ``columns``, per series, in time order; ``df`` is left unchanged.

    Parameters
    ----------
    df : pandas.DataFrame
        Data as passed to :func:`to_panel`.
    method : {"ffill", "interpolate", "drop"}
        "ffill" carries the last value forward (leading NaN take the first value); "interpolate"
        is linear between neighbours, constant beyond the ends; "drop" removes the rows, which
        leaves gaps unless they were at the ends of a series.
    columns : str or list of str, default=None
        Columns to fill; None = every numeric column except ``id_col`` and ``time_col``.
    id_col, time_col : str, default=None
        As in :func:`to_panel`; without ``time_col`` a datetime or integer index gives the order.
    freq : str, default=None
        With a ``time_col`` of dates and a method other than "drop": first add a row (NaN
        values) for every timestamp of this frequency missing inside each series, then fill.

    Returns
    -------
    pandas.DataFrame
        A new frame with the rows in their original order (added rows: sorted into their
        series, on a new RangeIndex).
    """
    check_choice("method", method, FILL_METHODS)
    df = as_frame(df, "df")
    keys = [c for c in (id_col, time_col) if c is not None]
    require(df, keys, "id/time", "df")
    columns = as_list(columns) or [c for c in df.columns
                                    if c not in keys and df[c].dtype.kind in "iuf"]
    require(df, columns, "fill", "df")
    check_numeric(df, columns, "fill")
    if method == "drop":
        return df.dropna(subset=columns)
    if freq is not None and time_col is not None:
        df = _complete(df, freq, id_col, time_col)
    order = _time_order(df, time_col, id_col)
    work = df[columns].iloc[order]
    groups = np.zeros(len(df)) if id_col is None else df[id_col].to_numpy()[order]
    by = work.groupby(groups, sort=False, dropna=False)
    if method == "ffill":
        filled = by.ffill().groupby(groups, sort=False, dropna=False).bfill()
    else:
        filled = by.transform(lambda s: s.interpolate(limit_direction="both"))
    out = df.copy()
    back = np.argsort(order)
    for col in columns:
        out[col] = filled[col].to_numpy()[back]
    return out


def add_missing_rows(df, freq, *, id_col=None, time_col=None) -> pd.DataFrame:
    """``df`` with a row of NaN values for every timestamp of ``freq`` missing inside each
    series (what ``missing="mask"`` then learns around); unchanged without a ``time_col`` of
    dates."""
    df = as_frame(df, "df")
    if time_col is None:
        return df
    require(df, [c for c in (id_col, time_col) if c is not None], "id/time", "df")
    return _complete(df, freq, id_col, time_col)


def _complete(df: pd.DataFrame, freq, id_col, time_col) -> pd.DataFrame:
    """``df`` with a row for each timestamp of ``freq`` missing between the first and the last
    of each series; unchanged when the time column holds no dates."""
    times = parse_times(df[time_col], f"time column {time_col!r}")
    if not isinstance(times, pd.DatetimeIndex):
        return df
    offset = as_offset(freq)
    codes = np.zeros(len(df), dtype=np.int64) if id_col is None else pd.factorize(df[id_col])[0]
    added = []
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        have = times[rows]
        grid = pd.date_range(have.min(), have.max(), freq=offset)
        missing = grid.difference(have)
        if len(missing):
            extra = pd.DataFrame({time_col: missing})
            if id_col is not None:
                extra[id_col] = df[id_col].iloc[rows[0]]
            added.append(extra)
    if not added:
        return df
    out = df.copy()
    out[time_col] = times
    return pd.concat([out, *added], ignore_index=True)


def has_missing(*blocks) -> bool:
    """Whether any of the arrays ``blocks`` (None: skipped) holds a NaN."""
    return any(b is not None and bool(np.isnan(b).any()) for b in blocks)


def carry_forward(values: np.ndarray, offsets: np.ndarray, cols: list) -> np.ndarray:
    """``values`` ``(N, C)`` with NaN in the columns ``cols`` replaced, in place, by the last
    value before them in their series (``offsets``: where each series starts), and by 0
    before a series' first value (the series' center once it is scaled)."""
    if not cols or not np.isnan(values[:, cols]).any():
        return values
    rows = np.arange(len(values))
    first = np.repeat(offsets[:-1], np.diff(offsets))  # the first row of each row's series
    for c in cols:
        seen = np.where(np.isnan(values[:, c]), -1, rows)
        last = np.maximum.accumulate(seen)  # the last observed row, up to each row
        ok = last >= first  # observed before in the same series
        values[:, c] = np.where(ok, values[np.maximum(last, 0), c], 0.0)
    return values


def interpolate_gaps(history: np.ndarray) -> np.ndarray:
    """A raw history ``(T,)`` or ``(T, K)`` without NaN: leading NaN (padding) dropped, the
    others linear between their neighbours (the last value carried past the end), column by
    column; what seasonal naive, Theta and the MASE scale read of a history with gaps."""
    y = np.asarray(history, dtype=np.float64)
    flat = y.ndim == 1
    y = y.reshape(len(y), -1)
    observed = ~np.isnan(y)
    start = int(np.argmax(observed.any(axis=1))) if observed.any() else len(y)
    y = y[start:].copy()
    t = np.arange(len(y))
    for k in range(y.shape[1]):
        ok = ~np.isnan(y[:, k])
        if ok.any() and not ok.all():
            y[~ok, k] = np.interp(t[~ok], t[ok], y[ok, k])
    return y[:, 0] if flat else y
