"""``python -m sim.staff``: staffing tables and a shift roster (the command lives in :mod:`sim.faces.staff`)."""

from sim.faces.cli import ended
from sim.faces.staff import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
