"""Recurrent networks: a backbone (fused nn.RNN / nn.LSTM / nn.GRU) and three heads (torch only).

Every module takes a frozen :class:`NetConfig` and has ``forward(x, state=None) -> (y, state)``
with the hidden state explicit. Shapes are batch-first: ``B`` batch, ``L`` input steps,
``F`` features, ``H`` hidden size, ``D`` directions, ``S`` output steps, ``O`` outputs per step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..metrics.intervals import point_level
from .state import State, init_state

__all__ = [
    "CELLS",
    "HEADS",
    "NetConfig",
    "RNNBackbone",
    "LastStepHead",
    "PerStepHead",
    "EncoderDecoderHead",
    "RNNNetwork",
    "monotone_quantiles",
    "count_parameters",
]

CELLS = ("rnn", "lstm", "gru")
HEADS = ("last", "per_step", "encoder_decoder")
_RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


@dataclass(frozen=True)
class NetConfig:
    """Everything needed to build an :class:`RNNNetwork`.

    Parameters
    ----------
    input_size : int, default=1
        Features per input step (ignored when ``vocab_size`` > 0).
    output_size : int, default=1
        Values per output step (regression) or number of classes (classification).
    horizon : int, default=1
        Output steps of the ``last`` and ``encoder_decoder`` heads.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=64
        Hidden units per layer and direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    dropout : float, default=0.0
        Dropout between recurrent layers (and before the head).
    bidirectional : bool, default=False
        Run the backbone in both directions.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``rnn`` cell.
    vocab_size : int, default=0
        If > 0, inputs are token ids ``(B, L)`` looked up in an ``nn.Embedding``.
    embedding_dim : int, default=0
        Embedding width (used when ``vocab_size`` > 0).
    padding_idx : int or None, default=None
        Token id whose embedding stays zero.
    head : {"last", "per_step", "encoder_decoder"}, default="last"
        ``last``: final hidden state -> MLP -> ``(B, horizon, O)``; ``per_step``: an output at
        every input step ``(B, L, O)``; ``encoder_decoder``: the final state seeds a decoder RNN
        rolled out for ``horizon`` steps ``(B, horizon, O)``.
    head_hidden : int, default=0
        Width of the hidden layer of the head's MLP (0 = a single linear layer).
    future_size : int, default=0
        Known-ahead features given to the decoder at every output step.
    feedback : {"value", "onehot"}, default="value"
        What the decoder feeds back: its previous value (regression) or the one-hot of its
        previous class (classification).
    quantiles : tuple of float, default=()
        Quantile levels (ascending, in (0, 1)). When given, every output value becomes ``Q``
        non-crossing quantiles (see :func:`monotone_quantiles`) and the heads return
        ``(B, S, O, Q)``; the decoder feeds back the level nearest 0.5.
    patch : int, default=1
        Consecutive input steps the backbone reads as one recurrent step:
        ``(B, L, F) -> (B, L / patch, patch * F)``, so the cell runs ``patch`` times fewer
        sequential steps. ``L`` must be a multiple of ``patch``; not with packed sequences.
    """

    input_size: int = 1
    output_size: int = 1
    horizon: int = 1
    cell: str = "lstm"
    hidden_size: int = 64
    num_layers: int = 1
    dropout: float = 0.0
    bidirectional: bool = False
    nonlinearity: str = "tanh"
    vocab_size: int = 0
    embedding_dim: int = 0
    padding_idx: int | None = None
    head: str = "last"
    head_hidden: int = 0
    future_size: int = 0
    feedback: str = "value"
    quantiles: tuple[float, ...] = ()
    patch: int = 1

    def __post_init__(self) -> None:
        levels = tuple(float(q) for q in self.quantiles)
        object.__setattr__(self, "quantiles", levels)  # JSON gives a list back
        if list(levels) != sorted(set(levels)) or not all(0 < q < 1 for q in levels):
            raise ValueError(f"quantiles must be distinct ascending levels in (0, 1), got "
                             f"{levels}")
        if levels and self.feedback != "value":
            raise ValueError("quantiles need feedback='value' (a regression network)")
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {self.nonlinearity!r}")
        if not (isinstance(self.patch, int) and self.patch >= 1):
            raise ValueError(f"patch must be an integer >= 1, got {self.patch!r}")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def n_levels(self) -> int:
        """Outputs per predicted value: the number of quantiles, or 1 for a point forecast."""
        return max(1, len(self.quantiles))

    @property
    def point_index(self) -> int:
        """The quantile fed back and used as the point forecast: 0.5, or the level nearest."""
        return point_level(self.quantiles) if self.quantiles else 0

    def to_dict(self) -> dict:
        return asdict(self)


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


def _make_rnn(cfg: NetConfig, input_size: int, bidirectional: bool) -> nn.RNNBase:
    kwargs = dict(
        input_size=input_size,
        hidden_size=cfg.hidden_size,
        num_layers=cfg.num_layers,
        dropout=cfg.dropout if cfg.num_layers > 1 else 0.0,
        bidirectional=bidirectional,
        batch_first=True,
    )
    if cfg.cell == "rnn":
        kwargs["nonlinearity"] = cfg.nonlinearity
    return _RNN_CLASSES[cfg.cell](**kwargs)


def _mlp(in_features: int, hidden: int, out_features: int, dropout: float) -> nn.Module:
    if hidden <= 0:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, out_features))
    return nn.Sequential(
        nn.Dropout(dropout),
        nn.Linear(in_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, out_features),
    )


class RNNBackbone(nn.Module):
    """Optional embedding, then one fused recurrent module over the whole sequence."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.embedding = None
        input_size = cfg.input_size
        if cfg.vocab_size > 0:
            self.embedding = nn.Embedding(cfg.vocab_size, cfg.embedding_dim, cfg.padding_idx)
            input_size = cfg.embedding_dim
        self.rnn = _make_rnn(cfg, input_size * cfg.patch, cfg.bidirectional)

    def init_state(self, batch_size: int) -> State:
        cfg = self.cfg
        return init_state(cfg.cell, cfg.num_layers, cfg.num_directions, batch_size,
                          cfg.hidden_size, self.rnn.weight_ih_l0)

    def forward(
        self, x: torch.Tensor, state: State | None = None, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, State]:
        if self.embedding is not None:
            x = self.embedding(x)  # (B, L) -> (B, L, E)
        if self.cfg.patch > 1:
            x = self._patches(x, lengths)  # (B, L, F) -> (B, L/p, p*F)
        if state is None:
            state = self.init_state(x.shape[0])
        if lengths is None:
            out, state = self.rnn(x, state)  # (B, L, F) -> (B, L, D*H)
            return out, state
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed, state)
        # packed -> (B, L, D*H), zeros past each length
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, state


    def _patches(self, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        p = self.cfg.patch
        batch, steps, width = x.shape
        if lengths is not None or steps % p:
            raise ValueError(f"patch {p} needs whole patches and no packed sequences; got "
                             f"{steps} steps" + (" with lengths" if lengths is not None else ""))
        return x.reshape(batch, steps // p, p * width)  # (B, L, F) -> (B, L/p, p*F)


def _last_layer_hidden(state: State, cfg: NetConfig) -> torch.Tensor:
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
        self.mlp = _mlp(width, cfg.head_hidden, out, cfg.dropout)

    def forward(self, state: State, future: torch.Tensor | None = None) -> torch.Tensor:
        cfg = self.cfg
        last = _last_layer_hidden(state, cfg)  # (B, D*H)
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
        self.mlp = _mlp(width, cfg.head_hidden, cfg.output_size * cfg.n_levels, cfg.dropout)

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
        self.decoder = _make_rnn(cfg, cfg.output_size + cfg.future_size, bidirectional=False)
        self.bridge = None
        if cfg.bidirectional:
            self.bridge = nn.Linear(2 * cfg.hidden_size, cfg.hidden_size)
        self.start = nn.Parameter(torch.zeros(cfg.output_size))
        self.proj = _mlp(cfg.hidden_size, cfg.head_hidden, cfg.output_size * cfg.n_levels,
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
        batch = _last_layer_hidden(state, self.cfg).shape[0]
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


class RNNNetwork(nn.Module):
    """Backbone plus one head; ``forward(x, state=None) -> (y, state)``.

    ``y`` is ``(B, S, O)``; ``state`` is the backbone's final hidden state, so a caller can carry
    it into the next window (stateful use).
    """

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.backbone = RNNBackbone(cfg)
        head = {"last": LastStepHead, "per_step": PerStepHead,
                "encoder_decoder": EncoderDecoderHead}[cfg.head]
        self.head = head(cfg)

    def init_state(self, batch_size: int) -> State:
        return self.backbone.init_state(batch_size)

    def forward(
        self,
        x: torch.Tensor,
        state: State | None = None,
        *,
        lengths: torch.Tensor | None = None,
        teacher: torch.Tensor | None = None,
        future: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        out, state = self.backbone(x, state, lengths)  # (B, L, F) -> (B, L, D*H)
        if self.cfg.head == "last":
            return self.head(state, future), state
        if self.cfg.head == "per_step":
            return self.head(out), state
        return self.head(state, teacher=teacher, future=future), state


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
