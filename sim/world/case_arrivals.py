"""Case arrivals: e-mail, web-form and social-media cases, day and night, weekends too.

The expected cases of a channel on a date are ``volume × weekday_factor`` (× ``red_day_factor``
on a red day), spread over the day by the channel's 24 hourly weights: Poisson counts per hour
with uniform times inside it (a piecewise-constant rate, so this is an exact non-homogeneous
Poisson process). Each case's kind is drawn from the channel's mix and its handling time from
its kind's distribution.

Everything here is drawn from the streams ``case_arrivals``, ``case_kind`` and ``case_handle``,
keyed by date and channel name, which the phone model never uses: switching cases on or off
leaves every call, handle time and patience identical (common random numbers), and adding a
channel leaves the other channels' cases identical.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.schema import WEEKDAYS, CaseChannelConfig, Scenario
from sim.world.calendar import DayPlan
from sim.world.distributions import make
from sim.world.streams import Streams

DAY_S = 86400.0


@dataclass(frozen=True)
class CaseArrivals:
    """Channel cases sorted by arrival (seconds since the run's origin): ``channel`` and
    ``kind`` index ``cases.channels`` and ``cases.kinds``; ``handle`` is the agent time (s)."""

    arrival: np.ndarray
    channel: np.ndarray
    kind: np.ndarray
    handle: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival.size)


def channel_key(name: str) -> int:
    """A stable sub-stream number for a channel (CRC-32 of its name)."""
    return zlib.crc32(name.encode("utf-8"))


def expected_per_day(ch: CaseChannelConfig, p: DayPlan) -> float:
    """Expected cases of one channel on one date."""
    f = ch.weekday_factor[WEEKDAYS[p.date.weekday()]]  # type: ignore[index]
    return ch.volume * f * (ch.red_day_factor if p.red else 1.0)


def kind_shares(s: Scenario, ch: CaseChannelConfig) -> np.ndarray:
    """The channel's mix over ``cases.kinds`` (in their order)."""
    mix = ch.kinds or {k: v.share for k, v in s.cases.kinds.items()}
    return np.array([mix.get(k, 0.0) for k in s.cases.kinds], dtype=float)


def _channel_day(
    s: Scenario, streams: Streams, ch_name: str, ch: CaseChannelConfig, p: DayPlan, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    o, sub = p.date.toordinal(), channel_key(ch_name)
    weights = np.asarray(ch.profile, dtype=float)
    lam = expected_per_day(ch, p) * weights / weights.sum()
    rng = streams.rng("case_arrivals", o, sub)
    counts = rng.poisson(lam)
    n = int(counts.sum())
    t = np.sort(k * DAY_S + 3600.0 * (np.repeat(np.arange(24), counts) + rng.random(n)))
    cum = np.cumsum(kind_shares(s, ch))
    kind = np.minimum(np.searchsorted(cum, streams.rng("case_kind", o, sub).random(n), side="right"), cum.size - 1)
    hrng = streams.rng("case_handle", o, sub)
    by_kind = [make(kc.handle).sample(hrng, n) for kc in s.cases.kinds.values()]
    handle = np.choose(kind, by_kind) if n else np.empty(0)
    return t, kind.astype(np.int64), handle


def generate_cases(s: Scenario, streams: Streams, plans: list[DayPlan]) -> CaseArrivals:
    """All channel cases arriving on the run's dates, sorted by arrival time."""
    ts, chs, kinds, handles = [], [], [], []
    if s.cases.enabled:
        for c, (name, ch) in enumerate(s.cases.channels.items()):
            for k, p in enumerate(plans):
                t, kind, handle = _channel_day(s, streams, name, ch, p, k)
                ts.append(t)
                chs.append(np.full(t.size, c, dtype=np.int64))
                kinds.append(kind)
                handles.append(handle)
    if not ts:
        return CaseArrivals(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    t = np.concatenate(ts)
    order = np.argsort(t, kind="stable")
    return CaseArrivals(t[order], np.concatenate(chs)[order], np.concatenate(kinds)[order], np.concatenate(handles)[order])


def workload_h(s: Scenario, plans: list[DayPlan]) -> float:
    """Expected agent-hours of channel cases arriving on these dates (for the analytical bound)."""
    c = s.cases
    if not c.enabled:
        return 0.0
    mean_h = np.array([kc.handle.mean_value for kc in c.kinds.values()]) / 3600.0
    return float(sum(expected_per_day(ch, p) * float(kind_shares(s, ch) @ mean_h) for ch in c.channels.values() for p in plans))
