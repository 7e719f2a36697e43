"""``python -m sim.capacity``: the year's capacity plan (the command lives in :mod:`sim.faces.capacity`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.capacity import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
