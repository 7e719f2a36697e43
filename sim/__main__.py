"""``python -m sim``: one scenario simulated, its results written (a Hydra app) (the command lives in :mod:`sim.faces.run`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.run import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
