"""Hidden state helpers: a tensor ``h`` (RNN, GRU) or a pair ``(h, c)`` (LSTM), torch only.

Every tensor in a state has shape ``(num_layers * num_directions, batch, hidden_size)``.
"""

from __future__ import annotations

import torch

__all__ = [
    "State",
    "init_state",
    "detach_state",
    "select_state",
    "state_tensors",
    "state_from_tensors",
]

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def init_state(
    cell: str, num_layers: int, num_directions: int, batch_size: int, hidden_size: int,
    weight: torch.Tensor,
) -> State:
    """Zero state for ``batch_size`` sequences, on the device and dtype of ``weight``."""
    h = weight.new_zeros(num_layers * num_directions, batch_size, hidden_size)
    if cell == "lstm":
        return (h, weight.new_zeros(num_layers * num_directions, batch_size, hidden_size))
    return h


def detach_state(state: State | None) -> State | None:
    """Cut the autograd history of a state (call it at every truncated-BPTT boundary)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def select_state(state: State, index: torch.Tensor | slice) -> State:
    """Rows ``index`` of the batch dimension of a state."""
    if isinstance(state, tuple):
        return tuple(s[:, index] for s in state)
    return state[:, index]


def state_tensors(state: State) -> dict[str, torch.Tensor]:
    """A state as named tensors (``h`` and, for LSTM, ``c``) for saving."""
    if isinstance(state, tuple):
        return {"h": state[0].contiguous(), "c": state[1].contiguous()}
    return {"h": state.contiguous()}


def state_from_tensors(tensors: dict[str, torch.Tensor]) -> State:
    """Inverse of :func:`state_tensors`."""
    if "c" in tensors:
        return (tensors["h"], tensors["c"])
    return tensors["h"]
