"""First-contact resolution and the repeat delay from a call log that identifies customers.

When the column map names a ``customer_id`` column (a caller id, a customer or a case number),
each customer's contacts are put in arrival order and sorted into **matters**: a contact starts a
new matter unless it comes within ``fcr_window_days`` working days of the customer's previous
contact (from its end: the end of handling of an answered call, the hang-up of an abandoned one).
Within a matter each later contact is

``failure``  failure demand: the previous contact was *answered* and did not resolve the matter
             (the model's ``resolution``: it makes these contacts itself when ``fcr`` is below 1);
``redial``   the previous contact was *abandoned*: the caller tried again (the model's ``repeats``,
             off in a calibrated scenario, so these stay in the fresh volume);

and the first contact of a matter is ``first``; calls without a usable customer id are
``unlinked``. The working days, the window's end and the repeat delay follow the model's own
arithmetic (:mod:`sim.model.resolution`): ``d`` working days after ``t`` is ``t`` moved on by
``floor(d)`` days with an opening and ``d - floor(d)`` days of clock time, a time while the line
is closed moving to the next opening, spread over its first ``demand.displaced_intervals``
intervals.

* **FCR**: the share of matters whose first answered contact is not followed by another contact
  within the window, with a Wilson interval. Censoring is handled by dropping: a matter is judged
  only when its window ends before the log does (a later contact could still come) and its first
  contact lies a window after the log's start (its customer's earlier answered call could be
  before the log).
* **The repeat delay** (``resolution.delay_days``, working days): maximum likelihood over the
  failure-demand contacts whose window ends inside the log. A contact that arrives while the
  line is open at the time the delay points to tells the delay exactly; one in the first minutes
  after an opening may also have been routed there from the closed hours before, which tells
  only that the delay pointed into that gap; the likelihood sums both, and is conditioned on
  the contact coming within the window. Exponential, gamma and lognormal are fitted; the lowest
  AIC is chosen, the exponential when it is within 2 of it; Wald intervals on the log scale.
* **The volume split**: the demand fit sees the fresh contacts only (``first``, ``redial`` and
  ``unlinked``, the unlinked thinned by the failure-demand share of the linked ones), so the
  calibrated model, which makes the failure demand itself, offers the observed volume.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.analysis.stats import wilson
from sim.errors import ScenarioError
from sim.history import aggregate
from sim.history.columns import ColumnMap
from sim.history.demand import calendar_with, infer_hours
from sim.history.estimate import Z95, Estimate
from sim.history.readers import CallLog
from sim.model.resolution import open_days
from sim.schema import CalendarConfig, ResolutionConfig, Scenario
from sim.world.calendar import day_plans
from sim.world.demand import open_periods

DAY_S = 86400.0
MIN_MATTERS = 30
"""Judged matters below which FCR is not estimated."""
MIN_REPEATS = 20
"""Failure-demand contacts below which the repeat delay is not fitted (the default is kept)."""
MAX_BLANK_SHARE = 0.5
"""More calls without a customer id than this share: an error (the column is not a customer id)."""
PLACEHOLDER_MIN = 20
"""An id with at least this many contacts and one per working day or more is a placeholder
(a hidden number written as ``anonym``, ``0``...): its calls count as unlinked."""
FAMILIES = ("exponential", "gamma", "lognormal")
KINDS = ("first", "failure", "redial", "unlinked")


# --------------------------------------------------------------------------- working days


@dataclass(frozen=True)
class WorkingDays:
    """The openings of the history's dates (seconds since ``origin``) and the model's
    working-day arithmetic on them, vectorised (:func:`sim.model.resolution.after_working_days`)."""

    origin: pd.Timestamp
    opens: np.ndarray
    closes: np.ndarray
    days: np.ndarray
    """Sorted day numbers (0: the origin's date) with an opening."""
    spread_s: float

    @classmethod
    def of(cls, cal: CalendarConfig, start: pd.Timestamp, end: pd.Timestamp, spread_s: float) -> WorkingDays:
        """The calendar's openings from ``start`` to ``end`` (dates)."""
        plans = day_plans(cal, start.date(), end.date())
        opens, closes = open_periods(plans)
        return cls(start.normalize(), opens, closes, np.array(sorted(open_days(opens, closes)), dtype=np.int64), spread_s)

    def seconds(self, t: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
        """Naive local times as seconds since the origin."""
        return np.asarray((pd.to_datetime(t) - self.origin) / pd.Timedelta(seconds=1), dtype=float)

    def forward(self, t: np.ndarray, d: float | np.ndarray) -> np.ndarray:
        """``t`` moved on by ``d`` working days (inf beyond the known openings)."""
        t = np.asarray(t, dtype=float)
        d = np.broadcast_to(np.asarray(d, dtype=float), t.shape)
        day = np.floor(t / DAY_S).astype(np.int64)
        n = np.floor(d).astype(np.int64)
        k = np.searchsorted(self.days, day, side="right") + n - 1  # index of the n-th open day after ``day``
        ok = k < self.days.size
        target = np.where(n == 0, day, self.days[np.clip(k, 0, max(self.days.size - 1, 0))] if self.days.size else day)
        out = t + (target - day) * DAY_S + (d - n) * DAY_S
        return np.where(ok | (n == 0), out, np.inf)

    def inverse(self, t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The least ``d`` with ``forward(t, d) >= y`` (0 for ``y <= t``), and whether ``forward``
        reaches ``y`` itself (False where ``y`` falls on a day it jumps over)."""
        t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
        day = np.floor(t / DAY_S).astype(np.int64)
        base = t - day * DAY_S  # time of day of t
        finite = np.isfinite(y)
        x = np.where(finite, y - base, 0.0)
        cd = np.floor(x / DAY_S).astype(np.int64)
        n = np.searchsorted(self.days, cd, side="right") - np.searchsorted(self.days, day, side="right")
        pos = np.clip(np.searchsorted(self.days, cd), 0, max(self.days.size - 1, 0))
        hit = (cd == day) | (self.days.size > 0) & (self.days[pos] == cd)
        d = np.where(hit, n + (x - cd * DAY_S) / DAY_S, n + 1.0)
        before = y <= t
        return np.where(before, 0.0, np.where(finite, d, np.inf)), hit & ~before & finite

    def period(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The opening whose start is the last at or before ``y``, and whether ``y`` is in it."""
        j = np.searchsorted(self.opens, y, side="right") - 1
        inside = (j >= 0) & (y < self.closes[np.clip(j, 0, None)])
        return j, inside

    def spread(self, j: np.ndarray) -> np.ndarray:
        """Seconds of opening ``j`` over which contacts routed to its start are spread."""
        jj = np.clip(j, 0, self.opens.size - 1)
        return np.minimum(self.spread_s, self.closes[jj] - self.opens[jj])

    def window_end(self, t: np.ndarray, w: float) -> np.ndarray:
        """The time before which a contact ``w`` working days or less after ``t`` arrives (a delay
        pointing into closed hours arrives in the next opening's spread)."""
        y = self.forward(t, w)
        j, inside = self.period(y)
        nxt = j + 1
        has_next = nxt < self.opens.size
        routed = np.where(has_next, self.opens[np.clip(nxt, 0, self.opens.size - 1)] + self.spread(nxt), np.inf)
        own = self.opens[np.clip(j, 0, self.opens.size - 1)] + self.spread(j)
        return np.where(np.isfinite(y), np.where(inside, np.maximum(y, own), routed), np.inf)


# --------------------------------------------------------------------------- matters


def customer_ids(path: str, log: CallLog, cmap: ColumnMap) -> tuple[pd.Series, list[str]]:
    """The calls' customer ids (NA where unusable) and notes; an error when the column is mostly blank."""
    col = cmap.column("customer_id")
    raw = log.calls["customer_id"].astype("string").str.strip()
    blank = raw.isna() | raw.eq("")
    n = len(raw)
    notes = []
    if n and blank.mean() > MAX_BLANK_SHARE:
        first = int(log.calls["line"].to_numpy()[int(np.flatnonzero(blank.to_numpy())[0])])
        raise ScenarioError(
            f"Cannot use {path}: line {first}, column {col!r} (customer_id): the customer id is blank in {int(blank.sum())} of {n} "
            f"calls ({100 * blank.mean():.0f} %), more than {100 * MAX_BLANK_SHARE:.0f} %: first-contact resolution needs most "
            "calls linked to a customer (a caller id, a customer or a case number). Map another column as customer_id, or leave "
            "customer_id out of the column map (FCR is then not estimated and the default kept)."
        )
    ids = raw.mask(blank)
    if blank.any():
        notes.append(
            f"{int(blank.sum())} call(s) ({100 * blank.mean():.1f} %) have no customer id (a hidden number?): they cannot be linked, "
            "count as fresh demand thinned by the failure-demand share of the linked calls, and are not in the FCR estimate"
        )
    return ids, notes


def _placeholders(ids: pd.Series, working_days: int) -> list[str]:
    counts = ids.value_counts()
    return [str(k) for k, v in counts.items() if v >= PLACEHOLDER_MIN and v >= max(working_days, 1)]


def classify(calls: pd.DataFrame, ids: pd.Series, wd: WorkingDays, window: float) -> pd.DataFrame:
    """One row per linked call in (customer, arrival) order: ``start`` and ``end`` (seconds),
    ``answered``, ``kind`` (first, failure, redial), ``matter`` and ``next_start`` (the next
    contact of the same matter, inf when none); the original index in ``row``."""
    ok = ids.notna().to_numpy()
    c = calls.loc[ok]
    start = wd.seconds(c["arrival"])
    answered = c["fate"].eq("answered").to_numpy()
    handle = np.nan_to_num(c["handle_s"].to_numpy(dtype=float))
    wait = np.nan_to_num(c["wait_s"].to_numpy(dtype=float))
    end = start + wait + np.where(answered, handle, 0.0)
    f = pd.DataFrame({"row": np.flatnonzero(ok), "customer": ids[ok].to_numpy(), "start": start, "end": end, "answered": answered})
    f = f.sort_values(["customer", "start"], kind="stable").reset_index(drop=True)
    same = f["customer"].eq(f["customer"].shift()).to_numpy()
    prev_end = f["end"].shift().to_numpy(dtype=float)
    reach = np.full(len(f), -np.inf)
    if same.any():
        reach[same] = wd.window_end(prev_end[same], window)
    linked = same & (f["start"].to_numpy() < reach)
    prev_answered = f["answered"].shift(fill_value=False).to_numpy(dtype=bool)
    f["kind"] = np.where(~linked, "first", np.where(prev_answered, "failure", "redial"))
    f["matter"] = np.cumsum(~linked)
    nxt_linked = np.r_[linked[1:], False]
    f["next_start"] = np.where(nxt_linked, np.r_[f["start"].to_numpy()[1:], np.inf], np.inf)
    return f


# --------------------------------------------------------------------------- delay


@dataclass(frozen=True)
class DelayData:
    """What each failure-demand contact says about its delay: a point (``direct``, at ``d``) and/or
    an interval ``lo``..``hi`` it was routed from (``routed``, spread over ``spread`` seconds);
    ``upper``: the delay up to which a contact counts (the window)."""

    d: np.ndarray
    direct: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    routed: np.ndarray
    spread: np.ndarray
    upper: np.ndarray

    @classmethod
    def of(cls, t1: np.ndarray, t2: np.ndarray, wd: WorkingDays, window: float) -> DelayData:
        d, hit = wd.inverse(t1, t2)
        j, _ = wd.period(t2)
        spread = wd.spread(j)
        routed = (j >= 0) & (t2 - wd.opens[np.clip(j, 0, None)] < spread)
        prev_close = np.where(j >= 1, wd.closes[np.clip(j - 1, 0, None)], -np.inf)
        lo, _ = wd.inverse(t1, np.where(np.isfinite(prev_close), prev_close, t1))
        hi, _ = wd.inverse(t1, wd.opens[np.clip(j, 0, None)])
        routed &= hi > lo
        upper, _ = wd.inverse(t1, wd.window_end(t1, window))
        return cls(d, hit, lo, hi, routed, np.where(routed, spread, 1.0), upper)

    @property
    def usable(self) -> np.ndarray:
        return self.direct | self.routed

    def subset(self, m: np.ndarray) -> DelayData:
        return DelayData(*(getattr(self, k)[m] for k in ("d", "direct", "lo", "hi", "routed", "spread", "upper")))


def frozen(family: str, mean: float, cv: float) -> Any:
    """The scipy distribution of a delay family with this mean and CV."""
    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "gamma":
        a = 1.0 / cv**2
        return stats.gamma(a, scale=mean / a)
    s2 = math.log1p(cv**2)
    return stats.lognorm(math.sqrt(s2), scale=mean / math.sqrt(1 + cv**2))


def _nll(family: str, theta: np.ndarray, x: DelayData) -> float:
    mean = math.exp(theta[0])
    cv = 1.0 if family == "exponential" else math.exp(theta[1])
    if not (1e-4 < mean < 1e4 and 1e-3 < cv < 50):
        return 1e300
    dist = frozen(family, mean, cv)
    dens = np.where(x.direct, dist.pdf(np.where(x.direct, x.d, 1.0)) / DAY_S, 0.0)
    mass = np.where(x.routed, dist.cdf(x.hi) - dist.cdf(x.lo), 0.0) / x.spread
    norm = dist.cdf(x.upper)
    lik = (dens + mass) / np.maximum(norm, 1e-300)
    if not np.all(lik > 0):
        return 1e300
    return float(-np.log(lik).sum())


@dataclass(frozen=True)
class DelayFit:
    """One family's maximum-likelihood fit of the repeat delay (working days)."""

    family: str
    mean: Estimate
    cv: Estimate
    loglik: float
    aic: float

    def config(self) -> dict[str, Any]:
        """``resolution.delay_days``."""
        if self.family == "exponential":
            return {"dist": "exponential", "mean": round(self.mean.value, 3), "cv": None, "values": None}
        return {"dist": self.family, "mean": round(self.mean.value, 3), "cv": round(self.cv.value, 3), "values": None}


def _hessian(f: Any, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    k = x.size
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            out[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
    return out


def fit_delay(x: DelayData, family: str) -> DelayFit:
    """Maximum likelihood of one family (see the module docstring); Wald CIs on the log scale."""
    direct = x.d[x.direct]
    m0 = float(np.mean(direct)) if direct.size else float(np.mean((x.lo + x.hi) / 2))
    m0 = max(m0, 0.05)
    k = 1 if family == "exponential" else 2
    start = np.array([math.log(m0)] + ([0.0] if k == 2 else []))

    def f(th: np.ndarray) -> float:
        return _nll(family, th, x)

    res = optimize.minimize(f, start, method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 4000})
    th = res.x
    try:
        cov = np.linalg.inv(_hessian(f, th))
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(k, np.nan)
    method = f"{family} maximum likelihood (working days; routed contacts as intervals), Wald CI on the log scale"

    def est(name: str, v: float, s: float, unit: str) -> Estimate:
        return Estimate(name, math.exp(v), math.exp(v - Z95 * s), math.exp(v + Z95 * s), math.exp(v) * s, unit, method)

    mean = est("resolution.delay_days.mean", th[0], se[0], "working days")
    one = Estimate("resolution.delay_days.cv", 1.0, 1.0, 1.0, 0.0, "", method)
    cv = est("resolution.delay_days.cv", th[1], se[1], "") if k == 2 else one
    ll = -float(res.fun)
    return DelayFit(family, mean, cv, ll, 2 * k - 2 * ll)


def chosen(fits: list[DelayFit]) -> DelayFit:
    """The family written: among the fits within 2 AIC of the lowest, the one with the fewest
    parameters (an exponential unless a CV other than 1 clearly fits better), then the lowest AIC."""
    low = min(f.aic for f in fits)
    close = [f for f in fits if f.aic <= low + 2.0]
    return min(close, key=lambda f: (f.family != "exponential", f.aic))


# --------------------------------------------------------------------------- estimate


@dataclass
class FcrEstimate:
    """What the customer column told (``fcr``/``delay`` None: not estimated, ``reason`` says why)."""

    window_days: float
    contacts: pd.DataFrame
    """Per date: offered, first, failure, redial, unlinked (calls) and fresh (what the demand fit sees)."""
    fresh_table: pd.DataFrame
    matters: int = 0
    judged: int = 0
    fcr: Estimate | None = None
    delay: DelayFit | None = None
    fits: list[DelayFit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def estimated(self) -> bool:
        return self.fcr is not None

    def estimates(self) -> list[Estimate]:
        out = [self.fcr] if self.fcr else []
        if self.delay is not None:
            out += [self.delay.mean] + ([self.delay.cv] if self.delay.family != "exponential" else [])
        return out

    def config(self, base: ResolutionConfig) -> dict[str, Any]:
        """The ``resolution`` group of the calibrated scenario (the base's ``max_contacts``; the
        base's delay when it could not be fitted)."""
        assert self.fcr is not None
        delay = self.delay.config() if self.delay is not None else base.delay_days.model_dump(mode="json")
        return {"fcr": round(self.fcr.value, 4), "delay_days": delay, "max_contacts": base.max_contacts}


def spread_of(base: Scenario, step: int) -> float:
    """Seconds over which the calibrated scenario spreads a contact routed to an opening
    (its ``displaced_intervals`` keep their length in hours on another grid, as the writer does)."""
    d = base.demand
    if step == d.interval_min:
        return 60.0 * step * d.displaced_intervals
    return 60.0 * step * max(1, round(d.displaced_intervals * d.interval_min / step))


def not_estimated_note(kind: str) -> str:
    """The report's words when there is no customer column."""
    what = "an interval report has no customer ids" if kind == "intervals" else "no customer column in the column map (customer_id)"
    return (
        f"{what}: FCR not estimated, default kept (resolution.fcr 1.0: every answered call resolves its matter; "
        "the volume holds any repeat calls as fresh demand)"
    )


def estimate_fcr(
    path: str | Path,
    log: CallLog,
    cmap: ColumnMap,
    base: Scenario,
    table: pd.DataFrame,
    step: int,
    excluded: Iterable[pd.Timestamp] = (),
    seed: int = 0,
) -> FcrEstimate | None:
    """FCR, the repeat delay and the fresh contacts of a call log with a ``customer_id`` column
    (None without one). Working days are those of ``base``'s calendar with the opening hours the
    demand fit infers from ``table`` (the calibrated scenario's)."""
    if "customer_id" not in log.calls.columns or cmap.column("customer_id") is None:
        return None
    hours = infer_hours(table[~table["date"].isin(list(excluded))], step, base.calendar)
    cal = calendar_with(base.calendar, hours)
    spread_s = spread_of(base, step)
    path = str(path)
    window = float(cmap.fcr_window_days)
    calls = log.calls
    ids, notes = customer_ids(path, log, cmap)
    first_day = calls["arrival"].min().normalize()
    last_day = calls["arrival"].max().normalize()
    horizon = pd.Timedelta(days=int(3 * math.ceil(window)) + 60)
    wd = WorkingDays.of(cal, first_day, last_day + horizon, spread_s)
    log_end = (last_day + pd.Timedelta(days=1) - first_day) / pd.Timedelta(seconds=1)
    n_work = int((wd.days <= (last_day - first_day).days).sum())
    fake = _placeholders(ids.dropna(), n_work)
    if fake:
        ids = ids.mask(ids.isin(fake))
        notes.append(
            f"customer id(s) {', '.join(repr(x) for x in fake[:5])} hold at least one contact per working day "
            f"(a placeholder for hidden numbers?): their calls count as unlinked"
        )
    f = classify(calls, ids, wd, window)
    left = float(wd.window_end(np.array([0.0]), window)[0])
    # FCR: the first answered contact of each matter, judged when the log covers its window both ways
    ans = f[f["answered"]]
    first_ans = ans.groupby("matter", sort=False).head(1)
    m_start = f.groupby("matter")["start"].min()
    reach = wd.window_end(first_ans["end"].to_numpy(), window)
    judged = (reach <= log_end) & (m_start.loc[first_ans["matter"]].to_numpy() >= left)
    resolved = ~(first_ans["next_start"].to_numpy() < np.inf)
    n_j, n_res = int(judged.sum()), int((judged & resolved).sum())
    # volume split
    kind = np.full(len(calls), "unlinked", dtype=object)
    kind[f["row"].to_numpy()] = f["kind"].to_numpy()
    linked = kind != "unlinked"
    n_fail = int((kind == "failure").sum())
    fd_share = n_fail / max(int(linked.sum()), 1)
    rng = np.random.default_rng(seed + 17)
    keep = (kind == "first") | (kind == "redial") | ((kind == "unlinked") & (rng.random(len(calls)) >= fd_share))
    fresh = CallLog(calls.loc[keep].reset_index(drop=True), log.drops, log.threshold_s)
    per = pd.DataFrame({"date": calls["arrival"].dt.normalize().to_numpy(), "offered": 1, "fresh": keep.astype(int)})
    for k in KINDS:
        per[k] = (kind == k).astype(int)
    contacts = per.groupby("date", as_index=False)[["offered", *KINDS, "fresh"]].sum()
    out = FcrEstimate(window, contacts, aggregate.from_calls(fresh, step), int(f["matter"].nunique()), n_j, notes=notes)
    n_red = int((kind == "redial").sum())
    split = (
        f"volume: of {len(calls)} calls offered, {n_fail} ({100 * n_fail / max(len(calls), 1):.1f} %) are failure demand (another "
        f"contact within {window:g} working days of an answered one) and {n_red} redials (after an abandoned call); demand.volume "
        "carries the fresh calls only (first contacts, redials and the unlinked thinned): the model makes the failure demand itself"
    )
    if n_j < MIN_MATTERS:
        out.reason = (
            f"only {n_j} matter(s) can be judged (a matter needs its whole {window:g}-working-day window inside the log, after a "
            f"window from its start: a log of more than {2 * window:g} working days): FCR not estimated, default kept"
        )
    elif n_res == n_j:
        out.reason = (
            f"no customer contacted again within {window:g} working days of an answered call among {n_j} judged matters "
            "(is the customer column a call id?): FCR not estimated, default kept (fcr 1.0)"
        )
    if out.reason:
        out.notes = [*notes, out.reason]
        out.fresh_table = pd.DataFrame()
        return out
    lo, hi = wilson(np.array([n_res]), np.array([n_j]))
    p = n_res / n_j
    out.fcr = Estimate(
        "fcr", p, float(lo[0]), float(hi[0]), math.sqrt(p * (1 - p) / n_j), "",
        f"share of {n_j} judged matters whose first answered contact had no other contact within {window:g} working days (Wilson)",
    )
    # the delay: failure-demand contacts whose window ends inside the log
    prev_end = f["end"].shift().to_numpy(dtype=float)
    fail = (f["kind"].eq("failure")).to_numpy()
    t1, t2 = prev_end[fail], f["start"].to_numpy()[fail]
    inside = wd.window_end(t1, window) <= log_end
    x = DelayData.of(t1[inside], t2[inside], wd, window)
    odd = int((~x.usable).sum())
    x = x.subset(x.usable)
    if odd:
        notes.append(f"{odd} failure-demand contact(s) came at a time the calendar's openings cannot produce: left out of the delay fit")
    delay_words = ""
    if x.d.size >= MIN_REPEATS:
        out.fits = [fit_delay(x, fam) for fam in FAMILIES]
        best = chosen(out.fits)
        out.delay = best
        tail = float(1 - frozen(best.family, best.mean.value, best.cv.value).cdf(window))
        cv_words = f", CV {best.cv.value:.2f} ({best.cv.low:.2f}-{best.cv.high:.2f})" if best.family != "exponential" else ""
        delay_words = (
            f"; repeat delay {best.family} with mean {best.mean.value:.2f} working days ({best.mean.low:.2f}-{best.mean.high:.2f})"
            f"{cv_words} from {x.d.size} failure-demand contacts (of {', '.join(FAMILIES)} by AIC, the exponential when within 2)"
        )
        if tail > 0.05:
            notes.append(
                f"the fitted repeat delay exceeds the {window:g}-working-day window with probability {tail:.2f}: those repeats count "
                "as new matters in the data but as failure demand in the model; widen fcr_window_days in the column map"
            )
    else:
        delay_words = f"; too few failure-demand contacts ({x.d.size}) to fit the repeat delay: the default delay is kept"
    out.notes = [
        *notes,
        f"first-contact resolution {p:.3f} (95 % CI {lo[0]:.3f}-{hi[0]:.3f}) over {n_j} of {out.matters} matters (customer column "
        f"{cmap.column('customer_id')!r}, window {window:g} working days; matters whose window reaches past either end of the log "
        f"are not judged){delay_words}; written to resolution",
        split,
    ]
    return out


def replayed(scenario: Scenario, cal: CalendarConfig) -> Scenario:
    """The scenario that replays the history's observed calls (back-test, simulation correction):
    its calendar, and no failure demand of its own, since the observed calls already hold it."""
    return scenario.model_copy(update={"calendar": cal, "resolution": ResolutionConfig()})

