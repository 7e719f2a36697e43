"""``python -m sim.app``: the managers' web page (Shiny for Python) (the command lives in :mod:`sim.faces.app.serve`)."""

from sim.faces.door import loading

with loading(__name__):  # the page's modules, loaded without cycle searches when run as a command
    from sim.faces.app.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
