"""The ``tsrnn`` command line (installed as ``tsrnn.cli``; console script ``tsrnn``)."""

from .main import main

__all__ = ["main"]
