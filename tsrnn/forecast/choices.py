"""The values of the forecaster's text parameters that the ``tsrnn`` command lists in its
options (standard library only, so that the command starts before torch loads)."""

from __future__ import annotations

__all__ = ["FORECAST_HEADS", "MISSING"]

#: ``head=``: see :data:`tsrnn.forecast.params.PARAMETERS_DOC`.
FORECAST_HEADS = ("direct", "seq2seq", "recursive")
#: ``missing=``: see :mod:`tsrnn.forecast.missing`.
MISSING = ("auto", "mask", "raise")
