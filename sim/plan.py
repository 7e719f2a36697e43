"""``python -m sim.plan``: the Erlang C / Erlang A staffing table (the command lives in :mod:`sim.faces.plan`)."""

from sim.faces.cli import ended
from sim.faces.plan import main

if __name__ == "__main__":
    raise SystemExit(ended(main()))
