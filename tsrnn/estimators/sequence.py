"""scikit-learn estimators over sequences: :class:`RNNRegressor` and :class:`RNNClassifier`.

``X`` is ``(n, L)`` (univariate sequences of length ``L``), ``(n, L, F)``, or, with
``embedding_dim`` set, ``(n, L)`` integer token ids padded with 0 at the end.
"""

from __future__ import annotations

import contextlib
import inspect

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d, validate_data

from .._validation import (
    ConfigError,
    DataError,
    TsrnnError,
    check_choice,
    check_fitted,
    check_float,
    check_positive_int,
    check_seed,
)
from ..data import time_split
from ..nn import HEADS, LOSSES, TensorData, predict_batches, resolve_device
from .base import (
    as_tensor,
    build_network,
    check_tokens,
    check_training_params,
    network_config,
    pickled,
    stopping,
    train,
    train_config,
    unpickled,
)

__all__ = ["RNNRegressor", "RNNClassifier"]


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

_COMMON_DOC = """
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=32
        Hidden units per layer and direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    dropout : float, default=0.0
        Dropout between layers and before the head.
    bidirectional : bool, default=False
        Read sequences in both directions.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``rnn`` cell.
    head : {"last", "per_step", "encoder_decoder"}, default="last"
        ``last``: one output (or ``y.shape[1]`` outputs) from the final hidden state;
        ``per_step``: an output at every input step (y has one entry per step);
        ``encoder_decoder``: a decoder RNN emits ``y.shape[1]`` steps.
    head_hidden : int, default=0
        Hidden width of the head's MLP (0 = linear).
    embedding_dim : int or None, default=None
        If set, X holds integer token ids (0 = padding) embedded with this width.
    vocab_size : int or None, default=None
        Number of token ids (default: the largest id seen in ``fit`` plus one).
    epochs : int, default=50
        Passes over the data in ``fit`` (``partial_fit`` does one).
    batch_size : int, default=32
        Sequences per optimiser step.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        Adam weight decay.
    clip_grad : float or None, default=1.0
        Maximum gradient norm; None disables clipping.
    early_stopping : bool, default=False
        Hold out the most recent ``validation_fraction`` of the samples and stop when their
        loss stops improving (the best weights are restored).
    patience : int, default=10
        Epochs without improvement before early stopping.
    validation_fraction : float, default=0.1
        Share of the (time-ordered) samples held out for early stopping.
    random_state : int, RandomState or None, default=None
        Seed for weights, dropout and shuffling; an int makes CPU runs bitwise repeatable.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train and predict.
    verbose : bool, default=False
        Show a progress bar.
    max_steps : int or None, default=None
        Stop after this many optimiser steps in all, even within an epoch (None: all epochs).
    on_divergence : {"raise", "rollback"}, default="raise"
        When the loss or a weight stops being finite: raise :class:`~tsrnn.TrainingError`
        naming the epoch, or put back the weights of the best epoch so far and stop with a
        :class:`~tsrnn.nn.callbacks.TrainingDivergedWarning`."""


class _SequenceEstimator(BaseEstimator):
    """Input handling and the fit / partial_fit template shared by both estimators."""

    def __init__(self, *, cell="lstm", hidden_size=32, num_layers=1, dropout=0.0,
                 bidirectional=False, nonlinearity="tanh", head="last", head_hidden=0,
                 embedding_dim=None, vocab_size=None, epochs=50, batch_size=32, lr=1e-3,
                 weight_decay=0.0, clip_grad=1.0, early_stopping=False, patience=10,
                 validation_fraction=0.1, random_state=None, device="auto", verbose=False,
                 max_steps=None, on_divergence="raise",
                 lr_schedule=None):
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
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.max_steps = max_steps
        self.on_divergence = on_divergence
        self.lr_schedule = lr_schedule

    def __getstate__(self) -> dict:
        return pickled(super().__getstate__())

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(unpickled(state))

    def _device(self) -> torch.device:
        return resolve_device(self.device)

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
        check_training_params(self.get_params())
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
        return self._fit(X, y, self.epochs, reset=True)

    def _fit(self, X, y, epochs: int, reset: bool, classes=None):
        self._check_params()
        with _input_errors():
            X = self._validate_X(X, reset=reset)
            lengths = self._lengths(X)
            y_t = self._prepare_y(X, y, lengths, reset=reset, classes=classes)
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
        data = TensorData(as_tensor(X, self._tokens, self._device()), None, self._lengths(X))
        # fixed-size batches: a sample's prediction never depends on the rest of X
        return predict_batches(self.network_, data, batch_size=64, fixed=True).cpu()


def _signature_with(init, **extra) -> inspect.Signature:
    """The signature of ``init`` with the keyword parameters ``extra`` (name=default) first, so
    that sklearn's ``get_params``, ``clone`` and ``set_params`` see every parameter."""
    signature = inspect.signature(init)
    this, *rest = signature.parameters.values()
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
             for name, default in extra.items()]
    return signature.replace(parameters=[this, *added, *rest])


class RNNRegressor(RegressorMixin, _SequenceEstimator):
    __doc__ = f"""Recurrent-network regressor on sequences (seq-to-one, multi-step, per-step).

    Targets are standardised internally and predictions mapped back.

    Parameters
    ----------
    loss : {{"mse", "mae", "huber"}}, default="mse"
        Training loss.{_COMMON_DOC}

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
    """

    def __init__(self, *, loss="mse", **params):
        self.loss = loss
        super().__init__(**params)

    # the shared parameters are declared once, in _SequenceEstimator; sklearn reads this
    __init__.__signature__ = _signature_with(_SequenceEstimator.__init__, loss="mse")

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


class RNNClassifier(ClassifierMixin, _SequenceEstimator):
    __doc__ = f"""Recurrent-network classifier on sequences (seq-to-label and per-step labels).

    With ``head="last"`` y is one label per sequence; with ``head="per_step"`` y is
    ``(n, L)``, one label per step (entries past a padded sequence's length are ignored);
    with ``head="encoder_decoder"`` y is ``(n, S)``, a label sequence of fixed length.

    Parameters
    ----------{_COMMON_DOC}

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
