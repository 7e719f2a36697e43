"""``python -m sim.followup``: the monthly follow-up of a month's actuals against the agreement,
the forecast and the plan in force (the command lives in :mod:`sim.faces.followup`, the work
in :mod:`sim.history.followup` and :mod:`sim.history.attribution`).

The Python API::

    from sim.followup import follow_up
    f = follow_up("call_log.csv", "calls", "call_map.yaml", plan="plan.json")
    f.days            # the agreement's KPIs per open day, with *_met and the targets missed
    f.attribution     # per missed day and target: the shortfall split into its causes
"""

import sys

from sim.faces.door import ended, loading

with loading(__name__):  # the command's modules, loaded without cycle searches when run as a command
    from sim.faces.followup import main, write_report, write_tables
    from sim.history.attribution import shapley
    from sim.history.followup import FollowUp, follow_up
    from sim.history.month_example import Cause, simulate_month, write_month

__all__ = ["Cause", "FollowUp", "follow_up", "main", "shapley", "simulate_month", "write_month", "write_report", "write_tables"]

if __name__ == "__main__":
    sys.exit(ended(main()))
