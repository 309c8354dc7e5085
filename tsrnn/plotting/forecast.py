"""Figures for forecasts, training curves and confusion matrices.

matplotlib is imported inside the functions, so ``import tsrnn`` never pays for it. Every
function builds a :class:`matplotlib.figure.Figure` directly (no pyplot state, nothing is ever
shown), which works under any backend, including ``Agg`` on a headless server. Write figures
with :func:`save_figure`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._validation import ConfigError, DataError, check_positive_int

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_forecast", "plot_history", "plot_backtest", "plot_confusion", "save_figure"]


def _new_axes(n_panels: int, ax: Axes | None, panel_size: tuple[float, float]) -> list[Axes]:
    """Return ``ax`` alone, or the axes of a new figure with ``n_panels`` stacked rows."""
    if ax is not None:
        if n_panels != 1:
            raise ConfigError(
                f"ax holds one panel but there are {n_panels} targets to plot; pass ax=None "
                "to get one panel per target"
            )
        return [ax]
    from matplotlib.figure import Figure

    width, height = panel_size
    fig = Figure(figsize=(width, height * n_panels), layout="constrained")
    return list(fig.subplots(n_panels, 1, squeeze=False, sharex=True)[:, 0])


# --------------------------------------------------------------------------- forecasts


def _as_frame(name: str, data: object, targets: Sequence[str] | None) -> pd.DataFrame:
    """A DataFrame from a Series or DataFrame; a Series is named after the single target."""
    if isinstance(data, pd.Series):
        if targets is not None and len(targets) != 1:
            raise DataError(
                f"{name} is a Series but the forecast has {len(targets)} targets "
                f"{list(targets)}; pass {name} as a DataFrame with those columns"
            )
        column = targets[0] if targets is not None else (data.name or "value")
        return data.rename(column).to_frame()
    if isinstance(data, pd.DataFrame):
        return data
    raise DataError(
        f"{name} must be a pandas Series or DataFrame indexed by time, got {type(data).__name__}"
    )


def _check_columns(name: str, frame: pd.DataFrame, needed: Sequence[str]) -> None:
    """Raise DataError naming the columns ``frame`` lacks."""
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"{name} has no column(s) {missing} (columns: {list(frame.columns)}); pass {name} "
            "with the forecast's target columns"
        )


def _target_columns(forecast: pd.DataFrame, id_col: str | None) -> list:
    """Numeric columns of ``forecast`` other than ``id_col``; DataError if there are none."""
    targets = [
        c for c in forecast.columns if c != id_col and pd.api.types.is_numeric_dtype(forecast[c])
    ]
    if not targets:
        raise DataError(
            f"forecast has no numeric target column (columns: {list(forecast.columns)}); "
            "pass the forecast values indexed by time"
        )
    return targets


def _rows(frame: pd.DataFrame, id_col: str | None, key: object, target: str) -> pd.Series:
    """The ``target`` column of ``frame``, restricted to series ``key`` when there are ids."""
    if id_col is None:
        return frame[target]
    return frame.loc[frame[id_col] == key, target]


def _quantile_bands(quantiles: Mapping[float, object], targets: Sequence[str]) -> list:
    """Pair quantile levels outside-in: [(low, high, low_frame, high_frame), ...] plus a middle."""
    levels = sorted(quantiles)
    for level in levels:
        if not 0 < level < 1:
            raise ConfigError(f"quantile levels must be in (0, 1), got {level!r}")
    frames = {q: _as_frame(f"quantiles[{q}]", quantiles[q], targets) for q in levels}
    pairs = [(levels[i], levels[-1 - i]) for i in range(len(levels) // 2)]
    middle = [levels[len(levels) // 2]] if len(levels) % 2 else []
    return [(lo, hi, frames[lo], frames[hi]) for lo, hi in pairs] + [
        (q, q, frames[q], frames[q]) for q in middle
    ]


def _draw_bands(axis, bands, id_col, key, target, color, *, labelled: bool) -> None:
    """Shade each quantile pair; an unpaired middle quantile is drawn as a thin line."""
    for low, high, low_frame, high_frame in bands:
        lower = _rows(low_frame, id_col, key, target)
        upper = _rows(high_frame, id_col, key, target)
        if low == high:
            label = f"{low:g} quantile" if labelled else None
            axis.plot(lower.index, lower.to_numpy(), color=color, lw=0.8, ls=":", label=label)
            continue
        label = f"{low:g}-{high:g} quantiles" if labelled else None
        axis.fill_between(
            lower.index, lower.to_numpy(), upper.to_numpy(), color=color, alpha=0.15, label=label
        )


def _draw_series(axis, hist, fc, act, id_col, key, target, color, max_history) -> None:
    """Plot history, forecast and (optionally) actual values of one series on one panel."""
    prefix = "" if key is None else f"{key}: "
    past = _rows(hist, id_col, key, target)
    if max_history is not None:
        past = past.iloc[-max_history:]
    axis.plot(past.index, past.to_numpy(), color=color, lw=1.0, label=f"{prefix}history")
    future = _rows(fc, id_col, key, target)
    axis.plot(
        future.index, future.to_numpy(), color=color, lw=1.8, ls="--", label=f"{prefix}forecast"
    )
    if act is not None:
        truth = _rows(act, id_col, key, target)
        axis.plot(
            truth.index,
            truth.to_numpy(),
            color="black" if key is None else color,
            lw=0.8,
            marker=".",
            ms=3,
            alpha=0.7,
            label=f"{prefix}actual",
        )


def plot_forecast(
    history: pd.Series | pd.DataFrame,
    forecast: pd.Series | pd.DataFrame,
    actual: pd.Series | pd.DataFrame | None = None,
    *,
    quantiles: Mapping[float, pd.Series | pd.DataFrame] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    max_history: int | None = None,
    id_col: str | None = None,
    max_ids: int = 3,
) -> Figure:
    """Plot past values, the forecast and, if known, what actually happened.

    Parameters
    ----------
    history : pandas.Series or pandas.DataFrame
        Past values indexed by time; a DataFrame holds the forecast's target columns.
    forecast : pandas.Series or pandas.DataFrame
        Forecast indexed by the future times. Every numeric column except ``id_col`` is a
        target and gets its own panel.
    actual : pandas.Series or pandas.DataFrame, optional
        Observed values over the forecast period, drawn as dots (black for a single series).
    quantiles : mapping of float to pandas.Series or pandas.DataFrame, optional
        Quantile forecasts shaped like ``forecast``, by level (e.g. ``{0.1: lo, 0.9: hi}``).
        Levels are paired outside-in and shaded; an unpaired middle level is a dotted line.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (only when there is one target); default: a new figure.
    title : str, optional
        Figure title.
    max_history : int, optional
        Show only the last ``max_history`` points of each history.
    id_col : str, optional
        Column naming the series in a long frame of many series.
    max_ids : int, default=3
        With ``id_col``, plot only the first ``max_ids`` series of ``forecast``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if max_history is not None:
        max_history = check_positive_int("max_history", max_history)
    fc = _as_frame("forecast", forecast, None)
    targets = _target_columns(fc, id_col)
    needed = targets + ([id_col] if id_col is not None else [])
    frames = {"forecast": fc, "history": _as_frame("history", history, targets)}
    if actual is not None:
        frames["actual"] = _as_frame("actual", actual, targets)
    for name, frame in frames.items():
        _check_columns(name, frame, needed)
    bands = _quantile_bands(quantiles, targets) if quantiles else []
    max_ids = check_positive_int("max_ids", max_ids)
    keys = [None] if id_col is None else list(pd.unique(fc[id_col]))[:max_ids]
    axes = _new_axes(len(targets), ax, (9.0, 3.2))
    for axis, target in zip(axes, targets):
        for k, key in enumerate(keys):
            color = f"C{k}"
            _draw_bands(axis, bands, id_col, key, target, color, labelled=k == 0)
            _draw_series(
                axis,
                frames["history"],
                fc,
                frames.get("actual"),
                id_col,
                key,
                target,
                color,
                max_history,
            )
        axis.set_ylabel(str(target))
        axis.grid(alpha=0.3)
        axis.legend(fontsize="small", loc="best")
    axes[-1].tick_params(axis="x", labelrotation=30)
    if title:
        axes[0].figure.suptitle(title)
    return axes[0].figure


# --------------------------------------------------------------------------- training curves


def _loss_curve(records: Sequence[Mapping], key: str) -> np.ndarray | None:
    """Losses under ``key`` as floats (NaN where missing), or None if no record has it."""
    values = [record.get(key) for record in records]
    if all(v is None for v in values):
        return None
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def plot_backtest(result, *, series=None, target=None, title: str | None = None) -> Figure:
    """Plot what happened and every backtest forecast of one series and target (shading the
    widest interval of a quantile forecaster's backtest).

    Parameters
    ----------
    result : BacktestResult
        From ``forecaster.backtest(...)``; its ``forecasts`` frame has the columns ``id``,
        ``origin``, ``target``, ``time``, ``forecast`` and ``actual``.
    series : object, optional
        Series id to draw (default: the first).
    target : str, optional
        Target to draw (default: the first).
    title : str, optional
        Axes title.
    """
    frame = result.forecasts
    if frame.empty:
        raise DataError("the backtest has no forecasts to plot")
    series = frame["id"].iloc[0] if series is None else series
    target = frame["target"].iloc[0] if target is None else target
    same = frame["id"].isna() if series is None else frame["id"].astype(object) == series
    part = frame[same & (frame["target"] == target)]
    if part.empty:
        raise DataError(f"the backtest has no forecasts for series {series!r} and target "
                        f"{target!r}")
    axis = _new_axes(1, None, (9.0, 3.6))[0]
    actual = part.drop_duplicates("time").sort_values("time")
    axis.plot(actual["time"], actual["actual"], color="black", lw=1, label="actual")
    band = _outer_levels(part)
    for k, (_, one) in enumerate(part.groupby("origin", sort=True)):
        if band is not None:
            axis.fill_between(one["time"], one[band[0]], one[band[1]], color="tab:blue",
                              alpha=0.15, lw=0, label=f"{band[0]}-{band[1]}" if k == 0 else None)
        axis.plot(one["time"], one["forecast"], color="tab:blue", lw=1.2, alpha=0.8,
                  label="forecasts" if k == 0 else None)
    axis.set_title(title or f"backtest: {target}" + ("" if series is None else f" ({series})"))
    axis.legend(loc="best", fontsize="small")
    return axis.figure


def _outer_levels(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The lowest and highest quantile columns (``q0.05``, ``q0.95``) of a backtest, if any."""
    levels = {}
    for column in map(str, frame.columns):
        with contextlib.suppress(ValueError):
            if column.startswith("q"):
                levels[float(column[1:])] = column
    if len(levels) < 2:
        return None
    return levels[min(levels)], levels[max(levels)]


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
    return axis.figure


# --------------------------------------------------------------------------- confusion matrix


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
    names = [str(label) for label in labels]
    rotate = 90 if n > 8 or max(len(s) for s in names) > 4 else 0
    axis.set_xticks(range(n), labels=names, rotation=rotate, fontsize=8 if n > 10 else 10)
    axis.set_yticks(range(n), labels=names, fontsize=8 if n > 10 else 10)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    if n <= 30:
        _annotate(axis, matrix, normalize)
    axis.figure.colorbar(
        image, ax=axis, shrink=0.8, label="fraction of true class" if normalize else "count"
    )
    if title:
        axis.set_title(title)
    return axis.figure


# --------------------------------------------------------------------------- saving


def save_figure(fig: Figure, path: str | os.PathLike, *, dpi: float = 150) -> Path:
    """Write ``fig`` atomically, in the format named by the file suffix.

    The figure is drawn into a temporary file in the same folder, which then replaces
    ``path`` in one step: readers never see a half-written image.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path : str or os.PathLike
        Destination, e.g. ``"forecast.png"``, ``"loss.svg"`` or ``"report.pdf"``; missing
        parent folders are created.
    dpi : float, default=150
        Resolution of raster formats.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ConfigError(
            f"cannot tell a figure format from {str(path)!r}; end the name with one of "
            f"{', '.join('.' + s for s in sorted(supported))}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as handle:
            fig.savefig(handle, format=fmt, dpi=dpi)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
