"""What every tsrnn estimator shares, as functions of its parameters (no base class).

Each estimator passes its own ``get_params()`` (sklearn's contract: every parameter is set in
``__init__``, unchanged), so nothing here reads an attribute an estimator might not define:

- :func:`check_training_params` checks the network and training parameters in ``fit``;
- :func:`network_config` and :func:`build_network` make the network, seeded;
- :func:`train_config`, :func:`stopping` and :func:`train` run :func:`~tsrnn.nn.fit_loop`;
- :func:`getstate` / :func:`setstate` carry a fitted network through ``pickle`` as state dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from sklearn.base import BaseEstimator

from .._validation import (
    DataError,
    check_choice,
    check_float,
    check_non_negative_int,
    check_positive_int,
    check_seed,
)
from ..nn import (
    CELLS,
    EarlyStopping,
    FitState,
    NetConfig,
    Resume,
    RNNNetwork,
    TrainConfig,
    fit_loop,
    make_optimizer,
    resolve_device,
    seeded,
)

__all__ = [
    "as_tensor",
    "build_network",
    "check_network_params",
    "check_tokens",
    "check_training_params",
    "getstate",
    "network_config",
    "pickled",
    "setstate",
    "stopping",
    "train",
    "train_config",
    "unpickled",
]


def check_network_params(p: Mapping) -> None:
    """Check ``cell``, ``hidden_size``, ``num_layers``, ``dropout`` and ``head_hidden``."""
    check_choice("cell", p["cell"], CELLS)
    check_positive_int("hidden_size", p["hidden_size"])
    check_positive_int("num_layers", p["num_layers"])
    check_float("dropout", p["dropout"], low=0.0, high=1.0, high_inclusive=False)
    check_non_negative_int("head_hidden", p["head_hidden"])


def check_training_params(p: Mapping) -> None:
    """Check the network parameters and the training ones (epochs, batch_size, lr, ...)."""
    check_network_params(p)
    check_positive_int("epochs", p["epochs"])
    check_positive_int("batch_size", p["batch_size"])
    check_float("lr", p["lr"], low=0.0, low_inclusive=False)
    check_float("weight_decay", p["weight_decay"], low=0.0)
    if p["clip_grad"] is not None:
        check_float("clip_grad", p["clip_grad"], low=0.0, low_inclusive=False)
    if p["early_stopping"]:
        check_positive_int("patience", p["patience"])
    if p["max_steps"] is not None:
        check_positive_int("max_steps", p["max_steps"])
    check_choice("on_divergence", p["on_divergence"], ("raise", "rollback"))
    check_choice("lr_schedule", p["lr_schedule"], (None, "cosine"))
    check_seed(p["random_state"])
    resolve_device(p["device"])


def network_config(p: Mapping, **dims) -> NetConfig:
    """NetConfig from the network parameters plus ``dims`` (data sizes, head, ...)."""
    return NetConfig(cell=p["cell"], hidden_size=p["hidden_size"], num_layers=p["num_layers"],
                     dropout=p["dropout"], head_hidden=p["head_hidden"], **dims)


def build_network(cfg: NetConfig, seed: int | None, device: torch.device) -> RNNNetwork:
    """A new network, its weights drawn from ``seed``, on ``device``."""
    with seeded(seed):
        return RNNNetwork(cfg).to(device)


def train_config(p: Mapping, loss: str, epochs: int, seed: int | None,
                 quantiles: Sequence[float] = ()) -> TrainConfig:
    """The TrainConfig of a fit with the parameters ``p``."""
    return TrainConfig(
        epochs=epochs, batch_size=p["batch_size"], lr=p["lr"], weight_decay=p["weight_decay"],
        loss=loss, clip_grad=p["clip_grad"], device=str(resolve_device(p["device"])), seed=seed,
        verbose=bool(p["verbose"]), max_steps=p["max_steps"], on_divergence=p["on_divergence"],
        lr_schedule=p["lr_schedule"], quantiles=tuple(quantiles))


def stopping(patience: int | None, val_data, best_weights=None) -> list[EarlyStopping]:
    """``[EarlyStopping(patience)]`` when early stopping is on and there is validation data
    (``best_weights``: those of a checkpoint being resumed), else ``[]``."""
    if patience is None or not val_data:
        return []
    stopper = EarlyStopping(patience)
    if best_weights is not None:
        stopper.best_weights = best_weights
    return [stopper]


def train(network, train_data, val_data, config: TrainConfig, *, callbacks=(), optimizer=None,
          history=None, resume: Resume | None = None, reduce=None) -> FitState:
    """Train ``network`` on the config's device, seeded, continuing ``optimizer`` and
    ``history`` if given (``reduce``, ``resume``: see :func:`~tsrnn.nn.fit_loop`)."""
    device = torch.device(config.device)
    with seeded(config.seed, device):
        return fit_loop(network, train_data.to(device),
                        val_data.to(device) if val_data else None, config=config,
                        callbacks=list(callbacks), optimizer=optimizer, history=history,
                        resume=resume, reduce=reduce)


def pickled(state: dict) -> dict:
    """An estimator's ``__dict__`` with ``network_``/``optimizer_`` as CPU state dicts."""
    state = dict(state)
    network = state.pop("network_", None)
    optimizer = state.pop("optimizer_", None)
    if network is not None:
        state["_network_state"] = {
            "config": network.cfg.to_dict(),
            "weights": {k: v.detach().cpu() for k, v in network.state_dict().items()},
            "optimizer": None if optimizer is None else optimizer.state_dict(),
        }
    return state


def unpickled(state: dict) -> dict:
    """The inverse of :func:`pickled`: the network rebuilt on the estimator's ``device``."""
    state = dict(state)
    saved = state.pop("_network_state", None)
    if saved is not None:
        network = RNNNetwork(NetConfig(**saved["config"]))
        network.load_state_dict(saved["weights"])
        state["network_"] = network.to(resolve_device(state["device"])).eval()
        settings = state.get("config_") or state  # a forecaster's "auto" lr is resolved there
        state["optimizer_"] = make_optimizer(state["network_"], settings["lr"],
                                             settings["weight_decay"])
        if saved["optimizer"] is not None:
            state["optimizer_"].load_state_dict(saved["optimizer"])
    return state


def getstate(estimator) -> dict:
    """``__getstate__`` of an estimator holding a network (``__getstate__ = getstate``)."""
    return pickled(BaseEstimator.__getstate__(estimator))


def setstate(estimator, state: dict) -> None:
    """``__setstate__`` of an estimator holding a network (``__setstate__ = setstate``)."""
    BaseEstimator.__setstate__(estimator, unpickled(state))


def as_tensor(X: np.ndarray, tokens: bool, device: torch.device) -> torch.Tensor:
    """A copy of ``X`` as a float32 tensor (or int64 token ids) on ``device``."""
    dtype = torch.long if tokens else torch.float32
    return torch.as_tensor(np.array(X, copy=True), dtype=dtype, device=device)


def check_tokens(X: np.ndarray) -> np.ndarray:
    """Token ids must be whole numbers in ``[0, vocab)``; returns them as int64."""
    if not np.all(np.equal(np.mod(X, 1), 0)) or (X.size and X.min() < 0):
        raise DataError(
            "with embedding_dim set, X must hold non-negative integer token ids; "
            "encode strings first (e.g. tsrnn.CharEncoder)"
        )
    return X.astype(np.int64)
