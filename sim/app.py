"""``python -m sim.app``: the managers' web page (Shiny for Python) (the command lives in :mod:`sim.faces.app.serve`)."""

from sim.faces.app.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
