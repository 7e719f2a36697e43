"""The one entry of every command: clean errors, then the work.

Every ``python -m sim…`` command reports a :class:`~sim.errors.ScenarioError` as one
``error:`` paragraph with exit code 2 (never a traceback) and an interrupt with exit code 130.
Hydra commands also have their overrides checked before Hydra composes them (Hydra itself
prints a traceback for some malformed ones). :func:`hydra_entry` builds the console entry of
a Hydra app, :func:`reports_errors` wraps any command function.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sim.errors import ScenarioError
from sim.scenario.compose import check_overrides

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` to stderr and exit with ``code``."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` with a :class:`ScenarioError` turned into one ``error:`` paragraph and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            fail(str(exc))
            raise  # unreachable: fail exits

    return wrapper


def run_hydra_app(app: Callable[[], None]) -> None:
    """Check the command-line overrides (one clear paragraph and exit 2 when they are bad),
    then run the Hydra app."""
    problem = check_overrides(sys.argv[1:])
    if problem:
        fail(problem)
    app()


def hydra_entry(app: Callable[[], None]) -> Callable[[], None]:
    """The console entry (``main``) of a Hydra app: :func:`run_hydra_app` on it."""

    def main() -> None:
        """Check the overrides first (one clear paragraph, exit 2), then run the command."""
        run_hydra_app(app)

    main.__doc__ = f"Entry point of {app.__module__}: check the overrides, then run the Hydra app."
    return main
