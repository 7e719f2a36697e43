"""``python -m sim.compare``: scenarios side by side with common random numbers (the command lives in :mod:`sim.faces.compare`)."""

from sim.faces.cli import ended
from sim.faces.compare import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
