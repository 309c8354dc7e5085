"""Naive baselines of the M4 competition: pure functions of a 1-D history (numpy only).

Each takes ``history`` (past values, oldest first) and returns a 1-D ``(horizon,)`` forecast,
or the pieces of one: :func:`seasonality_test` (M4's 90% autocorrelation test),
:func:`centered_moving_average` and :func:`seasonal_indices` (classical multiplicative
decomposition), from which :func:`naive2_forecast` builds the Naive2 benchmark that OWA compares
against (Makridakis, Spiliotis & Assimakopoulos, 2018).
"""

from __future__ import annotations

import numpy as np

from .._validation import DataError, check_positive_int
from ._arrays import check_history

__all__ = [
    "naive_forecast",
    "seasonal_naive_forecast",
    "naive2_forecast",
    "seasonality_test",
    "seasonal_indices",
    "centered_moving_average",
    "ses_fit",
    "theta_forecast",
]

#: One-sided 95% normal quantile, i.e. the two-tailed 90% limit of the M4 seasonality test.
_SEASONALITY_Z = 1.645


def naive_forecast(history: object, horizon: int) -> np.ndarray:
    """Repeat the last observed value ``horizon`` times.

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first.
    horizon : int
        Number of steps to forecast.

    Returns
    -------
    numpy.ndarray of shape (horizon,)
    """
    horizon = check_positive_int("horizon", horizon)
    values = check_history(history)
    return np.full(horizon, values[-1])


def seasonal_naive_forecast(history: object, horizon: int, m: int) -> np.ndarray:
    """Repeat the last full season: step ``h`` (0-based) gets ``history[T - m + h % m]``.

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first; at least ``m`` of them.
    horizon : int
        Number of steps to forecast.
    m : int
        Seasonal period.

    Returns
    -------
    numpy.ndarray of shape (horizon,)
    """
    horizon = check_positive_int("horizon", horizon)
    m = check_positive_int("m", m)
    values = check_history(history)
    if values.size < m:
        raise DataError(
            f"history has {values.size} point(s); a seasonal naive forecast with m={m} needs "
            f"at least {m} (one full season)"
        )
    return np.resize(values[-m:], horizon)


def _acf(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations at lags 1..max_lag (R's ``acf`` definition); zeros if constant."""
    centred = values - values.mean()
    denominator = centred @ centred
    if denominator == 0:
        return np.zeros(max_lag)
    lags = range(1, max_lag + 1)
    return np.array([centred[k:] @ centred[:-k] for k in lags]) / denominator


def seasonality_test(history: object, m: int) -> bool:
    """M4's 90% test for seasonality at lag ``m``.

    The series is seasonal when ``|r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / T)``, with
    ``r_k`` the lag-k autocorrelation (Bartlett's standard error, as in the M4 benchmark R code).
    Series with ``m == 1`` or fewer than ``3 m`` points are never called seasonal. (R's ``acf``
    stops at lag ``10 log10(T)``, which silently made long periods non-seasonal in the R code;
    here lag ``m`` is always computed.)

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first.
    m : int
        Seasonal period to test.

    Returns
    -------
    bool
    """
    m = check_positive_int("m", m)
    values = check_history(history)
    if m == 1 or values.size < 3 * m:
        return False
    r = _acf(values, m)
    limit = _SEASONALITY_Z * np.sqrt((1.0 + 2.0 * np.sum(r[:-1] ** 2)) / values.size)
    return bool(abs(r[-1]) > limit)


def centered_moving_average(values: object, m: int) -> np.ndarray:
    """Centred moving average of period ``m`` (a 2 x m MA for even ``m``), NaN at both ends.

    Parameters
    ----------
    values : array-like of shape (T,)
        The series; at least ``m + 1`` points for even ``m``, ``m`` for odd ``m``.
    m : int
        Period.

    Returns
    -------
    numpy.ndarray of shape (T,)
        The trend, with the first and last ``m // 2`` entries NaN.
    """
    m = check_positive_int("m", m)
    values = check_history(values, "values")
    weights = np.full(m, 1.0 / m) if m % 2 else np.r_[0.5, np.ones(m - 1), 0.5] / m
    half = weights.size // 2
    if values.size < weights.size:
        raise DataError(
            f"values has {values.size} point(s); a centred moving average with m={m} "
            f"needs at least {weights.size}"
        )
    trend = np.full(values.size, np.nan)
    trend[half : values.size - half] = np.convolve(values, weights, mode="valid")
    return trend


def seasonal_indices(history: object, m: int) -> np.ndarray:
    """Multiplicative seasonal indices of classical decomposition, normalised to mean 1.

    Each point is divided by its centred moving average; the ratios are averaged per position
    ``t % m`` (position 0 is the first point of ``history``), as R's ``decompose`` does.

    Parameters
    ----------
    history : array-like of shape (T,)
        Strictly positive past values, at least ``2 m`` of them.
    m : int
        Seasonal period.

    Returns
    -------
    numpy.ndarray of shape (m,)
        Index ``k`` belongs to every point ``t`` with ``t % m == k``.
    """
    m = check_positive_int("m", m)
    values = check_history(history)
    if values.size < 2 * m:
        raise DataError(
            f"history has {values.size} point(s); seasonal indices with m={m} need at least "
            f"{2 * m} (two full seasons)"
        )
    if (values <= 0).any():
        raise DataError(
            f"multiplicative decomposition needs positive values, but history holds "
            f"{int(np.count_nonzero(values <= 0))} value(s) <= 0 (min {values.min()}); "
            "shift the series above 0 or use seasonal_naive_forecast"
        )
    ratios = values / centered_moving_average(values, m)
    positions = np.arange(values.size) % m
    figure = np.array([np.nanmean(ratios[positions == k]) for k in range(m)])
    return figure / figure.mean()


def naive2_forecast(history: object, horizon: int, m: int) -> np.ndarray:
    """M4's Naive2 benchmark: a naive forecast of the seasonally adjusted series.

    If :func:`seasonality_test` finds the series seasonal at lag ``m``, the series is divided
    by its multiplicative seasonal indices (:func:`seasonal_indices`), the last adjusted value
    is repeated, and the forecast is multiplied back by the indices of the future positions.
    Otherwise Naive2 is the plain :func:`naive_forecast`.

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first; must be positive when the series is seasonal.
    horizon : int
        Number of steps to forecast.
    m : int
        Seasonal period (1 for non-seasonal data, e.g. yearly).

    Returns
    -------
    numpy.ndarray of shape (horizon,)
    """
    horizon = check_positive_int("horizon", horizon)
    values = check_history(history)
    if not seasonality_test(values, m):
        return naive_forecast(values, horizon)
    indices = seasonal_indices(values, m)
    adjusted_last = values[-1] / indices[(values.size - 1) % m]
    future = np.arange(values.size, values.size + horizon) % m
    return adjusted_last * indices[future]


#: The smoothing constants :func:`ses_fit` chooses from (a grid, so that every series is fitted
#: in one vectorised pass instead of a numerical optimiser per series).
_ALPHAS = np.linspace(0.02, 0.98, 49)


def ses_fit(history: object) -> tuple[float, float]:
    """Simple exponential smoothing: ``(alpha, last level)`` with the smoothing constant of the
    lowest in-sample one-step squared error (from a grid of 49 values), the level starting at
    the first value.

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first.

    Returns
    -------
    (float, float)
    """
    values = check_history(history)
    level = np.full(_ALPHAS.size, values[0])
    sse = np.zeros(_ALPHAS.size)
    for y in values[1:]:
        error = y - level
        sse += error * error
        level = level + _ALPHAS * error
    best = int(np.argmin(sse))
    return float(_ALPHAS[best]), float(level[best])


def theta_forecast(history: object, horizon: int, m: int) -> np.ndarray:
    """The Theta method of the M3 competition (Assimakopoulos & Nikolopoulos, 2000), as in the
    M4 benchmarks: the mean of the linear trend (theta line 0) extrapolated and simple
    exponential smoothing of theta line 2, on the seasonally adjusted series when
    :func:`seasonality_test` finds it seasonal (multiplicative indices, as for Naive2).

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first (at least 2); positive where the series is seasonal.
    horizon : int
        Number of steps to forecast.
    m : int
        Seasonal period (1 for non-seasonal data).

    Returns
    -------
    numpy.ndarray of shape (horizon,)
    """
    horizon = check_positive_int("horizon", horizon)
    values = check_history(history)
    if values.size < 2:
        return naive_forecast(values, horizon)
    seasonal = seasonality_test(values, m) and (values > 0).all()
    indices = seasonal_indices(values, m) if seasonal else np.ones(max(m, 1))
    adjusted = values / indices[np.arange(values.size) % indices.size]
    t = np.arange(values.size, dtype=np.float64)
    slope, intercept = np.polyfit(t, adjusted, 1)
    _, level = ses_fit(2.0 * adjusted - (intercept + slope * t))
    future = np.arange(values.size, values.size + horizon)
    line0 = intercept + slope * future
    forecast = 0.5 * (line0 + level)
    return forecast * indices[future % indices.size]
