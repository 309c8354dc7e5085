"""Figures of forecasts: history, forecast, actual values and quantile bands; backtests.

matplotlib is imported lazily (through :func:`~tsrnn.plotting._figures._new_axes`), so
``import tsrnn`` never pays for it. Every function returns a new
:class:`matplotlib.figure.Figure` (no pyplot state, nothing is shown); write it with
:func:`~tsrnn.plotting.save_figure`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from .._validation import ConfigError, DataError, check_positive_int
from ._figures import _new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_forecast", "plot_backtest"]


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
    """Plot history, forecast and (optionally) actual values of one series on one panel; the
    forecast starts at the last history point, and a short one has markers."""
    past = _rows(hist, id_col, key, target)
    if max_history is not None:
        past = past.iloc[-max_history:]
    axis.plot(past.index, past.to_numpy(), color=color, lw=1.0, label="history")
    future = _rows(fc, id_col, key, target)
    if len(past) and len(future) and past.index[-1] < future.index[0]:
        future = pd.concat([past.iloc[-1:], future])  # joins the last history point
    marker = "o" if len(future) <= 25 else None
    axis.plot(future.index, future.to_numpy(), color=color, lw=1.8, ls="--", marker=marker,
              ms=3, label="forecast")
    if act is not None:
        truth = _rows(act, id_col, key, target)
        axis.plot(truth.index, truth.to_numpy(), color="black", lw=0.8, marker=".", ms=3,
                  alpha=0.7, label="actual")


def _time_ticks(axis, index: pd.Index) -> None:
    """Dates as concise ticks that do not overlap; integer steps (years) as plain integers."""
    from matplotlib import dates, ticker

    if isinstance(index, pd.DatetimeIndex):
        locator = dates.AutoDateLocator(minticks=3, maxticks=8)
        axis.xaxis.set_major_locator(locator)
        axis.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    elif pd.api.types.is_integer_dtype(index.dtype):
        axis.xaxis.set_major_locator(ticker.MaxNLocator(nbins=6, integer=True))
        axis.xaxis.set_major_formatter(ticker.ScalarFormatter(useOffset=False))


def _forecast_frames(
    history: object, forecast: object, actual: object, id_col: str | None
) -> tuple[dict[str, pd.DataFrame], list]:
    """The checked frames by role (``forecast``, ``history``, ``actual`` if given) and targets."""
    fc = _as_frame("forecast", forecast, None)
    targets = _target_columns(fc, id_col)
    needed = targets + ([id_col] if id_col is not None else [])
    frames = {"forecast": fc, "history": _as_frame("history", history, targets)}
    if actual is not None:
        frames["actual"] = _as_frame("actual", actual, targets)
    for name, frame in frames.items():
        _check_columns(name, frame, needed)
    return frames, targets


def _draw_panel(axis, frames, bands, id_col, key, target, max_history) -> None:
    """Draw one series and target on one panel (its own y axis), then its labels and grid."""
    _draw_bands(axis, bands, id_col, key, target, "C0", labelled=True)
    _draw_series(axis, frames["history"], frames["forecast"], frames.get("actual"), id_col, key,
                 target, "C0", max_history)
    axis.set_ylabel(str(target))
    if key is not None:
        axis.set_title(str(key), fontsize="medium")
    axis.grid(alpha=0.3)
    _time_ticks(axis, frames["forecast"].index)


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
    max_ids: int = 6,
    series: Sequence | None = None,
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
        Figure title (default: "Forecast of TARGET").
    max_history : int, optional
        Show only the last ``max_history`` points of each history.
    id_col : str, optional
        Column naming the series in a long frame of many series.
    max_ids : int, default=6
        With ``id_col``, plot only the first ``max_ids`` series of ``forecast`` (the title
        says "showing 6 of 20 series").
    series : sequence, optional
        With ``id_col``, the ids of the series to plot (instead of the first ``max_ids``).

    Each series and target gets a panel of its own (its own y axis; series in rows of three,
    the targets of one series stacked); the forecast starts at the last history point, with
    markers when it is short; the legend sits below the panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if max_history is not None:
        max_history = check_positive_int("max_history", max_history)
    frames, targets = _forecast_frames(history, forecast, actual, id_col)
    bands = _quantile_bands(quantiles, targets) if quantiles else []
    max_ids = check_positive_int("max_ids", max_ids)
    ids = [None] if id_col is None else list(pd.unique(frames["forecast"][id_col]))
    keys = ids if id_col is None else _pick_series(frames["forecast"], id_col, series, max_ids)
    panels = [(key, target) for key in keys for target in targets]
    axes = _grid_axes(len(panels), ax, stacked=len(keys) == 1)
    for axis, (key, target) in zip(axes, panels):
        _draw_panel(axis, frames, bands, id_col, key, target, max_history)
    fig = axes[0].figure
    note = f"showing {len(keys)} of {len(ids)} series" if len(keys) < len(ids) else ""
    heading = title or f"Forecast of {', '.join(map(str, targets))}"
    if ax is None:
        fig.suptitle(heading + (f" ({note})" if note else ""))
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels),
                   fontsize="small", frameon=False)
    else:
        axis = axes[0]
        axis.set_title(title or axis.get_title() or heading)
        axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _grid_axes(n_panels: int, ax, stacked: bool) -> list:
    """``ax`` alone; the stacked panels of one series' targets; or, for many series, a new
    figure of ``n_panels`` in rows of up to three, each with its own y axis."""
    if ax is not None or stacked:
        return _new_axes(n_panels, ax, (9.0, 3.2))
    from matplotlib.figure import Figure

    columns = min(3, n_panels)
    rows = -(-n_panels // columns)
    fig = Figure(figsize=(4.6 * columns, 3.0 * rows + 0.6), layout="constrained")
    axes = list(fig.subplots(rows, columns, squeeze=False).ravel())
    for extra in axes[n_panels:]:
        extra.set_visible(False)
    return axes[:n_panels]


def _pick_series(forecast: pd.DataFrame, id_col: str, series, max_ids: int) -> list:
    """The ids to draw: ``series`` (each must be in the forecast), else the first ``max_ids``."""
    ids = list(pd.unique(forecast[id_col]))
    if not series:
        return ids[:max_ids]
    text = {str(i): i for i in ids}
    missing = [s for s in series if s not in ids and str(s) not in text]
    if missing:
        shown = ", ".join(map(str, ids[:10])) + (" ..." if len(ids) > 10 else "")
        raise DataError(f"series {missing[0]!r} is not in the forecast; its series are {shown}")
    return [s if s in ids else text[str(s)] for s in series]


# --------------------------------------------------------------------------- backtests


def _backtest_rows(frame: pd.DataFrame, series: object, target: object) -> tuple:
    """The rows of one series and target of a backtest's forecasts (default: the first ones).

    Returns the rows, the series and the target; DataError if there are no such rows.
    """
    if frame.empty:
        raise DataError("the backtest has no forecasts to plot")
    series = frame["id"].iloc[0] if series is None else series
    target = frame["target"].iloc[0] if target is None else target
    same = frame["id"].isna() if series is None else frame["id"].astype(object) == series
    part = frame[same & (frame["target"] == target)]
    if part.empty:
        raise DataError(f"the backtest has no forecasts for series {series!r} and target "
                        f"{target!r}")
    return part, series, target


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

    Returns
    -------
    matplotlib.figure.Figure
    """
    part, series, target = _backtest_rows(result.forecasts, series, target)
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
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    axis.grid(alpha=0.3)
    _time_ticks(axis, pd.Index(actual["time"]))
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
