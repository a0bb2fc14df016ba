"""Analytics on histories built for each insight, recommendations with their numbers,
and the adapter over the pipeline's run/step tables."""

from __future__ import annotations

import datetime as dt

import pytest

from arxconsole.engine.monitor.alerts import AlertRecord
from arxconsole.engine.monitor.analytics import (
    analyze, failure_hot_spots, run_time_trend, slowest_steps, step_duration_table, success_trend, system_rates)
from arxconsole.engine.monitor.history import (
    DatabaseHistory, ListHistory, RunRecord, StepRecord, failure_rate, timeline_markers)

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)


def run(i, system="electrical", state="succeeded", steps=(), day=0, minute=0, duration=None):
    start = NOW - dt.timedelta(days=day, minutes=minute + 1)
    total = duration if duration is not None else sum(s.duration_s or 0 for s in steps)
    return RunRecord(system, f"r{i}", start, start + dt.timedelta(seconds=total), state, tuple(steps))


def steps_of(**durations):
    return [StepRecord(k.replace("_", "-"), "succeeded", v) for k, v in durations.items()]


def test_success_trend_per_system_per_day_excludes_cancelled():
    runs = [run(1, day=1), run(2, day=1, state="failed"), run(3, day=1, state="cancelled"),
            run(4, day=0), run(5, day=0, state="rolled_back"), run(6, day=0, minute=5),
            run(7, system="audiovisual", day=0)]
    trend = success_trend(runs)
    got = {(d.system, d.day.isoformat()): (d.runs, d.succeeded, round(d.rate, 1)) for d in trend}
    assert got == {("electrical", "2026-12-02"): (2, 1, 50.0),
                   ("electrical", "2026-12-03"): (3, 2, 66.7),
                   ("audiovisual", "2026-12-03"): (1, 1, 100.0)}
    rates = {r.system: r for r in system_rates(runs)}
    assert (rates["electrical"].succeeded, rates["electrical"].failed, rates["electrical"].cancelled) == (3, 2, 1)
    assert rates["electrical"].rate == pytest.approx(60.0)


def test_slowest_steps_median_p95_and_share():
    runs = []
    for i in range(12):
        runs.append(run(i, minute=i, steps=steps_of(define_schema=0.5, add_symbols=2.0 + 0.1 * i,
                                                     compliance=1.0)))
    stats = slowest_steps(runs)
    assert [s.step_id for s in stats] == ["add-symbols", "compliance", "define-schema"]
    top = stats[0]
    assert top.runs == 12 and top.median_s == pytest.approx(2.55)
    assert top.p95_s == pytest.approx(3.045)
    total = sum(0.5 + 2.0 + 0.1 * i + 1.0 for i in range(12))
    assert top.share == pytest.approx(sum(2.0 + 0.1 * i for i in range(12)) / total)


def test_failure_hot_spots_count_runs_and_steps():
    def failing(i, *checks, step="compliance"):
        return run(i, minute=i, state="rolled_back",
                   steps=[StepRecord(step, "failed", 1.0, tuple(checks), {"error": len(checks)})])
    runs = [failing(1, "svg.security.script", "naming"), failing(2, "svg.security.script"),
            failing(3, "svg.security.script", "svg.security.script"),  # counted once per step
            failing(4, "coverage", step="documentation"), run(5), run(6)]
    hot = failure_hot_spots(runs)
    assert [(h.check_id, h.runs, h.failures) for h in hot] == [
        ("svg.security.script", 3, 3), ("coverage", 1, 1), ("naming", 1, 1)]
    assert hot[0].share == pytest.approx(0.5) and hot[0].steps == ("compliance",)
    assert runs[0].findings() == {"error": 2}


def test_run_time_trend_per_day_overall_and_per_system():
    runs = [run(1, day=1, duration=4), run(2, day=1, duration=6), run(3, day=1, duration=100, state="cancelled"),
            run(4, day=0, duration=10), run(5, system="hvac", day=0, duration=20)]
    pts = {(p.system, p.day.isoformat()): (p.runs, p.median_s) for p in run_time_trend(runs)}
    assert pts == {("all", "2026-12-02"): (2, 5.0), ("electrical", "2026-12-02"): (2, 5.0),
                   ("all", "2026-12-03"): (2, 15.0), ("electrical", "2026-12-03"): (1, 10.0),
                   ("hvac", "2026-12-03"): (1, 20.0)}


def test_recommendations_state_their_triggering_numbers():
    runs = []
    for i in range(12):  # add-symbols dominates: median 2.4 s
        runs.append(run(i, minute=i, steps=steps_of(define_schema=0.3, add_symbols=2.4, compliance=1.2)))
    ins = analyze(runs, now=NOW)
    (slow,) = [r for r in ins.recommendations if r.kind == "slowest-step"]
    assert slow.subject == "add-symbols" and slow.number == pytest.approx(2.4)
    assert "median 2.4 s over 12 runs, 62 % of run time" in slow.text
    assert slow.severity == "warning"  # more than half of all run time
    assert [r.kind for r in ins.recommendations] == ["slowest-step"]


def test_all_good_when_nothing_needs_attention():
    runs = [run(i, minute=i, steps=steps_of(define_schema=1.0, add_symbols=1.1, compliance=1.0))
            for i in range(12)]
    recs = analyze(runs, now=NOW).recommendations
    assert [(r.kind, r.severity) for r in recs] == [("slowest-step", "info"), ("all-good", "info")]
    assert "35 % of run time" in recs[0].text
    assert "12 of 12 runs succeeded (100 %)" in recs[1].text and recs[1].number == 100.0


def test_failing_system_hot_spot_and_erratic_step_recommendations():
    runs = []
    for i in range(10):
        bad = i in (2, 5, 8)
        dur = 20.0 if i == 9 else 1.0
        steps = [StepRecord("compliance", "failed" if bad else "succeeded", dur,
                            ("svg.security.script",) if bad else ())]
        runs.append(run(i, minute=i, state="rolled_back" if bad else "succeeded", steps=steps))
    recs = {r.kind: r for r in analyze(runs, now=NOW).recommendations}
    assert "Check svg.security.script failed in 3 of 10 runs (30 %)" in recs["hot-spot"].text
    assert recs["hot-spot"].number == 3
    assert "System electrical succeeded in 70 % of runs (7 of 10), below the 95 % target" in recs["success-rate"].text
    assert recs["success-rate"].number == 70.0
    erratic = recs["erratic-step"]
    assert erratic.subject == "compliance" and f"{erratic.number:.1f}x its median 1.0 s" in erratic.text
    assert "all-good" not in recs


def test_trend_recommendations_success_drop_and_slower_runs():
    runs = [run(i, day=10, minute=i, duration=5.0) for i in range(4)]
    runs += [run(10 + i, day=1, minute=i, duration=8.0, state="failed" if i < 2 else "succeeded") for i in range(4)]
    recs = {r.kind: r for r in analyze(runs, now=NOW).recommendations}
    drop = recs["success-drop"]
    assert drop.number == 50.0 and "fell from 100 % to 50 % (50 points)" in drop.text
    slower = recs["slower-runs"]
    assert slower.number == 60.0 and "median 8.0 s in the last 7 days against 5.0 s" in slower.text and "+60 %" in slower.text


def test_no_runs_and_alert_recommendations():
    t = NOW - dt.timedelta(hours=1)
    alerts = [AlertRecord(1, "system.cpu_percent", "critical", t, t + dt.timedelta(minutes=2), 97.0, 95, 90, "m"),
              AlertRecord(2, "system.cpu_percent", "warning", t, None, 88.0, 80, 85, "m")]
    recs = analyze([], now=NOW, alerts=alerts).recommendations
    assert [r.kind for r in recs] == ["no-runs", "alerts"]
    assert "(0 runs)" in recs[0].text
    assert recs[1].number == 2 and "CPU raised 2 alert(s) in this period (1 critical), peak 97 %" in recs[1].text


def test_failure_rate_and_list_history_window():
    runs = [run(i, minute=i, state="failed" if i % 4 == 0 else "succeeded") for i in range(8)]
    runs.append(run(99, state="cancelled"))
    assert failure_rate(runs) == (25.0, 8)
    assert failure_rate([run(1, state="cancelled")]) is None
    hist = ListHistory(runs)
    assert [r.run_id for r in hist.runs(since=NOW - dt.timedelta(minutes=4, seconds=30))] == ["r3", "r2", "r1", "r0", "r99"]


def test_insights_serialise_to_json_friendly_dict():
    import json
    ins = analyze([run(1, steps=steps_of(add_symbols=1.0, compliance=0.5))], now=NOW)
    d = ins.to_dict()
    json.dumps(d)
    assert d["slowest_steps"][0]["step_id"] == "add-symbols" and d["success_trend"][0]["day"] == "2026-12-03"


def test_database_history_reads_the_pipeline_tables(any_db):
    db = any_db
    models = pytest.importorskip("arxconsole.store.models.pipeline")
    start = NOW - dt.timedelta(hours=2)
    with db.writer() as s:
        r = models.PipelineRun(workspace="/ws", system="electrical", mode="new_system", state="rolled_back",
                               started_at=start, ended_at=start + dt.timedelta(seconds=4), duration=4.0)
        s.add(r)
        s.flush()
        s.add(models.PipelineStep(run_id=r.id, step="define-schema", position=1, state="succeeded",
                                  duration=1.5, counts={"error": 0, "warning": 2},
                                  checks=[{"name": "schema.structure", "passed": True}]))
        s.add(models.PipelineStep(run_id=r.id, step="compliance", position=6, state="failed", duration=2.5,
                                  counts={"error": 1, "files": 3},
                                  checks=[{"name": "security-scan", "passed": False},
                                          {"name": "budgets", "passed": True}]))
        old = models.PipelineRun(workspace="/ws", system="hvac", mode="new_system", state="succeeded",
                                 started_at=NOW - dt.timedelta(days=40), dry_run=True)
        s.add(old)
    (rec,) = DatabaseHistory(db).runs(since=NOW - dt.timedelta(days=1))
    assert (rec.system, rec.state, rec.duration_s) == ("electrical", "rolled_back", 4.0)
    assert [(st.step_id, st.duration_s, st.failed_checks) for st in rec.steps] == [
        ("define-schema", 1.5, ()), ("compliance", 2.5, ("security-scan",))]
    assert rec.findings() == {"error": 1, "warning": 2}
    assert rec.steps[0].started is None  # not recorded: markers derive it
    assert len(DatabaseHistory(db).runs()) == 2
    assert len(DatabaseHistory(db, include_dry_runs=False).runs()) == 1
    hot = failure_hot_spots(DatabaseHistory(db).runs())
    assert hot[0].check_id == "security-scan"


def test_timeline_markers_place_steps_on_the_time_axis():
    start = NOW - dt.timedelta(minutes=10)
    r = RunRecord("electrical", "r1", start, start + dt.timedelta(seconds=6), "succeeded",
                  (StepRecord("define-schema", "succeeded", 1.0),
                   StepRecord("add-symbols", "succeeded", 4.0, started=start + dt.timedelta(seconds=1.5)),
                   StepRecord("compliance", "succeeded", 0.5)))
    old = RunRecord("electrical", "r0", NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=2), "failed")
    t0 = start.timestamp()
    ms = timeline_markers([old, r], t0 - 60, NOW.timestamp())
    assert [(m.step_id, m.start - t0, None if m.end is None else m.end - t0) for m in ms] == [
        ("", 0.0, 6.0), ("define-schema", 0.0, 1.0), ("add-symbols", 1.5, 5.5), ("compliance", 5.5, 6.0)]
    assert timeline_markers([r], t0 + 100, t0 + 200) == []


def test_step_duration_table_for_stacked_bars():
    import numpy as np

    runs = [run(1, steps=steps_of(define_schema=0.5, add_symbols=2.0)),
            run(2, steps=[StepRecord("define-schema", "failed", 0.7)]),
            run(3, steps=[StepRecord("add-symbols", "failed", 1.0), StepRecord("add-symbols", "succeeded", 1.5),
                          StepRecord("compliance", "succeeded", 0.25)])]
    ids, steps, table = step_duration_table(runs)
    assert ids == ["r1", "r2", "r3"] and steps == ["define-schema", "add-symbols", "compliance"]
    expected = np.array([[0.5, 2.0, np.nan], [0.7, np.nan, np.nan], [np.nan, 2.5, 0.25]])
    assert np.array_equal(table, expected, equal_nan=True)


def test_durations_are_written_for_people():
    from arxconsole.engine.monitor.analytics import fmt_seconds

    assert [fmt_seconds(x) for x in (0.045, 2.44, 42.0, 300.0)] == ["45 ms", "2.4 s", "42 s", "5.0 min"]


def test_slowest_step_that_runs_rarely_points_at_the_biggest_share():
    runs = [run(0, steps=steps_of(define_schema=0.5, compliance=9.0))]
    runs += [run(i, minute=i, steps=steps_of(define_schema=0.5, add_symbols=2.0)) for i in range(1, 11)]
    (slow,) = [r for r in analyze(runs, now=NOW).recommendations if r.kind == "slowest-step"]
    assert slow.subject == "compliance" and "median 9.0 s over 1 runs" in slow.text
    assert "Step add-symbols takes the most run time overall (58 %)" in slow.text
