"""The training bar off a terminal: one line per epoch.

On a terminal tqdm redraws its bar in place. In a log file, a CI log or a pipe every redraw
is a line of its own, two or more per epoch (a loss update, a tick). :func:`epoch_lines` hands
tqdm a stand-in for stderr that keeps only the first drawing of each new epoch count.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys

__all__ = ["epoch_lines"]

_COUNT = re.compile(r"\|\s*(\d+)/(\d+)\s*\[")


class _EpochLines(io.TextIOBase):
    """Forwards ``k/N`` progress lines to ``stream``, the first one per ``k >= 1`` only."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = "0"

    def write(self, text: str) -> int:
        for part in re.split(r"[\r\n]", text):
            found = _COUNT.search(part)
            if found is None:
                if part.strip():
                    self.stream.write(part.rstrip() + "\n")
                continue
            if found.group(1) != self.last:
                self.last = found.group(1)
                self.stream.write(part.rstrip() + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def epoch_lines(verbose: bool):
    """While fitting: stderr as one line per epoch when it is not a terminal."""
    if not verbose or sys.stderr.isatty():
        yield
        return
    with contextlib.redirect_stderr(_EpochLines(sys.stderr)):
        yield
