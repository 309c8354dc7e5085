"""Local times in DATA (``tsrnn fit --tz Europe/Berlin``): naive timestamps read as the wall
clock of a time zone, so the hour repeated when clocks go back in autumn and the hour skipped
in spring make one regular series. The fitted model keeps its zone: ``forecast``, ``backtest``,
``update`` and ``calibrate`` read naive times of DATA in it, and forecast in it.

Without ``--tz``, a file whose only repeated timestamps are one early-morning hour of a Sunday
in March, April, October or November (autumn in one hemisphere or the other: a daylight-saving
change) is told so, instead of "drop the duplicates".
"""

from __future__ import annotations

import warnings
import zoneinfo
from pathlib import Path

import click
import pandas as pd

from tsrnn import ConfigError, DataError

__all__ = ["TZ_OPTION", "check_dst_repeats", "localize", "model_zone"]


def _zone(ctx, param, value):
    if value is None:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"{value!r} is not a time zone; give an IANA name such as "
                                 "Europe/Berlin, America/New_York or UTC", ctx, param) from None
    return value


#: ``tsrnn fit --tz ZONE``.
TZ_OPTION = click.option(
    "--tz", callback=_zone, metavar="ZONE", help="The time column holds local times of ZONE "
    "(e.g. Europe/Berlin): read daylight-saving changes right (the repeated hour in autumn, "
    "the skipped one in spring); the model forecasts in ZONE.")


def model_zone(model) -> str | None:
    """The time zone of a fitted model's timestamps (None: naive, or integer steps)."""
    index = model.context_["index"][0] if model.context_["index"] else None
    tz = getattr(index, "tz", None)
    return None if tz is None else str(tz)


def localize(frame: pd.DataFrame, time_col, id_col, tz: str | None, name: str,
             option: str = "--tz") -> pd.DataFrame:
    """``frame`` with the naive times of ``time_col`` read as local times of ``tz`` (series by
    series, in file order: the repeated autumn hour is told apart by its order); times with
    offsets are converted to ``tz``."""
    if tz is None or time_col is None or time_col not in frame.columns:
        return frame
    times = _datetimes(frame[time_col])
    if times is None:
        raise ConfigError(f"{option} {tz} reads date-times, but {time_col!r} of {name} holds "
                          f"{frame[time_col].dtype} values; leave out {option}")
    if getattr(times.dt, "tz", None) is not None:
        local = times.dt.tz_convert(tz)
    else:
        groups = [times] if id_col not in frame.columns else [g for _, g in times.groupby(
            frame[id_col], sort=False)]  # (a missing --id-col is named when the panel is read)
        local = pd.concat([_localize(g, tz, name, time_col, option) for g in groups])
        local = local.reindex(times.index)
    out = frame.copy()
    out[time_col] = local
    return out


def _datetimes(values: pd.Series) -> pd.Series | None:
    """``values`` as date-times (text parsed as pandas does), or None for numbers or text that
    is not all date-times."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if values.dtype.kind in "biuf":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        except (ValueError, TypeError):  # e.g. offsets on some rows only: reported later
            return None
    return None if parsed.isna().any() else parsed


def _localize(times: pd.Series, tz: str, name: str, time_col: str, option: str) -> pd.Series:
    try:
        return times.dt.tz_localize(tz, ambiguous="infer", nonexistent="raise")
    except ValueError as exc:  # pandas: an ambiguous (repeated) or a nonexistent (skipped) time
        text = str(exc)
        if "nonexistent" in text:
            raise DataError(f"{time_col!r} of {name} holds {text.split(' is a ')[0]}, a time "
                            f"that does not exist in {tz} (clocks skip it in spring); check "
                            f"{option}, or write the times in UTC") from None
        repeated = times[times.duplicated(keep=False)]
        stamp = f"{(repeated if len(repeated) else times).iloc[0]:%Y-%m-%d %H:%M}"
        raise DataError(f"{time_col!r} of {name} holds {stamp} in a way {tz} cannot tell "
                        "apart: an hour repeated when clocks go back must come twice, in order "
                        "(and no other time may repeat); write the times with their UTC offset, "
                        "or in UTC") from None


def check_dst_repeats(frame: pd.DataFrame, time_col, id_col, path: Path) -> None:
    """A DataError naming ``--tz`` when the only timestamps that repeat within a series are
    early-morning hours (0-3 h) of Sundays in March, April, October or November: local times
    at a daylight-saving change."""
    if time_col is None or time_col not in frame.columns:
        return
    times = _datetimes(frame[time_col])
    if times is None or getattr(times.dt, "tz", None) is not None:
        return
    keys = [times] if id_col not in frame.columns else [frame[id_col], times]
    repeated = times[pd.DataFrame({i: k for i, k in enumerate(keys)}).duplicated()]
    if repeated.empty:
        return
    dates = repeated.dt.normalize().unique()
    dst = ((repeated.dt.dayofweek == 6) & repeated.dt.month.isin([3, 4, 10, 11])
           & (repeated.dt.hour <= 3)).all()
    if dst and len(dates) <= max(1, times.dt.year.nunique()):
        first = repeated.iloc[0]
        raise DataError(f"'{path}' repeats the time {first:%Y-%m-%d %H:%M}, early on a Sunday "
                        "in autumn: local times at a daylight-saving change? Give their time "
                        "zone with --tz (e.g. --tz Europe/Berlin), or write the times in UTC")
