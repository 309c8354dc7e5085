"""Which runner a forecaster's configuration gets: windows, or stateful streams.

:func:`runner_for` is the one place that branches on ``stateful`` (the Runner contract of
:mod:`tsrnn.forecast.windowed`); :class:`~tsrnn.RNNForecaster` asks it once per call.
"""

from __future__ import annotations

from collections.abc import Mapping

from .missing import window_transform
from .stateful import StatefulRunner
from .windowed import WindowRunner

__all__ = ["runner_for"]


def runner_for(c: Mapping, n_targets: int, n_past: int) -> WindowRunner | StatefulRunner:
    """The runner of the resolved configuration ``c`` for ``n_targets`` target columns and
    ``n_past`` past covariates (the window transform masks their gaps, with
    ``missing="mask"``)."""
    if c["stateful"]:
        return StatefulRunner(lookback=c["lookback"], horizon=c["horizon"], bptt=c["bptt"],
                              batch_size=c["batch_size"])
    transform = window_transform(c, n_targets, n_past)
    return WindowRunner(lookback=c["lookback"], horizon=c["horizon"], stride=c["stride"],
                        patch=c["patch"], head=c["head"],
                        bidirectional=c["bidirectional_encoder"], transform=transform)
