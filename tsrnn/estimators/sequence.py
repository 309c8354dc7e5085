"""What :class:`~tsrnn.RNNRegressor` and :class:`~tsrnn.RNNClassifier` share: their parameters
(declared and documented once), input checks and the fit / partial_fit template.

``X`` is ``(n, L)`` (univariate sequences of length ``L``), ``(n, L, F)``, or, with
``embedding_dim`` set, ``(n, L)`` integer token ids padded with 0 at the end. A subclass adds
``_loss_name()``, ``_prepare_y(...)`` (targets as a tensor) and ``_output_dims(y)``.
"""

from __future__ import annotations

import contextlib
import inspect
import math

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from .._fitted import check_fitted
from .._validation import (
    DataError,
    TsrnnError,
    check_choice,
    check_float,
    check_positive_int,
    check_seed,
)
from ..data import time_split
from ..nn import HEADS, TensorData, predict_batches, resolve_device
from .base import (
    as_tensor,
    build_network,
    check_tokens,
    check_training_params,
    getstate,
    network_config,
    setstate,
    stopping,
    train,
    train_config,
)

__all__ = ["AUTO_EPOCHS", "AUTO_STEPS", "COMMON_DOC", "SequenceEstimator", "auto_epochs",
           "signature_with"]

#: ``epochs="auto"``: passes enough for about this many optimiser steps, ...
AUTO_STEPS = 500
#: ... but never fewer or more passes than these
AUTO_EPOCHS = (10, 100)


def auto_epochs(n_samples: int, batch_size: int) -> int:
    """The passes ``epochs="auto"`` makes over ``n_samples`` sequences in batches of
    ``batch_size``: about :data:`AUTO_STEPS` steps, clipped to :data:`AUTO_EPOCHS`.

    A fixed number of passes under-trains small data sets (200 sequences are 7 steps a pass)
    and over-spends on large ones; a step budget suits both. The upper bound caps the cost
    (and the memorising) on tiny data sets, where each pass is a single step; the lower one
    lets every sample be seen several times on large ones."""
    steps_per_epoch = max(1, math.ceil(n_samples / batch_size))
    low, high = AUTO_EPOCHS
    return min(max(math.ceil(AUTO_STEPS / steps_per_epoch), low), high)


@contextlib.contextmanager
def _input_errors():
    """Re-raise scikit-learn's input-checking ValueErrors (NaN, strings, empty or wrongly shaped
    X, unknown label types) as :class:`DataError` with the same message: still ValueErrors, as
    scikit-learn's rules ask, and TsrnnErrors, as tsrnn promises. TypeErrors pass unchanged."""
    try:
        yield
    except TsrnnError:
        raise
    except ValueError as exc:
        raise DataError(str(exc)) from None

COMMON_DOC = """
    [[cell]]
    [[hidden_size]]
    [[num_layers]]
    [[dropout]]
    bidirectional : bool, default=False
        Read sequences in both directions.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``rnn`` cell.
    head : {"last", "per_step", "encoder_decoder"}, default="last"
        ``last``: one output (or ``y.shape[1]`` outputs) from the final hidden state;
        ``per_step``: an output at every input step (y has one entry per step);
        ``encoder_decoder``: a decoder RNN emits ``y.shape[1]`` steps.
    [[head_hidden]]
    embedding_dim : int or None, default=None
        If set, X holds integer token ids (0 = padding) embedded with this width.
    vocab_size : int or None, default=None
        Number of token ids (default: the largest id seen in ``fit`` plus one).
    epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"`` scales them to the data: enough passes for
        about 500 optimiser steps, at least 10 and at most 100; ``fit`` stores the number in
        ``epochs_``.
    batch_size : int, default=32
        Sequences per optimiser step.
    [[lr]]
    [[weight_decay]]
    [[clip_grad]]
    early_stopping : bool, default=False
        Hold out the most recent ``validation_fraction`` of the samples and stop when their
        loss stops improving (the best weights are restored).
    patience : int, default=10
        Epochs without improvement before early stopping.
    validation_fraction : float, default=0.1
        Share of the (time-ordered) samples held out for early stopping.
    scale_inputs : bool, default=True
        Standardise each input feature by its mean and standard deviation over the training
        samples and steps (stored in ``x_mean_`` and ``x_scale_``, applied again in
        ``predict``), so that raw values of any size reach the network near unit scale.
        Ignored with ``embedding_dim`` (token ids are not scaled).
    [[random_state]]
    [[device]]
    [[verbose]]
    [[max_steps]]
    [[on_divergence]]
    [[lr_schedule]]"""


class SequenceEstimator(BaseEstimator):
    """Input handling and the fit / partial_fit template shared by both estimators."""

    __getstate__ = getstate  # the network travels as state dicts
    __setstate__ = setstate

    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def __init__(self, *, cell="lstm", hidden_size=32, num_layers=1, dropout=0.0,
                 bidirectional=False, nonlinearity="tanh", head="last", head_hidden=0,
                 embedding_dim=None, vocab_size=None, epochs="auto", batch_size=32, lr=5e-3,
                 weight_decay=0.0, clip_grad=1.0, early_stopping=False, patience=10,
                 validation_fraction=0.1, scale_inputs=True, random_state=None, device="auto",
                 verbose=False, max_steps=None, on_divergence="raise", lr_schedule=None):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.nonlinearity = nonlinearity
        self.head = head
        self.head_hidden = head_hidden
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.clip_grad = clip_grad
        self.early_stopping = early_stopping
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.scale_inputs = scale_inputs
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.max_steps = max_steps
        self.on_divergence = on_divergence
        self.lr_schedule = lr_schedule

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = self.head != "last" or isinstance(self, RegressorMixin)
        return tags

    # -- X ---------------------------------------------------------------------------------

    @property
    def _tokens(self) -> bool:
        return self.embedding_dim is not None

    def _check_params(self) -> None:
        params = self.get_params()
        if isinstance(params["epochs"], str) and params["epochs"] == "auto":
            params["epochs"] = 1  # resolved in fit, from the data
        check_training_params(params)
        check_choice("head", self.head, HEADS)
        check_choice("nonlinearity", self.nonlinearity, ("tanh", "relu"))
        if self.early_stopping:
            check_float("validation_fraction", self.validation_fraction, low=0.0, high=1.0,
                        low_inclusive=False, high_inclusive=False)
        if self.embedding_dim is not None:
            check_positive_int("embedding_dim", self.embedding_dim)
        if self.vocab_size is not None:
            check_positive_int("vocab_size", self.vocab_size)

    def _validate_X(self, X, reset: bool) -> np.ndarray:
        X = validate_data(self, X, reset=reset, allow_nd=True,
                          dtype=np.float64 if self._tokens else np.float32)
        if X.ndim == 2 and not self._tokens:
            X = X[:, :, None]  # (n, L) -> (n, L, 1)
        if X.ndim not in (2, 3) or (self._tokens and X.ndim != 2):
            want = "(n, L) token ids" if self._tokens else "(n, L) or (n, L, F)"
            raise DataError(f"X must have shape {want}; got {X.shape}")
        if self._tokens:
            X = check_tokens(X)
        if reset:
            self.n_step_features_ = 0 if self._tokens else X.shape[2]
        elif not self._tokens and X.shape[2] != self.n_step_features_:
            raise DataError(f"X has {X.shape[2]} features per step, but {type(self).__name__} "
                            f"was fitted with {self.n_step_features_}")
        return X

    def _scale_X(self, X: np.ndarray, reset: bool) -> np.ndarray:
        """``X`` standardised per feature with the statistics of the first fit (``reset``
        computes them: over samples and steps; a constant feature keeps scale 1)."""
        if reset:
            self.x_mean_, self.x_scale_ = None, None
            if self.scale_inputs and not self._tokens and X.size:
                flat = X.reshape(-1, X.shape[2]).astype(np.float64)
                std = flat.std(axis=0)
                self.x_mean_ = flat.mean(axis=0).astype(np.float32)
                self.x_scale_ = np.where(std > 0, std, 1.0).astype(np.float32)
        if self.x_mean_ is None:
            return X
        return (X - self.x_mean_) / self.x_scale_

    def _lengths(self, X: np.ndarray) -> torch.Tensor | None:
        """Valid steps of token sequences padded with 0 at the end (None if none is padded)."""
        if not self._tokens:
            return None
        nonzero = X != 0
        last = X.shape[1] - np.argmax(nonzero[:, ::-1], axis=1)
        lengths = np.where(nonzero.any(axis=1), last, 1)
        return None if (lengths == X.shape[1]).all() else torch.as_tensor(lengths)

    def _data_dims(self, X: np.ndarray) -> dict:
        if not self._tokens:
            return {"input_size": X.shape[2]}
        vocab = self.vocab_size if self.vocab_size is not None else int(X.max()) + 1
        return {"vocab_size": vocab, "embedding_dim": self.embedding_dim, "padding_idx": 0}

    def _check_vocab(self, X: np.ndarray) -> None:
        if self._tokens and X.size and X.max() >= self.network_.cfg.vocab_size:
            raise DataError(f"token id {int(X.max())} is outside the vocabulary of "
                            f"{self.network_.cfg.vocab_size} ids seen in fit; set vocab_size")

    # -- fit template ------------------------------------------------------------------------

    def fit(self, X, y):
        """Train a new network on sequences ``X`` and targets ``y``; returns self."""
        for attr in ("network_", "optimizer_", "history_"):
            self.__dict__.pop(attr, None)
        return self._fit(X, y, None, reset=True)

    def _fit(self, X, y, epochs: int | None, reset: bool, classes=None):
        """Validate, build the network if ``reset``, train ``epochs`` passes (None: those of
        the ``epochs`` parameter, resolved into ``epochs_``)."""
        self._check_params()
        with _input_errors():
            X = self._validate_X(X, reset=reset)
            lengths = self._lengths(X)
            y_t = self._prepare_y(X, y, lengths, reset=reset, classes=classes)
        X = self._scale_X(X, reset=reset)
        seed = check_seed(self.random_state)
        if reset:
            cfg = network_config(self.get_params(), **self._net_dims(X, y_t))
            self.network_ = build_network(cfg, seed, self._device())
        self._check_vocab(X)
        if self.head == "per_step" and y_t.shape[1] != X.shape[1]:
            raise DataError(f"head='per_step' needs one target per input step: X has "
                            f"{X.shape[1]} steps but y has {y_t.shape[1]}")
        data = TensorData(as_tensor(X, self._tokens, self._device()), y_t, lengths)
        train_data, val_data = data, None
        if self.early_stopping:
            tr, va = time_split(len(data), self.validation_fraction, name="X")
            train_data, val_data = TensorData(*data.batch(tr)), TensorData(*data.batch(va))
        if epochs is None:
            auto = isinstance(self.epochs, str)
            self.epochs_ = epochs = (auto_epochs(len(train_data), self.batch_size) if auto
                                     else self.epochs)
        config = train_config(self.get_params(), self._loss_name(), epochs, seed)
        state = train(self.network_, train_data, val_data, config,
                      callbacks=stopping(self.patience if self.early_stopping else None, val_data),
                      optimizer=getattr(self, "optimizer_", None),
                      history=getattr(self, "history_", None))
        self.optimizer_, self.history_, self.n_epochs_ = (state.optimizer, state.history,
                                                          len(state.history))
        return self

    def _net_dims(self, X: np.ndarray, y_t: torch.Tensor) -> dict:
        dims = dict(self._data_dims(X), head=self.head, horizon=y_t.shape[1],
                    bidirectional=self.bidirectional, nonlinearity=self.nonlinearity)
        return dict(dims, **self._output_dims(y_t))

    def _predict_raw(self, X) -> torch.Tensor:
        check_fitted(self, "network_")
        with _input_errors():
            X = self._validate_X(X, reset=False)
        self._check_vocab(X)
        X = self._scale_X(X, reset=False)
        data = TensorData(as_tensor(X, self._tokens, self._device()), None, self._lengths(X))
        # fixed-size batches: a sample's prediction never depends on the rest of X
        return predict_batches(self.network_, data, batch_size=64, fixed=True).cpu()


def signature_with(init, **extra) -> inspect.Signature:
    """The signature of ``init`` with the keyword parameters ``extra`` (name=default) first, so
    that sklearn's ``get_params``, ``clone`` and ``set_params`` see every parameter."""
    signature = inspect.signature(init)
    this, *rest = signature.parameters.values()
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
             for name, default in extra.items()]
    return signature.replace(parameters=[this, *added, *rest])


