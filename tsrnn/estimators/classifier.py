"""``RNNClassifier``: a recurrent network labelling sequences, or every step of them (sklearn)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from .._paramdocs import documented
from .._validation import ConfigError, DataError
from .base import check_tokens
from .sequence import COMMON_DOC, SequenceEstimator

__all__ = ["RNNClassifier"]


@documented
class RNNClassifier(ClassifierMixin, SequenceEstimator):
    __doc__ = f"""Recurrent-network classifier on sequences (seq-to-label and per-step labels).

    With ``head="last"`` y is one label per sequence; with ``head="per_step"`` y is
    ``(n, L)``, one label per step (entries past a padded sequence's length are ignored);
    with ``head="encoder_decoder"`` y is ``(n, S)``, a label sequence of fixed length.

    Parameters
    ----------{COMMON_DOC}

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    network_ : RNNNetwork
        The trained network.
    history_ : list of dict
        Loss per epoch.
    n_features_in_ : int
        Steps per input sequence.
    epochs_ : int
        Passes the last ``fit`` was given (``epochs``, or what ``"auto"`` resolved to);
        ``n_epochs_`` counts those run (fewer after early stopping).
    x_mean_, x_scale_ : ndarray of shape (n_step_features,) or None
        Input standardisation (None when ``scale_inputs`` is off or X holds token ids).
    """

    def _loss_name(self) -> str:
        return "cross_entropy"

    def _prepare_y(self, X, y, lengths, reset: bool, classes=None) -> torch.Tensor:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = np.asarray(y)
        if self.head == "last" and (y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1)):
            y = column_or_1d(y, warn=True)[:, None]  # (n,) -> (n, 1)
        elif y.ndim != 2:
            raise DataError(f"y must be (n,) or (n, S) labels for head={self.head!r}; "
                            f"got shape {y.shape}")
        if len(y) != len(X):
            raise DataError(f"X has {len(X)} samples but y has {len(y)}")
        valid = np.ones(y.shape, dtype=bool)
        if lengths is not None and self.head == "per_step":
            valid = np.arange(y.shape[1])[None, :] < lengths.numpy()[:, None]  # (n, L)
        labels = y[valid]  # labels past a sequence's length are padding, never classes
        check_classification_targets(labels)
        if reset:
            self.classes_ = np.unique(labels if classes is None else np.asarray(classes))
            self.y_width_ = y.shape[1]
        unknown = np.setdiff1d(np.unique(labels), self.classes_)
        if unknown.size:
            raise DataError(f"y has label(s) {unknown[:5].tolist()} not among the classes "
                            f"{self.classes_.tolist()} seen in the first fit")
        codes = np.full(y.shape, -100, dtype=np.int64)
        codes[valid] = np.searchsorted(self.classes_, labels)
        return torch.as_tensor(codes, device=self._device())

    def _output_dims(self, y_t: torch.Tensor) -> dict:
        if len(self.classes_) < 2:
            raise DataError(f"y has only one class ({self.classes_[0]!r}); a classifier needs "
                            "at least 2 classes")
        return {"output_size": len(self.classes_), "feedback": "onehot"}

    def partial_fit(self, X, y, classes=None):
        """One more epoch over ``(X, y)``; the first call builds the network (pass ``classes``
        there if ``y`` does not show every class)."""
        first = not hasattr(self, "network_")
        if not first and classes is not None and not np.array_equal(np.unique(classes),
                                                                    self.classes_):
            raise ConfigError(f"classes {list(classes)} differ from the first call's "
                              f"{self.classes_.tolist()}")
        return self._fit(X, y, 1, reset=first, classes=classes)

    def predict_proba(self, X):
        """Class probabilities: (n, C) for one label per sequence, else (n, S, C)."""
        proba = torch.softmax(self._predict_raw(X), dim=-1).numpy().astype(np.float64)
        return proba[:, 0] if self.head == "last" and self.y_width_ == 1 else proba

    def predict(self, X):
        """Predicted labels: (n,) for one label per sequence, else (n, S)."""
        codes = self.predict_proba(X).argmax(axis=-1)
        return self.classes_[codes]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy; for label sequences, over every step (padding ignored)."""
        if self.head == "last" and np.ndim(y) == 1:
            return super().score(X, y, sample_weight=sample_weight)
        pred = self.predict(X)
        valid = np.ones(pred.shape, dtype=bool)
        if self._tokens and self.head == "per_step":
            lengths = self._lengths(check_tokens(np.asarray(X)))
            if lengths is not None:
                valid = np.arange(pred.shape[1])[None, :] < lengths.numpy()[:, None]
        return float((pred == np.asarray(y).reshape(pred.shape))[valid].mean())
