"""Which runner a forecaster's configuration gets: windows, or stateful streams.

:func:`runner_for` is the one place that branches on ``stateful`` (the Runner contract of
:mod:`tsrnn.forecast.windowed`); :class:`~tsrnn.RNNForecaster` asks it once per call.
"""

from __future__ import annotations

from collections.abc import Mapping

from .stateful import StatefulRunner
from .transforms import WindowTransform
from .windowed import WindowRunner

__all__ = ["runner_for"]


def runner_for(c: Mapping, n_targets: int) -> WindowRunner | StatefulRunner:
    """The runner of the resolved configuration ``c`` for ``n_targets`` target columns."""
    if c["stateful"]:
        return StatefulRunner(lookback=c["lookback"], horizon=c["horizon"], bptt=c["bptt"],
                              batch_size=c["batch_size"])
    lag = (c["season"] or 1) if c["error_scale"] is not None else None
    transform = WindowTransform(n_targets, c["window_norm"], c["season"], lag)
    return WindowRunner(lookback=c["lookback"], horizon=c["horizon"], stride=c["stride"],
                        patch=c["patch"], head=c["head"],
                        bidirectional=c["bidirectional_encoder"], transform=transform)
