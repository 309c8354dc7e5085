"""Whether torchrun started this process, read from its environment (standard library only:
the ``tsrnn`` command asks before it reads the data, and torch loads after that)."""

from __future__ import annotations

import os

__all__ = ["LAUNCH_ENV", "launched"]

#: The rendezvous variables torchrun sets in every process it starts.
LAUNCH_ENV = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def launched() -> bool:
    """Whether this process was started by torchrun (its rendezvous variables are set)."""
    return all(name in os.environ for name in LAUNCH_ENV)
