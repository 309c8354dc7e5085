"""The training loop: ``fit_loop -> run_epoch -> train_step`` with callbacks (torch only).

Data stays in memory as tensors and is batched by index (:mod:`tsrnn.nn.batches`). Callbacks
are small objects with no-op hooks (:mod:`tsrnn.nn.callbacks`); any of them may raise
:class:`~tsrnn.nn.callbacks.StopTraining`. Stateful streams (:class:`~tsrnn.nn.batches.StreamData`)
take one optimiser step per chunk, with the hidden state carried (detached) between chunks.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn

from .._validation import ConfigError
from .batches import Batch, StreamData
from .callbacks import Callback, DivergenceGuard, ProgressBar, StopTraining
from .config import FitState, Resume, TrainConfig
from .losses import make_loss
from .state import detach_state

__all__ = [
    "eval_mode",
    "eval_step",
    "evaluate",
    "evaluate_streams",
    "fit_loop",
    "make_optimizer",
    "predict_batches",
    "resolve_device",
    "run_epoch",
    "run_stream_epoch",
    "seeded",
    "train_step",
]


def make_optimizer(network: nn.Module, lr: float = 1e-3, weight_decay: float = 0.0):
    """The Adam optimiser every tsrnn fit uses (a loaded state dict restores its settings)."""
    return torch.optim.Adam(network.parameters(), lr=lr, weight_decay=weight_decay)


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` -> cuda if available else cpu; reject unknown or unavailable devices."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ConfigError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} asked for, but CUDA is not available; use 'cpu'")
    return resolved


@contextlib.contextmanager
def seeded(seed: int | None, device: torch.device | None = None) -> Iterator[None]:
    """Run a block with torch's RNG seeded, restoring the caller's RNG state afterwards."""
    if seed is None:
        yield
        return
    devices = [device.index or 0] if device is not None and device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _forward(network: nn.Module, batch: Batch, teacher: bool) -> torch.Tensor:
    static = {} if batch.static is None else {"static": batch.static}
    y, _ = network(batch.x, lengths=batch.lengths, future=batch.future,
                   teacher=batch.y if teacher else None, **static)
    return y


def _descend(network: nn.Module, loss: torch.Tensor, optimizer, clip_grad) -> torch.Tensor:
    """Backpropagate ``loss``, clip the gradient norm, take one step; the detached loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip_grad is not None:
        nn.utils.clip_grad_norm_(network.parameters(), clip_grad, foreach=True)
    optimizer.step()
    return loss.detach()


def train_step(network, batch: Batch, loss_fn, optimizer, clip_grad=None,
               teacher_forcing=True) -> torch.Tensor:
    """One optimiser step; returns the (detached) batch loss."""
    loss = loss_fn(_forward(network, batch, teacher_forcing), batch.y)
    return _descend(network, loss, optimizer, clip_grad)


@torch.no_grad()
def eval_step(network, batch: Batch, loss_fn) -> torch.Tensor:
    """Loss of one batch without teacher forcing (the decoder rolls out, as at predict time)."""
    return loss_fn(_forward(network, batch, teacher=False), batch.y)


def _batches(n: int, batch_size: int, generator: torch.Generator | None) -> Sequence:
    if generator is None:
        return [slice(i, i + batch_size) for i in range(0, n, batch_size)]
    order = torch.randperm(n, generator=generator)
    return order.split(batch_size)


def _set_lr(state: FitState) -> None:
    """Learning rate of the coming step (cosine schedule: a function of the step count, so a
    resumed fit continues the schedule exactly)."""
    cfg = state.config
    if cfg.lr_schedule is None or not state.total_steps:
        return
    lr = 0.5 * cfg.lr * (1.0 + math.cos(math.pi * min(state.step / state.total_steps, 1.0)))
    for group in state.optimizer.param_groups:
        group["lr"] = lr


def _out_of_steps(state: FitState) -> bool:
    limit = state.config.max_steps
    return limit is not None and state.step >= limit


def run_epoch(state: FitState, data, loss_fn, generator, callbacks: Sequence[Callback]) -> float:
    """One pass over ``data`` (cut short at ``max_steps``); returns the mean training loss."""
    cfg, network = state.config, state.network
    network.train()
    total, seen = torch.zeros((), device=cfg.device), 0
    for index in _batches(len(data), cfg.batch_size, generator if cfg.shuffle else None):
        if _out_of_steps(state):
            break
        if isinstance(index, torch.Tensor):
            index = index.to(cfg.device)
        batch = data.batch(index)
        _set_lr(state)
        loss = train_step(network, batch, loss_fn, state.optimizer, cfg.clip_grad,
                          cfg.teacher_forcing)
        state.step += 1
        total += loss * batch.x.shape[0]
        seen += batch.x.shape[0]
        for cb in callbacks:
            cb.on_batch_end(state, loss)
    return float(total) / max(seen, 1)


def run_stream_epoch(state: FitState, data: StreamData, loss_fn, generator,
                     callbacks: Sequence[Callback]) -> float:
    """One pass over every stream; the state is carried (detached) from chunk to chunk."""
    cfg, network = state.config, state.network
    network.train()
    total, seen = torch.zeros((), device=cfg.device), 0
    for index in _batches(len(data), cfg.batch_size, generator if cfg.shuffle else None):
        hidden = None
        for batch, count in data.chunks(index):
            if _out_of_steps(state):
                break
            if count == 0:  # nothing to learn here, but the state must still move on
                with torch.no_grad():
                    _, hidden = network(batch.x, hidden)
                continue
            _set_lr(state)
            out, hidden = network(batch.x, hidden)
            loss = _descend(network, loss_fn(out, batch.y), state.optimizer, cfg.clip_grad)
            state.step += 1
            hidden = detach_state(hidden)  # truncated BPTT boundary
            total += loss * count
            seen += count
            for cb in callbacks:
                cb.on_batch_end(state, loss)
    return float(total) / max(seen, 1)


def evaluate(network, data, loss_fn, batch_size: int = 1024) -> float:
    """Mean loss over ``data`` in evaluation mode."""
    network.eval()
    total = 0.0
    for index in _batches(len(data), batch_size, None):
        batch = data.batch(index)
        total += float(eval_step(network, batch, loss_fn)) * batch.x.shape[0]
    return total / len(data)


@torch.no_grad()
def evaluate_streams(network, data: StreamData, loss_fn) -> float:
    """Mean per-target loss over all streams, state carried through every chunk."""
    network.eval()
    total, seen = 0.0, 0
    hidden = None
    for batch, count in data.chunks(slice(None)):
        out, hidden = network(batch.x, hidden)
        if count:
            total += float(loss_fn(out, batch.y)) * count
            seen += count
    return total / max(seen, 1)


def _total_steps(train, config: TrainConfig, start_epoch: int) -> int:
    """Optimiser steps of the whole fit (for the learning-rate schedule)."""
    batches = math.ceil(len(train) / config.batch_size)
    if isinstance(train, StreamData):  # one step per chunk (chunks with no target are skipped)
        batches *= math.ceil(train.x.shape[1] / train.bptt)
    total = batches * (start_epoch + config.epochs)
    return min(total, config.max_steps) if config.max_steps else total


def _start(network, config: TrainConfig, optimizer, history, resume: Resume | None) -> FitState:
    if optimizer is None:
        optimizer = make_optimizer(network, config.lr, config.weight_decay)
    generator = torch.Generator()
    if config.seed is not None:
        generator.manual_seed(config.seed)
    state = FitState(network, optimizer, config, history=list(history or []),
                     generator=generator)
    if resume is not None:
        state.step = resume.step
        generator.set_state(resume.generator_state)
        torch.set_rng_state(resume.rng_state)
    return state


def fit_loop(network, train, val=None, *, config: TrainConfig, callbacks=(), optimizer=None,
             history: list[dict] | None = None, resume: Resume | None = None,
             reduce: Callable[[dict], dict] | None = None) -> FitState:
    """Train ``network`` on ``train`` (and watch ``val``) for ``config.epochs`` more epochs.

    Returns the final :class:`FitState` (network, optimiser, history). A NaN or infinite loss
    or weight raises :class:`~tsrnn.TrainingError` naming the epoch (or rolls back, see
    ``TrainConfig.on_divergence``). ``history``, ``optimizer`` and ``resume`` continue an
    earlier fit exactly where it stopped. ``reduce`` maps each epoch's record before any
    callback sees it (data-parallel training averages the losses over ranks there).
    """
    state = _start(network, config, optimizer, history, resume)
    start_epoch = len(state.history)
    state.total_steps = _total_steps(train, config, start_epoch)
    loss_fn = make_loss(config.loss, masked=getattr(train, "masked", False),
                        quantiles=config.quantiles)
    guard = DivergenceGuard(rollback=config.on_divergence == "rollback")
    callbacks = [guard, *callbacks] + ([ProgressBar()] if config.verbose else [])
    for cb in callbacks:
        cb.on_fit_start(state)
    try:
        for epoch in range(start_epoch + 1, start_epoch + config.epochs + 1):
            if _out_of_steps(state):
                break
            state.epoch = epoch
            for cb in callbacks:
                cb.on_epoch_start(state)
            tic = time.perf_counter()
            epoch_fn = run_stream_epoch if isinstance(train, StreamData) else run_epoch
            record = {"epoch": epoch, "train_loss": epoch_fn(state, train, loss_fn,
                                                             state.generator, callbacks)}
            if val is not None and len(val) and math.isfinite(record["train_loss"]):
                eval_fn = evaluate_streams if isinstance(val, StreamData) else evaluate
                record["val_loss"] = eval_fn(network, val, loss_fn)
            if reduce is not None:
                record = reduce(record)
            record["seconds"] = time.perf_counter() - tic
            state.history.append(record)
            for cb in callbacks:
                cb.on_epoch_end(state, record)
    except StopTraining:
        pass
    finally:
        for cb in callbacks:
            cb.on_fit_end(state)
    network.eval()
    return state


def eval_mode(network: nn.Module) -> nn.Module:
    """``network`` in evaluation mode; skips ``eval()``'s walk when no module is training (a
    fitted network always is in eval mode, and the walk is a tenth of a one-series predict)."""
    if any(m.training for m in network.modules()):
        network.eval()
    return network


@torch.no_grad()
def predict_batches(network, data, batch_size: int = 4096, fixed: bool = False) -> torch.Tensor:
    """Network outputs for every sample of ``data`` (evaluation mode, no teacher forcing).

    With ``fixed``, every forward pass has exactly ``batch_size`` rows (the last batch repeats
    its final row), so a sample's prediction does not depend on how many others come with it:
    float32 matrix kernels round differently for different batch shapes.
    """
    eval_mode(network)
    n, outs = len(data), []
    for start in range(0, n, batch_size):
        if fixed:
            index = torch.arange(start, start + batch_size).clamp_max(n - 1)
            outs.append(_forward(network, data.batch(index), teacher=False)[: n - start])
        else:
            index = slice(start, start + batch_size)
            outs.append(_forward(network, data.batch(index), teacher=False))
    return torch.cat(outs) if outs else torch.zeros(0)
