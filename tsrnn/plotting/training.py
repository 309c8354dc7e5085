"""Figure of training curves: loss per epoch from an estimator's ``history_``.

matplotlib is imported lazily, so ``import tsrnn`` never pays for it; the figure is built
without pyplot. Write it with :func:`~tsrnn.plotting.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._validation import DataError
from ._figures import _new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_history"]


def _loss_curve(records: Sequence[Mapping], key: str) -> np.ndarray | None:
    """Losses under ``key`` as floats (NaN where missing), or None if no record has it."""
    values = [record.get(key) for record in records]
    if all(v is None for v in values):
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def plot_history(
    history_: Sequence[Mapping[str, float]], *, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Plot training (and validation) loss per epoch on a log scale.

    Parameters
    ----------
    history_ : list of dict
        One record per epoch, e.g. ``{"epoch": 1, "train_loss": 0.5, "val_loss": 0.6}`` as in an
        estimator's ``history_``; ``val_loss`` is optional, ``epoch`` defaults to 1, 2, ...
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default: a new figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The y axis is logarithmic when every loss is positive, linear otherwise.
    """
    records = list(history_)
    if not records or not all(isinstance(r, Mapping) for r in records):
        raise DataError(
            f"history_ must be a non-empty list of per-epoch dicts, got {history_!r:.80}; "
            "fit the model first"
        )
    train = _loss_curve(records, "train_loss")
    if train is None:
        raise DataError(f"history_ records have no 'train_loss' (keys: {sorted(records[0])})")
    epochs = [record.get("epoch", i + 1) for i, record in enumerate(records)]
    axis = _new_axes(1, ax, (6.0, 3.6))[0]
    marker = "o" if len(records) <= 30 else None
    axis.plot(epochs, train, marker=marker, ms=3, label="train loss")
    val = _loss_curve(records, "val_loss")
    if val is not None:
        axis.plot(epochs, val, marker=marker, ms=3, ls="--", label="validation loss")
    _finish_loss_axis(axis, train, val, title)
    return axis.figure


def _finish_loss_axis(
    axis: Axes, train: np.ndarray, val: np.ndarray | None, title: str | None
) -> None:
    """Log scale when every finite loss is positive, integer epoch ticks, labels and legend."""
    losses = np.concatenate([train, val if val is not None else []])
    if np.all(losses[np.isfinite(losses)] > 0):
        axis.set_yscale("log")
    from matplotlib.ticker import MaxNLocator

    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("epoch")
    axis.set_ylabel("loss")
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    if title:
        axis.set_title(title)
