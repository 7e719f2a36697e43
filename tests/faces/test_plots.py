"""The weekday step panels shared by the staffing plots: one panel per weekday of the table."""

from __future__ import annotations

import struct
from pathlib import Path

import pandas as pd

import sim
from sim.analysis.planning import erlang_plan
from sim.faces.plots import intraday_queue, staffing_plan, weekday_steps, worst_days


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_one_panel_per_weekday_of_the_plan(tmp_path: Path) -> None:
    plan = erlang_plan(sim.load_scenario("default"))
    days = plan["weekday"].nunique()
    width, height = _png_size(staffing_plan(plan, tmp_path / "plan.png"))
    assert days == 5 and (width, height) == (round(3.2 * days * 110), 4 * 110)


def test_two_weekdays_give_two_panels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"weekday": ["sat", "sat", "mon", "mon"], "interval_start": ["08:00", "08:30"] * 2,
                          "a": [1, 2, 3, 4], "b": [2, 2, 2, 2]})
    out = weekday_steps(frame, [("a", "A"), ("b", "B")], tmp_path / "x.png", title="t", ylabel="agents", fill=("b", "B"))
    assert _png_size(out) == (round(3.2 * 2 * 110), 4 * 110)


def test_the_worst_day_of_each_interval_is_named_by_its_date(tmp_path: Path) -> None:
    frame = pd.DataFrame({"period": ["2026-12-01 08:00", "2026-12-02 08:00", "2026-12-01 08:30", "2026-12-02 08:30"],
                          "asa_s": [5.0, 40.0, 12.0, 3.0], "answered": [10, 10, 10, 10]})
    worst = worst_days(frame)
    assert worst["asa_s"].to_dict() == {"08:00": 40.0, "08:30": 12.0}
    assert [f"{d:%d %b}" for d in worst["period"]] == ["02 Dec", "01 Dec"]
    assert intraday_queue(frame, sim.load_scenario("default").targets, tmp_path / "q.png").stat().st_size > 5_000


def test_one_worst_date_for_every_interval_is_said_once_in_the_legend(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A one-day run: its only day is the worst of every interval; the date is said once in the
    legend instead of beside each of the ~20 dots (which also cost a quarter of the plot's time)."""
    import matplotlib.text

    from sim.faces import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, **_: figures.append(fig) or path)
    targets = sim.load_scenario("default").targets
    two_days = pd.DataFrame({"period": ["2026-12-01 08:00", "2026-12-02 08:00", "2026-12-01 08:30", "2026-12-02 08:30"],
                             "asa_s": [5.0, 40.0, 12.0, 3.0], "answered": [10, 10, 10, 10]})
    one_day = pd.DataFrame({"period": ["2026-12-01 08:00", "2026-12-01 08:30", "2026-12-01 09:00"],
                            "asa_s": [5.0, 40.0, 12.0], "answered": [10, 10, 10]})
    for frame in (two_days, one_day):
        intraday_queue(frame, targets, tmp_path / "q.png")
    (ax2,), (ax1,) = (f.axes for f in figures)
    dated = [t.get_text() for t in ax2.texts if isinstance(t, matplotlib.text.Annotation)]
    assert dated == ["02 Dec", "01 Dec"] and "worst day (its date beside the dot)" in [t.get_text() for t in ax2.get_legend().get_texts()]
    assert not [t for t in ax1.texts if isinstance(t, matplotlib.text.Annotation)]
    assert "worst day: 01 Dec, in every interval" in [t.get_text() for t in ax1.get_legend().get_texts()]


def test_the_daily_comparison_of_a_short_run_ticks_whole_days(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Two days of a comparison: the date axis names the two dates, not every third hour
    ("12-01 00, 12-01 03, …" stood under the report's daily plot)."""
    from sim.faces import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, **_: figures.append(fig) or path)
    rows = [{"scenario": lb, "kpi": k, "period": day, "mean": 0.95, "ci_low": 0.9, "ci_high": 0.99}
            for lb in ("a", "b") for k in ("service_level", "availability") for day in ("2026-12-01", "2026-12-02")]
    plots.compare_daily(pd.DataFrame(rows), sim.load_scenario("default").targets, tmp_path / "d.png")
    (fig,) = figures
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels() if t.get_text()]
    assert ticks == ["2026-12-01", "2026-12-02"], ticks
