"""The words the page adds around the figures, in one place: English messages marked with
:func:`~sim.faces.i18n.N_` for the catalogue and translated with :func:`~sim.faces.i18n._` where
shown (``_(W.CLOSED)``; Swedish in ``sim/faces/locale/sv.po``). The figures themselves are
formatted by :mod:`sim.faces.formats`. Weekday names come from the locale
(:func:`sim.faces.formats.weekday_name`).

Templates use :meth:`str.format` fields; every field is named.
"""

from __future__ import annotations

from sim.faces.i18n import N_

CLOSED = N_("closed")

# --- what changed, in a manager's words (logic.changes_text)
HOURS_CHANGED = N_("{days} {old} → {new}")
REFIT_TABLE = (N_("The staffing follows the new hours automatically: each remaining interval keeps its agents{extra} "
               "(agent-hours a day: {days})"))
REFIT_EXTRA_NEW = N_(", new intervals get the agents of the nearest one")
REFIT_OPEN_ONLY = N_("Agents are scheduled only while the phones are open (agent-hours a day: {days})")
REFIT_DAY = N_("{day} {hours}")
EARLY_ON = (N_("Close at {time} on the day before a red day ({days} in the period); no agents are scheduled after "
            "the early closing"))
EARLY_OFF = N_("No early closing before red days: {days} in the period keep their regular hours and staffing")
EARLY_MOVED = N_("Day before a red day: the phones close at {time} instead of {old} ({days} in the period)")
CLOSURE_ADDED = N_("Closed {when} ({reason}); no agents are scheduled while closed")
CLOSURE_REMOVED = N_("No longer closed {when} ({reason})")
CALLBACKS_ON = N_("Callbacks offered: {share} of the callers offered one accept it and keep their place in the queue")
CALLBACKS_OFF = N_("No callbacks")
CALLBACKS_SHARE = N_("Share of callers who accept a callback: {old} → {new}")
TRANSFERS = N_("Transfers to the second line: {old} → {new}")
RESOLUTION_ON = (N_("Failure demand: {share} of answered calls resolve the customer's matter at the first contact; the "
                    "others contact again (up to {n} contacts per matter)"))
RESOLUTION_OFF = N_("No failure demand: every answered call is assumed to resolve the customer's matter")
RESOLUTION_SHARE = N_("First-contact resolution: {old} → {new}")
TRANSFER_WORDS = {"off": N_("none"), "warm": N_("warm (the agent phones a colleague first)"), "blind": N_("blind (handed over at once)")}
AGENTS_EVERY = N_("{n} on every interval")
AGENT_ONE_MORE, AGENT_ONE_FEWER = N_("one agent more"), N_("one agent fewer")
AGENTS_MORE, AGENTS_FEWER = N_("{k} agents more"), N_("{k} agents fewer")
NONE_BELOW_ZERO = N_(" (none below zero)")
AGENTS_CONSTANT = N_("Agents on the phones: {old} → {new} on every interval")
STAFF_MORE_EVERYWHERE = N_("More agents on every interval ({change} agent-hours a week: {old} → {new})")
STAFF_FEWER_EVERYWHERE = N_("Fewer agents on every interval ({change} agent-hours a week: {old} → {new})")
STAFF_OTHER = N_("A different staffing: {old} → {new} agent-hours a week ({change})")
SHIFTS_EVERY = N_("{n} in every shift")
STAFF_WEEK = N_("Staffing: {old} → {new} agent-hours a week")

# --- the calendar
CAL_COUNTS = N_("{label}: {open} regular, {shortened} shortened, {closed} closed days")
CAL_CHANGED = N_("; {n} with changed hours (outlined)")
CAL_WAS = N_("was {old}")
CAL_NEW = N_("new")
CAL_LEGEND = (N_("Grey: closed; orange: shortened (e.g. by the rule for the day before a red day or a closure window); "
              "outlined: hours changed compared with the baseline (the new hours in the cell)."))

# --- cards
MET_IN = N_("target met in {k} of {n} replications")
MET_IN_TIP = (N_("The share of the simulated periods (replications) whose whole-period value met the target; "
              "it says how often the period would meet it, not how sure we are about the mean."))
VERDICT_TIPS = {
    "meets": N_("The whole 95 % interval of the mean is on the right side of the target."),
    "misses": N_("The whole 95 % interval of the mean is on the wrong side of the target."),
    "uncertain": N_("The 95 % interval of the mean reaches across the target: more replications may settle it."),
}
CI_CUT = N_(" (cut at {bound}: a share cannot pass it)")
CI_CUT_ZERO = N_(" (cut at {bound}: it cannot be negative)")
STATISTICALLY = N_("statistically {a}")
PRACTICAL_SENTENCE = (N_("{variant} differs from {baseline} on {name} by {diff} (95 % CI {lo} to {hi}): {clear}, but smaller than "
                      "the {threshold} that matters in practice, so there is no practical difference."))
PRACTICAL_CLEAR = {True: N_("larger than the simulation noise"), False: N_("within the simulation noise")}
LEGEND = (N_("How to read the cards: 'meets' / 'misses' mean that the whole 95 % confidence interval of the period's mean "
          "is on the right / wrong side of the target, 'uncertain' that it reaches across it. 'Target met in k of n "
          "replications' counts the simulated periods that met the target. The difference is changed − baseline, paired "
          "replication by replication; 'no practical difference' means it is smaller than {practical}. "
          "pp = percentage points, the difference of two percentages (91 % → 92 % is +1 pp)."))

# --- the results area
STALE_CHANGED = (N_("Results of the previous inputs: the inputs have changed since this run. Press 'Run the comparison' "
                 "to see the effect of the new ones."))
STALE_INVALID = (N_("Results of the previous inputs: some inputs are not valid now (see the messages in red); these "
                 "results belong to the inputs of the last run."))
PLOT_DAILY = N_("Daily service level and availability")
PLOT_INTRADAY = N_("Queue time by time of day")
PLOT_AGENTS = N_("Agent-hours and overtime")
CALENDAR = N_("Calendar of the period")
