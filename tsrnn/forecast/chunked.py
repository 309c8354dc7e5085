"""Forecasts of many series written to a file in chunks, with bounded memory.

:func:`predict_to_file` forecasts ``chunk_series`` series at a time and appends each block to a
CSV or Parquet file through :class:`TableWriter`, which writes to a hidden temporary file next to
the target and renames it into place at the end (an error or Ctrl-C leaves no partial file).
Histories come from the model itself (its saved context), a DataFrame, or a file; a Parquet file
is read one chunk of series at a time (one pass over the file per chunk), so memory holds one
chunk's rows, never the whole file. A CSV file is read whole.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import ConfigError, check_positive_int
from ..io.tables import PARQUET_SUFFIXES, is_table_path, read_table

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
            from ..io.parquet import _arrow

            _arrow()  # fail now, not after the first chunk, if pyarrow is missing
        self._tmp = self.path.parent / f".{self.path.name}.tmp-{secrets.token_hex(4)}"
        self._file = None if self.parquet else open(self._tmp, "w", newline="",  # noqa: SIM115
                                                    encoding="utf-8")
        self._writer = self._schema = None
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (a non-range index becomes columns, as in CSV output)."""
        flat = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
        if self.parquet:
            import pyarrow as pa

            from ..io.parquet import parquet_writer

            if self._writer is None:
                self._writer, self._schema = parquet_writer(self._tmp, flat)
            table = pa.Table.from_pandas(flat, preserve_index=False).cast(self._schema)
            self._writer.write_table(table)
        else:
            flat.to_csv(self._file, header=self.rows == 0, index=False)
        self.rows += len(flat)

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            for handle in (self._writer, self._file):
                if handle is not None:
                    handle.close()
            if exc_type is None:
                if not self._tmp.exists():  # a Parquet file that got no chunk
                    raise ConfigError(f"nothing was written to {self.path}: no rows")
                fd = os.open(self._tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(self._tmp, self.path)
        finally:
            self._tmp.unlink(missing_ok=True)


def _forecast_frame(model, data, horizon, future_covariates, levels) -> pd.DataFrame:
    """Point forecasts (plus ``{target}_q{level}`` columns) of the series in ``data``."""
    ids, last, values = model._predict_values(data, horizon, future_covariates)
    return _frames(model, ids, last, values, levels)


def _frames(model, ids, last, values, levels) -> pd.DataFrame:
    from .quantiles import quantile_columns

    out = model._frame(ids, last, model._point(values))
    if levels:
        index = model._level_index(levels)
        q = values[..., index]  # (S, h, K, Q) -> (S, h, K, Q')
        names = quantile_columns(model.target_names_, [model.quantiles_[i] for i in index])
        flat = q.reshape(*q.shape[:2], -1)  # -> (S, h, K*Q'), target-major
        quantiles = model._frame(ids, last, flat, columns=names)
        for name in names:
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
        from ..io.parquet import parquet_ids, read_parquet

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
                    future_covariates=None, levels=None) -> int:
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

    Returns
    -------
    int
        Rows written.
    """
    model._check_fitted()
    check_positive_int("chunk_series", chunk_series)
    with TableWriter(path) as out:
        if data is None:  # the saved contexts: one batched pass, written in chunks
            ids, last, values = model._predict_values(None, horizon, future_covariates)
            for block in _chunks(np.arange(len(ids)), chunk_series):
                out.write(_frames(model, [ids[i] for i in block], [last[i] for i in block],
                                  values[block], levels))
        else:
            for part in _parts(model, data, chunk_series):
                out.write(_forecast_frame(model, part, horizon, future_covariates, levels))
    return out.rows
