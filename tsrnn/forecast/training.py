"""How a forecaster trains its network: early stopping, resumable checkpoints and data-parallel
replicas around :func:`tsrnn.estimators.base.train` (torch).

:func:`fit_network` is given everything it touches (the network, the data, a ``save`` function
for checkpoints) and returns the :class:`~tsrnn.nn.FitState`; the forecaster keeps what it needs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import DataError
from ..data import Panel
from ..data.checks import series_label
from ..estimators.base import stopping, train
from ..nn import FitState, TrainConfig
from .checkpoint import ResumePoint, checkpoint_callback
from .distributed import DataParallel

__all__ = ["check_lengths", "fit_network"]


def check_lengths(panel: Panel, lookback: int, steps: int, val_rows: int) -> np.ndarray:
    """The rows of each series left for training after ``val_rows`` are held out; DataError
    naming the shortest series when one cannot hold a window of ``lookback + steps``."""
    fit_rows = panel.lengths - val_rows
    if (fit_rows < lookback + steps).any():
        bad = int(np.argmin(fit_rows))
        held = f" + validation {val_rows}" if val_rows else ""
        raise DataError(f"{series_label(panel.ids[bad])} has {panel.lengths[bad]} rows; "
                        f"lookback {lookback} + horizon {steps}{held} needs at least "
                        f"{lookback + steps + val_rows}")
    return fit_rows


def fit_network(network, train_data, val_data, config: TrainConfig, *, patience: int | None,
                optimizer=None, history=None, save: Callable | None = None, checkpoint=None,
                resume: ResumePoint | None = None, parallel: DataParallel | None = None,
                epochs_total: int | None = None) -> FitState:
    """Train ``network`` for ``config.epochs`` more epochs.

    Parameters
    ----------
    network, train_data, val_data, config :
        As for :func:`tsrnn.nn.fit_loop`.
    patience : int or None
        Early stopping's patience (None: no early stopping).
    optimizer, history :
        The optimiser and history of the epochs so far (a resumed fit).
    save : callable, default=None
        ``save(path, history, extra_tensors, extra)`` writes a checkpoint (with ``checkpoint``).
    checkpoint : str, Path or Checkpointing, default=None
        Write resumable checkpoints there (see :mod:`tsrnn.forecast.checkpoint`).
    resume : ResumePoint, default=None
        Continue an interrupted fit: its RNG states, step count and best weights.
    parallel : DataParallel, default=None
        This rank's share of a data-parallel fit: DDP, the per-rank batch, losses averaged over
        ranks, checkpoints from rank 0 only.
    epochs_total : int, default=None
        The fit's planned epochs, written into checkpoints.
    """
    reduce = None
    if parallel is not None:
        network, train_data, config = parallel.wrap(network, train_data, config)
        reduce = parallel.reduce
    callbacks = stopping(patience, val_data, None if resume is None else resume.best_weights)
    if checkpoint is not None:
        writer = checkpoint_callback(save, checkpoint, epochs_total or config.epochs, callbacks)
        if parallel is None or parallel.writes:
            callbacks.append(writer)
    return train(network, train_data, val_data, config, callbacks=callbacks,
                 optimizer=optimizer, history=history,
                 resume=None if resume is None else resume.loop, reduce=reduce)
