"""The child process of a page run: ``python -m sim.faces.app.worker PLAN.json``.

The plan names the results folders (each holds the ``scenario.json`` the page validated), the
seed, the replications and the KPI levels. The scenarios' replications are run in growing
chunks, alternating the scenarios, through :func:`sim.study.runner.run_replications` with
``out_dir`` (so every finished replication is on disk at once and a rerun resumes). The page
reads the folders to show progress and results; it stops a run by killing this process group.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from sim.errors import ScenarioError
from sim.faces.app.jobs import chunks
from sim.scenario.compose import validate
from sim.study.runner import run_replications

log = logging.getLogger(__name__)


def run(plan_path: Path) -> None:
    """Run the plan's replications chunk by chunk."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    folders = [Path(f) for f in plan["folders"]]
    scenarios = [validate(json.loads((f / "scenario.json").read_text(encoding="utf-8"))) for f in folders]
    seed, reps, levels = int(plan["seed"]), int(plan["replications"]), tuple(plan["levels"])
    for lo, hi in chunks(reps):
        for folder, scenario in zip(folders, scenarios, strict=True):
            run_replications(scenario, hi, seed, first=lo, out_dir=folder, levels=levels, workers=plan.get("workers"))
            log.info("%s: replications %d-%d done", folder.name, lo, hi - 1)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry of the child process. Without an argument it is a *spare*: it
    imports everything, then waits for the plan's path on its standard input (so a run does
    not wait for Python to import pandas, SimPy and the model)."""
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args:
        line = sys.stdin.readline().strip()
        if not line:
            return  # the page closed without using this spare
        args = [line]
    try:
        run(Path(args[0]))
    except ScenarioError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
