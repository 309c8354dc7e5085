"""Point forecast accuracy metrics of the M4 competition (numpy only).

Every metric takes ``y_true`` and ``y_pred`` of the same shape: 1-D ``(horizon,)`` for one
forecast, or 2-D ``(n_series, horizon)`` for several forecasts (one per row). The result is the
mean over all entries; :func:`mase` with one training series per row returns the mean of the
per-series MASE values instead, as the M4 competition does.

Definitions follow the M4 Competitor's Guide (Makridakis, Spiliotis & Assimakopoulos, 2018):
sMAPE with ``200 |y - yhat| / (|y| + |yhat|)``, MASE scaled by the in-sample MAE of the seasonal
naive forecast (:func:`seasonal_scale`), OWA relative to the Naive2 benchmark (see
:mod:`tsrnn.metrics.baselines`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import DataError
from ._arrays import check_pair, is_list_of_series, mean_scaled, seasonal_scale, train_scales
from .baselines import naive2_forecast

__all__ = [
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "owa",
    "seasonal_scale",
    "METRICS",
    "score_all",
]


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
    true, pred = check_pair(y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def rmse(y_true: object, y_pred: object) -> float:
    """Root mean squared error, ``sqrt(mean((y_true - y_pred) ** 2))`` over all entries.

    Takes the same arguments as :func:`mae`.
    """
    true, pred = check_pair(y_true, y_pred)
    return float(np.sqrt(np.mean((true - pred) ** 2)))


def mape(y_true: object, y_pred: object) -> float:
    """Mean absolute percentage error in percent, ``100 * mean(|y - yhat| / |y|)``.

    Takes the same arguments as :func:`mae`.

    Raises
    ------
    DataError
        If ``y_true`` holds zeros (the ratio is undefined); the message says how many.
    """
    true, pred = check_pair(y_true, y_pred)
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
    true, pred = check_pair(y_true, y_pred)
    denominator = np.abs(true) + np.abs(pred)
    ratio = np.divide(
        200.0 * np.abs(true - pred),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(np.mean(ratio))


def mase(y_true: object, y_pred: object, y_train: object, m: int = 1) -> float:
    """Mean absolute scaled error: the MAE divided by the in-sample seasonal naive MAE.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (horizon,) or (n_series, horizon)
        Actual values and forecasts, of the same shape (as for :func:`mae`).
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
    true, pred = check_pair(y_true, y_pred)
    scales = train_scales(y_train, true, m)
    return mean_scaled(np.abs(true - pred), scales)


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average of M4, ``0.5 (sMAPE / sMAPE_naive2 + MASE / MASE_naive2)``.

    Parameters
    ----------
    smape_model : float
        sMAPE of the model being scored.
    mase_model : float
        MASE of the model being scored.
    smape_naive2 : float
        sMAPE of the Naive2 benchmark on the same data (see
        :func:`~tsrnn.metrics.baselines.naive2_forecast`).
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
    if is_list_of_series(y_train) or np.ndim(y_train) == 2:
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
    y_true, y_pred : array-like
        Actual values and forecasts, as for :func:`mae`.
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
    true, pred = check_pair(y_true, y_pred)
    scores = {"mae": mae(true, pred), "rmse": rmse(true, pred)}
    scores["mape"] = mape(true, pred) if np.all(true != 0) else float("nan")
    scores["smape"] = smape(true, pred)
    if y_train is not None:
        scores["mase"] = mase(true, pred, y_train, m)
        scores["owa"] = _owa_vs_naive2(true, scores, y_train, m)
    return scores
