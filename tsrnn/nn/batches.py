"""In-memory training data batched by index (torch only): samples, panel windows and streams.

Every data object has ``len()``, ``to(device)`` and either ``batch(index) -> Batch`` (samples and
windows, batched by index slicing or one gather per batch) or ``chunks(index)`` (stateful
streams, walked in time order). :class:`Batch` has named fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import torch

__all__ = ["Batch", "StreamData", "TensorData", "WindowData", "WindowTransform"]

#: ``transform(x, y) -> (x, y)``: what the network sees of a batch of windows ``x`` ``(B, L, C)``
#: and its targets ``y`` ``(B, H, K)`` (e.g. each window normalised by its own statistics).
WindowTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class Batch(NamedTuple):
    """One mini-batch. ``y`` is ``(B, S, O)`` floats, or ``(B, S)`` class ids."""

    x: torch.Tensor
    y: torch.Tensor | None = None
    lengths: torch.Tensor | None = None
    future: torch.Tensor | None = None
    static: torch.Tensor | None = None  # (B, n_static): see tsrnn.nn.statics


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
    static : Tensor of shape (n, n_static) or None, default=None
        Static covariates of each sample (see :mod:`tsrnn.nn.statics`).
    """

    def __init__(self, x, y=None, lengths=None, future=None, static=None):
        self.x, self.y, self.lengths, self.future = x, y, lengths, future
        self.static = static

    def __len__(self) -> int:
        return self.x.shape[0]

    def to(self, device: torch.device) -> TensorData:
        move = (lambda t: None if t is None else t.to(device))  # noqa: E731
        return TensorData(move(self.x), move(self.y), self.lengths, move(self.future),
                          move(self.static))

    def batch(self, index: torch.Tensor | slice) -> Batch:
        pick = (lambda t: None if t is None else t[index])  # noqa: E731
        lengths = None if self.lengths is None else self.lengths[
            index.cpu() if isinstance(index, torch.Tensor) else index]
        return Batch(pick(self.x), pick(self.y), lengths, pick(self.future), pick(self.static))


class WindowData:
    """Windows of a concatenated panel ``(N, C)``, gathered per batch by start row.

    The panel is never copied into windows: a batch of ``B`` windows is one gather of
    ``B * (lookback + horizon)`` rows. Channels ``[0, n_targets)`` are the targets.

    Parameters
    ----------
    values : Tensor of shape (N, C)
        Series concatenated (scaled), targets first.
    starts : Tensor of int64, shape (n,)
        First row of each window (see :func:`tsrnn.data.window_starts`).
    lookback, horizon, n_targets : int
        Window geometry.
    future_cols : sequence of int, default=()
        Channels known ahead; their values over the horizon go to the head as ``future``.
    transform : callable or None, default=None
        ``transform(x, y) -> (x, y)`` applied to every batch (see :data:`WindowTransform`).
    static : Tensor of shape (n_series, n_static) or None, default=None
        Static covariates of every series (see :mod:`tsrnn.nn.statics`).
    series : Tensor of int64, shape (n,) or None, default=None
        The series of each window (the row of ``static`` its batch rows take).
    """

    def __init__(self, values, starts, lookback, horizon, n_targets, future_cols=(),
                 transform: WindowTransform | None = None, static=None, series=None):
        self.values, self.starts = values, starts
        self.static, self.series = static, series
        self.lookback, self.horizon, self.n_targets = lookback, horizon, n_targets
        self.future_cols = list(future_cols)
        self.transform = transform
        self.masked = getattr(transform, "masked", False)  # targets may be NaN: a masked loss
        self.steps = torch.arange(lookback + horizon, device=values.device)

    def __len__(self) -> int:
        return self.starts.shape[0]

    def to(self, device: torch.device) -> WindowData:
        move = (lambda t: None if t is None else t.to(device))  # noqa: E731
        return WindowData(self.values.to(device), self.starts.to(device), self.lookback,
                          self.horizon, self.n_targets, self.future_cols, self.transform,
                          move(self.static), move(self.series))

    def batch(self, index: torch.Tensor | slice) -> Batch:
        rows = self.starts[index][:, None] + self.steps  # (B,) -> (B, L+H)
        w = self.values[rows]  # (N, C) -> (B, L+H, C)
        x = w[:, : self.lookback]  # (B, L, C)
        y = w[:, self.lookback :, : self.n_targets]  # (B, H, K)
        future = w[:, self.lookback :, self.future_cols] if self.future_cols else None
        if self.transform is not None:
            x, y = self.transform(x, y)
        static = None if self.static is None else self.static[self.series[index]]
        return Batch(x, y, None, future, static)


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
