"""``python -m sim.mc``: Monte Carlo replications of a scenario (the command lives in :mod:`sim.faces.mc`)."""

from sim.faces.cli import ended
from sim.faces.mc import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
