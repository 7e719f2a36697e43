"""The software and hardware a report was made with (STRESS-DES 6 and 7): package versions,
the code's git revision, the operating system, processor, cores and memory."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sim.faces.i18n import N_, _

__all__ = ["environment"]

_PACKAGES = ("callcentre-sim", "simpy", "numpy", "pandas", "scipy", "matplotlib", "hydra-core", "omegaconf", "holidays",
             "pydantic", "joblib", "pyarrow", "babel")


def environment() -> dict[str, str]:
    """Software versions, code version and hardware of this machine (keys in English, marked for
    the catalogue: translate them with :func:`sim.faces.i18n._` where shown)."""
    info = {"Python": platform.python_version()}
    for name in _PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    info[N_("code version")] = _git_version()
    info[N_("operating system")] = platform.platform()
    info[N_("processor")] = _cpu_model()
    info[N_("logical cores")] = str(os.cpu_count() or "?")
    info[N_("memory")] = _memory()
    return info


def _git_version() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=False)
        if rev.returncode != 0:
            return _("unknown (not a git checkout)")
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, timeout=5, check=False)
        return f"git {rev.stdout.strip()}" + (" " + _("with uncommitted changes") if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return _("unknown")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except (OSError, ValueError):
        pass
    return _("unknown")


