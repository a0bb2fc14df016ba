"""Run/step markers on the chart's time axis: only what really happened has a span."""

from __future__ import annotations

import datetime as dt

from arxconsole.engine.monitor.history import RunRecord, StepRecord, timeline_markers

T0 = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)


def at(s):
    return T0 + dt.timedelta(seconds=s)


def test_skipped_steps_of_a_finished_run_get_no_span():
    run = RunRecord("fire_alarm", "3", at(0), at(4), "rolled_back", (
        StepRecord("define-schema", "succeeded", 1.0, started=at(0)),
        StepRecord("add-symbols", "failed", 2.0, started=at(1)),
        StepRecord("implement-behavior", "skipped"),
        StepRecord("compliance", "skipped"),
    ))
    later = RunRecord("electrical", "5", at(100), at(106), "succeeded", (
        StepRecord("add-symbols", "succeeded", 3.0, started=at(101)),))
    markers = timeline_markers([run, later], since=at(-10).timestamp(), until=at(200).timestamp())
    steps = [(m.run_id, m.step_id) for m in markers if m.step_id]
    assert steps == [("3", "define-schema"), ("3", "add-symbols"), ("5", "add-symbols")]
    assert all(m.end is not None for m in markers)  # nothing stretches to "now"
    # a window after the failed run sees only the later run
    window = timeline_markers([run, later], since=at(50).timestamp(), until=at(200).timestamp())
    assert {m.run_id for m in window} == {"5"}


def test_step_without_duration_ends_with_its_run_or_stays_open_while_running():
    done = RunRecord("electrical", "1", at(0), at(10), "failed", (
        StepRecord("update-registry", "failed", None, started=at(4)),))
    live = RunRecord("electrical", "2", at(20), None, "running", (
        StepRecord("define-schema", "succeeded", 1.0, started=at(20)),
        StepRecord("add-symbols", "running", None, started=at(21)),
        StepRecord("compliance", "pending"),
    ))
    m = {(x.run_id, x.step_id): x for x in timeline_markers([done, live], at(0).timestamp(), at(60).timestamp())}
    assert m[("1", "update-registry")].end == at(10).timestamp()
    assert m[("2", "add-symbols")].end is None
    assert ("2", "compliance") not in m
