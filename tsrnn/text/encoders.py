"""Text as integer sequences: encoders, loaders and char-to-char task helpers (numpy/pandas only).

:class:`CharEncoder` and :class:`TokenEncoder` are scikit-learn transformers turning strings into
``(n, max_len)`` int64 index arrays right-padded with 0, the input of
``RNNClassifier(embedding_dim=...)``. Index 0 is padding, 1 an unknown unit, the vocabulary
starts at 2 (most frequent first). :func:`load_text_folder` and :func:`load_text_csv` read
labelled text into a DataFrame with ``text`` and ``label`` columns; :func:`transduction_pairs`
and :func:`char_transduction_pairs` build per-character targets for N-vs-N tasks.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from .._validation import ConfigError, DataError, check_positive_int
from ..io.tables import read_csv

__all__ = [
    "PAD",
    "UNKNOWN",
    "CharEncoder",
    "TokenEncoder",
    "fold_ascii",
    "load_text_folder",
    "load_text_csv",
    "transduction_pairs",
    "char_transduction_pairs",
]

PAD, UNKNOWN = 0, 1  # reserved indices; the vocabulary starts at 2

_PARAMS_DOC = """
    max_len : int or None, default=None
        Units per row of the output; None: the longest text seen in ``fit``. Longer texts are
        truncated (their first ``max_len`` units are kept), shorter ones padded with 0.
    lowercase : bool, default=False
        Lower-case texts before encoding.
    ascii_fold : bool, default=False
        Fold accented letters to ASCII (``"Ślusàrski"`` -> ``"Slusarski"``): Unicode NFKD
        decomposition with the combining marks dropped, as the PyTorch names tutorial does.
    min_freq : int, default=1
        Units seen fewer times in ``fit`` are encoded as unknown (1).
    max_vocab : int or None, default=None
        Keep only the most frequent units (padding and unknown not counted)."""


def fold_ascii(text: str) -> str:
    """``text`` with accents removed: NFKD decomposition, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _as_texts(X, name: str = "X") -> list[str]:
    """A list of str from a list, tuple, Series, 1-D array or one-column 2-D array."""
    if isinstance(X, (str, bytes)):
        raise DataError(f"{name} must be a sequence of strings, got a single "
                        f"{type(X).__name__} {X[:30]!r}; wrap it in a list: [text]")
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise DataError(f"{name} is a DataFrame with {X.shape[1]} columns; pass the text "
                            "column alone, e.g. df['text']")
        X = X.iloc[:, 0]
    if not isinstance(X, list):
        values = np.asarray(X, dtype=object)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]  # (n, 1) -> (n,)
        if values.ndim != 1:
            raise DataError(f"{name} must be a 1-D sequence of strings; got an array of shape "
                            f"{values.shape}")
        X = values.tolist()
    for i, value in enumerate(X):
        if not isinstance(value, str):
            raise DataError(f"{name}[{i}] is {type(value).__name__} {value!r}, not a string; "
                            "convert or drop non-text entries (e.g. NaN) first")
    return list(X)


class _SequenceEncoder(TransformerMixin, BaseEstimator):
    """Shared machinery of :class:`CharEncoder` and :class:`TokenEncoder` (not used directly)."""

    _prefix = "unit"
    _joiner = ""
    unknown_symbol = "?"  # what inverse_transform writes for an unknown unit

    def __init__(self, *, max_len=None, lowercase=False, ascii_fold=False, min_freq=1,
                 max_vocab=None):
        self.max_len = max_len
        self.lowercase = lowercase
        self.ascii_fold = ascii_fold
        self.min_freq = min_freq
        self.max_vocab = max_vocab

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # -- units ---------------------------------------------------------------------------------

    def _normalise(self, text: str) -> str:
        if self.ascii_fold:
            text = fold_ascii(text)
        return text.lower() if self.lowercase else text

    def _split(self, text: str) -> list[str]:
        raise NotImplementedError

    def units(self, text: str) -> list[str]:
        """The units (characters or tokens) of one text after normalisation, untruncated."""
        return self._split(self._normalise(text))

    # -- fit / transform -----------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.max_len is not None:
            check_positive_int("max_len", self.max_len)
        check_positive_int("min_freq", self.min_freq)
        if self.max_vocab is not None:
            check_positive_int("max_vocab", self.max_vocab)

    def fit(self, X, y=None):
        """Learn the vocabulary (and ``max_len_``) from the texts ``X``; returns self."""
        self._check_params()
        texts = _as_texts(X)
        if not texts:
            raise DataError("X holds no texts; fit the encoder on at least one string")
        split = [self.units(t) for t in texts]
        counts = Counter(u for units in split for u in units)
        kept = sorted((u for u, c in counts.items() if c >= self.min_freq),
                      key=lambda u: (-counts[u], u))[: self.max_vocab]
        if not kept:
            raise DataError(f"no unit of X occurs min_freq={self.min_freq} times (X has "
                            f"{sum(counts.values())} units in all); lower min_freq or give "
                            "more text")
        self._set_vocab(kept, self.max_len or max(1, max(map(len, split))))
        return self

    def _set_vocab(self, units: Sequence[str], max_len: int) -> None:
        self.vocabulary_ = {u: i + 2 for i, u in enumerate(units)}
        self.max_len_ = int(max_len)
        self.vocab_size_ = len(units) + 2

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit "
                                 "with the training texts first")

    def encode(self, text: str) -> list[int]:
        """Indices of every unit of one text (untruncated, unpadded; unknown units are 1)."""
        self._check_fitted()
        vocab = self.vocabulary_
        return [vocab.get(u, UNKNOWN) for u in self.units(text)]

    def transform_with_lengths(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Index array ``(n, max_len_)`` (0-padded at the end) and the lengths ``(n,)``."""
        self._check_fitted()
        texts = _as_texts(X)
        out = np.zeros((len(texts), self.max_len_), dtype=np.int64)
        lengths = np.zeros(len(texts), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = self.encode(text)[: self.max_len_]
            out[row, : len(ids)] = ids
            lengths[row] = len(ids)
        return out, lengths

    def transform(self, X) -> np.ndarray:
        """Index array ``(n, max_len_)`` of int64, right-padded with 0."""
        return self.transform_with_lengths(X)[0]

    def lengths(self, X) -> np.ndarray:
        """Units per text after truncation to ``max_len_``, shape ``(n,)``."""
        return self.transform_with_lengths(X)[1]

    def inverse_transform(self, X) -> np.ndarray:
        """Texts back from index arrays; padding is dropped, unknown units show as
        ``unknown_symbol``. Returns an object array of str, shape ``(n,)``."""
        self._check_fitted()
        ids = np.asarray(X)
        if ids.ndim == 1:
            ids = ids[None, :]  # (L,) -> (1, L)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise DataError(f"inverse_transform needs a 2-D integer index array; got dtype "
                            f"{ids.dtype} and shape {ids.shape}")
        vocab = self.vocabulary_
        bad = ids[(ids < 0) | (ids >= self.vocab_size_)]
        if bad.size:
            raise DataError(f"index {int(bad[0])} is outside the vocabulary of "
                            f"{self.vocab_size_} indices; decode indices this encoder produced")
        table = np.empty(self.vocab_size_, dtype=object)
        table[PAD], table[UNKNOWN] = None, self.unknown_symbol
        table[list(vocab.values())] = list(vocab)
        return np.array([self._joiner.join(u for u in table[row] if u is not None)
                         for row in ids], dtype=object)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns: one per position, ``char0``, ``char1``, ..."""
        self._check_fitted()
        return np.array([f"{self._prefix}{i}" for i in range(self.max_len_)], dtype=object)

    # -- vocabulary as plain data ------------------------------------------------------------

    def to_dict(self) -> dict:
        """The fitted encoder as JSON-ready data (kind, params, units in index order)."""
        self._check_fitted()
        units = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return {"kind": type(self).__name__, "params": self.get_params(),
                "units": units, "max_len": self.max_len_}

    @classmethod
    def from_dict(cls, data: dict):
        """A fitted encoder rebuilt from :meth:`to_dict` output."""
        if data.get("kind") != cls.__name__:
            raise DataError(f"this vocabulary belongs to a {data.get('kind')!r}, not a "
                            f"{cls.__name__}; load it with that class")
        encoder = cls(**data["params"])
        encoder._set_vocab(list(data["units"]), data["max_len"])
        return encoder


class CharEncoder(_SequenceEncoder):
    __doc__ = f"""Characters of each string -> padded index array (an sklearn transformer).

    Parameters
    ----------{_PARAMS_DOC}

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Index of every known character (from 2; 0 is padding, 1 unknown).
    vocab_size_ : int
        Number of indices, padding and unknown included (``vocab_size`` of the network).
    max_len_ : int
        Columns of the output.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from tsrnn import CharEncoder, RNNClassifier
    >>> model = make_pipeline(CharEncoder(), RNNClassifier(cell="gru", embedding_dim=32))
    """

    _prefix = "char"
    unknown_symbol = "\N{REPLACEMENT CHARACTER}"

    def _split(self, text: str) -> list[str]:
        return list(text)


class TokenEncoder(_SequenceEncoder):
    __doc__ = f"""Tokens of each string -> padded index array (an sklearn transformer).

    Parameters
    ----------
    token_pattern : str or None, default=None
        Regular expression whose matches are the tokens (e.g. ``r"\\w+|[^\\w\\s]"`` to split
        punctuation off words); None: split on whitespace.{_PARAMS_DOC}

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Index of every known token (from 2; 0 is padding, 1 unknown).
    vocab_size_ : int
        Number of indices, padding and unknown included.
    max_len_ : int
        Columns of the output.
    """

    _prefix = "token"
    unknown_symbol = "<unk>"
    _joiner = " "

    def __init__(self, *, token_pattern=None, max_len=None, lowercase=False, ascii_fold=False,
                 min_freq=1, max_vocab=None):
        self.token_pattern = token_pattern
        super().__init__(max_len=max_len, lowercase=lowercase, ascii_fold=ascii_fold,
                         min_freq=min_freq, max_vocab=max_vocab)

    def _check_params(self) -> None:
        super()._check_params()
        if self.token_pattern is not None:
            try:
                re.compile(self.token_pattern)
            except (re.error, TypeError) as exc:
                raise ConfigError(f"token_pattern {self.token_pattern!r} is not a valid regular "
                                  f"expression ({exc}); fix it or use None") from None

    def _split(self, text: str) -> list[str]:
        if self.token_pattern is None:
            return text.split()
        return [m.group(0) for m in re.finditer(self.token_pattern, text)]


# -- loaders -----------------------------------------------------------------------------------


def _frame(texts: list[str], labels: list) -> pd.DataFrame:
    return pd.DataFrame({"text": pd.Series(texts, dtype=object),
                         "label": pd.Series(labels, dtype=object)})


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
    if not folder.is_dir():
        raise DataError(f"text folder '{folder}' does not exist or is not a folder; check the "
                        "path")
    files = sorted(f for f in folder.glob(pattern) if f.is_file())
    if not files:
        raise DataError(f"no file in '{folder}' matches {pattern!r}; check the folder or the "
                        "pattern")
    texts, labels = [], []
    for file in files:
        try:
            lines = file.read_text(encoding=encoding).splitlines()
        except UnicodeDecodeError as exc:
            raise DataError(f"file '{file}' is not {encoding} text (byte {exc.start}); pass "
                            "its encoding, e.g. encoding='latin-1'") from None
        kept = [line.strip() for line in lines if line.strip()]
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


# -- char-to-char (N-vs-N) tasks ----------------------------------------------------------------


def transduction_pairs(sources, targets, fill: str = "") -> tuple[list[str], np.ndarray]:
    """Per-character targets for an N-vs-N task such as ``"hello" -> "ohlol"``.

    Parameters
    ----------
    sources : sequence of str
        Input strings (encode them with :class:`CharEncoder`).
    targets : sequence of str
        Output strings, each as long as its source (one output character per input one).
    fill : str, default=""
        Label written past a target's end; ``RNNClassifier(head="per_step")`` ignores it,
        since the input there is padding.

    Returns
    -------
    sources : list of str
        The inputs, unchanged.
    y : ndarray of object, shape (n, longest source)
        ``y[i, t]`` is character ``t`` of ``targets[i]``.
    """
    sources, targets = _as_texts(sources, "sources"), _as_texts(targets, "targets")
    if len(sources) != len(targets) or not sources:
        raise DataError(f"got {len(sources)} sources and {len(targets)} targets; give one "
                        "target per source (at least one pair)")
    for src, tgt in zip(sources, targets):
        if len(src) != len(tgt):
            raise DataError(f"source {src!r} has {len(src)} characters but its target {tgt!r} "
                            f"has {len(tgt)}; per-step targets need equal lengths")
    width = max(map(len, sources))
    y = np.full((len(sources), width), fill, dtype=object)
    for row, tgt in enumerate(targets):
        y[row, : len(tgt)] = list(tgt)
    return sources, y


def char_transduction_pairs(words, shift: int = 1, fill: str = "") -> tuple[list[str], np.ndarray]:
    """Inputs and per-character targets where each target is its word rotated left by ``shift``.

    ``shift=1`` asks for the next character of the word at every step, wrapping round
    (``"hello" -> "elloh"``); ``shift=-1`` for the previous one (``"hello" -> "ohell"``).
    For arbitrary target strings (the classic ``"hello" -> "ohlol"``) use
    :func:`transduction_pairs`.

    Returns
    -------
    words : list of str
    y : ndarray of object, shape (n, longest word)
        As :func:`transduction_pairs` returns it.
    """
    words = _as_texts(words, "words")
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)):
        raise ConfigError(f"shift must be an integer, got {shift!r}")
    if any(not w for w in words):
        raise DataError("words holds an empty string; every word needs at least one character")
    rotated = [w[shift % len(w):] + w[: shift % len(w)] for w in words]
    return transduction_pairs(words, rotated, fill=fill)
