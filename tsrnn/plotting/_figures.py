"""New figures and atomic saving, shared by every plot (matplotlib imported lazily).

Figures are built as :class:`matplotlib.figure.Figure` objects directly, never through pyplot,
so nothing is registered or shown and any backend works, ``Agg`` on a headless server included.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._validation import ConfigError
from ..io.atomic import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["save_figure", "_new_axes"]


def _new_axes(n_panels: int, ax: Axes | None, panel_size: tuple[float, float]) -> list[Axes]:
    """Return ``ax`` alone, or the axes of a new figure with ``n_panels`` stacked rows.

    Parameters
    ----------
    n_panels : int
        Panels needed; with ``ax`` given it must be 1.
    ax : matplotlib.axes.Axes or None
        The caller's axes, or None for a new figure.
    panel_size : tuple of float
        Width and height in inches of one panel of a new figure.

    Returns
    -------
    list of matplotlib.axes.Axes
        One per panel, top to bottom, sharing the x axis.
    """
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
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)
    return path
