"""scikit-learn estimators over sequences and text: :class:`RNNRegressor`,
:class:`RNNClassifier` and :class:`CharLanguageModel` (the shared training machinery is in
:mod:`tsrnn.estimators.base`)."""

from .classifier import RNNClassifier
from .language_model import CharLanguageModel
from .regressor import RNNRegressor

__all__ = ["CharLanguageModel", "RNNClassifier", "RNNRegressor"]
