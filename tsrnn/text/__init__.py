"""Text as integer sequences for the RNN estimators (numpy/pandas/sklearn only, never torch).

:mod:`~tsrnn.text.encoders` turns strings into padded index arrays (:class:`CharEncoder`,
:class:`TokenEncoder`), :mod:`~tsrnn.text.loaders` reads labelled text from a folder or a CSV
file, and :mod:`~tsrnn.text.pairs` builds per-character targets for char-to-char tasks.
"""

from .encoders import PAD, UNKNOWN, CharEncoder, TokenEncoder, fold_ascii
from .loaders import load_text_csv, load_text_folder
from .pairs import char_transduction_pairs, transduction_pairs

__all__ = [
    "CharEncoder",
    "TokenEncoder",
    "PAD",
    "UNKNOWN",
    "fold_ascii",
    "load_text_csv",
    "load_text_folder",
    "char_transduction_pairs",
    "transduction_pairs",
]
