"""``RNNRegressor``: a recurrent network regressing values from sequences (sklearn API)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_array

from .._paramdocs import documented
from .._validation import DataError, check_choice
from ..nn import LOSSES
from .sequence import COMMON_DOC, SequenceEstimator, signature_with

__all__ = ["RNNRegressor"]


@documented
class RNNRegressor(RegressorMixin, SequenceEstimator):
    __doc__ = f"""Recurrent-network regressor on sequences (seq-to-one, multi-step, per-step).

    Inputs (``scale_inputs``) and targets are standardised internally and predictions mapped
    back; with the default ``epochs="auto"`` the number of passes follows the data size.

    Parameters
    ----------
    loss : {{"mse", "mae", "huber"}}, default="mse"
        Training loss.{COMMON_DOC}

    Attributes
    ----------
    network_ : RNNNetwork
        The trained network.
    history_ : list of dict
        Loss per epoch (``train_loss``, ``val_loss`` with early stopping, ``seconds``).
    n_features_in_ : int
        Steps per input sequence (sklearn counts the second axis of X).
    n_step_features_ : int
        Features per step.
    epochs_ : int
        Passes the last ``fit`` was given (``epochs``, or what ``"auto"`` resolved to);
        ``n_epochs_`` counts those run (fewer after early stopping).
    x_mean_, x_scale_ : ndarray of shape (n_step_features_,) or None
        Input standardisation (None when ``scale_inputs`` is off or X holds token ids).
    y_mean_, y_scale_ : ndarray
        Target standardisation, per output.
    """

    def __init__(self, *, loss="mse", **params):
        self.loss = loss
        super().__init__(**params)

    # the shared parameters are declared once, in SequenceEstimator; sklearn reads this
    __init__.__signature__ = signature_with(SequenceEstimator.__init__, loss="mse")

    def _loss_name(self) -> str:
        return check_choice("loss", self.loss, [name for name in LOSSES if name != "cross_entropy"])

    def _prepare_y(self, X, y, lengths, reset: bool, classes=None) -> torch.Tensor:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None")
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float32,
                        input_name="y")
        if len(y) != len(X):
            raise DataError(f"X has {len(X)} samples but y has {len(y)}")
        y3 = y.reshape(len(y), *(y.shape[1:] or (1,)), *((1,) if y.ndim <= 2 else ()))
        if reset:
            self.y_shape_ = tuple(y.shape[1:])
            self.y_mean_ = y3.mean(axis=(0, 1))
            self.y_scale_ = np.where(y3.std(axis=(0, 1)) > 0, y3.std(axis=(0, 1)), 1.0)
        elif tuple(y.shape[1:]) != self.y_shape_:
            raise DataError(f"y has shape {y.shape[1:]} per sample, but the model was fitted "
                            f"on {self.y_shape_}")
        scaled = (y3 - self.y_mean_) / self.y_scale_  # (n, S, O)
        return torch.as_tensor(scaled.astype(np.float32), device=self._device())

    def _output_dims(self, y_t: torch.Tensor) -> dict:
        return {"output_size": y_t.shape[2], "feedback": "value"}

    def partial_fit(self, X, y):
        """One more epoch over ``(X, y)``; the first call builds the network."""
        return self._fit(X, y, 1, reset=not hasattr(self, "network_"))

    def predict(self, X):
        """Predicted values, shaped like ``y`` was in ``fit``: (n,), (n, S) or (n, S, O)."""
        out = self._predict_raw(X).numpy().astype(np.float64)  # (n, S, O)
        out = out * self.y_scale_ + self.y_mean_
        return out.reshape(len(out), *self.y_shape_)


