"""Forecasting DataFrames: :class:`RNNForecaster` and the parts it is composed of, the baselines,
backtests, saving and loading, checkpoints, data-parallel training, chunked output and the
inputs of an exported ONNX graph."""

from .auto import AUTO_PARAMS, describe, season_of
from .backtest import BacktestResult, backtest, origins_of
from .baselines import NaiveForecaster, SeasonalNaiveForecaster
from .checkpoint import Checkpointing, checkpoint_info, resume
from .chunked import TableWriter, predict_to_file
from .conformal import DEFAULT_LEVELS, Conformal
from .forecaster import RNNForecaster
from .missing import MISSING
from .onnx_inputs import onnx_inputs
from .params import FORECAST_HEADS
from .safety import lost, smape_unfair
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
    "smape_unfair",
    "onnx_inputs",
    "origins_of",
    "predict_to_file",
    "resume",
    "season_of",
]
