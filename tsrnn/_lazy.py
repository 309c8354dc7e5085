"""Names a package exports but imports on first use (PEP 562), so that ``import tsrnn`` and the
``tsrnn`` command start without torch and scikit-learn (seconds each): a file is read, and
refused, before they load; ``tsrnn --help`` answers at once.

A package's ``__init__`` keeps the usual list of what it exports, as a table from each name to
the module that defines it, and hands it to :func:`lazy_exports`::

    __getattr__, __dir__ = lazy_exports(__name__, {"RNNForecaster": ".forecast", ...},
                                        submodules=("forecast", ...))

``from tsrnn import RNNForecaster`` and ``tsrnn.RNNForecaster`` then import
:mod:`tsrnn.forecast` the first time, and find the name in the package from then on;
``tsrnn.forecast`` (a name of ``submodules``) imports the submodule. Static tools see
the same names through the package's ``if TYPE_CHECKING:`` imports (``tests/test_lazy.py``
checks the two lists agree).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, table: Mapping[str, str], submodules: Iterable[str] = ()
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for the names of ``table``
    (name -> the module that defines it, relative to ``package`` when it starts with a dot)
    and for its ``submodules``."""
    table = {**dict(table), **{name: f".{name}" for name in submodules}}
    submodules = set(submodules)

    def __getattr__(name: str) -> object:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(table[name], package)
        value = module if name in submodules else getattr(module, name)
        setattr(sys.modules[package], name, value)  # found directly from now on
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(table))

    return __getattr__, __dir__
