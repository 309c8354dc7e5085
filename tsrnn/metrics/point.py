"""Forecast accuracy metrics and naive baselines (numpy only).

Every metric takes ``y_true`` and ``y_pred`` of the same shape: 1-D ``(horizon,)`` for one
forecast, or 2-D ``(n_series, horizon)`` for several forecasts (one per row). The result is the
mean over all entries; :func:`mase` with one training series per row returns the mean of the
per-series MASE values instead, as the M4 competition does.

Definitions follow the M4 Competitor's Guide (Makridakis, Spiliotis & Assimakopoulos, 2018):
sMAPE with ``200 |y - yhat| / (|y| + |yhat|)``, MASE scaled by the in-sample MAE of the seasonal
naive forecast, OWA relative to the Naive2 benchmark. Baselines are pure functions of a 1-D
history and return a 1-D ``(horizon,)`` array.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import DataError, check_positive_int

__all__ = [
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "owa",
    "seasonal_scale",
    "naive_forecast",
    "seasonal_naive_forecast",
    "naive2_forecast",
    "seasonality_test",
    "seasonal_indices",
    "centered_moving_average",
    "METRICS",
    "score_all",
]

#: One-sided 95% normal quantile, i.e. the two-tailed 90% limit of the M4 seasonality test.
_SEASONALITY_Z = 1.645


# --------------------------------------------------------------------------- input checks


def _as_float_array(name: str, values: object, ndims: tuple[int, ...] = (1, 2)) -> np.ndarray:
    """Return ``values`` as a non-empty float array with an allowed number of dimensions."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must hold numbers; could not convert {type(values).__name__} ({exc})"
        ) from None
    if array.ndim not in ndims:
        wanted = " or ".join(f"{d}-D" for d in ndims)
        raise DataError(f"{name} must be {wanted}; got shape {array.shape}")
    if array.size == 0:
        raise DataError(f"{name} is empty (shape {array.shape}); pass at least one value")
    return array


def _check_no_nan(name: str, array: np.ndarray) -> None:
    """Raise DataError if ``array`` holds NaN or inf, naming the count, shape and first place."""
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        where = first[0] if len(first) == 1 else first
        raise DataError(
            f"{name} (shape {array.shape}) holds {int(bad.sum())} NaN/inf value(s), first "
            f"{array[first]} at index {where}; drop or fill them before scoring"
        )


def _pair(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate actuals and predictions: numeric, 1-D or 2-D, same shape, finite."""
    true = _as_float_array("y_true", y_true)
    pred = _as_float_array("y_pred", y_pred)
    if true.shape != pred.shape:
        raise DataError(
            f"y_true has shape {true.shape} but y_pred has shape {pred.shape}; "
            "pass one prediction per actual value (same shape)"
        )
    _check_no_nan("y_true", true)
    _check_no_nan("y_pred", pred)
    return true, pred


def _history(history: object, name: str = "history") -> np.ndarray:
    """Validate a 1-D finite series of past values."""
    values = _as_float_array(name, history, ndims=(1,))
    _check_no_nan(name, values)
    return values


# --------------------------------------------------------------------------- metrics


def mae(y_true: object, y_pred: object) -> float:
    """Mean absolute error.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_pred : array-like of the same shape as ``y_true``
        Forecasts.

    Returns
    -------
    float
        ``mean(|y_true - y_pred|)`` over all entries.
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error, ``sqrt(mean((y_true - y_pred) ** 2))`` over all entries.

    Takes the same arguments as :func:`mae`.
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((true - pred) ** 2)))


def mape(y_true: object, y_pred: object) -> float:
    """Mean absolute percentage error in percent, ``100 * mean(|y - yhat| / |y|)``.

    Takes the same arguments as :func:`mae`.

    Raises
    ------
    DataError
        If ``y_true`` holds zeros (the ratio is undefined); the message says how many.
    """
    true, pred = _pair(y_true, y_pred)
    zeros = int(np.count_nonzero(true == 0))
    if zeros:
        raise DataError(
            f"MAPE is undefined: y_true (shape {true.shape}) holds {zeros} zero(s); "
            "use smape or mase for series that touch zero"
        )
    return float(100.0 * np.mean(np.abs((true - pred) / true)))


def smape(y_true: object, y_pred: object) -> float:
    """Symmetric MAPE as in M4, ``mean(200 |y - yhat| / (|y| + |yhat|))``, in [0, 200].

    Takes the same arguments as :func:`mae`. An entry where both ``y`` and ``yhat`` are 0 is a
    perfect forecast and counts as 0 (not NaN).
    """
    true, pred = _pair(y_true, y_pred)
    denominator = np.abs(true) + np.abs(pred)
    ratio = np.divide(
        200.0 * np.abs(true - pred),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(np.mean(ratio))


def seasonal_scale(y_train: object, m: int = 1) -> float:
    """In-sample MAE of the seasonal naive forecast, ``mean(|y[t] - y[t - m]|)``.

    Parameters
    ----------
    y_train : array-like of shape (T,)
        The training part of one series.
    m : int, default=1
        Seasonal period (1: plain naive).

    Returns
    -------
    float
        The MASE denominator; 0 when ``y_train`` repeats exactly every ``m`` steps.

    Raises
    ------
    DataError
        If ``y_train`` has ``m`` points or fewer.
    """
    m = check_positive_int("m", m)
    values = _history(y_train, "y_train")
    if values.size <= m:
        raise DataError(
            f"y_train has {values.size} point(s); MASE with m={m} needs at least {m + 1} "
            "(one season plus one); pass a longer training series or a smaller m"
        )
    return float(np.mean(np.abs(values[m:] - values[:-m])))


def _is_list_of_series(y_train: object) -> bool:
    """True for a list/tuple whose items are 1-D (one training series per row)."""
    return (
        isinstance(y_train, (list, tuple))
        and len(y_train) > 0
        and all(np.ndim(item) == 1 for item in y_train)
    )


def _train_scales(y_train: object, true: np.ndarray, m: int) -> np.ndarray:
    """Return one MASE scale (0-D) shared by all rows, or one per row of ``true`` (1-D)."""
    if _is_list_of_series(y_train):
        rows = list(y_train)
    elif np.ndim(y_train) == 2:
        rows = list(_as_float_array("y_train", y_train, ndims=(2,)))
    else:
        return np.asarray(seasonal_scale(y_train, m))
    if true.ndim != 2 or len(rows) != true.shape[0]:
        raise DataError(
            f"y_train holds {len(rows)} series but y_true has shape {true.shape}; pass one "
            "training series per row of a 2-D y_true, or a single 1-D y_train shared by all rows"
        )
    return np.array([seasonal_scale(row, m) for row in rows])


def _scaled(errors: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """``errors / scales`` with ``inf`` wherever the scale is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scales > 0, errors / scales, np.inf)


def mase(y_true: object, y_pred: object, y_train: object, m: int = 1) -> float:
    """Mean absolute scaled error: the MAE divided by the in-sample seasonal naive MAE.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_pred : array-like of the same shape as ``y_true``
        Forecasts.
    y_train : array-like of shape (T,), or a list of 1-D arrays / 2-D array, one per row
        The in-sample data that sets the scale (see :func:`seasonal_scale`). A single 1-D
        series scales every entry; with a 2-D ``y_true`` a list of per-series training arrays
        (lengths may differ) scales each row by its own series, and the result is the mean of
        the per-series MASE values (the M4 convention).
    m : int, default=1
        Seasonal period of the scaling naive forecast, e.g. 24 for hourly data.

    Returns
    -------
    float
        The MASE. If a scale is 0 (the training series repeats exactly every ``m`` steps)
        MASE is undefined for that series and ``inf`` is returned rather than raising, so a
        backtest over many series still finishes and the problem stays visible.

    Raises
    ------
    DataError
        On a shape mismatch, NaN, or a training series with ``m`` points or fewer.
    """
    true, pred = _pair(y_true, y_pred)
    scales = _train_scales(y_train, true, m)
    errors = np.abs(true - pred)
    if scales.ndim == 0:
        return float(_scaled(np.mean(errors), scales))
    return float(np.mean(_scaled(np.mean(errors, axis=1), scales)))


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average of M4, ``0.5 (sMAPE / sMAPE_naive2 + MASE / MASE_naive2)``.

    Parameters
    ----------
    smape_model : float
        sMAPE of the model being scored.
    mase_model : float
        MASE of the model being scored.
    smape_naive2 : float
        sMAPE of the Naive2 benchmark on the same data (see :func:`naive2_forecast`).
    mase_naive2 : float
        MASE of the Naive2 benchmark on the same data.

    Returns
    -------
    float
        1.0 means as accurate as Naive2; below 1 is better.

    Raises
    ------
    DataError
        If a score is negative or not finite, or a Naive2 score is 0 (the ratio is undefined).
    """
    scores = {
        "smape_model": smape_model,
        "mase_model": mase_model,
        "smape_naive2": smape_naive2,
        "mase_naive2": mase_naive2,
    }
    for name, value in scores.items():
        if not np.isfinite(value) or value < 0:
            raise DataError(f"{name} must be a finite score >= 0, got {value!r}")
    for name in ("smape_naive2", "mase_naive2"):
        if scores[name] == 0:
            raise DataError(
                f"{name} is 0: Naive2 is perfect on this data, so OWA (a ratio to Naive2) is "
                "undefined; report smape and mase instead"
            )
    return float(0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2))


# --------------------------------------------------------------------------- baselines


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
    values = _history(history)
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
    values = _history(history)
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
    values = _history(history)
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
    values = _history(values, "values")
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
    values = _history(history)
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
    values = _history(history)
    if not seasonality_test(values, m):
        return naive_forecast(values, horizon)
    indices = seasonal_indices(values, m)
    adjusted_last = values[-1] / indices[(values.size - 1) % m]
    future = np.arange(values.size, values.size + horizon) % m
    return adjusted_last * indices[future]


# --------------------------------------------------------------------------- convenience

#: Metrics by name. All take ``(y_true, y_pred)``; ``mase`` also needs ``y_train`` (and ``m``).
METRICS: dict[str, Callable[..., float]] = {
    "mae": mae,
    "rmse": rmse,
    "mape": mape,
    "smape": smape,
    "mase": mase,
}


def _naive2_rows(true: np.ndarray, y_train: object, m: int) -> np.ndarray:
    """Naive2 forecasts shaped like ``true``, from one shared or per-row training series."""
    horizon = true.shape[-1]
    if true.ndim == 1:
        return naive2_forecast(y_train, horizon, m)
    if _is_list_of_series(y_train) or np.ndim(y_train) == 2:
        return np.stack([naive2_forecast(row, horizon, m) for row in y_train])
    return np.tile(naive2_forecast(y_train, horizon, m), (true.shape[0], 1))


def _owa_vs_naive2(true: np.ndarray, scores: dict[str, float], y_train: object, m: int) -> float:
    """OWA of ``scores`` against Naive2 fitted on ``y_train``; NaN where OWA is undefined."""
    try:
        naive2 = _naive2_rows(true, y_train, m)
        naive2_mase = mase(true, naive2, y_train, m)
        return owa(scores["smape"], scores["mase"], smape(true, naive2), naive2_mase)
    except DataError:
        return float("nan")


def score_all(
    y_true: object, y_pred: object, y_train: object = None, m: int = 1
) -> dict[str, float]:
    """Every metric at once, for backtests and reports.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_pred : array-like of the same shape as ``y_true``
        Forecasts.
    y_train : array-like or list of array-like, default=None
        In-sample data as for :func:`mase`. When given, ``mase`` and ``owa`` are added; OWA
        compares with Naive2 forecasts made from ``y_train``, so ``y_true`` must start right
        after the end of ``y_train``.
    m : int, default=1
        Seasonal period for MASE and Naive2.

    Returns
    -------
    dict of str to float
        Keys ``mae``, ``rmse``, ``mape``, ``smape`` and, with ``y_train``, ``mase`` and ``owa``.
        ``mape`` is NaN when ``y_true`` holds zeros and ``owa`` is NaN when it is undefined
        (for example Naive2 is perfect, or a seasonal series is not positive).
    """
    true, pred = _pair(y_true, y_pred)
    scores = {"mae": mae(true, pred), "rmse": rmse(true, pred)}
    scores["mape"] = mape(true, pred) if np.all(true != 0) else float("nan")
    scores["smape"] = smape(true, pred)
    if y_train is not None:
        scores["mase"] = mase(true, pred, y_train, m)
        scores["owa"] = _owa_vs_naive2(true, scores, y_train, m)
    return scores
