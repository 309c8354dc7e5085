"""How a forecaster trains its network: early stopping, resumable checkpoints and data-parallel
replicas around :func:`tsrnn.estimators.base.train` (torch).

:func:`fit_network` is given everything it touches (the network, the data, a ``save`` function
for checkpoints) and returns the :class:`~tsrnn.nn.FitState`; the forecaster keeps what it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._validation import ConfigError, DataError, check_seed
from ..data import Panel
from ..data.checks import series_label
from ..estimators.base import build_network, network_config, stopping, train, train_config
from ..nn import FitState, TrainConfig, resolve_device
from .checkpoint import ResumePoint, checkpoint_callback
from .distributed import DataParallel, gather_fitted
from .params import block_steps, levels_of
from .quantiles import Outputs

__all__ = ["PARTIAL_STEPS", "Trained", "check_lengths", "fit_network", "train_forecaster",
           "train_more"]

#: Optimiser steps of ``update(..., refit="partial")`` (at a third of the fit's learning rate).
PARTIAL_STEPS = 50


class Trained(NamedTuple):
    """What :func:`train_forecaster` returns: the network, the fit's state, the carried
    state of a stateful model (else None)."""

    network: object
    fit: FitState
    state: object


def train_forecaster(c: dict, channels, runner, panel: Panel, ctx, checkpoint, resume,
                     save: Callable, optimizer=None, history=None) -> Trained:
    """Fit ``channels`` on the training rows of ``panel`` (padded at the front where a series
    is short and the runner reads windows), build (or resume) the network of the configuration ``c``
    and train it; ``history`` is the epochs so far of a resumed fit. A checkpoint is written by
    ``save(network, path, history, extra_tensors, extra)``."""
    val_rows = c["validation"] or (c["horizon"] if c["early_stopping"] else 0)
    steps = block_steps(c)
    if val_rows and (panel.lengths <= val_rows).any():
        bad = int(np.argmin(panel.lengths))
        raise DataError(f"{series_label(panel.ids[bad])} has {panel.lengths[bad]} rows; "
                        f"validation {val_rows} leaves none to fit on: give it more rows, or "
                        "a smaller validation")
    # short series are padded at the front (never dropped) where the runner reads windows
    panel, pads = runner.pad(panel, c["lookback"] + steps + val_rows, c["season"] or 1)
    fit_rows = check_lengths(panel, c["lookback"], steps, val_rows)
    device, seed = resolve_device(c["device"]), check_seed(c["random_state"])
    values = channels.fit(panel, fit_rows, pads)
    train_data, val = runner.data(channels, panel, values, fit_rows, val_rows, pads)
    levels = levels_of(c)
    cfg = network_config(c, quantiles=levels, **runner.net_dims(channels, values))
    parallel = None
    if ctx is not None:
        gather_fitted(channels)  # every rank: the ids, scalers and context of all
        parallel = DataParallel(ctx, c["batch_size"], len(val) if val else 0)
    if resume is None:
        network = build_network(cfg, seed, device)
    else:
        network, optimizer, history = resume.restore(cfg, channels.scaler, device)
    config = train_config(c, Outputs(levels).loss(c["loss"]), c["epochs"] - len(history or []),
                          seed, quantiles=levels)
    state = fit_network(network, train_data, val, config,
                        patience=c["patience"] if c["early_stopping"] else None,
                        optimizer=optimizer, history=history,
                        save=lambda *args: save(network, *args), checkpoint=checkpoint,
                        resume=resume, parallel=parallel, epochs_total=c["epochs"])
    carried = runner.warm(network, panel, values)[1] if c["stateful"] else None
    return Trained(network, state, carried)


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


def train_more(c: dict, channels, runner, network, panel: Panel, idx: np.ndarray,
               steps: int = PARTIAL_STEPS) -> FitState:
    """``steps`` more optimiser steps of ``network`` (configuration ``c``) on the windows of
    ``panel``, each series' kept context followed by its new rows (so every window ends in
    new rows), scaled with the fitted statistics of the series ``idx``, with a fresh Adam at
    a third of the fit's learning rate and no schedule: how ``update(..., refit="partial")``
    learns from new rows without forgetting the fit (``fit`` itself always starts afresh)."""
    if c["stateful"]:
        raise ConfigError("refit='partial' trains on windows; a stateful model learns from its "
                          "streams in fit: use update(rows) without refit, or fit again")
    steps_out = block_steps(c)
    for sid, n in zip(panel.ids, panel.lengths - c["lookback"]):  # the new rows of each
        if n < steps_out:
            raise DataError(f"refit='partial' learns from windows that end in the new rows: "
                            f"{series_label(sid)} has {n} new rows, fewer than the {steps_out} "
                            "steps of one target; give more rows, or update without refit")
    values = channels.encode(panel, channels.raw_blocks(panel), idx)
    train_data, _ = runner.data(channels, panel, values, panel.lengths, 0)
    levels = levels_of(c)
    fast = {**c, "lr": c["lr"] / 3, "lr_schedule": None, "max_steps": steps}
    config = train_config(fast, Outputs(levels).loss(c["loss"]), steps, check_seed(
        c["random_state"]), quantiles=levels)
    return fit_network(network, train_data, None, config, patience=None)
