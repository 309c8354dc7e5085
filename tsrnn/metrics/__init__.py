"""Forecast accuracy: point metrics, naive baselines and interval metrics (numpy only, no torch).

The definitions follow the M4 Competitor's Guide; see :mod:`tsrnn.metrics.point`,
:mod:`tsrnn.metrics.baselines` and :mod:`tsrnn.metrics.intervals`.
"""

from .baselines import (
    centered_moving_average,
    naive2_forecast,
    naive_forecast,
    seasonal_indices,
    seasonal_naive_forecast,
    seasonality_test,
    ses_fit,
    theta_forecast,
)
from .intervals import (
    check_levels,
    coverage,
    crps_from_quantiles,
    interval_pairs,
    level_name,
    msis,
    pinball_loss,
    point_level,
    score_quantiles,
    seasonal_naive_quantiles,
)
from .point import METRICS, mae, mape, mase, owa, rmse, score_all, seasonal_scale, smape

__all__ = [
    "METRICS",
    "centered_moving_average",
    "check_levels",
    "coverage",
    "crps_from_quantiles",
    "interval_pairs",
    "level_name",
    "mae",
    "mape",
    "mase",
    "msis",
    "naive2_forecast",
    "naive_forecast",
    "owa",
    "pinball_loss",
    "point_level",
    "rmse",
    "score_all",
    "score_quantiles",
    "seasonal_indices",
    "seasonal_naive_forecast",
    "seasonal_naive_quantiles",
    "seasonal_scale",
    "seasonality_test",
    "ses_fit",
    "smape",
    "theta_forecast",
]
