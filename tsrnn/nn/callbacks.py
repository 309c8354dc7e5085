"""Training callbacks (torch only): small objects with no-op hooks that ``fit_loop`` calls.

Any callback may raise :class:`StopTraining` to end training after the current epoch. The
``FitState`` they see holds the network, the optimiser, the shuffling generator, the history and
the counts of epochs and optimiser steps so far.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from typing import Any

import torch

from .._validation import TrainingError
from .config import FitState
from .networks import nonfinite_weights

__all__ = [
    "StopTraining",
    "Callback",
    "EarlyStopping",
    "ProgressBar",
    "DivergenceGuard",
    "Checkpoint",
    "TrainingDivergedWarning",
]


class StopTraining(Exception):
    """Raised by a callback to end training after the current epoch."""


class TrainingDivergedWarning(UserWarning):
    """Training diverged and the best weights seen before were put back."""


class Callback:
    """Base class: every hook is a no-op."""

    def on_fit_start(self, state: FitState) -> None: ...

    def on_epoch_start(self, state: FitState) -> None: ...

    def on_batch_end(self, state: FitState, loss: torch.Tensor) -> None: ...

    def on_epoch_end(self, state: FitState, record: dict) -> None: ...

    def on_fit_end(self, state: FitState) -> None: ...


def _monitored(record: dict) -> float:
    return record.get("val_loss", record["train_loss"])


class EarlyStopping(Callback):
    """Stop when the monitored loss has not improved for ``patience`` epochs.

    Parameters
    ----------
    patience : int, default=10
        Epochs without improvement before stopping.
    min_delta : float, default=0.0
        Smallest decrease that counts as an improvement.
    restore_best : bool, default=True
        Put the best weights back when training ends.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True):
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best, self.best_epoch, self.best_weights = math.inf, 0, None

    def on_fit_start(self, state: FitState) -> None:
        # A resumed fit replays the history so far; the best weights come from the checkpoint.
        for record in state.history:
            if _monitored(record) < self.best - self.min_delta:
                self.best, self.best_epoch = _monitored(record), record["epoch"]

    def on_epoch_end(self, state: FitState, record: dict) -> None:
        value = _monitored(record)
        if value < self.best - self.min_delta:
            self.best, self.best_epoch = value, record["epoch"]
            if self.restore_best:
                self.best_weights = copy.deepcopy(state.network.state_dict())
        elif record["epoch"] - self.best_epoch >= self.patience:
            raise StopTraining(f"no improvement for {self.patience} epochs")

    def on_fit_end(self, state: FitState) -> None:
        if self.restore_best and self.best_weights is not None:
            state.network.load_state_dict(self.best_weights)


class ProgressBar(Callback):
    """A tqdm bar over epochs showing the train and validation loss."""

    def on_fit_start(self, state: FitState) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=state.config.epochs, desc="fit", unit="epoch", leave=False)

    def on_epoch_end(self, state: FitState, record: dict) -> None:
        shown = {k: f"{v:.4g}" for k, v in record.items() if k.endswith("loss")}
        self.bar.set_postfix(shown)
        self.bar.update(1)

    def on_fit_end(self, state: FitState) -> None:
        self.bar.close()


class DivergenceGuard(Callback):
    """Stop a fit whose loss stops being finite or explodes, or whose weights stop being finite.

    The loss counts as exploded when an epoch's mean exceeds ``factor`` times the first batch's
    loss (or ``factor`` itself, if that is larger): on scaled data a sound fit never gets there,
    while a far too large learning rate gets there in an epoch. The guard runs first at every
    epoch end. With ``rollback=False`` it raises :class:`~tsrnn.TrainingError` naming the epoch;
    with ``rollback=True`` it puts back the weights of the best sound epoch so far, warns with
    :class:`TrainingDivergedWarning` and ends training (an error still, if no epoch was sound).

    Parameters
    ----------
    rollback : bool, default=False
        Roll back to the best weights instead of raising.
    factor : float, default=1e4
        How far above the first batch's loss an epoch's loss may go.
    """

    def __init__(self, rollback: bool = False, factor: float = 1e4):
        self.rollback, self.factor = rollback, factor
        self.reference: float | None = None
        self.best, self.best_epoch, self.best_weights = math.inf, 0, None

    def on_batch_end(self, state: FitState, loss: torch.Tensor) -> None:
        if self.reference is None:
            self.reference = abs(float(loss))

    def _problem(self, state: FitState, loss: float) -> str | None:
        if not math.isfinite(loss):
            return f"the training loss became {loss}"
        limit = self.factor * max(self.reference or 0.0, 1.0)
        if loss > limit:
            return (f"the training loss grew to {loss:.4g} (the first batch's was "
                    f"{self.reference:.4g})")
        if nonfinite_weights(state.network.named_parameters()):
            return "the weights stopped being finite"
        return None

    def on_epoch_end(self, state: FitState, record: dict) -> None:
        problem = self._problem(state, record["train_loss"])
        if problem is None:
            value = _monitored(record)
            if self.rollback and math.isfinite(value) and value < self.best:
                self.best, self.best_epoch = value, record["epoch"]
                self.best_weights = copy.deepcopy(state.network.state_dict())
            return
        epoch = record["epoch"]
        if not self.rollback or self.best_weights is None:
            raise TrainingError(
                f"training diverged: {problem} in epoch {epoch}; lower the learning rate (lr), "
                "keep clip_grad on, or scale the data (on_divergence='rollback' keeps the best "
                "epoch instead)")
        state.network.load_state_dict(self.best_weights)
        if state.history and state.history[-1] is record:
            state.history.pop()  # a diverged epoch has no place in a saved history
        warnings.warn(f"training diverged in epoch {epoch} ({problem}); rolled back to the "
                      f"weights of epoch {self.best_epoch} and stopped", TrainingDivergedWarning,
                      stacklevel=2)
        raise StopTraining(f"diverged in epoch {epoch}")


class Checkpoint(Callback):
    """Call ``save(state, best_weights)`` every ``every`` epochs (after the other callbacks).

    The caller's ``save`` writes the checkpoint (atomically); ``early_stopping`` (if any) lends its
    best weights so that a resumed fit restores them too.

    Parameters
    ----------
    save : callable
        ``save(state, extra_tensors)``.
    every : int, default=1
        Epochs between checkpoints.
    early_stopping : EarlyStopping or None, default=None
        Whose best weights go into the checkpoint.
    """

    def __init__(self, save: Callable[[FitState, dict[str, Any]], None], every: int = 1,
                 early_stopping: EarlyStopping | None = None):
        self.save, self.every, self.early_stopping = save, every, early_stopping

    def on_epoch_end(self, state: FitState, record: dict) -> None:
        if record["epoch"] % self.every == 0:
            best = getattr(self.early_stopping, "best_weights", None)
            self.save(state, {} if best is None else {f"best.{k}": v for k, v in best.items()})
