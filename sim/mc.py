"""``python -m sim.mc``: Monte Carlo replications of a scenario (the command lives in :mod:`sim.faces.mc`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.mc import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
