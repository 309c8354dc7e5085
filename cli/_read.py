"""Reading a command's DATA file: the table, the guessed time and id columns (announced), how
its times are written (``--dayfirst``, ``--date-format``, years, Unix times), ``--freq`` and
``--fill``. Shared by ``fit``, ``forecast`` and ``backtest``."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import click
import pandas as pd

from tsrnn import ConfigError, DataError
from tsrnn.data import FILL_METHODS, add_missing_rows, fill_missing
from tsrnn.io import (
    ID_NAMES,
    PARQUET_SUFFIXES,
    clock_column,
    compact_date_format,
    csv_columns,
    date_order,
    epoch_unit,
    guess_id_column,
    guess_time_column,
    is_id_name,
    is_year_column,
    period_text_dates,
    read_table,
    year_period_columns,
    year_period_dates,
)

from ._common import say

__all__ = ["FILL_OPTION", "TIME_OPTIONS", "read_frame", "guess_roles", "constant_ids",
           "combine_periods", "parse_time_column", "apply_fill", "check_rows", "check_freq"]


def _step(ctx, param, value):
    """``--round``: a fixed step (15min, h, D), as a pandas alias."""
    if value is None:
        return None
    try:
        offset = pd.tseries.frequencies.to_offset(value)
    except ValueError:
        offset = None
    if not isinstance(offset, pd.offsets.Tick):
        raise click.BadParameter(f"{value!r} is not a fixed step; give one such as 15min, h or "
                                 "D", ctx, param)
    return value


def _time_options(func):
    func = click.option("--round", "round_to", metavar="STEP", callback=_step, help="Round "
                        "every timestamp to the nearest STEP first (e.g. h: sensor clocks a "
                        "few seconds off the hour).")(func)
    func = click.option("--date-format", metavar="FORMAT", help="How the dates are written, "
                        "e.g. %d/%m/%Y (default: read from the values).")(func)
    return click.option("--dayfirst", is_flag=True, help="Dates such as 03/04/2024 are day "
                        "first (default: decided from the values).")(func)


#: ``--dayfirst``, ``--date-format`` and ``--round``, for every command that reads DATA.
TIME_OPTIONS = _time_options

#: ``--fill`` of the commands that read DATA for a fitted model (forecast, backtest, update,
#: calibrate): as ``tsrnn fit --fill``.
FILL_OPTION = click.option("--fill", type=click.Choice(FILL_METHODS), help="Fill missing "
                           "values of DATA first (and add its missing timestamps), as `tsrnn "
                           "fit --fill`.")


def read_frame(path: Path, id_col=None, text_ids: bool = True) -> pd.DataFrame:
    """The table; a CSV's id column (given, or named like one: ``id``, ``unique_id``...) is
    read as text, so that ids such as ``001`` keep their zeros (``tsrnn fit`` reads a guessed
    numeric id column again as text)."""
    text = []
    if text_ids and not str(path).lower().endswith(PARQUET_SUFFIXES):
        names = csv_columns(path) if Path(path).is_file() else []
        text = [id_col] if id_col is not None else [
            c for c in names if c.strip().lower() in ID_NAMES]
    return _index_as_columns(read_table(path, text_columns=text or None))


def _index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A Parquet file's saved index (the dates of ``df.to_parquet()``, or named id and time
    levels) as ordinary columns, so that the time column is found and announced."""
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        return frame
    if isinstance(index, pd.MultiIndex):
        return frame.reset_index() if all(index.names) else frame
    if index.name is None and not isinstance(index, pd.DatetimeIndex):
        return frame
    name = index.name or next(n for n in ("time", "date", "time_") if n not in frame.columns)
    return frame.rename_axis(name).reset_index()


def check_rows(frame: pd.DataFrame, path: Path) -> None:
    """A table of one or two rows has no history to learn or forecast from."""
    if len(frame) < 3:
        raise DataError(f"'{path}' has {len(frame)} data row{'s' * (len(frame) != 1)}; a "
                        "forecast needs a history of many rows (at least --lookback + 2 x "
                        "--horizon of each series)")


def guess_roles(frame: pd.DataFrame, time_col, id_col) -> tuple:
    """``(frame, time_col, id_col)``, guessing and announcing the ones not given; a column of
    years beside one of quarters or months becomes one column of dates."""
    if time_col is None:
        time_col = guess_time_column(frame)
        frame, combined = combine_periods(frame, time_col)
        if combined is not None:
            time_col = combined
        else:
            say(f"Time column: {time_col!r} (guessed; set --time-col to choose)" if time_col
                else "No date column found; using row order as time (set --time-col to "
                "choose)")
    if id_col is None and time_col is not None:
        id_col = guess_id_column(frame, time_col)
        if id_col is not None:
            say(f"Id column: {id_col!r} (guessed: the times repeat; set --id-col to choose)")
    return frame, time_col, id_col


def constant_ids(frame: pd.DataFrame, roles: dict) -> list:
    """Numeric columns of one series' file that are named like an id and hold one value (a
    sensor's number): not targets unless named by ``--target``."""
    if roles["id_col"] is not None or roles["target"]:
        return []
    taken = {roles["time_col"], *(roles["past_covariates"] or ()),
             *(roles["future_covariates"] or ()), *(roles.get("static_covariates") or ())}
    return [c for c in frame.columns if c not in taken and is_id_name(c)
            and pd.api.types.is_numeric_dtype(frame[c]) and frame[c].nunique(dropna=False) == 1]


def combine_periods(frame: pd.DataFrame, year_col, name=None) -> tuple:
    """``(frame, new time column or None)``: years and quarters (or months) in two columns
    become one column of dates (``name``, default ``date``), which replaces them; so do dates
    and times of day (default name ``datetime``)."""
    found = None if year_col is None else year_period_columns(frame, year_col)
    if found is None:
        return _combine_clock(frame, year_col, name)
    period_col, per_year = found
    name = name or next(n for n in ("date", "period", "time_") if n not in frame.columns)
    out = frame.drop(columns=[year_col, period_col])
    out.insert(0, name, year_period_dates(frame[year_col], frame[period_col], per_year))
    kind = "quarterly" if per_year == 4 else "monthly"
    say(f"Time column: {name!r}, {kind} dates from {year_col!r} and {period_col!r} (guessed; "
        "set --time-col to choose)")
    return out, name


def _combine_clock(frame: pd.DataFrame, date_col, name=None) -> tuple:
    """Dates in ``date_col`` and times of day in another column -> one column of timestamps."""
    clock = clock_column(frame, date_col)
    if clock is None:
        return frame, None
    name = name or next(n for n in ("datetime", "timestamp", "time_") if n not in frame.columns)
    stamps = frame[date_col].astype(str).str.strip() + " " + frame[clock].astype(str).str.strip()
    out = frame.drop(columns=[date_col, clock])
    out.insert(0, name, stamps.where(frame[date_col].notna() & frame[clock].notna()))
    say(f"Time column: {name!r}, timestamps from the dates in {date_col!r} and the times of "
        f"day in {clock!r} (guessed; set --time-col to choose)")
    return out, name


def parse_time_column(frame: pd.DataFrame, time_col, dayfirst=False, date_format=None,
                      dates: bool | None = None, round_to: str | None = None) -> pd.DataFrame:
    """The frame with its time column read as dates where the CLI knows better than pandas'
    defaults: ``--date-format``, ``--dayfirst`` or day-first values, Unix epoch seconds or
    milliseconds, then rounded to ``--round``. Integer years stay integers (steps of one
    year). ``dates``: whether the model expects dates (None: decide from the values)."""
    if time_col is None or time_col not in frame.columns:
        return frame
    frame = _parse_time_column(frame, time_col, dayfirst, date_format, dates)
    return frame if round_to is None else _rounded(frame, time_col, round_to)


def _rounded(frame: pd.DataFrame, time_col: str, step: str) -> pd.DataFrame:
    """``--round STEP``: the time column rounded to the nearest STEP, and a line saying how much
    moved."""
    times = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(times):
        try:
            if pd.api.types.is_numeric_dtype(times):
                raise TypeError("steps, not date-times")
            times = pd.to_datetime(times, format="mixed")
        except (ValueError, TypeError):
            raise ConfigError(f"--round {step} rounds date-times, but {time_col!r} holds "
                              f"{frame[time_col].dtype} values; leave out --round") from None
    rounded = times.dt.round(step)
    moved = times != rounded
    if moved.any():
        most = (times - rounded).abs().max().total_seconds()
        say(f"Timestamps of {time_col!r} rounded to the nearest {step}: {int(moved.sum())} "
            f"moved, by up to {most:g} s")
    out = frame.copy()
    out[time_col] = rounded
    return out


def _parse_time_column(frame: pd.DataFrame, time_col, dayfirst, date_format, dates
                       ) -> pd.DataFrame:
    values = frame[time_col]
    parsed = None
    if pd.api.types.is_numeric_dtype(values) and values.dtype.kind != "b":
        if values.dtype.kind == "f" and is_year_column(time_col, values):
            out = frame.copy()
            out[time_col] = values.astype("int64")  # 1959.0 -> 1959
            return out
        unit, compact = epoch_unit(values), compact_date_format(values)
        if unit and dates is not False and not (dates is None and is_year_column(time_col,
                                                                                  values)):
            parsed = pd.to_datetime(values, unit=unit)
            say(f"Time column {time_col!r}: Unix times in {'milli' if unit == 'ms' else ''}"
                "seconds, read as UTC dates")
        elif compact and dates is not False:
            parsed = pd.to_datetime(values.astype("int64").astype(str), format=compact)
            say(f"Time column {time_col!r}: dates written {int(values.iloc[0])} ({compact}), "
                "read as dates")
    elif date_format:
        parsed = _parse(values, time_col, format=date_format)
    elif (periods := period_text_dates(values)) is not None:
        kind, parsed = periods
        day = "the first day of each month" if kind == "monthly" else "the week's Monday"
        say(f"Time column {time_col!r}: {kind} periods such as {values.iloc[0]!r}, read as "
            f"dates ({day})")
    else:
        order = date_order(values)  # None for year-first (ISO) dates: --dayfirst cannot apply
        if order is not None and dayfirst:
            parsed = _parse(values, time_col, dayfirst=True, format="mixed")
        elif order is not None:
            first, certain = order
            parsed = _parse(values, time_col, dayfirst=first, format="mixed")
            if first or not certain:
                which = "day first" if first else "month first"
                note = "" if certain else (" (either order fits; pass --dayfirst or "
                                           "--date-format to choose)")
                say(f"Dates in {time_col!r} read {which}, e.g. {values.iloc[0]!r} is "
                    f"{parsed.iloc[0]:%Y-%m-%d}{note}")
    if parsed is None:
        return frame
    out = frame.copy()
    out[time_col] = parsed
    return out


_SLASHED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})( \d{1,2}:\d{2}(:\d{2})?)?$")


def _explicit_format(values: pd.Series, dayfirst: bool) -> str | None:
    """``%d/%m/%Y``-style format of the first value (fast to parse), when it has one."""
    first = str(values.dropna().iloc[0]).strip() if values.notna().any() else ""
    found = _SLASHED.match(first)
    if found is None:
        return None
    sep, year, clock = found.group(2), found.group(4), found.group(5)
    date = sep.join(["%d", "%m"] if dayfirst else ["%m", "%d"]) + sep
    date += "%Y" if len(year) == 4 else "%y"
    if clock:
        date += " %H:%M" + (":%S" if found.group(6) else "")
    return date


def _parse(values: pd.Series, time_col, **kwargs) -> pd.Series:
    if kwargs.get("format") == "mixed":  # dd/mm/yyyy: an explicit format is much faster
        explicit = _explicit_format(values, kwargs.get("dayfirst", False))
        if explicit is not None:
            parsed = pd.to_datetime(values, errors="coerce", format=explicit)
            if not (parsed.isna() & values.notna()).any():
                return parsed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, errors="coerce", **kwargs)
        except ValueError as exc:  # a bad --date-format directive
            raise ConfigError(f"--date-format {kwargs.get('format')} is not a date format "
                              f"({exc}); write it as e.g. %d/%m/%Y or %Y-%m-%d %H:%M") from None
    bad = parsed.isna() & values.notna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        how = (f"--date-format {kwargs['format']}" if kwargs.get("format") != "mixed" else
               "--dayfirst" if kwargs.get("dayfirst") else "month-first dates")
        raise DataError(f"time column {time_col!r} holds {values.iloc[pos]!r} at row {pos}, "
                        f"which does not read as a date with {how}; fix that row or pass "
                        "another --date-format")
    return parsed


def apply_fill(frame: pd.DataFrame, fill, roles: dict, freq=None,
               mask: bool = False) -> pd.DataFrame:
    """``--fill``: fill the numeric columns per series (with ``--freq``: add the missing
    timestamps first); ``drop`` names the series it removes whole. Without ``--fill``, with
    ``mask`` (``--missing`` mask or auto) and a frequency: add the missing timestamps as
    empty rows, the gaps the model learns around."""
    if not fill and mask and freq is not None:
        out = add_missing_rows(frame, freq, id_col=roles["id_col"], time_col=roles["time_col"])
        if len(out) > len(frame):
            say(f"added {len(out) - len(frame)} missing timestamp(s) at --freq {freq} as gaps "
                "the model learns around (--fill fills them instead)")
        return out
    if not fill:
        return frame
    keys = (roles["time_col"], roles["id_col"])
    cols = [c for c in frame.columns if c not in keys and pd.api.types.is_numeric_dtype(frame[c])
            and frame[c].dtype.kind != "b"]
    out = fill_missing(frame, fill, cols, id_col=roles["id_col"], time_col=roles["time_col"],
                       freq=freq)
    if fill == "drop":
        lost = len(frame) - len(out)
        if roles["id_col"] is not None:
            gone = [i for i in pd.unique(frame[roles["id_col"]])
                    if i not in set(pd.unique(out[roles["id_col"]]))]
            if gone:
                shown = ", ".join(map(repr, gone[:10])) + (" ..." if len(gone) > 10 else "")
                say(f"--fill drop removed {len(gone)} whole series (every row had a missing "
                    f"value): {shown}")
        if lost:
            say(f"--fill drop removed {lost} row(s) with missing values")
        if out.empty:
            raise DataError("--fill drop removed every row: each has a missing value; use "
                            "--fill ffill or --fill interpolate, or choose --target")
    elif len(out) > len(frame):
        say(f"--fill {fill} added {len(out) - len(frame)} missing timestamp(s) at --freq {freq}")
    return out


def check_freq(frame: pd.DataFrame, time_col, freq) -> None:
    """``--freq``: a pandas alias, and not coarser than the steps of the data (which it would
    call gaps to fill)."""
    if freq is None:
        return
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise ConfigError(f"--freq {freq} is not a frequency alias; use e.g. h (hourly), D "
                          "(daily), B (business days), W, MS (month starts), QS") from None
    if time_col is None or time_col not in frame.columns:
        return
    times = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(times):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = pd.to_datetime(times, errors="coerce", format="mixed")
    unique = pd.DatetimeIndex(times.dropna().unique()).sort_values()
    if len(unique) < 3:
        return
    step = pd.Series(unique[1:] - unique[:-1]).median()
    first = unique[0]
    if step < (first + offset) - first and pd.infer_freq(unique[:50]) not in (None, freq):
        found = pd.infer_freq(unique[:50])
        raise ConfigError(f"--freq {freq} is coarser than the data, whose timestamps follow "
                          f"frequency {found!r}; pass --freq {found}, or resample the data to "
                          "one row per step first")
