"""Draw a run's PNG plots beside the run instead of after it (issue 23 item 16).

Importing matplotlib and drawing the two plots of a one-day ``python -m sim`` takes about as long
as composing, validating, simulating and writing the tables together. :class:`ForkedPainter`
forks a child process as the command starts; the child imports :mod:`sim.faces.plots` (and so
matplotlib) while the parent composes, validates and simulates, then draws the plots the parent
sends it once the tables are ready (one process per plot, forked from the child after its
imports), while the parent computes and writes the rest. The figures are the same code on the
same tables, so the PNG files are the same bytes as when drawn in the command's own process
(:func:`draw_here`, used where ``os.fork`` is not available and by every library caller).

A job is ``(name, args)``: a function of :mod:`sim.faces.plots` and its positional arguments
(picklable: data frames, targets, paths). A failing plot fails the command: the child's
traceback is raised in the parent as :class:`PlotError` when the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

PlotJob = tuple[str, tuple[Any, ...]]
Draw = Callable[[Sequence[PlotJob]], None]


class PlotError(RuntimeError):
    """A plot failed in the drawing process (its traceback is the message)."""


def draw_here(jobs: Sequence[PlotJob]) -> None:
    """Draw ``jobs`` in this process, one after the other."""
    from sim.faces import plots

    for name, args in jobs:
        getattr(plots, name)(*args)


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _child(jobs_in: int, report_out: int) -> None:  # pragma: no cover - runs in the forked child (tested through it)
    """The forked child: import the plotting code now, draw what arrives, exit without cleanup.
    Every job after the first is drawn by a grandchild forked once matplotlib is imported (so
    at no extra import cost): the plots are drawn side by side, not one after the other."""
    code = 0
    try:
        import sim.faces.plots  # noqa: F401 - the import is what runs beside the parent's work

        data = _read_all(jobs_in)
        jobs: list[PlotJob] = pickle.loads(data) if data else []  # none when the parent failed before its tables were ready
        helpers = [_fork_drawing(job, report_out) for job in jobs[1:]]
        draw_here(jobs[:1])
        for pid in helpers:
            if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
                code = 1  # its traceback is in the report already
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent
        code = 1
        _report(report_out)
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's inherited buffers


def _fork_drawing(job: PlotJob, report_out: int) -> int:  # pragma: no cover - runs in the forked child
    """Fork a process that draws ``job`` and exits (1 with its traceback reported when it fails)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            draw_here([job])
        except BaseException:  # noqa: BLE001 - reported to the parent
            code = 1
            _report(report_out)
        finally:
            os._exit(code)
    return pid


def _report(report_out: int) -> None:  # pragma: no cover - runs in the forked children
    with contextlib.suppress(OSError):
        os.write(report_out, traceback.format_exc().encode("utf-8", "replace"))


def can_fork() -> bool:
    """Whether :class:`ForkedPainter` draws in a child (Linux) or in the command's own process."""
    return sys.platform == "linux" and hasattr(os, "fork")


class ForkedPainter:
    """A child process forked on creation that imports the plotting code at once and draws the
    one batch of jobs :meth:`draw` hands it; :meth:`finish` waits for it (raising
    :class:`PlotError` when a plot failed) and :meth:`close` ends it if it got no jobs."""

    def __init__(self) -> None:
        jobs_in, self._jobs_out = os.pipe()
        self._report_in, report_out = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():
            # Python >= 3.12 warns when forking a process with threads: ours are OpenBLAS's idle
            # pool (it re-initialises itself in a child through pthread_atfork); the child only
            # imports matplotlib, draws and leaves with os._exit.
            warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning)
            try:
                self._pid = os.fork()
            except OSError:
                for fd in (jobs_in, self._jobs_out, self._report_in, report_out):
                    os.close(fd)
                raise
        if self._pid == 0:  # pragma: no cover - the child
            os.close(self._jobs_out)
            os.close(self._report_in)
            _child(jobs_in, report_out)
        os.close(jobs_in)
        os.close(report_out)
        self.sent = False
        self._done = False

    def draw(self, jobs: Sequence[PlotJob]) -> None:
        """Hand ``jobs`` to the child (once) and return at once."""
        if self.sent:
            raise RuntimeError("a ForkedPainter draws one batch of jobs")
        self.sent = True
        data = pickle.dumps(list(jobs), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with open(self._jobs_out, "wb", closefd=True) as pipe:  # closing it tells the child that all jobs are in
                pipe.write(data)
        except BrokenPipeError:  # the child is gone already: its report says why
            pass

    def finish(self) -> None:
        """Wait until the child has drawn the jobs; :class:`PlotError` when it failed."""
        if not self.sent:
            self.draw([])
        report, status = self._reap()
        if report or status != 0:
            raise PlotError(f"drawing the plots failed:\n{report or f'the drawing process ended with exit code {status}'}")

    def close(self) -> None:
        """End the child without waiting for its imports when it got no jobs; reap it."""
        if self._done:
            return
        if not self.sent:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.close(self._jobs_out)
            self.sent = True
        self._reap()

    def _reap(self) -> tuple[str, int]:
        if self._done:
            return "", 0
        self._done = True
        try:
            report = _read_all(self._report_in).decode("utf-8", "replace")
        finally:
            os.close(self._report_in)
            _, status = os.waitpid(self._pid, 0)
        return report, os.waitstatus_to_exitcode(status)


def start_painter() -> ForkedPainter | None:
    """A :class:`ForkedPainter`, or None where forking is not available or fails (e.g. at a
    process limit): the plots are then drawn in the command's own process."""
    if not can_fork():
        return None
    try:
        return ForkedPainter()
    except OSError:
        return None


@contextlib.contextmanager
def forked_painter(painter: ForkedPainter | None = None) -> Iterator[Draw]:
    """A ``draw(jobs)`` that hands the jobs to ``painter`` (one forked already) or to a
    :class:`ForkedPainter` forked on entry (:func:`draw_here` where forking is not available).
    A normal exit waits for the plots (:class:`PlotError` when one failed); an error in the
    block ends the child unheard."""
    if painter is None:
        painter = start_painter()
    if painter is None:
        yield draw_here
        return
    try:
        yield painter.draw
        painter.finish()
    finally:
        painter.close()
