"""``python -m sim.app``: the managers' web page (Shiny for Python), on 127.0.0.1 by default.

The page is :mod:`sim.faces.app` (logic, layout, server, runs); this is its command, and
:mod:`sim.app` its door.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parser() -> argparse.ArgumentParser:
    """The command's options."""
    p = argparse.ArgumentParser(prog="python -m sim.app", description="A local web page: change the opening hours and see what it does.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--results", default="results/app", help="results folder: the only place the page writes (default results/app)")
    p.add_argument("--scenario", default="default", help="scenario the page starts from (default: default)")
    p.add_argument("--workers", type=int, default=None, help="worker processes per run (default: all cores)")
    p.add_argument("--lang", choices=("sv", "en"), default="sv",
                   help="language the page opens in (default sv, Swedish); the page's switch (?lang=en) changes it")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the page until interrupted."""
    args = parser().parse_args(argv)
    from shiny import run_app

    from sim.errors import ScenarioError
    from sim.faces.app.server import make_app
    from sim.faces.folders import output_folder

    try:
        app = make_app(output_folder(args.results, "--results"), args.scenario, args.workers, args.lang)
    except ScenarioError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise SystemExit(2) from None
    sys.stderr.write(f"sim.app: open http://{args.host}:{args.port}/ in a browser (Ctrl-C stops)\n")
    run_app(app, host=args.host, port=args.port, launch_browser=False, log_level="warning")  # type: ignore[misc]


if __name__ == "__main__":
    main()
