"""Baseline forecasters with the API of :class:`~tsrnn.RNNForecaster`: naive and seasonal naive.

A forecast that does not beat these on held-out data is not worth its training time. The
forecasts themselves come from :func:`tsrnn.metrics.seasonal_naive_forecast`, the one
implementation of seasonal naive. A history with gaps (NaN) has them interpolated before its
last season is repeated.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from .._fitted import check_fitted
from .._paramdocs import documented
from .._validation import DataError, check_positive_int
from ..data import future_frame, read_like, to_panel
from ..data.checks import series_label
from ..data.missing import interpolate_gaps
from ..metrics import seasonal_naive_forecast
from .backtesting import backtest

__all__ = ["NaiveForecaster", "SeasonalNaiveForecaster"]


@documented
class SeasonalNaiveForecaster(BaseEstimator):
    """Repeat the last season: ``y[T + h] = y[T + h - m * ceil(h / m)]``.

    Parameters
    ----------
    m : int, default=1
        Season length in steps (24 for hourly data with a daily cycle); 1 is the naive forecast.
    horizon : int, default=1
        Default number of steps to forecast.
    [[target]]
    [[time_col]]
    [[id_col]]
    [[freq]]
    """

    def __init__(self, m=1, horizon=1, *, target=None, time_col=None, id_col=None, freq=None):
        self.m = m
        self.horizon = horizon
        self.target = target
        self.time_col = time_col
        self.id_col = id_col
        self.freq = freq

    #: A baseline forecasts points only (the contract of :mod:`tsrnn.forecast.backtesting`).
    quantiles_ = ()

    def _min_history(self) -> int:
        return self.m

    def _check_fitted(self) -> None:
        check_fitted(self, "context_")

    def fit(self, data):
        """Remember the last season of every series; returns self."""
        check_positive_int("m", self.m)
        check_positive_int("horizon", self.horizon)
        panel = to_panel(data, target=self.target, time_col=self.time_col, id_col=self.id_col,
                         freq=self.freq, allow_nan=True)  # gaps: see _season_before
        self.roles_, self.freq_ = panel.roles, panel.freq
        self.target_names_ = list(panel.roles.target)
        self.ids_ = list(panel.ids)
        self.context_ = self._last_season(panel)
        return self

    def _last_season(self, panel) -> dict:
        for i, n in enumerate(panel.lengths):
            if n < self.m:
                raise DataError(f"{series_label(panel.ids[i])} has {n} rows; a season of "
                                f"m={self.m} needs at least that many")
        seasons = [_season_before(panel.target[panel.series(i)], self.m)
                   for i in range(panel.n_series)]
        return {"target": np.stack(seasons),  # (S, m, K)
                "index": [ix[-self.m:] for ix in panel.index]}

    def _repeat(self, seasons: np.ndarray, horizon: int) -> np.ndarray:
        """``(S, m, K)`` last seasons -> ``(S, horizon, K)`` forecasts."""
        return np.stack([np.stack([seasonal_naive_forecast(season[:, j], horizon, self.m)
                                   for j in range(season.shape[1])], axis=1)
                         for season in seasons])

    def predict(self, data=None, horizon=None):
        """Forecast ``horizon`` steps after the training data (or after ``data``)."""
        self._check_fitted()
        horizon = check_positive_int("horizon", self.horizon if horizon is None else horizon)
        if data is None:
            ctx, ids = self.context_, self.ids_
        else:
            panel = read_like(data, self.roles_, self.freq_, allow_nan=True)
            ctx, ids = self._last_season(panel), panel.ids
        values = self._repeat(ctx["target"], horizon)
        return future_frame(ids, ctx["index"], values, self.roles_, self.freq_,
                            self.target_names_)

    def backtest(self, data, start=0.5, stride=None, horizon=None, refit=False, m=1,
                 static=None):
        """Forecast from many origins of ``data`` and score each forecast against the actuals
        (see :meth:`tsrnn.RNNForecaster.backtest`)."""
        return backtest(self, data, start, stride, horizon, refit, m, static)

    def _forecast_origins(self, panel, origins, horizon) -> np.ndarray:
        out = []
        for i, origin in enumerate(origins):
            off = int(panel.offsets[i])
            for o in origin:
                season = _season_before(panel.target[off : off + int(o)], self.m)
                out.append(self._repeat(season[None], horizon)[0])
        return np.stack(out)


def _season_before(history: np.ndarray, m: int) -> np.ndarray:
    """The last ``m`` rows ``(m, K)`` of a raw ``history`` ``(T, K)``, its gaps interpolated
    (:func:`~tsrnn.data.missing.interpolate_gaps`; a history of gaps alone stays NaN)."""
    tail = history[-m:].astype(np.float64)
    if not np.isnan(tail).any():
        return tail
    filled = interpolate_gaps(history)
    return filled[-m:] if len(filled) >= m else tail


class NaiveForecaster(SeasonalNaiveForecaster):
    """Repeat the last observed value (seasonal naive with ``m=1``)."""

    def __init__(self, horizon=1, *, target=None, time_col=None, id_col=None, freq=None):
        super().__init__(m=1, horizon=horizon, target=target, time_col=time_col, id_col=id_col,
                         freq=freq)
