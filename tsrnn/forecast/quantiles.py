"""Quantile forecasts: the probabilistic half of :class:`~tsrnn.RNNForecaster` (a mixin).

With ``quantiles=[0.05, 0.5, 0.95]`` one network emits every level of every horizon step and
target at once (outputs ``(B, S, K, Q)``), trained with the pinball loss on all levels
(:func:`tsrnn.nn.loop.pinball_loss`). The levels never cross: the network predicts the level
nearest 0.5 and adds (subtracts) softplus increments for each level above (below) it
(:func:`tsrnn.nn.networks.monotone_quantiles`); un-normalising (``window_norm``, the per-series
scaler) multiplies by a positive scale and adds a level, so the order and the widths survive.

``predict()`` returns the point forecast: the 0.5 level, or the level nearest 0.5 (the one
the network anchors on). :meth:`QuantileMixin.predict_quantiles` returns the levels as columns
``{target}_q{level}``.

``error_scale="mase"`` divides each training window's targets by the window's own mean absolute
seasonal difference (:func:`window_spread`) and multiplies the outputs back at prediction. With
``window_norm="standard"`` alone, the network must learn from the window how predictable each
series is; a regular series with a large daily swing then gets the same intervals, in units of
its standard deviation, as a noisy one (on M4 Hourly: intervals ~3x too wide, MSIS 3x seasonal
naive's). In MASE units a constant width is already the seasonal-naive interval.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from .._validation import ConfigError, check_choice, check_positive_int
from ..metrics.intervals import check_levels, level_name, point_level
from ..nn.loop import QUANTILE_LOSS

__all__ = ["QuantileMixin", "quantile_columns", "window_spread"]

#: Smallest error scale of a window (in the units the network sees), so exactly periodic
#: windows do not blow the targets up.
MIN_SPREAD = 0.05


def window_spread(x_targets: torch.Tensor, lag: int) -> torch.Tensor:
    """Each window's mean absolute difference at ``lag`` (its in-sample seasonal-naive MAE, the
    MASE scale), at least :data:`MIN_SPREAD`: ``(B, L, K) -> (B, 1, K)``."""
    diff = x_targets[:, lag:] - x_targets[:, :-lag]  # (B, L - lag, K)
    return diff.abs().mean(dim=1, keepdim=True).clamp_min(MIN_SPREAD)


class _ErrorScaled:
    """Training windows whose targets are divided by :func:`window_spread` of their inputs."""

    def __init__(self, data, lag: int):
        self.data, self.lag = data, lag

    def __len__(self) -> int:
        return len(self.data)

    def to(self, device):
        return _ErrorScaled(self.data.to(device), self.lag)

    def batch(self, index):
        batch = self.data.batch(index)
        spread = window_spread(batch.x[..., : self.data.n_targets], self.lag)  # (B, 1, K)
        return batch._replace(y=batch.y / spread)


def quantile_columns(targets, levels) -> list[str]:
    """Column names of quantile forecasts, target-major: ``y_q0.05, y_q0.5, ..., z_q0.05``."""
    return [f"{t}_{level_name(q)}" for t in targets for q in levels]


class QuantileMixin:
    """Quantile parameters, training hooks and :meth:`predict_quantiles` (see module docs)."""

    # -- parameters and training hooks -----------------------------------------------------------

    def _levels(self) -> tuple[float, ...]:
        """The validated ``quantiles`` parameter, sorted (``()`` for point forecasts)."""
        return () if self.quantiles is None else check_levels(self.quantiles)

    def _check_quantile_params(self) -> None:
        """Check ``quantiles`` and ``error_scale`` against the other parameters (in ``fit``)."""
        self._check_error_scale()
        if self.quantiles is None:
            return
        self._levels()
        if self.loss != "mae":
            raise ConfigError(f"loss={self.loss!r} does not combine with quantiles (they train "
                              "with the pinball loss); leave loss='mae'")
        if self.head == "recursive":
            raise ConfigError("head='recursive' feeds back one value per step, so its quantiles "
                              "would ignore the uncertainty of earlier steps; use "
                              "head='direct' or 'seq2seq' with quantiles")

    def _check_error_scale(self) -> None:
        check_choice("error_scale", self.error_scale, (None, "mase"))
        if self.error_scale is None:
            return
        lag = self.season or 1
        if self.stateful:
            raise ConfigError("error_scale='mase' scales windows; a stateful model has none: "
                              "use error_scale=None with stateful=True")
        if check_positive_int("lookback", self.lookback) <= lag:
            raise ConfigError(f"error_scale='mase' compares each window with itself {lag} "
                              f"step(s) back, so it needs lookback > {lag}; got lookback "
                              f"{self.lookback}")

    def _error_scaled(self, data):
        """``data`` (training windows), with targets in MASE units if ``error_scale``."""
        return data if self.error_scale is None else _ErrorScaled(data, self.season or 1)

    def _spread(self, x_targets: torch.Tensor) -> torch.Tensor:
        """The scale the outputs are multiplied back by (see :func:`window_spread`)."""
        return window_spread(x_targets, self.season or 1)

    def _net_config(self, **dims):
        return super()._net_config(quantiles=self._levels(), **dims)

    def _train_config(self, loss: str, epochs: int, seed):
        config = super()._train_config(loss, epochs, seed)
        levels = self._levels()
        return replace(config, loss=QUANTILE_LOSS, quantiles=levels) if levels else config

    @property
    def quantiles_(self) -> tuple[float, ...]:
        """The fitted quantile levels (``()`` for a point forecaster)."""
        return self.network_.cfg.quantiles

    # -- arrays ----------------------------------------------------------------------------------

    def _point(self, values: np.ndarray) -> np.ndarray:
        """Point forecasts ``(n, h, K)`` from outputs ``(n, h, K)`` or ``(n, h, K, Q)``."""
        if values.ndim == 3:
            return values
        return values[..., point_level(self.quantiles_)]

    @staticmethod
    def _per_value(stat, like):
        """Broadcast per-target statistics ``(n, 1, K)`` over quantile outputs ``(..., K, Q)``."""
        return stat[..., None] if like.ndim == 4 else stat

    def _level_index(self, levels) -> list[int]:
        """Positions of the asked ``levels`` among the fitted ones; ConfigError if untrained."""
        fitted = self.quantiles_
        if not fitted:
            raise ConfigError("this model was fitted without quantiles; refit with e.g. "
                              "quantiles=[0.05, 0.5, 0.95] to forecast intervals")
        if levels is None:
            return list(range(len(fitted)))
        out = []
        for q in check_levels(levels, "levels"):
            match = [i for i, f in enumerate(fitted) if abs(f - q) < 1e-9]
            if not match:
                raise ConfigError(f"level {q:g} was not trained; this model has the levels "
                                  f"{', '.join(f'{f:g}' for f in fitted)}")
            out.append(match[0])
        return out

    # -- public API ------------------------------------------------------------------------------

    def predict_quantiles(self, data=None, horizon=None, future_covariates=None,
                          levels=None) -> pd.DataFrame:
        """Quantile forecasts ``horizon`` steps after the training data (or after ``data``).

        Parameters
        ----------
        data, future_covariates :
            As for :meth:`predict`.
        horizon : int, default=None
            Steps to forecast, at most the fitted horizon (rolling the model forward would feed
            back point forecasts and understate the uncertainty of the later steps).
        levels : sequence of float, default=None
            Levels to return, each one of the fitted ``quantiles`` (default: all of them).

        Returns
        -------
        DataFrame
            On the future timestamps, one column ``{target}_q{level}`` per target and level
            (e.g. ``load_q0.05``), plus the id column for many series.
        """
        self._check_fitted()
        index = self._level_index(levels)
        horizon = check_positive_int("horizon", horizon or self.horizon)
        if horizon > self.horizon:
            raise ConfigError(f"quantile forecasts reach at most the fitted horizon "
                              f"{self.horizon}; got horizon={horizon}: refit with "
                              f"horizon={horizon}")
        ids, last, values = self._predict_values(data, horizon, future_covariates)
        values = values[..., index]  # (S, h, K, Q) -> (S, h, K, Q') in the asked order
        flat = values.reshape(*values.shape[:2], -1)  # -> (S, h, K*Q'), target-major
        names = quantile_columns(self.target_names_, [self.quantiles_[i] for i in index])
        return self._frame(ids, last, flat, columns=names)
