"""Demand from history: opening hours, day kinds by the scenario's calendar, outlier days,
volume, weekday factors, day-level overdispersion, the intraday profile and the bump of
displaced callers after a closure.

Day kinds (column ``kind`` of :attr:`DemandEstimate.days`):

``regular``        open the regular hours, the previous weekday was not closed: the days
                   the fit uses (unless flagged an outlier)
``early``          the calendar closes it early (15:00 before a red day, a closure window)
``after_closure``  the first open day after a red day, an early close or a closure: it
                   carries displaced callers (the bump), so it is left out of the fit
``closed``         the calendar says closed (red day, closed eve, weekend, closure)
``unplanned``      the calendar says open but no call came: an unrecorded closure (noted)
``missing``        the calendar says open but the date is not in the export at all, in an
                   export that lists empty intervals (rows of zero offered calls): the data
                   of that date are missing, not zero; left out, noted, no after-closure effect
``excluded``       a date the planner excluded (an outage, bad data: ``calibrate(exclude=)``):
                   left out of the fit with the planner's reason, no after-closure effect

A date with no rows at all cannot be told apart from an unrecorded closure when the export
never lists empty intervals (a per-call log; a report that prints only intervals with
calls): there it stays ``unplanned``, and the next open day ``after_closure``, as a closure
would make it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.robust.scale import qn_scale

from sim.errors import ScenarioError
from sim.history.estimate import Z95, Estimate, bootstrap
from sim.schema import WEEKDAYS, CalendarConfig, HoursConfig, clock, minutes
from sim.world.calendar import DayPlan, day_plans

OUTLIER_ALPHA = 0.10
"""Probability that a history without outlier days gets any day flagged (family-wise, per
history). A false flag costs one regular day of the fit; a missed outage day biases its
weekday factor by (ratio - 1)/days and inflates the day CV, hence 10 % rather than 5 %."""
POOL_P = 0.01
"""Weekday profiles are pooled when the chi-square test of equal shapes has p above this."""


@dataclass(frozen=True)
class DemandEstimate:
    """Everything the demand fit found (see the module docstring for ``days.kind``)."""

    interval_min: int
    hours: dict[str, tuple[int, int] | None]
    days: pd.DataFrame
    volume: Estimate
    weekday_factor: pd.DataFrame
    monthly: pd.DataFrame
    profile: pd.DataFrame
    pooled: bool
    pooling_p: float
    day_cv: Estimate
    bump: Estimate | None
    calendar_check: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def estimates(self) -> list[Estimate]:
        """The scalar estimates, weekday factors included."""
        out = [self.volume, self.day_cv]
        out += [
            Estimate(f"weekday_factor.{r.weekday}", r.factor, r.ci_low, r.ci_high, r.se, "", "bootstrap over days")
            for r in self.weekday_factor.itertuples()
        ]
        return out + ([self.bump] if self.bump else [])


def infer_hours(table: pd.DataFrame, step: int, cal: CalendarConfig) -> dict[str, tuple[int, int] | None]:
    """Regular opening hours per weekday: intervals with calls on at least half of that
    weekday's dates (red days left out); a weekday with calls on under half its dates is closed."""
    start, end = table["date"].min().date(), table["date"].max().date()
    red = {p.date for p in day_plans(cal, start, end) if p.red}
    t = table[~table["date"].dt.date.isin(red)]
    dates = pd.Series(pd.date_range(start, end, freq="D"))
    dates = dates[~dates.dt.date.isin(red)]
    out: dict[str, tuple[int, int] | None] = {}
    busy = t[t["offered"] > 0]
    for wd, name in enumerate(WEEKDAYS):
        n_dates = int((dates.dt.day_of_week == wd).sum())
        b = busy[busy["date"].dt.day_of_week == wd]
        if n_dates == 0 or b["date"].nunique() < 0.5 * n_dates:
            out[name] = None
            continue
        share = b.groupby("minute")["date"].nunique() / b["date"].nunique()
        mins = share[share >= 0.5].index
        out[name] = (int(mins.min()), int(mins.max()) + step) if len(mins) else None
    return out


def calendar_with(cal: CalendarConfig, hours: dict[str, tuple[int, int] | None]) -> CalendarConfig:
    """The calendar with the inferred opening hours."""

    def hc(v: tuple[int, int] | None) -> HoursConfig | None:
        return None if v is None else HoursConfig(opens=clock(v[0]), closes=clock(v[1]))  # calls until midnight: 24:00

    return cal.model_copy(update={"hours": {k: hc(v) for k, v in hours.items()}})


def kinds_of(
    plans: list[DayPlan],
    offered: pd.Series | None = None,
    missing: frozenset[pd.Timestamp] = frozenset(),
    excluded: frozenset[pd.Timestamp] = frozenset(),
) -> list[str]:
    """The kind of each consecutive day: ``closed``, ``excluded`` (open by the calendar, left
    out by the planner), ``missing`` (open, not in the data), ``unplanned`` (open but no call
    offered; only with ``offered`` by date), ``early`` (shorter hours), ``after_closure`` (the
    first normally open day after a short one) or ``regular``. Excluded and missing days do
    not make the next day ``after_closure``."""
    kinds, prev_short = [], False
    for p in plans:
        day = pd.Timestamp(p.date)
        if not p.is_open:
            kind = "closed"
        elif day in excluded:
            kind = "excluded"
        elif day in missing:
            kind = "missing"
        elif offered is not None and float(offered.get(day, 0.0)) == 0:
            kind = "unplanned"
        elif p.closes != p.regular_closes or p.opens != p.regular_opens:
            kind = "early"
        elif prev_short:
            kind = "after_closure"
        else:
            kind = "regular"
        if p.regular_opens is not None:  # a weekday that is normally open
            prev_short = kind in ("closed", "early", "unplanned")
        kinds.append(kind)
    return kinds


def as_excluded(exclude: Mapping[Any, str] | Iterable[Any] | None) -> dict[pd.Timestamp, str]:
    """Excluded dates with their reasons (``exclude``: dates, or a mapping date -> reason)."""
    if exclude is None:
        return {}
    items = exclude.items() if isinstance(exclude, Mapping) else ((d, "") for d in exclude)
    out = {}
    for d, r in items:
        try:
            day = pd.Timestamp(d).normalize()
        except (ValueError, TypeError):
            raise ScenarioError(f"Invalid excluded date {d!r}: expected a date YYYY-MM-DD.") from None
        out[day] = str(r or "excluded by the planner")
    return out


def day_kinds(
    table: pd.DataFrame, cal: CalendarConfig, excluded: Mapping[pd.Timestamp, str] | None = None, lists_empty: bool | None = None
) -> pd.DataFrame:
    """One row per date of the history: weekday, calendar reason (or the planner's reason of
    an excluded date), offered calls, kind. Dates in ``excluded`` may lie outside the data.
    ``lists_empty``: the export prints intervals without calls (default: the table has rows
    of zero offered calls), so a date without rows is ``missing``."""
    excluded = dict(excluded or {})
    start, end = table["date"].min().date(), table["date"].max().date()
    plans = day_plans(cal, start, end)
    offered = table.groupby("date")["offered"].sum()
    # an export that prints empty intervals (rows of zero offered calls) would have printed a
    # date the line was open without calls; a date absent from it is missing data
    if lists_empty is None:
        lists_empty = bool((table["offered"] == 0).any())
    missing = frozenset(pd.Timestamp(p.date) for p in plans if pd.Timestamp(p.date) not in offered.index) if lists_empty else frozenset()
    kinds = kinds_of(plans, offered, missing, frozenset(excluded))
    rows = [
        (
            pd.Timestamp(p.date),
            WEEKDAYS[p.date.weekday()],
            f"excluded: {excluded[pd.Timestamp(p.date)]}" if kind == "excluded" else p.reason,
            p.closes,
            float(offered.get(pd.Timestamp(p.date), 0.0)),
            kind,
        )
        for p, kind in zip(plans, kinds, strict=True)
    ]
    return pd.DataFrame(rows, columns=["date", "weekday", "reason", "closes", "offered", "kind"])


_MEDIAN_VAR = (1.0, 1.0, 0.5, 0.4487, 0.2982, 0.2868, 0.2147)
"""Variance of the median of n = 1..6 independent standard normals (``numpy.median``: the mean
of the two middle values when n is even); index n."""


def _neighbours(s: pd.Series, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Median of the ``k`` same-weekday days before and after each day (the day itself left
    out, so an outlier cannot pull its own reference) and the number of those days."""
    x = s.to_numpy()
    ref, n = np.full(x.size, np.nan), np.zeros(x.size, dtype=int)
    for i in range(x.size):
        nb = np.r_[x[max(0, i - k) : i], x[i + 1 : i + 1 + k]]
        if nb.size:
            ref[i], n[i] = np.median(nb), nb.size
    return ref, n


def _standardised(resid: np.ndarray, ref: np.ndarray, n: np.ndarray, c2: float) -> np.ndarray:
    """Log residuals over their sd under the gamma-Poisson day model with squared CV ``c2``."""
    var_day = c2 + 1.0 / ref  # Var(log x) of a gamma-Poisson day of mean ref (delta method)
    return resid / np.sqrt(var_day * (1.0 + np.take(_MEDIAN_VAR, n)))


def _truncated_var(cut: float) -> float:
    """Variance of a standard normal truncated to |z| < ``cut`` (the consistency factor of a
    variance computed without the days beyond ``cut``)."""
    return float(1 - 2 * cut * stats.norm.pdf(cut) / (2 * stats.norm.cdf(cut) - 1))


def _solve_c2(f: Callable[[float], float]) -> float:
    """The root in c² >= 0 of a decreasing ``f`` (0 when ``f(0) <= 0``)."""
    if f(0.0) <= 0:
        return 0.0
    hi = 0.01
    while f(hi) > 0 and hi < 100:
        hi *= 4
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-7)) if f(hi) <= 0 else hi


def _day_cv2(resid: np.ndarray, ref: np.ndarray, n: np.ndarray, cut: float) -> tuple[float, np.ndarray]:
    """Squared day CV from the log residuals and the days within ``|z| < cut`` it was computed from.

    Starts from the ``c2`` at which the Qn scale of the standardised residuals is 1 (robust,
    but pairwise differences of residuals that share neighbours overstate it), then iterates to
    the fixed point: ``c2`` such that the days within ``|z| < cut`` have the variance of a normal
    truncated there. The scale is so the spread of the days that are not outliers, tails
    included, and an outlier cannot widen its own yardstick. 0 when days vary no more than Poisson."""
    c2 = _solve_c2(lambda c: float(qn_scale(_standardised(resid, ref, n, c))) - 1.0)
    keep = np.ones(resid.size, dtype=bool)
    for _ in range(20):
        z = _standardised(resid, ref, n, c2)
        new = np.abs(z - np.median(z)) < cut
        if new.sum() < 3 or (new == keep).all():
            break
        keep = new
        r, m, k = resid[keep] - np.median(resid[keep]), ref[keep], n[keep]
        c2 = _solve_c2(lambda c: float(np.mean(_standardised(r, m, k, c) ** 2)) / _truncated_var(cut) - 1.0)  # noqa: B023
    return c2, keep


def outlier_threshold(tested: int, alpha: float = OUTLIER_ALPHA) -> float:
    """|z| beyond which one of ``tested`` days is an outlier: Bonferroni for a family-wise
    false-flag probability ``alpha`` per history, two-sided, on a t distribution with the
    ``tested - 1`` degrees of freedom of the scale (a variance from the same days)."""
    df = max(tested - 1.0, 1.0)
    return float(stats.t.isf(alpha / (2 * max(tested, 1)), df))


def flag_outliers(days: pd.DataFrame) -> pd.DataFrame:
    """Flag regular days whose volume the day model cannot explain.

    Each regular day's log volume is compared with the median of its same-weekday regular
    neighbours (up to 3 before and 3 after). Under the gamma-Poisson day model with day CV
    ``c`` the residual's variance is ``(c² + 1/mean)(1 + v_n)``: the day's overdispersion, its
    Poisson noise (which matters on quiet weekdays) and the noise of the median of its ``n``
    neighbours (``v_n``). ``c`` is estimated robustly (the Qn scale of the standardised
    residuals is 1), so an outlier cannot widen its own yardstick, and a day is an outlier when
    ``|z|`` exceeds :func:`outlier_threshold` for the number of days tested."""
    d = days.copy()
    d["robust_z"] = np.nan
    reg = d["kind"].eq("regular") & (d["offered"] > 0)
    r = d[reg].sort_values("date")
    ref = pd.Series(np.nan, index=r.index)
    n = pd.Series(0, index=r.index)
    for _, g in r.groupby("weekday"):
        ref_g, n_g = _neighbours(g["offered"])
        ref.loc[g.index], n.loc[g.index] = ref_g, n_g
    ok = n > 0
    resid = np.log(r.loc[ok, "offered"].to_numpy()) - np.log(ref[ok].to_numpy())
    d["outlier"] = False
    if resid.size < 3:
        return d
    cut = outlier_threshold(int(resid.size))
    c2, _ = _day_cv2(resid, ref[ok].to_numpy(), n[ok].to_numpy(), cut)
    z = _standardised(resid, ref[ok].to_numpy(), n[ok].to_numpy(), c2)
    z = z - np.median(z)
    d.loc[ok[ok].index, "robust_z"] = z
    d["outlier"] = d["robust_z"].abs() > cut
    return d


def _fit_days(days: pd.DataFrame) -> pd.DataFrame:
    return days[days["kind"].eq("regular") & ~days["outlier"]]


def weekday_factors(days: pd.DataFrame, rng: np.random.Generator) -> tuple[Estimate, pd.DataFrame]:
    """Volume (mean of the weekday means) and factors normalised to average 1 over open weekdays."""
    fit = _fit_days(days)
    groups = {w: fit.loc[fit["weekday"] == w, "offered"].to_numpy() for w in WEEKDAYS}
    open_w = [w for w in WEEKDAYS if groups[w].size >= 2]
    b = 400
    reps = np.empty((b, len(open_w)))
    for j, w in enumerate(open_w):
        x = groups[w]
        reps[:, j] = x[rng.integers(0, x.size, size=(b, x.size))].mean(axis=1)
    means = np.array([groups[w].mean() for w in open_w])
    vol = float(means.mean())
    vol_reps = reps.mean(axis=1)
    fac_reps = reps / vol_reps[:, None]
    rows = []
    for j, w in enumerate(open_w):
        rows.append((w, means[j] / vol, *np.quantile(fac_reps[:, j], [0.025, 0.975]), fac_reps[:, j].std(ddof=1), groups[w].size))
    for w in WEEKDAYS:
        if w not in open_w:
            rows.append((w, 0.0, 0.0, 0.0, 0.0, groups[w].size))
    table = pd.DataFrame(rows, columns=["weekday", "factor", "ci_low", "ci_high", "se", "days"])
    table = table.set_index("weekday").loc[list(WEEKDAYS)].reset_index()
    volume = Estimate(
        "volume",
        vol,
        *np.quantile(vol_reps, [0.025, 0.975]),
        vol_reps.std(ddof=1),
        "calls/day",
        "mean of the weekday means of regular days (bootstrap CI)",
    )
    return volume, table


def monthly(days: pd.DataFrame) -> pd.DataFrame:
    """Mean calls per open day by month (t interval) and the month's total."""
    o = days[(days["offered"] > 0) & ~days["kind"].eq("excluded")]
    g = o.groupby(o["date"].dt.to_period("M"))["offered"]
    m = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "days": g.size(), "total": g.sum()})
    half = stats.t.ppf(0.975, np.maximum(m["days"] - 1, 1)) * m["sd"] / np.sqrt(m["days"])
    m["ci_low"], m["ci_high"] = m["mean"] - half, m["mean"] + half
    m.index = m.index.to_timestamp()
    return m.rename_axis("month").reset_index()


def day_cv(days: pd.DataFrame, rng: np.random.Generator, k: int = 4) -> Estimate:
    """CV of the gamma day factor from same-weekday daily totals beyond Poisson.

    Each regular day is compared with the mean of its ``k`` nearest same-weekday regular days
    (half before, half after, so a slow yearly trend cancels). For a gamma-Poisson day,
    ``Var(x) = mu + cv² mu²``, and the difference to a mean of ``k`` such days has ``(1 + 1/k)``
    times that variance: ``cv² = mean[((x - m)²/(1 + 1/k) - m) / m²]``. Bootstrap CI over days.
    """
    fit = _fit_days(days)
    terms = []
    for _, g in fit.groupby("weekday"):
        x = g.sort_values("date")["offered"].to_numpy()
        for i in range(k // 2, x.size - k // 2):
            nb = np.r_[x[i - k // 2 : i], x[i + 1 : i + 1 + k // 2]]
            m = nb.mean()
            terms.append(((x[i] - m) ** 2 / (1 + 1 / k) - m) / m**2)
    t = np.asarray(terms)
    if t.size < 5:
        return Estimate("day_cv", 0.0, float("nan"), float("nan"), unit="", method="too few regular days")
    c2 = float(t.mean())
    lo, hi, se = bootstrap(t, lambda v: float(v.mean()), rng)
    root = lambda v: float(np.sqrt(max(v, 0.0)))  # noqa: E731
    return Estimate(
        "day_cv",
        root(c2),
        root(lo),
        root(hi),
        se / (2 * max(root(c2), 1e-9)),
        "",
        f"same-weekday overdispersion beyond Poisson ({t.size} days, bootstrap CI)",
    )


def profile(table: pd.DataFrame, days: pd.DataFrame, hours: dict[str, tuple[int, int] | None]) -> tuple[pd.DataFrame, bool, float]:
    """Intraday shares per weekday (or pooled ``all``), with normal-approximation CIs.

    Within a day the intervals' counts are multinomial whatever the day factor, so a
    chi-square test of equal shapes across weekdays is valid; weekdays are pooled when
    it does not reject (p > :data:`POOL_P`) and they share the same opening hours.
    """
    fit = _fit_days(days)
    t = table[table["date"].isin(fit["date"])].copy()
    t["weekday"] = t["date"].dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    counts = t.pivot_table(index="weekday", columns="minute", values="offered", aggfunc="sum", fill_value=0.0)
    counts = counts.loc[:, counts.sum(axis=0) > 0]
    same_hours = len({hours[w] for w in counts.index}) == 1
    p = float("nan")
    if len(counts) > 1:
        p = float(stats.chi2_contingency(counts.to_numpy() + 0.5)[1])
    pooled = bool(same_hours and (len(counts) == 1 or p > POOL_P))
    groups = {"all": counts.sum(axis=0)} if pooled else {w: counts.loc[w] for w in counts.index}
    rows = []
    for w, c in groups.items():
        n = float(c.sum())
        for minute, x in c.items():
            share = x / n
            se = np.sqrt(share * (1 - share) / n)
            rows.append((w, int(minute), float(x), share, share - Z95 * se, share + Z95 * se))
    return pd.DataFrame(rows, columns=["weekday", "minute", "calls", "share", "ci_low", "ci_high"]), pooled, p


def displaced_bump(table: pd.DataFrame, days: pd.DataFrame, step: int, rng: np.random.Generator, intervals: int = 4) -> Estimate | None:
    """Extra share of a day's calls in its first ``intervals`` intervals on the first day after
    a closure, relative to regular days (0 = no bump); bootstrap CI over the after-closure days."""
    first = table.assign(first=table["minute"] < table.groupby("date")["minute"].transform("min") + intervals * step)
    share = first[first["first"]].groupby("date")["offered"].sum() / first.groupby("date")["offered"].sum()
    reg = share.reindex(_fit_days(days)["date"]).dropna()
    after = share.reindex(days.loc[days["kind"].eq("after_closure"), "date"]).dropna()
    if after.size < 3 or reg.size < 3:
        return None
    base = float(reg.mean())
    v = after.to_numpy()
    lo, hi, se = bootstrap(v, lambda x: float(x.mean()) / base - 1.0, rng)
    return Estimate(
        "displaced_bump",
        float(v.mean()) / base - 1.0,
        lo,
        hi,
        se,
        "",
        f"extra share of calls in the first {intervals} intervals after a closure ({after.size} days)",
    )


def calendar_check(days: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Closed and early-closing days of the calendar against what the data shows."""
    rows = []
    late = table.assign(mins=table["minute"])
    for r in days[days["kind"].isin(("closed", "early", "unplanned")) & ~days["reason"].isin(("weekend", "closed weekday"))].itertuples():
        if r.kind == "early":
            cut = minutes(r.closes)
            after = float(late.loc[(late["date"] == r.date) & (late["mins"] >= cut), "offered"].sum())
            rows.append((r.date, r.weekday, r.reason, f"closes {r.closes:%H:%M}", r.offered, after, after == 0))
        else:
            expect = "closed" if r.kind == "closed" else "open"
            rows.append((r.date, r.weekday, r.reason, expect, r.offered, np.nan, r.kind == "closed" and r.offered == 0))
    return pd.DataFrame(rows, columns=["date", "weekday", "calendar", "expected", "offered", "after_closing", "data_agrees"])


def estimate_demand(
    table: pd.DataFrame,
    step: int,
    cal: CalendarConfig,
    seed: int = 0,
    exclude: Mapping[Any, str] | Iterable[Any] | None = None,
    lists_empty: bool | None = None,
) -> DemandEstimate:
    """Fit the demand of an interval table (see :mod:`sim.history.aggregate`); ``exclude``:
    dates to leave out (a list, or a mapping date -> reason), see :func:`as_excluded`;
    ``lists_empty``: see :func:`day_kinds`."""
    rng = np.random.default_rng(seed)
    excluded = as_excluded(exclude)
    hours = infer_hours(table[~table["date"].isin(list(excluded))], step, cal)
    cal = calendar_with(cal, hours)
    days = flag_outliers(day_kinds(table, cal, excluded, lists_empty))
    notes = []
    out = days[days["outlier"]]
    if len(out):
        notes.append(
            f"{len(out)} outlier day(s) (|z| > {outlier_threshold(int(days['robust_z'].notna().sum())):.2f}, a "
            f"{100 * OUTLIER_ALPHA:.0f} % chance of any false flag in this history) left out of the fit: "
            + ", ".join(
                f"{d:%Y-%m-%d} ({n:.0f} calls, z = {z:+.1f})" for d, n, z in zip(out["date"], out["offered"], out["robust_z"], strict=True)
            )
        )
    unplanned = days[days["kind"].eq("unplanned")]
    if len(unplanned):
        notes.append(
            f"{len(unplanned)} day(s) open by the calendar without any call (unrecorded closures?): "
            + ", ".join(f"{d:%Y-%m-%d}" for d in unplanned["date"])
        )
    missing = days[days["kind"].eq("missing")]
    if len(missing):
        notes.append(
            f"{len(missing)} day(s) open by the calendar are not in the export (it lists empty intervals, so these dates "
            "are missing data, not closures) and are left out: " + ", ".join(f"{d:%Y-%m-%d}" for d in missing["date"])
        )
    shut = days[days["kind"].eq("excluded")]
    if len(shut):
        notes.append(
            f"{len(shut)} excluded day(s) left out of the fit (not closures: the next day is fitted as usual): "
            + ", ".join(f"{d:%Y-%m-%d} ({r.removeprefix('excluded: ')})" for d, r in zip(shut["date"], shut["reason"], strict=True))
        )
    outside = sorted(set(excluded) - set(shut["date"]))
    if outside:
        listed = ", ".join(f"{d:%Y-%m-%d}" for d in outside)
        notes.append(f"excluded date(s) not among the history's open days, nothing to leave out: {listed}")
    volume, factors = weekday_factors(days, rng)
    prof, pooled, p = profile(table, days, hours)
    return DemandEstimate(
        interval_min=step,
        hours=hours,
        days=days,
        volume=volume,
        weekday_factor=factors,
        monthly=monthly(days),
        profile=prof,
        pooled=pooled,
        pooling_p=p,
        day_cv=day_cv(days, rng),
        bump=displaced_bump(table, days, step, rng),
        calendar_check=calendar_check(days, table),
        notes=notes,
    )
