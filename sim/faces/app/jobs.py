"""Runs behind the page: each scenario's replications in its own results folder, in a child
process that can be stopped.

A scenario's replications go to ``<root>/runs/<result_key>/`` (see
:func:`sim.faces.app.logic.result_key`) through the runner's own ``out_dir`` mechanism
(:func:`sim.study.runner.run_replications`): each finished replication is one Parquet file
written under a temporary name and renamed, and a rerun of the same resolved scenario resumes
from what is there. The baseline of a page is therefore computed once and reused by every
variant compared with it, and an unchanged variant comes straight from disk.

The child process (:mod:`sim.faces.app.worker`) runs the replications in growing chunks,
alternating the scenarios (2, 2, 4, 8 … replications each), so that the page can show a
paired comparison after the first chunk and refine it as more arrive. Stopping kills the
child's process group and removes any temporary file: what remains are whole replications,
which the next run reuses. A finished comparison's tables and report are written to
``<root>/compare/<key>/`` through a temporary folder renamed at the end, so they are never
half written.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sim.faces.app.logic import LEVELS, comparison_key, result_key
from sim.schema import Scenario
from sim.study.compare import Comparison

CHUNKS_START = 2
_PROJECT = str(Path(__file__).resolve().parents[3])  # the folder holding the sim package


def chunks(reps: int, first: int = CHUNKS_START) -> list[tuple[int, int]]:
    """Replication ranges ``[lo, hi)`` of growing size: 0-2, 2-4, 4-8, 8-16 …"""
    out, lo, size = [], 0, first
    while lo < reps:
        hi = min(reps, lo + size)
        out.append((lo, hi))
        size = size if lo == 0 else size * 2
        lo = hi
    return out


_SPARE: tuple[subprocess.Popen[bytes], Path, Path] | None = None
"""A worker process that has imported everything and waits for a plan, and its log file
(see :func:`prewarm`)."""


def _spawn(log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - our own module; the plan is a file we wrote
            [sys.executable, "-m", "sim.faces.app.worker"], stdin=subprocess.PIPE, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (_PROJECT, os.environ.get("PYTHONPATH", "")) if p)},
        )


def prewarm(root: Path) -> None:
    """Start a spare worker (if none is waiting) so that the next run need not wait for
    Python to import pandas, SimPy and the model."""
    global _SPARE
    root = Path(root).resolve()
    if _SPARE is not None and _SPARE[0].poll() is None:
        if _SPARE[2] == root:
            return
        stop_spare()  # it would log into another results folder
    log = root / "jobs" / f"{uuid.uuid4().hex[:12]}.log"
    _SPARE = (_spawn(log), log, root)


def _take(root: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """The spare worker (started now if there is none); the caller owns it."""
    global _SPARE
    prewarm(root)
    assert _SPARE is not None
    (proc, log, _), _SPARE = _SPARE, None
    return proc, log


def stop_spare() -> None:
    """End the spare worker: it reads an empty line and exits."""
    global _SPARE
    if _SPARE is not None and _SPARE[0].poll() is None and _SPARE[0].stdin is not None:
        _SPARE[0].stdin.close()
    _SPARE = None


atexit.register(stop_spare)


_RUNNING: list[Job] = []
"""Jobs of this process whose worker may still be writing (see :meth:`Job.start`)."""


def _rep_path(folder: Path, k: int) -> Path:
    return folder / "replications" / f"rep_{k:06d}.parquet"


class Job:
    """A comparison of labelled scenarios (the first is the baseline), run or resumed."""

    def __init__(self, root: Path, scenarios: Mapping[str, Scenario], replications: int,
                 seed: int | None = None, levels: Sequence[str] = LEVELS, workers: int | None = None) -> None:
        self.root = Path(root)
        self.scenarios = dict(scenarios)
        self.reps = int(replications)
        self.seed = int(next(iter(self.scenarios.values())).run.seed if seed is None else seed)
        self.levels = tuple(levels)
        self.workers = workers
        self.keys = {lb: result_key(s, self.seed, self.levels) for lb, s in self.scenarios.items()}
        self.folders = {lb: self.root / "runs" / key for lb, key in self.keys.items()}
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopped = False
        self.started = time.perf_counter()
        self.first_result_s: float | None = None
        self._frames: dict[tuple[str, int], pd.DataFrame] = {}
        self._log: Path | None = None
        self._cmp: tuple[int, Comparison] | None = None

    # ------------------------------------------------------------- running

    def start(self) -> None:
        """Start the child process, unless every replication is already on disk."""
        for lb, folder in self.folders.items():
            folder.mkdir(parents=True, exist_ok=True)
            spec = folder / "scenario.json"
            if not spec.exists():
                tmp = spec.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.scenarios[lb].model_dump(mode="json")), encoding="utf-8")
                tmp.replace(spec)
        if self.total_done() == self.total:
            return
        # Two workers must never write the same results folder (their temporary files would
        # collide): a run that needs a folder another run of this page is writing stops that one.
        _RUNNING[:] = [j for j in _RUNNING if j.running]
        for other in list(_RUNNING):
            if set(other.folders.values()) & set(self.folders.values()):
                other.stop()
        jobs = self.root / "jobs"
        jobs.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex[:12]
        plan = jobs / f"{name}.json"
        plan.write_text(json.dumps({
            "folders": [str(f) for f in self.folders.values()], "seed": self.seed, "replications": self.reps,
            "levels": list(self.levels), "workers": self.workers,
        }), encoding="utf-8")
        self.proc, self._log = _take(self.root)
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{plan}\n".encode())
        self.proc.stdin.close()
        _RUNNING.append(self)

    @property
    def running(self) -> bool:
        """True while the child process works."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def finished(self) -> bool:
        """True when every replication of every scenario is on disk."""
        return self.total_done() == self.total

    def error(self) -> str | None:
        """The last line the child wrote when it failed, else None."""
        if self.proc is None or self.stopped or self.proc.poll() in (None, 0):
            return None
        text = self._log.read_text(encoding="utf-8", errors="replace") if self._log and self._log.exists() else ""
        lines = [ln for ln in text.splitlines() if ln.strip()]
        return lines[-1] if lines else f"the run stopped with exit code {self.proc.returncode}"

    def stop(self) -> None:
        """Kill the child's process group (our own child only) and remove temporary files."""
        self.stopped = True
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.clean()

    def clean(self) -> None:
        """Remove temporary files a killed run may have left."""
        for folder in self.folders.values():
            for tmp in (folder / "replications").glob("*.tmp"):
                tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------- progress and results

    @property
    def total(self) -> int:
        """Replications to run in all (every scenario)."""
        return self.reps * len(self.scenarios)

    def done(self, label: str) -> list[int]:
        """Replications of ``label`` on disk (of the ``reps`` wanted)."""
        return [k for k in range(self.reps) if _rep_path(self.folders[label], k).exists()]

    def total_done(self) -> int:
        """Replications on disk, all scenarios together."""
        return sum(len(self.done(lb)) for lb in self.scenarios)

    def comparison(self, minimum: int = 2) -> Comparison | None:
        """The comparison over the replications every scenario has (None below ``minimum``)."""
        common = set(range(self.reps))
        for lb in self.scenarios:
            common &= set(self.done(lb))
        ks = sorted(common)
        if len(ks) < minimum:
            return None
        if self._cmp is not None and self._cmp[0] == len(ks):
            return self._cmp[1]
        frames = []
        for lb in self.scenarios:
            for k in ks:
                if (lb, k) not in self._frames:
                    self._frames[(lb, k)] = pd.read_parquet(_rep_path(self.folders[lb], k))
                frames.append(self._frames[(lb, k)].assign(scenario=lb))
        kpis = pd.concat(frames, ignore_index=True)
        kpis = kpis[["scenario", *[c for c in kpis.columns if c != "scenario"]]]
        cmp = Comparison(self.scenarios, self.seed, len(ks), kpis, 0.95, time.perf_counter() - self.started, self.workers,
                         {"results": {lb: str(f) for lb, f in self.folders.items()}})
        if self.first_result_s is None:
            self.first_result_s = time.perf_counter() - self.started
        self._cmp = (len(ks), cmp)
        return cmp

    def outputs(self, lang: str = "en") -> Path | None:
        """The finished comparison's folder (tables, and the report in ``lang`` as
        :func:`report_name`), written once; a report in another language is added beside."""
        if not self.finished:
            return None
        cmp = self.comparison()
        if cmp is None:
            return None
        out = self.root / "compare" / comparison_key(list(self.keys.values()), self.reps)
        if (out / report_name(lang)).exists():
            return out
        if out.exists():  # the tables are there: add the report in this language (written, then renamed)
            tmp = out / f"{report_name(lang)}.tmp{os.getpid()}"
            _write_report(cmp, out, tmp.name, lang)
            tmp.replace(out / report_name(lang))
            for png in out.glob("*.png"):
                png.unlink()
            return out
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        cmp.save(tmp)
        _write_report(cmp, tmp, report_name(lang), lang)
        for png in tmp.glob("*.png"):
            png.unlink()  # embedded in the report
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        return out


def report_name(lang: str) -> str:
    """The file of a finished comparison's report in ``lang`` (downloaded as ``report.html``)."""
    return f"report_{lang}.html"


def _write_report(cmp: Comparison, folder: Path, filename: str, lang: str) -> Path:
    from sim.faces.i18n import _, language
    from sim.faces.report import comparison_report

    with language(lang):
        title = _("Opening hours and staffing: {labels}").format(labels=" vs ".join(_(x) for x in cmp.labels))
        return comparison_report(cmp, folder, title=title, command="python -m sim.app (the managers' page)", filename=filename)
