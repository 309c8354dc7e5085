"""The training bar off a terminal: at most one line per epoch, and about ten per bar.

On a terminal tqdm redraws its bar in place. In a log file, a CI log or a pipe every redraw
is a line of its own, two or more per epoch (a loss update, a tick), and a fit of 300 short
epochs with 5 members would write thousands. :func:`epoch_lines` hands tqdm a stand-in for
stderr that keeps the first drawing of the first epoch, of each tenth of the bar, and of the
last epoch.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys

__all__ = ["epoch_lines"]

_COUNT = re.compile(r"\|\s*(\d+)/(\d+)\s*\[")


#: Lines per bar off a terminal (besides the first epoch's).
STEPS = 10


class _EpochLines(io.TextIOBase):
    """Forwards ``k/N`` progress lines to ``stream``: the first drawing of epoch 1, of each
    epoch that enters a new tenth of ``N``, and of epoch ``N``."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.last = 0

    def _keep(self, k: int, total: int) -> bool:
        if k == self.last or k == 0:
            return False
        new_tenth = k * STEPS // max(total, 1) != self.last * STEPS // max(total, 1)
        return k < self.last or self.last == 0 or k == total or new_tenth

    def write(self, text: str) -> int:
        for part in re.split(r"[\r\n]", text):
            found = _COUNT.search(part)
            if found is None:
                if part.strip():
                    self.stream.write(part.rstrip() + "\n")
                continue
            k, total = int(found.group(1)), int(found.group(2))
            if self._keep(k, total):
                self.stream.write(part.rstrip() + "\n")
            self.last = k
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def epoch_lines(verbose: bool):
    """While fitting: stderr as a few progress lines per bar when it is not a terminal."""
    if not verbose or sys.stderr.isatty():
        yield
        return
    with contextlib.redirect_stderr(_EpochLines(sys.stderr)):
        yield
