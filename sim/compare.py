"""``python -m sim.compare``: scenarios side by side with common random numbers (the command lives in :mod:`sim.faces.compare`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.compare import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
