"""``python -m sim.schedule``: a dated roster for named agents (the command lives in :mod:`sim.faces.schedule`)."""

from sim.faces.cli import ended
from sim.faces.schedule import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
