"""Exact, vectorised Erlang B / C / A formulas and a staffing search.

Every function works on numpy arrays of intervals (one element per planning interval) with
ordinary numpy broadcasting between its arguments; scalars work too. Nothing here is an
approximation: all results are exact up to floating-point rounding (relative error around
1e-12 or better; the series used in a few extreme regimes are truncated below 1e-17, and
the ASA sum of Erlang A over queue lengths below e^-45 ≈ 3e-20 of the probability mass).

Notation (all rates per second):

* ``calls`` offered in an interval of ``interval_s`` seconds: arrival rate
  ``lam = calls / interval_s``;
* mean handle time ``aht_s``: service rate ``mu = 1 / aht_s``;
* offered traffic ``a = lam * aht_s = calls * aht_s / interval_s`` (Erlangs);
* ``n`` agents (integer-valued; a non-integer agent count raises ``ValueError``);
* Erlang A only: exponential patience with mean ``patience_s``, abandonment rate
  ``theta = 1 / patience_s``.

Public API
----------
``erlang_b(agents, traffic)``
    Blocking probability (array / numpy scalar).
``erlang_c(calls, interval_s, aht_s, agents, target_s=90)``
    ``ErlangCResult`` -- M/M/n: p_wait, service_level, asa_s, occupancy.
``erlang_a(calls, interval_s, aht_s, agents, patience_s, target_s=90)``
    ``ErlangAResult`` -- M/M/n+M: p_wait, p_abandon, service_level (three conventions),
    asa_s, mean_wait_all_s, occupancy.
``required_agents(calls, interval_s, aht_s, model=..., ...)``
    ``StaffingResult`` -- fewest agents meeting every target, grossed up for shrinkage, the
    binding target and the KPIs at that staffing.
``traffic_erlangs(calls, interval_s, aht_s)``
    Offered traffic in Erlangs.

Results are frozen dataclasses whose fields are numpy arrays of the broadcast shape of the
inputs (numpy scalars when every input is a scalar); ``.to_frame()`` gives a tidy pandas
DataFrame with one row per interval.

Method
------
All three models are built from two ratios of the regularised incomplete gamma functions
``P(s, y)`` / ``Q(s, y)`` to the Poisson "density" ``pmf(s; y) = y**s exp(-y) / Gamma(s+1)``
(``s`` real)::

    M(s, y) = P(s, y) / pmf(s; y) = sum_{k>=0} prod_{i=1..k} y / (s + i)      (= 1F1(1; s+1; y))
    U(s, y) = Q(s, y) / pmf(s; y) = sum_{k>=1} prod_{i=0..k-1} (s - i) / y   (finite for integer s)

computed in log space with ``scipy.special.gammainc`` / ``gammaincc`` and a numerically stable
log Poisson pmf (Loader's saddle-point form); where the incomplete gamma function underflows
(deep tails: extreme traffic or very long patience) the series above are summed directly.

Erlang B: with ``S0 = U(n, a) = P(X <= n-1) / P(X = n)`` for ``X ~ Poisson(a)``,
``B(n, a) = P(X = n) / P(X <= n) = 1 / (1 + S0)``. This is the exact value of the textbook
recursion ``B(0) = 1, B(n) = a B(n-1) / (n + a B(n-1))`` and stays finite and accurate for
fractional traffic and for thousands of agents and Erlangs.

Erlang C: ``C = n B / (n - a (1 - B)) = 1 / (1 + (1 - a/n) S0)`` (same thing, no cancellation).

Erlang A: see :func:`erlang_a`.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from types import ModuleType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ErlangAResult",
    "ErlangCResult",
    "StaffingResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "required_agents",
    "traffic_erlangs",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: A result field: an array of the broadcast shape, or a numpy scalar for scalar inputs.
Floats = FloatArray | np.float64
Ints = IntArray | np.int64

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_TINY = 1e-250  # incomplete-gamma values below this are recomputed by series (log space)
_SERIES_EPS = 1e-17  # relative truncation of the series
_SERIES_BLOCK = 64  # series terms summed per vectorised step
_WINDOW_SIGMAS = 10.0  # half-width of the queue-length window for the ASA sum, in sqrt(x)
_WINDOW_CELLS = 1 << 20  # cells per chunk of the [interval x queue length] ASA array
_MAX_AGENTS = 1e12  # the staffing search gives up (RuntimeError) beyond this
_NO_CALLS = "none"
_STABILITY = "stability"
_ONE_AGENT = "at_least_one_agent"


# -- SciPy, on first use -------------------------------------------------------------------


@functools.cache
def _special() -> ModuleType:
    """``scipy.special``, imported on the first call of a formula, not when this module is: SciPy
    costs ~0.4 s of start-up (issue 23 item 16) and a run without ``staffing.mode=plan`` never
    needs it (``tests/test_startup.py``)."""
    from scipy import special  # noqa: PLC0415

    return special


# -- input handling ------------------------------------------------------------------------


def _broadcast(*args: npt.ArrayLike) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast the arguments to one shape; return the shape and flat float64 copies."""
    arrays = [np.asarray(x, dtype=np.float64) for x in args]
    shape = np.broadcast_shapes(*(x.shape for x in arrays))
    return shape, [np.array(np.broadcast_to(x, shape)).ravel() for x in arrays]


def _shaped(values: npt.NDArray[Any], shape: tuple[int, ...]) -> Any:
    """Reshape a flat result; 0-d results become numpy scalars."""
    return values.reshape(shape)[()]


def _check(
    name: str, x: FloatArray, *, lower: float, strict: bool, allow_inf: bool = False
) -> None:
    """Raise ``ValueError`` unless every element of ``x`` is a valid number above ``lower``."""
    if np.isnan(x).any():
        raise ValueError(f"{name} contains NaN")
    if not allow_inf and np.isinf(x).any():
        raise ValueError(f"{name} must be finite")
    bad = (x <= lower) if strict else (x < lower)
    if bad.any():
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {lower:g}; got {x[bad][0]!r}")


def _check_agents(n: FloatArray) -> None:
    """Agents must be finite, non-negative and integer-valued."""
    _check("agents", n, lower=0.0, strict=False)
    if (np.floor(n) != n).any():
        raise ValueError("agents must be integer-valued (planners staff whole agents)")


def _check_fraction(name: str, x: FloatArray, *, low: float, high: float, high_ok: bool) -> None:
    """Raise ``ValueError`` unless ``low <= x`` and ``x <= high`` (or ``< high``)."""
    _check(name, x, lower=low, strict=False)
    if (x > high).any() or (not high_ok and (x >= high).any()):
        raise ValueError(f"{name} must be {'<=' if high_ok else '<'} {high:g}")


def traffic_erlangs(
    calls: npt.ArrayLike, interval_s: npt.ArrayLike, aht_s: npt.ArrayLike
) -> Floats:
    """Offered traffic ``a = calls * aht_s / interval_s`` in Erlangs."""
    shape, (c, t, h) = _broadcast(calls, interval_s, aht_s)
    _check("calls", c, lower=0.0, strict=False)
    _check("interval_s", t, lower=0.0, strict=True)
    _check("aht_s", h, lower=0.0, strict=True)
    return _shaped(c * h / t, shape)


# -- special functions in log space ----------------------------------------------------------


def _stirlerr(s: FloatArray) -> FloatArray:
    """``log Gamma(s+1) - [(s + 1/2) log s - s + log sqrt(2 pi)]`` for ``s > 0``."""
    special = _special()

    out = np.empty_like(s)
    big = s > 15.0
    sb = s[big]
    inv2 = 1.0 / (sb * sb)
    series = 1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188)
    out[big] = (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * series)) / sb
    ss = s[~big]
    out[~big] = special.gammaln(ss + 1.0) - (ss + 0.5) * np.log(ss) + ss - _HALF_LOG_2PI
    return out


def _log_poisson_pmf(s: FloatArray, y: FloatArray) -> FloatArray:
    """``log(y**s exp(-y) / Gamma(s+1))`` for real ``s >= 0``, ``y >= 0`` (same shapes).

    For ``s > 15`` Loader's form ``-stirlerr(s) - bd0(s, y) - log sqrt(2 pi s)`` with the
    deviance ``bd0 = s log(s/y) + y - s`` avoids the cancellation of ``s log y - y -
    gammaln(s+1)`` when ``s`` and ``y`` are both large (long patience, many agents).
    """
    special = _special()

    out = np.empty_like(y)
    with np.errstate(divide="ignore"):
        small = s <= 15.0
        ss, ys = s[small], y[small]
        out[small] = special.xlogy(ss, ys) - ys - special.gammaln(ss + 1.0)
        sb, yb = s[~small], y[~small]
        pos = yb > 0
        u = (sb[pos] - yb[pos]) / yb[pos]
        bd0 = sb[pos] * np.log1p(u) - (sb[pos] - yb[pos])
        big = np.full(sb.shape, -np.inf)
        big[pos] = -_stirlerr(sb[pos]) - bd0 - _HALF_LOG_2PI - 0.5 * np.log(sb[pos])
        out[~small] = big
    return out


def _series_lower(s: FloatArray, y: FloatArray) -> FloatArray:
    """``log M(s, y) = log sum_{k>=0} prod_{i=1..k} y/(s+i)`` by direct summation (``y < s``)."""
    total = np.ones_like(y)
    last = np.ones_like(y)
    todo = np.arange(y.size)
    steps = np.arange(1.0, _SERIES_BLOCK + 1.0)
    k0 = 0.0
    while todo.size:
        ratios = y[todo, None] / (s[todo, None] + (k0 + steps))
        terms = last[todo, None] * np.cumprod(ratios, axis=1)
        total[todo] += terms.sum(axis=1)
        last[todo] = terms[:, -1]
        todo = todo[last[todo] > _SERIES_EPS * total[todo]]
        k0 += _SERIES_BLOCK
    return np.log(total)


def _series_upper(s: FloatArray, y: FloatArray) -> FloatArray:
    """``log U(s, y) = log[(s/y) sum_{k>=0} prod_{i=1..k} (s-i)/y]`` by summation (``y > s``).

    For integer ``s`` the sum is finite (exact). For real ``s`` it is the asymptotic
    expansion of the upper incomplete gamma function, cut where its terms would start to
    grow; it is only used when ``Q(s, y) < 1e-250``, where that cut is far below 1e-17.
    """
    total = np.ones_like(y)
    last = np.ones_like(y)
    todo = np.arange(y.size)
    steps = np.arange(1.0, _SERIES_BLOCK + 1.0)
    k0 = 0.0
    while todo.size:
        ratios = (s[todo, None] - (k0 + steps)) / y[todo, None]
        ratios[np.abs(ratios) >= 1.0] = 0.0
        terms = last[todo, None] * np.cumprod(ratios, axis=1)
        total[todo] += terms.sum(axis=1)
        last[todo] = terms[:, -1]
        todo = todo[np.abs(last[todo]) > _SERIES_EPS * total[todo]]
        k0 += _SERIES_BLOCK
    return np.log(s) - np.log(y) + np.log(total)


def _log_ratios(s: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(log M(s, y), log U(s, y))`` for ``s > 0``, ``y >= 0`` (one incomplete gamma call).

    ``M = P(s, y) / pmf(s; y)`` and ``U = Q(s, y) / pmf(s; y)``. The smaller of ``P`` and
    ``Q`` is computed directly and the other as ``log1p(-smaller)``; underflowed values are
    replaced by the series.
    """
    special = _special()

    lower = y <= s
    smaller = np.empty_like(y)
    smaller[lower] = special.gammainc(s[lower], y[lower])
    smaller[~lower] = special.gammaincc(s[~lower], y[~lower])
    lpmf = _log_poisson_pmf(s, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_small = np.log(smaller) - lpmf
        log_large = np.log1p(-smaller) - lpmf
    log_m = np.where(lower, log_small, log_large)
    log_u = np.where(lower, log_large, log_small)
    tiny = smaller < _TINY
    fix_m = np.flatnonzero(tiny & lower)
    fix_u = np.flatnonzero(tiny & ~lower)
    if fix_m.size:
        log_m[fix_m] = _series_lower(s[fix_m], y[fix_m])
    if fix_u.size:
        log_u[fix_u] = _series_upper(s[fix_u], y[fix_u])
    if fix_m.size or fix_u.size:
        logger.debug("gamma underflow: %d lower / %d upper series", fix_m.size, fix_u.size)
    return log_m, log_u


def _log_gamma_diff(
    s: FloatArray,
    x: FloatArray,
    t_over_patience: FloatArray,
    at_x: tuple[FloatArray, FloatArray] | None = None,
) -> FloatArray:
    """``log[(P(s, x) - P(s, x q)) / pmf(s; x)]`` with ``q = exp(-t_over_patience)``.

    Written as ``M(s, x) - R M(s, xq)`` when ``xq <= s`` and as ``R U(s, xq) - U(s, x)`` when
    ``xq > s`` (both regularised functions near 1: use the upper tails), where
    ``R = pmf(s; xq) / pmf(s; x) = q**s exp(x (1 - q))``. ``at_x``: ``_log_ratios(s, x)``
    if already known.
    """
    log_q = -t_over_patience
    q = np.exp(log_q)
    xq = x * q
    with np.errstate(invalid="ignore"):
        log_r = np.where(q > 0.0, s * log_q - x * np.expm1(log_q), -np.inf)
    log_m_x, log_u_x = _log_ratios(s, x) if at_x is None else at_x
    log_m_q, log_u_q = _log_ratios(s, xq)
    upper = xq > s
    with np.errstate(divide="ignore", invalid="ignore"):
        arg_m = np.minimum(log_r + log_m_q - log_m_x, 0.0)
        out_m = log_m_x + np.log(-np.expm1(arg_m))
        arg_u = np.minimum(log_u_x - log_r - log_u_q, 0.0)
        out_u = log_r + log_u_q + np.log(-np.expm1(arg_u))
    return np.where(upper, out_u, out_m)


def _log_s0(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log S0 = log[P(X <= n-1) / P(X = n)]``, ``X ~ Poisson(a)``, for ``n >= 1``, ``a > 0``.

    ``S0 = sum_{j=1..n} n! / ((n-j)! a**j) = 1/B(n, a) - 1``: the states with a free agent,
    relative to the state with all ``n`` agents busy.
    """
    return _log_ratios(n, a)[1]


# -- Erlang B ---------------------------------------------------------------------------------


def erlang_b(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> Floats:
    """Erlang B blocking probability ``B(n, a)`` (M/M/n/n), exact and vectorised.

    ``B(n, a) = (a**n / n!) / sum_{k=0..n} a**k / k! = 1 / (1 + S0)`` with
    ``S0 = P(X <= n-1) / P(X = n)``, ``X ~ Poisson(a)``, evaluated in log space through the
    regularised upper incomplete gamma function ``Q(n, a) = P(X <= n-1)`` (the same number
    as the recursion ``B(n) = a B(n-1) / (n + a B(n-1))``, without its O(n) cost).

    ``agents`` must be non-negative and integer-valued (``ValueError`` otherwise -- no
    interpolation between agent counts); ``traffic`` (Erlangs, fractional allowed) must be
    non-negative and finite. ``B(0, a) = 1``; ``B(n, 0) = 0`` for ``n >= 1``.
    """
    shape, (n, a) = _broadcast(agents, traffic)
    _check_agents(n)
    _check("traffic", a, lower=0.0, strict=False)
    out = np.ones_like(a)
    out[(a == 0.0) & (n > 0)] = 0.0
    live = np.flatnonzero((a > 0.0) & (n > 0))
    out[live] = np.exp(-np.logaddexp(0.0, _log_s0(n[live], a[live])))
    return _shaped(out, shape)


# -- Erlang C ---------------------------------------------------------------------------------


def _frame(obj: Any) -> pd.DataFrame:
    """Tidy DataFrame of a result dataclass: one row per interval, one column per field."""
    cols = {f.name: np.asarray(getattr(obj, f.name)) for f in fields(obj)}
    shape = np.broadcast_shapes(*(v.shape for v in cols.values()))
    return pd.DataFrame({k: np.broadcast_to(v, shape).ravel() for k, v in cols.items()})


@dataclass(frozen=True, eq=False)
class ErlangCResult:
    """Erlang C (M/M/n, infinite patience) KPIs per interval.

    Fields (arrays of the broadcast input shape; numpy scalars for scalar inputs):

    * ``traffic`` -- offered load ``a`` in Erlangs; ``agents`` -- ``n``; ``target_s``.
    * ``p_wait`` -- probability an arriving call waits, ``C = n B / (n - a (1 - B))``.
    * ``service_level`` -- answered within ``target_s`` / offered
      ``= 1 - C exp(-(n - a) target_s / aht_s)`` (every call is answered eventually).
    * ``asa_s`` -- mean wait ``C aht_s / (n - a)``; with infinite patience every call is
      answered, so this is the ASA of answered calls.
    * ``occupancy`` -- agent utilisation ``a / n`` (never capped while stable).
    * ``stable`` -- ``n > a``.

    Conventions: unstable (``0 < n <= a``, including ``n == a`` exactly): ``p_wait = 1``,
    ``service_level = 0``, ``asa_s = inf``, ``occupancy = 1`` (agents are busy all the time;
    the queue grows without bound). ``n = 0`` with calls: as unstable but ``occupancy =
    nan`` (no agents). No traffic: ``p_wait = 0``, ``service_level = 1``, ``asa_s = 0``,
    ``occupancy = 0``, ``stable = True``.
    """

    traffic: Floats
    agents: Ints
    target_s: Floats
    p_wait: Floats
    service_level: Floats
    asa_s: Floats
    occupancy: Floats
    stable: BoolArray | np.bool_

    def to_frame(self) -> pd.DataFrame:
        """One row per interval, one column per field."""
        return _frame(self)


def _erlang_c_flat(
    a: FloatArray, n: FloatArray, aht: FloatArray, t: FloatArray
) -> dict[str, FloatArray]:
    """Erlang C KPIs on flat arrays (see :class:`ErlangCResult` for the conventions)."""
    size = a.size
    p_wait = np.ones(size)
    sl = np.zeros(size)
    asa = np.full(size, np.inf)
    occ = np.ones(size)
    occ[n == 0.0] = np.nan
    idle = a == 0.0
    p_wait[idle], sl[idle], asa[idle], occ[idle] = 0.0, 1.0, 0.0, 0.0
    st = np.flatnonzero((n > a) & ~idle)
    ns, as_ = n[st], a[st]
    rho = as_ / ns
    log_c = -np.logaddexp(0.0, np.log1p(-rho) + _log_s0(ns, as_))
    gap = ns - as_
    p_wait[st] = np.exp(log_c)
    sl[st] = -np.expm1(log_c - gap * t[st] / aht[st])
    asa[st] = p_wait[st] * aht[st] / gap
    occ[st] = rho
    stable = (n > a) | idle
    return {"p_wait": p_wait, "service_level": sl, "asa_s": asa, "occupancy": occ, "stable": stable}


def erlang_c(
    calls: npt.ArrayLike,
    interval_s: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    agents: npt.ArrayLike,
    target_s: npt.ArrayLike = 90.0,
) -> ErlangCResult:
    """Erlang C (M/M/n) KPIs for ``calls`` offered per ``interval_s`` seconds.

    Traffic ``a = calls * aht_s / interval_s``. With ``B = erlang_b(n, a)`` (computed as
    ``1 / (1 + S0)``, see the module docstring) and ``n > a``::

        p_wait        C  = n B / (n - a (1 - B)) = 1 / (1 + (1 - a/n) S0)
        service_level    = 1 - C exp(-(n - a) target_s / aht_s)
        asa_s            = C aht_s / (n - a)
        occupancy        = a / n

    See :class:`ErlangCResult` for the unstable / zero-agent / zero-traffic conventions;
    ``n == a`` exactly is unstable and never divides by zero. All arguments broadcast.
    ``agents`` must be integer-valued; ``calls >= 0``, ``interval_s > 0``, ``aht_s > 0``,
    ``target_s >= 0`` (``inf`` allowed), else ``ValueError``.
    """
    shape, (c, ivl, aht, n, t) = _broadcast(calls, interval_s, aht_s, agents, target_s)
    _check("calls", c, lower=0.0, strict=False)
    _check("interval_s", ivl, lower=0.0, strict=True)
    _check("aht_s", aht, lower=0.0, strict=True)
    _check_agents(n)
    _check("target_s", t, lower=0.0, strict=False, allow_inf=True)
    a = c * aht / ivl
    k = _erlang_c_flat(a, n, aht, t)
    return ErlangCResult(
        traffic=_shaped(a, shape),
        agents=_shaped(n.astype(np.int64), shape),
        target_s=_shaped(t, shape),
        **{name: _shaped(v, shape) for name, v in k.items()},
    )


# -- Erlang A ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ErlangAResult:
    """Erlang A (M/M/n+M, exponential patience) KPIs per interval.

    Fields (arrays of the broadcast input shape; numpy scalars for scalar inputs):

    * ``traffic`` (offered Erlangs), ``agents``, ``patience_s``, ``target_s``: the inputs.
    * ``p_wait`` -- P(all agents busy on arrival).
    * ``p_abandon`` -- abandoned / offered.
    * ``service_level`` -- answered within ``target_s`` / offered (abandons are failures;
      the default convention of the service agreement).
    * ``service_level_answered`` -- answered within ``target_s`` / answered.
    * ``service_level_virtual`` -- P(virtual wait <= target_s): as if nobody abandoned
      (the caller's own patience ignored; the others' abandonment still shortens the queue).
    * ``asa_s`` -- mean wait of answered calls (ASA).
    * ``mean_wait_all_s`` -- mean time in queue over all offered calls (abandoned callers'
      time included) ``= p_abandon * patience_s``.
    * ``occupancy`` -- carried load per agent ``a (1 - p_abandon) / n``.

    Conventions: no calls: ``p_wait = p_abandon = 0``, all service levels 1, waits 0,
    occupancy 0. ``n = 0`` with calls (finite patience): everyone abandons -- ``p_wait = 1``,
    ``p_abandon = 1``, ``service_level = service_level_virtual = 0``,
    ``service_level_answered = nan`` and ``asa_s = nan`` (no answered calls),
    ``mean_wait_all_s = patience_s``, ``occupancy = nan``. ``patience_s = inf``: the Erlang C
    values (``p_abandon = 0``, the three service levels equal, ``mean_wait_all_s = asa_s``).
    """

    traffic: Floats
    agents: Ints
    patience_s: Floats
    target_s: Floats
    p_wait: Floats
    p_abandon: Floats
    service_level: Floats
    service_level_answered: Floats
    service_level_virtual: Floats
    asa_s: Floats
    mean_wait_all_s: Floats
    occupancy: Floats

    def to_frame(self) -> pd.DataFrame:
        """One row per interval, one column per field."""
        return _frame(self)


@dataclass(frozen=True)
class _ALogs:
    """Erlang A building blocks on flat arrays, all relative to pi_n (all agents busy)."""

    x: FloatArray  # lam / theta
    c: FloatArray  # n mu / theta
    log_s0: FloatArray  # states 0..n-1
    log_s1: FloatArray  # queue states n+j, j >= 0 (p_wait mass)
    log_ans_q: FloatArray  # arrivals who queue and are answered
    log_ab: FloatArray  # arrivals who abandon
    log_ans_t: FloatArray  # arrivals who queue and are answered within target

    @property
    def log_total(self) -> FloatArray:
        """Normaliser ``1 / pi_n``."""
        return np.logaddexp(self.log_s0, self.log_s1)


def _erlang_a_logs(
    lam: FloatArray, a: FloatArray, aht: FloatArray, pat: FloatArray, n: FloatArray, t: FloatArray
) -> _ALogs:
    """The Erlang A sums of :func:`erlang_a` in closed form (``lam > 0``, ``n >= 1``, finite
    patience): with ``x = lam/theta``, ``c = n mu/theta``, ``s = c + 1``::

        S0      = U(n, a)                                  (states with a free agent)
        S1      = sum_j w_j = 1 + (x/s) M(s, x)            (w_j = prod_{i<=j} x/(c+i))
        Ans_q   = sum_j w_j c/(c+j+1) = (c/s) M(s, x)
        Ab      = sum_j w_j (j+1)/(c+j+1) = 1 + ((x - c)/s) M(s, x)
        Ans_t   = sum_j w_j c/(c+j+1) I_p(j+1, c+1) = (c/s) [P(s,x) - P(s,xq)] / pmf(s;x)
    """
    x = lam * pat
    c = n * pat / aht
    s = c + 1.0
    log_c_over_s = -np.log1p(1.0 / c)
    at_x = _log_ratios(s, x)
    log_m1 = at_x[0]
    log_x_over_s = np.log(x) - np.log(s)
    d = (x - c) / s
    with np.errstate(divide="ignore", invalid="ignore"):
        ab_up = np.logaddexp(0.0, np.log(np.maximum(d, 0.0)) + log_m1)
        ab_down = np.log(-np.expm1(np.minimum(np.log(np.maximum(-d, 0.0)) + log_m1, 0.0)))
    return _ALogs(
        x=x,
        c=c,
        log_s0=_log_s0(n, a),
        log_s1=np.logaddexp(0.0, log_x_over_s + log_m1),
        log_ans_q=log_c_over_s + log_m1,
        log_ab=np.where(d >= 0.0, ab_up, ab_down),
        log_ans_t=log_c_over_s + _log_gamma_diff(s, x, t / pat, at_x),
    )


def _queued_answered_wait(x: FloatArray, c: FloatArray, pat: FloatArray) -> FloatArray:
    """Mean wait of callers who queue and are answered (seconds), exact window sum.

    A caller finding ``j`` ahead is answered with probability ``c/(c+j+1)`` and, given that,
    waits on average ``H_j = sum_{k=1..j+1} 1/(theta (c+k)) = (psi(c+j+2) - psi(c+1)) /
    theta``. The weights ``w_j c/(c+j+1)`` are proportional to ``x**j / Gamma(c+j+2)``
    (unimodal, mode near ``x - c``); they are summed over a window around the mode that
    leaves out less than e^-45 ≈ 3e-20 of the mass, in chunks of an [interval x j] array, as
    cumulative products of the ratios ``x/(c+j+1)`` (the window is about 10 standard
    deviations either side of the mode, so the products stay within ~e^+-100).
    """
    special = _special()

    jstar = np.maximum(0.0, np.floor(x - c - 1.0))
    half = np.ceil(_WINDOW_SIGMAS * np.sqrt(x) + 10.0)
    left = np.minimum(jstar, half)
    with np.errstate(divide="ignore"):
        geometric = 45.0 / -np.log(np.minimum(x / (c + 2.0), 1.0))
    narrow = np.ceil(np.minimum(geometric, _WINDOW_SIGMAS * np.sqrt(c + 2.0) + 10.0))
    right = np.where(x >= c + 2.0, half, narrow)
    width = (left + right + 1.0).astype(np.int64)
    j0 = jstar - left
    with np.errstate(divide="ignore"):
        psi_gap = special.digamma(c + j0 + 2.0) - special.digamma(c + 1.0)
        base = np.where(j0 == 0.0, 1.0 / (c + 1.0), psi_gap)
    out = np.empty_like(x)
    order = np.argsort(-width, kind="stable")  # widest first: a chunk's first row sets its width
    start = 0
    while start < order.size:
        wmax = int(width[order[start]])
        idx = order[start : start + max(1, _WINDOW_CELLS // wmax)]
        k = np.arange(wmax, dtype=np.float64)
        inc = 1.0 / (c[idx, None] + j0[idx, None] + k + 1.0)  # 1/(c+j+1)
        ratio = x[idx, None] * inc  # w_j / w_{j-1}
        inc[:, 0] = 0.0
        ratio[:, 0] = 1.0
        ratio[k[None, :] >= width[idx, None]] = 0.0
        w = np.cumprod(ratio, axis=1)  # w_j / w_{j0}: at most ~e^100 from the window's left edge
        h = base[idx, None] + np.cumsum(inc, axis=1)
        out[idx] = (w * h).sum(axis=1) / w.sum(axis=1)
        start += idx.size
    return out * pat


def _erlang_a_flat(
    lam: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    pat: FloatArray,
    n: FloatArray,
    t: FloatArray,
    *,
    asa: bool = True,
    virtual: bool = True,
) -> dict[str, FloatArray]:
    """Erlang A KPIs on flat arrays. ``asa=False`` / ``virtual=False`` leave ``asa_s`` /
    ``service_level_virtual`` as placeholders (0 / 1) in the regular case: the staffing
    search skips these costlier KPIs where it does not need them."""
    size = lam.size
    out = {
        "p_wait": np.zeros(size),
        "p_abandon": np.zeros(size),
        "service_level": np.ones(size),
        "service_level_answered": np.ones(size),
        "service_level_virtual": np.ones(size),
        "asa_s": np.zeros(size),
        "occupancy": np.zeros(size),
    }
    busy = lam > 0.0
    empty = np.flatnonzero(busy & (n == 0.0) & np.isfinite(pat))
    for key in ("p_wait", "p_abandon"):
        out[key][empty] = 1.0
    for key in ("service_level", "service_level_virtual"):
        out[key][empty] = 0.0
    for key in ("service_level_answered", "asa_s", "occupancy"):
        out[key][empty] = np.nan
    ec = np.flatnonzero(busy & np.isinf(pat))
    if ec.size:
        _fill_from_erlang_c(out, ec, a[ec], n[ec], aht[ec], t[ec])
    live = np.flatnonzero(busy & (n > 0.0) & np.isfinite(pat))
    if live.size:
        args = (lam[live], a[live], aht[live], pat[live], n[live], t[live])
        _fill_erlang_a(out, live, *args, asa=asa, virtual=virtual)
    # every abandoned caller waited their whole patience: E[wait of all] = P(ab) · patience
    # (with no abandonment, infinite patience, it is the Erlang C ASA)
    finite = np.isfinite(pat)
    out["mean_wait_all_s"] = out["asa_s"].copy()
    out["mean_wait_all_s"][finite] = out["p_abandon"][finite] * pat[finite]
    return out


def _fill_from_erlang_c(
    out: dict[str, FloatArray],
    idx: npt.NDArray[np.intp],
    a: FloatArray,
    n: FloatArray,
    aht: FloatArray,
    t: FloatArray,
) -> None:
    """Infinite patience: Erlang A is Erlang C."""
    k = _erlang_c_flat(a, n, aht, t)
    for key in ("p_wait", "service_level", "asa_s", "occupancy"):
        out[key][idx] = k[key]
    out["p_abandon"][idx] = 0.0
    out["service_level_answered"][idx] = k["service_level"]
    out["service_level_virtual"][idx] = k["service_level"]


def _fill_erlang_a(
    out: dict[str, FloatArray],
    idx: npt.NDArray[np.intp],
    lam: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    pat: FloatArray,
    n: FloatArray,
    t: FloatArray,
    *,
    asa: bool,
    virtual: bool,
) -> None:
    """The regular case: ``lam > 0``, ``n >= 1``, finite patience."""
    g = _erlang_a_logs(lam, a, aht, pat, n, t)
    log_total = g.log_total
    log_answered = np.logaddexp(g.log_s0, g.log_ans_q)
    log_sl = np.logaddexp(g.log_s0, g.log_ans_t)
    p_ab = np.exp(g.log_ab - log_total)
    out["p_wait"][idx] = np.exp(g.log_s1 - log_total)
    out["p_abandon"][idx] = p_ab
    out["service_level"][idx] = np.exp(log_sl - log_total)
    out["service_level_answered"][idx] = np.exp(log_sl - log_answered)
    # carried load a P(answered) / n, with P(answered) taken from the sums (no 1 - p_ab
    # cancellation in overload); only floating-point rounding above 1 is trimmed.
    out["occupancy"][idx] = np.minimum(a * np.exp(log_answered - log_total) / n, 1.0)
    if virtual:
        log_v = np.logaddexp(g.log_s0, _log_gamma_diff(g.c, g.x, t / pat))
        out["service_level_virtual"][idx] = np.exp(log_v - log_total)
    if asa:
        out["asa_s"][idx] = _asa_from_logs(g, pat)


def _asa_from_logs(g: _ALogs, pat: FloatArray) -> FloatArray:
    """ASA of answered calls = E[wait | queued, answered] * P(queued | answered)."""
    p_queued_given_answered = np.exp(g.log_ans_q - np.logaddexp(g.log_s0, g.log_ans_q))
    return _queued_answered_wait(g.x, g.c, pat) * p_queued_given_answered


def erlang_a(
    calls: npt.ArrayLike,
    interval_s: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    agents: npt.ArrayLike,
    patience_s: npt.ArrayLike,
    target_s: npt.ArrayLike = 90.0,
) -> ErlangAResult:
    """Erlang A (M/M/n+M) KPIs -- exact, vectorised; stable for any ``n`` (even ``n < a``).

    Model: Poisson arrivals ``lam = calls / interval_s``, exponential handle times (mean
    ``aht_s``), ``n`` agents, FCFS, each caller abandons after an exponential patience
    (mean ``patience_s``, ``theta = 1/patience_s``). Steady state of the birth-death chain,
    relative to ``pi_n`` (all agents busy, nobody queued): ``pi_k / pi_n = n! / (k! a**(n-k))``
    for ``k < n`` (sum ``S0 = U(n, a)``) and ``w_j = pi_{n+j} / pi_n = prod_{i=1..j} x/(c+i)``
    with ``x = lam/theta``, ``c = n mu/theta``. Arrivals see time averages (PASTA).

    A caller who finds ``j`` callers queued ahead waits (if patient enough) the virtual time
    ``V = sum_{i=0..j} Exp(theta (c+i))`` (service completions plus abandonment of those
    ahead) and is answered iff ``V < tau``, ``tau ~ Exp(theta)``. Exactly:

    * ``P(answered | j) = E[exp(-theta V)] = c / (c+j+1)`` (the product telescopes);
    * ``P(answered within t | j) = E[exp(-theta V); V <= t] = c/(c+j+1) I_p(j+1, c+1)`` and
      ``P(V <= t | j) = I_p(j+1, c)`` with ``p = 1 - exp(-theta t)`` and ``I`` the regularised
      incomplete beta function: exponential tilting turns the stage rates into
      ``theta (c+k)``, ``k = 1..j+1``, and ``1 - exp(-theta V')`` is then Beta(j+1, c+1);
    * ``E[min(V, tau) | j] = (j+1) / (theta (c+j+1))``;
    * ``E[V; answered | j] = c/(c+j+1) * sum_{k=1..j+1} 1/(theta (c+k))``.

    Summed against ``w_j`` these become incomplete gamma functions (the Garnett-Mandelbaum-
    Reiman closed forms), evaluated in log space::

        p_wait         = S1 / (S0 + S1),          S1 = 1 + (x/s) M(s, x),  s = c + 1
        p_abandon      = Ab / (S0 + S1),          Ab = 1 + ((x - c)/s) M(s, x)
        service_level  = (S0 + (c/s) [P(s,x) - P(s,xq)] / pmf(s;x)) / (S0 + S1),  q = e^(-theta t)
        sl_virtual     = (S0 + [P(c,x) - P(c,xq)] / pmf(c;x)) / (S0 + S1)
        sl_answered    = service_level / (1 - p_abandon)
        mean_wait_all  = p_abandon / theta        (Little: = E[queue] / lam; flow balance:
                                                   lam p_abandon = theta E[queue])
        occupancy      = a (1 - p_abandon) / n

    The ASA of answered calls has no incomplete-gamma form; it is the exact sum over queue
    lengths of ``E[V; answered | j]``, taken over a window around the mode of the weights
    that leaves out less than e^-45 ≈ 3e-20 of the mass.

    See :class:`ErlangAResult` for fields and edge conventions. ``patience_s`` must be
    ``> 0``; ``inf`` gives Erlang C. Other arguments as in :func:`erlang_c`.
    """
    shape, flat = _broadcast(calls, interval_s, aht_s, agents, patience_s, target_s)
    c, ivl, aht, n, pat, t = flat
    _check("calls", c, lower=0.0, strict=False)
    _check("interval_s", ivl, lower=0.0, strict=True)
    _check("aht_s", aht, lower=0.0, strict=True)
    _check_agents(n)
    _check("patience_s", pat, lower=0.0, strict=True, allow_inf=True)
    _check("target_s", t, lower=0.0, strict=False, allow_inf=True)
    lam = c / ivl
    a = c * aht / ivl
    k = _erlang_a_flat(lam, a, aht, pat, n, t)
    return ErlangAResult(
        traffic=_shaped(a, shape),
        agents=_shaped(n.astype(np.int64), shape),
        patience_s=_shaped(pat, shape),
        target_s=_shaped(t, shape),
        **{name: _shaped(v, shape) for name, v in k.items()},
    )


def erlang_a_abandonment(
    calls: npt.ArrayLike, interval_s: npt.ArrayLike, aht_s: npt.ArrayLike, agents: npt.ArrayLike, patience_s: npt.ArrayLike
) -> tuple[Floats, Floats]:
    """``(p_wait, p_abandon)`` of :func:`erlang_a` without its costlier KPIs (the ASA and the
    virtual service level): for inversions that evaluate many staffing levels."""
    shape, flat = _broadcast(calls, interval_s, aht_s, agents, patience_s)
    c, ivl, aht, n, pat = flat
    _check("calls", c, lower=0.0, strict=False)
    _check("interval_s", ivl, lower=0.0, strict=True)
    _check("aht_s", aht, lower=0.0, strict=True)
    _check_agents(n)
    _check("patience_s", pat, lower=0.0, strict=True, allow_inf=True)
    k = _erlang_a_flat(c / ivl, c * aht / ivl, aht, pat, n, np.zeros_like(c), asa=False, virtual=False)
    return _shaped(k["p_wait"], shape), _shaped(k["p_abandon"], shape)


def erlang_a_time_average(
    calls: npt.ArrayLike,
    interval_s: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    agents: npt.ArrayLike,
    patience_s: npt.ArrayLike,
    target_s: npt.ArrayLike = 90.0,
) -> dict[str, Floats]:
    """Erlang A of a fractional (time-average) staffing: ``n + f`` agents are ``n + 1`` for a
    share ``f`` of the interval and ``n`` for the rest (how the engine realises a fractional
    staffing table, :func:`sim.world.staffing.interval_steps`), so a share ``f`` of the calls meet
    ``n + 1`` agents. Per offered call the KPIs are ``f K(n + 1) + (1 - f) K(n)`` (``p_wait``,
    ``p_abandon``, ``service_level``, ``mean_wait_all_s``); the ASA is weighted by the answered
    calls of each part. Whole ``agents`` give exactly :func:`erlang_a`. Each part is taken at
    its steady state (no queue carried across the change)."""
    shape, flat = _broadcast(calls, interval_s, aht_s, agents, patience_s, target_s)
    c, ivl, aht, n, pat, t = flat
    _check("agents", n, lower=0.0, strict=False)
    lo = np.floor(n)
    f = n - lo
    a0 = erlang_a(c, ivl, aht, lo, pat, t)
    a1 = erlang_a(c, ivl, aht, lo + 1.0, pat, t)
    out: dict[str, Floats] = {}
    for k in ("p_wait", "p_abandon", "service_level", "mean_wait_all_s"):
        v0, v1 = np.asarray(getattr(a0, k), dtype=float), np.asarray(getattr(a1, k), dtype=float)
        out[k] = _shaped(np.where(f > 0, (1 - f) * v0 + f * v1, v0), shape)
    ans0, ans1 = (1 - f) * (1 - np.asarray(a0.p_abandon)), f * (1 - np.asarray(a1.p_abandon))
    asa0, asa1 = np.nan_to_num(np.asarray(a0.asa_s, dtype=float)), np.nan_to_num(np.asarray(a1.asa_s, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        asa = np.where(f > 0, (ans0 * asa0 + ans1 * asa1) / (ans0 + ans1), np.asarray(a0.asa_s, dtype=float))
    out["asa_s"] = _shaped(asa, shape)
    return out


# -- staffing -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StaffingResult:
    """Result of :func:`required_agents`.

    * ``agents`` -- fewest agents on the phones meeting every target (int array).
    * ``agents_gross`` -- ``ceil(agents / (1 - shrinkage))``: agents to schedule.
    * ``binding`` -- which target decides (str array): the targets *not* met with one agent
      fewer, joined by ``"+"`` (``"service_level"``, ``"p_abandon"``, ``"asa"``,
      ``"occupancy"``); ``"stability"`` (Erlang C: ``floor(a) + 1`` already meets every
      target), ``"at_least_one_agent"`` (Erlang A: one agent already meets every target),
      ``"none"`` (no calls, 0 agents).
    * ``kpis`` -- :class:`ErlangAResult` / :class:`ErlangCResult` at ``agents``.
    """

    agents: Ints
    agents_gross: Ints
    binding: npt.NDArray[np.str_] | np.str_
    kpis: ErlangAResult | ErlangCResult

    def to_frame(self) -> pd.DataFrame:
        """The KPI frame plus ``agents_gross`` and ``binding`` columns."""
        df = self.kpis.to_frame()
        df["agents_gross"] = np.asarray(self.agents_gross).ravel()
        df["binding"] = np.asarray(self.binding).ravel()
        return df


@dataclass(frozen=True)
class _Targets:
    """Flat per-interval targets (``None``: not a target)."""

    sl: FloatArray | None
    t: FloatArray
    max_ab: FloatArray | None
    max_asa: FloatArray | None
    max_occ: FloatArray | None

    def take(self, idx: npt.NDArray[np.intp]) -> _Targets:
        """The targets of the intervals ``idx``."""
        pick = lambda v: None if v is None else v[idx]  # noqa: E731
        return _Targets(
            pick(self.sl), self.t[idx], pick(self.max_ab), pick(self.max_asa), pick(self.max_occ)
        )


def _all_met(k: dict[str, FloatArray], tg: _Targets, size: int) -> BoolArray:
    """True where every target is met."""
    ok = np.ones(size, dtype=bool)
    for miss in _failed(k, tg).values():
        ok &= ~miss
    return ok


def _failed(k: dict[str, FloatArray], tg: _Targets) -> dict[str, BoolArray]:
    """Which targets each interval misses (NaN KPIs count as missed)."""
    out: dict[str, BoolArray] = {}
    if tg.sl is not None:
        out["service_level"] = ~(k["service_level"] >= tg.sl)
    if tg.max_ab is not None and "p_abandon" in k:
        out["p_abandon"] = ~(k["p_abandon"] <= tg.max_ab)
    if tg.max_asa is not None and "asa_s" in k:
        out["asa"] = ~(k["asa_s"] <= tg.max_asa)
    if tg.max_occ is not None:
        out["occupancy"] = ~(k["occupancy"] <= tg.max_occ)
    return out


Predicate = Callable[[npt.NDArray[np.intp], FloatArray], BoolArray]


def _search_min(pred: Predicate, lo: FloatArray, guess: FloatArray) -> FloatArray:
    """Smallest integer ``n >= lo`` with ``pred`` true, for a predicate monotone in ``n``.

    ``lo - 1`` is taken as failing. Starts at ``guess`` (any value; clipped to ``>= lo``),
    gallops (steps 1, 2, 4, ...) up from a failing guess or down from a passing one until
    the answer is bracketed, then bisects -- every step one vectorised ``pred`` call on the
    intervals still open. The result is exact whatever the guess; a good guess only saves
    evaluations.
    """
    fail = lo - 1.0  # largest n known to fail
    ok = np.full(lo.shape, np.inf)  # smallest n known to pass
    probe = np.maximum(np.floor(guess), lo)
    step = np.ones(lo.shape)
    down = np.zeros(lo.shape, dtype=bool)  # galloping down from a passing guess
    idx = np.arange(lo.size)
    first = True
    while idx.size:
        res = pred(idx, probe[idx])
        hit, miss = idx[res], idx[~res]
        ok[hit] = probe[hit]
        fail[miss] = probe[miss]
        if first:
            down[hit] = True
            first = False
        down[miss] = False  # a failure below a pass brackets the answer
        idx = idx[ok[idx] - fail[idx] > 1.0]
        up = idx[np.isinf(ok[idx])]
        gdown = idx[down[idx]]
        bis = idx[np.isfinite(ok[idx]) & ~down[idx]]
        probe[up] = fail[up] + step[up]
        probe[gdown] = np.maximum(ok[gdown] - step[gdown], fail[gdown] + 1.0)
        probe[bis] = np.floor(0.5 * (fail[bis] + ok[bis]))
        step[up] *= 2.0
        step[gdown] *= 2.0
        if up.size and probe[up].max() > _MAX_AGENTS:
            raise RuntimeError("staffing search: targets not met below 1e12 agents")
    return ok


def _sqrt_staffing_guess(
    a: FloatArray, t_over_aht: FloatArray, sl: FloatArray | None
) -> FloatArray:
    """Halfin-Whitt square-root staffing ``a + beta sqrt(a)`` for the service level (a guess
    only: :func:`_search_min` makes the answer exact). ``beta`` solves
    ``1 - exp(-beta sqrt(a) t/aht) / (1 + beta Phi(beta)/phi(beta)) = sl`` by bisection."""
    if sl is None:
        return np.floor(a) + 1.0
    special = _special()

    root = np.sqrt(a)
    lo = np.zeros(a.shape)
    hi = np.full(a.shape, 8.0)
    for _ in range(24):
        beta = 0.5 * (lo + hi)
        phi = np.exp(-0.5 * beta * beta) / math.sqrt(2.0 * math.pi)
        p_wait = 1.0 / (1.0 + beta * special.ndtr(beta) / phi)
        met = 1.0 - p_wait * np.exp(-beta * root * t_over_aht) >= sl
        hi = np.where(met, beta, hi)
        lo = np.where(met, lo, beta)
    return np.ceil(a + hi * root)


@dataclass(frozen=True)
class _Intervals:
    """Flat per-interval inputs of the staffing search."""

    lam: FloatArray  # calls per second
    a: FloatArray  # offered Erlangs
    aht: FloatArray
    pat: FloatArray  # inf for Erlang C
    t: FloatArray  # service-level target time

    def take(self, idx: npt.NDArray[np.intp]) -> _Intervals:
        """The intervals ``idx``."""
        return _Intervals(self.lam[idx], self.a[idx], self.aht[idx], self.pat[idx], self.t[idx])

    def erlang_c(self, n: FloatArray) -> dict[str, FloatArray]:
        """Erlang C KPIs with ``n`` agents."""
        return _erlang_c_flat(self.a, n, self.aht, self.t)

    def erlang_a(
        self, n: FloatArray, *, asa: bool = True, virtual: bool = True
    ) -> dict[str, FloatArray]:
        """Erlang A KPIs with ``n`` agents."""
        args = (self.lam, self.a, self.aht, self.pat, n, self.t)
        return _erlang_a_flat(*args, asa=asa, virtual=virtual)


def _floor_agents(model: str, iv: _Intervals) -> FloatArray:
    """Structural minimum with calls: ``floor(a) + 1`` (stability) for Erlang C and for
    infinite patience, 1 agent for Erlang A."""
    stable = np.floor(iv.a) + 1.0
    return stable if model == "erlang_c" else np.where(np.isinf(iv.pat), stable, 1.0)


def _staff_erlang_c(iv: _Intervals, tg: _Targets) -> FloatArray:
    """Fewest agents for Erlang C targets (intervals with calls)."""
    lo = _floor_agents("erlang_c", iv)
    if tg.max_occ is not None:  # a/n <= max_occ; shaved so that rounding cannot overshoot
        lo = np.maximum(lo, np.ceil(iv.a / tg.max_occ * (1.0 - 1e-12)))

    def pred(idx: npt.NDArray[np.intp], n: FloatArray) -> BoolArray:
        return _all_met(iv.take(idx).erlang_c(n), tg.take(idx), idx.size)

    guess = _sqrt_staffing_guess(iv.a, iv.t / iv.aht, tg.sl)
    return _search_min(pred, lo, guess)


def _staff_erlang_a(iv: _Intervals, tg: _Targets) -> FloatArray:
    """Fewest agents for Erlang A targets (intervals with calls). The square-root staffing
    guess for Erlang C is close (abandonment usually lets Erlang A staff a little lower);
    ASA, the costly KPI, is checked in a second pass upwards from the answer for the others
    (all KPIs are monotone in ``n``, so this is the joint minimum)."""
    without_asa = _Targets(tg.sl, tg.t, tg.max_ab, None, tg.max_occ)

    def cheap(idx: npt.NDArray[np.intp], n: FloatArray) -> BoolArray:
        k = iv.take(idx).erlang_a(n, asa=False, virtual=False)
        return _all_met(k, without_asa.take(idx), idx.size)

    def every(idx: npt.NDArray[np.intp], n: FloatArray) -> BoolArray:
        return _all_met(iv.take(idx).erlang_a(n, virtual=False), tg.take(idx), idx.size)

    guess = _sqrt_staffing_guess(iv.a, iv.t / iv.aht, tg.sl)
    n = _search_min(cheap, _floor_agents("erlang_a", iv), guess)
    return n if tg.max_asa is None else _search_min(every, n, n)


def _kpis_below(
    model: str, iv: _Intervals, n: FloatArray, lo: FloatArray, asa: bool
) -> dict[str, FloatArray]:
    """KPIs with one agent fewer, where that is above the structural floor (else zeros)."""
    below = np.flatnonzero((iv.lam > 0.0) & (n > lo))
    sub = iv.take(below)
    m = n[below] - 1.0
    part = sub.erlang_c(m) if model == "erlang_c" else sub.erlang_a(m, asa=asa, virtual=False)
    out = {key: np.zeros(n.size, dtype=val.dtype) for key, val in part.items()}
    for key, val in part.items():
        out[key][below] = val
    return out


def _binding(
    model: str,
    n: FloatArray,
    lo: FloatArray,
    below: dict[str, FloatArray],
    tg: _Targets,
    busy: BoolArray,
) -> npt.NDArray[np.str_]:
    """Names of the targets missed with one agent fewer (see :class:`StaffingResult`)."""
    labels = np.full(n.shape, "", dtype=object)
    for name, miss in _failed(below, tg).items():
        labels[miss] = [f"{s}+{name}" if s else name for s in labels[miss]]
    labels[(n <= lo) | (labels == "")] = _STABILITY if model == "erlang_c" else _ONE_AGENT
    labels[~busy] = _NO_CALLS
    return labels.astype(str)


def _gross_up(n: FloatArray, shrinkage: FloatArray) -> FloatArray:
    """``ceil(n / (1 - shrinkage))``, the quotient rounded to 9 decimals first so that an
    exact multiple (21 / 0.7 = 30.000000000000004 in floats) is not pushed up by one."""
    return np.ceil(np.round(n / (1.0 - shrinkage), 9))


def _result(
    model: str, iv: _Intervals, n: FloatArray, shape: tuple[int, ...]
) -> ErlangAResult | ErlangCResult:
    """The public KPI result with ``n`` agents."""
    common = {
        "traffic": _shaped(iv.a, shape),
        "agents": _shaped(n.astype(np.int64), shape),
        "target_s": _shaped(iv.t, shape),
    }
    if model == "erlang_c":
        kpis = {k: _shaped(v, shape) for k, v in iv.erlang_c(n).items()}
        return ErlangCResult(**common, **kpis)
    kpis = {k: _shaped(v, shape) for k, v in iv.erlang_a(n).items()}
    return ErlangAResult(**common, patience_s=_shaped(iv.pat, shape), **kpis)


def required_agents(
    calls: npt.ArrayLike,
    interval_s: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    model: Literal["erlang_a", "erlang_c"] = "erlang_a",
    patience_s: npt.ArrayLike | None = None,
    sl_target: npt.ArrayLike | None = 0.90,
    target_s: npt.ArrayLike = 90.0,
    max_abandon: npt.ArrayLike | None = 0.09,
    max_asa_s: npt.ArrayLike | None = 90.0,
    max_occupancy: npt.ArrayLike | None = None,
    shrinkage: npt.ArrayLike = 0.0,
) -> StaffingResult:
    """Fewest whole agents meeting every given target at once, per interval (vectorised).

    Targets (``None`` switches one off; every numeric argument broadcasts):

    * ``service_level >= sl_target`` (answered within ``target_s`` / offered; ``>=``: the
      agreement's "more than 90 %" is read as "at least", and is met at equality);
    * ``p_abandon <= max_abandon`` -- Erlang A only (ignored for Erlang C, which has no
      abandonment); availability > 91 % <=> abandonment < 9 %;
    * ``asa_s <= max_asa_s`` (mean wait of answered calls);
    * ``occupancy <= max_occupancy``.

    ``model="erlang_c"`` (``patience_s`` ignored) never staffs below ``floor(a) + 1``
    (stability). ``model="erlang_a"`` needs ``patience_s`` (``inf`` allowed: Erlang C) and
    never staffs below 1 agent when there are calls; it can staff below the traffic.
    Zero calls -> 0 agents. The search relies on each KPI being monotone in ``n`` (true
    for these models; checked in the tests) and is exact from any starting point: it starts
    at the square-root-staffing estimate, gallops to bracket the answer and bisects.

    ``agents_gross = ceil(agents / (1 - shrinkage))`` (the quotient rounded to 9 decimals
    first, so that e.g. 21 / 0.7 is 30 and not 31).
    """
    if model not in ("erlang_a", "erlang_c"):
        raise ValueError(f"model must be 'erlang_a' or 'erlang_c', not {model!r}")
    if model == "erlang_a" and patience_s is None:
        raise ValueError("model='erlang_a' needs patience_s (use inf for Erlang C)")
    opts = {"sl": sl_target, "ab": max_abandon, "asa": max_asa_s, "occ": max_occupancy}
    names = [k for k, v in opts.items() if v is not None]
    pat_in = np.inf if (patience_s is None or model == "erlang_c") else patience_s
    targets = [v for k in names if (v := opts[k]) is not None]
    shape, flat = _broadcast(calls, interval_s, aht_s, pat_in, target_s, shrinkage, *targets)
    c, ivl, aht, pat, t, shrink, *rest = flat
    got = dict(zip(names, rest, strict=True))
    _validate_staffing(c, ivl, aht, pat, t, shrink, got)
    iv = _Intervals(lam=c / ivl, a=c * aht / ivl, aht=aht, pat=pat, t=t)
    max_ab = got.get("ab") if model == "erlang_a" else None
    tg = _Targets(got.get("sl"), t, max_ab, got.get("asa"), got.get("occ"))
    busy = iv.lam > 0.0
    live = np.flatnonzero(busy)
    n = np.zeros(c.size)
    staff = _staff_erlang_c if model == "erlang_c" else _staff_erlang_a
    n[live] = staff(iv.take(live), tg.take(live))
    lo = _floor_agents(model, iv)
    below = _kpis_below(model, iv, n, lo, asa=tg.max_asa is not None)
    return StaffingResult(
        agents=_shaped(n.astype(np.int64), shape),
        agents_gross=_shaped(_gross_up(n, shrink).astype(np.int64), shape),
        binding=_shaped(_binding(model, n, lo, below, tg, busy), shape),
        kpis=_result(model, iv, n, shape),
    )


def _validate_staffing(
    c: FloatArray,
    ivl: FloatArray,
    aht: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    shrink: FloatArray,
    got: dict[str, FloatArray],
) -> None:
    """Range checks for :func:`required_agents` (``ValueError`` on failure)."""
    _check("calls", c, lower=0.0, strict=False)
    _check("interval_s", ivl, lower=0.0, strict=True)
    _check("aht_s", aht, lower=0.0, strict=True)
    _check("patience_s", pat, lower=0.0, strict=True, allow_inf=True)
    _check("target_s", t, lower=0.0, strict=False, allow_inf=True)
    _check_fraction("shrinkage", shrink, low=0.0, high=1.0, high_ok=False)
    if "sl" in got:
        _check_fraction("sl_target", got["sl"], low=0.0, high=1.0, high_ok=False)
    if "ab" in got:
        _check("max_abandon", got["ab"], lower=0.0, strict=True)
    if "asa" in got:
        _check("max_asa_s", got["asa"], lower=0.0, strict=True)
    if "occ" in got:
        _check_fraction("max_occupancy", got["occ"], low=0.0, high=1.0, high_ok=True)
        _check("max_occupancy", got["occ"], lower=0.0, strict=True)
