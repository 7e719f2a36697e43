"""The words the page adds around the figures, in one place (so that a translation has one
file to change). The figures themselves are formatted by :mod:`sim.faces.report`.

Templates use :meth:`str.format` fields; every field is named.
"""

from __future__ import annotations

DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}
CLOSED = "closed"

# --- what changed, in a manager's words (logic.changes_text)
HOURS_CHANGED = "{days} {old} → {new}"
REFIT_TABLE = ("The staffing follows the new hours automatically: each remaining interval keeps its agents{extra} "
               "(agent-hours a day: {days})")
REFIT_EXTRA_NEW = ", new intervals get the agents of the nearest one"
REFIT_OPEN_ONLY = "Agents are scheduled only while the phones are open (agent-hours a day: {days})"
REFIT_DAY = "{day} {hours}"
EARLY_ON = ("Close at {time} on the day before a red day ({days} in the period); no agents are scheduled after "
            "the early closing")
EARLY_OFF = "No early closing before red days: {days} in the period keep their regular hours and staffing"
EARLY_MOVED = "Day before a red day: the phones close at {time} instead of {old} ({days} in the period)"
CLOSURE_ADDED = "Closed {when} ({reason}); no agents are scheduled while closed"
CLOSURE_REMOVED = "No longer closed {when} ({reason})"
CALLBACKS_ON = "Callbacks offered: {share} of the callers offered one accept it and keep their place in the queue"
CALLBACKS_OFF = "No callbacks"
CALLBACKS_SHARE = "Share of callers who accept a callback: {old} → {new}"
TRANSFERS = "Transfers to the second line: {old} → {new}"
TRANSFER_WORDS = {"off": "none", "warm": "warm (the agent phones a colleague first)", "blind": "blind (handed over at once)"}
AGENTS_EVERY = "{n} on every interval"
AGENT_ONE_MORE, AGENT_ONE_FEWER = "one agent more", "one agent fewer"
AGENTS_MORE, AGENTS_FEWER = "{k} agents more", "{k} agents fewer"
NONE_BELOW_ZERO = " (none below zero)"
AGENTS_CONSTANT = "Agents on the phones: {old} → {new} on every interval"
STAFF_MORE_EVERYWHERE = "More agents on every interval ({change} agent-hours a week: {old} → {new})"
STAFF_FEWER_EVERYWHERE = "Fewer agents on every interval ({change} agent-hours a week: {old} → {new})"
STAFF_OTHER = "A different staffing: {old} → {new} agent-hours a week ({change})"
SHIFTS_EVERY = "{n} in every shift"
STAFF_WEEK = "Staffing: {old} → {new} agent-hours a week"

# --- the calendar
CAL_COUNTS = "{label}: {open} regular, {shortened} shortened, {closed} closed days"
CAL_CHANGED = "; {n} with changed hours (outlined)"
CAL_WAS = "was {old}"
CAL_NEW = "new"
CAL_LEGEND = ("Grey: closed; orange: shortened (e.g. by the rule for the day before a red day or a closure window); "
              "outlined: hours changed compared with the baseline (the new hours in the cell).")

# --- cards
MET_IN = "target met in {k} of {n} replications"
MET_IN_TIP = ("The share of the simulated periods (replications) whose whole-period value met the target; "
              "it says how often the period would meet it, not how sure we are about the mean.")
VERDICT_TIPS = {
    "meets": "The whole 95 % interval of the mean is on the right side of the target.",
    "misses": "The whole 95 % interval of the mean is on the wrong side of the target.",
    "uncertain": "The 95 % interval of the mean reaches across the target: more replications may settle it.",
}
CI_CUT = " (cut at {bound}: a share cannot pass it)"
STATISTICALLY = "statistically {a}"
PRACTICAL_SENTENCE = ("{variant} differs from {baseline} on {name} by {diff} (95 % CI {lo} to {hi}): {clear}, but smaller than "
                      "the {threshold} that matters in practice, so there is no practical difference.")
PRACTICAL_CLEAR = {True: "larger than the simulation noise", False: "within the simulation noise"}
LEGEND = ("How to read the cards: 'meets' / 'misses' mean that the whole 95 % confidence interval of the period's mean "
          "is on the right / wrong side of the target, 'uncertain' that it reaches across it. 'Target met in k of n "
          "replications' counts the simulated periods that met the target. The difference is changed − baseline, paired "
          "replication by replication; 'no practical difference' means it is smaller than {practical}. "
          "pp = percentage points, the difference of two percentages (91 % → 92 % is +1 pp).")

# --- the results area
STALE_CHANGED = ("Results of the previous inputs: the inputs have changed since this run. Press 'Run the comparison' "
                 "to see the effect of the new ones.")
STALE_INVALID = ("Results of the previous inputs: some inputs are not valid now (see the messages in red); these "
                 "results belong to the inputs of the last run.")
PLOT_DAILY = "Daily service level and availability"
PLOT_INTRADAY = "Queue time by time of day"
PLOT_AGENTS = "Agent-hours and overtime"
CALENDAR = "Calendar of the period"
