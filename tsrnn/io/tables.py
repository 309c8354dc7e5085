"""Reading tabular files with errors for people, and guessing roles (numpy/pandas only).

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
from .parquet import read_parquet

__all__ = [
    "PARQUET_SUFFIXES",
    "read_csv",
    "read_table",
    "is_table_path",
    "guess_time_column",
    "seasonal_period",
]

PARQUET_SUFFIXES = (".parquet", ".pq")

_TIME_NAMES = ("time", "timestamp", "date", "datetime", "ds", "period", "month", "day")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"file '{path}' does not exist; check the path")
    if path.is_dir():
        raise DataError(f"'{path}' is a folder, not a CSV file; give the path of a .csv file")
    if path.stat().st_size == 0:
        raise DataError(f"file '{path}' is empty; it needs a header row and data rows")
    head = path.open("rb").read(8192)
    if b"\x00" in head:
        raise DataError(f"file '{path}' is binary, not a CSV text file; export it as CSV first")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at 8192 bytes
            raise DataError(f"file '{path}' is not UTF-8 text (byte {exc.start}); save it as a "
                            "UTF-8 CSV") from None


def read_csv(path) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, or raise DataError saying what is wrong with it.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    DataFrame
        The table as pandas reads it (no column is parsed as dates here; see
        :func:`guess_time_column`).
    """
    path = Path(path)
    _check_file(path)
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"file '{path}' has no columns; it needs a header row and data rows")\
            from None
    except (pd.errors.ParserError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataError(f"file '{path}' is not a well-formed CSV ({first}); check the "
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
    return frame


def is_table_path(data) -> bool:
    """Whether ``data`` is a file path (str or PathLike) rather than in-memory data."""
    return isinstance(data, (str, os.PathLike))


def read_table(path, columns=None) -> pd.DataFrame:
    """Read a CSV file, or a Parquet file (``.parquet``/``.pq``: needs pyarrow; read by record
    batches, only ``columns`` if given), into a DataFrame; DataError says what is wrong."""
    if str(path).lower().endswith(PARQUET_SUFFIXES):
        return read_parquet(path, columns)
    return read_csv(path)


def guess_time_column(frame: pd.DataFrame) -> str | None:
    """The first text column whose values parse as dates (named-like-time columns first)."""
    candidates = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    candidates.sort(key=lambda c: str(c).lower() not in _TIME_NAMES)
    for col in candidates:
        sample = frame[col].dropna().astype(str).head(200)
        if sample.empty:
            continue
        if _date_share(sample) >= 0.95:
            return col
    return None


def _date_share(sample: pd.Series) -> float:
    """Share of ``sample`` (text) that parses as dates; mixed time zones count (as UTC)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for utc in (False, True):  # pandas refuses mixed offsets unless utc=True
            try:
                parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=utc)
            except (ValueError, TypeError, OverflowError):
                continue
            return float(parsed.notna().mean())
    return 0.0


_PERIODS = {"h": 24, "min": 60, "D": 7, "B": 5, "W": 52, "MS": 12, "ME": 12, "M": 12, "QS": 4,
            "QE": 4, "Q": 4}


def seasonal_period(freq: str | None) -> int:
    """A customary season length for ``freq`` (24 for hourly, 7 daily, 12 monthly, ...); 1 if
    none applies."""
    if not freq:
        return 1
    base = freq.lstrip("0123456789").split("-")[0]
    if freq[0].isdigit():  # multiples such as "6h" have no customary season
        return 1
    return _PERIODS.get(base, 1)
