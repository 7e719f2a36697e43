"""Progress of a run of replications: a tqdm bar on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import math
import sys
import time

log = logging.getLogger(__name__)


class _NoBar:
    def update(self, n: int) -> None:  # noqa: D102
        pass

    def close(self) -> None:  # noqa: D102
        pass


class LogProgress:
    """Progress as log lines, one per ``step`` (a share of the total) and one at the end:
    what a long run shows when its output is not a terminal (a log file, a pipe, CI)."""

    def __init__(self, total: int, initial: int = 0, desc: str = "replications", step: float = 0.05,
                 logger: logging.Logger | None = None) -> None:
        self.total, self.n, self.desc = total, initial, desc
        self.every = max(1, math.ceil(total * step))
        self.log = logger or log
        self.t0 = time.perf_counter()
        self._last = initial

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.n - self._last >= self.every or self.n >= self.total:
            self._last = self.n
            elapsed = time.perf_counter() - self.t0
            self.log.info("%s: %d of %d done (%.0f %%), %.1f s", self.desc, self.n, self.total,
                          100 * self.n / max(self.total, 1), elapsed)

    def close(self) -> None:
        pass


def progress_bar(n: int, show: bool, initial: int, total: int):  # noqa: ANN202
    """A tqdm bar on a terminal, log lines otherwise (``show``), or nothing."""
    if not show or n == 0:
        return _NoBar()
    if not sys.stderr.isatty():
        return LogProgress(total, initial)
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="rep", desc="replications")
