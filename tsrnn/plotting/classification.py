"""Figure of a classifier's errors: the confusion-matrix heatmap.

matplotlib is imported lazily, so ``import tsrnn`` never pays for it; the figure is built
without pyplot. Write it with :func:`~tsrnn.plotting.save_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._validation import DataError
from ._figures import _new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_confusion"]


def _confusion_counts(y_true: object, y_pred: object, labels: object) -> tuple[np.ndarray, list]:
    """Count matrix (true rows, predicted columns) and the label list, validating inputs."""
    true, pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if true.shape != pred.shape:
        raise DataError(
            f"y_true has {true.size} labels but y_pred has {pred.size}; pass one prediction each"
        )
    if labels is None:
        labels = np.unique(np.concatenate([true, pred]))
    labels = np.asarray(labels).tolist()
    position = {label: i for i, label in enumerate(labels)}
    unknown = sorted({str(v) for v in true.tolist() + pred.tolist() if v not in position})
    if unknown:
        raise DataError(f"labels {unknown[:5]} occur in the data but not in labels={labels}")
    counts = np.zeros((len(labels), len(labels)))
    rows = [position[v] for v in true.tolist()]
    cols = [position[v] for v in pred.tolist()]
    np.add.at(counts, (rows, cols), 1)
    return counts, labels


def _annotate(axis: Axes, matrix: np.ndarray, normalize: bool) -> None:
    """Write each non-zero cell's value; small font for many classes, white on dark cells."""
    n = matrix.shape[0]
    size = 9 if n <= 10 else 7 if n <= 20 else 5
    threshold = matrix.max() / 2 if matrix.max() > 0 else 1
    for (i, j), value in np.ndenumerate(matrix):
        if value == 0:
            continue
        text = f"{value:.2f}".lstrip("0") if normalize else f"{int(value)}"
        color = "white" if value > threshold else "black"
        axis.text(j, i, text, ha="center", va="center", fontsize=size, color=color)


def _label_classes(axis: Axes, names: list[str]) -> None:
    """Name the classes along both axes; rotate long or many names, shrink them past ten."""
    n = len(names)
    rotate = 90 if n > 8 or max(len(s) for s in names) > 4 else 0
    axis.set_xticks(range(n), labels=names, rotation=rotate, fontsize=8 if n > 10 else 10)
    axis.set_yticks(range(n), labels=names, fontsize=8 if n > 10 else 10)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")


def plot_confusion(
    y_true: object,
    y_pred: object,
    labels: Sequence | None = None,
    normalize: bool = True,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Confusion-matrix heatmap: true labels down, predicted labels across.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True class labels.
    y_pred : array-like of shape (n,)
        Predicted class labels.
    labels : sequence, optional
        Class order of the rows and columns; default: the sorted labels that occur.
    normalize : bool, default=True
        Show each row as fractions of that true class (rows sum to 1; empty rows stay 0)
        instead of counts.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default: a new figure sized to the number of classes.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        Cells are annotated with their values (zeros left blank) for up to 30 classes.
    """
    counts, labels = _confusion_counts(y_true, y_pred, labels)
    matrix = counts
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        matrix = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    n = len(labels)
    side = min(max(4.5, 0.45 * n + 2.5), 16.0)
    axis = _new_axes(1, ax, (side + 1.0, side))[0]
    image = axis.imshow(matrix, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    _label_classes(axis, [str(label) for label in labels])
    if n <= 30:
        _annotate(axis, matrix, normalize)
    axis.figure.colorbar(
        image, ax=axis, shrink=0.8, label="fraction of true class" if normalize else "count"
    )
    if title:
        axis.set_title(title)
    return axis.figure
