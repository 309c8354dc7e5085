"""Labelled text from a folder of files or a CSV file, as a ``text``/``label`` DataFrame.

:func:`load_text_folder` reads one file per label with one sample per line (the layout of the
PyTorch names data); :func:`load_text_csv` reads two columns of a CSV file. Both return a
DataFrame with the columns ``text`` and ``label``, ready for :class:`~tsrnn.text.CharEncoder`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import DataError
from ..io import read_csv

__all__ = ["load_text_folder", "load_text_csv"]


def _frame(texts: list[str], labels: list) -> pd.DataFrame:
    """The ``text``/``label`` DataFrame (object columns) of parallel lists."""
    return pd.DataFrame({"text": pd.Series(texts, dtype=object),
                         "label": pd.Series(labels, dtype=object)})


def _text_files(folder: Path, pattern: str) -> list[Path]:
    """The files of ``folder`` matching ``pattern``, sorted; DataError if there are none."""
    if not folder.is_dir():
        raise DataError(f"text folder '{folder}' does not exist or is not a folder; check the "
                        "path")
    files = sorted(f for f in folder.glob(pattern) if f.is_file())
    if not files:
        raise DataError(f"no file in '{folder}' matches {pattern!r}; check the folder or the "
                        "pattern")
    return files


def _stripped_lines(file: Path, encoding: str) -> list[str]:
    """The non-blank lines of ``file``, stripped; DataError if it is not ``encoding`` text."""
    try:
        lines = file.read_text(encoding=encoding).splitlines()
    except UnicodeDecodeError as exc:
        raise DataError(f"file '{file}' is not {encoding} text (byte {exc.start}); pass "
                        "its encoding, e.g. encoding='latin-1'") from None
    return [line.strip() for line in lines if line.strip()]


def load_text_folder(path, pattern: str = "*.txt", encoding: str = "utf-8") -> pd.DataFrame:
    """Labelled texts from a folder holding one file per label and one sample per line.

    The layout of the PyTorch names data (``Arabic.txt``, ``Chinese.txt``, ...): the file name
    without its suffix is the label. Blank lines are skipped, surrounding whitespace is stripped,
    duplicates are kept.

    Parameters
    ----------
    path : str or Path
        The folder.
    pattern : str, default="*.txt"
        Glob pattern of the files to read (sorted by name).
    encoding : str, default="utf-8"
        Text encoding of the files.

    Returns
    -------
    DataFrame
        Columns ``text`` and ``label`` (both str), one row per line, files in name order.
    """
    folder = Path(path)
    texts, labels = [], []
    for file in _text_files(folder, pattern):
        kept = _stripped_lines(file, encoding)
        texts += kept
        labels += [file.stem] * len(kept)
    if not texts:
        raise DataError(f"the files matching {pattern!r} in '{folder}' hold no text lines")
    return _frame(texts, labels)


def load_text_csv(path, text_col: str, label_col: str) -> pd.DataFrame:
    """Labelled texts from a CSV file.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, with a header row).
    text_col : str
        Column holding the texts.
    label_col : str
        Column holding the labels.

    Returns
    -------
    DataFrame
        Columns ``text`` (str) and ``label`` (as read), in file order.
    """
    frame = read_csv(path)
    missing = [c for c in (text_col, label_col) if c not in frame.columns]
    if missing:
        raise DataError(f"'{path}' has no column(s) {missing}; its columns are "
                        f"{list(frame.columns)}")
    empty = frame[text_col].isna() | frame[label_col].isna()
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise DataError(f"'{path}' has {int(empty.sum())} row(s) with no {text_col!r} or "
                        f"{label_col!r} (first: data row {row}); fill or drop them")
    texts = frame[text_col].astype(str).tolist()
    return _frame(texts, frame[label_col].tolist())
