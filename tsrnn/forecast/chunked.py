"""Forecasts of many series written to a file in chunks, with bounded memory.

:func:`predict_to_file` forecasts ``chunk_series`` series at a time and appends each block to a
CSV or Parquet file through :class:`TableWriter`, which writes to a hidden temporary file next to
the target and renames it into place at the end (an error or Ctrl-C leaves no partial file).
Histories come from the model itself (its saved context), a DataFrame, or a file; a Parquet file
is read one chunk of series at a time (one pass over the file per chunk), so memory holds one
chunk's rows, never the whole file. A CSV file is read whole.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import ConfigError, check_positive_int
from ..io import PARQUET_SUFFIXES, atomic_path, is_table_path, parquet_ids, read_parquet, read_table
from ..io.parquet import parquet_writer, require_pyarrow, write_chunk

__all__ = ["TableWriter", "predict_to_file"]


class TableWriter:
    """A context manager writing a table chunk by chunk to a CSV or Parquet file (by suffix).

    Parameters
    ----------
    path : str or Path
        The file to write (``.parquet``/``.pq``: Parquet, needs pyarrow; otherwise CSV). It
        appears, complete, only when the ``with`` block ends without an error.

    Attributes
    ----------
    rows : int
        Rows written so far.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.parquet = str(path).lower().endswith(PARQUET_SUFFIXES)
        self.rows = 0

    def __enter__(self) -> TableWriter:
        if not self.path.resolve().parent.is_dir():
            raise ConfigError(f"output folder '{self.path.parent}' does not exist; create it "
                              "first or choose another path")
        if self.parquet:
            require_pyarrow()  # fail now, not after the first chunk, if pyarrow is missing
        self._writer = self._schema = None
        with contextlib.ExitStack() as stack:  # unwound in reverse: handles, check, rename
            self._tmp = stack.enter_context(atomic_path(self.path))
            stack.push(self._check_written)
            self._file = None if self.parquet else stack.enter_context(
                open(self._tmp, "w", newline="", encoding="utf-8"))
            self._exits = stack.pop_all()
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (a non-range index becomes columns, as in CSV output)."""
        flat = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
        if self.parquet:
            if self._writer is None:
                self._writer, self._schema = parquet_writer(self._tmp, flat)
                self._exits.callback(self._writer.close)
            write_chunk(self._writer, self._schema, flat)
        else:
            flat.to_csv(self._file, header=self.rows == 0, index=False)
        self.rows += len(flat)

    def _check_written(self, exc_type, exc, tb) -> bool:
        """Exit step before the rename: a Parquet file that got no chunk does not exist."""
        if exc_type is None and not self._tmp.exists():
            raise ConfigError(f"nothing was written to {self.path}: no rows")
        return False

    def __exit__(self, exc_type, exc, tb) -> None:
        self._exits.__exit__(exc_type, exc, tb)


def _forecast_frame(model, data, horizon, future_covariates, levels, static=None
                    ) -> pd.DataFrame:
    """Point forecasts (plus ``{target}_q{level}`` columns) of the series in ``data``, through
    the model's public ``predict`` and ``predict_quantiles``."""
    out = model.predict(data, horizon=horizon, future_covariates=future_covariates,
                        static=static)
    if levels:
        quantiles = model.predict_quantiles(data, horizon=horizon, levels=levels,
                                            future_covariates=future_covariates, static=static)
        for name in quantiles.columns.difference(out.columns, sort=False):
            out[name] = quantiles[name].to_numpy()
    return out


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _columns(model) -> list:
    roles = model.roles_
    named = [roles.time_col, roles.id_col, *roles.target, *roles.past, *roles.future]
    return list(dict.fromkeys(c for c in named if c is not None))


def _parts(model, data, chunk_series: int):
    """Histories of ``chunk_series`` series at a time (DataFrames)."""
    id_col = model.roles_.id_col
    if is_table_path(data) and str(data).lower().endswith(PARQUET_SUFFIXES):
        if id_col is None:
            yield read_parquet(data, _columns(model))
            return
        for ids in _chunks(parquet_ids(data, id_col), chunk_series):
            yield read_parquet(data, _columns(model), id_col=id_col, ids=ids)
        return
    frame = read_table(data) if is_table_path(data) else data
    if id_col is None or not isinstance(frame, pd.DataFrame) or id_col not in frame.columns:
        yield frame  # one series (or a frame predict will reject with its own message)
        return
    codes, ids = pd.factorize(frame[id_col])
    for block in _chunks(np.arange(len(ids)), chunk_series):
        part = frame[np.isin(codes, block)]
        yield part.reset_index(drop=True) if isinstance(frame.index, pd.RangeIndex) else part


def predict_to_file(model, path, data=None, *, chunk_series: int = 1000, horizon=None,
                    future_covariates=None, levels=None, static=None) -> int:
    """Forecast many series and write them to ``path`` chunk by chunk; returns the rows written.

    Parameters
    ----------
    model : RNNForecaster
        A fitted forecaster.
    path : str or Path
        Output file: ``.parquet``/``.pq`` for Parquet, anything else for CSV. Written
        atomically (complete or not at all). Columns as :meth:`~tsrnn.RNNForecaster.predict`
        returns them (the time index becomes a column), plus ``{target}_q{level}`` per level.
    data : DataFrame or path, default=None
        Histories to forecast from (a DataFrame, or a CSV or Parquet file); None: the end of
        the training data.
    chunk_series : int, default=1000
        Series per chunk: memory holds one chunk's histories and forecasts.
    horizon : int, default=None
        Steps to forecast (default: the fitted horizon).
    future_covariates : DataFrame, default=None
        As for :meth:`~tsrnn.RNNForecaster.predict`.
    levels : list of float, default=None
        Also write these quantile levels (each fitted with ``quantiles``).
    static : DataFrame, default=None
        As for :meth:`~tsrnn.RNNForecaster.predict`: one row per series of ``data``.

    Returns
    -------
    int
        Rows written.
    """
    check_positive_int("chunk_series", chunk_series)
    with TableWriter(path) as out:
        if data is None:  # the saved contexts: one batched pass, written in chunks
            frame = _forecast_frame(model, None, horizon, future_covariates, levels)
            rows = len(frame) // len(model.ids_)  # every series has the same horizon
            for start in range(0, len(frame), chunk_series * rows):
                out.write(frame.iloc[start : start + chunk_series * rows])
        else:
            for part in _parts(model, data, chunk_series):
                out.write(_forecast_frame(model, part, horizon, future_covariates, levels,
                                          static))
    return out.rows
