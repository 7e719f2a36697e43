"""``python -m sim.calibrate``: a scenario from a call log or an interval report (the command
lives in :mod:`sim.faces.calibrate`, the work in :mod:`sim.history`).

The Python API::

    from sim.calibrate import calibrate
    c = calibrate("call_log.csv", "calls", "call_map.yaml", name="my_centre", out="outputs/cal")
    c.estimates()          # every estimate with its 95 % CI
    c.backtest.summary     # the calibrated model against the observed KPIs
"""

import sys

from sim.faces.calibrate import main, write_report
from sim.history.calibrate import Calibration, calibrate, write_tables
from sim.history.columns import ColumnMap, load_map
from sim.history.patience import estimate_patience, kaplan_meier
from sim.history.readers import read_calls, read_intervals
from sim.history.synthetic import CALL_MAP, INTERVAL_MAP, Truth, call_log, interval_report, simulate_history, write_example

__all__ = [
    "CALL_MAP",
    "INTERVAL_MAP",
    "Calibration",
    "ColumnMap",
    "Truth",
    "calibrate",
    "call_log",
    "estimate_patience",
    "interval_report",
    "kaplan_meier",
    "load_map",
    "main",
    "read_calls",
    "read_intervals",
    "simulate_history",
    "write_example",
    "write_report",
    "write_tables",
]

if __name__ == "__main__":
    sys.exit(main())
