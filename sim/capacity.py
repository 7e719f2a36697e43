"""``python -m sim.capacity``: the year's capacity plan (the command lives in :mod:`sim.faces.capacity`)."""

from sim.faces.capacity import main
from sim.faces.cli import ended

if __name__ == "__main__":
    raise SystemExit(ended(main()))
