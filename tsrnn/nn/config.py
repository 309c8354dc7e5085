"""The records of one training run (torch only): its settings, what callbacks see, and where an
interrupted run stopped.

:class:`TrainConfig` is set once per fit; :class:`FitState` is the mutable state ``fit_loop``
hands to every callback hook; :class:`Resume` carries the step count and random-number states a
checkpoint needs to continue a run exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .._paramdocs import documented

__all__ = ["FitState", "Resume", "TrainConfig"]


@documented
@dataclass
class TrainConfig:
    """Settings of one training run.

    Parameters
    ----------
    [[epochs]]
    batch_size : int, default=64
        Samples per optimiser step.
    [[lr]]
    [[weight_decay]]
    loss : {"mse", "mae", "huber", "cross_entropy"}, default="mse"
        Training loss.
    [[clip_grad]]
    shuffle : bool, default=True
        Shuffle samples each epoch (stateful streams are never shuffled).
    teacher_forcing : bool, default=True
        Give the targets to an encoder-decoder head while training.
    device : str, default="cpu"
        Torch device, already resolved.
    seed : int or None, default=None
        Seed of the shuffling generator.
    [[verbose]]
    [[max_steps]]
    [[on_divergence]]
    [[lr_schedule]]
    quantiles : tuple of float, default=()
        Quantile levels of the network's outputs, for ``loss="pinball"``.
    """

    epochs: int = 100
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.0
    loss: str = "mse"
    clip_grad: float | None = 1.0
    shuffle: bool = True
    teacher_forcing: bool = True
    device: str = "cpu"
    seed: int | None = None
    verbose: bool = False
    max_steps: int | None = None
    on_divergence: str = "raise"
    lr_schedule: str | None = None
    quantiles: tuple[float, ...] = ()


@dataclass
class FitState:
    """What callbacks see: the network, the optimiser, the generator and the history so far."""

    network: nn.Module
    optimizer: torch.optim.Optimizer
    config: TrainConfig
    epoch: int = 0
    step: int = 0
    history: list[dict] = field(default_factory=list)
    total_steps: int = 0
    generator: torch.Generator | None = None


@dataclass
class Resume:
    """Where an interrupted fit stopped: optimiser steps taken and the two RNG states."""

    step: int
    generator_state: torch.Tensor
    rng_state: torch.Tensor
