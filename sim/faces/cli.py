"""The one entry of every command: clean errors, then the work.

Every ``python -m sim…`` command reports a :class:`~sim.errors.ScenarioError` as one
``error:`` paragraph with exit code 2 (never a traceback) and an interrupt with exit code 130.
Hydra commands also have their overrides checked before Hydra composes them (Hydra itself
prints a traceback for some malformed ones). :func:`hydra_entry` builds the console entry of
a Hydra app and :func:`reports_errors` wraps any command function (the doors
``sim/<command>.py`` load and end a command through :mod:`sim.faces.door`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

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
    then run the Hydra app (composing its config once, :func:`compose_once`)."""
    problem = check_overrides(sys.argv[1:])
    if problem:
        fail(problem)
    with compose_once():
        app()


@contextlib.contextmanager
def compose_once() -> Iterator[None]:
    """Let a Hydra app compose its config once instead of twice (issue 23 item 16).

    ``hydra.main`` first composes the whole config only to read ``hydra.mode`` (``Hydra.get_mode``)
    and then, for a single run, composes it again with the override ``hydra.mode=RUN`` appended:
    a fifth of a one-day run's start-up. Inside this context ``get_mode`` composes for a single
    run right away and keeps the result; when Hydra then asks for that very composition (the same
    overrides plus ``hydra.mode=RUN``), it gets the kept config with that override applied as
    Hydra applies it (the key set, the override appended to ``hydra.overrides.hydra``) instead of
    a second composition. Anything else — a sweep, ``--multirun``, a config that sets
    ``hydra.mode`` itself, a composition that fails — takes Hydra's own path unchanged, so its
    results and error messages stay Hydra's."""
    import hydra._internal.hydra as hydra_module
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.hydra import Hydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.utils import configure_log
    from hydra.types import RunMode

    get_mode, compose_config = Hydra.get_mode, Hydra.compose_config
    kept: dict[str, Any] = {}

    def fast_get_mode(self: Hydra, config_name: str | None, overrides: list[str]) -> Any:
        try:
            cfg = compose_config(self, config_name=config_name, overrides=list(overrides), run_mode=RunMode.RUN,
                                 with_log_configuration=False)
        except Exception:  # noqa: BLE001 - a sweep or a missing value: Hydra's own path decides and reports
            return get_mode(self, config_name, overrides)
        if cfg.hydra.mode is not None:
            return cfg.hydra.mode
        kept.update(config_name=config_name, overrides=[*overrides, "hydra.mode=RUN"], cfg=cfg)
        return None

    def reuse_compose(self: Hydra, config_name: str | None, overrides: list[str], run_mode: RunMode,
                      with_log_configuration: bool = False, from_shell: bool = True, validate_sweep_overrides: bool = True) -> Any:
        if (kept and run_mode == RunMode.RUN and from_shell and config_name == kept["config_name"]
                and list(overrides) == kept["overrides"]):
            cfg = kept.pop("cfg")
            kept.clear()
            (mode,) = OverridesParser.create().parse_overrides(["hydra.mode=RUN"])
            ConfigLoaderImpl._apply_overrides_to_config([mode], cfg)  # as Hydra applies it, then lists it
            cfg.hydra.overrides.hydra.append(mode.input_line)
            if with_log_configuration:
                configure_log(cfg.hydra.hydra_logging, cfg.hydra.verbose)
                hydra_module.log = logging.getLogger(hydra_module.__name__)
                self._print_debug_info(config_name, overrides, run_mode)
            return cfg
        return compose_config(self, config_name, overrides, run_mode, with_log_configuration, from_shell, validate_sweep_overrides)

    Hydra.get_mode, Hydra.compose_config = fast_get_mode, reuse_compose  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode, Hydra.compose_config = get_mode, compose_config  # type: ignore[method-assign]


def hydra_entry(app: Callable[[], None]) -> Callable[[], None]:
    """The console entry (``main``) of a Hydra app: :func:`run_hydra_app` on it."""

    def main() -> None:
        """Check the overrides first (one clear paragraph, exit 2), then run the command."""
        run_hydra_app(app)

    main.__doc__ = f"Entry point of {app.__module__}: check the overrides, then run the Hydra app."
    return main
