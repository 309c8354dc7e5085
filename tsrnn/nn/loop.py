"""Training loop: ``fit_loop -> run_epoch -> train_step / eval_step`` with callbacks (torch only).

Data stays in memory as tensors and is batched by index (``Batch`` has named fields). Callbacks
are small objects with no-op hooks; any of them may raise :class:`StopTraining`.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import ConfigError
from .callbacks import (
    Callback,
    DivergenceGuard,
    EarlyStopping,
    FitState,
    ProgressBar,
    StopTraining,
)
from .state import detach_state

__all__ = [
    "Batch",
    "TensorData",
    "WindowData",
    "eval_mode",
    "StreamData",
    "window_stats",
    "seasonal_base",
    "TrainConfig",
    "FitState",
    "Callback",
    "EarlyStopping",
    "ProgressBar",
    "StopTraining",
    "LOSSES",
    "QUANTILE_LOSS",
    "pinball_loss",
    "make_loss",
    "resolve_device",
    "seeded",
    "train_step",
    "eval_step",
    "run_epoch",
    "evaluate",
    "fit_loop",
    "Resume",
    "predict_batches",
]

LOSSES = ("mse", "mae", "huber", "cross_entropy")
#: The loss of quantile forecasts (chosen by the ``quantiles`` parameter, not by ``loss``).
QUANTILE_LOSS = "pinball"


class Batch(NamedTuple):
    """One mini-batch. ``y`` is ``(B, S, O)`` floats, or ``(B, S)`` class ids."""

    x: torch.Tensor
    y: torch.Tensor | None = None
    lengths: torch.Tensor | None = None
    future: torch.Tensor | None = None


class TensorData:
    """In-memory samples batched by index slicing (no per-sample collation).

    Parameters
    ----------
    x : Tensor of shape (n, L, F) or (n, L)
        Inputs (floats, or token ids).
    y : Tensor or None, default=None
        Targets, first dimension ``n``.
    lengths : Tensor of shape (n,) or None, default=None
        Valid steps of each padded sequence (kept on the CPU, as packing needs).
    future : Tensor of shape (n, S, Fc) or None, default=None
        Known-ahead decoder inputs.
    """

    def __init__(self, x, y=None, lengths=None, future=None):
        self.x, self.y, self.lengths, self.future = x, y, lengths, future

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device) -> TensorData:
        move = (lambda t: None if t is None else t.to(device))  # noqa: E731
        return TensorData(move(self.x), move(self.y), self.lengths, move(self.future))

    def batch(self, index: torch.Tensor | slice) -> Batch:
        pick = (lambda t: None if t is None else t[index])  # noqa: E731
        lengths = None if self.lengths is None else self.lengths[
            index.cpu() if isinstance(index, torch.Tensor) else index]
        return Batch(pick(self.x), pick(self.y), lengths, pick(self.future))


class WindowData:
    """Windows of a concatenated panel ``(N, C)``, gathered per batch by start row.

    The panel is never copied into windows: a batch of ``B`` windows is one gather of
    ``B * (lookback + horizon)`` rows. Channels ``[0, n_targets)`` are the targets.

    Parameters
    ----------
    values : Tensor of shape (N, C)
        Series concatenated (scaled), targets first.
    starts : Tensor of int64, shape (n,)
        First row of each window (see :func:`tsrnn.data.windows.window_starts`).
    lookback, horizon, n_targets : int
        Window geometry.
    future_cols : sequence of int, default=()
        Channels known ahead; their values over the horizon go to the head as ``future``.
    window_norm : {None, "mean", "last", "standard"}, default=None
        Normalise each window's target channels (inputs and targets) by the window's own
        statistics (see :func:`window_stats`).
    season : int or None, default=None
        Make the targets residuals from the window's seasonal-naive forecast (see
        :func:`seasonal_base`).
    """

    def __init__(self, values, starts, lookback, horizon, n_targets, future_cols=(),
                 window_norm=None, season=None):
        self.values, self.starts = values, starts
        self.lookback, self.horizon, self.n_targets = lookback, horizon, n_targets
        self.future_cols = list(future_cols)
        self.window_norm, self.season = window_norm, season
        self.steps = torch.arange(lookback + horizon, device=values.device)

    def __len__(self) -> int:
        return self.starts.shape[0]

    def to(self, device: torch.device) -> WindowData:
        return WindowData(self.values.to(device), self.starts.to(device), self.lookback,
                          self.horizon, self.n_targets, self.future_cols, self.window_norm,
                          self.season)

    def batch(self, index: torch.Tensor | slice) -> Batch:
        rows = self.starts[index][:, None] + self.steps  # (B,) -> (B, L+H)
        w = self.values[rows]  # (N, C) -> (B, L+H, C)
        x, k = w[:, : self.lookback], self.n_targets  # (B, L, C)
        y = w[:, self.lookback :, :k]  # (B, H, K)
        future = w[:, self.lookback :, self.future_cols] if self.future_cols else None
        if self.window_norm is not None:
            level, scale = window_stats(x[..., :k], self.window_norm)  # (B, 1, K) each
            x = torch.cat([(x[..., :k] - level) / scale, x[..., k:]], dim=-1)
            y = (y - level) / scale
        if self.season is not None:
            y = y - seasonal_base(x[..., :k], self.season, self.horizon)
        return Batch(x, y, None, future)


def seasonal_base(x_targets: torch.Tensor, season: int, steps: int) -> torch.Tensor:
    """The seasonal-naive forecast of each window: its last season repeated,
    ``(B, L, K) -> (B, steps, K)``."""
    lookback = x_targets.shape[1]
    index = lookback - season + torch.arange(steps, device=x_targets.device) % season
    return x_targets[:, index]


class StreamData:
    """Contiguous streams walked in chunks of ``bptt`` steps with the hidden state carried.

    Parameters
    ----------
    x : Tensor of shape (n_streams, S, C)
        Inputs of every stream step (zeros past a stream's end).
    y : Tensor of shape (n_streams, S, O)
        Per-step targets; NaN where there is no target (padding, validation, series end).
    bptt : int
        Steps per chunk: gradients flow back at most this far (truncated BPTT).
    """

    masked = True

    def __init__(self, x, y, bptt):
        self.x, self.y, self.bptt = x, y, bptt
        valid = (~torch.isnan(y)).sum(dim=2).cpu()  # (n, S) targets per step
        bounds = range(0, x.shape[1], bptt)
        # (n, n_chunks): how many targets each chunk of each stream holds
        self.counts = torch.stack([valid[:, k : k + bptt].sum(1) for k in bounds], dim=1)

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device) -> StreamData:
        moved = StreamData.__new__(StreamData)
        moved.x, moved.y, moved.bptt = self.x.to(device), self.y.to(device), self.bptt
        moved.counts = self.counts
        return moved

    def chunks(self, index) -> Iterator[tuple[Batch, int]]:
        """``(Batch, n_targets)`` for each chunk of the streams ``index``, in time order."""
        counts = self.counts[index.cpu() if isinstance(index, torch.Tensor) else index].sum(0)
        for k, start in enumerate(range(0, self.x.shape[1], self.bptt)):
            stop = start + self.bptt
            yield Batch(self.x[index, start:stop], self.y[index, start:stop]), int(counts[k])


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
            state.optimizer.zero_grad(set_to_none=True)
            out, hidden = network(batch.x, hidden)
            loss = loss_fn(out, batch.y)
            loss.backward()
            if cfg.clip_grad is not None:
                nn.utils.clip_grad_norm_(network.parameters(), cfg.clip_grad, foreach=True)
            state.optimizer.step()
            state.step += 1
            hidden = detach_state(hidden)  # truncated BPTT boundary
            total += loss.detach() * count
            seen += count
            for cb in callbacks:
                cb.on_batch_end(state, loss.detach())
    return float(total) / max(seen, 1)


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


def window_stats(x_targets: torch.Tensor, how: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Level and scale of each window's targets, ``(B, L, K) -> (B, 1, K), (B, 1, K)``.

    ``"mean"``/``"last"``: the mean or last value, scale 1; ``"standard"``: the mean and the
    standard deviation (at least 0.1, in units of the per-series scaler, so flat windows do not
    blow up).
    """
    if how == "last":
        level = x_targets[:, -1:]
    else:
        level = x_targets.mean(dim=1, keepdim=True)
    if how == "standard":
        return level, x_targets.std(dim=1, keepdim=True).clamp_min(0.1)
    return level, torch.ones_like(level)


@dataclass
class TrainConfig:
    """Settings of one training run.

    Parameters
    ----------
    epochs : int, default=100
        Passes over the training data.
    batch_size : int, default=64
        Samples per optimiser step.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        Adam weight decay.
    loss : {"mse", "mae", "huber", "cross_entropy"}, default="mse"
        Training loss.
    clip_grad : float or None, default=1.0
        Maximum gradient norm (None turns clipping off).
    shuffle : bool, default=True
        Shuffle samples each epoch (stateful streams are never shuffled).
    teacher_forcing : bool, default=True
        Give the targets to an encoder-decoder head while training.
    device : str, default="cpu"
        Torch device, already resolved.
    seed : int or None, default=None
        Seed of the shuffling generator.
    verbose : bool, default=False
        Show a progress bar.
    max_steps : int or None, default=None
        Stop after this many optimiser steps in all (None: run every epoch).
    on_divergence : {"raise", "rollback"}, default="raise"
        What a non-finite loss or weight does: raise :class:`~tsrnn.TrainingError` naming
        the epoch, or put back the best finite epoch's weights and stop with a warning.
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


def _masked(loss: Callable, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    mask = ~torch.isnan(target)
    return loss(pred[mask], target[mask])


LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def pinball_loss(pred: torch.Tensor, target: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """Mean pinball (quantile) loss of quantile forecasts ``(..., Q)`` against targets ``(...)``.

    ``max(q (y - yhat), (q - 1) (y - yhat))`` averaged over every value and level; at the level
    0.5 it is half the absolute error.
    """
    diff = target.unsqueeze(-1) - pred  # (...) -> (..., 1) - (..., Q)
    return torch.maximum(levels * diff, (levels - 1.0) * diff).mean()


def make_loss(name: str, masked: bool = False, quantiles: Sequence[float] = ()) -> LossFn:
    """Loss function ``(pred, target) -> scalar``; ``masked`` ignores NaN targets.

    ``name="pinball"`` (:data:`QUANTILE_LOSS`) trains quantile outputs ``(..., Q)`` on the
    levels ``quantiles`` with :func:`pinball_loss`.
    """
    if name == QUANTILE_LOSS:
        if not quantiles:
            raise ConfigError("the pinball loss needs quantile levels, e.g. "
                              "quantiles=(0.05, 0.5, 0.95)")
        levels = torch.tensor(quantiles, dtype=torch.float32)

        def pinball(pred, target):  # (..., Q), (...)
            return pinball_loss(pred, target, levels.to(pred.device, pred.dtype))
        return (lambda p, t: _masked(pinball, p, t)) if masked else pinball
    if name == "cross_entropy":
        def cross_entropy(logits, target):  # (B, S, C), (B, S); -100 marks padding
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                   ignore_index=-100)
        return cross_entropy
    losses = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss}
    if name not in losses:
        raise ConfigError(f"loss must be one of {LOSSES}, got {name!r}")
    fn = losses[name]
    return (lambda p, t: _masked(fn, p, t)) if masked else fn


def _forward(network: nn.Module, batch: Batch, teacher: bool) -> torch.Tensor:
    y, _ = network(batch.x, lengths=batch.lengths, future=batch.future,
                   teacher=batch.y if teacher else None)
    return y


def train_step(network, batch: Batch, loss_fn, optimizer, clip_grad=None,
               teacher_forcing=True) -> torch.Tensor:
    """One optimiser step; returns the (detached) batch loss."""
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(_forward(network, batch, teacher_forcing), batch.y)
    loss.backward()
    if clip_grad is not None:
        nn.utils.clip_grad_norm_(network.parameters(), clip_grad, foreach=True)
    optimizer.step()
    return loss.detach()


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


def evaluate(network, data, loss_fn, batch_size: int = 1024) -> float:
    """Mean loss over ``data`` in evaluation mode."""
    network.eval()
    total = 0.0
    for index in _batches(len(data), batch_size, None):
        batch = data.batch(index)
        total += float(eval_step(network, batch, loss_fn)) * batch.x.shape[0]
    return total / len(data)


def _total_steps(train, config: TrainConfig, start_epoch: int) -> int:
    """Optimiser steps of the whole fit (for the learning-rate schedule)."""
    batches = math.ceil(len(train) / config.batch_size)
    if isinstance(train, StreamData):  # one step per chunk (chunks with no target are skipped)
        batches *= math.ceil(train.x.shape[1] / train.bptt)
    total = batches * (start_epoch + config.epochs)
    return min(total, config.max_steps) if config.max_steps else total


@dataclass
class Resume:
    """Where an interrupted fit stopped: optimiser steps taken and the two RNG states."""

    step: int
    generator_state: torch.Tensor
    rng_state: torch.Tensor


def _start(network, config: TrainConfig, optimizer, history, resume: Resume | None) -> FitState:
    if optimizer is None:
        optimizer = torch.optim.Adam(network.parameters(), lr=config.lr,
                                     weight_decay=config.weight_decay)
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
