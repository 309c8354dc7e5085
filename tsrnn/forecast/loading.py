"""Model folders back into forecasters: :func:`load` and :func:`resume`, from here, where every
class a folder can hold has been imported. A class registers its kind with
:mod:`tsrnn.forecast.serialize` when it is defined (so that module imports no estimator); the
package's names load on first use, so ``tsrnn.load`` must come from a module that has
defined them all."""

from __future__ import annotations

from .checkpoint import resume
from .forecaster import RNNForecaster
from .serialize import load

__all__ = ["KINDS", "load", "resume"]

#: The classes a model folder can hold (``meta["kind"]``).
KINDS = (RNNForecaster,)
