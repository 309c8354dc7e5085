"""Recurrent networks: a backbone (fused nn.RNN / nn.LSTM / nn.GRU) and three heads (torch only).

Every module takes a frozen :class:`NetConfig` and has ``forward(x, state=None) -> (y, state)``
with the hidden state explicit. Shapes are batch-first: ``B`` batch, ``L`` input steps,
``F`` features, ``H`` hidden size, ``D`` directions, ``S`` output steps, ``O`` outputs per step.
"""


from collections.abc import Iterable

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .heads import EncoderDecoderHead, LastStepHead, PerStepHead
from .netconfig import NetConfig, make_rnn
from .state import State, init_state
from .statics import StaticConditioning, static_input_width

__all__ = ["RNNBackbone", "RNNNetwork", "count_parameters", "nonfinite_weights"]


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
        input_size += static_input_width(cfg)  # static covariates as constant channels
        self.rnn = make_rnn(cfg, input_size * cfg.patch, cfg.bidirectional)

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
        has_static = bool(cfg.static_cards or cfg.static_numbers)
        self.statics = StaticConditioning(cfg) if has_static else None

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
        static: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, State]:
        if self.statics is not None:  # static covariates: (B, n_static)
            if static is None:
                raise ValueError("this network was built with static covariates; pass static=")
            if self.cfg.static_mode == "input":
                x = self.statics.inputs(x, static)
            elif state is None:
                state = self.statics.initial_state(static)
        out, state = self.backbone(x, state, lengths)  # (B, L, F) -> (B, L, D*H)
        if self.cfg.head == "last":
            return self.head(state, future), state
        if self.cfg.head == "per_step":
            return self.head(out), state
        return self.head(state, teacher=teacher, future=future), state


def nonfinite_weights(weights: Iterable[tuple[str, torch.Tensor]]) -> list[str]:
    """Names of the floating-point tensors among ``(name, tensor)`` pairs (``named_parameters()``
    or ``state_dict().items()``) that hold NaN or infinity."""
    return [name for name, w in weights if w.is_floating_point() and not torch.isfinite(w).all()]


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
