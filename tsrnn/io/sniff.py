"""How a text table is written: compression, encoding, comment lines, delimiter, decimal mark,
header (the standard library and pandas only).

:func:`sniff_csv` reads the first few KiB of a file and returns the keyword arguments
``pandas.read_csv`` needs for it, or raises a :class:`~tsrnn.DataError` naming what cannot be
read and how to fix it (UTF-16 text, binary files, two columns of one name).
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections import Counter
from pathlib import Path

import pandas as pd

from .._validation import DataError

__all__ = ["MISSING_MARKS", "csv_columns", "currency_numbers", "delimiter_name",
           "marked_missing_columns", "percent_columns", "sniff_csv", "thousands_columns"]

_HEAD_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "'|'", r"\s+": "spaces"}
_DECIMAL_COMMA = re.compile(r"(?:^|;)\s*\"?-?\d[\d.]*,\d+\"?\s*(?:;|$)")


def _head_bytes(path: Path) -> tuple[bytes, str | None]:
    """The first bytes of the file as text bytes (decompressed), and the compression."""
    with path.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
    if not raw.startswith(b"\x1f\x8b"):
        return raw, None
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(_HEAD_BYTES), "gzip"
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"file '{path}' is a damaged gzip file ({exc}); compress it again or "
                        "give the plain CSV") from None


def _check_text(path: Path, head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 3 and head[1:4:2] == b"\0\0"
                                                        and head[0:3:2] != b"\0\0"):
        raise DataError(f"file '{path}' is UTF-16 text; save it as UTF-8 (e.g. 'CSV UTF-8' in "
                        "Excel) and try again")
    if b"\x00" in head:
        kind = "an Excel workbook" if head.startswith(b"PK\x03\x04") else "binary"
        raise DataError(f"file '{path}' is {kind}, not a CSV text file; export it as CSV first")
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte character cut at the end
            raise DataError(f"file '{path}' is not UTF-8 text (byte {exc.start}); save it as a "
                            "UTF-8 CSV") from None
        return head[: exc.start].decode("utf-8-sig")


_WHITESPACE = r"\s+"  # columns lined up with spaces, as old text data sets are written


def _split(line: str, sep: str) -> list[str]:
    """The fields of one line."""
    return line.split() if sep == _WHITESPACE else next(csv.reader([line], delimiter=sep))


def _delimiter(lines: list[str]) -> str:
    """The candidate that splits the header and the first rows into the same number (>1) of
    fields; the comma when it does, else the one giving the most fields; runs of spaces when
    no single character does."""
    scores = {}
    for sep in _DELIMITERS:
        counts = [len(_split(line, sep)) for line in lines]
        if counts and counts[0] > 1 and all(c == counts[0] for c in counts):
            scores[sep] = counts[0]
    if not scores:
        counts = {len(_split(line, _WHITESPACE)) for line in lines}
        return _WHITESPACE if len(counts) == 1 and counts.pop() > 1 else ","
    if "," in scores and scores[","] >= max(scores.values()):
        return ","
    return max(scores, key=scores.get)


def _fields(lines: list[str]) -> int:
    """The number (> 1) of fields every line splits into with one delimiter, else 0."""
    for sep in _DELIMITERS:
        counts = {len(next(csv.reader([line], delimiter=sep))) for line in lines}
        if len(counts) == 1 and (n := counts.pop()) > 1:
            return n
    return 0


def _preamble(lines: list[str]) -> int:
    """Lines above the header of a report-style file (a title, a date, blank lines: text with
    no delimiter, above a table of two or more fields); 0 when the first line starts the
    table (a header shorter than its rows is the table's, not a title)."""
    for k in range(min(10, len(lines) - 1)):
        table = [line for line in lines[k:] if line.strip()][:20]
        if len(table) < 2:
            break
        if _fields(table):
            above = [line for line in lines[:k] if line.strip()]
            titles = all(len(next(csv.reader([line], delimiter=sep))) == 1
                         for line in above for sep in _DELIMITERS)
            return k if titles else 0
    return 0


def sniff_csv(path) -> dict:
    """``pandas.read_csv`` keyword arguments for ``path`` (compression, skiprows of leading
    ``#`` comment lines and of title lines above the header, sep, decimal, thousands);
    DataError for what cannot be read."""
    path = Path(path)
    head, compression = _head_bytes(path)
    text = _check_text(path, head)
    lines = text.splitlines()
    if len(head) == _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    skip = 0
    while skip < len(lines) and (lines[skip].lstrip().startswith("#") or not lines[skip].strip()):
        skip += 1
    skip += _preamble(lines[skip:])
    body = [line for line in lines[skip:] if line.strip()][:20]
    if not body:
        return {"compression": compression, "skiprows": skip}
    sep = _delimiter(body)
    kwargs = {"compression": compression, "skiprows": skip or None, "sep": sep}
    if sep == ";" and any(_DECIMAL_COMMA.search(line) for line in body[1:]):
        kwargs["decimal"] = ","
    header = _split(body[0], sep)
    repeated = [name for name, n in Counter(h.strip() for h in header).items() if n > 1 and name]
    if repeated:
        raise DataError(f"file '{path}' has two columns named {repeated[0]!r}; rename or drop "
                        "one of them")
    return kwargs


def csv_columns(path) -> list:
    """The column names in the header of a CSV file (as :func:`sniff_csv` finds it)."""
    path = Path(path)
    kwargs = sniff_csv(path)
    lines = [line for line in _check_text(path, _head_bytes(path)[0]).splitlines()
             [kwargs.get("skiprows") or 0:] if line.strip()]
    if not lines:
        return []
    return [h.strip() for h in _split(lines[0], kwargs["sep"])]


def delimiter_name(sep: str) -> str:
    """``";"`` -> ``"semicolon"`` (for messages)."""
    return _NAMES.get(sep, repr(sep))


def _is_text(values) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _text_cells(frame, head: int | None = None):
    """``(name, cells)`` of each text column: its non-empty cells stripped (the first
    ``head``)."""
    for col in frame.columns:
        if _is_text(frame[col]):
            cells = frame[col].dropna().astype(str)
            yield col, (cells if head is None else cells.head(head)).str.strip()


def thousands_columns(frame, decimal: str = ".") -> list:
    """Text columns whose values are all numbers, some with thousands separators
    (``"1,234.5"``; with ``decimal=","``: ``"1.234,5"``)."""
    sep = "," if decimal == "." else "."
    grouped = rf"^-?\d{{1,3}}(?:\{sep}\d{{3}})+(?:\{decimal}\d+)?$"
    plain = rf"^-?\d+(?:\{decimal}\d+)?$"
    return [col for col, cells in _text_cells(frame, 200) if len(cells)
            and cells.str.match(grouped).any()
            and (cells.str.match(grouped) | cells.str.match(plain)).all()]


def percent_columns(frame, decimal: str = ".") -> list:
    """Text columns whose values are all numbers followed by ``%`` (``"12.5%"``), as a
    spreadsheet writes rates."""
    number = rf"^-?\d+(?:\{decimal}\d+)?\s*%$"
    return [col for col, cells in _text_cells(frame) if len(cells)
            and cells.str.match(number).all()]


#: Cells that stand for a missing number in exported tables (FRED writes ``.``).
MISSING_MARKS = (".", "-", "--", "?", "n.a.", "n/a", "na", "nan", "null", "none", "#n/a",
                 "#value!", "#div/0!", "missing")


def marked_missing_columns(frame, decimal: str = ".") -> list:
    """Text columns whose values are all numbers except cells such as ``.`` or ``-`` that
    mark a missing value (:data:`MISSING_MARKS`)."""
    number = rf"^-?(?:\d+(?:\{decimal}\d*)?|\{decimal}\d+)(?:[eE][-+]?\d+)?$"
    out = []
    for col, cells in _text_cells(frame):
        marked = cells.str.lower().isin(MISSING_MARKS)
        if marked.any() and (~marked).any() and cells[~marked].str.match(number).all():
            out.append(col)
    return out


_CURRENCY = "$€£¥"


def currency_numbers(values, decimal: str = "."):
    """``values`` (text) as numbers when every one is an amount of money with its currency
    sign (``$1,234.50``, ``-$50``, ``1.234,50 €``), else None; the file's decimal mark
    first, then the other one."""
    if not _is_text(values):
        return None
    for mark in (decimal, "," if decimal == "." else "."):
        out = _amounts(values, mark)
        if out is not None:
            return out
    return None


def _amounts(values, decimal: str):
    sep = "," if decimal == "." else "."
    amount = re.compile(rf"^(-?)\s*[{_CURRENCY}]?\s*(-?)(\d{{1,3}}(?:\{sep}\d{{3}})+|\d+)"
                        rf"(\{decimal}\d+)?\s*[{_CURRENCY}]?$")
    cells = values.dropna().astype(str).str.strip()
    if cells.empty or not cells.str.contains(f"[{_CURRENCY}]").all():
        return None
    parts = cells.str.extract(amount)
    if parts[2].isna().any():
        return None
    sign = (parts[0] + parts[1]).str.len().mod(2).map({0: 1.0, 1: -1.0})
    number = parts[2].str.replace(sep, "", regex=False) + parts[3].fillna("").str.replace(
        decimal, ".", regex=False)
    return (pd.to_numeric(number) * sign).reindex(values.index)
