"""What every Hydra command of the toolkit does before Hydra runs: check the overrides."""

from __future__ import annotations

import sys
from collections.abc import Callable

from sim.scenario.compose import check_overrides


def run_hydra_app(app: Callable[[], None]) -> None:
    """Check the command-line overrides (one clear paragraph and exit 2 when they are bad;
    Hydra itself prints a traceback for some malformed ones), then run the Hydra app."""
    problem = check_overrides(sys.argv[1:])
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    app()
