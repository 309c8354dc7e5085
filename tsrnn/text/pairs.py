"""Per-character targets for char-to-char (N-vs-N) tasks such as ``"hello" -> "ohlol"``.

:func:`transduction_pairs` lays given target strings out one character per step;
:func:`char_transduction_pairs` builds the targets by rotating each word. Encode the inputs
with :class:`~tsrnn.text.CharEncoder` and fit ``RNNClassifier(head="per_step")`` on them.
"""

from __future__ import annotations

import numpy as np

from .._validation import ConfigError, DataError
from ._texts import _as_texts

__all__ = ["transduction_pairs", "char_transduction_pairs"]


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

    Parameters
    ----------
    words : sequence of str
        Input words, none of them empty.
    shift : int, default=1
        Positions to rotate each word left by (negative: right).
    fill : str, default=""
        Label written past a word's end, as in :func:`transduction_pairs`.

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
