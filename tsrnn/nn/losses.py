"""Training losses (torch only): ``(pred, target) -> scalar``, optionally ignoring NaN targets.

The pinball (quantile) loss here trains quantile outputs; :func:`tsrnn.metrics.pinball_loss`
scores forecasts with the same definition in numpy (both take the actual values first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from .._validation import ConfigError

__all__ = ["LOSSES", "QUANTILE_LOSS", "LossFn", "make_loss", "pinball_loss"]

LOSSES = ("mse", "mae", "huber", "cross_entropy")
#: The loss of quantile forecasts (chosen by the ``quantiles`` parameter, not by ``loss``).
QUANTILE_LOSS = "pinball"


LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _masked(loss: Callable, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``loss`` over the targets that are not NaN; 0 (with a gradient of 0) where none is."""
    mask = ~torch.isnan(target)
    if not mask.any():
        return pred.sum() * 0.0
    return loss(pred[mask], target[mask])


def pinball_loss(target: torch.Tensor, pred: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """Mean pinball (quantile) loss of quantile forecasts ``pred`` ``(..., Q)`` against the
    actual values ``target`` ``(...)``.

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
            return pinball_loss(target, pred, levels.to(pred.device, pred.dtype))
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
