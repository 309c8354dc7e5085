"""What a forecaster's network emits: point forecasts, or quantiles of every step and target.

With ``quantiles=[0.05, 0.5, 0.95]`` one network emits every level of every horizon step and
target at once (outputs ``(B, S, K, Q)``), trained with the pinball loss on all levels
(:func:`tsrnn.nn.pinball_loss`). The levels never cross: the network predicts the level nearest
0.5 and adds (subtracts) softplus increments for each level above (below) it
(:func:`tsrnn.nn.monotone_quantiles`); un-normalising (:mod:`tsrnn.forecast.transforms`, the
per-series scaler) multiplies by a positive scale and adds a level, so the order and the widths
survive.

``predict()`` returns the point forecast: the 0.5 level, or the level nearest 0.5 (the one the
network anchors on). ``predict_quantiles()`` returns the levels as columns ``{target}_q{level}``.

``error_scale="mase"`` divides each training window's targets by the window's own mean absolute
seasonal difference (:func:`~tsrnn.forecast.transforms.window_spread`) and multiplies the
outputs back at prediction. With ``window_norm="standard"`` alone, the network must learn from
the window how predictable each series is; a regular series with a large daily swing then gets
the same intervals, in units of its standard deviation, as a noisy one (on M4 Hourly: intervals
~3x too wide, MSIS 3x seasonal naive's). In MASE units a constant width is already the
seasonal-naive interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validation import ConfigError, check_positive_int
from ..metrics.intervals import check_levels, level_name, point_level
from ..nn import QUANTILE_LOSS

__all__ = ["Outputs", "quantile_columns"]


def quantile_columns(targets, levels) -> list[str]:
    """Column names of quantile forecasts, target-major: ``y_q0.05, y_q0.5, ..., z_q0.05``."""
    return [f"{t}_{level_name(q)}" for t in targets for q in levels]


class Outputs:
    """The output levels of a network: ``()`` for point forecasts, else the quantile levels.

    Parameters
    ----------
    levels : sequence of float
        The fitted quantile levels, ascending (empty for a point forecaster).
    """

    def __init__(self, levels: Sequence[float] = ()):
        self.levels = tuple(levels)

    def loss(self, loss: str) -> str:
        """The training loss: the pinball loss for quantiles, else ``loss``."""
        return QUANTILE_LOSS if self.levels else loss

    def point(self, values):
        """Point forecasts ``(n, h, K)`` from outputs ``(n, h, K)`` or ``(n, h, K, Q)``."""
        if values.ndim == 3:
            return values
        return values[..., point_level(self.levels)]

    def index(self, levels) -> list[int]:
        """Positions of the asked ``levels`` among the fitted ones (all for None);
        ConfigError if the model has no quantiles or lacks a level."""
        if not self.levels:
            raise ConfigError("this model was fitted without quantiles; call "
                              "model.calibrate(data) for conformal intervals (no refit), or "
                              "refit with e.g. quantiles=[0.05, 0.5, 0.95]")
        if levels is None:
            return list(range(len(self.levels)))
        out = []
        for q in check_levels(levels, "levels"):
            match = [i for i, f in enumerate(self.levels) if abs(f - q) < 1e-9]
            if not match:
                raise ConfigError(f"level {q:g} was not trained; this model has the levels "
                                  f"{', '.join(f'{f:g}' for f in self.levels)}")
            out.append(match[0])
        return out

    def horizon(self, horizon, fitted: int) -> int:
        """The steps of a quantile forecast: ``horizon`` (None: the fitted one), at most the
        fitted horizon (rolling forward would feed back point forecasts and understate the
        uncertainty of the later steps)."""
        horizon = check_positive_int("horizon", horizon or fitted)
        if horizon > fitted:
            raise ConfigError(f"quantile forecasts reach at most the fitted horizon {fitted}; "
                              f"got horizon={horizon}: refit with horizon={horizon}")
        return horizon

    def columns(self, values: np.ndarray, index: list[int], targets) -> tuple[np.ndarray, list]:
        """Quantiles ``(S, h, K, Q)`` at the levels ``index`` as ``(S, h, K*Q')`` columns,
        target-major, and their names ``{target}_q{level}``."""
        values = values[..., index]  # (S, h, K, Q) -> (S, h, K, Q') in the asked order
        flat = values.reshape(*values.shape[:2], -1)  # -> (S, h, K*Q')
        return flat, quantile_columns(targets, [self.levels[i] for i in index])
