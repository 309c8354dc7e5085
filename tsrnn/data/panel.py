"""DataFrame <-> arrays for forecasting (numpy and pandas only, no torch).

:func:`to_panel` turns a Series, a wide DataFrame or a long DataFrame with an id column into a
:class:`Panel`: validated float32 arrays of targets and covariates, series concatenated in
first-appearance order, each sorted by time, with one frequency for all series.
:func:`future_index` and :func:`forecast_frame` go back: the timestamps after each series and a
forecast frame in the layout of the input. :class:`~tsrnn.data.scalers.Scaler` (re-exported here)
scales each series with statistics fitted on its past only.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from .._validation import (
    ConfigError,
    DataError,
    MissingValuesError,
    check_choice,
    check_positive_int,
)
from .scalers import SCALER_METHODS, Scaler
from .windows import series_offsets

__all__ = [
    "FILL_METHODS",
    "SCALER_METHODS",
    "Panel",
    "Roles",
    "Scaler",
    "calendar_feature_names",
    "calendar_features",
    "fill_missing",
    "forecast_frame",
    "future_index",
    "to_panel",
]

FILL_METHODS = ("ffill", "interpolate", "drop")
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class Roles:
    """Which column plays which part; ``time_col``/``id_col`` None = index / one series."""

    target: list = field(default_factory=list)
    past: list = field(default_factory=list)
    future: list = field(default_factory=list)
    time_col: object = None
    id_col: object = None


@dataclass
class Panel:
    """Many series as concatenated arrays; series ``i`` is rows ``series(i)`` of each array.

    Attributes
    ----------
    ids : list
        Series ids in first-appearance order; ``[None]`` for data without an id column.
    index : list of pandas.Index
        Time index of each series: a DatetimeIndex carrying ``freq``, or a RangeIndex.
    lengths : ndarray of int64, shape (n_series,)
        Rows of each series.
    target, past, future : ndarray of float32, shape (N_total, n_columns)
        Targets, past covariates and future (known-ahead) covariates; None when no such columns.
    freq : str or None
        Pandas frequency alias, None for an integer index.
    roles : Roles
        Column names of each role, as given by the user.
    """

    ids: list
    index: list
    lengths: np.ndarray
    target: np.ndarray
    past: np.ndarray | None
    future: np.ndarray | None
    freq: str | None
    roles: Roles

    @property
    def offsets(self) -> np.ndarray:
        """Start row of each series and the total: ``[0, l0, l0 + l1, ..., N_total]``."""
        return series_offsets(self.lengths)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return len(self.ids)

    def series(self, i: int) -> slice:
        """Rows of series ``i`` in the concatenated arrays."""
        offsets = self.offsets
        return slice(int(offsets[i]), int(offsets[i + 1]))


def _as_list(value: object, role: str = "column") -> list:
    """None -> [], a single name -> [name], a sequence -> list; ConfigError for a name that
    cannot be a column label (a set, a dict, a nested list)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, pd.Index, np.ndarray)):
        names = list(value)
    elif isinstance(value, (set, frozenset, dict)):
        raise ConfigError(f"{role} {value!r} is a {type(value).__name__}; pass a column name or "
                          "a list of names (in order)")
    else:
        names = [value]
    for item in names:
        if not _hashable(item):
            raise ConfigError(f"{role} {value!r} holds {item!r}, which is not a column name; "
                              "pass column names")
    return names


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _single_name(value: object, role: str) -> object:
    """``time_col`` / ``id_col``: None or one column name, never a list of them."""
    if value is not None and (isinstance(value, (list, tuple, np.ndarray, pd.Index))
                              or not _hashable(value)):
        example = "time_col='time'" if role == "time_col" else "id_col='store'"
        raise ConfigError(f"{role} must be one column name, got {value!r}; pass e.g. {example}")
    return value


def _label(ids: list, i: int) -> str:
    """How messages name series ``i``."""
    return "the series" if ids[i] is None else f"series {ids[i]!r}"


def _as_frame(data: object, name: str) -> pd.DataFrame:
    """A Series or DataFrame as a non-empty, flat DataFrame (a Series' column: its name or y)."""
    if isinstance(data, pd.Series):
        data = data.to_frame("y" if data.name is None else data.name)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{name} must be a pandas DataFrame or Series, got {type(data).__name__}")
    if data.empty:
        raise DataError(f"{name} is empty (shape {data.shape}); pass at least one row and column")
    if not data.columns.is_unique:
        repeated = data.columns[data.columns.duplicated()][0]
        raise DataError(f"{name} has two columns named {repeated!r}; rename or drop one")
    if isinstance(data.index, pd.MultiIndex):
        raise DataError(f"{name} has a MultiIndex {list(data.index.names)}; call "
                        "data.reset_index() and pass time_col= and id_col=")
    if isinstance(data.columns, pd.MultiIndex):
        raise DataError(f"{name} has MultiIndex columns (e.g. {data.columns[0]!r}); flatten "
                        "them first, e.g. data.columns = ['_'.join(map(str, c)) for c in "
                        "data.columns]")
    return data


def _require(frame: pd.DataFrame, columns: list, role: str, name: str) -> None:
    """Raise DataError for the first of ``columns`` that ``frame`` lacks."""
    for col in columns:
        if col not in frame.columns:
            raise DataError(f"{role} column {col!r} is not in {name}; available columns: "
                            f"{list(frame.columns)}")


def _resolve_roles(frame, target, time_col, id_col, past, future, name) -> Roles:
    """Check the named columns exist and have one role each; default target = numeric rest."""
    time_col, id_col = _single_name(time_col, "time_col"), _single_name(id_col, "id_col")
    roles = Roles(_as_list(target, "target"), _as_list(past, "past_covariates"),
                  _as_list(future, "future_covariates"), time_col, id_col)
    keys = [c for c in (time_col, id_col) if c is not None]
    for role, cols in [("time", [] if time_col is None else [time_col]),
                       ("id", [] if id_col is None else [id_col]),
                       ("target", roles.target), ("past covariate", roles.past),
                       ("future covariate", roles.future)]:
        _require(frame, cols, role, name)
    taken = keys + roles.past + roles.future
    if target is None:
        roles.target = [c for c in frame.columns
                        if c not in taken and frame[c].dtype.kind in "iuf"]
        if not roles.target:
            raise DataError(f"{name} has no numeric column left for the target; pass target= "
                            f"naming one of {list(frame.columns)}")
    repeated = [c for c, n in Counter(taken + roles.target).items() if n > 1]
    if repeated:
        raise DataError(f"column {repeated[0]!r} is given more than one role (time, id, target, "
                        "past or future covariate); give each column one role")
    for role, cols in _value_roles(roles):
        _check_numeric(frame, cols, role)
    return roles


def _value_roles(roles: Roles) -> list:
    """(role name, columns) of the value blocks, in Panel order."""
    return [("target", roles.target), ("past covariate", roles.past),
            ("future covariate", roles.future)]


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


def _parse_times(values: object, label: str) -> pd.Index:
    """A DatetimeIndex or an int64 Index from a time column or index; DataError otherwise."""
    values = pd.Index(values)
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


def _series_codes(frame: pd.DataFrame, id_col: object, name: str) -> tuple[np.ndarray, list]:
    """Series number of each row and the ids, in first-appearance order."""
    if id_col is None:
        return np.zeros(len(frame), dtype=np.int64), [None]
    codes, uniques = pd.factorize(frame[id_col])
    if (codes < 0).any():
        pos = int(np.flatnonzero(codes < 0)[0])
        raise DataError(f"id column {id_col!r} of {name} is missing at row {pos}; drop that "
                        "row or give it an id")
    return codes.astype(np.int64), list(uniques.tolist())


def _time_values(frame: pd.DataFrame, roles: Roles, codes: np.ndarray, name: str) -> pd.Index:
    """Timestamps of each row; a plain RangeIndex with an id column means row order per id."""
    if roles.time_col is not None:
        return _parse_times(frame[roles.time_col], f"time column {roles.time_col!r} of {name}")
    if roles.id_col is not None and isinstance(frame.index, pd.RangeIndex):
        steps = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        return pd.Index(steps, dtype=np.int64, name=frame.index.name)
    return _parse_times(frame.index, f"index of {name}")


def _infer_freq(index: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq`` as a canonical alias string (or None), on pandas 2 and 3 alike."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*infer_freq.*")
        found = pd.infer_freq(index)
    return None if found is None else to_offset(found).freqstr


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
    return DataError(f"{label} is not regular at frequency {step!r}: after {index[k]} comes "
                     f"{index[k + 1]} instead of {index[k] + offset}; fill the missing "
                     f"timestamps (e.g. data.asfreq({step!r})) or resample the data")


def _guess_freq(index: pd.DatetimeIndex) -> str | None:
    """The frequency most 3-row stretches of an irregular index agree on, if any."""
    starts = np.unique(np.linspace(0, len(index) - 3, num=min(25, len(index) - 2)).astype(int))
    votes = Counter(f for s in starts if (f := _infer_freq(index[s : s + 3])) is not None)
    return votes.most_common(1)[0][0] if votes else None


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
                raise _irregular(ix, _label(ids, i))
            found.setdefault(freq, i)
    if not found:
        longest = max(len(ix) for ix in index)
        raise DataError(f"cannot infer a frequency from series of at most {longest} rows; "
                        "pass freq=, e.g. freq='D'")
    if len(found) > 1:
        (f1, i1), (f2, i2) = list(found.items())[:2]
        raise DataError(f"{_label(ids, i1)} has frequency {f1!r} but {_label(ids, i2)} has "
                        f"{f2!r}; resample them to one frequency or pass freq=")
    return next(iter(found))


def _as_offset(freq: object) -> object:
    """A pandas DateOffset from an alias; ConfigError for anything else."""
    try:
        return to_offset(freq)
    except (ValueError, TypeError):
        raise ConfigError(f"freq {freq!r} is not a pandas frequency alias; use e.g. 'h', 'D', "
                          "'W', 'MS'") from None


def _resolve_freq(index: list, ids: list, freq: object) -> str | None:
    """Infer (or check the given) frequency and check every series follows it."""
    if not isinstance(index[0], pd.DatetimeIndex):
        if freq is not None:
            raise DataError(f"freq={freq!r} was given but the data has an integer time index; "
                            "pass timestamps or leave freq=None")
        offset = None
    else:
        offset = _as_offset(_common_freq(index, ids) if freq is None else freq)
    for i, ix in enumerate(index):
        if offset is not None and not offset.is_on_offset(ix[0]):
            raise DataError(f"{_label(ids, i)} starts at {ix[0]}, which is not on frequency "
                            f"{offset.freqstr!r}; check freq= or the timestamps")
        k = _first_gap(ix, offset)
        if k is not None:
            raise _gap_error(ix, offset, k, _label(ids, i))
    return None if offset is None else offset.freqstr


def _check_duplicates(index: list, ids: list) -> None:
    for i, ix in enumerate(index):
        if not ix.is_unique:
            stamp = ix[ix.duplicated()][0]
            raise DataError(f"{_label(ids, i)} has duplicated timestamp {stamp}; aggregate "
                            "or drop the duplicates (e.g. data.drop_duplicates(...))")


def _check_numeric(frame: pd.DataFrame, columns: list, role: str) -> None:
    """Raise DataError naming the first non-numeric column and one bad value in it."""
    for col in columns:
        values = frame[col]
        if values.dtype.kind not in "biuf":
            coerced = pd.to_numeric(values, errors="coerce")
            bad = values[coerced.isna() & values.notna()]
            example = (bad if len(bad) else values.dropna()).iloc[:1].tolist()
            shown = example[0] if example else None
            text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
            if len(bad) or not text:
                raise DataError(f"{role} column {col!r} is not numeric (dtype {values.dtype}, "
                                f"e.g. {shown!r}); convert it with pd.to_numeric or drop it")
            raise DataError(f"{role} column {col!r} holds numbers stored as dtype "
                            f"{values.dtype} (e.g. {shown!r}), not as a numeric column; "
                            f"convert it first, e.g. data[{col!r}] = pd.to_numeric(data[{col!r}])")


def _check_values(block, columns, role, panel_index, ids, offsets, allow_nan, roles) -> None:
    """Reject inf always, all-NaN target columns always, other NaN unless ``allow_nan``."""
    def where(row: int) -> tuple[int, object]:
        i = int(np.searchsorted(offsets, row, side="right") - 1)
        return i, panel_index[i][row - offsets[i]]

    if np.isinf(block).any():
        row, j = np.argwhere(np.isinf(block))[0]
        i, stamp = where(row)
        raise DataError(f"{role} column {columns[j]!r} of {_label(ids, i)} holds "
                        f"{block[row, j]} at {stamp}; replace infinite values, e.g. "
                        "data.replace([np.inf, -np.inf], np.nan), then fill them")
    with np.errstate(invalid="ignore"):
        huge = (block > _FLOAT32_MAX) | (block < -_FLOAT32_MAX)  # no float64 temporary
    if huge.any():
        row, j = np.argwhere(huge)[0]
        i, stamp = where(row)
        raise DataError(f"{role} column {columns[j]!r} of {_label(ids, i)} holds "
                        f"{block[row, j]:g} at {stamp}, beyond the float32 range tsrnn computes "
                        f"in (about ±{_FLOAT32_MAX:.1e}); rescale the column, e.g. divide it by "
                        "a power of ten")
    nan = np.isnan(block)
    if role == "target" and len(columns):
        present = np.logical_or.reduceat(~nan, offsets[:-1], axis=0)  # (n_series, k)
        if not present.all():
            i, j = np.argwhere(~present)[0]
            raise DataError(f"target column {columns[j]!r} is all NaN in {_label(ids, i)}; "
                            "drop that series or pass the right target=")
    if nan.any() and not allow_nan:
        j = int(np.flatnonzero(nan.any(axis=0))[0])
        rows = np.flatnonzero(nan[:, j])
        i, _ = where(rows[0])
        stamps = [str(where(r)[1]) for r in rows[rows < offsets[i + 1]][:3]]
        keys = "".join(f", {k}={v!r}" for k, v in [("id_col", roles.id_col),
                                                   ("time_col", roles.time_col)] if v is not None)
        raise MissingValuesError(
                        f"{role} column {columns[j]!r} has {len(rows)} missing value(s), first "
                        f"in {_label(ids, i)} at {', '.join(stamps)}; fill them first, e.g. "
                        f"fill_missing(data, 'interpolate', [{columns[j]!r}]{keys}), or pass "
                        "allow_nan=True")


def _per_series_index(times: pd.Index, offsets: np.ndarray, freq: str | None) -> list:
    """Split the sorted times per series: DatetimeIndex with ``freq``, or RangeIndex."""
    out = []
    for start, stop in zip(offsets[:-1], offsets[1:]):
        ix = times[start:stop]
        if freq is None:
            out.append(pd.RangeIndex(int(ix[0]), int(ix[-1]) + 1, name=ix.name))
        else:
            out.append(pd.DatetimeIndex(ix, freq=freq))
    return out


def to_panel(data, *, target=None, time_col=None, id_col=None, past_covariates=None,
             future_covariates=None, freq=None, allow_nan=False, name="data") -> Panel:
    """Validate ``data`` and convert it to a :class:`Panel` of float32 arrays.

    Parameters
    ----------
    data : pandas.Series or pandas.DataFrame
        One series (a Series, or a DataFrame indexed by time or with ``time_col``), or many
        in long format with ``id_col``. Without timestamps the time index is integer steps; a
        long frame without ``time_col`` and with a plain RangeIndex is taken in row order.
    target : str, list of str or None, default=None
        Target column(s); None = every numeric column with no other role. An empty list gives
        no target columns (for frames of future covariates).
    time_col : str, default=None
        Column holding timestamps or integer steps; None = the index.
    id_col : str, default=None
        Column naming the series of each row; None = one series with id None.
    past_covariates, future_covariates : str or list of str, default=None
        Covariates known only up to now, and covariates known ahead (e.g. holidays).
    freq : str, default=None
        Pandas frequency alias; None infers it per series (they must agree). When given, the
        data is checked against it instead.
    allow_nan : bool, default=False
        Keep NaN in targets and covariates (inf and all-NaN target columns are always errors).
    name : str, default="data"
        Used in error messages.

    Returns
    -------
    Panel
        Series in first-appearance order of their ids, each sorted by time.

    Notes
    -----
    Value columns must have a numeric dtype: integers, floats, pandas' nullable ``Int64`` /
    ``Float64`` (``pd.NA`` counts as missing), or bool, which is read as 0/1 (a bool target gives
    forecasts of about 0 to 1, not classes). Text, object, categorical, datetime and complex
    columns are a :class:`~tsrnn.DataError`, as are values beyond the float32 range (about
    ±3.4e38), because tsrnn holds values as float32. A constant column is fine: its scale
    falls back as described in :class:`~tsrnn.data.scalers.Scaler`, so forecasts stay finite.
    """
    frame = _as_frame(data, name)
    roles = _resolve_roles(frame, target, time_col, id_col, past_covariates,
                           future_covariates, name)
    codes, ids = _series_codes(frame, roles.id_col, name)
    times = _time_values(frame, roles, codes, name)
    keys = times.asi8 if isinstance(times, pd.DatetimeIndex) else times.to_numpy()
    order = _sort_order(keys, codes, len(ids))
    lengths = np.bincount(codes, minlength=len(ids)).astype(np.int64)
    offsets = series_offsets(lengths)
    sorted_times = times if order is None else times[order]
    raw = [sorted_times[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    _check_duplicates(raw, ids)
    freq = _resolve_freq(raw, ids, freq)
    index = _per_series_index(sorted_times, offsets, freq)
    blocks = {}
    for role, cols in _value_roles(roles):
        block = _column_block(frame, cols)  # (N, k)
        block = block if order is None else block[order]
        _check_values(block, cols, role, index, ids, offsets, allow_nan, roles)
        blocks[role] = block.astype(np.float32)
    return Panel(ids, index, lengths, blocks["target"],
                 blocks["past covariate"] if roles.past else None,
                 blocks["future covariate"] if roles.future else None, freq, roles)


def _column_block(frame: pd.DataFrame, cols: list) -> np.ndarray:
    """``frame[cols]`` as a new float64 array ``(N, k)`` (NA -> NaN), column by column: no
    sub-frame is built, which is most of the cost of reading a short frame."""
    out = np.empty((len(frame), len(cols)), dtype=np.float64)
    for j, col in enumerate(cols):
        out[:, j] = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _sort_order(keys: np.ndarray, codes: np.ndarray, n_series: int) -> np.ndarray | None:
    """Row positions sorted by (series, time), stable; None when one series is already in time
    order, so that the common case copies no column."""
    if n_series == 1 and bool(np.all(keys[1:] >= keys[:-1])):
        return None
    return np.lexsort((keys, codes))


def _time_order(df: pd.DataFrame, time_col: object, id_col: object) -> np.ndarray:
    """Row positions sorted by (series, time), stable; row order where time cannot be read."""
    codes = np.zeros(len(df), dtype=np.int64)
    if id_col is not None:
        codes = pd.factorize(df[id_col])[0].astype(np.int64)
    source = df.index if time_col is None else df[time_col]
    try:
        times = _parse_times(source, "time")
    except DataError:
        if time_col is not None:
            raise
        times = pd.RangeIndex(len(df))
    keys = times.asi8 if isinstance(times, pd.DatetimeIndex) else times.to_numpy()
    return np.lexsort((keys, codes))


def fill_missing(df, method, columns=None, *, id_col=None, time_col=None) -> pd.DataFrame:
    """Fill (or drop) NaN in ``columns``, per series, in time order; ``df`` is left unchanged.

    Parameters
    ----------
    df : pandas.DataFrame
        Data as passed to :func:`to_panel`.
    method : {"ffill", "interpolate", "drop"}
        "ffill" carries the last value forward (leading NaN take the first value); "interpolate"
        is linear between neighbours, constant beyond the ends; "drop" removes the rows, which
        leaves gaps unless they were at the ends of a series.
    columns : str or list of str, default=None
        Columns to fill; None = every numeric column except ``id_col`` and ``time_col``.
    id_col, time_col : str, default=None
        As in :func:`to_panel`; without ``time_col`` a datetime or integer index gives the order.

    Returns
    -------
    pandas.DataFrame
        A new frame with the rows in their original order.
    """
    check_choice("method", method, FILL_METHODS)
    df = _as_frame(df, "df")
    keys = [c for c in (id_col, time_col) if c is not None]
    _require(df, keys, "id/time", "df")
    columns = _as_list(columns) or [c for c in df.columns
                                    if c not in keys and df[c].dtype.kind in "iuf"]
    _require(df, columns, "fill", "df")
    _check_numeric(df, columns, "fill")
    if method == "drop":
        return df.dropna(subset=columns)
    order = _time_order(df, time_col, id_col)
    work = df[columns].iloc[order]
    groups = np.zeros(len(df)) if id_col is None else df[id_col].to_numpy()[order]
    by = work.groupby(groups, sort=False, dropna=False)
    if method == "ffill":
        filled = by.ffill().groupby(groups, sort=False, dropna=False).bfill()
    else:
        filled = by.transform(lambda s: s.interpolate(limit_direction="both"))
    out = df.copy()
    back = np.argsort(order)
    for col in columns:
        out[col] = filled[col].to_numpy()[back]
    return out


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
    offset = _as_offset(freq)
    return pd.date_range(pd.Timestamp(last) + offset, periods=horizon, freq=offset)


_CALENDAR = {
    "subdaily": ["hour_sin", "hour_cos", "dayofweek_sin", "dayofweek_cos"],
    "daily": ["dayofweek_sin", "dayofweek_cos", "dayofyear_sin", "dayofyear_cos"],
    "weekly": ["dayofyear_sin", "dayofyear_cos"],
    "monthly": ["month_sin", "month_cos"],
    "yearly": [],
}


def _calendar_kind(freq: str | None) -> str:
    """Key of ``_CALENDAR`` by the length of one step of ``freq`` (None: no features)."""
    if freq is None:
        return "yearly"
    offset = _as_offset(freq)
    start = offset.rollforward(pd.Timestamp("2000-01-03"))
    days = ((start + offset) - start) / pd.Timedelta(days=1)
    for kind, below in [("subdaily", 1), ("daily", 7), ("weekly", 28), ("monthly", 365)]:
        if days < below:
            return kind
    return "yearly"


def calendar_feature_names(freq) -> list[str]:
    """Names of the :func:`calendar_features` columns for ``freq``, in order."""
    return list(_CALENDAR[_calendar_kind(freq)])


def calendar_features(index, freq) -> np.ndarray:
    """Sin/cos encodings of the calendar position of each timestamp.

    Sub-daily data gets hour of day and day of week, daily data day of week and day of year,
    weekly data day of year, monthly and quarterly data month of year; yearly data and integer
    indexes get none. Each value depends on its timestamp only, so future steps work alike.

    Parameters
    ----------
    index : pandas.DatetimeIndex or pandas.Index of int
        Timestamps (local time of a tz-aware index).
    freq : str or None
        Pandas frequency alias of the data.

    Returns
    -------
    ndarray of float32, shape (len(index), len(calendar_feature_names(freq)))
    """
    names = calendar_feature_names(freq)
    if not names or not isinstance(index, pd.DatetimeIndex):
        return np.zeros((len(index), 0), dtype=np.float32)
    year_days = np.where(index.is_leap_year, 366.0, 365.0)
    phases = {
        "hour": (index.hour + index.minute / 60 + index.second / 3600) / 24,
        "dayofweek": index.day_of_week / 7,
        "dayofyear": (index.day_of_year - 1) / year_days,
        "month": (index.month - 1) / 12,
    }
    columns = []
    for name in names:
        unit, fn = name.rsplit("_", 1)
        angle = 2 * np.pi * np.asarray(phases[unit], dtype=np.float64)
        columns.append(np.sin(angle) if fn == "sin" else np.cos(angle))
    return np.stack(columns, axis=1).astype(np.float32)  # k * (n,) -> (n, k)


def forecast_frame(panel: Panel, values, *, columns=None) -> pd.DataFrame:
    """Forecasts ``(n_series, horizon, k)`` as a frame in the layout of the panel's input.

    Rows are the steps after each series (see :func:`future_index`); the time is the index,
    or ``roles.time_col`` when the input had one; ``roles.id_col`` is added for many series.
    ``columns`` defaults to the target names.
    """
    values = np.asarray(values)
    columns = list(panel.roles.target if columns is None else columns)
    if values.ndim != 3 or values.shape[0] != panel.n_series or values.shape[2] != len(columns):
        raise DataError(f"forecasts have shape {values.shape}; expected (n_series="
                        f"{panel.n_series}, horizon, {len(columns)} columns)")
    parts = []
    for i, ix in enumerate(panel.index):
        steps = future_index(ix[-1], panel.freq, values.shape[1]).rename(ix.name)
        part = pd.DataFrame(values[i], index=steps, columns=columns)
        if panel.roles.id_col is not None:
            part.insert(0, panel.roles.id_col, panel.ids[i])
        parts.append(part)
    out = pd.concat(parts)
    time_col = panel.roles.time_col
    if time_col is None:
        return out
    out.insert(1 if panel.roles.id_col is not None else 0, time_col, out.index)
    return out.reset_index(drop=True)
