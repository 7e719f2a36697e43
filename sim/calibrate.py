"""``python -m sim.calibrate``: a scenario from a call log or an interval report (the command lives in :mod:`sim.faces.calibrate`)."""

from sim.faces.calibrate import main
from sim.faces.cli import ended

if __name__ == "__main__":
    raise SystemExit(ended(main()))
