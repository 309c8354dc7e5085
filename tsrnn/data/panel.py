"""DataFrame <-> arrays for forecasting (numpy and pandas only, no torch).

:func:`to_panel` turns a Series, a wide DataFrame or a long DataFrame with an id column into a
:class:`Panel`: validated float32 arrays of targets and covariates, series concatenated in
first-appearance order, each sorted by time, with one frequency for all series.
:func:`forecast_frame` goes back: forecasts as a frame on the future timestamps, in the layout
of the input.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import DataError
from .checks import (
    as_frame,
    as_list,
    check_numeric,
    check_values,
    column_block,
    require,
    single_name,
)
from .statics import static_from_frame, static_table
from .timeindex import check_duplicates, future_index, parse_times, per_series_index, resolve_freq
from .windows import series_offsets

__all__ = ["Panel", "Roles", "forecast_frame", "future_frame", "read_like", "to_panel"]

@dataclass
class Roles:
    """Which column plays which part; ``time_col``/``id_col`` None = index / one series."""

    target: list = field(default_factory=list)
    past: list = field(default_factory=list)
    future: list = field(default_factory=list)
    time_col: object = None
    id_col: object = None
    static: list = field(default_factory=list)


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
    static : DataFrame or None
        Static covariates, one row per series in series order (see :mod:`tsrnn.data.statics`);
        None without ``roles.static``.
    """

    ids: list
    index: list
    lengths: np.ndarray
    target: np.ndarray
    past: np.ndarray | None
    future: np.ndarray | None
    freq: str | None
    roles: Roles
    static: pd.DataFrame | None = None

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


def _resolve_roles(frame, target, time_col, id_col, past, future, static, static_apart,
                   name) -> Roles:
    """Check the named columns exist and have one role each; default target = numeric rest.
    Static covariates are columns of ``frame`` unless ``static_apart`` (a separate frame)."""
    time_col, id_col = single_name(time_col, "time_col"), single_name(id_col, "id_col")
    roles = Roles(as_list(target, "target"), as_list(past, "past_covariates"),
                  as_list(future, "future_covariates"), time_col, id_col,
                  as_list(static, "static_covariates"))
    keys = [c for c in (time_col, id_col) if c is not None]
    for role, cols in [("time", [] if time_col is None else [time_col]),
                       ("id", [] if id_col is None else [id_col]),
                       ("target", roles.target), ("past covariate", roles.past),
                       ("future covariate", roles.future),
                       ("static covariate", [] if static_apart else roles.static)]:
        require(frame, cols, role, name)
    taken = keys + roles.past + roles.future + roles.static
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
        check_numeric(frame, cols, role)
    return roles


def _value_roles(roles: Roles) -> list:
    """(role name, columns) of the value blocks, in Panel order."""
    return [("target", roles.target), ("past covariate", roles.past),
            ("future covariate", roles.future)]


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
        return parse_times(frame[roles.time_col], f"time column {roles.time_col!r} of {name}")
    if roles.id_col is not None and isinstance(frame.index, pd.RangeIndex):
        steps = pd.Series(codes).groupby(codes).cumcount().to_numpy()
        return pd.Index(steps, dtype=np.int64, name=frame.index.name)
    return parse_times(frame.index, f"index of {name}")


def to_panel(data, *, target=None, time_col=None, id_col=None, past_covariates=None,
             future_covariates=None, freq=None, allow_nan=False, name="data",
             static_covariates=None, static=None) -> Panel:
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
    static_covariates : str or list of str, default=None
        Columns constant within each series (numbers, or text / categorical / bool categories),
        read from ``data`` or, when given, from ``static``.
    static : DataFrame, default=None
        The static covariates in a separate frame, one row per series keyed by ``id_col``.

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
    frame = as_frame(data, name)
    roles = _resolve_roles(frame, target, time_col, id_col, past_covariates,
                           future_covariates, static_covariates, static is not None, name)
    codes, ids = _series_codes(frame, roles.id_col, name)
    times = _time_values(frame, roles, codes, name)
    keys = times.asi8 if isinstance(times, pd.DatetimeIndex) else times.to_numpy()
    order = _sort_order(keys, codes, len(ids))
    lengths = np.bincount(codes, minlength=len(ids)).astype(np.int64)
    offsets = series_offsets(lengths)
    sorted_times = times if order is None else times[order]
    raw = [sorted_times[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    check_duplicates(raw, ids)
    freq = resolve_freq(raw, ids, freq)
    index = per_series_index(sorted_times, offsets, freq)
    blocks = {}
    for role, cols in _value_roles(roles):
        block = column_block(frame, cols)  # (N, k)
        block = block if order is None else block[order]
        check_values(block, cols, role, index, ids, offsets, allow_nan, roles)
        blocks[role] = block.astype(np.float32)
    table = None
    if roles.static:
        table = (static_table(frame, roles.static, codes, ids, name) if static is None else
                 static_from_frame(static, roles.static, roles.id_col, ids))
    return Panel(ids, index, lengths, blocks["target"],
                 blocks["past covariate"] if roles.past else None,
                 blocks["future covariate"] if roles.future else None, freq, roles, table)


def _sort_order(keys: np.ndarray, codes: np.ndarray, n_series: int) -> np.ndarray | None:
    """Row positions sorted by (series, time), stable; None when one series is already in time
    order, so that the common case copies no column."""
    if n_series == 1 and bool(np.all(keys[1:] >= keys[:-1])):
        return None
    return np.lexsort((keys, codes))


def read_like(data, roles: Roles, freq: str | None, name: str = "data", static=None,
              allow_nan: bool = False) -> Panel:
    """``data`` as a Panel with the roles and frequency found when a model was fitted; the
    static covariates from ``data`` (or ``static``) when it has them (a model knows those of
    the series it was fitted on)."""
    statics = roles.static if static is not None or _has_columns(data, roles.static) else None
    return to_panel(data, target=roles.target, time_col=roles.time_col, id_col=roles.id_col,
                    past_covariates=roles.past or None, future_covariates=roles.future or None,
                    freq=freq, allow_nan=allow_nan, name=name, static_covariates=statics,
                    static=static)


def _has_columns(data, columns: list) -> bool:
    return bool(columns) and isinstance(data, pd.DataFrame) and all(
        c in data.columns for c in columns)


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
    return future_frame(panel.ids, panel.index, values, panel.roles, panel.freq, columns)


def future_frame(ids: list, last_index: list, values: np.ndarray, roles: Roles,
                 freq: str | None, columns: list) -> pd.DataFrame:
    """Forecasts ``(n_series, h, C)`` -> DataFrame on the ``h`` steps after each series' last
    timestamp (``last_index[i][-1]``), built from whole columns (no frame per series).

    The time is the index, or the column ``roles.time_col``; ``roles.id_col`` comes first when
    set (the ids keep their dtype); then one column per name in ``columns``.
    """
    n, h = values.shape[:2]
    stamps = [future_index(last_index[i][-1], freq, h) for i in range(n)]
    index = (stamps[0].append(stamps[1:]) if n > 1 else stamps[0]).rename(last_index[0].name)
    flat = values.reshape(n * h, -1)  # (n, h, C) -> (n*h, C)
    cols = {}
    if roles.id_col is not None:
        cols[roles.id_col] = pd.Index(list(ids)).repeat(h)  # keeps the ids' dtype
    if roles.time_col is not None:
        cols[roles.time_col] = index
    cols.update((name, flat[:, j]) for j, name in enumerate(columns))
    return pd.DataFrame(cols, index=index if roles.time_col is None else None)
