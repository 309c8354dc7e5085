"""Forecasting DataFrames: :class:`RNNForecaster` and the parts it is composed of, the baselines,
backtests, saving and loading, checkpoints, data-parallel training, chunked output and the
inputs of an exported ONNX graph.

Names import their module on first use (:mod:`tsrnn._lazy`): the ``tsrnn`` command lists
:data:`FORECAST_HEADS` and asks :func:`launched` before torch loads.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .auto import AUTO_PARAMS, describe, season_of
    from .backtesting import BacktestResult, backtest, origins_of
    from .baselines import NaiveForecaster, SeasonalNaiveForecaster
    from .checkpoint import Checkpointing, checkpoint_info
    from .choices import FORECAST_HEADS, MISSING
    from .chunked import TableWriter, predict_to_file
    from .conformal import DEFAULT_LEVELS, Conformal
    from .forecaster import RNNForecaster
    from .loading import load, resume
    from .onnx_feeds import onnx_inputs
    from .safety import lost, smape_unfair
    from .torchrun import launched

__getattr__, __dir__ = lazy_exports(__name__, {
    **dict.fromkeys(["AUTO_PARAMS", "describe", "season_of"], ".auto"),
    **dict.fromkeys(["BacktestResult", "backtest", "origins_of"], ".backtesting"),
    **dict.fromkeys(["NaiveForecaster", "SeasonalNaiveForecaster"], ".baselines"),
    **dict.fromkeys(["Checkpointing", "checkpoint_info"], ".checkpoint"),
    **dict.fromkeys(["FORECAST_HEADS", "MISSING"], ".choices"),
    **dict.fromkeys(["TableWriter", "predict_to_file"], ".chunked"),
    **dict.fromkeys(["DEFAULT_LEVELS", "Conformal"], ".conformal"),
    "RNNForecaster": ".forecaster",
    "onnx_inputs": ".onnx_feeds",
    **dict.fromkeys(["lost", "smape_unfair"], ".safety"),
    **dict.fromkeys(["load", "resume"], ".loading"),
    "launched": ".torchrun",
}, submodules=("distributed",))

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
    "launched",
    "load",
    "lost",
    "smape_unfair",
    "onnx_inputs",
    "origins_of",
    "predict_to_file",
    "resume",
    "season_of",
]
