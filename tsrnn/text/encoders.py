"""Text as integer sequences: the sklearn encoders of characters and tokens (numpy/pandas only).

:class:`CharEncoder` and :class:`TokenEncoder` are scikit-learn transformers turning strings into
``(n, max_len)`` int64 index arrays right-padded with 0, the input of
``RNNClassifier(embedding_dim=...)``. Index 0 is padding (:data:`PAD`), 1 an unknown unit
(:data:`UNKNOWN`), the vocabulary starts at 2 (most frequent first). Loaders of labelled text
live in :mod:`tsrnn.text.loaders`, char-to-char task helpers in :mod:`tsrnn.text.pairs`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._fitted import NotFittedError
from .._validation import ConfigError, DataError, check_positive_int
from ._texts import _as_texts

__all__ = [
    "PAD",
    "UNKNOWN",
    "CharEncoder",
    "TokenEncoder",
    "fold_ascii",
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
    """``text`` with accents removed: NFKD decomposition, combining marks dropped.

    Parameters
    ----------
    text : str
        Any text, e.g. ``"Ślusàrski"``.

    Returns
    -------
    str
        The text without combining marks, e.g. ``"Slusarski"``; letters with no
        decomposition (``"Đ"``) are kept as they are.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
        """The units (characters or tokens) of one text after normalisation, untruncated.

        Parameters
        ----------
        text : str
            One text; lower-cased and ASCII-folded first where the parameters say so.

        Returns
        -------
        list of str
            Characters for a :class:`CharEncoder`, tokens for a :class:`TokenEncoder`.
        """
        return self._split(self._normalise(text))

    # -- fit / transform -----------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.max_len is not None:
            check_positive_int("max_len", self.max_len)
        check_positive_int("min_freq", self.min_freq)
        if self.max_vocab is not None:
            check_positive_int("max_vocab", self.max_vocab)

    def fit(self, X, y=None):
        """Learn the vocabulary (and ``max_len_``) from the texts ``X``.

        Parameters
        ----------
        X : sequence of str, pandas.Series or one-column array-like
            The training texts, at least one.
        y : ignored
            Present for scikit-learn pipelines.

        Returns
        -------
        self
        """
        self._check_params()
        texts = _as_texts(X)
        if not texts:
            raise DataError("X holds no texts; fit the encoder on at least one string")
        split = [self.units(t) for t in texts]
        self._set_vocab(self._kept_units(split), self.max_len or max(1, max(map(len, split))))
        return self

    def _kept_units(self, split: list[list[str]]) -> list[str]:
        """Units kept by ``min_freq`` and ``max_vocab``, most frequent first; DataError if none."""
        counts = Counter(u for units in split for u in units)
        kept = sorted((u for u, c in counts.items() if c >= self.min_freq),
                      key=lambda u: (-counts[u], u))[: self.max_vocab]
        if not kept:
            raise DataError(f"no unit of X occurs min_freq={self.min_freq} times (X has "
                            f"{sum(counts.values())} units in all); lower min_freq or give "
                            "more text")
        return kept

    def _set_vocab(self, units: Sequence[str], max_len: int) -> None:
        self.vocabulary_ = {u: i + 2 for i, u in enumerate(units)}
        self.max_len_ = int(max_len)
        self.vocab_size_ = len(units) + 2

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit "
                                 "with the training texts first")

    def encode(self, text: str) -> list[int]:
        """Indices of every unit of one text (untruncated, unpadded; unknown units are 1).

        Parameters
        ----------
        text : str
            One text of any length.

        Returns
        -------
        list of int
            One index per element of :meth:`units`.
        """
        self._check_fitted()
        vocab = self.vocabulary_
        return [vocab.get(u, UNKNOWN) for u in self.units(text)]

    def transform_with_lengths(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Index array (0-padded at the end) and the length of each text after truncation.

        Parameters
        ----------
        X : sequence of str, pandas.Series or one-column array-like
            The texts.

        Returns
        -------
        ids : ndarray of int64, shape (n, max_len_)
        lengths : ndarray of int64, shape (n,)
        """
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
        """Index array ``(n, max_len_)`` of int64, right-padded with 0.

        Parameters
        ----------
        X : sequence of str, pandas.Series or one-column array-like
            The texts to encode; those longer than ``max_len_`` are truncated.

        Returns
        -------
        ndarray of int64, shape (n, max_len_)
            The first part of :meth:`transform_with_lengths`.
        """
        return self.transform_with_lengths(X)[0]

    def lengths(self, X) -> np.ndarray:
        """Units per text after truncation to ``max_len_`` (the padding starts there).

        Parameters
        ----------
        X : list of str or array-like of str
            The texts to measure.

        Returns
        -------
        ndarray of int64, shape (n,)
            The second part of :meth:`transform_with_lengths`.
        """
        return self.transform_with_lengths(X)[1]

    def inverse_transform(self, X) -> np.ndarray:
        """Texts back from index arrays (padding dropped, unknown units as ``unknown_symbol``).

        Parameters
        ----------
        X : array-like of int, shape (n, L) or (L,)
            Indices this encoder produced.

        Returns
        -------
        ndarray of object (str), shape (n,)
        """
        self._check_fitted()
        ids = self._index_rows(X)
        table = self._unit_table()
        return np.array([self._joiner.join(u for u in table[row] if u is not None)
                         for row in ids], dtype=object)

    def _index_rows(self, X) -> np.ndarray:
        """``X`` as a 2-D integer array of valid indices; DataError otherwise."""
        ids = np.asarray(X)
        if ids.ndim == 1:
            ids = ids[None, :]  # (L,) -> (1, L)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise DataError(f"inverse_transform needs a 2-D integer index array; got dtype "
                            f"{ids.dtype} and shape {ids.shape}")
        bad = ids[(ids < 0) | (ids >= self.vocab_size_)]
        if bad.size:
            raise DataError(f"index {int(bad[0])} is outside the vocabulary of "
                            f"{self.vocab_size_} indices; decode indices this encoder produced")
        return ids

    def _unit_table(self) -> np.ndarray:
        """The unit of every index (None for padding, ``unknown_symbol`` for unknown)."""
        vocab = self.vocabulary_
        table = np.empty(self.vocab_size_, dtype=object)
        table[PAD], table[UNKNOWN] = None, self.unknown_symbol
        table[list(vocab.values())] = list(vocab)
        return table

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names of the output columns: one per position, ``char0``, ``char1``, ...

        ``input_features`` is ignored (present for scikit-learn). Returns an object array of
        str, shape ``(max_len_,)``.
        """
        self._check_fitted()
        return np.array([f"{self._prefix}{i}" for i in range(self.max_len_)], dtype=object)

    # -- vocabulary as plain data ------------------------------------------------------------

    def to_dict(self) -> dict:
        """The fitted encoder as JSON-ready data.

        Returns
        -------
        dict
            Keys ``kind`` (class name), ``params``, ``units`` (in index order) and ``max_len``.
        """
        self._check_fitted()
        units = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return {"kind": type(self).__name__, "params": self.get_params(),
                "units": units, "max_len": self.max_len_}

    @classmethod
    def from_dict(cls, data: dict):
        """A fitted encoder rebuilt from :meth:`to_dict` output.

        Parameters
        ----------
        data : dict
            What :meth:`to_dict` of this class returned.

        Returns
        -------
        encoder
            Fitted, with the same vocabulary and ``max_len_``.
        """
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
