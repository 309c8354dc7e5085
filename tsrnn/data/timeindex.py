"""Time indexes: parsing timestamps, inferring and checking the frequency, future steps.

Numpy and pandas only. A series' time index is a DatetimeIndex carrying one frequency for all
series of a panel, or integer steps (a RangeIndex).
"""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from .._validation import ConfigError, DataError, check_positive_int
from .checks import series_label

__all__ = [
    "as_offset",
    "check_duplicates",
    "future_index",
    "parse_times",
    "per_series_index",
    "with_freq",
    "resolve_freq",
]

def _missing_time(values: pd.Index, label: str) -> DataError:
    pos = int(np.flatnonzero(pd.isna(values))[0])
    return DataError(f"{label} has a missing timestamp at row {pos}; drop or fill that row")


def _explain_bad_times(values: pd.Index, label: str, err: Exception) -> DataError | None:
    """Name the first unparseable value or the aware/naive mix; None if all are tz-aware."""
    stamps = []
    for pos, value in enumerate(values):
        try:
            stamps.append(pd.Timestamp(value))
        except (ValueError, TypeError):
            return DataError(f"{label} holds {value!r} at row {pos}, which is not a date; "
                             "fix or drop that row")
    aware = [s is not pd.NaT and s.tzinfo is not None for s in stamps]
    if any(aware) and not all(aware):
        example = f"{values[aware.index(True)]!r} and {values[aware.index(False)]!r}"
        return DataError(f"{label} mixes timezone-aware and naive timestamps ({example}); make "
                         "them all aware, e.g. pd.to_datetime(..., utc=True), or all naive")
    if all(aware):
        return None
    return DataError(f"{label} could not be read as dates ({str(err).splitlines()[0]}); "
                     "convert it with pd.to_datetime(..., format=...) first")


def _parse_utc(values: pd.Index, label: str) -> pd.DatetimeIndex:
    """Timestamps with mixed UTC offsets (e.g. across daylight saving), converted to UTC."""
    try:
        return pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    except (ValueError, TypeError) as err:
        raise DataError(f"{label} could not be read as dates ({str(err).splitlines()[0]}); "
                        "convert it with pd.to_datetime(..., utc=True) first") from None


def parse_times(values: object, label: str) -> pd.Index:
    """A DatetimeIndex or an int64 Index from a time column or index; DataError otherwise."""
    values = pd.Index(values)
    if isinstance(values.dtype, pd.PeriodDtype):
        raise DataError(f"{label} holds periods ({values[0]}, dtype {values.dtype}), not "
                        "timestamps; convert them with .to_timestamp(), e.g. data.index = "
                        "data.index.to_timestamp()")
    if values.dtype == object:
        values = values.infer_objects()
    kind = values.dtype.kind
    if kind in "iu":
        return values.astype(np.int64)
    if kind == "M" or isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = pd.DatetimeIndex(values)
    elif kind in "OUS" or pd.api.types.is_string_dtype(values.dtype):
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Could not infer format")
                parsed = pd.DatetimeIndex(pd.to_datetime(values))
        except (ValueError, TypeError, OverflowError) as err:
            problem = _explain_bad_times(values, label, err)
            if problem is not None:
                raise problem from None
            parsed = _parse_utc(values, label)
    else:
        example = values[:1].tolist()
        raise DataError(f"{label} holds {values.dtype} values (e.g. {example[0]!r}), neither "
                        "timestamps nor integers; pass dates or integer time steps")
    if parsed.hasnans:
        raise _missing_time(parsed, label)
    return parsed


def _infer_freq(index: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq`` as a canonical alias string (or None), on pandas 2 and 3 alike."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*infer_freq.*")
        found = pd.infer_freq(index)
    if found is None:
        return None
    offset = to_offset(found)
    if type(offset) is pd.offsets.QuarterBegin:  # pandas < 3.1 calls January quarters QS-OCT
        offset = pd.offsets.QuarterBegin(startingMonth=(index[0].month - 1) % 3 + 1)
    return offset.freqstr


def _first_gap(index: pd.Index, offset: object) -> int | None:
    """Position ``k`` where ``index[k + 1]`` does not follow ``index[k]``, else None."""
    if offset is None:
        expected = index[:-1] + 1
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            expected = index[:-1] + offset
    bad = np.flatnonzero(np.asarray(expected != index[1:]))
    return int(bad[0]) if len(bad) else None


def _gap_error(index: pd.Index, offset: object, k: int, label: str) -> DataError:
    if offset is None:
        return DataError(f"{label} is not regular: its integer index jumps from {index[k]} to "
                         f"{index[k + 1]}; steps must be 1 (fill the missing steps, or call "
                         "data.reset_index(drop=True) if the rows are in time order)")
    step = offset.freqstr
    jitter = _off_grid(index, offset)
    if jitter is not None:
        stamp, most = jitter
        return DataError(f"{label} is not regular at frequency {step!r}: its timestamps are off "
                         f"the {step} grid by up to {most} (first {stamp}); round them to it "
                         f"first, e.g. data[time_col].dt.round({step!r})")
    return DataError(f"{label} is not regular at frequency {step!r}: after {index[k]} comes "
                     f"{index[k + 1]} instead of {index[k] + offset}; fill the missing "
                     f"timestamps (e.g. data.asfreq({step!r})) or resample the data")


def _off_grid(index: pd.Index, offset) -> tuple | None:
    """(first stamp off the grid, the largest distance) when every timestamp lies within a
    tenth of a fixed ``offset`` of a multiple of it (a clock a few seconds off), else None."""
    if not isinstance(offset, pd.offsets.Tick) or not isinstance(index, pd.DatetimeIndex):
        return None
    off = (index - index.round(offset)).to_series().abs().to_numpy()
    most = pd.Timedelta(off.max())
    if most == pd.Timedelta(0) or most > pd.Timedelta(offset) / 10:
        return None
    seconds = most.total_seconds()
    return index[int(np.flatnonzero(off)[0])], f"{seconds:g} s" if seconds < 60 else str(most)


def _guess_freq(index: pd.DatetimeIndex) -> str | None:
    """The frequency most 3-row stretches of an irregular index agree on, if any."""
    starts = np.unique(np.linspace(0, len(index) - 3, num=min(25, len(index) - 2)).astype(int))
    votes = Counter(f for s in starts if (f := _infer_freq(index[s : s + 3])) is not None)
    best = votes.most_common(1)[0][0] if votes else None
    if best in ("D", "B") and not (index.day_of_week >= 5).any() and len(index) > 5:
        return "B"  # weekdays only: business days with holidays missing
    return best


def _irregular(index: pd.DatetimeIndex, label: str) -> DataError:
    """The error for a series without an inferable frequency, naming its first gap."""
    guess = _guess_freq(index)
    k = None if guess is None else _first_gap(index, to_offset(guess))
    if k is not None:
        return _gap_error(index, to_offset(guess), k, label)
    shown = ", ".join(str(t) for t in index[:4])
    return DataError(f"{label} has no regular frequency (starts {shown}, ...); resample it "
                     "to a regular grid or pass freq=")


def _common_freq(index: list, ids: list) -> str:
    """Infer the frequency of every series of >= 3 rows; they must all agree."""
    found: dict = {}
    for i, ix in enumerate(index):
        if len(ix) >= 3:
            freq = _infer_freq(ix)
            if freq is None:
                raise _irregular(ix, series_label(ids[i]))
            found.setdefault(freq, i)
    if not found:
        longest = max(len(ix) for ix in index)
        raise DataError(f"cannot infer a frequency from series of at most {longest} rows; "
                        "pass freq=, e.g. freq='D'")
    if len(found) > 1:
        (f1, i1), (f2, i2) = list(found.items())[:2]
        raise DataError(f"{series_label(ids[i1])} has frequency {f1!r} but "
                        f"{series_label(ids[i2])} has {f2!r}; resample them to one frequency "
                        "or pass freq=")
    return next(iter(found))


def as_offset(freq: object) -> object:
    """A pandas DateOffset from an alias; ConfigError for anything else."""
    try:
        return to_offset(freq)
    except (ValueError, TypeError):
        raise ConfigError(f"freq {freq!r} is not a pandas frequency alias; use e.g. 'h', 'D', "
                          "'W', 'MS'") from None


def resolve_freq(index: list, ids: list, freq: object) -> str | None:
    """Infer (or check the given) frequency and check every series follows it."""
    if not isinstance(index[0], pd.DatetimeIndex):
        if freq is not None:
            raise DataError(f"freq={freq!r} was given but the data has an integer time index; "
                            "pass timestamps or leave freq=None")
        offset = None
    else:
        offset = as_offset(_common_freq(index, ids) if freq is None else freq)
    for i, ix in enumerate(index):
        if offset is not None and not offset.is_on_offset(ix[0]):
            raise DataError(f"{series_label(ids[i])} starts at {ix[0]}, which is not on frequency "
                            f"{offset.freqstr!r}; check freq= or the timestamps")
        k = _first_gap(ix, offset)
        if k is not None:
            raise _gap_error(ix, offset, k, series_label(ids[i]))
    return None if offset is None else offset.freqstr


def check_duplicates(index: list, ids: list) -> None:
    for i, ix in enumerate(index):
        if not ix.is_unique:
            stamp = ix[ix.duplicated()][0]
            raise DataError(f"{series_label(ids[i])} has duplicated timestamp {stamp}; aggregate "
                            "or drop the duplicates (e.g. data.drop_duplicates(...))")


def per_series_index(times: pd.Index, offsets: np.ndarray, freq: str | None) -> list:
    """Split the sorted times per series: DatetimeIndex with ``freq``, or RangeIndex."""
    out = []
    for start, stop in zip(offsets[:-1], offsets[1:]):
        ix = times[start:stop]
        if freq is None:
            out.append(pd.RangeIndex(int(ix[0]), int(ix[-1]) + 1, name=ix.name))
        else:
            out.append(with_freq(ix, freq))
    return out


def with_freq(index: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """``index`` (regular at ``freq``) carrying ``freq``. Built as a date range, because pandas
    before 3.1 refuses ``DatetimeIndex(index, freq=...)`` when it infers an equivalent alias of
    its own (``QS-JAN`` for ``QS-OCT``, ``B`` for a single week of ``D``)."""
    regular = pd.date_range(index[0], periods=len(index), freq=freq, name=index.name)
    return regular if regular.equals(index) else pd.DatetimeIndex(index, freq=freq)


def future_index(last, freq, horizon) -> pd.Index:
    """The ``horizon`` time steps after ``last``, continuing ``freq``.

    Parameters
    ----------
    last : pandas.Timestamp or int
        Last timestamp (or integer step) of a series.
    freq : str or None
        Pandas frequency alias; None for an integer index (the next integers).
    horizon : int
        Number of steps.

    Returns
    -------
    pandas.DatetimeIndex or pandas.RangeIndex
    """
    horizon = check_positive_int("horizon", horizon)
    if freq is None:
        return pd.RangeIndex(int(last) + 1, int(last) + 1 + horizon)
    offset = as_offset(freq)
    return pd.date_range(pd.Timestamp(last) + offset, periods=horizon, freq=offset)
