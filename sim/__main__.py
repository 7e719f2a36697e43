"""``python -m sim``: one scenario simulated, its results written (a Hydra app) (the command lives in :mod:`sim.faces.run`)."""

from sim.faces.cli import ended
from sim.faces.run import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
