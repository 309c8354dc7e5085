"""scikit-learn estimators over sequences and text: :class:`RNNRegressor`,
:class:`RNNClassifier` and :class:`CharLanguageModel` (the shared training machinery is in
:mod:`tsrnn.estimators.base`)."""

from .language_model import CharLanguageModel
from .sequence import RNNClassifier, RNNRegressor

__all__ = ["CharLanguageModel", "RNNClassifier", "RNNRegressor"]
