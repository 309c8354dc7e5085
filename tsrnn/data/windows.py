"""Windowing: turn series into model-ready sequences without copying (numpy only).

``sliding_windows`` returns strided **views** of the input array: a window of a 10-million-row
series costs no memory until a batch is gathered. Many series are handled by
``window_starts``, which lists the start rows of every window inside a concatenated panel so that
no window crosses a series boundary; a batch is then gathered by index (one small copy per batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import DataError, check_finite, check_float, check_positive_int

__all__ = [
    "Windows",
    "sliding_windows",
    "window_starts",
    "series_offsets",
    "batchify",
    "stream_layout",
    "time_split",
    "check_length",
]


class Windows(NamedTuple):
    """Model inputs ``(n, lookback, F)`` and targets ``(n, horizon or lookback, K)``."""

    inputs: np.ndarray
    targets: np.ndarray


def _as_2d(values: np.ndarray, name: str) -> np.ndarray:
    """View a 1-D series as ``(T, 1)``; reject anything that is not 1-D or 2-D."""
    values = np.asarray(values)
    if values.ndim == 1:
        return values.reshape(-1, 1)  # (T,) -> (T, 1), a view
    if values.ndim != 2:
        raise DataError(f"{name} must be 1-D (T,) or 2-D (T, F); got shape {values.shape}")
    return values


def check_length(n_rows: int, lookback: int, horizon: int, name: str = "series") -> None:
    """Raise DataError if ``n_rows`` cannot hold one window of ``lookback + horizon`` rows."""
    need = lookback + horizon
    if n_rows < need:
        raise DataError(
            f"{name} has {n_rows} rows; lookback {lookback} + horizon {horizon} "
            f"needs at least {need}"
        )


def _select_targets(values: np.ndarray, targets: object) -> np.ndarray:
    """Return the target columns of ``values`` as a view where possible."""
    if targets is None:
        return values
    if isinstance(targets, np.ndarray) and targets.ndim >= 1 and targets.dtype.kind in "fc":
        return targets
    if isinstance(targets, slice):
        return values[:, targets]
    cols = [int(targets)] if np.isscalar(targets) else [int(c) for c in targets]
    if not cols:
        raise DataError("targets names no column; give at least one target column")
    bad = [c for c in cols if not -values.shape[1] <= c < values.shape[1]]
    if bad:
        raise DataError(f"target column(s) {bad} out of range for {values.shape[1]} column(s)")
    cols = [c % values.shape[1] for c in cols]
    if cols == list(range(cols[0], cols[-1] + 1)):
        return values[:, cols[0] : cols[-1] + 1]  # contiguous columns stay a view
    return values[:, cols]  # (T, K) copy of the columns; windows over it are still views


def sliding_windows(
    values: np.ndarray,
    lookback: int,
    horizon: int,
    stride: int = 1,
    *,
    targets: object = None,
    per_step: bool = False,
    allow_nan: bool = False,
    name: str = "series",
) -> Windows:
    """Cut one series into input/target windows, returned as views of ``values``.

    Parameters
    ----------
    values : ndarray of shape (T,) or (T, F)
        The series, oldest row first.
    lookback : int
        Rows in each input window.
    horizon : int
        Rows to forecast after each input window (or, with ``per_step``, the shift of the
        per-step targets).
    stride : int, default=1
        Rows between the starts of consecutive windows.
    targets : None, int, sequence of int, slice or ndarray, default=None
        Target columns of ``values`` (None = all), or a separate ``(T,)``/``(T, K)`` array.
    per_step : bool, default=False
        If True, targets are the input window shifted by ``horizon`` rows, shape
        ``(n, lookback, K)`` (N-vs-N training); else the ``horizon`` rows after the window,
        shape ``(n, horizon, K)``.
    allow_nan : bool, default=False
        Accept NaN in ``values`` (inf is always an error).
    name : str, default="series"
        Used in error messages.

    Returns
    -------
    Windows
        ``inputs`` of shape ``(n, lookback, F)`` and ``targets``; both share memory with
        ``values`` (unless non-contiguous target columns were picked) and are read-only.
    """
    lookback = check_positive_int("lookback", lookback)
    horizon = check_positive_int("horizon", horizon)
    stride = check_positive_int("stride", stride)
    values = _as_2d(values, name)
    target_values = _as_2d(_select_targets(values, targets), f"{name} targets")
    if len(target_values) != len(values):
        raise DataError(
            f"{name} targets have {len(target_values)} rows but the inputs have {len(values)}"
        )
    if values.dtype.kind in "fc":
        check_finite(name, values, allow_nan=allow_nan)
    check_length(len(values), lookback, horizon, name)
    n = len(values) - lookback - horizon + 1
    # (T, F) -> (T - lookback + 1, F, lookback) -> (n, lookback, F)
    inputs = sliding_window_view(values, lookback, axis=0).transpose(0, 2, 1)[:n:stride]
    if per_step:
        shifted = target_values[horizon:]
        # (T - h, K) -> (n, K, lookback) -> (n, lookback, K)
        out = sliding_window_view(shifted, lookback, axis=0).transpose(0, 2, 1)[:n:stride]
    else:
        future = target_values[lookback:]
        # (T - lookback, K) -> (n, K, horizon) -> (n, horizon, K)
        out = sliding_window_view(future, horizon, axis=0).transpose(0, 2, 1)[:n:stride]
    return Windows(inputs, out)


def series_offsets(lengths: Sequence[int]) -> np.ndarray:
    """Start row of each series in the concatenated panel: ``[0, l0, l0 + l1, ...]``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def window_starts(
    lengths: Sequence[int],
    lookback: int,
    horizon: int,
    stride: int = 1,
    *,
    names: Sequence[str] | None = None,
    skip_short: bool = False,
    last_only: bool = False,
    offsets: Sequence[int] | None = None,
) -> np.ndarray:
    """Start rows of every ``lookback + horizon`` window in a panel of concatenated series.

    No window crosses a series boundary. Strides are counted back from each series' end, so
    the most recent window of every series is always included.

    Parameters
    ----------
    lengths : sequence of int
        Rows of each series, in the order they are concatenated.
    lookback, horizon, stride : int
        As in :func:`sliding_windows`.
    names : sequence of str, default=None
        Series names for error messages.
    skip_short : bool, default=False
        Skip series shorter than ``lookback + horizon`` instead of raising DataError.
    last_only : bool, default=False
        Only the most recent window of each series.
    offsets : sequence of int, default=None
        Start row of each series in the panel (default: the cumulative ``lengths``); pass the
        real offsets to window only the first ``lengths[i]`` rows of longer series.

    Returns
    -------
    ndarray of int64, shape (n_windows,)
        Row of the panel where each window starts, grouped by series, oldest first.
    """
    lookback = check_positive_int("lookback", lookback)
    horizon = check_positive_int("horizon", horizon)
    stride = check_positive_int("stride", stride)
    offsets = series_offsets(lengths) if offsets is None else np.asarray(offsets, np.int64)
    starts = []
    for i, length in enumerate(np.asarray(lengths, dtype=np.int64)):
        n = int(length) - lookback - horizon + 1
        if n < 1:
            if skip_short:
                continue
            label = f"series {names[i]!r}" if names is not None else f"series {i}"
            check_length(int(length), lookback, horizon, label)
        first = (n - 1) if last_only else (n - 1) % stride
        starts.append(np.arange(offsets[i] + first, offsets[i] + n, stride, dtype=np.int64))
    if not starts:
        return np.zeros(0, dtype=np.int64)
    return starts[0] if len(starts) == 1 else np.concatenate(starts)  # one series: no copy


def batchify(values: np.ndarray, n_streams: int) -> np.ndarray:
    """Split one long series into ``n_streams`` contiguous streams, shape ``(B, S, F)``.

    Stream ``b`` holds rows ``b*S .. (b+1)*S - 1``; the ``T % B`` trailing rows are dropped.
    Walking the streams in chunks along axis 1 (``streams[:, k * bptt : (k + 1) * bptt]``),
    row ``b`` of chunk ``k + 1`` continues row ``b`` of chunk ``k``: the layout a stateful RNN
    needs. Returns a view when ``values`` is C-contiguous.
    """
    n_streams = check_positive_int("n_streams", n_streams)
    values = _as_2d(values, "series")
    steps = len(values) // n_streams
    if steps < 1:
        raise DataError(
            f"series has {len(values)} rows; {n_streams} streams need at least {n_streams}"
        )
    # (T, F) -> (B * S, F) -> (B, S, F)
    return values[: n_streams * steps].reshape(n_streams, steps, values.shape[1])


def stream_layout(lengths: Sequence[int], stream_len: int,
                  offsets: Sequence[int] | None = None) -> np.ndarray:
    """Rows of a panel laid out as contiguous streams for stateful training.

    Each series is cut into ``max(1, round(T / stream_len))`` contiguous, nearly equal streams
    (never crossing into another series); every stream is one row of the result, padded at the
    end with -1. Walking the rows in chunks along axis 1, row ``b`` of chunk ``k + 1`` continues
    row ``b`` of chunk ``k``.

    Returns
    -------
    ndarray of int64, shape (n_streams, max_stream_length)
        Panel row of every stream step; -1 marks padding after a stream's end.
    """
    stream_len = check_positive_int("stream_len", stream_len)
    offsets = series_offsets(lengths) if offsets is None else np.asarray(offsets, np.int64)
    streams = []
    for length, off in zip(np.asarray(lengths, np.int64), offsets):
        n = max(1, int(round(int(length) / stream_len)))
        streams.extend(np.array_split(off + np.arange(int(length)), n))
    width = max(len(s) for s in streams)
    out = np.full((len(streams), width), -1, dtype=np.int64)
    for b, rows in enumerate(streams):
        out[b, : len(rows)] = rows
    return out


def time_split(
    n: int, validation: float | int | None = 0.2, *, name: str = "data"
) -> tuple[slice, slice]:
    """Split ``n`` time-ordered items into (train, validation) slices; validation is the end.

    Parameters
    ----------
    n : int
        Number of items (rows or windows), oldest first.
    validation : float, int or None, default=0.2
        A fraction in (0, 1), a count of items, or None/0 for no validation part.
    name : str, default="data"
        Used in error messages.
    """
    if validation is None or validation == 0:
        return slice(0, n), slice(n, n)
    if isinstance(validation, float) and not float(validation).is_integer():
        check_float("validation", validation, low=0, high=1, low_inclusive=False,
                    high_inclusive=False)
        n_val = max(1, int(round(n * validation)))
    else:
        n_val = check_positive_int("validation", int(validation))
    if n_val >= n:
        raise DataError(
            f"{name} has {n} item(s); a validation part of {n_val} leaves nothing to train on"
        )
    return slice(0, n - n_val), slice(n - n_val, n)
