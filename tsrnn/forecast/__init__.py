"""Forecasting DataFrames: :class:`RNNForecaster` and the parts it is composed of, the baselines,
backtests, saving and loading, checkpoints, data-parallel training and chunked output."""

from .auto import AUTO_PARAMS, describe, season_of
from .backtest import BacktestResult, backtest, origins_of
from .baselines import NaiveForecaster, SeasonalNaiveForecaster
from .checkpoint import Checkpointing, checkpoint_info, resume
from .chunked import TableWriter, predict_to_file
from .conformal import DEFAULT_LEVELS, Conformal
from .forecaster import RNNForecaster
from .missing import MISSING
from .params import FORECAST_HEADS
from .safety import lost
from .serialize import load

__all__ = [
    "AUTO_PARAMS",
    "DEFAULT_LEVELS",
    "FORECAST_HEADS",
    "MISSING",
    "BacktestResult",
    "Checkpointing",
    "Conformal",
    "NaiveForecaster",
    "RNNForecaster",
    "SeasonalNaiveForecaster",
    "TableWriter",
    "backtest",
    "checkpoint_info",
    "describe",
    "load",
    "lost",
    "origins_of",
    "predict_to_file",
    "resume",
    "season_of",
]
