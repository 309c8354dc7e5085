"""Figures for forecasts, backtests, training curves and confusion matrices.

matplotlib is imported inside the functions, so ``import tsrnn`` never pays for it. Every
function builds a :class:`matplotlib.figure.Figure` directly (no pyplot state, nothing is ever
shown), which works under any backend, including ``Agg`` on a headless server. Write figures
with :func:`save_figure`, atomically.
"""

from ._figures import save_figure
from .classification import plot_confusion
from .forecast import plot_backtest, plot_forecast
from .training import plot_history

__all__ = ["plot_forecast", "plot_history", "plot_backtest", "plot_confusion", "save_figure"]
