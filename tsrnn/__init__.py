"""tsrnn: time-series forecasting with recurrent neural nets (RNN, LSTM, GRU) on PyTorch."""

from ._validation import ConfigError, DataError, ModelFileError, TrainingError, TsrnnError
from .estimators import RNNClassifier, RNNRegressor
from .forecaster import RNNForecaster
from .networks import NetConfig, RNNNetwork
from .windows import batchify, sliding_windows, time_split, window_starts

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "ModelFileError",
    "NetConfig",
    "RNNClassifier",
    "RNNForecaster",
    "RNNNetwork",
    "RNNRegressor",
    "TrainingError",
    "TsrnnError",
    "__version__",
    "batchify",
    "sliding_windows",
    "time_split",
    "window_starts",
]
