"""``python -m sim.report FOLDER``: an HTML report of a results folder (the command lives in :mod:`sim.faces.report`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.report import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
