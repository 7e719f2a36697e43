"""``python -m sim.staff``: staffing tables and a shift roster (the command lives in :mod:`sim.faces.staff`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.staff import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
