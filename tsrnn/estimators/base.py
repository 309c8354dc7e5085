"""``BaseRNNEstimator``: hyperparameters, seeding, device and pickling shared by estimators."""

from __future__ import annotations

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
from ..nn.loop import EarlyStopping, TrainConfig, fit_loop, resolve_device, seeded
from ..nn.networks import CELLS, NetConfig, RNNNetwork

__all__ = ["BaseRNNEstimator"]


class BaseRNNEstimator(BaseEstimator):
    """Shared machinery of tsrnn's estimators (not used directly).

    Subclasses store their parameters in ``__init__`` unchanged (sklearn's rule) and call
    :meth:`_check_common_params` at the start of ``fit``.
    """

    def _check_common_params(self) -> None:
        check_choice("cell", self.cell, CELLS)
        check_positive_int("hidden_size", self.hidden_size)
        check_positive_int("num_layers", self.num_layers)
        check_float("dropout", self.dropout, low=0.0, high=1.0, high_inclusive=False)
        check_non_negative_int("head_hidden", self.head_hidden)
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("weight_decay", self.weight_decay, low=0.0)
        if self.clip_grad is not None:
            check_float("clip_grad", self.clip_grad, low=0.0, low_inclusive=False)
        if self.early_stopping:
            check_positive_int("patience", self.patience)
        if self.max_steps is not None:
            check_positive_int("max_steps", self.max_steps)
        check_choice("on_divergence", self.on_divergence, ("raise", "rollback"))
        check_choice("lr_schedule", self.lr_schedule, (None, "cosine"))
        check_seed(self.random_state)
        resolve_device(self.device)

    # -- building blocks used by subclasses -------------------------------------------------

    def _seed(self) -> int | None:
        return check_seed(self.random_state)

    def _device(self) -> torch.device:
        return resolve_device(self.device)

    def _net_config(self, **dims) -> NetConfig:
        """NetConfig from the shared parameters plus ``dims`` (data sizes, head, ...)."""
        return NetConfig(cell=self.cell, hidden_size=self.hidden_size,
                         num_layers=self.num_layers, dropout=self.dropout,
                         head_hidden=self.head_hidden, **dims)

    def _make_network(self, cfg: NetConfig, seed: int | None) -> RNNNetwork:
        with seeded(seed):
            return RNNNetwork(cfg).to(self._device())

    def _train_config(self, loss: str, epochs: int, seed: int | None) -> TrainConfig:
        return TrainConfig(
            epochs=epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            loss=loss,
            clip_grad=self.clip_grad,
            device=str(self._device()),
            seed=seed,
            verbose=bool(self.verbose),
            max_steps=self.max_steps,
            on_divergence=self.on_divergence,
            lr_schedule=self.lr_schedule,
        )

    def _run_training(self, train, val, loss: str, epochs: int, seed: int | None,
                      checkpoint=None, resume=None, parallel=None) -> None:
        """Train ``self.network_`` (continuing ``self.optimizer_`` and ``self.history_``).

        ``checkpoint`` (a path or :class:`~tsrnn.forecast.checkpoint.Checkpointing`) adds a callback
        writing resumable checkpoints; ``resume`` (a :class:`~tsrnn.forecast.checkpoint.ResumePoint`)
        continues an interrupted fit from its RNG states and best weights. ``parallel`` (a
        :class:`~tsrnn.forecast.distributed.DataParallel`) trains this rank's share of a data-parallel
        fit: DDP, the per-rank batch, losses averaged over ranks, checkpoints from rank 0 only.
        """
        from ..forecast.checkpoint import checkpoint_callback

        config = self._train_config(loss, epochs, seed)
        network, reduce = self.network_, None
        if parallel is not None:
            network, train, config = parallel.wrap(network, train, config)
            reduce = parallel.reduce
        callbacks = []
        if self.early_stopping and val:
            callbacks.append(EarlyStopping(self.patience))
            if resume is not None:
                callbacks[0].best_weights = resume.best_weights
        if checkpoint is not None:
            writer = checkpoint_callback(self, checkpoint, callbacks)
            if parallel is None or parallel.writes:
                callbacks.append(writer)
        device = self._device()
        with seeded(seed, device):
            state = fit_loop(network, train.to(device), val.to(device) if val else None,
                             config=config, callbacks=callbacks,
                             optimizer=getattr(self, "optimizer_", None),
                             history=getattr(self, "history_", None),
                             resume=None if resume is None else resume.loop, reduce=reduce)
        self.optimizer_ = state.optimizer
        self.history_ = state.history
        self.n_epochs_ = len(state.history)

    # -- pickling through state dicts -------------------------------------------------------

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        network = state.pop("network_", None)
        optimizer = state.pop("optimizer_", None)
        if network is not None:
            state["_network_state"] = {
                "config": network.cfg.to_dict(),
                "weights": {k: v.detach().cpu() for k, v in network.state_dict().items()},
                "optimizer": None if optimizer is None else optimizer.state_dict(),
            }
        return state

    def __setstate__(self, state: dict) -> None:
        saved = state.pop("_network_state", None)
        super().__setstate__(state)
        if saved is not None:
            network = RNNNetwork(NetConfig(**saved["config"]))
            network.load_state_dict(saved["weights"])
            self.network_ = network.to(self._device()).eval()
            self.optimizer_ = torch.optim.Adam(self.network_.parameters(), lr=self.lr,
                                               weight_decay=self.weight_decay)
            if saved["optimizer"] is not None:
                self.optimizer_.load_state_dict(saved["optimizer"])

    # -- inference helpers -------------------------------------------------------------------

    def _as_tensor(self, X: np.ndarray, tokens: bool) -> torch.Tensor:
        dtype = torch.long if tokens else torch.float32
        return torch.as_tensor(np.array(X, copy=True), dtype=dtype, device=self._device())

    def _check_tokens(self, X: np.ndarray) -> np.ndarray:
        """Token ids must be whole numbers in ``[0, vocab)``; returns them as int64."""
        if not np.all(np.equal(np.mod(X, 1), 0)) or (X.size and X.min() < 0):
            raise DataError(
                "with embedding_dim set, X must hold non-negative integer token ids; "
                "encode strings first (e.g. tsrnn.text.encoders.CharEncoder)"
            )
        return X.astype(np.int64)
