"""``python -m sim.compare``: scenarios side by side with common random numbers.

The comparison itself is :func:`sim.study.compare.compare`, the command :mod:`sim.faces.compare`.
"""

from sim.study.compare import Comparison, compare

__all__ = ["Comparison", "compare"]

if __name__ == "__main__":
    from sim.faces.compare import main

    main()
