"""``python -m sim.plan``: the Erlang C / Erlang A staffing table (the command lives in :mod:`sim.faces.plan`)."""

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.plan import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
