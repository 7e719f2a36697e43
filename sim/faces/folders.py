"""The output folders of the commands: made before the work starts, or one ``error:`` paragraph
naming the option or key that chose the folder (never a traceback, issue 23).

Every command that writes into a folder makes it through :func:`output_folder` (``--out`` of
``sim.plan``, ``sim.compare``, ``sim.calibrate``, ``sim.followup`` and ``sim.report``,
``--results`` of ``sim.app``, ``montecarlo.out_dir``, ``staff.out_dir``, ``schedule.out_dir``,
``capacity.out_dir``); the Hydra commands' own folder (``hydra.run.dir``, ``hydra.sweep.dir``) is
made by :class:`OutputFolderCheck`, a Hydra callback (``hydra.callbacks`` in
``scenarios/config.yaml``) that runs just before Hydra would make it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.errors import ScenarioError
from sim.faces.cli import fail


def check_folder(path: str | Path, option: str) -> Path:
    """``path`` as a :class:`~pathlib.Path`, nothing made yet: a plain file at ``path`` or at one
    of its parents is a :class:`ScenarioError` naming ``option``."""
    path = Path(path)
    for p in (path, *path.parents):
        if p.exists() and not p.is_dir():
            where = "" if p == path else f"cannot make the output folder {path}: "
            raise ScenarioError(f"{option}: {where}{p} is a file, not a folder; choose another output folder or move the file.")
    return path


def output_folder(path: str | Path, option: str) -> Path:
    """Make the folder ``path`` (and its parents) and return it. A plain file at ``path`` or at
    one of its parents, or a folder that cannot be made, is a :class:`ScenarioError` naming
    ``option`` (the command-line option or scenario key that chose the folder)."""
    path = check_folder(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"{option}: cannot make the output folder {path} ({exc.strerror or exc}); "
                            "choose another output folder.") from None
    return path


@contextlib.contextmanager
def folder_for(path: str | Path, option: str) -> Iterator[Path]:
    """The output folder ``path`` made now (:func:`output_folder`: a folder that cannot be made
    is named before the work), for a command that reads its inputs first: when the block fails
    and left the folder it made empty, the folder is removed again (a mistyped input leaves no
    empty folder behind)."""
    path = Path(path)
    new = [p for p in (path, *path.parents) if not p.exists()]
    output_folder(path, option)
    try:
        yield path
    except BaseException:
        for p in new:  # the folders made here, innermost first, while they are empty
            with contextlib.suppress(OSError):
                p.rmdir()
        raise


def output_file(path: str | Path, option: str, *, make: bool = True) -> Path:
    """The file ``path`` to write, its folder made (:func:`output_folder`; only checked,
    :func:`check_folder`, with ``make=False``); a folder at ``path`` is a :class:`ScenarioError`
    naming ``option``."""
    path = Path(path)
    if path.is_dir():
        raise ScenarioError(f"{option}: {path} is a folder, not a file; give the file to write, e.g. {path / 'report.html'}.")
    (output_folder if make else check_folder)(path.parent, option)
    return path


class OutputFolderCheck(Callback):
    """Makes the run folder of a Hydra command (``hydra.run.dir``; ``hydra.sweep.dir`` for a
    multirun) before Hydra does, so that a plain file in its way is one ``error:`` paragraph
    naming the key and exit code 2 instead of Hydra's ``FileExistsError`` traceback. Hydra then
    makes the same folder again (the ``${now:…}`` of its name is resolved once per run)."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        _make(str(config.hydra.run.dir), "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        _make(str(config.hydra.sweep.dir), "hydra.sweep.dir")


def _make(path: str, key: str) -> None:
    try:
        output_folder(path, key)
    except ScenarioError as exc:
        fail(str(exc))
