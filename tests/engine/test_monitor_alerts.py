"""Alerts: hysteresis, minimum duration, escalation, resolution, the alert log."""

from __future__ import annotations

import datetime as dt

import pytest

from arxconsole.engine.monitor.alerts import AlertEngine, AlertLog, check_failure_rate
from arxconsole.engine.monitor.history import RunRecord
from arxconsole.engine.monitor.settings import (
    CPU, DEFAULT_THRESHOLDS, FAILURE_RATE, THRESHOLDS_KEY, MonitorSettingsError, Threshold,
    load_thresholds, set_threshold)

TH = Threshold(warning=80, critical=95, clear_margin=10, min_duration_s=30)


def feed(engine, values, t0=0.0, metric=CPU):
    events = []
    for i, v in enumerate(values):
        events.extend(engine.observe(metric, t0 + i, v))
    return events


def test_defaults_match_the_spec():
    assert DEFAULT_THRESHOLDS[CPU].warning == 80
    assert DEFAULT_THRESHOLDS["system.memory_percent"].warning == 85
    assert DEFAULT_THRESHOLDS["system.disk_percent"].warning == 90
    assert DEFAULT_THRESHOLDS[FAILURE_RATE].warning == 5


def test_short_spike_raises_nothing():
    engine = AlertEngine({CPU: TH})
    assert feed(engine, [50] * 10 + [99] * 29 + [50] * 10) == []
    assert engine.active() == {}


def test_oscillation_around_threshold_raises_one_alert_then_resolves_once():
    engine = AlertEngine({CPU: TH})
    # 40 s high, then 5 minutes wobbling 76..84 around the 80 % line (never below 70).
    values = [85] * 40 + [84 if i % 2 else 76 for i in range(300)]
    events = feed(engine, values)
    assert [e.kind for e in events] == ["raised"]
    raised = events[0]
    assert raised.level == "warning" and raised.ts == 0 and raised.peak == 85
    # Below the clear level (70) but not long enough: still active.
    events = feed(engine, [60] * 29 + [75] + [60] * 29, t0=340)
    assert events == [] and CPU in engine.active()
    events = feed(engine, [60] * 31, t0=400)
    assert [e.kind for e in events] == ["resolved"]
    # Below since t=370 (after the 75 % blip at 369): 30 s later it resolves.
    assert events[0].ts == 400 and events[0].peak == 85 and "below 70 %" in events[0].message
    assert engine.active() == {}


def test_escalates_to_critical_and_keeps_highest_peak():
    engine = AlertEngine({CPU: TH})
    events = feed(engine, [85] * 30 + [97] * 31 + [99] + [85] * 5)
    assert [(e.kind, e.level) for e in events] == [("raised", "warning"), ("escalated", "critical")]
    assert engine.active()[CPU].peak == 99


def test_immediately_critical_episode_raises_at_critical():
    engine = AlertEngine({CPU: TH})
    events = feed(engine, [99] * 31)
    assert [(e.kind, e.level, e.threshold) for e in events] == [("raised", "critical", 95)]


def test_gap_in_samples_restarts_the_duration():
    engine = AlertEngine({CPU: TH}, max_gap_s=10)
    feed(engine, [90] * 20)
    # App was closed for an hour; high again for 15 s is not "high for 35 s".
    assert feed(engine, [90] * 15, t0=3600) == []
    assert [e.kind for e in feed(engine, [90] * 20, t0=3615)] == ["raised"]


def test_alert_log_stores_one_row_per_episode_with_start_end_peak(any_db):
    db = any_db
    engine = AlertEngine({CPU: TH})
    log = AlertLog(db)
    t0 = 1_800_000_000.0
    log.persist(engine, feed(engine, [90] * 31, t0=t0))
    (active,) = log.active()
    assert active.level == "warning" and active.started_at.timestamp() == t0 and active.ended_at is None
    log.persist(engine, feed(engine, [92, 88], t0=t0 + 31))  # peak is updated in place
    assert log.active()[0].peak == 92
    log.persist(engine, feed(engine, [50] * 31, t0=t0 + 33))
    assert log.active() == []
    (done,) = log.history()
    assert done.ended_at.timestamp() == t0 + 63 and done.peak == 92 and done.duration_s == 63
    assert done.to_dict()["active"] is False


def test_open_alert_survives_restart_and_resolves_later(any_db):
    db = any_db
    t0 = 1_800_000_000.0
    first = AlertEngine({CPU: TH})
    AlertLog(db).persist(first, feed(first, [90] * 40, t0=t0))
    second = AlertEngine({CPU: TH})  # a new process
    assert AlertLog(db).resume(second) == 1
    events = feed(second, [90] * 5 + [40] * 31, t0=t0 + 100)
    assert [e.kind for e in events] == ["resolved"]  # no second "raised"
    AlertLog(db).persist(second, events)
    assert len(AlertLog(db).history()) == 1 and AlertLog(db).active() == []


def test_raise_and_resolve_in_one_batch_and_retry_after_failed_write(db, monkeypatch):
    engine = AlertEngine({FAILURE_RATE: Threshold(5, 20, 1, 0)})
    events = [*engine.observe(FAILURE_RATE, 1.0, 10), *engine.observe(FAILURE_RATE, 2.0, 0)]
    assert [e.kind for e in events] == ["raised", "resolved"]
    log = AlertLog(db)
    real_writer = db.writer

    def broken_writer():
        raise OSError("disk full")
    monkeypatch.setattr(db, "writer", broken_writer)
    with pytest.raises(OSError):
        log.persist(engine, events)
    monkeypatch.setattr(db, "writer", real_writer)
    log.persist(engine, events)  # the same events again: stored exactly once
    (rec,) = log.history()
    assert rec.ended_at is not None and rec.peak == 10


def test_thresholds_are_editable_validated_and_audited(db):
    set_threshold(db, CPU, warning=70, min_duration_s=5)
    th = load_thresholds(db)[CPU]
    assert (th.warning, th.critical, th.min_duration_s) == (70, 95, 5)
    ev = db.audit_events("settings.changed")[0]
    assert ev.target == THRESHOLDS_KEY and ev.details["new"][CPU]["warning"] == 70
    with pytest.raises(MonitorSettingsError, match="critical .* below warning"):
        set_threshold(db, CPU, warning=99)
    with pytest.raises(MonitorSettingsError, match="clear_margin.*not a number"):
        set_threshold(db, CPU, clear_margin="x")
    with pytest.raises(MonitorSettingsError, match="could never resolve"):
        set_threshold(db, CPU, clear_margin=75)
    with pytest.raises(MonitorSettingsError, match="unexpected keyword"):
        set_threshold(db, CPU, level=3)
    assert load_thresholds(db)[CPU].warning == 70  # refused edits changed nothing
    # A damaged stored entry falls back to the default for that metric only.
    db.set_setting(THRESHOLDS_KEY, {CPU: {"warning": "high"}, FAILURE_RATE: {"warning": 10}})
    loaded = load_thresholds(db)
    assert loaded[CPU] == DEFAULT_THRESHOLDS[CPU] and loaded[FAILURE_RATE].warning == 10


def _run(i, state):
    t = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=i)
    return RunRecord("electrical", str(i), t, t + dt.timedelta(seconds=5), state)


def test_failure_rate_alert_raised_and_resolved_from_history(db):
    runs = [_run(i, "succeeded") for i in range(18)] + [_run(18, "failed"), _run(19, "rolled_back")]
    events = check_failure_rate(db, runs, now=1000.0)
    assert [(e.kind, e.value) for e in events] == [("raised", 10.0)]
    assert AlertLog(db).active()[0].metric == FAILURE_RATE
    assert check_failure_rate(db, runs, now=1001.0) == []  # still failing: same alert
    healthy = runs + [_run(20 + i, "succeeded") for i in range(20)]
    assert [e.kind for e in check_failure_rate(db, healthy, now=2000.0)] == ["resolved"]
    assert AlertLog(db).active() == [] and len(AlertLog(db).history()) == 1


def test_an_active_alert_is_described_by_its_latest_value_not_the_one_it_was_raised_at(db):
    runs = [_run(i, "succeeded") for i in range(3)] + [_run(3, "failed"), _run(4, "failed")]
    check_failure_rate(db, runs, now=1000.0)                       # raised at 40 %
    check_failure_rate(db, runs + [_run(5 + i, "succeeded") for i in range(15)], now=1001.0)  # now 10 %
    [alert] = AlertLog(db).active()
    assert alert.message.startswith("run failure rate at 40 %")   # the log keeps what it said then
    th = load_thresholds(db)[FAILURE_RATE]
    now = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    raised = alert.started_at.astimezone().strftime("%H:%M")
    assert alert.describe(th, now=now, rated_runs=20) == (
        f"run failure rate alert (critical) raised at {raised}: now 10 % of the last 20 "
        "finished runs, peak 40 % (critical level 20 %, resolves below 4 %)")
    # a young history: the caller says over how many runs; unknown, the wording says "up to"
    assert "now 10 % of the last 4 finished runs," in alert.describe(th, now=now, rated_runs=4)
    assert "now 10 % of the last 1 finished run," in alert.describe(th, now=now, rated_runs=1)
    assert "now 10 % of the last finished runs (up to 20)," in alert.describe(th, now=now)
    assert alert.describe(now=now).endswith("(critical level 20 %)")
    other_day = dt.datetime(1970, 1, 5, tzinfo=dt.timezone.utc)
    assert f"raised at {alert.started_at.astimezone():%Y-%m-%d %H:%M}:" in alert.describe(th, now=other_day)
