"""Data in numpy and pandas (never torch): panels of series, time indexes, calendar features,
missing values, per-series scalers and zero-copy windows."""

from .calendar import calendar_feature_names, calendar_features
from .missing import FILL_METHODS, add_missing_rows, fill_missing
from .panel import Panel, Roles, forecast_frame, future_frame, read_like, to_panel
from .scalers import SCALER_METHODS, Scaler
from .statics import is_categorical, static_from_frame, static_table, take_static
from .timeindex import future_index
from .windows import (
    Windows,
    batchify,
    series_offsets,
    sliding_windows,
    stream_layout,
    time_split,
    window_starts,
)

__all__ = [
    "FILL_METHODS",
    "SCALER_METHODS",
    "Panel",
    "Roles",
    "Scaler",
    "Windows",
    "batchify",
    "calendar_feature_names",
    "calendar_features",
    "add_missing_rows",
    "fill_missing",
    "forecast_frame",
    "future_frame",
    "future_index",
    "read_like",
    "is_categorical",
    "series_offsets",
    "sliding_windows",
    "static_from_frame",
    "static_table",
    "stream_layout",
    "time_split",
    "take_static",
    "to_panel",
    "window_starts",
]
