"""Reading tabular files with errors for people (numpy/pandas only; the guesses of roles are in
:mod:`tsrnn.io.guess`, the sniffing of the format in :mod:`tsrnn.io.sniff`).

``read_csv`` turns every way a file can be wrong (missing, empty, header only, binary, malformed)
into one :class:`~tsrnn.DataError` sentence naming the file and the fix.
"""

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path

import pandas as pd

from .._validation import DataError
from .guess import guess_time_column, seasonal_period
from .parquet import read_parquet
from .sniff import (
    currency_numbers,
    delimiter_name,
    marked_missing_columns,
    percent_columns,
    sniff_csv,
    thousands_columns,
)

__all__ = [
    "PARQUET_SUFFIXES",
    "read_csv",
    "read_table",
    "is_table_path",
    "guess_time_column",
    "seasonal_period",
]

PARQUET_SUFFIXES = (".parquet", ".pq")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"file '{path}' does not exist; check the path")
    if path.is_dir():
        raise DataError(f"'{path}' is a folder, not a CSV file; give the path of a .csv file")
    if path.stat().st_size == 0:
        raise DataError(f"file '{path}' is empty; it needs a header row and data rows")


def read_csv(path, text_columns=None) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, or raise DataError saying what is wrong with it.

    The file may be gzip-compressed, start with ``#`` comment lines, and use a comma,
    semicolon (with a decimal comma), tab or ``|`` between fields (see
    :func:`tsrnn.io.sniff.sniff_csv`); numbers written with thousands separators
    (``"1,234.5"``) are read as numbers, and so are percentages (``"12.5%"`` is 12.5, in
    percent as written) and amounts of money (``"$1,234.50"``, ``"1.234,50 €"``); a column of
    numbers with cells such as ``.`` (FRED), ``-`` or
    ``#N/A`` is numbers with those cells missing. Two columns of one name are an error.

    Parameters
    ----------
    path : str or Path
        The file.
    text_columns : list of str, default=None
        Columns kept as text (ids such as ``001`` stay ``"001"``); absent ones are ignored.

    Returns
    -------
    DataFrame
        The table as pandas reads it (no column is parsed as dates here; see
        :func:`guess_time_column`).
    """
    path = Path(path)
    _check_file(path)
    kwargs = sniff_csv(path)
    if text_columns:
        kwargs["dtype"] = {c: str for c in text_columns}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(path, **{k: v for k, v in kwargs.items() if v is not None})
    except pd.errors.EmptyDataError:
        raise DataError(f"file '{path}' has no columns; it needs a header row and data rows")\
            from None
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataError(f"file '{path}' is not a well-formed CSV ({first}); its fields "
                        f"seem separated by {delimiter_name(kwargs.get('sep', ','))}: check the "
                        "delimiter and quoting") from None
    if frame.empty:
        raise DataError(f"file '{path}' has a header ({', '.join(map(str, frame.columns))}) but "
                        "no data rows")
    if frame.index.nlevels > 1 or not frame.index.equals(pd.RangeIndex(len(frame))):
        # pandas took the surplus leading fields of every row as an index: the columns shifted
        fields = len(frame.columns)
        raise DataError(f"file '{path}' has rows with {fields + frame.index.nlevels} fields but "
                        f"a header of {fields}; check the delimiter, or name every column in "
                        "the header")
    frame = _tidy_columns(frame)
    decimal = kwargs.get("decimal") or "."
    for col in thousands_columns(frame, decimal):
        text = frame[col].str.replace("," if decimal == "." else ".", "", regex=False)
        frame[col] = pd.to_numeric(text.str.replace(decimal, ".", regex=False))
    kept = set(text_columns or ())
    for col in set(marked_missing_columns(frame, decimal)) - kept:  # FRED's ".": empty
        frame[col] = pd.to_numeric(frame[col].str.strip().str.replace(decimal, ".", regex=False),
                                   errors="coerce")
    for col in [c for c in frame.columns if c not in kept]:
        money = currency_numbers(frame[col], decimal)
        if money is not None:  # "$1,234.50" -> 1234.5
            frame[col] = money
    for col in set(percent_columns(frame, decimal)) - kept:
        text = frame[col].str.replace("%", "", regex=False).str.strip()
        frame[col] = pd.to_numeric(text.str.replace(decimal, ".", regex=False))
    return frame


def _tidy_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names without surrounding spaces; no nameless column that is empty (a trailing
    delimiter) or that numbers the rows (an index saved by ``DataFrame.to_csv``)."""
    drop = []
    for col in frame.columns:
        if not str(col).startswith("Unnamed: "):
            continue
        values = frame[col]
        if values.isna().all():
            drop.append(col)
        elif values.dtype.kind in "iu" and frame.columns.get_loc(col) == 0 and (
                values.to_numpy() == range(len(frame))).all():
            drop.append(col)
    out = frame.drop(columns=drop) if drop else frame
    names = [c.strip() if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns) and len(set(names)) == len(names):
        out = out.set_axis(names, axis=1)
    return out


def is_table_path(data) -> bool:
    """Whether ``data`` is a file path (str or PathLike) rather than in-memory data."""
    return isinstance(data, (str, os.PathLike))


def read_table(path, columns=None, text_columns=None) -> pd.DataFrame:
    """Read a CSV file, or a Parquet file (``.parquet``/``.pq``: needs pyarrow; read by record
    batches, only ``columns`` if given), into a DataFrame; DataError says what is wrong.
    ``text_columns`` of a CSV file are kept as text (see :func:`read_csv`)."""
    if str(path).lower().endswith(PARQUET_SUFFIXES):
        return read_parquet(path, columns)
    return read_csv(path, text_columns)
