"""The scenario schema: one frozen, validated :class:`Scenario` is the model's only input.

Scenarios are composed by Hydra from ``scenarios/`` (see :mod:`sim.scenario.compose`) and validated
here with pydantic models that forbid unknown keys and check every range. Validation errors
are turned into a one-paragraph :class:`~sim.errors.ScenarioError` naming the full key.
Nothing in a scenario is ever instantiated as a Python object (no ``_target_``).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Annotated, Literal

import holidays
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WrapSerializer, field_validator, model_validator

from sim.catalogue import PRACTICAL_KPIS, PRECISION_KPIS
from sim.errors import fail


def _no_bool(value: object) -> object:
    # pydantic's lax mode reads true/false as 1/0; a boolean is never a count or a duration.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    return value


Int = Annotated[int, BeforeValidator(_no_bool)]
"""An integer that refuses booleans (``staffing.agents=true`` is an error, not 1)."""
Float = Annotated[float, BeforeValidator(_no_bool)]
"""A float that refuses booleans (infinity and NaN are refused by the model config)."""


def _quoted_time(value: object) -> object:
    # An unquoted 17:30 in YAML is the sexagesimal number 1050, which pydantic would read as
    # 1050 seconds (00:17:30): silently wrong, so numbers are refused.
    if isinstance(value, bool | int | float):
        raise ValueError(
            f"expected a time \"HH:MM\", got the number {value!r} (in YAML quote times: an "
            "unquoted 17:30 is read as the number 1050)"
        )
    return value


def _quoted_date(value: object) -> object:
    # pydantic reads a number as a Unix timestamp (20261201 -> 1970-08-23): refuse it.
    if isinstance(value, bool | int | float):
        raise ValueError(f"expected a date YYYY-MM-DD, got the number {value!r}")
    return value


def _local_time(t: dt.time) -> dt.time:
    if t.tzinfo is not None:
        raise ValueError(f"expected a local clock time HH:MM without a time zone, got {t.isoformat()}")
    return t


class _EndOfDay(dt.time):
    """The clock time ``24:00``, the end of a day (see :data:`END_OF_DAY`)."""

    __slots__ = ()

    def strftime(self, fmt: str) -> str:
        return dt.time(0, 0).strftime(fmt.replace("%H", "24"))

    def __format__(self, fmt: str) -> str:
        return self.strftime(fmt) if fmt else str(self)

    def isoformat(self, timespec: str = "auto") -> str:
        return "24:00" if timespec == "minutes" else "24:00:00"

    def __str__(self) -> str:
        return "24:00:00"

    def __repr__(self) -> str:
        return "sim.schema.END_OF_DAY"


END_OF_DAY: dt.time = _EndOfDay(23, 59, 59, 999999)
"""``"24:00"``, the end of a day: a closing time only (``calendar.hours.<day>.closes``, a
closure's ``to_time``, a shift's ``end``). It equals ``dt.time.max`` and so sorts after every
other clock time; :func:`minutes` gives 1440 for it and ``f"{t:%H:%M}"`` renders ``24:00``.
Combine it with a date through :func:`minutes` (the next midnight), never ``datetime.combine``."""

_END_TEXT = ("24:00", "24:00:00")


def _clock_only(value: object) -> object:
    value = _quoted_time(value)
    if (isinstance(value, str) and value.strip() in _END_TEXT) or (isinstance(value, dt.time) and value == dt.time.max):
        raise ValueError(
            "24:00 (the end of the day) is allowed only as a closing time (calendar.hours.<day>.closes, a "
            "closure's to_time, a shift's end); an opening or start time is 00:00-23:59"
        )
    return value


def _end_clock(value: object) -> object:
    value = _quoted_time(value)
    if isinstance(value, str) and value.strip().startswith("24:"):
        if value.strip() not in _END_TEXT:
            raise ValueError(f"expected a time 00:00-23:59 or 24:00 (the end of the day), got {value.strip()!r}")
        return dt.time.max
    return value


def _as_end_of_day(t: dt.time) -> dt.time:
    return END_OF_DAY if t == dt.time.max else t


def _dump_end_of_day(t: dt.time, handler: object, _info: object) -> object:
    return "24:00:00" if t == dt.time.max else handler(t)  # type: ignore[operator]


Clock = Annotated[dt.time, BeforeValidator(_clock_only), AfterValidator(_local_time)]
"""A local clock time ``"HH:MM"`` from 00:00 to 23:59 (numbers, time zones and 24:00 are refused)."""
EndClock = Annotated[
    dt.time, BeforeValidator(_end_clock), AfterValidator(_local_time), AfterValidator(_as_end_of_day),
    WrapSerializer(_dump_end_of_day, when_used="json"),
]
"""A closing clock time: ``"HH:MM"`` or ``"24:00"`` (:data:`END_OF_DAY`, written back as ``"24:00:00"``)."""
Day = Annotated[dt.date, BeforeValidator(_quoted_date)]
"""A date ``"YYYY-MM-DD"`` (numbers, which pydantic reads as Unix timestamps, are refused)."""

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Probability = Annotated[Float, Field(ge=0.0, le=1.0)]
AGENT_DECIMALS = 2
"""A staffing table's agent count is kept to this many decimals (0.01 agent: 18 s of a 30-minute interval)."""


def _agent_level(value: float) -> int | float:
    """A whole count stays an ``int`` (integer tables are exactly what they were); a fraction is
    rounded to :data:`AGENT_DECIMALS` decimals."""
    v = round(float(value), AGENT_DECIMALS)
    return int(v) if v.is_integer() else v


AgentCount = Annotated[Float, Field(ge=0, le=100_000), AfterValidator(_agent_level)]
"""Agents on the phones in one interval of a staffing table: a non-negative number. A fraction is a
time-average (5.4: five agents all interval and a sixth for its first 40 %; see
:func:`sim.world.staffing.regular_steps`)."""
DistName = Literal["exponential", "lognormal", "gamma", "deterministic", "empirical"]


class _Model(BaseModel):
    """Base: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def minutes(t: dt.time) -> int:
    """Minutes since midnight of a clock time (seconds are not allowed in schedules); 1440
    for :data:`END_OF_DAY` (24:00)."""
    return 24 * 60 if t == dt.time.max else t.hour * 60 + t.minute


def clock(m: int) -> dt.time:
    """The clock time ``m`` minutes after midnight, 0..1440 (1440: :data:`END_OF_DAY`)."""
    if not 0 <= m <= 24 * 60:
        raise ValueError(f"{m} minutes is not a clock time of one day (0..1440)")
    return END_OF_DAY if m == 24 * 60 else dt.time(m // 60, m % 60)


def hhmm(t: dt.time | int) -> str:
    """``"HH:MM"`` of a clock time or of minutes since midnight (``"24:00"`` for the end of the day)."""
    m = t if isinstance(t, int) else minutes(t)
    return f"{m // 60:02d}:{m % 60:02d}"


def _check_clock(key: str, t: dt.time) -> None:
    if t != dt.time.max and (t.second or t.microsecond):
        raise fail(key, f"{t} must be whole minutes (HH:MM)")


# --------------------------------------------------------------------------- distributions


MAX_DURATION_S = 1e8
"""Upper bound of every duration key in seconds (about 3 years): far beyond any call, case or
wait (a calibrated patience with almost no abandonment included), and small enough that the
records' timestamps (pandas nanoseconds, which end in the year 2262) hold the run's work;
draws are capped at :data:`MAX_DRAW_S`."""
MAX_DRAW_S = 1e9
"""Cap of a single drawn duration (about 32 years): only a huge mean near
:data:`MAX_DURATION_S` or its heavy tail (lognormal, cv up to 20) reaches it."""
MIN_CV = 1e-6
"""Smallest positive coefficient of variation (smaller ones are numerically 0: use a
deterministic distribution, or 0 where 0 is allowed)."""
Seconds = Annotated[Float, Field(ge=0.0, le=MAX_DURATION_S)]


class DistributionConfig(_Model):
    """A duration distribution given by its mean and coefficient of variation (seconds).

    ``exponential`` (cv is 1 by definition), ``lognormal`` and ``gamma`` (mean and cv),
    ``deterministic`` (cv 0) or ``empirical`` (resampled ``values``).
    """

    dist: DistName
    mean: Float | None = Field(default=None, ge=0.0, le=MAX_DURATION_S)
    cv: Float | None = Field(default=None, ge=MIN_CV, le=20.0)
    values: list[Seconds] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DistributionConfig:
        if self.dist == "empirical":
            if not self.values:
                raise fail("values", "an empirical distribution needs a non-empty list of values")
            if self.mean is not None or self.cv is not None:
                raise fail("mean", "an empirical distribution takes only 'values', not mean/cv")
            return self
        if self.values is not None:
            raise fail("values", f"'values' is only allowed with dist: empirical, not {self.dist}")
        if self.mean is None:
            raise fail("mean", f"dist {self.dist} needs a mean (seconds, >= 0)")
        if self.dist in ("lognormal", "gamma") and self.cv is None:
            raise fail("cv", f"dist {self.dist} needs a cv (coefficient of variation, > 0)")
        if self.dist in ("exponential", "deterministic") and self.cv is not None:
            raise fail("cv", f"dist {self.dist} takes no cv (it is fixed); remove the key or set it to null")
        return self

    @property
    def mean_value(self) -> float:
        """The distribution's mean in seconds."""
        if self.dist == "empirical":
            assert self.values is not None
            return float(sum(self.values) / len(self.values))
        assert self.mean is not None
        return self.mean


class PatienceConfig(_Model):
    """How long a caller waits before abandoning; ``dist: infinite`` means nobody abandons."""

    dist: Literal["exponential", "lognormal", "gamma", "deterministic", "empirical", "infinite"]
    mean: Float | None = Field(default=None, gt=0.0, le=MAX_DURATION_S)
    cv: Float | None = Field(default=None, ge=MIN_CV, le=20.0)
    values: list[Seconds] | None = None
    balk_share: Float = Field(default=0.0, ge=0.0, lt=1.0)
    """Share of callers who, finding no free agent, hang up at once (balk) instead of queueing."""

    @model_validator(mode="after")
    def _consistent(self) -> PatienceConfig:
        if self.dist == "infinite":
            given = {k: v for k, v in (("mean", self.mean), ("cv", self.cv), ("values", self.values)) if v is not None}
            if given:
                shown = ", ".join(f"{k}={v}" for k, v in given.items())
                nulls = " ".join(f"patience.{k}=null" for k in given)
                raise fail("dist", f"dist infinite (nobody abandons) takes no mean, cv or values, got {shown}; set {nulls}")
            return self
        DistributionConfig(dist=self.dist, mean=self.mean, cv=self.cv, values=self.values)
        return self

    @property
    def infinite(self) -> bool:
        """True when callers never abandon."""
        return self.dist == "infinite"

    def as_distribution(self) -> DistributionConfig:
        """The finite patience distribution (not defined for ``infinite``)."""
        if self.infinite:
            raise ValueError("infinite patience has no distribution")
        return DistributionConfig(dist=self.dist, mean=self.mean, cv=self.cv, values=self.values)  # type: ignore[arg-type]

    @property
    def mean_value(self) -> float:
        """The mean patience in seconds of the callers who queue (balkers not included);
        ``inf`` when nobody abandons."""
        return math.inf if self.infinite else self.as_distribution().mean_value


# --------------------------------------------------------------------------- calendar


class HoursConfig(_Model):
    """Regular opening hours of one weekday; ``closes: "24:00"`` runs to midnight (with the next
    day opening at ``"00:00"`` the line stays open through the night)."""

    opens: Clock
    closes: EndClock

    @model_validator(mode="after")
    def _order(self) -> HoursConfig:
        _check_clock("opens", self.opens)
        _check_clock("closes", self.closes)
        if self.opens >= self.closes:
            raise fail("opens", f"opening {self.opens:%H:%M} must be before closing {self.closes:%H:%M}")
        return self


class ClosureConfig(_Model):
    """A dated closure window (training day, team activity): whole days, or a part of each day
    from ``from_time`` to ``to_time`` that starts at opening or ends at closing."""

    start: Day
    end: Day | None = None
    from_time: Clock | None = None
    to_time: EndClock | None = None
    reason: str = "closure"

    @model_validator(mode="after")
    def _order(self) -> ClosureConfig:
        if self.end is not None and self.end < self.start:
            raise fail("end", f"{self.end} is before start {self.start}")
        if (self.from_time is None) != (self.to_time is None):
            raise fail("from_time", "give both from_time and to_time, or neither (whole day)")
        if self.from_time is not None and self.to_time is not None:
            _check_clock("from_time", self.from_time)
            _check_clock("to_time", self.to_time)
            if self.from_time >= self.to_time:
                raise fail("from_time", f"{self.from_time} must be before to_time {self.to_time}")
        return self

    @property
    def last_day(self) -> dt.date:
        """The last date of the window (inclusive)."""
        return self.end or self.start


DEFAULT = "default"
"""The value of ``calendar.language``, ``closed_eves`` and ``early_close`` that takes the
country's default (:func:`country_defaults`); a missing key means the same."""
_EVE_YEARS = tuple(range(2015, 2041))  # the years whose holiday names closed_eves may use


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _holiday_class(country: str) -> type[holidays.HolidayBase]:
    cls = getattr(holidays, country, None) if country in _countries() else None
    if cls is None:
        raise fail(
            "country",
            f"{country!r} is not a country the holidays package knows; give its ISO 3166-1 alpha-2 code "
            "(SE, DE, US, GB, ...); list the valid codes with "
            "python -c \"import holidays; print(sorted(holidays.list_supported_countries()))\"",
        )
    return cls  # type: ignore[no-any-return]


def country_defaults(country: str) -> dict[str, object]:
    """``language``, ``closed_eves`` and ``early_close`` a calendar of ``country`` gets when
    they are missing or ``default``: Swedish the language and the eves Midsommarafton,
    Julafton and Nyårsafton closed with the 15:00 rule ("dag före röd dag") in SE; elsewhere
    the country's own language, no closed eves and no early closing (the rule is Swedish
    practice: set ``early_close`` to have it elsewhere)."""
    if country == "SE":
        return {"language": "sv", "closed_eves": ["Midsommarafton", "Julafton", "Nyårsafton"], "early_close": "15:00"}
    cls = getattr(holidays, country, None)
    return {"language": getattr(cls, "default_language", None), "closed_eves": [], "early_close": None}


def eve_categories(country: str) -> tuple[str, ...]:
    """The ``holidays`` categories of ``country`` besides ``public`` (``de_facto`` first)."""
    cats = [c for c in getattr(holidays, country).supported_categories if c != "public"]
    return tuple(sorted(cats, key=lambda c: c != "de_facto"))


@lru_cache(maxsize=64)
def eve_names(country: str, subdiv: str | None) -> tuple[str, ...]:
    """Names (in the country's own language) of the days the ``holidays`` package lists for
    ``country`` outside its public holidays (SE: the ``de_facto`` eves, ``bank`` and
    ``optional`` days; US: ``half_day``, ``unofficial``...): what ``closed_eves`` may name."""
    cls = getattr(holidays, country)
    cats = eve_categories(country)
    if not cats:
        return ()
    lang = cls.default_language
    public = {n for v in cls(years=_EVE_YEARS, subdiv=subdiv, language=lang).values() for n in v.split("; ")}
    other = {n for v in cls(years=_EVE_YEARS, subdiv=subdiv, language=lang, categories=cats).values() for n in v.split("; ")}
    return tuple(sorted(other - public))


def _alternatives(values: list[str] | tuple[str, ...]) -> str:
    quoted = [repr(v) for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


class CalendarConfig(_Model):
    """Opening hours, public holidays (any country of the ``holidays`` package, Sweden by
    default), closed eves and the early-closing rule (see :func:`country_defaults`)."""

    country: str = "SE"
    subdiv: str | None = None
    language: str
    hours: dict[Weekday, HoursConfig | None]
    closed_eves: list[str]
    early_close: Clock | None
    early_close_before: list[Literal["public_holidays", "closed_eves", "closures"]] = ["public_holidays", "closed_eves"]
    closures: list[ClosureConfig] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _country_defaults(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        country = data.get("country", "SE")
        if not isinstance(country, str):
            raise fail("country", f"expected a country code such as SE, DE or US, got {country!r}")
        _holiday_class(country)
        out = dict(data)
        for key, value in country_defaults(country).items():
            if out.get(key, DEFAULT) == DEFAULT:
                out[key] = value
        return out

    @model_validator(mode="after")
    def _complete(self) -> CalendarConfig:
        missing = [d for d in WEEKDAYS if d not in self.hours]
        if missing:
            raise fail(
                f"hours.{missing[0]}",
                "every weekday mon..sun needs an entry (opens/closes, or null when closed)",
            )
        if self.early_close is not None:
            _check_clock("early_close", self.early_close)
        cls = getattr(holidays, self.country)
        subdivs = list(cls.subdivisions) + list(getattr(cls, "subdivisions_aliases", {}))
        if self.subdiv is not None and self.subdiv not in subdivs:
            known = ", ".join(cls.subdivisions) or f"none: {self.country} has no subdivisions, leave it null"
            raise fail("subdiv", f"{self.subdiv!r} is not a subdivision of {self.country} in the holidays package (known: {known})")
        if self.language not in cls.supported_languages:
            raise fail(
                "language",
                f"{self.language!r} is not a language of the {self.country} holiday names; "
                f"expected {_alternatives([*sorted(cls.supported_languages), DEFAULT])} (default: the country's own)",
            )
        known_eves = eve_names(self.country, self.subdiv)
        for i, eve in enumerate(self.closed_eves):
            if eve not in known_eves:
                allowed = _alternatives(known_eves) if known_eves else f"none: {self.country} lists no days outside its public holidays"
                raise fail(
                    "closed_eves",
                    f"item {i} ({eve!r}) is not a day the holidays package lists for {self.country} outside its public holidays "
                    f"(names in its own language; allowed: {allowed})",
                )
        return self

    def hours_of(self, weekday: int) -> HoursConfig | None:
        """Regular hours for ``weekday`` (0 = Monday)."""
        return self.hours[WEEKDAYS[weekday]]  # type: ignore[index]


# --------------------------------------------------------------------------- demand


MAX_VOLUME = 1e8
"""Upper bound of ``demand.volume`` (calls per day or month); the run's total is bounded too
(:data:`sim.world.demand.MAX_CALLS`)."""
MAX_WEIGHT = 1e12
"""Upper bound of one profile weight (weights are relative; their sum must stay finite)."""


class DemandConfig(_Model):
    """Non-homogeneous Poisson demand: profile × weekday factor × volume.

    ``profile`` maps ``all`` or a weekday to relative weights of consecutive intervals of
    ``interval_min`` minutes starting at ``profile_start`` (they need not sum to 1). A
    planner's CSV of historic interval counts can be given as ``profile_file`` instead; the
    loader reads it into ``profile``.
    """

    interval_min: Literal[15, 30, 60] = 30
    volume: Float = Field(ge=0.0, le=MAX_VOLUME)
    volume_per: Literal["day", "month"] = "day"
    weekday_factor: dict[Weekday, Annotated[Float, Field(ge=0.0, le=1000.0)]]
    profile_start: Clock = dt.time(8, 0)
    profile: dict[Literal["all", "mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                  list[Annotated[Float, Field(ge=0.0, le=MAX_WEIGHT)]]] | None = None
    profile_file: str | None = None
    day_cv: Float = Field(default=0.0, ge=0.0, le=5.0)
    """Coefficient of variation of the day's volume: 0 (none) or MIN_CV..5."""
    arrival_counts: Literal["poisson", "expected"] = "poisson"
    """``expected``: each interval gets exactly its expected calls (rounded), at uniform times --
    a replay of observed counts (the calibration's back-test), not a forecast."""
    closed_day_factor: Float = Field(default=0.25, ge=0.0, le=5.0)
    displaced_share: Probability = 0.5
    displaced_intervals: Int = Field(default=2, ge=1, le=32)

    @model_validator(mode="after")
    def _profile(self) -> DemandConfig:
        missing = [d for d in WEEKDAYS if d not in self.weekday_factor]
        if missing:
            raise fail(f"weekday_factor.{missing[0]}", "every weekday mon..sun needs a factor >= 0")
        if 0.0 < self.day_cv < MIN_CV:
            raise fail("day_cv", f"{self.day_cv:g} is too small to vary anything; allowed: 0 (no day-to-day variation) or {MIN_CV:g} to 5")
        if (self.profile is None) == (self.profile_file is None):
            raise fail("profile", "give exactly one of 'profile' (weights) or 'profile_file' (CSV)")
        _check_clock("profile_start", self.profile_start)
        if minutes(self.profile_start) % self.interval_min:
            raise fail("profile_start", f"{self.profile_start:%H:%M} is not on the {self.interval_min}-minute grid")
        for day, weights in (self.profile or {}).items():
            end = minutes(self.profile_start) + len(weights) * self.interval_min
            if not weights or end > 24 * 60:
                most = (24 * 60 - minutes(self.profile_start)) // self.interval_min
                raise fail(f"profile.{day}", f"needs 1..{most} weights, got {len(weights)}")
            if sum(weights) <= 0:
                raise fail(f"profile.{day}", "weights must not all be zero")
        return self

    def weights_for(self, weekday: int) -> list[float]:
        """Interval weights of ``weekday`` (0 = Monday), falling back to ``all``."""
        assert self.profile is not None
        return self.profile.get(WEEKDAYS[weekday], self.profile.get("all", []))  # type: ignore[call-overload]


# --------------------------------------------------------------------------- handling


HandleFactor = Annotated[Float, Field(gt=0.0, le=20.0)]


class HandlingConfig(_Model):
    """Handle time = talk + hold + after-call work (wrap); share of handled calls logged.

    ``by_interval`` (optional): the handle time's time-of-day profile, ``{"HH:MM": factor}``.
    A call's talk, hold and wrap draws are multiplied by the factor of the interval it arrives
    in: the factor of the latest listed time at or before the interval's start (1 before the
    first listed time). ``None`` (the default) leaves every draw as it is. ``profile_file``
    (CSV ``interval_start,factor``) is read into ``by_interval`` by the scenario loader.
    """

    talk: DistributionConfig
    hold: DistributionConfig
    wrap: DistributionConfig
    logging_share: Probability = 0.95
    by_interval: dict[Clock, HandleFactor] | None = None
    profile_file: str | None = None

    @model_validator(mode="after")
    def _positive(self) -> HandlingConfig:
        if self.talk.mean_value <= 0:
            raise fail("talk.mean", f"talk time must have a mean > 0 s, got {self.talk.mean_value}")
        if self.profile_file is not None:
            raise fail("profile_file", "the CSV is read into handling.by_interval by the scenario loader (sim.load_scenario, "
                       "python -m sim); a scenario validated directly takes by_interval")
        if self.by_interval is not None:
            for t in self.by_interval:
                _check_clock(f"by_interval.{t:%H:%M}", t)
            if not self.by_interval:
                raise fail("by_interval", "give at least one {\"HH:MM\": factor} entry, or null for no time-of-day profile")
        return self

    @property
    def mean_handle_s(self) -> float:
        """Mean handle time (talk + hold + wrap) in seconds, at factor 1."""
        return self.talk.mean_value + self.hold.mean_value + self.wrap.mean_value

    def factor_at(self, minute: int) -> float:
        """The ``by_interval`` factor of an interval starting ``minute`` minutes after midnight."""
        if not self.by_interval:
            return 1.0
        f = 1.0
        for t, v in sorted(self.by_interval.items()):
            if minutes(t) > minute:
                break
            f = v
        return f

    def day_factors(self, step: int) -> list[float] | None:
        """The factor of each ``step``-minute interval of the day (None: no profile)."""
        if self.by_interval is None:
            return None
        return [self.factor_at(m) for m in range(0, 24 * 60, step)]


# --------------------------------------------------------------------------- staffing


class ShiftBreakConfig(_Model):
    """A break (lunch or a short break) of ``minutes`` from ``start``: the agent is off the
    phones; one busy when it starts finishes the call in hand first."""

    start: Clock
    minutes: Int = Field(gt=0, le=600)


class ShiftConfig(_Model):
    """``count`` agents working from ``start`` to ``end`` on the given weekdays, with breaks."""

    start: Clock
    end: EndClock
    count: Int = Field(ge=0, le=100_000)
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]  # pydantic copies a mutable default
    breaks: list[ShiftBreakConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _order(self) -> ShiftConfig:
        _check_clock("start", self.start)
        _check_clock("end", self.end)
        if self.start >= self.end:
            raise fail("start", f"shift start {self.start:%H:%M} must be before end {self.end:%H:%M}")
        last = minutes(self.start)
        for k, b in enumerate(sorted(self.breaks, key=lambda b: b.start)):
            _check_clock(f"breaks.{k}.start", b.start)
            b0 = minutes(b.start)
            if b0 < last or b0 + b.minutes > minutes(self.end):
                raise fail(f"breaks.{k}", f"the break at {b.start:%H:%M} ({b.minutes} min) must lie inside the shift "
                           f"{self.start:%H:%M}-{self.end:%H:%M} and not overlap another break")
            last = b0 + b.minutes
        return self


class BreakRuleConfig(_Model):
    """A break in a shift template: ``minutes`` long, starting between ``earliest_h`` and
    ``latest_h`` hours after the shift start, in shifts of at least ``min_shift_h`` hours."""

    minutes: Int = Field(gt=0, le=240)
    earliest_h: Float = Field(ge=0.0, le=24.0)
    latest_h: Float = Field(ge=0.0, le=24.0)
    min_shift_h: Float = Field(default=0.0, ge=0.0, le=24.0)
    paid: bool = True

    @model_validator(mode="after")
    def _window(self) -> BreakRuleConfig:
        if self.latest_h < self.earliest_h:
            raise fail("latest_h", f"{self.latest_h:g} h is before earliest_h {self.earliest_h:g} h")
        return self


class LunchConfig(BreakRuleConfig):
    """The lunch: a break that is unpaid unless ``paid: true``."""

    paid: bool = False


class RosterLimitsConfig(_Model):
    """Per-weekday limits of a roster: agents working that day, share of part-time shifts."""

    max_agents: Int | None = Field(default=None, ge=0, le=100_000)
    part_time_share: Probability | None = None


class RosterConfig(_Model):
    """Shift templates for ``python -m sim.staff``'s rostering: allowed starts (every
    ``start_step_min`` from ``start_earliest`` to ``start_latest``), lengths in hours, a lunch
    and short breaks (placed on a grid of ``slot_min`` minutes, at least ``break_gap_min``
    minutes from the end of one to the start of the next), shifts shorter than
    ``part_time_below_h`` count as part-time, and per-weekday ``limits`` (key ``all`` as
    fallback). Shifts lie inside the day's opening hours."""

    slot_min: Literal[5, 10, 15, 30, 60] = 15
    start_earliest: Clock = dt.time(8, 0)
    start_latest: Clock = dt.time(13, 0)
    start_step_min: Int | None = Field(default=None, gt=0, le=1440)
    """Minutes between allowed shift starts; None: every 30 minutes or every interval when the
    intervals are longer (the least multiple of both, see :meth:`start_step`)."""
    lengths_h: list[Annotated[Float, Field(gt=0.0, le=24.0)]] = Field(default_factory=lambda: [4.0, 5.0, 6.0, 7.0, 8.0, 9.0], min_length=1)
    lunch: LunchConfig | None = None
    breaks: list[BreakRuleConfig] = Field(default_factory=list)
    break_gap_min: Int = Field(default=60, ge=0, le=600)
    """Fewest minutes between the end of an agent's break (or lunch) and the start of the next."""
    part_time_below_h: Float = Field(default=6.0, ge=0.0, le=24.0)
    limits: dict[Literal["all", "mon", "tue", "wed", "thu", "fri", "sat", "sun"], RosterLimitsConfig] = Field(default_factory=dict)
    time_limit_s: Float = Field(default=60.0, gt=0.0, le=3600.0)

    @model_validator(mode="after")
    def _templates(self) -> RosterConfig:
        _check_clock("start_earliest", self.start_earliest)
        _check_clock("start_latest", self.start_latest)
        if self.start_latest < self.start_earliest:
            raise fail("start_latest", f"{self.start_latest:%H:%M} is before start_earliest {self.start_earliest:%H:%M}")
        if self.start_step_min is not None and self.start_step_min % self.slot_min:
            raise fail("start_step_min", f"{self.start_step_min} is not a multiple of slot_min ({self.slot_min} minutes)")
        for i, h in enumerate(self.lengths_h):
            if abs(h * 60 - round(h * 60)) > 1e-9 or round(h * 60) % self.slot_min:
                raise fail(f"lengths_h.{i}", f"{h:g} h is not on the {self.slot_min}-minute grid (roster.slot_min)")
        for key, r in self.rules():
            for name in ("earliest_h", "latest_h", "min_shift_h"):
                v = getattr(r, name) * 60
                if abs(v - round(v)) > 1e-9 or round(v) % self.slot_min:
                    raise fail(f"{key}.{name}", f"{getattr(r, name):g} h is not on the {self.slot_min}-minute grid (roster.slot_min)")
            if r.minutes % self.slot_min:
                raise fail(f"{key}.minutes", f"{r.minutes} is not a multiple of slot_min ({self.slot_min} minutes)")
            fits = [h for h in self.lengths_h if h >= r.min_shift_h]
            if fits and r.latest_h + r.minutes / 60 > min(fits) + 1e-9:
                raise fail(f"{key}.latest_h", f"the window ({r.earliest_h:g}-{r.latest_h:g} h after the start, {r.minutes} min) "
                           f"lies outside the shortest shift it applies to ({min(fits):g} h, min_shift_h {r.min_shift_h:g}); "
                           "lower latest_h or raise min_shift_h")
        self._check_order()
        return self

    def start_step(self, interval_min: int) -> int:
        """Minutes between allowed shift starts on a grid of ``interval_min``-minute intervals."""
        return self.start_step_min if self.start_step_min is not None else math.lcm(30, interval_min)

    def rules(self) -> list[tuple[str, BreakRuleConfig]]:
        """(key, rule) of the lunch and the breaks, in the order of their windows."""
        out: list[tuple[str, BreakRuleConfig]] = [(f"breaks.{i}", b) for i, b in enumerate(self.breaks)]
        if self.lunch is not None:
            out.append(("lunch", self.lunch))
        return sorted(out, key=lambda kr: kr[1].earliest_h)

    def _check_order(self) -> None:
        for h in self.lengths_h:
            rules = [(k, r) for k, r in self.rules() if h >= r.min_shift_h]
            for (k1, r1), (k2, r2) in zip(rules, rules[1:], strict=False):
                if r1.latest_h + r1.minutes / 60 > r2.earliest_h + 1e-9:
                    raise fail(k1, f"its window ({r1.earliest_h:g}-{r1.latest_h:g} h, {r1.minutes} min) overlaps the window of "
                               f"{k2} ({r2.earliest_h:g}-{r2.latest_h:g} h) in {h:g}-hour shifts; break windows must follow "
                               "each other without overlapping")
                if 60 * r1.earliest_h + r1.minutes + self.break_gap_min > 60 * r2.latest_h + 1e-9:
                    raise fail("break_gap_min", f"{self.break_gap_min} minutes cannot lie between {k1} ({r1.earliest_h:g}-"
                               f"{r1.latest_h:g} h after the start, {r1.minutes} min) and {k2} ({r2.earliest_h:g}-{r2.latest_h:g} h) "
                               f"in {h:g}-hour shifts, even at their earliest and latest; lower break_gap_min or widen the windows")

    def limits_of(self, weekday: str) -> RosterLimitsConfig:
        """The limits of ``weekday``, falling back to ``all``."""
        return self.limits.get(weekday, self.limits.get("all", RosterLimitsConfig()))  # type: ignore[call-overload]


class StaffConfig(_Model):
    """Settings of ``python -m sim.staff`` (ignored by the other commands): the simulation
    search (``replications`` per evaluation, one-sided ``confidence`` per interval,
    ``max_rounds``), the fresh-seed check of every table (``verify_replications``), and the
    rostering loop (``roster``: on/off, ``roster_from``: the requirement, ``roster_rounds``)."""

    search: bool = True
    replications: Int = Field(default=10, ge=2, le=10_000)
    confidence: float = Field(default=0.9, ge=0.5, lt=1.0)
    max_rounds: Int = Field(default=40, ge=1, le=1000)
    seed: Int = Field(default=1, ge=0)
    verify_replications: Int = Field(default=20, ge=2, le=100_000)
    verify_seed: Int = Field(default=20_261_231, ge=0)
    roster: bool = True
    roster_from: Literal["erlang_a", "simulation"] = "simulation"
    roster_rounds: Int = Field(default=4, ge=1, le=100)
    workers: Int | None = Field(default=None, ge=1, le=1024)
    out_dir: str = "outputs/staff"


class StaffingConfig(_Model):
    """Agents on duty: ``constant`` (same on every open interval), ``table`` (per weekday,
    one count per interval of the opening hours, key ``all`` as fallback) or ``shifts``."""

    mode: Literal["constant", "table", "shifts"]
    agents: Int | None = Field(default=None, ge=0, le=100_000)
    table: dict[Literal["all", "mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[AgentCount]] | None = None
    shifts: list[ShiftConfig] | None = None
    table_file: str | None = None  # CSV weekday,interval_start,agents; read into ``table`` by the loader

    @model_validator(mode="after")
    def _mode(self) -> StaffingConfig:
        given = {"constant": self.agents, "table": self.table, "shifts": self.shifts}
        keys = {"constant": "agents", "table": "table", "shifts": "shifts"}
        what = {
            "constant": "'agents' (agents on every open interval, 0..100000)",
            "table": "'table' (agents per interval, per weekday or 'all') or 'table_file' (a CSV weekday,interval_start,agents)",
            "shifts": "'shifts' (a list of {start, end, count, days})",
        }
        if given[self.mode] is None:
            raise fail(keys[self.mode], f"mode {self.mode} needs {what[self.mode]}")
        for other, value in given.items():
            if other != self.mode and value is not None:
                key = keys[other]
                raise fail(key, f"'{key}' is set but mode is {self.mode}; set staffing.{key}=null or staffing.mode={other}")
        return self


# --------------------------------------------------------------------------- callbacks, transfers, repeats

FIRST_LINE = "first_line"


class CaseTypeConfig(_Model):
    """A kind of call: its share of arrivals and the group that must finish it (if any)."""

    share: Probability
    transfer_to: str | None = None


class TransferConfig(_Model):
    """Calls whose case type names ``transfer_to`` are handed to another agent group.

    ``warm``: after ``first_talk`` the first agent phones a colleague in the target group
    (queueing there in the customer's original queue position) while the customer holds;
    when the colleague answers, both talk for ``handover``, then the first agent does
    ``first_wrap``. No colleague within ``consult_limit_s`` (or a customer who prefers it,
    ``prefer_callback_share``) → a case is created for a later callback instead
    (``transfer_fallback_case``). ``blind``: the customer is put in the target group's queue
    (original queue position, patience ``blind_patience``) and the first agent is released.
    """

    policy: Literal["off", "warm", "blind"] = "off"
    groups: dict[str, StaffingConfig] = Field(default_factory=dict)
    case_types: dict[str, CaseTypeConfig] = Field(default_factory=lambda: {"general": CaseTypeConfig(share=1.0)})
    first_talk: DistributionConfig = Field(default_factory=lambda: DistributionConfig(dist="lognormal", mean=90.0, cv=0.6))
    handover: DistributionConfig = Field(default_factory=lambda: DistributionConfig(dist="deterministic", mean=30.0))
    first_wrap: DistributionConfig = Field(default_factory=lambda: DistributionConfig(dist="deterministic", mean=30.0))
    consult_limit_s: Float = Field(default=120.0, gt=0.0, le=MAX_DURATION_S)
    prefer_callback_share: Probability = 0.1
    blind_patience: PatienceConfig = Field(default_factory=lambda: PatienceConfig(dist="exponential", mean=180.0))

    @model_validator(mode="after")
    def _routes(self) -> TransferConfig:
        if FIRST_LINE in self.groups:
            raise fail(f"groups.{FIRST_LINE}", "the first line is staffed by the top-level 'staffing' key")
        if self.blind_patience.balk_share:
            raise fail("blind_patience.balk_share", "balking applies to callers arriving at the first line only (patience.balk_share)")
        total = sum(c.share for c in self.case_types.values())
        if abs(total - 1.0) > 1e-9:
            raise fail("case_types", f"shares must add up to 1, got {total:g}")
        for name, c in self.case_types.items():
            if c.transfer_to is not None and c.transfer_to not in self.groups:
                allowed = ", ".join(self.groups) or "none defined"
                raise fail(
                    f"case_types.{name}.transfer_to",
                    f"unknown group {c.transfer_to!r}; groups: {allowed} (define it under transfers.groups)",
                )
        return self


class CallbackConfig(_Model):
    """Virtual queue: a queued caller may hang up and keep their place for a callback."""

    enabled: bool = False
    trigger: Literal["on_arrival", "after_wait"] = "on_arrival"
    threshold_s: Float = Field(default=120.0, ge=0.0, le=MAX_DURATION_S)
    accept_share: Probability = 0.3
    promise_window_s: Float = Field(default=3600.0, gt=0.0, le=MAX_DURATION_S)
    ring_s: Float = Field(default=20.0, ge=0.0, le=MAX_DURATION_S)
    answer_probability: Probability = 0.8
    retry_gap_s: Float = Field(default=600.0, ge=0.0, le=MAX_DURATION_S)
    max_attempts: Int = Field(default=3, ge=1, le=20)
    failed_attempt_s: Float = Field(default=30.0, ge=0.0, le=MAX_DURATION_S)
    pending_at_close: Literal["serve", "next_opening"] = "serve"
    kpi_convention: Literal["answered_when_made", "answered_at_request", "not_answered"] = "answered_when_made"


class RepeatConfig(_Model):
    """Callers who abandon (or whose callback failed) call again after a delay."""

    enabled: bool = False
    probability: Probability = 0.4
    delay: DistributionConfig = Field(default_factory=lambda: DistributionConfig(dist="exponential", mean=1200.0))
    max_attempts: Int = Field(default=3, ge=2, le=20)



class ResolutionConfig(_Model):
    """Failure demand: an answered call resolves the customer's matter with probability ``fcr``
    (first-contact resolution; one share, or a share per case type of ``transfers.case_types``);
    an unresolved customer contacts again after ``delay_days`` working days (a distribution whose
    ``mean`` is in working days), up to ``max_contacts`` answered contacts per matter: by phone,
    or with probability ``case_share`` in writing (e-mail/web) as a case of kind ``case_kind``
    (None: drawn by the shares of ``cases.kinds``) for the case work, which must be on. The
    default ``fcr: 1.0`` is off (every answered call resolves its matter)."""

    fcr: Probability | dict[str, Probability] = 1.0
    delay_days: DistributionConfig = Field(default_factory=lambda: DistributionConfig(dist="exponential", mean=2.0))
    max_contacts: Int = Field(default=3, ge=2, le=20)
    case_share: Probability = 0.0
    case_kind: str | None = None

    @field_validator("fcr", mode="before")
    @classmethod
    def _share_or_shares(cls, value: object) -> object:
        def share(x: object) -> bool:
            return isinstance(x, int | float) and not isinstance(x, bool) and 0.0 <= x <= 1.0

        allowed = "a share from 0 to 1 for every answered call (fcr: 0.7) or one per case type (fcr: {general: 0.7})"
        if isinstance(value, dict):
            for name, x in value.items():
                if not share(x):
                    raise ValueError(f"case type {name!r} has {x!r}; allowed: {allowed}")
        elif not share(value):
            raise ValueError(f"got {value!r}; allowed: {allowed}")
        return value

    @property
    def enabled(self) -> bool:
        """Whether some answered call may leave its matter unresolved."""
        shares = self.fcr.values() if isinstance(self.fcr, dict) else [self.fcr]
        return any(share < 1.0 for share in shares)

    def share_of(self, case_type: str) -> float:
        """The first-contact resolution of ``case_type`` (1.0 for a type the mapping omits)."""
        return self.fcr.get(case_type, 1.0) if isinstance(self.fcr, dict) else self.fcr


# --------------------------------------------------------------------------- cases

PHONE_CASE_SOURCES: tuple[str, ...] = ("callback_failed_case", "transfer_fallback_case")


def _check_shares(key: str, shares: dict[str, float]) -> None:
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-9:
        raise fail(key, f"shares must add up to 1, got {total:g}")


class CaseKindConfig(_Model):
    """A kind of case (fault report, other case/order): its share of channel cases and the
    agent time it takes (seconds). Its target in working hours is ``targets.case_hours``."""

    share: Probability
    handle: DistributionConfig


class CaseChannelConfig(_Model):
    """A case channel (e-mail, web form, social media): expected cases per day ``volume`` ×
    ``weekday_factor`` (× ``red_day_factor`` on red days), spread over the 24 hours of the day
    by ``profile`` (24 relative weights, 00:00-01:00 first); ``kinds`` optionally gives the
    channel's own mix of kinds (default: the shares in ``cases.kinds``)."""

    volume: Float = Field(ge=0.0, le=1e6)
    weekday_factor: dict[Weekday, Annotated[Float, Field(ge=0.0, le=100.0)]]
    red_day_factor: Float = Field(default=1.0, ge=0.0, le=100.0)
    profile: list[Annotated[Float, Field(ge=0.0)]]
    kinds: dict[str, Probability] | None = None

    @model_validator(mode="after")
    def _complete(self) -> CaseChannelConfig:
        missing = [d for d in WEEKDAYS if d not in self.weekday_factor]
        if missing:
            raise fail(f"weekday_factor.{missing[0]}", "every weekday mon..sun needs a factor >= 0")
        if len(self.profile) != 24:
            raise fail("profile", f"needs exactly 24 hourly weights (00:00-01:00 first), got {len(self.profile)}")
        if sum(self.profile) <= 0:
            raise fail("profile", "weights must not all be zero")
        if self.kinds is not None:
            _check_shares("kinds", self.kinds)
        return self


class PhoneCaseConfig(_Model):
    """A case the phone model creates (a callback never reached, a transfer that fell back to
    a case): its kind and the agent time to work it (a callback case includes the call out)."""

    kind: str
    handle: DistributionConfig


class CasesConfig(_Model):
    """Case work: e-mail, web and social-media cases and the phone-created cases, one backlog,
    worked in working hours by the first-line agents (``blend``) and/or a ``dedicated`` team.

    Blended agents take a case only when no caller is waiting and at least ``reserve`` agents
    of the group stay free (the threshold policy of Bhulai and Koole 2003); a case in hand is
    finished before the next call. ``order``: ``earliest_due`` or ``fifo``. Working hours are
    ``office_hours`` per weekday (null: the phone hours); ``early_close_scope`` says whether the
    15:00 rule closes only the ``phones`` (agents go on with cases until the normal closing)
    or the whole ``office``.
    """

    enabled: bool = False
    channels: dict[str, CaseChannelConfig] = Field(default_factory=dict)
    kinds: dict[str, CaseKindConfig] = Field(default_factory=dict)
    phone_cases: dict[Literal["callback_failed_case", "transfer_fallback_case"], PhoneCaseConfig] = Field(default_factory=dict)
    office_hours: dict[Weekday, HoursConfig | None] | None = None
    early_close_scope: Literal["phones", "office"] = "phones"
    blend: bool = True
    reserve: Int = Field(default=0, ge=0, le=100_000)
    order: Literal["earliest_due", "fifo"] = "earliest_due"
    dedicated: StaffingConfig | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CasesConfig:
        if self.office_hours is not None:
            missing = [d for d in WEEKDAYS if d not in self.office_hours]
            if missing:
                raise fail(f"office_hours.{missing[0]}", "every weekday mon..sun needs an entry (opens/closes, or null when closed)")
        if not self.enabled:
            return self
        if not self.kinds:
            raise fail("kinds", "cases are on but no case kinds are defined (e.g. fault_report, case_order)")
        _check_shares("kinds", {k: v.share for k, v in self.kinds.items()})
        known = ", ".join(self.kinds)
        for name, ch in self.channels.items():
            for kind in ch.kinds or {}:
                if kind not in self.kinds:
                    raise fail(f"channels.{name}.kinds.{kind}", f"unknown case kind; kinds: {known}")
        for src in PHONE_CASE_SOURCES:
            if src not in self.phone_cases:
                raise fail(f"phone_cases.{src}", f"cases are on, so the phone model's {src} needs a kind and a handle time")
            if self.phone_cases[src].kind not in self.kinds:  # type: ignore[index]
                raise fail(f"phone_cases.{src}.kind", f"unknown case kind {self.phone_cases[src].kind!r}; kinds: {known}")  # type: ignore[index]
        if not self.blend and self.dedicated is None:
            raise fail("blend", "with blend false nobody works the cases: set cases.blend=true or give cases.dedicated a staffing")
        return self


# --------------------------------------------------------------------------- targets & run


class TargetsConfig(_Model):
    """The service agreement's targets: incoming calls (strict inequalities) and cases
    (``case_hours``: limit in working hours per case kind, agreement 4.2; ``case_share_min``:
    the share of cases that must be handled within it, a setting the agreement leaves open)."""

    availability_min: Probability = 0.91
    service_level_min: Probability = 0.90
    threshold_s: Float = Field(default=90.0, gt=0.0)
    asa_max_s: Float = Field(default=90.0, gt=0.0)
    aht_max_s: Float = Field(default=350.0, gt=0.0)
    logging_min: Probability = 0.90
    case_hours: dict[str, Annotated[Float, Field(gt=0.0, le=2000.0)]] = Field(
        default_factory=lambda: {"fault_report": 4.0, "case_order": 8.0}
    )
    case_share_min: Probability = 0.90


class RunConfig(_Model):
    """Date range (inclusive) and seed of a run."""

    start: Day
    end: Day
    seed: Int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _range(self) -> RunConfig:
        if self.end < self.start:
            raise fail("end", f"{self.end} is before start {self.start}")
        try:
            last = self.start.replace(year=self.start.year + 3) - dt.timedelta(days=1)
        except ValueError:  # 29 February: three years later there is none
            last = self.start.replace(year=self.start.year + 3, day=28)
        if self.end > last:
            raise fail("end", f"a run covers at most three years: from {self.start} the last day is {last} (got {self.end})")
        return self


class SweepConfig(_Model):
    """A staffing sweep: ``add`` k agents to every open interval, or ``multiply`` by m."""

    mode: Literal["add", "multiply"] = "add"
    levels: list[Float] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels(self) -> SweepConfig:
        if self.mode == "multiply" and any(v < 0 for v in self.levels):
            raise fail("levels", "multipliers must be >= 0")
        if self.mode == "add" and any(v != int(v) for v in self.levels):
            raise fail("levels", "with mode add the levels are whole numbers of agents")
        return self


PRACTICAL: dict[str, float] = {
    "availability": 0.005, "service_level": 0.005, "logging_share": 0.005, "abandon_share": 0.005,
    "asa_s": 2.0, "mean_wait_all_s": 2.0, "aht_s": 2.0,
}
"""Default ``montecarlo.practical``: the smallest paired difference that matters in practice
(shares 0.5 percentage points, times 2 s); a smaller one is "no practical difference"."""

# The KPIs a practical threshold may be given for (PRACTICAL_KPIS) and those a precision goal may
# name (PRECISION_KPIS) are marked in the KPI catalogue, sim/catalogue.py.


class MonteCarloConfig(_Model):
    """Replications (``python -m sim.mc``): how many, where, and where results go."""

    replications: Int = Field(default=20, ge=1, le=100_000)
    workers: Int | None = Field(default=None, ge=1, le=1024)
    scheduler: str | None = None
    keep_calls: bool = False
    conf: float = Field(default=0.95, gt=0.5, lt=1.0)
    precision: dict[str, Annotated[Float, Field(gt=0.0)]] | None = None
    practical: dict[str, Annotated[Float, Field(ge=0.0)]] = Field(default_factory=lambda: dict(PRACTICAL))
    max_replications: Int = Field(default=1000, ge=1, le=100_000)
    sweep: SweepConfig | None = None
    out_dir: str = "outputs/montecarlo"

    @model_validator(mode="after")
    def _precision(self) -> MonteCarloConfig:
        for kpi in self.precision or {}:
            if kpi not in PRECISION_KPIS:
                raise fail(f"precision.{kpi}", f"unknown KPI; allowed: {', '.join(sorted(PRECISION_KPIS))}")
        for kpi in self.practical:
            if kpi not in PRACTICAL_KPIS:
                raise fail(f"practical.{kpi}", f"unknown KPI; allowed: {', '.join(sorted(PRACTICAL_KPIS))}")
        if self.max_replications < self.replications:
            raise fail("max_replications", f"must be >= replications ({self.replications})")
        return self


class OutputConfig(_Model):
    """Extra copies of the tables a command writes: ``excel`` ``none`` (the CSVs only),
    ``xlsx`` (``tables.xlsx`` beside them) or ``sv`` (``excel_sv/``: ``;`` and decimal comma for
    Swedish Excel). See :mod:`sim.faces.excel`."""

    excel: Literal["none", "xlsx", "sv"] = "none"


# --------------------------------------------------------------------------- scenario


class Scenario(_Model):
    """The whole, validated scenario."""

    name: str = "default"
    description: str = ""
    calendar: CalendarConfig
    demand: DemandConfig
    handling: HandlingConfig
    patience: PatienceConfig
    staffing: StaffingConfig
    targets: TargetsConfig = Field(default_factory=TargetsConfig)
    run: RunConfig
    montecarlo: MonteCarloConfig = Field(default_factory=MonteCarloConfig)
    callbacks: CallbackConfig = Field(default_factory=CallbackConfig)
    transfers: TransferConfig = Field(default_factory=TransferConfig)
    repeats: RepeatConfig = Field(default_factory=RepeatConfig)
    resolution: ResolutionConfig = Field(default_factory=ResolutionConfig)
    roster: RosterConfig = Field(default_factory=RosterConfig)
    staff: StaffConfig = Field(default_factory=StaffConfig)
    cases: CasesConfig = Field(default_factory=CasesConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    schedule: ScheduleConfig = Field(default_factory=lambda: ScheduleConfig())
    capacity: CapacityConfig = Field(default_factory=lambda: CapacityConfig())

    @model_validator(mode="after")
    def _cross(self) -> Scenario:
        _check_roster_grid(self)
        _check_cases(self)
        _check_resolution(self)
        _check_handling_grid(self)
        for wd, name in enumerate(WEEKDAYS):
            hours = self.calendar.hours_of(wd)
            if hours is None:
                continue
            _check_profile_covers(self, wd, name, hours)
            _check_grid(self, name, hours)
            for key, st in self.staffing_by_group().items():
                _check_table(self, st, "staffing" if key == FIRST_LINE else f"transfers.groups.{key}", wd, name, hours)
        return self

    @property
    def features_on(self) -> bool:
        """Whether callbacks, transfers, repeat contacts or failure demand are switched on."""
        return self.callbacks.enabled or self.transfers.policy != "off" or self.repeats.enabled or self.resolution.enabled

    def staffing_by_group(self) -> dict[str, StaffingConfig]:
        """Staffing of every agent group, the first line first."""
        return {FIRST_LINE: self.staffing, **self.transfers.groups}


def _check_resolution(s: Scenario) -> None:
    fcr = s.resolution.fcr
    if isinstance(fcr, dict):
        for name in fcr:
            if name not in s.transfers.case_types:
                known = ", ".join(s.transfers.case_types)
                raise fail(f"resolution.fcr.{name}", f"unknown case type {name!r}; case types: {known} (transfers.case_types); "
                           "give one share for all calls (resolution.fcr: 0.7) or one per case type")
    r = s.resolution
    if r.case_share > 0 and not s.cases.enabled:
        raise fail("resolution.case_share", f"got {r.case_share:g}, but case work is off (cases.enabled false): an unresolved customer "
                   "can contact again as a case only when the cases are worked; use the group cases=on, or set "
                   "resolution.case_share=0 (every repeat contact by phone)")
    if r.case_kind is not None and s.cases.enabled and r.case_kind not in s.cases.kinds:
        raise fail("resolution.case_kind", f"unknown case kind {r.case_kind!r}; kinds: {', '.join(s.cases.kinds)} (cases.kinds), "
                   "or null: drawn by their shares")
    d = r.delay_days
    longest = max(d.values) if d.values else (d.mean or 0.0)
    if longest > 365:
        raise fail("resolution.delay_days.values" if d.values else "resolution.delay_days.mean",
                   f"the delay before an unresolved customer contacts again is in working days: at most 365, got {longest:g}")


def _check_cases(s: Scenario) -> None:
    c = s.cases
    if not c.enabled:
        return
    for kind in c.kinds:
        if kind not in s.targets.case_hours:
            have = ", ".join(s.targets.case_hours) or "none"
            raise fail(
                f"targets.case_hours.{kind}",
                f"case kind {kind!r} (cases.kinds) needs a target in working hours; targets given for: {have}",
            )
    if c.dedicated is not None and c.dedicated.mode == "table":
        office = c.office_hours or s.calendar.hours
        for wd, name in enumerate(WEEKDAYS):
            hours = office[name]  # type: ignore[index]
            if hours is not None:
                _check_table(s, c.dedicated, "cases.dedicated", wd, name, hours)


def _check_profile_covers(s: Scenario, wd: int, name: str, hours: HoursConfig) -> None:
    weights = s.demand.weights_for(wd)
    start = minutes(s.demand.profile_start)
    end = start + len(weights) * s.demand.interval_min
    if not weights or start > minutes(hours.opens) or end < minutes(hours.closes):
        covered = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}" if weights else "nothing"
        key = f"demand.profile.{name}" if s.demand.profile and name in s.demand.profile else "demand.profile.all"
        raise fail(
            key,
            f"the profile covers {covered} but calendar.hours.{name} is open "
            f"{hours.opens:%H:%M}-{hours.closes:%H:%M}; it must cover the opening hours",
        )


def _check_handling_grid(s: Scenario) -> None:
    step = s.demand.interval_min
    for t in s.handling.by_interval or {}:
        if minutes(t) % step:
            raise fail(f"handling.by_interval.{t:%H:%M}",
                       f"{t:%H:%M} is not on the {step}-minute interval grid (demand.interval_min); a factor holds for whole intervals")


def _check_grid(s: Scenario, name: str, hours: HoursConfig) -> None:
    step = s.demand.interval_min
    for key, t in (("opens", hours.opens), ("closes", hours.closes)):
        if minutes(t) % step:
            raise fail(f"calendar.hours.{name}.{key}", f"{t:%H:%M} is not on the {step}-minute interval grid (demand.interval_min)")


def _check_table(s: Scenario, st: StaffingConfig, prefix: str, wd: int, name: str, hours: HoursConfig) -> None:
    table = st.table
    if st.mode != "table" or table is None:
        return
    key = name if name in table else "all"
    if key not in table:
        raise fail(f"{prefix}.table.{name}", f"no staffing for {name} (open {hours.opens:%H:%M}-{hours.closes:%H:%M}) and no 'all' entry")
    need = (minutes(hours.closes) - minutes(hours.opens)) // s.demand.interval_min
    if len(table[key]) != need:  # type: ignore[index]
        raise fail(
            f"{prefix}.table.{key}",
            f"needs exactly {need} values (one per {s.demand.interval_min}-minute interval of "
            f"{hours.opens:%H:%M}-{hours.closes:%H:%M} on {name}), got {len(table[key])}",  # type: ignore[index]
        )


def _check_roster_grid(s: Scenario) -> None:
    r, step = s.roster, s.demand.interval_min
    if step % r.slot_min:
        raise fail("roster.slot_min", f"{r.slot_min} minutes does not divide the interval length demand.interval_min = {step}")
    for key, t in (("start_earliest", r.start_earliest), ("start_latest", r.start_latest)):
        if minutes(t) % step:
            raise fail(f"roster.{key}", f"{t:%H:%M} is not on the {step}-minute interval grid (demand.interval_min)")
    if r.start_step_min is not None and r.start_step_min % step:
        raise fail("roster.start_step_min", f"{r.start_step_min} is not a multiple of the interval length ({step} minutes, "
                   "demand.interval_min); set a multiple of it, or null for the default (every 30 minutes, or every interval "
                   "when the intervals are longer)")
    for i, h in enumerate(r.lengths_h):
        if round(h * 60) % step:
            raise fail(f"roster.lengths_h.{i}", f"{h:g} h is not on the {step}-minute interval grid (demand.interval_min); "
                       f"allowed lengths are multiples of {step} minutes")


# --------------------------------------------------------------------------- team and dated schedule

SKILLS: tuple[str, ...] = ("phones", "cases", "second_line")
Skill = Literal["phones", "cases", "second_line"]


class VacationConfig(_Model):
    """A vacation of an agent: every date from ``start`` to ``end`` (inclusive) off."""

    start: Day
    end: Day

    @model_validator(mode="after")
    def _order(self) -> VacationConfig:
        if self.end < self.start:
            raise fail("end", f"{self.end} is before start {self.start}")
        return self


def _phones_only() -> list[Skill]:
    return ["phones"]


class AgentConfig(_Model):
    """One person of the team: ``contract`` is the share of a ``schedule.week_h``-hour week
    (1.0 full time, 0.75, 0.5), ``skills`` the work they do (only ``phones`` agents cover the
    phone requirement), ``days_off`` fixed weekly days off, ``unavailable`` single dates,
    ``vacations`` date ranges, ``earliest_start``/``latest_end`` the limits of their shifts;
    soft wishes: ``prefers`` early or late shifts, ``preferred_days_off`` weekdays they would
    rather not work (``schedule.weights.preference`` per shift against a wish)."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    contract: Float = Field(gt=0.0, le=1.0)
    skills: list[Skill] = Field(default_factory=_phones_only)
    days_off: list[Weekday] = Field(default_factory=list)
    unavailable: list[Day] = Field(default_factory=list)
    vacations: list[VacationConfig] = Field(default_factory=list)
    earliest_start: Clock | None = None
    latest_end: EndClock | None = None
    prefers: Literal["early", "late"] | None = None
    preferred_days_off: list[Weekday] = Field(default_factory=list)

    @model_validator(mode="after")
    def _limits(self) -> AgentConfig:
        if self.earliest_start is not None and self.latest_end is not None and self.earliest_start >= self.latest_end:
            raise fail("earliest_start", f"{self.earliest_start:%H:%M} must be before latest_end {self.latest_end:%H:%M}")
        return self

    def off_on(self, day: dt.date) -> str | None:
        """Why the agent cannot work on ``day`` (vacation, unavailable, fixed day off), or None."""
        if any(v.start <= day <= v.end for v in self.vacations):
            return "vacation"
        if day in self.unavailable:
            return "unavailable"
        if WEEKDAYS[day.weekday()] in self.days_off:
            return "day off"
        return None


class TeamConfig(_Model):
    """The team: named agents with unique ids."""

    agents: list[AgentConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TeamConfig:
        seen: dict[str, int] = {}
        for i, a in enumerate(self.agents):
            if a.id in seen:
                raise fail(f"agents.{i}.id", f"duplicate id {a.id!r} (also agent {seen[a.id] + 1}); every agent needs its own id")
            seen[a.id] = i
        return self


class AbsenceConfig(_Model):
    """Paid time that is not on the phones: ``sick_share`` is the daily probability that a
    rostered agent is off sick (an assumption, 4.5 % of working time by default: see
    docs/schedule.md for the source), ``meetings_h_per_week`` team meetings per full-time
    week (taken off the hours an agent is rostered on the phones, pro rata of the contract).
    Training and team days are dated closures (``calendar.closures``)."""

    sick_share: Probability = 0.045
    meetings_h_per_week: Float = Field(default=1.0, ge=0.0, le=40.0)


class WorkRulesConfig(_Model):
    """Working-time rules (Arbetstidslagen, SFS 1982:673, unless an agreement says otherwise):
    ``daily_rest_h`` consecutive hours of rest in every 24 hours (§13), ``weekly_rest_h`` in
    every 7 days (§14; the 7-day periods are the weeks starting on ``week_starts``), at most
    ``max_work_without_break_h`` hours of work without a break
    (§15; ``rest_breaks``: which breaks count, ``unpaid`` ones (the rast) or ``all``), at most
    ``max_shifts_per_day`` shifts a day."""

    daily_rest_h: Float = Field(default=11.0, ge=0.0, le=24.0)
    weekly_rest_h: Float = Field(default=36.0, ge=0.0, le=72.0)
    week_starts: Weekday = "mon"
    max_work_without_break_h: Float = Field(default=5.0, gt=0.0, le=24.0)
    rest_breaks: Literal["unpaid", "all"] = "unpaid"
    max_shifts_per_day: Literal[1] = 1


class ScheduleWeightsConfig(_Model):
    """Weights of the dated roster's objective (a paid minute costs 1): a short agent-minute
    (``shortage``; 20 makes a short 15-minute slot cost 5 paid hours), an agent-hour under the
    contract's band (``hours``; above 60 so that meeting the contract beats saving paid time),
    one early or late shift of the agent with the most above the fewest (``fairness``), and a
    shift against an agent's wish (``preference``: a late shift for one who prefers early, an
    early one for one who prefers late, a shift on a preferred day off)."""

    shortage: Float = Field(default=20.0, ge=0.0)
    hours: Float = Field(default=200.0, ge=0.0)
    fairness: Float = Field(default=30.0, ge=0.0)
    preference: Float = Field(default=60.0, ge=0.0)


class ScheduleConfig(_Model):
    """Settings of ``python -m sim.schedule``: a dated roster for the named agents of
    ``team_file`` from ``start`` to ``end`` (default: the run's dates), covering the staffing
    table of each date's weekday (``requirement_file``: a CSV weekday,interval_start,agents,
    or the scenario's ``staffing.table``) clipped to the date's opening hours."""

    team_file: str = "team/team.yaml"
    start: Day | None = None
    end: Day | None = None
    requirement_file: str | None = None
    week_h: Float = Field(default=40.0, gt=0.0, le=80.0)
    hours_tolerance: Probability = 0.1
    early_before: Clock = dt.time(9, 0)
    late_after: EndClock = dt.time(16, 0)
    rules: WorkRulesConfig = Field(default_factory=WorkRulesConfig)
    absence: AbsenceConfig = Field(default_factory=AbsenceConfig)
    weights: ScheduleWeightsConfig = Field(default_factory=ScheduleWeightsConfig)
    dates_outside_period: Literal["error", "ignore"] = "error"
    extra_agents_max: Int = Field(default=10, ge=0, le=200)
    method: Literal["two_stage", "joint"] = "two_stage"
    time_limit_s: Float = Field(default=60.0, gt=0.0, le=3600.0)
    mip_rel_gap: Probability = 0.02
    swedish_csv: bool = False
    simulate_replications: Int = Field(default=20, ge=0, le=10_000)
    simulate_seed: Int = Field(default=1, ge=0)
    confidence: float = Field(default=0.9, ge=0.5, lt=1.0)
    repair_rounds: Int = Field(default=10, ge=0, le=1000)
    overtime_h_max: Float = Field(default=8.0, ge=0.0, le=200.0)
    out_dir: str = "outputs/schedule"

    @model_validator(mode="after")
    def _period(self) -> ScheduleConfig:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise fail("end", f"{self.end} is before start {self.start}")
        return self


MONTHS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
VACATION_KEY = {"jan": 0.5, "feb": 1.0, "mar": 0.0, "apr": 1.0, "may": 0.5, "jun": 4.0, "jul": 12.0, "aug": 4.0,
                "sep": 0.0, "oct": 0.5, "nov": 0.0, "dec": 1.5}
"""Default vacation days per full-time person per month: 20 of the 25 in June-August, 12 in July,
the rest around the school holidays (sportlov, Easter, höstlov) and Christmas."""


class ShrinkageConfig(_Model):
    """Paid time that is not on the phones, per full-time person (docs/capacity.md)."""

    vacation_days: Float = Field(default=25.0, ge=0.0, le=60.0)
    vacation_key: dict[str, Float] = Field(default_factory=lambda: dict(VACATION_KEY))
    sick_share: Probability = 0.045
    training_days: Float = Field(default=4.0, ge=0.0, le=60.0)
    meetings_h_per_week: Float = Field(default=1.0, ge=0.0, le=40.0)
    breaks_min_per_day: Float = Field(default=30.0, ge=0.0, le=240.0)
    roster_overhead: Float = Field(default=0.05, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _key(self) -> ShrinkageConfig:
        unknown = [k for k in self.vacation_key if k not in MONTHS]
        if unknown:
            raise fail(f"vacation_key.{unknown[0]}", f"unknown month; the months are {', '.join(MONTHS)}")
        missing = [m for m in MONTHS if m not in self.vacation_key]
        if missing:
            raise fail("vacation_key", f"give a weight for every month; missing: {', '.join(missing)}")
        neg = [m for m in MONTHS if self.vacation_key[m] < 0]
        if neg:
            raise fail(f"vacation_key.{neg[0]}", f"must be >= 0, got {self.vacation_key[neg[0]]}")
        if self.vacation_days > 0 and sum(self.vacation_key.values()) <= 0:
            raise fail("vacation_key", "the weights sum to 0; give the months in which vacation is taken a positive weight")
        return self


class HiringConfig(_Model):
    """Recruitment: ``lead_months`` from the decision to a productive agent (of which the last
    ``training_months`` paid training), the yearly ``attrition`` (share of the team leaving
    in a year), the ``contract`` of a new hire, which requirement the plan hires for, and the
    months whose gap temporary staff cover (``temp_months``, 1..12: summer temps)."""

    lead_months: Int = Field(default=3, ge=0, le=24)
    training_months: Int = Field(default=1, ge=0, le=24)
    attrition: Probability = 0.12
    contract: Float = Field(default=1.0, gt=0.0, le=1.0)
    hire_to: Literal["point", "high"] = "point"
    decide_from: str | None = None
    temp_months: list[Int] = Field(default_factory=lambda: [6, 7, 8])

    @model_validator(mode="after")
    def _lead(self) -> HiringConfig:
        if self.training_months > self.lead_months:
            raise fail("training_months", f"{self.training_months} is longer than the lead time lead_months={self.lead_months}")
        if self.decide_from is not None and not _is_month(self.decide_from):
            raise fail("decide_from", f"expected a month \"YYYY-MM\" (e.g. \"2026-12\"), got {self.decide_from!r}")
        bad = [m for m in self.temp_months if not 1 <= m <= 12]
        if bad:
            raise fail("temp_months", f"months are 1..12, got {bad[0]}")
        return self


def _is_month(text: str) -> bool:
    try:
        dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return False
    return len(text) == 7


class CapacityConfig(_Model):
    """Settings of ``python -m sim.capacity``: the year's capacity plan from a forecast of a
    daily-volume history (``history_file``), the requirement by date kind (Erlang A, checked by
    simulation with the ``staff.*`` search settings when ``simulate``), shrinkage, the team of
    ``team_file`` and a hiring plan."""

    year: Int = Field(default=2027, ge=1990, le=2200)
    history_file: str = "data/history_days_example.csv"
    team_file: str = "team/team.yaml"
    week_h: Float = Field(default=40.0, gt=0.0, le=80.0)
    simulate: bool = True
    separate_months: list[Int] = Field(default_factory=lambda: [7])
    shrinkage: ShrinkageConfig = Field(default_factory=ShrinkageConfig)
    hiring: HiringConfig = Field(default_factory=HiringConfig)
    out_dir: str = "outputs/capacity"

    @model_validator(mode="after")
    def _months(self) -> CapacityConfig:
        bad = [m for m in self.separate_months if not 1 <= m <= 12]
        if bad:
            raise fail("separate_months", f"months are 1..12, got {bad[0]}")
        return self


Scenario.model_rebuild()  # ``schedule`` refers to ScheduleConfig, defined after Scenario
