"""Input checking shared by the text encoders and the char-task helpers (numpy/pandas only)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import DataError

__all__ = ["_as_texts"]


def _as_texts(X, name: str = "X") -> list[str]:
    """A list of str from a list, tuple, Series, 1-D array or one-column 2-D array.

    Parameters
    ----------
    X : sequence of str, pandas.Series, one-column pandas.DataFrame or array-like
        The texts.
    name : str, default="X"
        What to call ``X`` in error messages.

    Returns
    -------
    list of str
        The texts, in order.

    Raises
    ------
    DataError
        If ``X`` is a single string, has more than one column, or holds a non-string.
    """
    if isinstance(X, (str, bytes)):
        raise DataError(f"{name} must be a sequence of strings, got a single "
                        f"{type(X).__name__} {X[:30]!r}; wrap it in a list: [text]")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise DataError(f"{name} is a DataFrame with {X.shape[1]} columns; pass the text "
                            "column alone, e.g. df['text']")
        X = X.iloc[:, 0]
    if not isinstance(X, list):
        X = _flat_values(X, name)
    for i, value in enumerate(X):
        if not isinstance(value, str):
            raise DataError(f"{name}[{i}] is {type(value).__name__} {value!r}, not a string; "
                            "convert or drop non-text entries (e.g. NaN) first")
    return list(X)


def _flat_values(X, name: str) -> list:
    """The entries of a 1-D or ``(n, 1)`` array-like as a list; DataError for other shapes."""
    values = np.asarray(X, dtype=object)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]  # (n, 1) -> (n,)
    if values.ndim != 1:
        raise DataError(f"{name} must be a 1-D sequence of strings; got an array of shape "
                        f"{values.shape}")
    return values.tolist()
