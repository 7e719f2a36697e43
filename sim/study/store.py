"""The results folder of a Monte Carlo run: one Parquet file per replication, resumable.

Each finished replication is written at once to ``<out>/replications/rep_<k>.parquet``
(written to a temporary name, then renamed, so a killed process never leaves half a file),
carrying the fingerprint of its scenario, its seed and its number in the Parquet metadata. A
rerun with the same scenario and seed skips the replications already on disk;
``<out>/manifest.json`` guards against mixing scenarios, and a damaged or foreign file is set
aside to ``<out>/rejected/`` and recomputed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.errors import ScenarioError
from sim.schema import Scenario

log = logging.getLogger(__name__)

DEFAULT_LEVELS: tuple[str, ...] = ("day", "month", "run")
"""The KPI levels a run computes unless told otherwise (see :data:`sim.study.runner.LEVELS`)."""

# Scenario keys that do not change what a replication computes: how many replications, on
# how many workers, where the results go (a rerun with more replications or other workers
# must resume the same folder), the scenario's name and description, and the settings of
# rostering, sim.staff and the dated schedule, and the Excel copies of the tables (they do not
# change a replication).
_NOT_IN_DIGEST = ("montecarlo", "name", "description", "roster", "staff", "schedule", "capacity", "output")
_REP_FILE = re.compile(r"rep_(\d{6})\.parquet")
_META_KEY = b"sim.replication"


def scenario_digest(scenario: Scenario, seed: int, levels: Sequence[str]) -> str:
    """A fingerprint of what a folder's replications were computed from: the resolved
    scenario (without ``montecarlo``, ``name``, ``description``), the seed and the KPI levels."""
    model = scenario.model_dump(mode="json", exclude=set(_NOT_IN_DIGEST))
    blob = json.dumps({"scenario": model, "seed": seed, "levels": list(levels)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def slug(label: str) -> str:
    """A folder name for a label."""
    text = re.sub(r"[^A-Za-z0-9_.=-]+", "_", label).strip("_") or "scenario"
    return text[:80]


def folder_name(scenario: Scenario, seed: int | None = None, levels: Sequence[str] = DEFAULT_LEVELS,
                label: str | None = None) -> str:
    """``<label or name>_seed<seed>_<8 hex digits of the fingerprint>``: a changed scenario
    gets its own folder, the same scenario resumes in the same one."""
    seed = scenario.run.seed if seed is None else seed
    return f"{slug(label or scenario.name)}_seed{seed}_{scenario_digest(scenario, seed, levels)[:8]}"


@dataclass(frozen=True)
class ResultsFolder:
    """Where a scenario's replications live and how many of them are there."""

    path: Path
    done: frozenset[int]
    replications: int

    @property
    def complete(self) -> bool:
        """Every replication ``0 .. replications-1`` is on disk (and belongs to the scenario)."""
        return all(k in self.done for k in range(self.replications))


def results_folder(scenario: Scenario, seed: int | None = None, *, replications: int | None = None,
                   root: str | Path | None = None, levels: Sequence[str] = DEFAULT_LEVELS) -> ResultsFolder:
    """The results folder of ``python -m sim.mc`` for ``scenario`` and ``seed`` (default
    ``run.seed``) under ``root`` (default ``montecarlo.out_dir``) and whether it holds all
    ``replications`` (default ``montecarlo.replications``). Reads only the files' metadata;
    a rerun of :func:`run_replications` with ``out_dir=path`` loads them without simulating."""
    seed = scenario.run.seed if seed is None else seed
    path = Path(root or scenario.montecarlo.out_dir) / folder_name(scenario, seed, levels)
    digest = scenario_digest(scenario, seed, levels)
    done = Store.scan(path / "replications", digest, seed, quiet=True) if path.is_dir() else set()
    return ResultsFolder(path, frozenset(done), replications or scenario.montecarlo.replications)


def make_folder(out: Path) -> None:
    """Make the results folder ``out`` (and its parents); a file in the way is one error
    paragraph naming it, not a traceback."""
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"{out} is a file, not a folder: choose another output folder (montecarlo.out_dir) or move the file.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"cannot make the results folder {out} ({exc.strerror or exc}): "
                            "choose another output folder (montecarlo.out_dir).") from None


class Store:
    """A folder of per-replication Parquet files, each carrying the fingerprint of its
    scenario, its seed and its replication number in the Parquet metadata; a file that is
    damaged, has a stray name or belongs to something else is set aside and recomputed."""

    def __init__(self, out_dir: Path, digest: str, seed: int) -> None:
        self.out_dir = out_dir
        self.digest, self.seed = digest, seed
        self.reps = out_dir / "replications"
        self.calls = out_dir / "calls"
        self._folders()
        self._manifest()

    def _folders(self) -> None:
        """Make the folder and ``replications/``; a plain file where ``replications`` or
        ``calls`` belongs is set aside to ``rejected/`` like a damaged replication."""
        out = self.out_dir
        make_folder(out)
        try:
            for sub in (self.reps, self.calls):
                if sub.exists() and not sub.is_dir():
                    self._reject(sub, "a plain file where a folder belongs", folder=out, then="the folder is made again")
            self.reps.mkdir(exist_ok=True)
        except OSError as exc:
            raise ScenarioError(f"cannot make the results folder {out} ({exc.strerror or exc}): "
                                "choose another output folder (montecarlo.out_dir) or repair its files.") from None

    def _manifest(self) -> None:
        manifest = self.out_dir / "manifest.json"
        old = None
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))["digest"]
            except (ValueError, KeyError, TypeError, OSError):
                log.warning("%s is damaged or empty; writing it again (each replication file is checked on its own).", manifest)
        if old is not None and old != self.digest:
            if self._holds(old):
                raise ScenarioError(
                    f"{self.out_dir} holds replications of a different scenario, seed or KPI levels "
                    f"(fingerprint {old}, now {self.digest}); use another output folder or delete it to start over."
                )
            # no replication file carries the manifest's fingerprint: the manifest is the odd one out
            self._reject(manifest, f"of another fingerprint ({old}) than every replication file in the folder", folder=self.out_dir,
                         then="written again (each replication file is checked on its own)")
            old = None
        if old is None:
            tmp = manifest.with_suffix(".tmp")
            tmp.write_text(json.dumps({"digest": self.digest, "seed": self.seed}), encoding="utf-8")
            os.replace(tmp, manifest)

    def _holds(self, digest: str) -> bool:
        """Whether some replication file of the folder carries ``digest`` (read from its metadata)."""
        import pyarrow.parquet as pq

        for p in sorted(self.reps.glob("rep_*.parquet")):
            try:
                meta = json.loads((pq.read_schema(p).metadata or {}).get(_META_KEY, b"null"))
            except Exception:  # noqa: BLE001 - damaged files are dealt with by scan()
                continue
            if isinstance(meta, dict) and meta.get("digest") == digest:
                return True
        return False

    def path(self, k: int) -> Path:
        return self.reps / f"rep_{k:06d}.parquet"

    def absolute(self) -> Store:
        """The same store with absolute paths, for workers: a warm worker was forked earlier and
        may have another working directory than the run that hands it a relative folder."""
        twin = copy.copy(self)
        twin.out_dir, twin.reps, twin.calls = self.out_dir.resolve(), self.reps.resolve(), self.calls.resolve()
        return twin

    def _meta(self, k: int) -> dict[bytes, bytes]:
        return {_META_KEY: json.dumps({"digest": self.digest, "seed": self.seed, "replication": k}).encode()}

    @staticmethod
    def scan(reps: Path, digest: str, seed: int, quiet: bool = False) -> set[int]:
        """Replication numbers whose files are readable and carry ``digest``, ``seed`` and
        their own number; others are reported (and, unless ``quiet``, moved to ``rejected/``)."""
        import pyarrow.parquet as pq

        good: set[int] = set()
        for p in sorted(reps.glob("*.parquet")):
            m = _REP_FILE.fullmatch(p.name)
            problem = None if m else "a stray file name (expected rep_<6 digits>.parquet)"
            if m:
                try:
                    meta = json.loads((pq.read_schema(p).metadata or {}).get(_META_KEY, b"null"))
                except Exception:  # noqa: BLE001 - truncated, empty or not Parquet at all
                    meta, problem = None, "damaged (not a readable Parquet file)"
                else:
                    want = {"digest": digest, "seed": seed, "replication": int(m.group(1))}
                    if meta != want:
                        problem = "not a replication of this scenario and seed (fingerprint differs)"
            if problem is None:
                good.add(int(m.group(1)))  # type: ignore[union-attr]
            elif not quiet:
                Store._reject(p, problem, recompute=m is not None)
        return good

    @staticmethod
    def _reject(p: Path, problem: str, recompute: bool = True, *, folder: Path | None = None, then: str | None = None) -> None:
        """Move ``p`` (a replication file, or with ``folder`` a file of the results folder
        itself) to the folder's ``rejected/`` and say so (``then``: what happens next)."""
        aside = (folder or p.parent.parent) / "rejected"
        if aside.exists() and not aside.is_dir():
            raise ScenarioError(f"{p} is {problem}, and {aside} is a file, so it cannot be set aside there: move {aside} away.")
        aside.mkdir(exist_ok=True)
        os.replace(p, aside / p.name)
        then = then or ("the replication is recomputed" if recompute else "it is not used")
        log.warning("%s is %s; moved to %s, %s.", p, problem, aside, then)

    def done(self) -> set[int]:
        return self.scan(self.reps, self.digest, self.seed)

    def _write(self, frame: pd.DataFrame, path: Path, k: int) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **self._meta(k)})
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)

    def save(self, k: int, kpis: pd.DataFrame, calls: pd.DataFrame | None) -> None:
        if calls is not None:
            self.calls.mkdir(exist_ok=True)
            self._write(calls, self.calls / f"rep_{k:06d}.parquet", k)
        self._write(kpis, self.path(k), k)  # last: its presence marks the replication done

    def load(self, ks: Iterable[int]) -> tuple[pd.DataFrame | None, list[int]]:
        """The rows of replications ``ks``, and the numbers of files that failed to read
        (moved aside, to be recomputed)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables, bad = [], []
        for k in sorted(ks):
            try:
                tables.append(pq.read_table(self.path(k)))
            except Exception:  # noqa: BLE001 - a damaged page the footer check did not see
                self._reject(self.path(k), "damaged (not a readable Parquet file)")
                bad.append(k)
        if not tables:
            return None, bad
        try:  # one conversion of all rows: about 3x faster than a read_parquet per file
            return pa.concat_tables(tables, promote_options="default").to_pandas(), bad
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # schemas that do not unify: pandas decides
            return pd.concat([t.to_pandas() for t in tables], ignore_index=True), bad
