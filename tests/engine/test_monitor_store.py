"""Metrics store: exact downsampling, bucket merging, resolution choice, retention,
settings validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arxconsole.engine.monitor.metrics import MAX_POINTS, MetricsStore
from arxconsole.engine.monitor.settings import (
    RETENTION_KEY, MonitorSettingsError, Retention, load_retention, set_retention)

T0 = 1_800_000_000.0 - (1_800_000_000 % 3600)  # an hour boundary


def test_minute_and_hour_aggregates_are_exact(any_db):
    db = any_db
    store = MetricsStore(db)
    # 3 minutes of 1 Hz samples: value = second index, so each minute's stats are known.
    store.record(("cpu", T0 + i, float(i)) for i in range(180))
    m = store.series("cpu", T0, T0 + 179, resolution="minute")
    assert m.resolution == "minute"
    assert list(m.t - T0) == [0, 60, 120]
    assert list(m.vmin) == [0, 60, 120]
    assert list(m.vmax) == [59, 119, 179]
    assert list(m.value) == [29.5, 89.5, 149.5]
    assert list(m.count) == [60, 60, 60]
    h = store.series("cpu", T0, T0 + 179, resolution="hour")
    assert (list(h.t), list(h.vmin), list(h.vmax), list(h.value), list(h.count)) == \
        ([T0], [0.0], [179.0], [89.5], [180])


def test_buckets_merge_exactly_across_batches(any_db):
    db = any_db
    store = MetricsStore(db)
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0]
    store.record([("mem", T0 + i, v) for i, v in enumerate(values[:2])])
    store.record([("mem", T0 + 2 + i, v) for i, v in enumerate(values[2:5])])
    store.record([("mem", T0 + 5, values[5])])
    m = store.series("mem", T0, T0 + 60, resolution="minute")
    assert (m.vmin[0], m.vmax[0], m.count[0]) == (1.0, 9.0, 6)
    assert m.value[0] == pytest.approx(sum(values) / 6)
    raw = store.series("mem", T0, T0 + 60, resolution="raw")
    assert list(raw.value) == values and raw.t.dtype == np.float64


def test_series_are_kept_apart_and_non_finite_values_dropped(any_db):
    db = any_db
    store = MetricsStore(db)
    n = store.record([("a", T0, 1.0), ("b", T0, 2.0), ("a", T0 + 1, math.nan), ("a", T0 + 2, math.inf)])
    assert n == 2
    assert list(store.series("a", T0, T0 + 10, resolution="raw").value) == [1.0]
    assert list(store.series("b", T0, T0 + 10, resolution="raw").value) == [2.0]
    assert len(store.series("nothing", T0, T0 + 10)) == 0
    assert store.latest(["a", "b", "c"]) == {"a": (T0, 1.0), "b": (T0, 2.0)}


def test_auto_resolution_keeps_every_window_small():
    store = MetricsStore(db=None, retention=Retention(raw_hours=24, minute_days=31, hour_days=400))
    now = T0
    assert store.choose_resolution(now - 60, now, now) == "raw"
    assert store.choose_resolution(now - 3600, now, now) == "raw"
    assert store.choose_resolution(now - 86400, now, now) == "minute"
    assert store.choose_resolution(now - 30 * 86400, now, now) == "hour"
    # Older than the raw window: raw rows are gone, so aggregates even for 1 minute.
    assert store.choose_resolution(now - 2 * 86400, now - 2 * 86400 + 60, now) == "minute"
    assert store.choose_resolution(now - 40 * 86400, now - 39 * 86400, now) == "hour"
    for span in (60, 600, 3600, 86400, 7 * 86400, 31 * 86400):
        res = store.choose_resolution(now - span, now, now)
        step = {"raw": 1, "minute": 60, "hour": 3600}[res]
        assert span / step <= MAX_POINTS


def test_auto_query_of_a_day_returns_minute_points(any_db):
    db = any_db
    store = MetricsStore(db)
    now = T0 + 86400
    store.record(("cpu", now - 86400 + i * 10, 50.0) for i in range(8640))
    s = store.series("cpu", now - 86400, now, now=now)
    assert s.resolution == "minute" and len(s) == 1440 and set(s.count) == {6}


def test_retention_replaces_old_raw_rows_by_aggregates_and_drops_very_old(any_db):
    db = any_db
    store = MetricsStore(db, Retention(raw_hours=1, minute_days=1, hour_days=2, alert_days=2))
    now = T0 + 10 * 86400
    old = now - 3 * 3600          # beyond raw (1 h), inside minute (1 d)
    ancient = now - 3 * 86400     # beyond hour retention (2 d)
    mid = now - 30 * 3600         # beyond minute retention, inside hour retention
    store.record([("cpu", old + i, float(i)) for i in range(120)])
    store.record([("cpu", mid + i, 7.0) for i in range(10)])
    store.record([("cpu", ancient + i, 1.0) for i in range(10)])
    store.record([("cpu", now - 10 + i, 3.0) for i in range(5)])
    from arxconsole.store.models.monitor import MonitorAlert
    import datetime as dt
    day = lambda d: dt.datetime.fromtimestamp(now - d * 86400, dt.timezone.utc)  # noqa: E731
    with db.writer() as s:
        for start, end in ((day(5), day(3)), (day(5), None), (day(1), day(0.5))):
            s.add(MonitorAlert(metric="cpu", level="warning", started_at=start, ended_at=end, peak=90,
                               threshold=80, last_value=85, message=""))
    preview = store.preview_retention(now)
    assert store.raw_count("cpu") == 145  # the preview deleted nothing
    counts = store.apply_retention(now)
    assert counts == preview
    assert counts["raw"] == 140 and counts["alerts"] == 1  # resolved 3 days ago; the active one stays
    assert store.raw_count("cpu") == 5
    # The old window is still answered, exactly, from its minute buckets.
    m = store.series("cpu", old, old + 119, now=now)
    assert m.resolution == "minute"
    assert list(m.vmin) == [0, 60] and list(m.vmax) == [59, 119] and list(m.value) == [29.5, 89.5]
    assert len(store.series("cpu", mid, mid + 10, resolution="minute")) == 0  # minute retention
    h = store.series("cpu", mid, mid + 10, resolution="hour")
    assert list(h.value) == [7.0] and list(h.count) == [10]
    assert len(store.series("cpu", ancient, ancient + 10, resolution="hour")) == 0
    assert store.apply_retention(now) == {"raw": 0, "minute": 0, "hour": 0, "alerts": 0}


def test_retention_settings_are_validated_and_audited(db):
    assert load_retention(db) == Retention()
    r = set_retention(db, raw_hours=12)
    assert r.raw_hours == 12 and load_retention(db).raw_hours == 12
    events = db.audit_events("settings.changed")
    assert events and events[0].target == RETENTION_KEY
    with pytest.raises(MonitorSettingsError, match="raw_hours"):
        set_retention(db, raw_hours=-1)
    with pytest.raises(MonitorSettingsError, match="coarser data"):
        set_retention(db, minute_days=0.1)
    with pytest.raises(MonitorSettingsError, match="monitor.retention"):
        set_retention(db, bogus=3)
    # A damaged stored value falls back to defaults instead of breaking monitoring.
    db.set_setting(RETENTION_KEY, {"raw_hours": "lots"})
    assert load_retention(db) == Retention()


def test_unknown_resolution_is_refused(db):
    with pytest.raises(ValueError, match="resolution"):
        MetricsStore(db).series("cpu", T0, T0 + 1, resolution="weekly")


def test_two_writers_folding_into_the_same_buckets_lose_nothing(any_db):
    """Two connections (as the GUI's sampler and a CLI command would be) record into the
    same minute/hour buckets at once; every sample ends up counted exactly once."""
    import threading

    from arxconsole.store import Database

    other = Database(any_db.url)
    try:
        stores = [MetricsStore(any_db), MetricsStore(other)]
        errors = []

        def work(k):
            try:
                for b in range(25):
                    stores[k].record([("cpu", T0 + b * 2 + k + 0.5 * j, float(k * 100 + b)) for j in range(2)])
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert MetricsStore(any_db).raw_count("cpu") == 100
        m = MetricsStore(any_db).series("cpu", T0, T0 + 3600, resolution="minute")
        assert int(m.count.sum()) == 100 and m.vmin.min() == 0.0 and m.vmax.max() == 124.0
        expected_sum = sum(2.0 * (k * 100 + b) for k in (0, 1) for b in range(25))
        assert float((m.value * m.count).sum()) == pytest.approx(expected_sum)
        h = MetricsStore(any_db).series("cpu", T0, T0 + 3600, resolution="hour")
        assert list(h.count) == [100]
    finally:
        other.close()
