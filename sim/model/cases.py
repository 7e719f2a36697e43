"""Case work in the engine: the backlog, who takes a case when, and the case records.

One backlog holds every case: the channel cases (e-mail, web, social media; drawn up front by
:mod:`sim.world.case_arrivals`) from their arrival time, the cases the phone model creates (a
callback never reached, a warm transfer that fell back to a case) from the moment the call
ends, one case per such call, and the written repeat contacts of customers whose answered call
did not resolve their matter (``resolution.case_share``, :mod:`sim.model.resolution`): channel
``written``, source ``unresolved_call``, of kind ``resolution.case_kind`` (or drawn by the shares
of ``cases.kinds``) with the kind's handle time, drawn from the ``resolution`` stream when the
call is settled. Each case is due ``targets.case_hours[kind]`` working hours after it arrived
(:mod:`sim.world.workhours`). A written repeat contact resolves the customer's matter when an
agent has handled it (a case is worked until it is solved; the KPIs of
:func:`sim.analysis.kpis.matter_kpis` count it as a contact of the matter, by ``customer_id``).

Who works cases:

- **blended** first-line agents (``cases.blend``): an agent who finds no caller waiting (no
  live call, callback or transfer in the group's queue) takes the next case only while at
  least ``cases.reserve`` other agents of the group stay idle (the threshold policy of Bhulai
  and Koole 2003; ``reserve: 0`` is plain "calls first"). A case arriving while more than
  ``reserve`` agents are idle goes to the one idle longest.
- a **dedicated** case team (``cases.dedicated``): its own group, on duty in the office's
  working hours, that takes only cases.

A case in hand is finished before the agent takes the next call (no pre-emption; cases are
not split in chunks). Agents start cases only while on duty and the office works (after
closing, agents who stay to empty the phone queue take no new case). The backlog is ordered by due time
(``earliest_due``) or arrival (``fifo``) and carries over from day to day; whatever is still
in it when the run ends is recorded as ``open``, never dropped.

On duty for blended agents: the first line's staffing over the phones' open hours joined
with the office's working day, so on a 15:00 day with ``early_close_scope: phones`` they carry
on with cases until the normal closing (the phones still close at 15:00: no call arrives after
it), and office hours narrower than the phone hours leave the phone staffing as it is. Any
agent takes a case only while the office works (:attr:`CasePlan.clock`); at each office
opening, idle agents take the waiting cases.

The engine calls this module through four hooks: :meth:`CaseWork.take` when an agent finds
the phone queue empty, :meth:`CaseWork.work` for a case entry, :meth:`CaseWork.from_phone`
when a call ends as a case and :meth:`CaseWork.from_customer` when an unresolved customer
writes.

Case records (:func:`case_records`): one row per case (a channel case or one the phone model
created), sorted by ``case_id`` (arrival order); every column declared once in
:data:`CASE_RECORD`:

==========================  ==============  ====  ================================================
column                      dtype           unit  meaning
==========================  ==============  ====  ================================================
case_id                     int64                 0..n-1 in arrival order
channel                     str                   email, web, social … (cases.channels), phone, or
                                                  written (a customer's written repeat contact
                                                  after an unresolved call: resolution.case_share)
source                      str                   the channel name, the phone fate that created
                                                  the case (callback_failed_case,
                                                  transfer_fallback_case), or unresolved_call (a
                                                  written repeat contact)
kind                        str                   the case kind (cases.kinds: fault_report,
                                                  case_order …)
call_id                     Int64                 the call that created it, or the unresolved call
                                                  a written repeat contact follows (NA for channel
                                                  cases)
customer_id                 Int64                 the customer_id of that call (the call records'
                                                  link of a customer's contacts; NA for channel
                                                  cases)
arrival                     datetime64[ns]        when the case entered the backlog
due_at                      datetime64[ns]        arrival + the kind's target in working hours
target_h                    float64         h     the kind's target (targets.case_hours)
started_at                  datetime64[ns]        when an agent took it (NaT: still open at the
                                                  end)
finished_at                 datetime64[ns]        when the agent finished it (NaT: open)
agent                       Int64                 the agent (same numbering as the call records)
group                       str                   the agent's group (first_line, case_team); None
                                                  when open
handle_s                    float64         s     agent time the case takes (also known for open
                                                  cases)
status                      str                   exactly one of: handled, open (still in the
                                                  backlog when the run ended; never dropped)
work_h                      float64         h     working hours from arrival to finished (NaN when
                                                  open)
met_target                  boolean               finished by due_at; an open case is False when
                                                  its due time lay before the end of the run and
                                                  NA when not yet due
==========================  ==============  ====  ================================================

The table is generated from the declarations (:func:`sim.model.records.schema_table`; a test
keeps it equal to them). The case KPIs are in :mod:`sim.analysis.case_kpis`.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import heapq
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import simpy

from sim.catalogue import WRITTEN_REPEAT
from sim.model.callstate import Column
from sim.model.queue import CASE
from sim.model.records import check_stampable
from sim.schema import PHONE_CASE_SOURCES, CalendarConfig, Scenario
from sim.world.calendar import DayPlan, day_plans
from sim.world.case_arrivals import CaseArrivals, generate_cases
from sim.world.distributions import Distribution, make
from sim.world.staffing import Schedule, build_schedule
from sim.world.streams import Streams
from sim.world.workhours import DAY_S, WorkClock, scenario_office_calendar, work_clock

if TYPE_CHECKING:
    from sim.model.queue import Group

TEAM = "case_team"
T = "datetime64[ns]"

CASE_RECORD: tuple[Column, ...] = (
    Column("case_id", "int64", "", "0..n-1 in arrival order"),
    Column("channel", "str", "", "email, web, social … (cases.channels), phone, or written (a customer's written repeat "
           "contact after an unresolved call: resolution.case_share)"),
    Column("source", "str", "", "the channel name, the phone fate that created the case (callback_failed_case, "
           "transfer_fallback_case), or unresolved_call (a written repeat contact)"),
    Column("kind", "str", "", "the case kind (cases.kinds: fault_report, case_order …)"),
    Column("call_id", "Int64", "", "the call that created it, or the unresolved call a written repeat contact follows (NA for "
           "channel cases)"),
    Column("customer_id", "Int64", "", "the customer_id of that call (the call records' link of a customer's contacts; NA for "
           "channel cases)"),
    Column("arrival", T, "", "when the case entered the backlog"),
    Column("due_at", T, "", "arrival + the kind's target in working hours"),
    Column("target_h", "float64", "h", "the kind's target (targets.case_hours)"),
    Column("started_at", T, "", "when an agent took it (NaT: still open at the end)"),
    Column("finished_at", T, "", "when the agent finished it (NaT: open)"),
    Column("agent", "Int64", "", "the agent (same numbering as the call records)"),
    Column("group", "str", "", "the agent's group (first_line, case_team); None when open"),
    Column("handle_s", "float64", "s", "agent time the case takes (also known for open cases)"),
    Column("status", "str", "", "exactly one of: handled, open (still in the backlog when the run ended; never dropped)"),
    Column("work_h", "float64", "h", "working hours from arrival to finished (NaN when open)"),
    Column("met_target", "boolean", "", "finished by due_at; an open case is False when its due time lay before the "
           "end of the run and NA when not yet due"),
)
"""The case records' columns in order, each declared once."""
CASE_COLUMNS: tuple[str, ...] = tuple(c.name for c in CASE_RECORD)
STATUSES: tuple[str, ...] = ("handled", "open")
_EXTRA_DRAWS = 4096  # pre-drawn handle times for phone cases of repeat contacts
WRITTEN = -1 - len(PHONE_CASE_SOURCES)  # the source code of a written repeat contact (channels >= 0, phone sources -1, -2)


@dataclass(frozen=True)
class CasePlan:
    """Everything the engine needs about cases, built once per replication."""

    arrivals: CaseArrivals
    clock: WorkClock
    kind_names: tuple[str, ...]
    channel_names: tuple[str, ...]
    target_h: np.ndarray  # per kind
    phone_kind: tuple[int, ...]  # per phone source (PHONE_CASE_SOURCES order)
    phone_handle: tuple[np.ndarray, ...]  # per phone source: handle per pre-drawn call
    phone_extra: tuple[np.ndarray, ...]  # per phone source: handles for repeat contacts, in order
    blend: bool
    reserve: int
    fifo: bool
    team: Schedule | None
    office: CalendarConfig | None = None  # the office calendar, to extend ``clock`` past its horizon
    written_cum: np.ndarray | None = None  # a written repeat contact's kind: cumulative shares over the kinds
    kind_handle: tuple[Distribution, ...] = ()  # per kind: the agent time of a written repeat contact


def office_plans(s: Scenario, plans: list[DayPlan]) -> list[DayPlan]:
    """The office's day plans for the run's dates."""
    return day_plans(scenario_office_calendar(s), plans[0].date, plans[-1].date) if plans else []


def blended_plans(phone: list[DayPlan], office: list[DayPlan]) -> list[DayPlan]:
    """When blended agents are on duty: the phones' open hours (their staffing unchanged by
    case work) joined with the office's open hours, staffed by the phone plan's regular hours
    (so the staffing table of the phones applies); a day without phone hours has no blended
    agents. Case work itself is bounded by the office's hours (:meth:`CaseWork.take`)."""
    out = []
    for p, o in zip(phone, office, strict=True):
        if p.regular_opens is None:
            out.append(dataclasses.replace(p, opens=None, closes=None))
        elif o.opens is None or o.closes is None:
            out.append(p)
        elif p.opens is None or p.closes is None:
            out.append(dataclasses.replace(p, opens=o.opens, closes=o.closes))
        else:
            out.append(dataclasses.replace(p, opens=min(p.opens, o.opens), closes=max(p.closes, o.closes)))
    return out


def first_line_schedule(s: Scenario, plans: list[DayPlan]) -> Schedule:
    """The first line's schedule with cases on and blended (over the office's day)."""
    return build_schedule(s, blended_plans(plans, office_plans(s, plans)), s.staffing)


def with_case_staffing(
    s: Scenario, plans: list[DayPlan], plan: CasePlan, schedules: list[Schedule], groups: tuple[str, ...]
) -> tuple[list[Schedule], tuple[str, ...]]:
    """The groups' schedules and names with cases on: blended first-line agents on duty over
    the office's day, and the dedicated case team appended last."""
    out = list(schedules)
    if plan.blend:
        out[0] = first_line_schedule(s, plans)
    if plan.team is not None:
        return [*out, plan.team], (*groups, TEAM)
    return out, groups


def case_plan(s: Scenario, streams: Streams, plans: list[DayPlan], n_calls: int) -> CasePlan:
    """Draw the channel cases and the phone cases' handle times; build the working clock."""
    c = s.cases
    kinds = tuple(c.kinds)
    target_h = np.array([s.targets.case_hours[k] for k in kinds], dtype=float)
    arrivals = generate_cases(s, streams, plans)
    start, end = plans[0].date, plans[-1].date
    office = scenario_office_calendar(s)
    clock = work_clock(office, start, end, ahead_h=float(target_h.max(initial=0.0)) + 1.0)
    handles, extras = [], []
    for j, src in enumerate(PHONE_CASE_SOURCES):
        dist = make(c.phone_cases[src].handle)  # type: ignore[index]
        handles.append(dist.sample(streams.rng("phone_case", 0, j), n_calls))
        extras.append(dist.sample(streams.rng("phone_case", 1, j), _EXTRA_DRAWS))
    team = build_schedule(s, office_plans(s, plans), c.dedicated) if c.dedicated is not None else None
    written = s.resolution.case_kind
    shares = np.array([1.0 if k == written else 0.0 for k in kinds] if written else [c.kinds[k].share for k in kinds])
    return CasePlan(
        arrivals=arrivals, clock=clock, kind_names=kinds, channel_names=tuple(c.channels), target_h=target_h,
        phone_kind=tuple(kinds.index(c.phone_cases[src].kind) for src in PHONE_CASE_SOURCES),  # type: ignore[index]
        phone_handle=tuple(handles), phone_extra=tuple(extras), blend=c.blend, reserve=c.reserve,
        fifo=c.order == "fifo", team=team, office=office,
        written_cum=np.cumsum(shares), kind_handle=tuple(make(c.kinds[k].handle) for k in kinds),
    )


class CaseWork:
    """The backlog and the per-case state of one replication (index = case)."""

    def __init__(self, env: simpy.Environment, plan: CasePlan, n_calls: int, first: Group, team: Group | None) -> None:
        self.env, self.plan, self.n_calls = env, plan, n_calls
        self.first, self.team = first, team
        self._set_clock(plan.clock)
        a = plan.arrivals
        n = len(a)
        self.arrival: list[float] = a.arrival.tolist()
        self.due: list[float] = plan.clock.add(a.arrival, plan.target_h[a.kind]).tolist() if n else []
        self.kind: list[int] = a.kind.tolist()
        self.source: list[int] = a.channel.tolist()  # >= 0 channel, < 0: -(1 + phone source)
        self.call: list[int] = [-1] * n
        self.handle: list[float] = a.handle.tolist()
        self.started: list[float] = [float("nan")] * n
        self.finished: list[float] = [float("nan")] * n
        self.agent: list[int] = [-1] * n
        self.group: list[int] = [-1] * n
        self.backlog: list[tuple[float, int]] = []
        self.extra_used = [0] * len(PHONE_CASE_SOURCES)

    # -- arrivals ------------------------------------------------------------------------

    def feed(self) -> Generator[simpy.Event, None, None]:
        """The channel cases enter the backlog at their arrival times."""
        env = self.env
        for c, t in enumerate(self.arrival[: len(self.plan.arrivals)]):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.enter(c)

    def enter(self, c: int) -> None:
        """Case ``c`` joins the backlog; an idle agent allowed to take it gets it now."""
        heapq.heappush(self.backlog, (self.arrival[c] if self.plan.fifo else self.due[c], c))
        self._wake(1)

    def _wake(self, most: int) -> None:
        """Hand backlog cases to at most ``most`` idle agents allowed to take one now."""
        if not self.office_works(self.env.now):
            return
        for g in (self.team, self.first):
            while most > 0 and g is not None and not g.closed and self.backlog and self._allowed(g, waking=True):
                k, ev = g.idle.popleft()
                ev.succeed(self._pop())
                most -= 1

    def openings(self) -> Generator[simpy.Event, None, None]:
        """At each office opening, idle agents (on the phones before the office opens) take
        the backlog's cases."""
        env = self.env
        for t in self.plan.clock.opens.tolist():
            if t > env.now:
                yield env.timeout(t - env.now)
            self._wake(len(self.backlog))

    def from_phone(self, i: int, source: int) -> None:
        """Call ``i`` ended as a case (``source`` indexes PHONE_CASE_SOURCES): one new case."""
        p, now = self.plan, self.env.now
        if i < self.n_calls:
            handle = float(p.phone_handle[source][i])
        else:  # a repeat contact: the next pre-drawn value of the extra stream
            used = self.extra_used[source]
            self.extra_used[source] = used + 1
            handle = float(p.phone_extra[source][used % p.phone_extra[source].size])
        self._add(now, p.phone_kind[source], -1 - source, i, handle)

    def from_customer(self, i: int, t: float, rng: np.random.Generator) -> None:
        """The customer of unresolved call ``i`` writes at ``t`` (not before now): a case of the
        written kind (``resolution.case_kind``, or drawn by the kinds' shares) with its kind's
        handle time, both drawn now from ``rng``; it enters the backlog at ``t``."""
        p = self.plan
        assert p.written_cum is not None and p.kind_handle, "a written repeat contact needs the plan's kinds"
        kind = min(int(np.searchsorted(p.written_cum, rng.random(), side="right")), p.written_cum.size - 1)
        handle = float(p.kind_handle[kind].sample(rng, 1)[0])
        self.env.timeout(t - self.env.now).callbacks.append(lambda _event: self._add(t, kind, WRITTEN, i, handle))

    def _add(self, t: float, kind: int, source: int, i: int, handle: float) -> None:
        """A case created by call ``i`` arrives now (``t``): one new row, then the backlog."""
        self.arrival.append(t)
        self.due.append(self._due(t, float(self.plan.target_h[kind])))
        self.kind.append(kind)
        self.source.append(source)
        self.call.append(i)
        self.handle.append(handle)
        self.started.append(float("nan"))
        self.finished.append(float("nan"))
        self.agent.append(-1)
        self.group.append(-1)
        self.enter(len(self.arrival) - 1)

    def _set_clock(self, clock: WorkClock) -> None:
        self.clock = clock  # extended when a phone case arrives past its horizon
        self._opens, self._closes = clock.opens.tolist(), clock.closes.tolist()  # for a fast scalar look-up

    def office_works(self, t: float) -> bool:
        """Whether the office works at time ``t`` (``WorkClock.is_working``, on plain lists)."""
        j = bisect.bisect_right(self._opens, t) - 1
        return j >= 0 and t < self._closes[j]

    def _due(self, t: float, hours: float) -> float:
        """When ``hours`` working hours have passed after ``t``; the clock is extended first
        when ``t`` lies beyond its horizon (the phone queue can be served long after the run)."""
        due = float(self.clock.add(np.array(t), np.array(hours)))
        if np.isfinite(due) or self.plan.office is None:
            return due
        origin = self.clock.origin
        last = origin + dt.timedelta(days=int(t // DAY_S) + 1)
        self._set_clock(work_clock(self.plan.office, origin, last, ahead_h=float(self.plan.target_h.max(initial=0.0)) + 1.0))
        return float(self.clock.add(np.array(t), np.array(hours)))

    # -- agents --------------------------------------------------------------------------

    def _allowed(self, g: Group, waking: bool = False) -> bool:
        """Whether an agent of ``g`` may take a case now: a team agent always; a blended one
        only while at least ``reserve`` other agents of the group stay idle."""
        if g is self.team:
            return bool(g.idle) if waking else True
        if g is not self.first or not self.plan.blend:
            return False
        return len(g.idle) > self.plan.reserve if waking else len(g.idle) >= self.plan.reserve

    def _pop(self) -> tuple[float, int, int, int]:
        _, c = heapq.heappop(self.backlog)
        return (0.0, 0, CASE, c)

    def take(self, g: Group) -> tuple[float, int, int, int] | None:
        """Hook: an on-duty agent of ``g`` found no caller waiting; the next case, if allowed
        (and only while the office works: office hours bound case work, not the phones)."""
        if not self.backlog or g.closed or not self._allowed(g) or not self.office_works(self.env.now):
            return None
        return self._pop()

    def work(self, g: Group, gk: int, c: int, log_busy) -> Generator[simpy.Event, object, None]:  # noqa: ANN001
        """Agent ``gk`` works case ``c`` to the end."""
        env = self.env
        t0 = env.now
        self.started[c], self.agent[c], self.group[c] = t0, gk, g.gid
        yield env.timeout(self.handle[c])
        self.finished[c] = env.now
        log_busy(gk, t0)


def case_records(w: CaseWork, call_arrival: np.ndarray, start: dt.date, groups: tuple[str, ...], run_end_s: float,
                 call_customer: np.ndarray | None = None) -> pd.DataFrame:
    """The case table (schema: :data:`CASE_RECORD`), sorted by arrival.

    ``call_arrival`` is the model's call arrival times (the records number calls in their
    stable arrival order, so a phone case's ``call_id`` is its call's position in it);
    ``call_customer`` the model index of each call's customer's first call (default: each
    call its own customer)."""
    p = w.plan
    call_order = np.argsort(call_arrival, kind="stable")
    origin = np.datetime64(start, "ns")
    arrival = np.asarray(w.arrival, dtype=float)
    source = np.asarray(w.source, dtype=np.int64)
    kind = np.asarray(w.kind, dtype=np.int64)
    finished = np.asarray(w.finished, dtype=float)
    call = np.asarray(w.call, dtype=np.int64)
    agent = np.asarray(w.agent, dtype=np.int64)
    group = np.asarray(w.group, dtype=np.int64)
    call_id = np.empty(call_order.size, dtype=np.int64)
    call_id[call_order] = np.arange(call_order.size)
    customer = np.arange(call_order.size) if call_customer is None else np.asarray(call_customer, dtype=np.int64)
    phone = source < 0  # a case created by a call: a phone case or a written repeat contact
    n_ch = len(p.channel_names)
    channel_names = np.asarray([*p.channel_names, "phone", "written"], dtype=object)
    source_names = np.asarray([*p.channel_names, *PHONE_CASE_SOURCES, WRITTEN_REPEAT], dtype=object)
    src_idx = np.where(phone, n_ch + (-1 - source), source)
    call_at = np.clip(call, 0, None) if call_order.size else np.zeros(call.size, dtype=np.int64)
    done = ~np.isnan(finished)

    def stamps(x: np.ndarray) -> pd.DatetimeIndex:
        check_stampable(origin, x)
        return pd.DatetimeIndex(origin + pd.to_timedelta(x, unit="s"))

    work_h = np.where(done, w.clock.between_h(arrival, np.where(done, finished, arrival)), np.nan)
    frame = pd.DataFrame(
        {
            "channel": channel_names[np.where(phone, n_ch + (source == WRITTEN), source)],
            "source": source_names[src_idx],
            "kind": np.asarray(p.kind_names, dtype=object)[kind],
            "call_id": pd.arrays.IntegerArray(np.where(phone, call_id[call_at] if call_order.size else 0, 0), ~phone),
            "customer_id": pd.arrays.IntegerArray(np.where(phone, call_id[customer[call_at]] if call_order.size else 0, 0), ~phone),
            "arrival": stamps(arrival),
            "due_at": stamps(np.asarray(w.due, dtype=float)),
            "target_h": p.target_h[kind],
            "started_at": stamps(np.asarray(w.started, dtype=float)),
            "finished_at": stamps(finished),
            "agent": pd.arrays.IntegerArray(np.where(agent >= 0, agent, 0), agent < 0),
            "group": np.asarray([*groups, None], dtype=object)[np.where(group >= 0, group, len(groups))],
            "handle_s": np.asarray(w.handle, dtype=float),
            "status": np.where(done, "handled", "open").astype(object),
            "work_h": work_h,
        }
    )
    order = np.argsort(arrival, kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    frame.insert(0, "case_id", np.arange(len(frame), dtype=np.int64))
    frame["met_target"] = met_target(frame, pd.Timestamp(origin + np.timedelta64(int(run_end_s * 1e9), "ns")))
    return frame[list(CASE_COLUMNS)]


def met_target(cases: pd.DataFrame, run_end: pd.Timestamp | None = None) -> pd.Series:
    """Whether each case met its target: finished by ``due_at``; an open case counts as missed
    once its due time is at or before ``run_end`` (unknown, NA, before that or without one)."""
    done = cases["finished_at"].notna()
    out = pd.Series(pd.NA, index=cases.index, dtype="boolean")
    out[done] = (cases.loc[done, "finished_at"] <= cases.loc[done, "due_at"]).to_numpy()
    if run_end is not None:
        overdue = ~done & (cases["due_at"] <= run_end)
        out[overdue] = False
    return out


def check_case_records(cases: pd.DataFrame) -> None:
    """Invariants of a case table: every case exactly one final state, consistent times.
    Raises ``AssertionError`` naming the first broken rule."""
    assert list(cases.columns[: len(CASE_COLUMNS)]) == list(CASE_COLUMNS), "case columns out of order"
    assert cases["status"].isin(STATUSES).all(), "a case has no final state"
    done = cases["status"] == "handled"
    assert cases.loc[done, "finished_at"].notna().all(), "a handled case has no finish time"
    assert cases.loc[~done, ["started_at", "finished_at"]].isna().all().all(), "an open case was started"
    assert (cases.loc[done, "started_at"] >= cases.loc[done, "arrival"]).all(), "a case started before it arrived"
    assert (cases.loc[done, "finished_at"] >= cases.loc[done, "started_at"]).all(), "a case finished before it started"
    assert (cases["due_at"] >= cases["arrival"]).all(), "a case was due before it arrived"
    assert cases["case_id"].is_unique, "a case appears twice"
