"""The three heads of :class:`~tsrnn.nn.RNNNetwork` and non-crossing quantile outputs (torch).

Shapes are batch-first: ``B`` batch, ``L`` input steps, ``H`` hidden size, ``D`` directions,
``S`` output steps, ``O`` outputs per step, ``Q`` quantile levels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .netconfig import NetConfig, make_rnn, mlp
from .state import State

__all__ = [
    "EncoderDecoderHead",
    "LastStepHead",
    "PerStepHead",
    "last_layer_hidden",
    "monotone_quantiles",
]


def monotone_quantiles(raw: torch.Tensor, anchor: int) -> torch.Tensor:
    """Non-crossing quantiles from raw outputs ``(..., Q) -> (..., Q)``.

    The ``anchor`` level is the raw value itself; each level above it adds ``softplus(raw)`` to
    the level below, each level below subtracts ``softplus(raw)`` from the level above, so the
    levels never cross, whatever the inputs.
    """
    mid = raw[..., anchor : anchor + 1]  # (..., 1)
    up = mid + torch.cumsum(F.softplus(raw[..., anchor + 1 :]), dim=-1)  # (..., Q - anchor - 1)
    gaps = F.softplus(raw[..., :anchor]).flip(-1).cumsum(-1).flip(-1)  # suffix sums (..., anchor)
    return torch.cat([mid - gaps, mid, up], dim=-1)


def _levels(y: torch.Tensor, cfg: NetConfig) -> torch.Tensor:
    """Point outputs unchanged; with quantiles ``(..., O*Q) -> (..., O, Q)``, non-crossing."""
    if not cfg.quantiles:
        return y
    raw = y.view(*y.shape[:-1], cfg.output_size, cfg.n_levels)  # (..., O*Q) -> (..., O, Q)
    return monotone_quantiles(raw, cfg.point_index)


def _point(y: torch.Tensor, cfg: NetConfig) -> torch.Tensor:
    """The point forecast: ``(..., O, Q) -> (..., O)`` (unchanged without quantiles)."""
    return y[..., cfg.point_index] if cfg.quantiles else y


def last_layer_hidden(state: State, cfg: NetConfig) -> torch.Tensor:
    """Final hidden of the top layer, all directions: ``(layers*D, B, H) -> (B, D*H)``."""
    h = state[0] if isinstance(state, tuple) else state
    top = h[-cfg.num_directions :]  # (D, B, H)
    return top.transpose(0, 1).reshape(h.shape[1], -1)  # (D, B, H) -> (B, D*H)


class LastStepHead(nn.Module):
    """Seq-to-one and direct multi-horizon: final hidden state -> ``(B, horizon, O)``.

    Known-ahead features of the output steps (``future``, ``(B, S, Fc)``) join the hidden state.
    """

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        width = cfg.hidden_size * cfg.num_directions + cfg.horizon * cfg.future_size
        out = cfg.horizon * cfg.output_size * cfg.n_levels
        self.mlp = mlp(width, cfg.head_hidden, out, cfg.dropout)

    def forward(self, state: State, future: torch.Tensor | None = None) -> torch.Tensor:
        cfg = self.cfg
        last = last_layer_hidden(state, cfg)  # (B, D*H)
        if future is not None:
            last = torch.cat([last, future.flatten(1)], dim=1)  # -> (B, D*H + S*Fc)
        y = self.mlp(last)  # (B, width) -> (B, S*O*Q)
        y = y.view(-1, cfg.horizon, cfg.output_size * cfg.n_levels)  # -> (B, S, O*Q)
        return _levels(y, cfg)  # -> (B, S, O) or (B, S, O, Q)


class PerStepHead(nn.Module):
    """N-vs-N: an output at every input step, ``(B, L, D*H) -> (B, L, O)``."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        width = cfg.hidden_size * cfg.num_directions
        self.mlp = mlp(width, cfg.head_hidden, cfg.output_size * cfg.n_levels, cfg.dropout)

    def forward(self, out: torch.Tensor) -> torch.Tensor:
        return _levels(self.mlp(out), self.cfg)  # (B, L, D*H) -> (B, L, O) or (B, L, O, Q)


class EncoderDecoderHead(nn.Module):
    """N-vs-M: the encoder's final state seeds a decoder RNN rolled out for ``horizon`` steps.

    While training, pass ``teacher`` (the true outputs) and the decoder runs as one fused call
    on the shifted targets (teacher forcing). Without it, the decoder feeds back its own
    previous output one step at a time (the only Python loop over time in tsrnn).
    """

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.decoder = make_rnn(cfg, cfg.output_size + cfg.future_size, bidirectional=False)
        self.bridge = None
        if cfg.bidirectional:
            self.bridge = nn.Linear(2 * cfg.hidden_size, cfg.hidden_size)
        self.start = nn.Parameter(torch.zeros(cfg.output_size))
        self.proj = mlp(cfg.hidden_size, cfg.head_hidden, cfg.output_size * cfg.n_levels,
                         cfg.dropout)

    def _bridge(self, h: torch.Tensor) -> torch.Tensor:
        if self.bridge is None:
            return h
        layers, batch = self.cfg.num_layers, h.shape[1]
        # (layers*2, B, H) -> (layers, 2, B, H) -> (layers, B, 2H)
        both = h.view(layers, 2, batch, -1).permute(0, 2, 1, 3).reshape(layers, batch, -1)
        return torch.tanh(self.bridge(both))  # (layers, B, 2H) -> (layers, B, H)

    def decoder_state(self, state: State) -> State:
        if isinstance(state, tuple):
            return tuple(self._bridge(s) for s in state)
        return self._bridge(state)

    def _feedback(self, y: torch.Tensor) -> torch.Tensor:
        if self.cfg.feedback == "onehot":
            if y.dtype.is_floating_point:  # logits -> one-hot of the argmax
                y = y.argmax(-1)
            return F.one_hot(y.clamp_min(0), self.cfg.output_size).to(self.start.dtype)
        return y

    def forward(
        self,
        state: State,
        teacher: torch.Tensor | None = None,
        future: torch.Tensor | None = None,
    ) -> torch.Tensor:
        dec_state = self.decoder_state(state)
        batch = last_layer_hidden(state, self.cfg).shape[0]
        start = self.start.expand(batch, 1, -1)  # (O,) -> (B, 1, O)
        if teacher is not None:
            prev = self._feedback(teacher[:, :-1])  # (B, S-1, O) true previous outputs
            inputs = torch.cat([start, prev], dim=1)  # -> (B, S, O)
            if future is not None:
                inputs = torch.cat([inputs, future], dim=-1)  # -> (B, S, O+Fc)
            out, _ = self.decoder(inputs, dec_state)  # -> (B, S, H)
            return _levels(self.proj(out), self.cfg)  # (B, S, H) -> (B, S, O) or (B, S, O, Q)
        return self.rollout(start, dec_state, future)

    def rollout(
        self, prev: torch.Tensor, state: State, future: torch.Tensor | None = None
    ) -> torch.Tensor:
        outputs = []
        for t in range(self.cfg.horizon):
            step = prev if future is None else torch.cat([prev, future[:, t : t + 1]], dim=-1)
            out, state = self.decoder(step, state)  # (B, 1, O+Fc) -> (B, 1, H)
            y = _levels(self.proj(out), self.cfg)  # (B, 1, H) -> (B, 1, O) or (B, 1, O, Q)
            outputs.append(y)
            prev = self._feedback(_point(y, self.cfg))  # (B, 1, O)
        return torch.cat(outputs, dim=1)  # S x (B, 1, O[, Q]) -> (B, S, O[, Q])


