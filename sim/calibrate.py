"""``python -m sim.calibrate``: a scenario from a call log or an interval report (the command lives in :mod:`sim.faces.calibrate`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.calibrate import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
