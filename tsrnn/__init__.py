"""tsrnn: time-series forecasting with recurrent neural nets (RNN, LSTM, GRU) on PyTorch."""

from ._validation import (
    ConfigError,
    DataError,
    MissingValuesError,
    ModelFileError,
    NotFittedError,
    TrainingError,
    TsrnnError,
)
from .data import batchify, sliding_windows, time_split, window_starts
from .estimators import CharLanguageModel, RNNClassifier, RNNRegressor
from .forecast import (
    Checkpointing,
    NaiveForecaster,
    RNNForecaster,
    SeasonalNaiveForecaster,
    load,
    resume,
)
from .io import read_csv
from .nn import NetConfig, RNNNetwork
from .text import CharEncoder, TokenEncoder, load_text_csv, load_text_folder

__version__ = "0.1.0"

__all__ = [
    "CharEncoder",
    "CharLanguageModel",
    "TokenEncoder",
    "load_text_csv",
    "load_text_folder",
    "Checkpointing",
    "ConfigError",
    "DataError",
    "MissingValuesError",
    "ModelFileError",
    "NaiveForecaster",
    "NetConfig",
    "NotFittedError",
    "RNNClassifier",
    "RNNForecaster",
    "RNNNetwork",
    "RNNRegressor",
    "SeasonalNaiveForecaster",
    "TrainingError",
    "TsrnnError",
    "__version__",
    "batchify",
    "load",
    "read_csv",
    "resume",
    "sliding_windows",
    "time_split",
    "window_starts",
]
