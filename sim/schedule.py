"""``python -m sim.schedule``: a dated roster for named agents (the command lives in :mod:`sim.faces.schedule`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.schedule import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
