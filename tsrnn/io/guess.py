"""Guessing the roles of a table's columns and how its times are written (numpy/pandas only).

- :func:`guess_time_column`: a column of dates (text), of integer years, or of Unix epoch
  seconds / milliseconds, named-like-time columns first;
- :func:`epoch_unit`: ``"s"`` or ``"ms"`` for integers that are Unix times;
- :func:`compact_date_format`: ``"%Y%m%d"`` for integers such as ``20240131``;
- :func:`guess_id_column`: the series id column of a long table (``unique_id``, ``id``,
  ``series``, ..., a column named for what a series is about, such as ``store`` or
  ``sensor_id``, or a text column whose values repeat the timestamps);
- :func:`period_text_dates`: periods written ``2015M01`` or ``2019-W02`` as dates;
- :func:`clock_column`: a column of times of day that completes a column of dates;
- :func:`date_order`: whether ``01/02/2024``-style dates are day-first, from their values.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

__all__ = [
    "ID_NAMES",
    "clock_column",
    "compact_date_format",
    "date_order",
    "epoch_unit",
    "guess_id_column",
    "guess_time_column",
    "is_id_name",
    "is_year_column",
    "period_text_dates",
    "seasonal_period",
    "year_period_columns",
    "year_period_dates",
]

_TIME_NAMES = ("time", "timestamp", "date", "datetime", "ds", "period", "month", "day", "year",
               "ts", "epoch", "unix", "t")
_YEAR_NAMES = ("year", "yr", "years")
#: Column names read as series ids of a long table.
ID_NAMES = ("unique_id", "id", "series", "series_id", "item_id", "ts_id", "key")
#: Words that name what a series of a long table is about (a number or text): a store, a
#: sensor, a product; also any name ending in ``_id``, ``_code``, ``_no`` or ``ID``.
_ID_WORDS = ("store", "shop", "sku", "item", "product", "station", "sensor", "meter", "site",
             "customer", "client", "region", "country", "building", "location", "entity",
             "ticker", "symbol", "account", "device", "machine", "household", "city", "state",
             "zone", "department", "dept", "branch", "plant", "well", "patient", "user")
_ID_SUFFIX = re.compile(r"(?:[_\s.-](?:id|code|key|no|nr|number)|[a-z](?:ID|Id))$")
_EPOCH = {"s": (1e8, 4.2e9), "ms": (1e11, 4.2e12)}
_SLASHED = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})(?:[ T]|$)")


def _int_values(values: pd.Series) -> np.ndarray | None:
    """The values as int64 when the column holds whole numbers only (no NaN), else None."""
    if values.dtype.kind not in "iuf" or values.isna().any() or values.empty:
        return None
    array = values.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
        return None
    return array.astype(np.int64)


def epoch_unit(values: pd.Series) -> str | None:
    """``"s"`` or ``"ms"`` when every value is a whole number in the range of Unix times of
    1973-2103 in that unit, else None."""
    array = _int_values(values)
    if array is None:
        return None
    for unit, (lo, hi) in _EPOCH.items():
        if array.min() >= lo and array.max() <= hi:
            return unit
    return None


def compact_date_format(values: pd.Series) -> str | None:
    """``"%Y%m%d"`` for whole numbers that are all dates written ``20240131``, ``"%Y%m"`` for
    months written ``202401``; else None."""
    array = _int_values(values)
    if array is None:
        return None
    for fmt, lo, hi in (("%Y%m%d", 18_000_101, 22_001_231), ("%Y%m", 180_001, 220_012)):
        if array.min() >= lo and array.max() <= hi:
            parsed = pd.to_datetime(pd.Series(array.astype(str)), format=fmt, errors="coerce")
            return fmt if parsed.notna().all() else None
    return None


def is_year_column(name, values: pd.Series) -> bool:
    """Whole numbers between 1000 and 2200 in a column named like a year (``year``, ``yr``)."""
    array = _int_values(values)
    if array is None or array.min() < 1000 or array.max() > 2200:
        return False
    steps = np.diff(np.unique(array))
    return str(name).strip().lower() in _YEAR_NAMES and (len(steps) == 0 or steps.min() >= 1)


def _named_like_time(name) -> bool:
    return str(name).strip().lower() in _TIME_NAMES


def guess_time_column(frame: pd.DataFrame) -> str | None:
    """The column of times: a text column whose values parse as dates, or a whole-number column
    of years, Unix epoch times or compact dates (``20240131``); columns named like time come
    first, then the first column."""
    order = sorted(frame.columns, key=lambda c: (not _named_like_time(c),
                                                 frame.columns.get_loc(c) != 0))
    for col in order:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            return col
        if pd.api.types.is_numeric_dtype(values):
            if values.dtype.kind == "b":
                continue
            first = frame.columns.get_loc(col) == 0
            stamps = epoch_unit(values) or compact_date_format(values)
            if is_year_column(col, values) or ((_named_like_time(col) or first)
                                               and stamps and _rising(values)):
                return col
            continue
        sample = values.dropna().astype(str).head(200)
        if not sample.empty and _date_share(sample) >= 0.95:
            return col
    return None


def _rising(values: pd.Series) -> bool:
    """Mostly increasing (a time column of one or many series sorted by time)."""
    diffs = np.diff(values.to_numpy(dtype=np.float64))
    return len(diffs) > 0 and float(np.mean(diffs > 0)) >= 0.5


_PERIOD_TEXT = {  # periods pandas does not read: kind -> pattern
    "monthly": re.compile(r"^\s*(\d{4})[Mm](\d{1,2})\s*$"),  # 2015M01 (Eurostat, IMF)
    "weekly": re.compile(r"^\s*(\d{4})-?W(\d{2})(?:-?([1-7]))?\s*$"),  # 2019-W02 (ISO 8601)
}


def period_text_dates(values: pd.Series) -> tuple[str, pd.Series] | None:
    """``(kind, dates)`` for text periods that pandas does not read, ``2015M01`` (monthly:
    the first of the month) or ISO weeks ``2019-W02`` (weekly: the week's Monday, or the day
    given as ``2019-W02-3``); None unless every value is one of them."""
    text = values.dropna().astype(str)
    if text.empty:
        return None
    for kind, pattern in _PERIOD_TEXT.items():
        if not pattern.match(text.iloc[0]):  # the first value decides before the whole column
            continue
        found = text.str.extract(pattern)
        if found[0].isna().any():
            continue
        if kind == "monthly":
            parts = {"year": found[0].astype(int), "month": found[1].astype(int), "day": 1}
            if not found[1].astype(int).between(1, 12).all():
                return None
            dates = pd.to_datetime(pd.DataFrame(parts), errors="coerce")
        else:
            iso = found[0] + "-W" + found[1] + "-" + found[2].fillna("1")
            dates = pd.to_datetime(iso, format="%G-W%V-%u", errors="coerce")
        if dates.isna().any():
            return None
        return kind, dates.reindex(values.index)
    return None


def _date_share(sample: pd.Series) -> float:
    """Share of ``sample`` (text) that parses as dates; mixed time zones count (as UTC)."""
    if sample.str.fullmatch(r"\s*-?\d+(\.\d*)?\s*").mean() > 0.5:
        return 0.0  # numbers stored as text are not dates
    if period_text_dates(sample) is not None:
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for utc in (False, True):  # pandas refuses mixed offsets unless utc=True
            try:
                parsed = pd.to_datetime(sample, errors="coerce", format="mixed", utc=utc)
            except (ValueError, TypeError, OverflowError):
                continue
            return float(parsed.notna().mean())
    return 0.0


_PERIOD_NAMES = {"quarter": 4, "qtr": 4, "q": 4, "month": 12, "mon": 12, "m": 12}
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?$")


def clock_column(frame: pd.DataFrame, date_col) -> str | None:
    """A column of times of day (``13:30``, ``01:00:00``, ``1:30 PM``) beside ``date_col``,
    a column of dates that repeat and hold no time of day: the two halves of one timestamp,
    as loggers and spreadsheets write them (``Date;Time;...``)."""
    if date_col is None or date_col not in frame.columns or frame[date_col].is_unique:
        return None
    dates = frame[date_col].dropna().astype(str).head(200)
    if not len(dates) or dates.str.contains(":").any():
        return None
    for col in frame.columns:
        values = frame[col]
        if col == date_col or not (values.dtype == object
                                   or pd.api.types.is_string_dtype(values.dtype)):
            continue
        sample = [v.strip() for v in values.dropna().astype(str).head(200)]
        if sample and all(_CLOCK.match(v) for v in sample):
            return col
    return None


def year_period_columns(frame: pd.DataFrame, year_col) -> tuple | None:
    """``(period column, periods per year)`` when ``year_col`` holds years that repeat and a
    column named like a quarter (1-4) or a month (1-12) numbers the periods of each year."""
    if year_col not in frame.columns or not is_year_column(year_col, frame[year_col]):
        return None
    if frame[year_col].is_unique:
        return None
    for col in frame.columns:
        per_year = _PERIOD_NAMES.get(str(col).strip().lower())
        array = None if per_year is None else _int_values(frame[col])
        if array is not None and array.min() >= 1 and array.max() <= per_year:
            return col, per_year
    return None


def year_period_dates(years: pd.Series, periods: pd.Series, per_year: int) -> pd.Series:
    """Dates of the first day of each quarter (``per_year=4``) or month (12)."""
    months = (periods.astype(np.int64) - 1) * (12 // per_year) + 1
    return pd.to_datetime(pd.DataFrame({"year": years.astype(np.int64), "month": months,
                                        "day": 1}))


def is_id_name(name) -> bool:
    """Whether a column name says it identifies series: :data:`ID_NAMES`, a word such as
    ``store``, ``sensor`` or ``sku``, or a name ending in ``_id``, ``_code``, ``ID``..."""
    text = str(name).strip()
    return (text.lower() in ID_NAMES or text.lower() in _ID_WORDS
            or _ID_SUFFIX.search(text) is not None or text.lower().endswith("_id"))


def guess_id_column(frame: pd.DataFrame, time_col) -> str | None:
    """The series id column of a long table: None unless the times repeat; then the first
    column that makes (id, time) unique among: those named like an id (:data:`ID_NAMES`),
    those whose name says what a series is about (:func:`is_id_name`, numbers too: store
    ``1``, ``2``...), and text columns; else the first that leaves under 1% of the rows
    repeated (a few real duplicates, or an hour repeated at a daylight-saving change, which
    are then reported series by series)."""
    if time_col is None or time_col not in frame.columns or frame[time_col].is_unique:
        return None
    others = [c for c in frame.columns if c != time_col]
    named = [c for c in others if str(c).strip().lower() in ID_NAMES]
    worded = [c for c in others if c not in named and is_id_name(c)]
    text = [c for c in others if c not in named + worded
            and not pd.api.types.is_numeric_dtype(frame[c])]
    repeats = {}
    for col in named + worded + text:
        repeats[col] = int(frame.duplicated([col, time_col]).sum())
        if repeats[col] == 0:
            return col
    return next((col for col, n in repeats.items() if n < 0.01 * len(frame)), None)


def date_order(values: pd.Series) -> tuple[bool, bool] | None:
    """For dates written ``nn/nn/yyyy`` (or with ``.`` / ``-``): ``(dayfirst, certain)``, from
    the values: a first number above 12 means day-first, a second above 12 month-first; when
    neither occurs, the order whose dates follow a regular frequency (month-first on a tie).
    None for other values."""
    sample = values.dropna()
    sample = sample.head(20_000).astype(str)  # a day above 12 comes within two weeks of rows
    parts = sample.str.extract(_SLASHED)
    if sample.empty or parts[0].isna().mean() > 0.05:
        return None
    first, second = parts[0].dropna().astype(int), parts[2].dropna().astype(int)
    if (first > 12).any() and not (second > 12).any():
        return True, True
    if (second > 12).any() and not (first > 12).any():
        return False, True
    regular = {}
    sample = sample.head(2_000)
    for dayfirst in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(sample, dayfirst=dayfirst, errors="coerce", format="mixed")
        unique = pd.DatetimeIndex(parsed.dropna().unique()).sort_values()
        regular[dayfirst] = len(unique) >= 3 and pd.infer_freq(unique) is not None
    if regular[True] and not regular[False]:
        return True, True
    return False, regular[False] and not regular[True]


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
