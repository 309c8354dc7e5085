"""Static covariates in the network: embeddings of categories, and how they condition it (torch).

A batch's static covariates are one row per sample, ``(B, n_categories + n_numbers)`` floats:
first the category codes (``0 .. card - 1``; ``-1`` for a category not seen in fit), then the
standardised numbers. :class:`StaticConditioning` turns them into one vector per sample, each
category through its own ``nn.Embedding`` (an unseen one gets the mean of the learned
embeddings), the numbers as they are, and conditions the network with it in one of two ways
(``NetConfig.static_mode``):

- ``"state"``: the vector sets the initial hidden state of every layer (and the LSTM's cell
  state) through one linear layer and a tanh, so the network reads the whole window already
  knowing what kind of series it is;
- ``"input"``: the vector is appended to the inputs of every step, as constant channels.
"""

from __future__ import annotations

import torch
from torch import nn

from .netconfig import NetConfig
from .state import State

__all__ = ["StaticConditioning", "embedding_width", "static_input_width"]


def embedding_width(cardinality: int) -> int:
    """Width of a category's embedding: grows slowly with the number of categories, 2 to 16."""
    return int(min(16, max(2, round(1.6 * cardinality ** 0.56))))


def static_width(cfg: NetConfig) -> int:
    """Width of the static vector: every category's embedding, then the numbers."""
    return sum(embedding_width(c) for c in cfg.static_cards) + cfg.static_numbers


def static_input_width(cfg: NetConfig) -> int:
    """Extra input channels of every step: the static vector in ``"input"`` mode, else 0."""
    has = cfg.static_cards or cfg.static_numbers
    return static_width(cfg) if has and cfg.static_mode == "input" else 0


class StaticConditioning(nn.Module):
    """Static covariates -> one vector per sample -> initial state, or constant inputs."""

    def __init__(self, cfg: NetConfig):
        super().__init__()
        self.cfg = cfg
        self.embeddings = nn.ModuleList(nn.Embedding(c, embedding_width(c))
                                        for c in cfg.static_cards)
        width = static_width(cfg)
        self.n_states = 2 if cfg.cell == "lstm" else 1
        self.to_state = None
        if cfg.static_mode == "state":
            self.to_state = nn.Linear(width, self.n_states * cfg.num_layers
                                      * cfg.num_directions * cfg.hidden_size)

    def vector(self, static: torch.Tensor) -> torch.Tensor:
        """``(B, n_categories + n_numbers) -> (B, E)``."""
        parts = []
        for j, table in enumerate(self.embeddings):
            codes = static[:, j].long()  # (B,)
            known = table(codes.clamp_min(0))  # (B, e)
            unseen = table.weight.mean(0).expand_as(known)
            parts.append(torch.where((codes >= 0)[:, None], known, unseen))
        parts.append(static[:, len(self.embeddings):])  # (B, n_numbers)
        return torch.cat(parts, dim=1)

    def inputs(self, x: torch.Tensor, static: torch.Tensor) -> torch.Tensor:
        """``x`` with the static vector appended to every step: ``(B, L, F) -> (B, L, F+E)``."""
        v = self.vector(static).to(x.dtype)
        return torch.cat([x, v[:, None].expand(-1, x.shape[1], -1)], dim=2)

    def initial_state(self, static: torch.Tensor) -> State:
        """The hidden state (and LSTM cell state) the backbone starts from:
        ``(layers * D, B, H)`` each."""
        cfg, batch = self.cfg, static.shape[0]
        flat = torch.tanh(self.to_state(self.vector(static)))  # (B, n * layers*D * H)
        layers = cfg.num_layers * cfg.num_directions
        states = flat.view(batch, self.n_states, layers, cfg.hidden_size).permute(1, 2, 0, 3)
        if self.n_states == 2:
            return states[0].contiguous(), states[1].contiguous()
        return states[0].contiguous()
