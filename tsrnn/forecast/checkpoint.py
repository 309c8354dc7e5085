"""Resumable training checkpoints: save every N epochs, resume an interrupted fit exactly.

A checkpoint is an ordinary model directory (``model.safetensors`` + ``model.json``, written
atomically by :mod:`tsrnn.io.modeldir`) whose tensors also hold the optimiser state, the two
random-number generator states (torch's global one, used by dropout, and the shuffling
generator) and early stopping's best weights, and whose JSON carries an ``extra.checkpoint``
object: epoch, optimiser steps, the optimiser's hyperparameters and a caller's ``note``. It loads
with :func:`tsrnn.load` like any model (the weights of the last finished epoch), and
:func:`resume` continues training from it. A resumed fit takes the same steps with the same
random numbers as an uninterrupted one, so on CPU it ends with bitwise-identical weights.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._validation import ConfigError, DataError, ModelFileError, check_positive_int
from ..estimators.base import build_network
from ..io import load_model
from ..nn import Checkpoint, EarlyStopping, FitState, NetConfig, Resume, make_optimizer
from .auto import settle
from .distributed import launched
from .serialize import from_files

__all__ = ["Checkpointing", "ResumePoint", "checkpoint_info", "resume"]


@dataclass(frozen=True)
class Checkpointing:
    """Where and how often ``fit(..., checkpoint=...)`` writes checkpoints.

    Parameters
    ----------
    path : str or Path
        The model directory to write (replaced atomically each time).
    every : int, default=1
        Epochs between checkpoints.
    note : dict, default=None
        JSON facts kept in the checkpoint for whoever resumes (the CLI keeps its data file and
        options here).
    """

    path: str | os.PathLike
    every: int = 1
    note: dict[str, Any] | None = None


def _as_plan(checkpoint) -> Checkpointing:
    plan = checkpoint if isinstance(checkpoint, Checkpointing) else Checkpointing(checkpoint)
    check_positive_int("checkpoint every", plan.every)
    parent = Path(plan.path).resolve().parent
    if not parent.is_dir():
        raise ConfigError(f"checkpoint folder '{parent}' does not exist; create it first")
    return plan


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict, list]:
    """Adam's per-parameter state as flat tensors, its param groups as JSON."""
    sd = optimizer.state_dict()
    tensors = {f"optim.{i}.{name}": torch.as_tensor(value).detach().clone()
               for i, per_param in sd["state"].items() for name, value in per_param.items()}
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()}
              for g in sd["param_groups"]]
    return tensors, groups


def _optimizer_state(tensors: dict, groups: list) -> dict:
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in groups]
    return {"state": state, "param_groups": groups}


def checkpoint_callback(save: Callable[..., None], checkpoint, epochs: int,
                        callbacks) -> Checkpoint:
    """A :class:`~tsrnn.nn.Checkpoint` that writes a checkpoint with ``save(path, history,
    extra_tensors, extra)`` (the forecaster's own save, so this module never imports it);
    ``epochs`` is the fit's planned total, ``callbacks`` may hold the early stopping whose best
    weights travel along."""
    plan = _as_plan(checkpoint)
    stopper = next((cb for cb in callbacks if isinstance(cb, EarlyStopping)), None)

    def write(state: FitState, best: dict[str, torch.Tensor]) -> None:
        optim, groups = _optimizer_tensors(state.optimizer)
        tensors = {**optim, **best, "rng.torch": torch.get_rng_state(),
                   "rng.shuffle": state.generator.get_state()}
        extra = {"checkpoint": {"epoch": state.epoch, "step": state.step,
                                "epochs": int(epochs), "every": plan.every,
                                "optimizer": groups, "note": plan.note or {}}}
        save(plan.path, list(state.history), tensors, extra)

    return Checkpoint(write, plan.every, stopper)


@dataclass
class ResumePoint:
    """Everything a fit needs to continue where a checkpoint stopped."""

    weights: dict[str, torch.Tensor]
    optimizer: dict
    loop: Resume
    history: list[dict]
    scaler: Any
    best_weights: dict[str, torch.Tensor] | None = None
    config: dict = field(default_factory=dict)
    #: what the interrupted fit resolved its "auto" parameters to (None: a checkpoint from
    #: before "auto"); the resumed fit trains the same configuration
    resolved: dict | None = None
    params: dict = field(default_factory=dict)  # the parameters saved with the checkpoint

    def configuration(self, params: dict) -> dict:
        """The interrupted fit's configuration (``config_``), whatever the data would resolve
        its "auto" parameters to now; ``params`` given explicitly win (e.g. ``distributed``)."""
        return settle(params, self.resolved, self.params)

    def restore(self, cfg: NetConfig, scaler, device: torch.device):
        """``(network, optimizer, history)`` where the checkpoint stopped, once the data was
        prepared again (which refits the scaler: ``scaler`` must match the checkpoint's)."""
        same = all(np.array_equal(getattr(self.scaler, a), getattr(scaler, a))
                   for a in ("center_", "scale_"))
        if not same:
            raise DataError("the data differs from the data this checkpoint was trained on "
                            "(its scaling statistics changed); resume with the same data")
        if _as_json(cfg.to_dict()) != _saved_config(self.config):
            raise ModelFileError("the checkpoint's network does not fit this data and these "
                                 "parameters; resume with the same data and settings")
        network = build_network(cfg, 0, device)  # weights come next
        network.load_state_dict(self.weights)
        optimizer = make_optimizer(network)  # the saved state restores lr and weight decay
        optimizer.load_state_dict(self.optimizer)
        return network, optimizer, list(self.history)


def _as_json(value):
    return json.loads(json.dumps(value))


def _saved_config(config: dict) -> dict:
    """A checkpoint's network config with every field, as JSON: a checkpoint written before a
    field existed (e.g. ``patch``) gets that field's default, as loading its model does."""
    try:
        return _as_json(NetConfig(**config).to_dict())
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"the checkpoint's network configuration is not valid ({exc}); "
                             "start the fit again") from None


def checkpoint_info(path) -> dict | None:
    """The ``extra.checkpoint`` facts of the model directory ``path``, or None for a model
    whose training finished."""
    _, meta = load_model(path)
    return (meta.get("extra") or {}).get("checkpoint")


def resume(path, data, *, checkpoint_every: int | None = None, distributed: bool | None = None):
    """Finish the interrupted fit whose checkpoint is in ``path``.

    Parameters
    ----------
    path : str or Path
        A model directory written by ``fit(..., checkpoint=path)``.
    data : Series or DataFrame
        The same data the fit was started on (checked through its scaling statistics).
    checkpoint_every : int, default=None
        Keep writing checkpoints to ``path`` this often (None: as often as before).
    distributed : bool, default=None
        Continue data-parallel (each process of a torchrun launch on its share of the series,
        see :mod:`tsrnn.forecast.distributed`; the number of processes may differ from the
        first run's).
        None: data-parallel exactly when this process was launched by torchrun.

    Returns
    -------
    RNNForecaster
        The fitted model, equal to one whose fit was never interrupted.
    """
    tensors, meta = load_model(path)
    info = (meta.get("extra") or {}).get("checkpoint")
    if info is None:
        raise ConfigError(f"{path} holds a finished model, not a training checkpoint; there is "
                          "nothing to resume")
    est = from_files(tensors, meta, path)
    try:
        point = _resume_point(tensors, meta, info, est)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the checkpoint is incomplete ({exc}); start the fit "
                             "again") from None
    plan = Checkpointing(path, checkpoint_every or int(info["every"]), info.get("note"))
    if distributed is None:
        distributed = launched()
    return est.set_params(distributed=bool(distributed)).fit(data, checkpoint=plan,
                                                              resume=point)


def _resume_point(tensors: dict, meta: dict, info: dict, est) -> ResumePoint:
    return ResumePoint(
        weights={k[len("network."):]: v for k, v in tensors.items()
                 if k.startswith("network.")},
        optimizer=_optimizer_state(tensors, info["optimizer"]),
        loop=Resume(step=int(info["step"]), generator_state=tensors["rng.shuffle"],
                    rng_state=tensors["rng.torch"]),
        history=list(est.history_),
        scaler=est.scaler_,
        best_weights={k[len("best."):]: v for k, v in tensors.items()
                      if k.startswith("best.")} or None,
        config=dict(meta["config"]), resolved=meta.get("resolved"),
        params=dict(meta["params"]))
