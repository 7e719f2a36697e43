"""``python -m sim.capacity``: the year's capacity plan (the command lives in :mod:`sim.faces.capacity`)."""

from sim.faces.capacity import main

if __name__ == "__main__":
    main()
