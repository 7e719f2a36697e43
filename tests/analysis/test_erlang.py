"""Tests of ``sim.analysis.erlang``: Erlang B / C / A against independent computations, and staffing.

The references are deliberately independent of the module's closed forms:

* Erlang B: exact rational arithmetic (``fractions``) and the textbook recursion;
* Erlang C: the textbook formula on a pure-Python Erlang B recursion;
* Erlang A: a dense truncated CTMC solved with numpy linear algebra, with the tagged caller's
  waiting time as a phase-type (absorbing CTMC) law evaluated with ``scipy.linalg.expm``
  and matrix inverses; a direct log-space sum over queue lengths with the incomplete beta
  function for large / extreme cases; and a small Monte Carlo simulation of the queue.
"""

from __future__ import annotations

import heapq
import math
import warnings
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.linalg as sla
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special, stats

from sim.analysis import erlang
from sim.analysis.erlang import erlang_a, erlang_b, erlang_c, required_agents, traffic_erlangs

A_FIELDS = (
    "p_wait",
    "p_abandon",
    "service_level",
    "service_level_answered",
    "service_level_virtual",
    "asa_s",
    "mean_wait_all_s",
    "occupancy",
)


@pytest.fixture(autouse=True)
def _no_numpy_warnings() -> Any:
    """Any floating-point warning (division by zero, overflow, invalid) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
            yield


# -- independent references ---------------------------------------------------------------------


def exact_erlang_b(n: int, a: Fraction | int) -> Fraction:
    """``(a^n/n!) / sum_k a^k/k!`` in exact rationals, via ``R_k = k R_{k-1} + a^k``."""
    r: Fraction | int = 1
    ak: Fraction | int = 1
    for k in range(1, n + 1):
        ak *= a
        r = r * k + ak
    return Fraction(ak) / Fraction(r)


def math_erlang_b(n: int, a: float) -> float:
    """Direct ``(a^n/n!) / sum_{k<=n} a^k/k!`` with ``math`` (small ``n`` only)."""
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def textbook_erlang_c(
    calls: float, interval_s: float, aht_s: float, n: int, target_s: float
) -> dict[str, float]:
    """Erlang C the textbook way (B recursion, then C), pure Python; needs ``n > a``."""
    a = calls * aht_s / interval_s
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    c = n * b / (n - a * (1.0 - b))
    return {
        "p_wait": c,
        "service_level": 1.0 - c * math.exp(-(n - a) * target_s / aht_s),
        "asa_s": c * aht_s / (n - a),
        "occupancy": a / n,
    }


def textbook_staffing_c(
    calls: float, interval_s: float, aht_s: float, sl: float, target_s: float
) -> int:
    """The per-interval loop: n from floor(a)+1 upwards until the service level is met."""
    a = calls * aht_s / interval_s
    n = math.floor(a) + 1
    while textbook_erlang_c(calls, interval_s, aht_s, n, target_s)["service_level"] < sl:
        n += 1
    return n


def ctmc_erlang_a(lam: float, aht: float, patience: float, n: int, t: float) -> dict[str, float]:
    """Erlang A by brute force: stationary law of the truncated birth-death CTMC (dense
    linear solve) and the tagged caller as an absorbing CTMC (states: number ahead; exits:
    served, abandoned) -- ``expm`` for the time-t laws, ``(-T)^-1`` for the moments."""
    mu, theta = 1.0 / aht, 1.0 / patience
    big_j = int(3 * lam / theta + 80)
    size = n + big_j + 1
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = lam
        if k > 0:
            q[k, k - 1] = min(k, n) * mu + max(k - n, 0) * theta
        q[k, k] = -q[k].sum()
    lhs = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
    assert pi[-5:].sum() < 1e-14  # truncation is harmless

    def tagged(own_patience: bool) -> np.ndarray:
        g = np.zeros((big_j + 2, big_j + 2))  # big_j transient, then served, abandoned
        for i in range(big_j):
            rate = n * mu + i * theta
            g[i, big_j if i == 0 else i - 1] += rate
            if own_patience:
                g[i, big_j + 1] += theta
            g[i, i] = -g[i].sum()
        return g

    g, gv = tagged(True), tagged(False)
    inv = np.linalg.inv(-g[:big_j, :big_j])
    exit_served = g[:big_j, big_j]
    p_served = inv @ exit_served
    wait_served = inv @ (inv @ exit_served)  # E[V; served] = alpha (-T)^-2 s
    wait_all = inv @ np.ones(big_j)  # E[min(V, tau)]
    served_by_t = sla.expm(g * t)[:big_j, big_j]
    virtual_by_t = sla.expm(gv * t)[:big_j, big_j]
    queued = pi[n : n + big_j]
    free = pi[:n].sum()
    p_ab = float(queued @ (1.0 - p_served))
    sl = free + float(queued @ served_by_t)
    return {
        "p_wait": float(pi[n:].sum()),
        "p_abandon": p_ab,
        "service_level": sl,
        "service_level_answered": sl / (1.0 - p_ab),
        "service_level_virtual": free + float(queued @ virtual_by_t),
        "asa_s": float(queued @ wait_served) / (1.0 - p_ab),
        "mean_wait_all_s": float(queued @ wait_all),
        "occupancy": lam * aht * (1.0 - p_ab) / n,
        "mean_queue": float(pi @ np.maximum(np.arange(size) - n, 0)),
    }


def sum_erlang_a(lam: float, aht: float, patience: float, n: int, t: float) -> dict[str, float]:
    """Erlang A as a direct sum over queue lengths in log space (works for large cases):
    S0 by the log recursion S0(k) = (k/a)(1 + S0(k-1)); queue weights by cumulative sums;
    per-queue-length laws with the regularised incomplete beta function."""
    theta = 1.0 / patience
    a, x, c = lam * aht, lam * patience, n * patience / aht
    log_s0 = -math.inf
    for k in range(1, n + 1):
        log_s0 = math.log(k / a) + float(np.logaddexp(0.0, log_s0))
    size = int(max(x - c, 0.0) + 60.0 * math.sqrt(max(x, c)) + 500)
    j = np.arange(size, dtype=float)
    steps = np.log(x) - np.log(c + j)
    steps[0] = 0.0
    log_w = np.cumsum(steps)
    top = max(float(log_w.max()), log_s0)
    w, s0 = np.exp(log_w - top), math.exp(log_s0 - top)
    total = s0 + w.sum()
    f = c / (c + j + 1.0)
    p = -math.expm1(-theta * t)
    p_ab = float((w * (1.0 - f)).sum() / total)
    waits = (special.digamma(c + j + 2.0) - special.digamma(c + 1.0)) / theta
    return {
        "p_wait": float(w.sum() / total),
        "p_abandon": p_ab,
        "service_level": float((s0 + (w * f * special.betainc(j + 1.0, c + 1.0, p)).sum()) / total),
        "service_level_virtual": float((s0 + (w * special.betainc(j + 1.0, c, p)).sum()) / total),
        "asa_s": float((w * f * waits).sum() / total / (1.0 - p_ab)),
    }


def simulate_erlang_a(
    lam: float, aht: float, patience: float, n: int, t: float, customers: int, seed: int
) -> dict[str, np.ndarray]:
    """FCFS M/M/n+M by simulation; returns per-customer outcomes (after a warm-up).

    Abandoners never take an agent, so a caller's start time is the earliest time an
    agent is free after everyone ahead who was served: a heap of agent-free times."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / lam, customers))
    services = rng.exponential(aht, customers)
    patiences = rng.exponential(patience, customers)
    free = [0.0] * n
    virtual = np.empty(customers)
    answered = np.empty(customers, dtype=bool)
    for i in range(customers):
        v = max(0.0, free[0] - arrivals[i])
        virtual[i] = v
        answered[i] = v < patiences[i]
        if answered[i]:
            heapq.heapreplace(free, arrivals[i] + v + services[i])
    warm = customers // 20
    v, ans, pat = virtual[warm:], answered[warm:], patiences[warm:]
    return {
        "p_wait": (v > 0).astype(float),
        "p_abandon": (~ans).astype(float),
        "service_level": (ans & (v <= t)).astype(float),
        "service_level_virtual": (v <= t).astype(float),
        "mean_wait_all_s": np.minimum(v, pat),
        "answered": ans,
        "wait": v,
    }


def batch_mean_ci(values: np.ndarray, batches: int = 40) -> tuple[float, float]:
    """Mean and standard error by batch means (the customers are correlated)."""
    means = np.array([b.mean() for b in np.array_split(values, batches)])
    return float(values.mean()), float(means.std(ddof=1) / math.sqrt(batches))


# -- Erlang B -----------------------------------------------------------------------------------


def test_erlang_b_known_value() -> None:
    assert erlang_b(10, 5) == pytest.approx(0.018384570336648, rel=1e-12)
    assert erlang_b(1, 2.0) == pytest.approx(2.0 / 3.0, rel=1e-14)


@pytest.mark.parametrize(
    "n,a", [(1, 1), (3, 2), (10, 5), (20, 7), (50, 60), (100, 100), (150, 120)]
)
def test_erlang_b_matches_exact_rationals(n: int, a: int) -> None:
    assert float(erlang_b(n, a)) == pytest.approx(float(exact_erlang_b(n, a)), rel=1e-13)


@pytest.mark.parametrize("n,a", [(5000, 5000), (5200, 5000), (4800, 5000), (6000, 5000)])
def test_erlang_b_large_scale_exact(n: int, a: int) -> None:
    assert float(erlang_b(n, a)) == pytest.approx(float(exact_erlang_b(n, a)), rel=1e-12)


@pytest.mark.parametrize("a", [0.05, 0.5, 2.75, 9.99, 33.3])
def test_erlang_b_fractional_traffic(a: float) -> None:
    n = np.arange(0, 40)
    expected = [math_erlang_b(int(k), a) for k in n]
    np.testing.assert_allclose(erlang_b(n, a), expected, rtol=1e-12)
    rational = Fraction(a).limit_denominator(10**6)
    exact = float(exact_erlang_b(37, rational))
    assert float(erlang_b(37, float(rational))) == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("a", [4999.7, 5000.0, 1234.5])
def test_erlang_b_stable_up_to_6000_agents(a: float) -> None:
    n = np.arange(0, 6001)
    b = erlang_b(n, a)
    assert np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 1))
    assert np.all(np.diff(b) <= 0) and np.all(np.diff(b[b > 1e-300]) < 0)
    rec = np.empty(n.size)  # the (stable) textbook recursion
    rec[0] = 1.0
    for k in range(1, n.size):
        rec[k] = a * rec[k - 1] / (k + a * rec[k - 1])
    keep = rec > 1e-290
    np.testing.assert_allclose(b[keep], rec[keep], rtol=5e-11)


def test_erlang_b_edges_and_shapes() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(0, 0.0) == 1.0
    assert erlang_b(4, 0.0) == 0.0
    assert isinstance(erlang_b(3, 2.0), np.floating)
    grid = erlang_b(np.arange(5)[:, None], np.array([0.5, 1.5, 8.0])[None, :])
    assert grid.shape == (5, 3)
    loop = [[float(erlang_b(int(n), a)) for a in (0.5, 1.5, 8.0)] for n in range(5)]
    np.testing.assert_array_equal(grid, loop)


@pytest.mark.parametrize(
    "n,a", [(-1, 2.0), (2, -0.5), (2.5, 1.0), (np.nan, 1.0), (3, np.nan), (3, np.inf)]
)
def test_erlang_b_rejects_bad_input(n: float, a: float) -> None:
    with pytest.raises(ValueError):
        erlang_b(n, a)


# -- Erlang C -----------------------------------------------------------------------------------


def test_erlang_c_published_example() -> None:
    """100 calls per 30 min, AHT 180 s, 14 agents, 20 s target."""
    r = erlang_c(100, 1800, 180, 14, target_s=20)
    assert round(float(r.p_wait), 7) == 0.1741319
    assert round(float(r.service_level), 5) == 0.88835
    assert round(float(r.asa_s), 4) == 7.8359
    assert round(float(r.occupancy), 3) == 0.714
    assert bool(r.stable)
    assert float(r.traffic) == 10.0


def test_erlang_c_matches_textbook_formula() -> None:
    rng = np.random.default_rng(11)
    for _ in range(60):
        calls, aht = rng.uniform(1, 800), rng.uniform(60, 700)
        t = rng.choice([0.0, 15.0, 60.0, 300.0])
        a = calls * aht / 1800
        n = math.floor(a) + 1 + int(rng.integers(0, 25))
        got = erlang_c(calls, 1800, aht, n, t)
        want = textbook_erlang_c(calls, 1800, aht, n, t)
        for key, val in want.items():
            assert float(getattr(got, key)) == pytest.approx(val, rel=1e-9, abs=1e-14), key


def test_erlang_c_uses_the_interval_length() -> None:
    half_hour = erlang_c(100, 1800, 180, 14, 20)
    hour = erlang_c(100, 3600, 180, 14, 20)
    assert float(hour.traffic) == 5.0
    assert float(hour.p_wait) < float(half_hour.p_wait)
    fifty = erlang_c(50, 1800, 180, 14, 20)
    assert float(hour.p_wait) == pytest.approx(float(fifty.p_wait), rel=1e-14)


def test_erlang_c_agents_equal_whole_traffic() -> None:
    """a = 10 exactly and n = 10: unstable, no division by zero (warnings are errors here)."""
    r = erlang_c(100, 1800, 180, 10, 20)
    assert float(r.traffic) == 10.0
    assert float(r.p_wait) == 1.0 and float(r.service_level) == 0.0
    assert math.isinf(float(r.asa_s)) and float(r.occupancy) == 1.0
    assert not bool(r.stable)


def test_erlang_c_unstable_zero_agents_and_zero_traffic() -> None:
    r = erlang_c([100, 100, 0, 0], 1800, 180, [7, 0, 0, 5], 20)
    np.testing.assert_array_equal(r.p_wait, [1, 1, 0, 0])
    np.testing.assert_array_equal(r.service_level, [0, 0, 1, 1])
    np.testing.assert_array_equal(r.asa_s, [np.inf, np.inf, 0, 0])
    np.testing.assert_array_equal(r.occupancy, [1, np.nan, 0, 0])
    np.testing.assert_array_equal(r.stable, [False, False, True, True])


def test_erlang_c_vectorised_equals_scalar_loop() -> None:
    rng = np.random.default_rng(3)
    calls = rng.uniform(0, 900, (6, 7))
    aht = rng.uniform(60, 600, (1, 7))
    n = rng.integers(0, 320, (6, 7))
    t = rng.choice([0.0, 20.0, 90.0], (6, 1))
    vec = erlang_c(calls, 1800, aht, n, t)
    assert vec.p_wait.shape == (6, 7)
    for i in range(6):
        for j in range(7):
            one = erlang_c(calls[i, j], 1800, aht[0, j], n[i, j], t[i, 0])
            for key in ("p_wait", "service_level", "asa_s", "occupancy"):
                assert np.array_equal(getattr(one, key), getattr(vec, key)[i, j], equal_nan=True)


def test_erlang_c_monotone_in_agents_and_frame() -> None:
    r = erlang_c(400, 1800, 240, np.arange(54, 120), 30)
    assert np.all(np.diff(r.p_wait) < 0) and np.all(np.diff(r.service_level) >= 0)  # SL reaches 1.0
    assert np.all(np.diff(r.asa_s) < 0) and np.all(np.diff(r.occupancy) < 0)
    df = r.to_frame()
    assert len(df) == 66
    assert {"traffic", "agents", "p_wait", "service_level", "asa_s", "occupancy"} <= set(df)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calls": -1},
        {"interval_s": 0},
        {"aht_s": -3},
        {"agents": 3.5},
        {"agents": -1},
        {"target_s": -1},
    ],
)
def test_erlang_c_rejects_bad_input(kwargs: dict[str, float]) -> None:
    args = {"calls": 10, "interval_s": 1800, "aht_s": 180, "agents": 3, "target_s": 20} | kwargs
    with pytest.raises(ValueError):
        erlang_c(**args)


def test_traffic_erlangs() -> None:
    np.testing.assert_allclose(traffic_erlangs([100, 50], [1800, 900], 180), [10.0, 10.0])


# -- Erlang A -----------------------------------------------------------------------------------

CTMC_CASES = [
    # calls per 30 min, aht, agents, patience, target
    (100, 180, 14, 120, 20),
    (100, 180, 5, 120, 20),  # half the traffic staffed
    (100, 180, 8, 60, 90),
    (30, 300, 3, 400, 30),
    (200, 120, 9, 30, 10),
    (25, 200, 1, 100, 60),
    (300, 180, 40, 200, 0),
    (300, 180, 20, 600, 300),
    (10, 600, 2, 5, 20),
]


@pytest.mark.parametrize("calls,aht,n,patience,t", CTMC_CASES)
def test_erlang_a_matches_brute_force_ctmc(
    calls: float, aht: float, n: int, patience: float, t: float
) -> None:
    lam = calls / 1800
    got = erlang_a(calls, 1800, aht, n, patience, t)
    want = ctmc_erlang_a(lam, aht, patience, n, t)
    for key in A_FIELDS:
        assert float(getattr(got, key)) == pytest.approx(want[key], rel=1e-8, abs=1e-13), key
    # flow balance: abandonment rate = theta * E[queue]; Little: lam * E[time in queue] = E[queue]
    assert lam * float(got.p_abandon) == pytest.approx(want["mean_queue"] / patience, rel=1e-8)
    assert lam * float(got.mean_wait_all_s) == pytest.approx(want["mean_queue"], rel=1e-8)


MC_CHECKS = 7
"""The Monte Carlo comparisons of :func:`test_erlang_a_matches_monte_carlo` (five all-caller
shares and means, the answered callers' ASA and service level)."""
MC_BATCHES = 40
T_MC = float(stats.t.ppf(1 - 0.001 / (2 * MC_CHECKS), MC_BATCHES - 1))
"""4.22: two-sided t quantile (39 df: a batch-means standard error from 40 batches) at the
Bonferroni level 0.001 / 7, so a correct formula fails one of the seven checks once in a thousand seeds."""


def test_erlang_a_matches_monte_carlo() -> None:
    """Each steady-state quantity against the simulation's mean over 114,000 callers (120,000 less
    the warm-up) with a batch-means standard error (40 batches; (mean − truth) / SE is then about
    t with 39 df): within T_MC (4.22) standard errors, a family-wise 99.9 % interval over the 7 checks."""
    lam, aht, patience, n, t = 0.05, 180.0, 150.0, 9, 20.0
    sim = simulate_erlang_a(lam, aht, patience, n, t, customers=120_000, seed=20240)
    got = erlang_a(lam * 1800, 1800, aht, n, patience, t)
    for key in ("p_wait", "p_abandon", "service_level", "service_level_virtual", "mean_wait_all_s"):
        mean, se = batch_mean_ci(sim[key], MC_BATCHES)
        assert abs(float(getattr(got, key)) - mean) < T_MC * se + 1e-12, (key, mean, se)
    ans = sim["answered"]
    mean, se = batch_mean_ci(sim["wait"][ans], MC_BATCHES)
    assert abs(float(got.asa_s) - mean) < T_MC * se, ("asa", mean, se)
    mean, se = batch_mean_ci((sim["wait"] <= t)[ans].astype(float), MC_BATCHES)
    assert abs(float(got.service_level_answered) - mean) < T_MC * se, ("sl_answered", mean, se)


@pytest.mark.parametrize(
    "calls,aht,n,patience,t",
    [
        (50000, 180, 5200, 300, 20),  # 5,000 Erlangs
        (50000, 180, 4800, 300, 20),  # under-staffed: abandonment keeps it finite
        (50000, 180, 6000, 300, 90),
        (100, 180, 30, 1e5, 20),  # long patience, incomplete gamma underflows -> series
        (100, 180, 3, 1e5, 20),
        (2000, 120, 1, 10, 90),
        (2000, 600, 400, 60, 90),
        (2000, 600, 900, 600, 90),
        (1, 600, 50, 3000, 90),
        (3000, 300, 450, 20, 0),
    ],
)
def test_erlang_a_matches_direct_sum_large_and_extreme(
    calls: float, aht: float, n: int, patience: float, t: float
) -> None:
    got = erlang_a(calls, 1800, aht, n, patience, t)
    want = sum_erlang_a(calls / 1800, aht, patience, n, t)
    for key, val in want.items():
        assert float(getattr(got, key)) == pytest.approx(val, rel=1e-9, abs=1e-13), key


def test_erlang_a_random_against_direct_sum() -> None:
    rng = np.random.default_rng(8)
    for _ in range(40):
        calls, aht = rng.uniform(1, 6000), rng.uniform(60, 900)
        patience = math.exp(rng.uniform(math.log(5), math.log(1e4)))
        n = max(1, int(rng.uniform(0.3, 1.8) * calls * aht / 1800))
        t = float(rng.choice([0.0, 20.0, 90.0, 600.0]))
        got = erlang_a(calls, 1800, aht, n, patience, t)
        for key, val in sum_erlang_a(calls / 1800, aht, patience, n, t).items():
            assert float(getattr(got, key)) == pytest.approx(val, rel=1e-8, abs=1e-12), key


def test_erlang_a_long_patience_tends_to_erlang_c() -> None:
    n = np.array([11, 14, 20, 40])
    c = erlang_c(100, 1800, 180, n, 20)
    for patience in (1e6, 1e9):
        a = erlang_a(100, 1800, 180, n, patience, 20)
        # exact bound: a caller abandons only if their patience ends before their wait, and
        # the wait is shorter than with nobody abandoning, so P(ab) <= E[W_C]/patience
        bound = c.asa_s / patience
        assert np.all(a.p_abandon <= bound)
        # abandonment shortens the queue for those who stay, and costs at most the abandoners
        assert np.all(a.p_wait <= c.p_wait + 1e-15) and np.all(a.asa_s <= c.asa_s + 1e-12)
        assert np.all(a.service_level >= c.service_level - bound - 1e-12)  # 1e-12: float rounding near 1
    # ... and the gap closes as patience grows (the bound itself is O(1/patience))
    exact = erlang_a(100, 1800, 180, n, np.inf, 20)
    for key in ("p_wait", "service_level", "asa_s", "occupancy"):
        np.testing.assert_array_equal(getattr(exact, key), getattr(c, key))
    np.testing.assert_array_equal(exact.p_abandon, 0.0)
    np.testing.assert_array_equal(exact.mean_wait_all_s, c.asa_s)


def test_erlang_a_understaffed_is_finite() -> None:
    r = erlang_a(100, 1800, 180, np.arange(1, 11), 120, 20)  # a = 10
    for key in A_FIELDS:
        v = getattr(r, key)
        assert np.all(np.isfinite(v)), key
    assert np.all((r.p_abandon > 0) & (r.p_abandon < 1)) and np.all(r.occupancy <= 1)
    # heavy overload: carried load ~ n, so p_abandon ~ 1 - n/a
    big = erlang_a(10000, 1800, 180, 100, 120, 20)
    # exact bounds: occupancy <= 1 gives p_abandon >= 1 - n/a; a busy agent's leftover work
    # keeps it below 1 - n/a + n/(a·(1 + patience/aht))-order terms: just check the floor and < 1
    assert 1 - 100 / 1000 <= float(big.p_abandon) < 1
    assert float(big.occupancy) == pytest.approx(1.0, abs=1e-6) and float(big.occupancy) <= 1.0


def test_erlang_a_identities() -> None:
    rng = np.random.default_rng(5)
    calls = rng.uniform(1, 3000, 300)
    aht = rng.uniform(60, 600, 300)
    patience = rng.uniform(10, 900, 300)
    n = np.maximum(1, (calls * aht / 1800 * rng.uniform(0.5, 1.5, 300)).astype(int))
    r = erlang_a(calls, 1800, aht, n, patience, 60)
    answered = 1 - r.p_abandon
    np.testing.assert_allclose(r.service_level, r.service_level_answered * answered, rtol=1e-12)
    np.testing.assert_allclose(r.occupancy, calls * aht / 1800 * (1 - r.p_abandon) / n, rtol=1e-9)
    assert np.all(r.p_abandon <= r.p_wait)
    assert np.all(r.service_level <= r.service_level_virtual + 1e-12)
    zero = erlang_a(calls, 1800, aht, n, patience, 0.0)
    np.testing.assert_allclose(zero.service_level, 1 - zero.p_wait, rtol=1e-12, atol=1e-14)
    forever = erlang_a(calls, 1800, aht, n, patience, np.inf)
    np.testing.assert_allclose(forever.service_level, 1 - forever.p_abandon, rtol=1e-12)
    np.testing.assert_allclose(forever.service_level_virtual, 1.0)
    # abandonment only helps the callers who stay (same agents, stable Erlang C)
    a = calls * aht / 1800
    m = np.floor(a) + 1 + rng.integers(0, 20, 300)
    ea, ec = erlang_a(calls, 1800, aht, m, patience, 60), erlang_c(calls, 1800, aht, m, 60)
    assert np.all(ea.p_wait <= ec.p_wait) and np.all(ea.asa_s <= ec.asa_s)
    assert np.all(ea.service_level_answered >= ec.service_level - 1e-12)


def test_erlang_a_monotone_in_agents() -> None:
    rng = np.random.default_rng(6)
    tol = 1e-12
    for _ in range(25):
        calls, aht, patience = rng.uniform(1, 3000), rng.uniform(60, 900), rng.uniform(5, 2000)
        t = float(rng.choice([0.0, 20.0, 90.0, 300.0]))
        n = np.arange(1, int(2 * calls * aht / 1800) + 30)
        r = erlang_a(calls, 1800, aht, n, patience, t)
        assert np.all(np.diff(r.service_level) >= -tol)
        assert np.all(np.diff(r.p_abandon) <= tol) and np.all(np.diff(r.p_wait) <= tol)
        assert np.all(np.diff(r.asa_s) <= tol * r.asa_s[:-1] + tol)
        assert np.all(np.diff(r.occupancy) <= tol)


def test_erlang_a_edge_conventions() -> None:
    r = erlang_a([10, 0, 0], 1800, 180, [0, 0, 4], 100, 20)
    np.testing.assert_array_equal(r.p_wait, [1, 0, 0])
    np.testing.assert_array_equal(r.p_abandon, [1, 0, 0])
    np.testing.assert_array_equal(r.service_level, [0, 1, 1])
    np.testing.assert_array_equal(r.service_level_virtual, [0, 1, 1])
    np.testing.assert_array_equal(r.service_level_answered, [np.nan, 1, 1])
    np.testing.assert_array_equal(r.asa_s, [np.nan, 0, 0])
    np.testing.assert_array_equal(r.mean_wait_all_s, [100, 0, 0])
    np.testing.assert_array_equal(r.occupancy, [np.nan, 0, 0])
    with pytest.raises(ValueError):
        erlang_a(10, 1800, 180, 3, 0.0)
    with pytest.raises(ValueError):
        erlang_a(10, 1800, 180, 3.2, 60)


def test_erlang_a_scalar_and_frame() -> None:
    r = erlang_a(100, 1800, 180, 14, 120, 20)
    assert isinstance(r.p_wait, np.floating) and isinstance(r.agents, np.integer)
    df = erlang_a(100, 1800, 180, [12, 13, 14], 120, 20).to_frame()
    assert list(df["agents"]) == [12, 13, 14] and set(A_FIELDS) <= set(df.columns)


# -- required_agents --------------------------------------------------------------------------


def meets(
    k: Any, model: str, sl: float | None, ab: float | None, asa: float | None, occ: float | None
) -> np.ndarray:
    """Whether the public KPIs meet every given target."""
    ok = np.ones(np.shape(k.service_level), dtype=bool)
    if sl is not None:
        ok &= k.service_level >= sl
    if ab is not None and model == "erlang_a":
        ok &= k.p_abandon <= ab
    if asa is not None:
        ok &= k.asa_s <= asa
    if occ is not None:
        ok &= k.occupancy <= occ
    return ok


def kpis_at(model: str, calls: Any, aht: Any, n: Any, patience: Any, t: Any) -> Any:
    if model == "erlang_c":
        return erlang_c(calls, 1800, aht, n, t)
    return erlang_a(calls, 1800, aht, n, patience, t)


@pytest.mark.parametrize("model", ["erlang_c", "erlang_a"])
@pytest.mark.parametrize(
    "targets",
    [
        {"sl": 0.9, "ab": 0.09, "asa": 90.0, "occ": None},
        {"sl": 0.8, "ab": None, "asa": None, "occ": 0.85},
        {"sl": None, "ab": 0.05, "asa": 20.0, "occ": None},
        {"sl": 0.95, "ab": 0.02, "asa": 10.0, "occ": 0.9},
    ],
)
def test_required_agents_is_the_minimum(model: str, targets: dict[str, float | None]) -> None:
    rng = np.random.default_rng(42)
    size = 1500
    calls = rng.uniform(0, 2500, size)
    calls[:40] = 0.0
    calls[40:80] = rng.uniform(0, 3, 40)  # tiny traffic
    aht = rng.uniform(60, 700, size)
    patience = rng.uniform(20, 900, size)
    t = rng.choice([0.0, 20.0, 60.0, 90.0], size)
    r = required_agents(
        calls, 1800, aht, model=model, patience_s=patience, sl_target=targets["sl"], target_s=t,
        max_abandon=targets["ab"], max_asa_s=targets["asa"], max_occupancy=targets["occ"],
    )
    n = r.agents
    busy = calls > 0
    assert n.dtype.kind == "i" and np.all(n[~busy] == 0) and np.all(r.binding[~busy] == "none")
    ok_at = meets(kpis_at(model, calls, aht, n, patience, t), model, **targets)
    below = kpis_at(model, calls, aht, np.maximum(n - 1, 0), patience, t)
    ok_below = meets(below, model, **targets)
    assert np.all(ok_at[busy])
    assert not np.any(ok_below[busy & (n >= 2)])
    if model == "erlang_c":
        assert np.all(n[busy] >= np.floor(calls * aht / 1800)[busy] + 1)
    else:
        assert np.all(n[busy] >= 1)
    # the returned KPIs are those at the returned staffing
    at = kpis_at(model, calls, aht, n, patience, t)
    np.testing.assert_array_equal(r.kpis.service_level, at.service_level)


def test_required_agents_erlang_c_equals_textbook_loop() -> None:
    rng = np.random.default_rng(7)
    calls, aht = rng.uniform(1, 2000, 300), rng.uniform(60, 600, 300)
    sl, t = rng.uniform(0.5, 0.97, 300), rng.choice([5.0, 20.0, 90.0], 300)
    got = required_agents(calls, 1800, aht, "erlang_c", sl_target=sl, target_s=t, max_asa_s=None)
    rows = zip(calls, aht, sl, t, strict=True)
    want = [textbook_staffing_c(c, 1800, h, s, tt) for c, h, s, tt in rows]
    np.testing.assert_array_equal(got.agents, want)


def test_required_agents_published_example() -> None:
    """100 calls / 30 min, AHT 180 s, 80 % in 20 s: 14 agents (0.888); 13 give 0.7956."""
    r = required_agents(100, 1800, 180, "erlang_c", sl_target=0.8, target_s=20, max_asa_s=None)
    assert int(r.agents) == 14 == textbook_staffing_c(100, 1800, 180, 0.8, 20)
    assert round(float(erlang_c(100, 1800, 180, 13, 20).service_level), 4) == 0.7956
    assert float(erlang_c(100, 1800, 180, int(r.agents) - 1, 20).service_level) < 0.8
    assert str(r.binding) == "service_level"


def test_required_agents_shrinkage_gross_up() -> None:
    calls = np.array([0, 3, 100, 550, 1200, 2000])
    base = required_agents(calls, 1800, 240, "erlang_c")
    for shrink in ("0.1", "0.25", "0.3", "0.35", "0.5"):
        r = required_agents(calls, 1800, 240, "erlang_c", shrinkage=float(shrink))
        np.testing.assert_array_equal(r.agents, base.agents)
        want = [math.ceil(Fraction(int(n)) / (1 - Fraction(shrink))) for n in base.agents]
        np.testing.assert_array_equal(r.agents_gross, want)
    # exact multiples must not be pushed up by floating-point noise: in floats 21 / (1 - 0.3)
    # is 30.000000000000004. With no targets Erlang C staffs floor(a) + 1, so a = 20.5 -> 21.
    r = required_agents(
        [205, 415], 1800, 180, "erlang_c", sl_target=None, max_asa_s=None, shrinkage=0.3
    )
    np.testing.assert_array_equal(r.agents, [21, 42])
    np.testing.assert_array_equal(r.agents_gross, [30, 60])


def test_required_agents_zero_calls_and_scalars() -> None:
    r = required_agents(0, 1800, 180, "erlang_a", patience_s=120)
    assert int(r.agents) == 0 and int(r.agents_gross) == 0 and str(r.binding) == "none"
    r = required_agents(100, 1800, 180, "erlang_a", patience_s=120)
    assert isinstance(r.agents, np.integer) and isinstance(r.kpis.p_abandon, np.floating)
    grid = required_agents([[0, 10], [100, 1000]], 1800, 180, "erlang_a", patience_s=[120, np.inf])
    df = grid.to_frame()
    assert len(df) == 4 and {"agents", "agents_gross", "binding", "p_abandon"} <= set(df.columns)


def test_required_agents_binding_is_consistent() -> None:
    rng = np.random.default_rng(9)
    calls, aht = rng.uniform(1, 2000, 800), rng.uniform(60, 700, 800)
    patience = rng.uniform(30, 600, 800)
    r = required_agents(calls, 1800, aht, "erlang_a", patience, max_occupancy=0.9)
    below = erlang_a(calls, 1800, aht, r.agents - 1, patience, 90)
    checks = {
        "service_level": below.service_level < 0.9,
        "p_abandon": below.p_abandon > 0.09,
        "asa": ~(below.asa_s <= 90),
        "occupancy": ~(below.occupancy <= 0.9),
    }
    for i, label in enumerate(r.binding):
        if label == "at_least_one_agent":
            assert r.agents[i] == 1
            continue
        assert set(label.split("+")) == {k for k, v in checks.items() if v[i]}
    c = required_agents(calls, 1800, aht, "erlang_c", sl_target=None, max_asa_s=None)
    assert set(c.binding) == {"stability"}
    np.testing.assert_array_equal(c.agents, np.floor(calls * aht / 1800) + 1)


def test_erlang_a_staffs_no_more_than_erlang_c_where_that_holds() -> None:
    """Abandonment lowers P(wait) and ASA, so for a P(wait) target (target_s = 0) or an ASA
    target Erlang A never needs more agents than Erlang C. For "answered within t over
    offered" it can: with patience much shorter than t, callers who would have been answered
    in time under Erlang C abandon first."""
    rng = np.random.default_rng(4)
    calls, aht = rng.uniform(1, 2000, 2000), rng.uniform(60, 900, 2000)
    patience = np.exp(rng.uniform(0.0, math.log(3000), 2000))
    sl = rng.uniform(0.5, 0.98, 2000)
    common = {"max_abandon": None, "max_asa_s": None}
    a0 = required_agents(
        calls, 1800, aht, "erlang_a", patience, sl_target=sl, target_s=0.0, **common
    )
    c0 = required_agents(calls, 1800, aht, "erlang_c", sl_target=sl, target_s=0.0, **common)
    assert np.all(a0.agents <= c0.agents)
    asa = rng.uniform(1, 200, 2000)
    a1 = required_agents(
        calls, 1800, aht, "erlang_a", patience, sl_target=None, max_abandon=None, max_asa_s=asa
    )
    c1 = required_agents(calls, 1800, aht, "erlang_c", sl_target=None, max_asa_s=asa)
    assert np.all(a1.agents <= c1.agents)
    # the counter-example: patience 2 s, target 300 s, 98 %
    a2 = required_agents(1500, 1800, 165, "erlang_a", 2.0, sl_target=0.98, target_s=300, **common)
    c2 = required_agents(1500, 1800, 165, "erlang_c", sl_target=0.98, target_s=300, **common)
    assert int(a2.agents) > int(c2.agents)


def test_required_agents_infinite_patience_is_erlang_c() -> None:
    calls = np.array([3, 100, 700, 1500])
    a = required_agents(calls, 1800, 200, "erlang_a", np.inf)
    c = required_agents(calls, 1800, 200, "erlang_c")
    np.testing.assert_array_equal(a.agents, c.agents)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": "erlang_x"},
        {"model": "erlang_a", "patience_s": None},
        {"sl_target": 1.0},
        {"sl_target": -0.1},
        {"shrinkage": 1.0},
        {"max_occupancy": 1.5},
        {"max_abandon": 0.0},
        {"calls": -5},
    ],
)
def test_required_agents_rejects_bad_input(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "calls": 100, "interval_s": 1800, "aht_s": 180, "model": "erlang_a", "patience_s": 120
    }
    with pytest.raises(ValueError):
        required_agents(**(args | kwargs))


def test_search_is_exact_from_any_guess() -> None:
    rng = np.random.default_rng(1)
    answer = rng.integers(1, 5000, 400).astype(float)
    lo = np.floor(answer * rng.uniform(0, 1, 400))
    lo = np.minimum(lo, answer)

    def pred(idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        return n >= answer[idx]

    guesses = (lo, answer, answer - 1, answer + 1, rng.uniform(0, 20000, 400), np.full(400, 1e6))
    for guess in guesses:
        np.testing.assert_array_equal(erlang._search_min(pred, lo, guess), answer)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    calls=st.floats(0.5, 4000),
    aht=st.floats(30, 900),
    patience=st.floats(1, 5000),
    t=st.sampled_from([0.0, 10.0, 20.0, 90.0, 300.0]),
    sl=st.floats(0.05, 0.99),
    ab=st.one_of(st.none(), st.floats(0.005, 0.5)),
    asa=st.one_of(st.none(), st.floats(0.5, 300)),
    model=st.sampled_from(["erlang_a", "erlang_c"]),
)
def test_required_agents_property(
    calls: float,
    aht: float,
    patience: float,
    t: float,
    sl: float,
    ab: float | None,
    asa: float | None,
    model: str,
) -> None:
    targets: dict[str, float | None] = {"sl": sl, "ab": ab, "asa": asa, "occ": None}
    r = required_agents(
        calls, 1800, aht, model=model, patience_s=patience, sl_target=sl, target_s=t,
        max_abandon=ab, max_asa_s=asa,
    )
    n = int(r.agents)
    assert bool(meets(kpis_at(model, calls, aht, n, patience, t), model, **targets))
    if n >= 2:
        assert not bool(meets(kpis_at(model, calls, aht, n - 1, patience, t), model, **targets))


def test_scipy_special_is_imported_by_one_accessor_when_a_formula_first_runs() -> None:
    """``import sim.analysis.erlang`` loads no SciPy (start-up, issue 23 item 16); the formulas
    get ``scipy.special`` from one cached accessor, imported on the first call."""
    import inspect
    import subprocess
    import sys
    from pathlib import Path

    source = inspect.getsource(erlang)
    assert source.count("from scipy import special") == 1 and source.count("import scipy") == 0
    assert erlang._special() is special and erlang._special.cache_info().currsize == 1
    probe = ("import sys, sim.analysis.erlang as E\nbefore = sorted(m for m in sys.modules if m.startswith('scipy'))\n"
             "r = E.erlang_a(100.0, 1800.0, 300.0, 20, 120.0)\nprint(before, 'scipy.special' in sys.modules, float(r.service_level) > 0)")
    root = Path(erlang.__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, env={"PYTHONPATH": str(root), "PATH": ""}, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["[]", "True", "True"]
