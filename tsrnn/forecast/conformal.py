"""Conformal intervals for any fitted forecaster, from the residuals of the one-pass backtest.

``model.calibrate(data)`` forecasts the last ``windows`` horizons of every series of ``data``
(usually the training rows) from origins one horizon apart, in one batched pass
(``_forecast_origins``, the backtest's path), and keeps the residuals ``actual - point`` of
every (window, step, target), each divided by its window's scale: the mean absolute seasonal
difference of the ``lookback`` rows the model read before the origin (lag ``season``, or 1).
No network is trained, so a point model fitted yesterday gets intervals today.

``predict_quantiles`` then adds to the point forecast of each series the conformal quantiles
of the scaled residuals of each horizon step, multiplied back by the scale of the rows the
forecast starts from (the kept context, or the given history): level ``q`` is the
``ceil((n + 1) q)``-th smallest of the ``n`` residuals of its step (``floor`` below 0.5), the
split-conformal rank, so the ``q``-quantile is not underestimated for exchangeable residuals.

**Honesty.** The model has seen its training rows, so residuals there are smaller than on new
rows. With ``validate=True`` (the default) the fit already scored a copy of the model on
rows it never saw (:mod:`tsrnn.forecast.safety`, ``validation_["model"]["mase"]``); the
residuals are multiplied by ``inflation``, that out-of-sample MASE over the MASE of the
calibration windows (at least 1). Data that continues the training rows gives windows the
model never saw, and an inflation near 1. Without ``validation_`` the inflation is 1 and the
intervals are only as honest as the calibration rows are new to the model. Chosen on M4 Hourly
validation windows (``benchmarks/m4_conformal.py``, BENCHMARKS.md): the point recipe's 95%
intervals covered 0.927 of them without the inflation (1.18), 0.953 with it.

``level=[80, 95]`` (percent, as statsforecast and NeuralForecast take it) asks for central
intervals: columns ``{target}-lo-{level}`` and ``{target}-hi-{level}``, the quantiles
``(1 - level / 100) / 2`` and ``(1 + level / 100) / 2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import ConfigError, DataError, check_positive_int
from ..data import future_frame
from ..metrics.intervals import check_levels
from .quantiles import Outputs, quantile_columns

__all__ = ["DEFAULT_LEVELS", "WINDOWS", "Conformal", "calibrate", "interval_columns",
           "predict_quantiles", "quantiles_of_level"]

WINDOWS = 5  # horizons per series the calibration forecasts, at most
#: The levels of a conformal ``predict_quantiles()`` when none are asked for: 95%, 80%, median.
DEFAULT_LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)


# -- levels --------------------------------------------------------------------------------------


def _coverages(level) -> tuple[float, ...]:
    """``level`` (percent) checked: a number or a list of numbers in (0, 100), no repeats."""
    values = level if isinstance(level, (list, tuple, np.ndarray)) else [level]
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        raise ConfigError(f"level must be percentages in (0, 100) such as [80, 95], got "
                          f"{level!r}") from None
    bad = [v for v in out if not 0 < v < 100]
    if bad or not out or len(set(out)) < len(out):
        raise ConfigError(f"level must be distinct percentages in (0, 100) such as [80, 95], "
                          f"got {level!r}")
    return tuple(sorted(out))


def quantiles_of_level(level) -> tuple[float, ...]:
    """The quantile levels of the central intervals ``level`` (percent): ``[80]`` ->
    ``(0.1, 0.9)``, ascending."""
    cov = _coverages(level)
    return tuple(sorted({round((1 - c / 100) / 2, 12) for c in cov}
                        | {round((1 + c / 100) / 2, 12) for c in cov}))


def interval_columns(targets, level) -> list[str]:
    """Column names of the intervals ``level``, target-major, in the order of
    :func:`quantiles_of_level`: ``y-lo-95, y-lo-80, y-hi-80, y-hi-95``."""
    cov = _coverages(level)
    names = [f"lo-{c:g}" for c in reversed(cov)] + [f"hi-{c:g}" for c in cov]
    return [f"{t}-{n}" for t in targets for n in names]


# -- the calibration -----------------------------------------------------------------------------


@dataclass
class Conformal:
    """A calibration: scaled residuals ``scores`` ``(n, horizon, K)`` of ``n`` backtest
    windows, their ``inflation``, and how the scales were taken (``lookback`` rows, lag
    ``season``). The fitted ``conformal_`` of a forecaster."""

    scores: np.ndarray
    inflation: float
    lookback: int
    season: int
    windows: int

    @property
    def horizon(self) -> int:
        return int(self.scores.shape[1])

    def quantiles(self, levels) -> np.ndarray:
        """The conformal quantiles ``(horizon, K, Q)`` of the scaled residuals, inflated."""
        ordered = np.sort(self.scores, axis=0)  # (n, h, K), each step and target sorted
        n = len(ordered)
        ranks = [min(n, int(np.ceil((n + 1) * q))) if q >= 0.5
                 else max(1, int(np.floor((n + 1) * q))) for q in levels]
        return np.stack([ordered[r - 1] for r in ranks], axis=-1) * self.inflation

    def intervals(self, point: np.ndarray, history: list, levels) -> np.ndarray:
        """Quantiles ``(S, h, K, Q)`` around the point forecasts ``(S, h, K)``, scaled by the
        last ``lookback`` rows of each series' ``history`` ``(T, K)``."""
        scale = np.stack([window_scale(y[-self.lookback:], self.season) for y in history])
        q = self.quantiles(levels)[: point.shape[1]]  # (h, K, Q)
        return point[..., None] + q[None] * scale[:, None, :, None]

    def to_meta(self) -> dict:
        return {"inflation": float(self.inflation), "lookback": int(self.lookback),
                "season": int(self.season), "windows": int(self.windows)}

    @classmethod
    def from_files(cls, meta: dict, scores) -> Conformal:
        """The calibration saved as ``meta`` and the ``scores`` tensor (ValueError if they
        disagree)."""
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 3 or not len(scores) or not np.isfinite(scores).all():
            raise ValueError(f"conformal.scores has shape {scores.shape}, expected (n, horizon, "
                             "targets) of finite values")
        if not meta["inflation"] >= 1 or meta["lookback"] < 1 or meta["season"] < 1:
            raise ValueError(f"conformal {meta} needs inflation >= 1, lookback and season >= 1")
        return cls(scores, float(meta["inflation"]), int(meta["lookback"]),
                   int(meta["season"]), int(meta["windows"]))


def window_scale(rows: np.ndarray, season: int) -> np.ndarray:
    """The scale ``(K,)`` of ``rows`` ``(T, K)``: the mean absolute difference at lag
    ``season`` (lag 1 where it is 0 or the rows are too few), never 0."""
    rows = np.asarray(rows, dtype=np.float64)
    out = np.zeros(rows.shape[1])
    for lag in (season, 1):
        if len(rows) > lag:
            diff = np.abs(rows[lag:] - rows[:-lag]).mean(axis=0)
            out = np.where(out > 0, out, diff)
    floor = 1e-8 * np.maximum(1.0, np.abs(rows).mean(axis=0)) if len(rows) else 1e-8
    return np.maximum(out, floor)


def _origins(panel, horizon: int, windows: int, min_history: int) -> list:
    """The last ``windows`` origins of each series, one horizon apart, each with at least
    ``min_history`` rows before it."""
    out = []
    for n in panel.lengths:
        starts = int(n) - horizon * np.arange(windows, 0, -1)
        out.append(starts[starts >= min_history])
    if not sum(len(o) for o in out):
        raise DataError(f"no series of data is long enough to calibrate: a window needs "
                        f"{min_history} rows of history and {horizon} to score; give longer "
                        "series")
    return out


def calibrate(model, data, windows: int = WINDOWS) -> Conformal:
    """The :class:`Conformal` calibration of the fitted ``model`` on the last ``windows``
    horizons of each series of ``data`` (see the module docstring)."""
    windows = check_positive_int("windows", windows)
    c = model.config_
    h, m, lookback = int(c["horizon"]), int(c["season"] or 1), int(model.channels_.lookback)
    panel = model.channels_.read(data)
    origins = _origins(panel, h, windows, model._min_history())
    point = Outputs(model.quantiles_).point(model._forecast_origins(panel, origins, h))
    series = [panel.target[panel.series(i)].astype(np.float64) for i in range(panel.n_series)]
    actual = np.stack([y[o: o + h] for y, row in zip(series, origins) for o in row])
    scale = np.stack([window_scale(y[o - lookback: o], m) for y, row in zip(series, origins)
                      for o in row])
    scores = (actual - point) / scale[:, None, :]  # (n, h, K)
    inflation = _inflation(getattr(model, "validation_", None), actual - point, series,
                           origins, m)
    return Conformal(scores, inflation, lookback, m, windows)


def _inflation(validation: dict | None, errors: np.ndarray, series: list, origins: list,
               m: int) -> float:
    """The out-of-sample MASE of ``validation`` over the MASE of the calibration ``errors``
    (per series: the mean absolute error over the MAE of seasonal naive before its first
    window; then the mean over series), at least 1; 1 without a validation."""
    held = (validation or {}).get("model", {}).get("mase")
    if not held:
        return 1.0
    mase, k = [], 0
    for y, row in zip(series, origins):
        if not len(row):
            continue
        before = y[: int(row[0])]
        lag = m if len(before) > m else 1
        scale = np.abs(before[lag:] - before[:-lag]).mean() if len(before) > lag else 0.0
        err = np.abs(errors[k: k + len(row)]).mean()
        k += len(row)
        if scale > 0:
            mase.append(err / scale)
    ours = float(np.mean(mase)) if mase else 0.0
    return max(1.0, held / ours) if ours > 0 else 1.0


# -- predict_quantiles ---------------------------------------------------------------------------


def _asked(levels, level) -> tuple[tuple, bool]:
    """(the quantile levels asked for, whether they came from ``level``)."""
    if levels is not None and level is not None:
        raise ConfigError("give levels (quantiles such as [0.05, 0.95]) or level (percentages "
                          "such as [80, 95]), not both")
    if level is not None:
        return quantiles_of_level(level), True
    return (None if levels is None else check_levels(levels, "levels")), False


def predict_quantiles(model, data, horizon, future_covariates, levels, level, static=None):
    """What :meth:`tsrnn.RNNForecaster.predict_quantiles` returns: the conformal quantiles of
    a calibrated model, else the network's own."""
    asked, by_level = _asked(levels, level)
    conformal = getattr(model, "conformal_", None)
    outputs = model._outputs()
    if conformal is None:
        index = outputs.index(asked)
        asked = [outputs.levels[i] for i in index]
        steps = outputs.horizon(horizon, model.config_["horizon"])
    else:
        asked = asked or (model.quantiles_ or DEFAULT_LEVELS)
        steps = _conformal_horizon(horizon, conformal.horizon)
    ids, last, values = model._predict_values(data, steps, future_covariates, static)
    if conformal is None:
        values = values[..., index]
    else:
        panel = None if data is None else model.channels_.read(data, static=static)
        values = conformal.intervals(outputs.point(values), model.channels_.history(panel),
                                     asked)
    flat = values.reshape(*values.shape[:2], -1)  # (S, h, K, Q) -> (S, h, K*Q), target-major
    names = (interval_columns(model.target_names_, level) if by_level
             else quantile_columns(model.target_names_, asked))
    return future_frame(ids, last, flat, model.roles_, model.freq_, names)


def _conformal_horizon(horizon, calibrated: int) -> int:
    horizon = check_positive_int("horizon", horizon or calibrated)
    if horizon > calibrated:
        raise ConfigError(f"conformal quantiles reach at most the calibrated horizon "
                          f"{calibrated}; got horizon={horizon}: ask for fewer steps")
    return horizon
