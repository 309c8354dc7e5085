"""Backtests: forecast from many origins of the data and score every forecast (numpy, pandas).

:func:`backtest` works for any forecaster that offers (the contract, in one place):

- ``horizon``, and the fitted ``roles_``, ``freq_``, ``target_names_`` and ``quantiles_``
  (``()`` for a point forecaster);
- ``_check_fitted()``; ``_min_history()``, the rows of history a forecast needs;
- ``_forecast_origins(panel, origins, horizon)``: the forecasts of many (series, origin) pairs
  at once, ``(n, horizon, K)`` or quantiles ``(n, horizon, K, Q)``, so a backtest is one
  batched computation, not a ``predict()`` call per origin;
- ``fit(frame)`` and sklearn's ``clone``/``set_params``, for ``refit=True``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._validation import ConfigError, DataError, check_positive_int
from ..data import Panel, read_like, take_static
from ..data.missing import interpolate_gaps
from ..metrics import level_name, mae, mase, point_level, rmse, score_quantiles, smape
from .missing import allows_nan, read_checked

__all__ = ["BacktestResult", "backtest", "origins_of"]


class BacktestResult(NamedTuple):
    """``forecasts``: one row per (series, origin, step); ``metrics``: one row per (series,
    origin); ``summary``: the mean of each metric over all origins.

    For a quantile forecaster ``forecasts`` also has a column per level (``q0.05``, ...;
    ``forecast`` is the point level) and the metrics add ``pinball``, ``crps`` and, for every
    central interval among the levels, ``coverage_P`` and ``msis_P`` (``P`` the nominal
    coverage in percent; see :func:`tsrnn.metrics.intervals.score_quantiles`)."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    summary: dict


def origins_of(panel: Panel, start, stride: int, horizon: int, min_history: int) -> list:
    """Forecast origins (row positions) of each series: ``origin`` rows of history are known and
    rows ``origin .. origin + horizon - 1`` are forecast.

    ``start`` is a fraction of each series' length (0 < start < 1), a row position (int; negative
    counts from the end), or a timestamp (the first origin at or after it).
    """
    stride = check_positive_int("stride", stride)
    out = []
    for i, index in enumerate(panel.index):
        n = int(panel.lengths[i])
        first = _first_origin(index, n, start)
        first = max(first, min_history)
        out.append(np.arange(first, n - horizon + 1, stride, dtype=np.int64))
    if not sum(len(o) for o in out):
        raise DataError(f"no forecast origin fits: start={start!r}, horizon {horizon}, and "
                        f"{min_history} rows of history needed; start earlier or give more data")
    return out


def _first_origin(index: pd.Index, n: int, start) -> int:
    if isinstance(start, (float, np.floating)):
        if 0 < start < 1:
            return int(round(n * start))
        raise ConfigError(f"start={start!r} is not a fraction in (0, 1); pass a fraction such as "
                          "0.8, a whole row such as 100 (negative: from the end) or a timestamp")
    if isinstance(start, (int, np.integer)) and not isinstance(start, bool):
        if start < -n:
            raise ConfigError(f"start={int(start)} counts {-int(start)} rows back from the end, "
                              f"but a series has only {n} rows; start later")
        return int(start) if start >= 0 else n + int(start)
    if isinstance(index, pd.DatetimeIndex) and not isinstance(start, bool):
        try:
            return int(index.searchsorted(pd.Timestamp(start)))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"start {start!r} is not a fraction, a row or a timestamp of the "
                              "data's time index") from exc
    raise ConfigError(f"start must be a fraction in (0, 1) or a row position, got {start!r}")


def backtest(model, data, start=0.5, stride=None, horizon=None, refit=False, m=1, static=None):
    """Forecast from many origins of ``data`` with ``model`` and score each forecast (the
    parameters are those of :meth:`tsrnn.RNNForecaster.backtest`)."""
    model._check_fitted()
    horizon = check_positive_int("horizon", model.horizon if horizon is None else horizon)
    stride = horizon if stride is None else stride
    # NaN with missing="mask" (forecast.missing); the seasonal-naive baselines read any gaps
    c = getattr(model, "config_", {"missing": "mask"})
    panel = read_checked(lambda: read_like(data, model.roles_, model.freq_, static=static,
                                           allow_nan=allows_nan(c)), "fit with missing='mask'")
    origins = origins_of(panel, start, stride, horizon, model._min_history())
    if refit:
        values = _refit_origins(model, panel, origins, horizon)
    else:
        values = model._forecast_origins(panel, origins, horizon)
    return _score_backtest(model, panel, origins, values, horizon, m)


def _refit_origins(model, panel: Panel, origins: list, horizon: int) -> np.ndarray:
    out = []
    for i in range(panel.n_series):
        rows = panel.series(i)
        for origin in origins[i]:
            history = _slice_panel(panel, i, rows.start, rows.start + int(origin))
            copy = clone(model).set_params(target=panel.roles.target, id_col=None)
            copy.fit(_panel_to_frame(history))
            out.append(copy._forecast_origins(history, [np.array([origin])], horizon))
    return np.concatenate(out)


def _score_backtest(model, panel, origins, values, horizon, m) -> BacktestResult:
    """Score forecasts ``(n, h, K)``, or quantiles ``(n, h, K, Q)`` (point: the level
    nearest 0.5; per-level forecast columns ``q0.05``, ... and interval metrics)."""
    levels = model.quantiles_ if values.ndim == 4 else ()
    rows, scores, k = [], [], 0
    for i, index in enumerate(panel.index):
        target = panel.target[panel.series(i)]
        for origin in origins[i]:
            actual = target[origin : origin + horizon]
            pred = values[k]  # (h, K) or (h, K, Q)
            k += 1
            for j, name in enumerate(model.target_names_):
                scores.append(_scores(panel.ids[i], index[origin], name, actual[:, j],
                                      pred[:, j], target[:origin, j], m, levels))
                rows.append(pd.DataFrame({
                    "id": panel.ids[i], "origin": index[origin], "target": name,
                    "step": np.arange(1, horizon + 1), "time": index[origin : origin + horizon],
                    "forecast": _point_of(pred[:, j], levels), "actual": actual[:, j],
                    **{level_name(q): pred[:, j, c] for c, q in enumerate(levels)}}))
    metrics = pd.DataFrame(scores)
    summary = {c: float(metrics[c].mean()) for c in metrics.columns[3:]}
    return BacktestResult(pd.concat(rows, ignore_index=True), metrics, summary)


def _point_of(pred: np.ndarray, levels) -> np.ndarray:
    """``(h,)`` point forecasts, or the level nearest 0.5 of quantiles ``(h, Q)``."""
    return pred[:, point_level(levels)] if levels else pred


def _scores(sid, origin, name, actual, pred, history, m, levels=()) -> dict:
    """The scores of one forecast; missing actuals are left out (all missing: NaN scores),
    and the MASE scale reads the history with its gaps interpolated."""
    seen = ~np.isnan(actual)
    if not seen.any():
        return {"id": sid, "origin": origin, "target": name}
    actual, pred, history = actual[seen], pred[seen], interpolate_gaps(history)
    scale_ok = len(history) > m
    point = _point_of(pred, levels)
    out = {"id": sid, "origin": origin, "target": name, "mae": mae(actual, point),
           "rmse": rmse(actual, point), "smape": smape(actual, point),
           "mase": mase(actual, point, history, m) if scale_ok else float("nan")}
    if levels:
        out.update(score_quantiles(actual, pred, levels, history if scale_ok else None, m))
    return out


def _slice_panel(panel: Panel, i: int, lo: int, hi: int) -> Panel:
    """Rows ``lo:hi`` of series ``i`` as a one-series Panel."""
    pick = (lambda a: None if a is None else a[lo:hi])  # noqa: E731
    start = lo - int(panel.offsets[i])
    return Panel([panel.ids[i]], [panel.index[i][start : start + hi - lo]],
                 np.array([hi - lo]), pick(panel.target), pick(panel.past), pick(panel.future),
                 panel.freq, panel.roles, take_static(panel.static, [i]))


def _panel_to_frame(panel: Panel) -> pd.DataFrame:
    """A one-series Panel back to a DataFrame indexed by time (for refitting)."""
    roles = panel.roles
    cols = {name: panel.target[:, j] for j, name in enumerate(roles.target)}
    for block, names in ((panel.past, roles.past), (panel.future, roles.future)):
        cols.update({name: block[:, j] for j, name in enumerate(names)})
    if panel.static is not None:  # the series' one row, repeated
        cols.update({name: panel.static[name].iloc[0] for name in panel.static.columns})
    return pd.DataFrame(cols, index=panel.index[0])
