"""Static covariates: one row of values per series (numpy and pandas only, no torch).

A static covariate is a column that is constant within each series: a store's region, a
sensor's type, a building's floor area. It is read either from the long frame itself (the
value repeated on every row of a series) or from a separate frame keyed by the id column, and
kept as a table with one row per series, in the panel's series order (a RangeIndex: row ``i``
is series ``i``). Text, categorical and bool columns are categories; numbers stay numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DataError
from .checks import series_label

__all__ = ["is_categorical", "static_from_frame", "static_table", "take_static"]


def is_categorical(column: pd.Series) -> bool:
    """Whether a static column holds categories (text, categorical, bool) rather than numbers."""
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def static_table(frame: pd.DataFrame, columns: list, codes: np.ndarray, ids: list,
                 name: str) -> pd.DataFrame:
    """The static ``columns`` of a long ``frame``: one row per series (``codes``: the series of
    each row); DataError where a value is missing or varies within a series."""
    block = frame[columns].reset_index(drop=True)
    groups = block.groupby(codes, sort=True)
    varies = groups.nunique(dropna=False)
    for col in columns:
        bad = np.flatnonzero(varies[col].to_numpy() > 1)
        if len(bad):
            i = int(varies.index[bad[0]])
            seen = block[col][codes == i].drop_duplicates().tolist()[:2]
            raise DataError(f"static covariate {col!r} of {name} varies within "
                            f"{series_label(ids[i])} ({seen[0]!r} and {seen[1]!r}); a static "
                            "covariate must be constant within each series (a numeric value "
                            "that changes over time is a past or future covariate)")
    table = groups.first().reindex(range(len(ids)))
    _check_present(table, ids, name)
    return table.reset_index(drop=True)


def static_from_frame(static: pd.DataFrame, columns: list, id_col, ids: list,
                      name: str = "static") -> pd.DataFrame:
    """The static ``columns`` of ``ids`` from a frame with one row per series, keyed by
    ``id_col`` (a column, or the index); one series without ids takes the frame's only row."""
    if not isinstance(static, pd.DataFrame):
        raise DataError(f"{name} must be a DataFrame with one row per series, got "
                        f"{type(static).__name__}")
    missing = [c for c in columns if c not in static.columns]
    if missing:
        raise DataError(f"{name} has no column {missing[0]!r}; it needs the static covariates "
                        f"{columns}")
    if id_col is None:
        if len(static) != 1:
            raise DataError(f"{name} has {len(static)} rows for one series; give one row")
        return static[columns].reset_index(drop=True)
    keys = static[id_col] if id_col in static.columns else static.index.to_series()
    if keys.duplicated().any():
        raise DataError(f"{name} has two rows for series {keys[keys.duplicated()].iloc[0]!r}; "
                        "give one row per series")
    by_id = static[columns].set_axis(pd.Index(keys.to_numpy()), axis=0)
    absent = [sid for sid in ids if sid not in by_id.index]
    if absent:
        raise DataError(f"{name} has no row for {series_label(absent[0])} ({len(absent)} series "
                        "missing); give every series of the data one row")
    table = by_id.loc[list(ids)].reset_index(drop=True)
    _check_present(table, ids, name)
    return table


def _check_present(table: pd.DataFrame, ids: list, name: str) -> None:
    for col in table.columns:
        gone = np.flatnonzero(table[col].isna().to_numpy())
        if len(gone):
            raise DataError(f"static covariate {col!r} of {name} is missing for "
                            f"{series_label(ids[int(gone[0])])}; give every series a value")


def take_static(table: pd.DataFrame | None, rows) -> pd.DataFrame | None:
    """The rows ``rows`` (series positions) of a static table, renumbered from 0."""
    return None if table is None else table.iloc[list(rows)].reset_index(drop=True)
