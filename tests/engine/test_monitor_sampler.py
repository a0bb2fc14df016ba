"""The sampler thread: samples at high rate, notifies listeners, writes batches, measures
its own cost, survives probe and database faults, stops cleanly."""

from __future__ import annotations

import threading
import time

import pytest

from arxconsole.engine.monitor.alerts import AlertEngine, AlertLog
from arxconsole.engine.monitor.metrics import MetricsStore
from arxconsole.engine.monitor.sampler import SERIES, ResourceProbe, Sampler, take_sample
from arxconsole.engine.monitor.settings import CPU, Threshold


def wait_for(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_real_sampler_records_every_series_and_stops_cleanly(db, data_dir):
    sampler = Sampler.for_database(db, data_dir.root, interval=0.05, flush_interval=0.3)
    seen = []
    sampler.add_listener(seen.append)
    sampler.start()
    assert wait_for(lambda: sampler.flushes >= 2 and sampler.samples_taken >= 10)
    assert sampler.stop(timeout=5)
    assert not sampler.running
    assert not any(t.name == "arx-sampler" for t in threading.enumerate())
    n = sampler.samples_taken
    assert len(seen) == n and sampler.latest() is seen[-1]
    assert set(seen[-1].values) == set(SERIES)
    v = seen[-1].values
    assert 0 <= v[CPU] <= 100 and 0 < v["system.disk_percent"] <= 100 and v["process.rss_mb"] > 1
    # Every sample was flushed (the final flush happens on stop), one row per series.
    store = MetricsStore(db)
    for name in SERIES:
        s = store.series(name, seen[0].ts - 1, seen[-1].ts + 1, resolution="raw")
        assert len(s) == n
    assert sampler.flushes < n  # batched, not a transaction per sample
    assert sampler.cost_per_sample_s > 0 and sampler.core_percent > 0
    assert sampler.last_sample_age() >= 0
    t, v = sampler.recent(CPU)
    assert list(t) == [x.ts for x in seen] and list(v) == [x.values[CPU] for x in seen]
    t, _ = sampler.recent(CPU, seconds=0.12)
    assert 1 <= len(t) < n and t[-1] == seen[-1].ts
    assert sampler.stop() is True  # stopping twice is harmless
    # It can be started again; counters keep accumulating.
    cpu_before = sampler.thread_cpu_s
    sampler.start()
    assert wait_for(lambda: sampler.samples_taken >= n + 2)
    assert sampler.stop() and sampler.thread_cpu_s > cpu_before


def test_probe_failure_and_database_failure_do_not_kill_the_thread(db, data_dir):
    calls = {"n": 0}

    def flaky_probe():
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk vanished")
        return {CPU: 10.0 * calls["n"]}

    store = MetricsStore(db)
    real_record = store.record
    fail = {"on": True}

    def record(batch):
        if fail["on"]:
            raise RuntimeError("database is locked")
        return real_record(batch)
    store.record = record
    sampler = Sampler(data_dir.root, interval=0.02, flush_interval=0.05, store=store, probe=flaky_probe)
    sampler.start()
    assert wait_for(lambda: sampler.samples_taken >= 5 and sampler.last_error
                    and "database is locked" in sampler.last_error)
    assert sampler.running
    fail["on"] = False
    assert wait_for(lambda: sampler.last_error is None)
    assert sampler.stop()
    stored = MetricsStore(db).series(CPU, 0, time.time() + 1, resolution="raw")
    # Nothing lost while the database refused writes; the failed probe was skipped.
    assert len(stored) == sampler.samples_taken
    assert 20.0 not in list(stored.value)


def test_alerts_are_evaluated_per_sample_and_persisted_on_flush(db, data_dir):
    values = iter([90.0] * 6 + [10.0] * 1000)
    engine = AlertEngine({CPU: Threshold(80, 95, 10, 0.05)})
    got = []
    sampler = Sampler(data_dir.root, interval=0.02, flush_interval=0.05, store=MetricsStore(db),
                      alerts=engine, alert_log=AlertLog(db), probe=lambda: {CPU: next(values)})
    sampler.add_alert_listener(got.append)
    sampler.start()
    assert wait_for(lambda: [e.kind for e in got] == ["raised", "resolved"])
    assert sampler.stop()
    (rec,) = AlertLog(db).history()
    assert rec.metric == CPU and rec.peak == 90.0 and rec.ended_at is not None


def test_one_off_sample_for_the_cli(tmp_path):
    s = take_sample(tmp_path, cpu_window_s=0.01)
    assert set(s.values) == set(SERIES) and s.ts > 0
    probe = ResourceProbe(tmp_path)
    assert probe.read()["system.memory_percent"] > 0


def test_edited_thresholds_reach_a_running_sampler(db, data_dir):
    from arxconsole.engine.monitor.settings import set_threshold

    sampler = Sampler.for_database(db, data_dir.root, interval=0.05)
    assert sampler.alerts.thresholds[CPU].warning == 80
    set_threshold(db, CPU, warning=50)
    sampler.reload_settings()
    assert sampler.alerts.thresholds[CPU].warning == 50


def test_bad_intervals_are_refused(tmp_path):
    with pytest.raises(ValueError, match="positive"):
        Sampler(tmp_path, interval=0)


def test_failing_alert_engine_does_not_end_sampling(tmp_path):
    class Broken:
        def observe(self, *a):
            raise RuntimeError("bug")

    sampler = Sampler(tmp_path, interval=0.02, alerts=Broken(), probe=lambda: {CPU: 1.0})
    sampler.start()
    assert wait_for(lambda: sampler.last_error == "sampling failed: bug")
    time.sleep(0.1)
    assert sampler.running
    assert sampler.stop()


def test_first_cpu_sample_measures_a_real_interval(tmp_path):
    """psutil's CPU baseline is per thread: priming it in the caller's thread would make
    the sampler's first CPU value a meaningless 0-length measurement."""
    import psutil

    calls = []
    real = psutil.cpu_percent

    def spy(interval=None, percpu=False):
        calls.append(threading.get_ident())
        return real(interval, percpu)
    psutil.cpu_percent = spy
    try:
        sampler = Sampler(tmp_path, interval=0.05)
        sampler.start()
        assert wait_for(lambda: sampler.samples_taken >= 1)
        assert sampler.stop()
    finally:
        psutil.cpu_percent = real
    assert len(set(calls)) == 1 and calls[0] != threading.get_ident()
    assert sampler.last_error is None


def test_unusable_disk_path_is_reported_not_raised(tmp_path):
    sampler = Sampler(tmp_path / "missing", interval=0.02)
    sampler.start()
    assert wait_for(lambda: sampler.last_error is not None)
    assert "missing" in sampler.last_error
    assert sampler.stop()


@pytest.mark.slow
def test_killed_while_flushing_leaves_raw_and_aggregates_consistent(tmp_path):
    """SIGKILL the process in the middle of batched writes: every stored sample is
    counted in its minute and hour buckets, no more, no less (one transaction each)."""
    import os
    import signal
    import subprocess
    import sys
    import textwrap

    from arxconsole.store import Database

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    code = textwrap.dedent(f"""
        import itertools, sys, time
        from arxconsole.store import Database
        from arxconsole.engine.monitor.sampler import Sampler
        from arxconsole.engine.monitor.metrics import MetricsStore
        db = Database.open({url!r})
        n = itertools.count()
        s = Sampler({str(tmp_path)!r}, interval=0.002, flush_interval=0.01, store=MetricsStore(db),
                    probe=lambda: {{"a": float(next(n) % 100), "b": 1.0}})
        s.start()
        while s.flushes < 3:
            time.sleep(0.01)
        print("flushing", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "flushing"
        time.sleep(0.5)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    db = Database.open(url)
    try:
        store = MetricsStore(db)
        with db.engine.connect() as conn:
            from sqlalchemy import text
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for name in ("a", "b"):
            raw = store.raw_count(name)
            assert raw > 20
            minute = store.series(name, 0, time.time() + 60, resolution="minute")
            hour = store.series(name, 0, time.time() + 60, resolution="hour")
            assert int(minute.count.sum()) == raw == int(hour.count.sum())
    finally:
        db.close()
