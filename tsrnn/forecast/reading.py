"""How a forecaster reads its training data: a DataFrame, a file, or one process's share.

:func:`read_training` turns what ``fit`` was given into a :class:`~tsrnn.data.Panel` with the
roles named by the parameters (``target``, ``time_col``, ``id_col``, the covariates); a file
reads only those columns when the targets are named.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..data import to_panel
from ..io import is_table_path, read_table
from ..nn import resolve_device
from .distributed import read_shard
from .missing import allows_nan, read_checked

__all__ = ["read_training", "role_columns"]


def role_columns(p: Mapping) -> list | None:
    """The columns the roles of ``p`` name (None: all, as ``target=None`` guesses them)."""
    if p["target"] is None:
        return None
    names = [p["time_col"], p["id_col"], p["target"], p["past_covariates"],
             p["future_covariates"], p["static_covariates"]]
    flat = [c for n in names if n is not None for c in (n if isinstance(n, list) else [n])]
    return list(dict.fromkeys(flat))


def read_training(p: Mapping, data, static=None):
    """``(data-parallel context or None, panel)``: all series, or this process's share (with
    the static covariates from ``data`` or from the frame ``static``)."""
    def read(frame):  # NaN unless missing="raise" (forecast.missing)
        return read_checked(lambda: to_panel(
            frame, target=p["target"], time_col=p["time_col"], id_col=p["id_col"],
            past_covariates=p["past_covariates"], future_covariates=p["future_covariates"],
            freq=p["freq"], allow_nan=allows_nan(p), static_covariates=p["static_covariates"],
            static=static))

    def columns():  # a separate static frame: the file has no static columns
        return role_columns(p if static is None else {**p, "static_covariates": None})

    if p["distributed"]:
        return read_shard(data, p["id_col"], resolve_device(p["device"]), columns(), read)
    return None, read(read_table(data, columns()) if is_table_path(data) else data)
