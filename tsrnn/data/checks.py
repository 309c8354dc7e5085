"""Column and value checks shared by the panel readers (numpy and pandas only).

Every check raises a :class:`~tsrnn.DataError` (or :class:`~tsrnn.ConfigError`) whose message
names the column, the series and the offending value, and says what to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import ConfigError, DataError, MissingValuesError

__all__ = [
    "FLOAT32_MAX",
    "as_frame",
    "as_list",
    "check_numeric",
    "check_values",
    "column_block",
    "require",
    "series_label",
    "single_name",
]

FLOAT32_MAX = float(np.finfo(np.float32).max)


def as_list(value: object, role: str = "column") -> list:
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


def single_name(value: object, role: str) -> object:
    """``time_col`` / ``id_col``: None or one column name, never a list of them."""
    if value is not None and (isinstance(value, (list, tuple, np.ndarray, pd.Index))
                              or not _hashable(value)):
        example = "time_col='time'" if role == "time_col" else "id_col='store'"
        raise ConfigError(f"{role} must be one column name, got {value!r}; pass e.g. {example}")
    return value


def series_label(series_id: object) -> str:
    """How messages name a series: ``"series 'a'"``, or ``"the series"`` for data without ids."""
    return "the series" if series_id is None else f"series {series_id!r}"


def as_frame(data: object, name: str) -> pd.DataFrame:
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


def require(frame: pd.DataFrame, columns: list, role: str, name: str) -> None:
    """Raise DataError for the first of ``columns`` that ``frame`` lacks."""
    for col in columns:
        if col not in frame.columns:
            raise DataError(f"{role} column {col!r} is not in {name}; available columns: "
                            f"{list(frame.columns)}")


def check_numeric(frame: pd.DataFrame, columns: list, role: str) -> None:
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


def check_values(block, columns, role, panel_index, ids, offsets, allow_nan, roles) -> None:
    """Reject inf always, all-NaN target columns always, other NaN unless ``allow_nan``."""
    def where(row: int) -> tuple[int, object]:
        i = int(np.searchsorted(offsets, row, side="right") - 1)
        return i, panel_index[i][row - offsets[i]]

    if np.isinf(block).any():
        row, j = np.argwhere(np.isinf(block))[0]
        i, stamp = where(row)
        raise DataError(f"{role} column {columns[j]!r} of {series_label(ids[i])} holds "
                        f"{block[row, j]} at {stamp}; replace infinite values, e.g. "
                        "data.replace([np.inf, -np.inf], np.nan), then fill them")
    with np.errstate(invalid="ignore"):
        huge = (block > FLOAT32_MAX) | (block < -FLOAT32_MAX)  # no float64 temporary
    if huge.any():
        row, j = np.argwhere(huge)[0]
        i, stamp = where(row)
        raise DataError(f"{role} column {columns[j]!r} of {series_label(ids[i])} holds "
                        f"{block[row, j]:g} at {stamp}, beyond the float32 range tsrnn computes "
                        f"in (about ±{FLOAT32_MAX:.1e}); rescale the column, e.g. divide it by "
                        "a power of ten")
    nan = np.isnan(block)
    if role == "target" and len(columns):
        present = np.logical_or.reduceat(~nan, offsets[:-1], axis=0)  # (n_series, k)
        if not present.all():
            i, j = np.argwhere(~present)[0]
            raise DataError(f"target column {columns[j]!r} is all NaN in {series_label(ids[i])}; "
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
                        f"in {series_label(ids[i])} at {', '.join(stamps)}; fill them first, e.g. "
                        f"fill_missing(data, 'interpolate', [{columns[j]!r}]{keys}), or pass "
                        "allow_nan=True")


def column_block(frame: pd.DataFrame, cols: list) -> np.ndarray:
    """``frame[cols]`` as a new float64 array ``(N, k)`` (NA -> NaN), column by column: no
    sub-frame is built, which is most of the cost of reading a short frame."""
    out = np.empty((len(frame), len(cols)), dtype=np.float64)
    for j, col in enumerate(cols):
        out[:, j] = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return out
