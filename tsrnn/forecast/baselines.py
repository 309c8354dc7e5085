"""Baseline forecasters with the API of :class:`~tsrnn.RNNForecaster`: naive and seasonal naive.

A forecast that does not beat these on held-out data is not worth its training time.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import DataError, check_fitted, check_positive_int
from .backtest import ForecasterMixin

__all__ = ["NaiveForecaster", "SeasonalNaiveForecaster"]


class SeasonalNaiveForecaster(ForecasterMixin, BaseEstimator):
    """Repeat the last season: ``y[T + h] = y[T + h - m * ceil(h / m)]``.

    Parameters
    ----------
    m : int, default=1
        Season length in steps (24 for hourly data with a daily cycle); 1 is the naive forecast.
    horizon : int, default=1
        Default number of steps to forecast.
    target, time_col, id_col, freq :
        Column roles, as for :class:`~tsrnn.RNNForecaster`.
    """

    def __init__(self, m=1, horizon=1, *, target=None, time_col=None, id_col=None, freq=None):
        self.m = m
        self.horizon = horizon
        self.target = target
        self.time_col = time_col
        self.id_col = id_col
        self.freq = freq

    past_covariates = None
    future_covariates = None

    def _min_history(self) -> int:
        return self.m

    def _check_fitted(self) -> None:
        check_fitted(self, "context_")

    def fit(self, data):
        """Remember the last season of every series; returns self."""
        check_positive_int("m", self.m)
        check_positive_int("horizon", self.horizon)
        panel = self._read(data, reset=True)
        self.ids_ = list(panel.ids)
        self.context_ = self._last_season(panel)
        return self

    def _last_season(self, panel) -> dict:
        for i, n in enumerate(panel.lengths):
            if n < self.m:
                raise DataError(f"series {panel.ids[i]!r} has {n} rows; a season of m={self.m} "
                                "needs at least that many")
        ends = panel.offsets[1:]
        rows = ends[:, None] - self.m + np.arange(self.m)
        return {"target": panel.target[rows].astype(np.float64),  # (S, m, K)
                "index": [ix[-self.m:] for ix in panel.index]}

    def _repeat(self, season: np.ndarray, horizon: int) -> np.ndarray:
        """``(S, m, K)`` last seasons -> ``(S, horizon, K)`` forecasts."""
        return season[:, np.arange(horizon) % self.m]

    def predict(self, data=None, horizon=None):
        """Forecast ``horizon`` steps after the training data (or after ``data``)."""
        self._check_fitted()
        horizon = check_positive_int("horizon", self.horizon if horizon is None else horizon)
        if data is None:
            ctx, ids = self.context_, self.ids_
        else:
            panel = self._read(data, reset=False)
            ctx, ids = self._last_season(panel), panel.ids
        return self._frame(ids, ctx["index"], self._repeat(ctx["target"], horizon))

    def _forecast_origins(self, panel, origins, horizon) -> np.ndarray:
        out = []
        for i, origin in enumerate(origins):
            off = int(panel.offsets[i])
            for o in origin:
                season = panel.target[off + int(o) - self.m : off + int(o)].astype(np.float64)
                out.append(self._repeat(season[None], horizon)[0])
        return np.stack(out)


class NaiveForecaster(SeasonalNaiveForecaster):
    """Repeat the last observed value (seasonal naive with ``m=1``)."""

    def __init__(self, horizon=1, *, target=None, time_col=None, id_col=None, freq=None):
        super().__init__(m=1, horizon=horizon, target=target, time_col=time_col, id_col=id_col,
                         freq=freq)
