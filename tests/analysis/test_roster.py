"""The rostering integer program on small cases whose optimum is known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.roster import BreakRule, Infeasible, Template, on_phones, on_shift, overlapping_windows, solve

H = 60  # one-hour slots keep the cases small enough to check by hand: a day 08:00-12:00 has 4 slots


def day(t: Template, need: list[int], **kw):
    return solve(t, 8 * H, 12 * H, np.array(need), **kw)


def test_one_shift_type_needs_the_peak() -> None:
    t = Template(H, (8 * H,), (4 * H,))
    sol = day(t, [2, 3, 1, 0])
    assert sol.counts.tolist() == [3] and sol.paid_min == 3 * 4 * H
    assert sol.lp_bound_min == pytest.approx(sol.paid_min) and sol.gap == pytest.approx(0.0)


def test_short_shifts_chain() -> None:
    # 2-hour shifts at 08, 09, 10: slot 08 needs the 08 shift, slot 11 the 10 shift; both cover all
    t = Template(H, (8 * H, 9 * H, 10 * H), (2 * H,))
    sol = day(t, [1, 1, 1, 1])
    assert [(p.start // H, c) for p, c in zip(sol.patterns, sol.counts, strict=True)] == [(8, 1), (10, 1)]
    assert sol.paid_min == 4 * H


def test_breaks_are_staggered() -> None:
    # one 4-hour shift, a paid 1-hour break at 09:00 or 10:00, one agent needed all the time:
    # two agents, one on break at 09, the other at 10 (8 paid hours)
    t = Template(H, (8 * H,), (4 * H,), (BreakRule(H, H, 2 * H),))
    sol = day(t, [1, 1, 1, 1])
    assert sol.paid_min == 8 * H
    assert sorted(p.breaks[0][0] // H for p, c in zip(sol.patterns, sol.counts, strict=True) for _ in range(c)) == [9, 10]
    assert on_phones(sol.patterns, sol.counts, 8 * H, 12 * H, H).tolist() == [2, 1, 1, 2]
    assert on_shift(sol.patterns, sol.counts, 8 * H, 12 * H, H).tolist() == [2, 2, 2, 2]


def test_unpaid_lunch_is_not_paid() -> None:
    t = Template(H, (8 * H,), (4 * H,), (BreakRule(H, 2 * H, 2 * H, paid=False),))
    sol = day(t, [1, 1, 0, 1])
    assert sol.counts.tolist() == [1] and sol.paid_min == 3 * H


def test_part_time_share_limits_the_cheap_shifts() -> None:
    # need [2, 2, 1, 1]: 2-hour shifts (part-time) cost 6 h (two at 08, one at 10); full 4-hour shifts 8 h
    t = Template(H, (8 * H, 10 * H), (2 * H, 4 * H), part_time_below_min=3 * H)
    assert day(t, [2, 2, 1, 1]).paid_min == 6 * H
    # at most half part-time: one full shift + one part-time at 08 = 6 h still
    assert day(t, [2, 2, 1, 1], part_time_share=0.5).paid_min == 6 * H
    # at most 40 %: (1 full, 1 part) is 50 %, so two full shifts, 8 h
    sol = day(t, [2, 2, 1, 1], part_time_share=0.4)
    assert sol.paid_min == 8 * H and all(not p.part_time for p in sol.patterns)


def test_max_agents_and_uncoverable_slots_are_named() -> None:
    t = Template(H, (8 * H,), (2 * H,))
    with pytest.raises(Infeasible) as e:
        day(t, [1, 1, 1, 0])
    assert e.value.slots == [2]  # 10:00: no 2-hour shift starting at 08 reaches it
    with pytest.raises(Infeasible) as e:
        day(Template(H, (8 * H,), (4 * H,)), [3, 1, 1, 0], max_agents=2)
    assert e.value.slots == [0]
    with pytest.raises(Infeasible) as e:  # each slot alone is fine, the limit on the day is not
        day(Template(H, (8 * H, 10 * H), (2 * H,)), [2, 2, 2, 2], max_agents=3)
    assert e.value.slots == []


def test_fixed_break_cannot_cover_its_slot() -> None:
    t = Template(H, (8 * H,), (4 * H,), (BreakRule(H, H, H),))  # everyone breaks at 09
    with pytest.raises(Infeasible) as e:
        day(t, [1, 1, 1, 1])
    assert e.value.slots == [1]


def test_overlapping_windows_are_reported() -> None:
    t = Template(H, (8 * H,), (4 * H,), (BreakRule(H, H, 2 * H), BreakRule(H, 2 * H, 3 * H)))
    assert overlapping_windows(t) == [(4 * H, 0, 1)]


@pytest.mark.parametrize("seed", range(5))
def test_coverage_never_below_requirement(seed: int) -> None:
    # default-like templates on 15-minute slots, random requirements 08:00-17:00
    rng = np.random.default_rng(seed)
    rules = (BreakRule(15, 60, 120, 240), BreakRule(30, 180, 270, 360, paid=False), BreakRule(15, 300, 390, 420))
    t = Template(15, tuple(range(480, 781, 30)), tuple(h * 60 for h in (4, 5, 6, 7, 8, 9)), rules, 360)
    need = np.repeat(rng.integers(0, 8, size=18), 2)
    sol = solve(t, 480, 1020, need, part_time_share=0.3)
    assert (on_phones(sol.patterns, sol.counts, 480, 1020, 15) >= need).all()
    assert sol.lp_bound_min <= sol.paid_min + 1e-6 and 0 <= sol.gap < 0.2
    for p in sol.patterns:  # every agent's day follows the template
        assert p.start in t.starts and p.length in t.lengths
        rules_of = [r for r in rules if p.length >= r.min_shift_min]
        assert len(p.breaks) == len(rules_of)
        for (b, m), r in zip(p.breaks, rules_of, strict=True):
            assert m == r.minutes and p.start + r.earliest_min <= b <= p.start + r.latest_min


def test_a_minimum_gap_between_breaks_is_kept() -> None:
    """Two 1-hour breaks (09 or 10, then 11 or 12) in 08:00-14:00 shifts; nobody may break at
    12 and one agent at a time at 09 and 10. Without a gap two agents do (one breaks 10-11
    and again 11-12); with gap_min 60 that day is not allowed and a third agent is needed
    (issue 23.14: a break 15 minutes after the lunch)."""
    rules = (BreakRule(H, H, 2 * H), BreakRule(H, 3 * H, 4 * H))
    need = np.array([2, 1, 1, 0, 2, 2])
    tight = solve(Template(H, (8 * H,), (6 * H,), rules), 8 * H, 14 * H, need)
    assert tight.paid_min == 2 * 6 * H and ((10 * H, H), (11 * H, H)) in [p.breaks for p in tight.patterns]
    spread = solve(Template(H, (8 * H,), (6 * H,), rules, gap_min=60), 8 * H, 14 * H, need)
    assert spread.paid_min == 3 * 6 * H and spread.status == "optimal"
    for p in spread.patterns:
        (a, m), (b, _) = p.breaks
        assert b - (a + m) >= 60, p
    assert (on_phones(spread.patterns, spread.counts, 8 * H, 14 * H, H) >= need).all()
