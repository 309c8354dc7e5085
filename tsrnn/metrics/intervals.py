"""Probabilistic forecasts: quantile levels, interval metrics and seasonal-naive intervals (numpy).

Quantile forecasts are arrays whose last axis runs over the levels: ``y_pred`` of shape
``y_true.shape + (Q,)`` for the sorted levels ``(q_1, ..., q_Q)``. Definitions:

* pinball (quantile) loss of level ``q``: ``mean(max(q (y - yhat), (q - 1) (y - yhat)))``;
* coverage: the fraction of actual values inside ``[lower, upper]`` (both ends included);
* MSIS (M4 Competitor's Guide): the interval score
  ``(U - L) + 2/alpha (L - y) 1{y < L} + 2/alpha (y - U) 1{y > U}`` averaged over the horizon
  and divided by the in-sample seasonal-naive MAE, like MASE;
* CRPS from quantiles: ``2 * mean over levels of the pinball loss``, the usual quantile
  approximation of the continuous ranked probability score (it tends to the CRPS for many evenly
  spaced levels; for a single level 0.5 it is the MAE, the CRPS of a point forecast).

The seasonal-naive intervals follow the M4 benchmarks: the seasonal-naive forecast plus
``z_q * sigma * sqrt(k)``, with ``sigma`` the root mean square of the in-sample seasonal-naive
residuals ``y[t] - y[t - m]`` and ``k`` the number of seasons ahead (``k = 1`` for the first
``m`` steps), i.e. a seasonal random walk with normal errors; ``widen="constant"`` keeps the
first season's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from .._validation import ConfigError, DataError, check_choice, check_positive_int
from ._arrays import as_float_array, check_history, check_no_nan, mean_scaled, train_scales
from .baselines import seasonal_naive_forecast

__all__ = [
    "check_levels",
    "level_name",
    "point_level",
    "interval_pairs",
    "pinball_loss",
    "coverage",
    "msis",
    "crps_from_quantiles",
    "score_quantiles",
    "seasonal_naive_quantiles",
]


# --------------------------------------------------------------------------- levels


def check_levels(levels: object, name: str = "quantiles") -> tuple[float, ...]:
    """Return quantile levels as a sorted tuple of floats, each in (0, 1), without repeats.

    Raises
    ------
    ConfigError
        If ``levels`` is not a non-empty sequence of distinct numbers strictly between 0 and 1.
    """
    if isinstance(levels, (str, bytes)) or not isinstance(levels, (Sequence, np.ndarray)):
        raise ConfigError(f"{name} must be a list of levels in (0, 1) such as [0.05, 0.5, 0.95], "
                          f"got {levels!r}")
    try:
        values = [float(q) for q in levels]
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must hold numbers in (0, 1), got {list(levels)!r}") from None
    if not values:
        raise ConfigError(f"{name} is empty; give at least one level, e.g. [0.05, 0.5, 0.95]")
    bad = [q for q in values if not 0.0 < q < 1.0]
    if bad:
        raise ConfigError(f"{name} must be strictly between 0 and 1, got {bad[0]!r}")
    if len(set(values)) < len(values):
        raise ConfigError(f"{name} {values} repeats a level; give each level once")
    return tuple(sorted(values))


def level_name(level: float) -> str:
    """Column suffix of a level: ``0.05 -> "q0.05"``."""
    return f"q{level:g}"


def point_level(levels: Sequence[float]) -> int:
    """Index of the level used as the point forecast: 0.5 if present, else the closest to it
    (the lower one on a tie)."""
    return int(np.argmin([abs(q - 0.5) + 1e-12 * q for q in levels]))


def interval_pairs(levels: Sequence[float]) -> list[tuple[int, int, float]]:
    """Symmetric central intervals among ``levels``: ``(i_lower, i_upper, nominal coverage)``
    for every pair ``q, 1 - q`` with ``q < 0.5``, widest first."""
    out = []
    for i, lo in enumerate(levels):
        for j, hi in enumerate(levels):
            if lo < 0.5 and abs(lo + hi - 1.0) < 1e-9:
                out.append((i, j, hi - lo))
    return sorted(out, key=lambda pair: -pair[2])


# --------------------------------------------------------------------------- checks


def _quantile_pair(y_true: object, y_pred: object, levels: object):
    """Validated actuals ``(...)``, quantile forecasts ``(..., Q)`` and levels ``(Q,)``."""
    true = as_float_array("y_true", y_true, ndims=(1, 2))
    if isinstance(levels, (int, float, np.floating)) and not isinstance(levels, bool):
        qs = np.array(check_levels([levels], "levels"))
        pred = as_float_array("y_pred", y_pred, ndims=(1, 2))[..., None]  # (...) -> (..., 1)
    else:
        qs = np.array(check_levels(levels, "levels"))
        if list(qs) != [float(q) for q in levels]:
            raise DataError(f"levels {list(levels)} must be sorted ascending, in the order of "
                            "y_pred's last axis")
        pred = as_float_array("y_pred", y_pred, ndims=(2, 3))
    if pred.shape != true.shape + (len(qs),):
        raise DataError(f"y_pred has shape {pred.shape}; with y_true of shape {true.shape} and "
                        f"{len(qs)} level(s) it must be {true.shape + (len(qs),)}")
    check_no_nan("y_true", true)
    check_no_nan("y_pred", pred)
    return true, pred, qs


def _interval(y_true: object, lower: object, upper: object):
    true = as_float_array("y_true", y_true)
    bounds = [as_float_array(n, v) for n, v in (("lower", lower), ("upper", upper))]
    for name, array in zip(("lower", "upper"), bounds):
        if array.shape != true.shape:
            raise DataError(f"{name} has shape {array.shape} but y_true has shape "
                            f"{true.shape}; pass one bound per actual value")
        check_no_nan(name, array)
    check_no_nan("y_true", true)
    lo, hi = bounds
    if (lo > hi).any():
        first = tuple(int(i) for i in np.argwhere(lo > hi)[0])
        raise DataError(f"lower {lo[first]} exceeds upper {hi[first]} at index {first}; "
                        "pass lower <= upper")
    return true, lo, hi


# --------------------------------------------------------------------------- metrics


def pinball_loss(y_true: object, y_pred: object, levels: object) -> float:
    """Mean pinball (quantile) loss over all entries and levels.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_pred : array-like of shape ``y_true.shape + (Q,)``
        Quantile forecasts, the last axis in the order of ``levels``; with a single float
        ``levels``, the same shape as ``y_true``.
    levels : float or sequence of float
        Quantile levels in (0, 1), ascending.

    Returns
    -------
    float
        ``mean(max(q (y - yhat), (q - 1) (y - yhat)))``; for ``q = 0.5`` it is half the MAE.
    """
    true, pred, qs = _quantile_pair(y_true, y_pred, levels)
    diff = true[..., None] - pred  # (..., Q)
    return float(np.mean(np.maximum(qs * diff, (qs - 1.0) * diff)))


def crps_from_quantiles(y_true: object, y_pred: object, levels: object) -> float:
    """CRPS approximated from quantile forecasts: twice the mean pinball loss over the levels.

    Takes the same arguments as :func:`pinball_loss`. Exact in the limit of many evenly spaced
    levels; with the single level 0.5 it equals the MAE (the CRPS of a point forecast).
    """
    return 2.0 * pinball_loss(y_true, y_pred, levels)


def coverage(y_true: object, lower: object, upper: object) -> float:
    """Fraction of actual values inside ``[lower, upper]`` (ends included), in [0, 1].

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    lower, upper : array-like of the same shape as ``y_true``
        Interval bounds, ``lower <= upper``.
    """
    true, lo, hi = _interval(y_true, lower, upper)
    return float(np.mean((true >= lo) & (true <= hi)))


def msis(y_true: object, lower: object, upper: object, y_train: object, m: int = 1,
         alpha: float = 0.05) -> float:
    """Mean scaled interval score of M4 for a ``(1 - alpha)`` prediction interval.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    lower, upper : array-like of the same shape as ``y_true``
        Bounds of the ``(1 - alpha)`` interval (levels ``alpha/2`` and ``1 - alpha/2``).
    y_train : array-like of shape (T,), or a list of 1-D arrays / 2-D array, one per row
        In-sample data setting the scale, as for :func:`tsrnn.metrics.point.mase`; with one training
        series per row the result is the mean of the per-series MSIS values (M4's convention).
    m : int, default=1
        Seasonal period of the scaling naive forecast (24 for hourly data).
    alpha : float, default=0.05
        One minus the nominal coverage (0.05 for a 95% interval).

    Returns
    -------
    float
        Lower is better; ``inf`` for a series whose scale is 0 (as :func:`~tsrnn.metrics.mase`).
    """
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be in (0, 1), e.g. 0.05 for a 95% interval; got {alpha!r}")
    true, lo, hi = _interval(y_true, lower, upper)
    m = check_positive_int("m", m)
    scales = train_scales(y_train, true, m)
    score = (hi - lo) + 2.0 / alpha * ((lo - true) * (true < lo) + (true - hi) * (true > hi))
    return mean_scaled(score, scales)


def score_quantiles(y_true: object, y_pred: object, levels: Sequence[float],
                    y_train: object = None, m: int = 1) -> dict[str, float]:
    """Every interval metric at once, for backtests and reports.

    Parameters
    ----------
    y_true : array-like of shape (horizon,) or (n_series, horizon)
        Actual values.
    y_pred : array-like of shape ``y_true.shape + (Q,)``
        Quantile forecasts at the ascending ``levels``.
    levels : sequence of float
        Quantile levels.
    y_train : array-like or list of array-like, default=None
        In-sample data for MSIS, as for :func:`msis`; None (or too short a series) gives NaN.
    m : int, default=1
        Seasonal period of the MSIS scale.

    Returns
    -------
    dict of str to float
        ``pinball`` and ``crps``, then ``coverage_P`` and ``msis_P`` for every central interval
        ``(q, 1 - q)`` among the levels, ``P`` its nominal coverage in percent (e.g.
        ``coverage_95`` for the levels 0.025 and 0.975).
    """
    true, pred, qs = _quantile_pair(y_true, y_pred, levels)
    scores = {"pinball": pinball_loss(true, pred, qs), "crps": crps_from_quantiles(true, pred, qs)}
    for lo, hi, nominal in interval_pairs(qs):
        name = f"{100 * nominal:.6g}"
        lower, upper = pred[..., lo], pred[..., hi]
        scores[f"coverage_{name}"] = coverage(true, lower, upper)
        try:
            scores[f"msis_{name}"] = msis(true, lower, upper, y_train, m, alpha=1 - nominal)
        except DataError:  # no training data, or too short for the seasonal scale
            scores[f"msis_{name}"] = float("nan")
    return scores


# --------------------------------------------------------------------------- baseline


def seasonal_naive_quantiles(history: object, horizon: int, m: int, levels: object,
                             widen: str = "sqrt") -> np.ndarray:
    """Quantiles of the seasonal-naive forecast with normal errors (the M4 benchmark way).

    Parameters
    ----------
    history : array-like of shape (T,)
        Past values, oldest first; more than ``m`` of them.
    horizon : int
        Steps to forecast.
    m : int
        Seasonal period (1: the naive forecast, a random walk).
    levels : sequence of float
        Quantile levels in (0, 1).
    widen : {"sqrt", "constant"}, default="sqrt"
        ``"sqrt"``: the standard deviation grows as ``sqrt(k)`` for the k-th season ahead;
        ``"constant"``: every step has the one-season-ahead width.

    Returns
    -------
    numpy.ndarray of shape (horizon, Q)
        Column ``j`` is the forecast at the j-th sorted level.
    """
    horizon = check_positive_int("horizon", horizon)
    m = check_positive_int("m", m)
    check_choice("widen", widen, ("sqrt", "constant"))
    qs = check_levels(levels, "levels")
    values = check_history(history)
    if values.size <= m:
        raise DataError(f"history has {values.size} point(s); seasonal-naive intervals with "
                        f"m={m} need at least {m + 1} (one season plus one residual)")
    point = seasonal_naive_forecast(values, horizon, m)
    sigma = float(np.sqrt(np.mean((values[m:] - values[:-m]) ** 2)))
    seasons = np.arange(horizon) // m + 1 if widen == "sqrt" else np.ones(horizon)
    z = np.array([NormalDist().inv_cdf(q) for q in qs])
    return point[:, None] + sigma * np.sqrt(seasons)[:, None] * z  # (h, 1) + (h, 1) * (Q,)
