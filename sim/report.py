"""``python -m sim.report FOLDER``: an HTML report of a results folder (the command lives in :mod:`sim.faces.report`)."""

from sim.faces.cli import ended
from sim.faces.report import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
