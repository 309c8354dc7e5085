"""Long-format Parquet files, read and written in pieces (needs pyarrow: the `parquet` extra).

A file is read by record batches, never whole: :func:`parquet_ids` scans the id column alone and
:func:`read_parquet` keeps, batch by batch, the columns asked for and the rows of the ids asked
for. A process holding a few of many series thus needs memory for its own rows plus one batch.
:func:`parquet_writer` opens a writer that takes a table in chunks, appended by
:func:`write_chunk` (see :class:`tsrnn.forecast.chunked.TableWriter`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._validation import ConfigError, DataError

__all__ = [
    "BATCH_ROWS",
    "parquet_ids",
    "parquet_writer",
    "read_parquet",
    "require_pyarrow",
    "write_chunk",
]

#: Rows per record batch while reading.
BATCH_ROWS = 65_536


def _arrow():
    """``(pyarrow, pyarrow.compute, pyarrow.parquet)``, or a ConfigError saying how to get them."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("Parquet files need pyarrow, which is not installed; install it with "
                          "`pip install 'tsrnn[parquet]'`, or use a CSV file") from None
    return pa, pc, pq


def require_pyarrow() -> None:
    """Raise the ConfigError of a missing pyarrow now, before any work that would need it."""
    _arrow()


def _open(path):
    pa, _, pq = _arrow()
    path = Path(path)
    if not path.exists():
        raise DataError(f"file '{path}' does not exist; check the path")
    if path.is_dir():
        raise DataError(f"'{path}' is a folder; give the path of one .parquet file")
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"file '{path}' is not a readable Parquet file ({first}); write it "
                        "with pandas.DataFrame.to_parquet or pyarrow") from None


def _check_columns(pf, path, columns: list) -> None:
    names = pf.schema_arrow.names
    missing = [c for c in columns if c not in names]
    if missing:
        raise DataError(f"file '{path}' has no column {missing[0]!r}; its columns are {names}")


def parquet_ids(path, id_col, batch_rows: int = BATCH_ROWS) -> list:
    """Distinct values of ``id_col`` in first-appearance order, reading that column alone."""
    _, pc, _ = _arrow()
    pf = _open(path)
    _check_columns(pf, path, [id_col])
    seen: dict = {}  # an ordered set
    for batch in pf.iter_batches(batch_size=batch_rows, columns=[id_col]):
        column = batch.column(0)
        if column.null_count:
            raise DataError(f"id column {id_col!r} of '{path}' has missing values; drop those "
                            "rows or give them an id")
        seen.update(dict.fromkeys(pc.unique(column).to_pylist()))
    if not seen:
        raise DataError(f"file '{path}' has no data rows")
    return list(seen)


def read_parquet(path, columns=None, *, id_col=None, ids=None,
                 batch_rows: int = BATCH_ROWS) -> pd.DataFrame:
    """Read a Parquet file into a DataFrame, by record batches.

    Parameters
    ----------
    path : str or Path
        The file.
    columns : list of str, default=None
        Columns to read (None: all).
    id_col : str, default=None
        The series id column (needed with ``ids``).
    ids : list, default=None
        Keep only the rows of these series (filtered batch by batch, in file order).
    batch_rows : int, default=65536
        Rows per record batch.

    Returns
    -------
    DataFrame
        The rows kept, in the file's order, with a RangeIndex.
    """
    pa, pc, _ = _arrow()
    pf = _open(path)
    names = list(pf.schema_arrow.names) if columns is None else list(dict.fromkeys(columns))
    if ids is not None:
        if id_col is None:
            raise ConfigError("read_parquet(ids=...) needs id_col, the column holding the ids")
        names += [] if id_col in names else [id_col]
    _check_columns(pf, path, names)
    keep = None
    if ids is not None:
        field = pf.schema_arrow.field(id_col).type
        value_type = field.value_type if pa.types.is_dictionary(field) else field
        keep = pa.array(list(ids), type=value_type)
    batches, schema = [], None
    for batch in pf.iter_batches(batch_size=batch_rows, columns=names):
        schema = batch.schema
        if keep is not None:
            batch = batch.filter(pc.is_in(batch.column(id_col), value_set=keep))
        if batch.num_rows:
            batches.append(batch)
    if schema is None:
        raise DataError(f"file '{path}' has no data rows")
    table = pa.Table.from_batches(batches, schema=schema)
    del batches
    return table.to_pandas(self_destruct=True, split_blocks=True)


def parquet_writer(path, frame: pd.DataFrame):
    """``(writer, schema)``: a ``pyarrow.parquet.ParquetWriter`` on ``path`` for tables shaped
    like ``frame`` (its first chunk)."""
    pa, _, pq = _arrow()
    schema = pa.Table.from_pandas(frame, preserve_index=False).schema
    return pq.ParquetWriter(path, schema), schema


def write_chunk(writer, schema, frame: pd.DataFrame) -> None:
    """Append ``frame`` (no index) to ``writer``, cast to the ``schema`` of the first chunk."""
    pa, _, _ = _arrow()
    writer.write_table(pa.Table.from_pandas(frame, preserve_index=False).cast(schema))
