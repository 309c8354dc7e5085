"""Calendar features: sin/cos encodings of the position of each timestamp in its day, week,
year (numpy and pandas only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .timeindex import as_offset

__all__ = ["calendar_feature_names", "calendar_features"]

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
    offset = as_offset(freq)
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
