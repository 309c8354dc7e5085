"""tsrnn: time-series forecasting with recurrent neural nets (RNN, LSTM, GRU) on PyTorch.

The errors import at once; every other name imports its module on first use
(:mod:`tsrnn._lazy`), so ``import tsrnn`` costs no torch or scikit-learn until a model is made.
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._validation import (
    ConfigError,
    DataError,
    MissingValuesError,
    ModelFileError,
    TrainingError,
    TsrnnError,
)

if TYPE_CHECKING:
    from ._fitted import NotFittedError
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

__getattr__, __dir__ = lazy_exports(__name__, {
    "NotFittedError": "._fitted",
    **dict.fromkeys(["batchify", "sliding_windows", "time_split", "window_starts"], ".data"),
    **dict.fromkeys(["CharLanguageModel", "RNNClassifier", "RNNRegressor"], ".estimators"),
    **dict.fromkeys(["Checkpointing", "NaiveForecaster", "RNNForecaster",
                     "SeasonalNaiveForecaster", "load", "resume"], ".forecast"),
    "read_csv": ".io",
    **dict.fromkeys(["NetConfig", "RNNNetwork"], ".nn"),
    **dict.fromkeys(["CharEncoder", "TokenEncoder", "load_text_csv", "load_text_folder"],
                    ".text"),
}, submodules=("cli", "data", "datasets", "estimators", "forecast", "io", "metrics", "nn",
               "plotting", "sktime", "text"))

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
