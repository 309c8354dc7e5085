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
from .data.windows import batchify, sliding_windows, time_split, window_starts
from .estimators.language_model import CharLanguageModel
from .estimators.sequence import RNNClassifier, RNNRegressor
from .forecast.baselines import NaiveForecaster, SeasonalNaiveForecaster
from .forecast.checkpoint import Checkpointing, resume
from .forecast.forecaster import RNNForecaster
from .forecast.serialize import load
from .io.tables import read_csv
from .nn.networks import NetConfig, RNNNetwork
from .text.encoders import CharEncoder, TokenEncoder, load_text_csv, load_text_folder

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
