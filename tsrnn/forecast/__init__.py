"""Forecasting DataFrames: :class:`RNNForecaster` and the parts it is composed of, the baselines,
backtests, saving and loading, checkpoints, data-parallel training and chunked output."""

from .backtest import BacktestResult, backtest, origins_of
from .baselines import NaiveForecaster, SeasonalNaiveForecaster
from .checkpoint import Checkpointing, checkpoint_info, resume
from .chunked import TableWriter, predict_to_file
from .forecaster import RNNForecaster
from .params import FORECAST_HEADS
from .serialize import load

__all__ = [
    "FORECAST_HEADS",
    "BacktestResult",
    "Checkpointing",
    "NaiveForecaster",
    "RNNForecaster",
    "SeasonalNaiveForecaster",
    "TableWriter",
    "backtest",
    "checkpoint_info",
    "load",
    "origins_of",
    "predict_to_file",
    "resume",
]
