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
from .baselines import NaiveForecaster, SeasonalNaiveForecaster
from .checkpoint import Checkpointing, resume
from .estimators import RNNClassifier, RNNRegressor
from .forecaster import RNNForecaster
from .language_model import CharLanguageModel
from .networks import NetConfig, RNNNetwork
from .reading import read_csv
from .serialize import load
from .text import CharEncoder, TokenEncoder, load_text_csv, load_text_folder
from .windows import batchify, sliding_windows, time_split, window_starts

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
