"""What the network sees of a window, and how its outputs map back: one implementation used by
training, prediction, backtests and quantiles alike (torch).

A window's target channels ``x[..., :K]`` (already scaled per series) are

1. normalised by the window's own statistics (``window_norm``: its mean or last value, and with
   ``"standard"`` its standard deviation);
2. the targets become residuals from the window's seasonal-naive forecast (``season``);
3. the targets are divided by the window's own mean absolute seasonal difference
   (``error_scale="mase"``, see :func:`window_spread`).

:meth:`WindowTransform.__call__` applies these to training batches ``(x, y)``;
:meth:`WindowTransform.inputs` applies step 1 to prediction windows and
:meth:`WindowTransform.outputs` undoes 3, 2 and 1 on the network's outputs, which may be
quantiles ``(B, S, K, Q)``: every inverse multiplies by a positive scale and adds a level, so
quantile levels never cross.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = [
    "MIN_SPREAD",
    "WINDOW_NORMS",
    "WindowStats",
    "WindowTransform",
    "per_value",
    "seasonal_base",
    "window_spread",
    "window_stats",
]

WINDOW_NORMS = (None, "mean", "last", "standard")

#: Smallest error scale of a window (in the units the network sees), so exactly periodic
#: windows do not blow the targets up.
MIN_SPREAD = 0.05


def window_stats(x_targets: torch.Tensor, how: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Level and scale of each window's targets, ``(B, L, K) -> (B, 1, K), (B, 1, K)``.

    ``"mean"``/``"last"``: the mean or last value, scale 1; ``"standard"``: the mean and the
    standard deviation (at least 0.1, in units of the per-series scaler, so flat windows do not
    blow up).
    """
    if how == "last":
        level = x_targets[:, -1:]
    else:
        level = x_targets.mean(dim=1, keepdim=True)
    if how == "standard":
        return level, x_targets.std(dim=1, keepdim=True).clamp_min(0.1)
    return level, torch.ones_like(level)


def seasonal_base(x_targets: torch.Tensor, season: int, steps: int) -> torch.Tensor:
    """The seasonal-naive forecast of each window: its last season repeated,
    ``(B, L, K) -> (B, steps, K)``."""
    lookback = x_targets.shape[1]
    index = lookback - season + torch.arange(steps, device=x_targets.device) % season
    return x_targets[:, index]


def window_spread(x_targets: torch.Tensor, lag: int) -> torch.Tensor:
    """Each window's mean absolute difference at ``lag`` (its in-sample seasonal-naive MAE, the
    MASE scale), at least :data:`MIN_SPREAD`: ``(B, L, K) -> (B, 1, K)``."""
    diff = x_targets[:, lag:] - x_targets[:, :-lag]  # (B, L - lag, K)
    return diff.abs().mean(dim=1, keepdim=True).clamp_min(MIN_SPREAD)


def per_value(stat, like):
    """Broadcast per-target statistics ``(n, 1, K)`` over quantile outputs ``(..., K, Q)``
    (unchanged for point outputs ``(..., K)``); torch tensors or numpy arrays."""
    return stat[..., None] if like.ndim == 4 else stat


class WindowStats(NamedTuple):
    """What :meth:`WindowTransform.outputs` needs of the normalised inputs: the windows the
    network saw (``(B, L, C)``) and the level and scale taken out (``(B, 1, K)`` each, None
    without ``window_norm``)."""

    x: torch.Tensor
    level: torch.Tensor | None
    scale: torch.Tensor | None


class WindowTransform:
    """Window normalisation, seasonal residual and error scale, and their inverses.

    Parameters
    ----------
    n_targets : int
        Target channels, the first ``n_targets`` of every window.
    window_norm : {None, "mean", "last", "standard"}, default=None
        See :func:`window_stats`.
    season : int or None, default=None
        Season length of the seasonal-naive residual (None: none).
    error_lag : int or None, default=None
        Lag of :func:`window_spread` dividing the targets (None: no error scale).
    """

    extra_channels = 0  # channels added to the windows' own (see forecast.missing)

    def __init__(self, n_targets: int, window_norm: str | None = None, season: int | None = None,
                 error_lag: int | None = None):
        self.k, self.window_norm, self.season, self.error_lag = (n_targets, window_norm, season,
                                                                 error_lag)

    def inputs(self, x: torch.Tensor) -> WindowStats:
        """Windows ``(B, L, C)`` with their target channels normalised (step 1)."""
        k = self.k
        if self.window_norm is None:
            return WindowStats(x, None, None)
        level, scale = window_stats(x[..., :k], self.window_norm)  # (B, 1, K) each
        x = torch.cat([(x[..., :k] - level) / scale, x[..., k:]], dim=-1)
        return WindowStats(x, level, scale)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A training batch as the network learns it: inputs and targets ``(B, H, K)``."""
        x, level, scale = self.inputs(x)
        if level is not None:
            y = (y - level) / scale
        if self.season is not None:
            y = y - seasonal_base(x[..., : self.k], self.season, y.shape[1])
        if self.error_lag is not None:
            y = y / window_spread(x[..., : self.k], self.error_lag)  # (B, 1, K)
        return x, y

    def outputs(self, y: torch.Tensor, stats: WindowStats) -> torch.Tensor:
        """Network outputs ``(B, S, K)`` or quantiles ``(B, S, K, Q)`` back in the scaled units
        of the inputs (the inverse of :meth:`__call__`'s target steps)."""
        x = stats.x[..., : self.k]
        if self.error_lag is not None:
            y = y * per_value(window_spread(x, self.error_lag), y)
        if self.season is not None:
            y = y + per_value(seasonal_base(x, self.season, y.shape[1]), y)
        if stats.level is None:
            return y
        return y * per_value(stats.scale, y) + per_value(stats.level, y)  # scale > 0: no crossing
