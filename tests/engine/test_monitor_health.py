"""Health per component and the roll-up (worst wins, one-line summary)."""

from __future__ import annotations

import os
import shutil
from collections import namedtuple

import pytest

from arxconsole.engine.monitor.health import (
    ComponentHealth, HealthReport, Status, check_database, check_disk, check_health, check_sampler,
    check_workspace)
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database

Usage = namedtuple("Usage", "total used free")
GB = 1024 ** 3


def test_roll_up_worst_wins_with_one_line_summary():
    ok = ComponentHealth("database", Status.HEALTHY, "fine")
    slow = ComponentHealth("sampler", Status.DEGRADED, "last sample 9 s ago (late)")
    full = ComponentHealth("disk", Status.UNHEALTHY, "98 % used")
    assert HealthReport((ok,)).status is Status.HEALTHY
    assert HealthReport((ok,)).summary == "Healthy: all 1 components OK"
    assert HealthReport((ok, slow)).summary == "Degraded: sampler: last sample 9 s ago (late)"
    r = HealthReport((ok, slow, full))
    assert r.status is Status.UNHEALTHY and r.summary == "Unhealthy: disk: 98 % used"
    assert "\n" not in r.summary
    d = r.to_dict()
    assert d["status"] == "unhealthy" and [c["status"] for c in d["components"]] == ["healthy", "degraded", "unhealthy"]


def test_database_reachable_migrated_pending_and_unreachable(db, tmp_path):
    assert check_database(db).status is Status.HEALTHY
    fresh = Database.open(f"sqlite:///{tmp_path / 'new.sqlite3'}", migrate=False)
    try:
        h = check_database(fresh)
        assert h.status is Status.DEGRADED and "0004_monitor" in h.reason and "not applied" in h.reason
    finally:
        fresh.close()
    broken = Database(f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite3'}")
    h = check_database(broken)
    assert h.status is Status.UNHEALTHY and "cannot reach" in h.reason
    h = check_database(None, "cannot open database: permission denied")
    assert h.status is Status.UNHEALTHY and "permission denied" in h.reason


def test_workspace_held_by_us_by_another_or_free(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    assert check_workspace(None).status is Status.HEALTHY
    free = check_workspace(ws)
    assert free.status is Status.HEALTHY and "not open in another console" in free.reason
    assert not (ws.root / ".arxconsole.lock").exists()  # the check created nothing
    with ws.lock() as mine:
        assert "locked by this console" in check_workspace(ws, mine).reason
        # Without our lock object the holder looks like someone else (another fd/process).
        other = check_workspace(ws)
        assert other.status is Status.DEGRADED and "open in another ArxConsole" in other.reason
    assert check_workspace(ws).status is Status.HEALTHY
    bad = check_workspace(tmp_path / "nope")
    assert bad.status is Status.UNHEALTHY and "not a folder" in bad.reason


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="permissions are not enforced for root")
def test_unreadable_workspace_is_unhealthy(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    os.chmod(ws.root, 0)
    try:
        h = check_workspace(ws)
        assert h.status is Status.UNHEALTHY and "not readable" in h.reason
    finally:
        os.chmod(ws.root, 0o755)


def test_disk_levels_follow_thresholds_and_free_space(tmp_path):
    assert check_disk(tmp_path, usage=Usage(100 * GB, 50 * GB, 50 * GB)).status is Status.HEALTHY
    d = check_disk(tmp_path, 90, 97, usage=Usage(100 * GB, 92 * GB, 8 * GB))
    assert d.status is Status.DEGRADED and "92 % used" in d.reason and "warning at 90 %" in d.reason
    assert check_disk(tmp_path, 90, 97, usage=Usage(100 * GB, 98 * GB, 2 * GB)).status is Status.UNHEALTHY
    tiny = check_disk(tmp_path, usage=Usage(GB, GB // 2, 100 * 1024 * 1024))  # 100 MB free
    assert tiny.status is Status.UNHEALTHY
    assert check_disk(tmp_path / "gone").status is Status.UNHEALTHY


class FakeSampler:
    def __init__(self, running=True, age=0.5, error=None, interval=1.0):
        self.running, self._age, self.last_error, self.interval = running, age, error, interval
        self.cost_per_sample_s = 0.0004

    def last_sample_age(self, now=None):
        return self._age


def test_sampler_alive_late_stalled_and_stopped(tmp_path):
    assert check_sampler(FakeSampler()).status is Status.HEALTHY
    assert "0.4 ms CPU per sample" in check_sampler(FakeSampler()).reason
    assert check_sampler(FakeSampler(age=None)).status is Status.HEALTHY
    failing = check_sampler(FakeSampler(age=None, error="sampling failed: no such file"))
    assert failing.status is Status.DEGRADED and "no such file" in failing.reason
    assert check_sampler(FakeSampler(age=8)).status is Status.DEGRADED
    assert check_sampler(FakeSampler(age=120)).status is Status.UNHEALTHY
    assert check_sampler(FakeSampler(error="cannot store metrics: locked")).status is Status.DEGRADED
    assert check_sampler(FakeSampler(running=False)).status is Status.UNHEALTHY
    oneoff = check_sampler(None, tmp_path)
    assert oneoff.status is Status.HEALTHY and "one-off sample worked" in oneoff.reason


def test_check_health_reports_all_four_components(db, data_dir, tmp_path, monkeypatch):
    ws = Workspace.create(tmp_path / "ws")
    r = check_health(db, data_dir.root, workspace=ws, sampler=FakeSampler())
    assert [c.name for c in r.components] == ["database", "workspace", "sampler", "disk"]
    assert r.status is Status.HEALTHY, r.summary
    # Disk thresholds come from the stored (editable) settings.
    from arxconsole.engine.monitor.settings import DISK, set_threshold
    set_threshold(db, DISK, warning=40, critical=99.9)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(100 * GB, 50 * GB, 50 * GB))
    r = check_health(db, data_dir.root, workspace=ws, sampler=FakeSampler())
    assert r.status is Status.DEGRADED and r.summary.startswith("Degraded: disk: 50 % used")
    down = check_health(None, data_dir.root, db_error="cannot open database x: locked")
    assert down.status is Status.UNHEALTHY and "locked" in down.summary


def test_an_active_alert_degrades_the_roll_up_and_is_named_until_it_resolves(db, data_dir, tmp_path, monkeypatch):
    """SPEC §6: health rolls up per component; an open alert (here the run failure rate)
    must not leave the roll-up saying plain "Healthy"."""
    import datetime as dt

    from arxconsole.engine.monitor.alerts import check_failure_rate
    from arxconsole.engine.monitor.history import RunRecord

    def runs(states):
        t = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
        return [RunRecord("electrical", str(i), t, t, s) for i, s in enumerate(states)]

    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(100 * GB, 50 * GB, 50 * GB))
    ws = Workspace.create(tmp_path / "ws")
    assert check_health(db, data_dir.root, workspace=ws, sampler=FakeSampler()).status is Status.HEALTHY
    bad = runs(["failed", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded",
                "succeeded", "succeeded", "succeeded"])                        # 10 %
    check_failure_rate(db, bad, now=1000.0)
    r = check_health(db, data_dir.root, workspace=ws, sampler=FakeSampler())
    assert r.component_status is Status.HEALTHY and r.status is Status.DEGRADED
    assert r.summary.startswith("Degraded: 1 active alert: run failure rate alert (warning) raised at ")
    assert r.explain_lines()[0].startswith("active alert: run failure rate alert (warning)")
    assert "now 10 %" in r.explain_lines()[0]
    assert [c.name for c in r.components] == ["database", "workspace", "sampler", "disk"]  # still four
    d = r.to_dict()
    assert d["status"] == "degraded" and d["alerts"][0]["metric"] == "pipeline.failure_rate"
    assert d["alerts"][0]["level"] == "warning" and "now 10 %" in d["alerts"][0]["summary"]
    # A worse component still wins, and the alert is still counted.
    down = HealthReport((ComponentHealth("disk", Status.UNHEALTHY, "98 % used"),), r.alerts)
    assert down.status is Status.UNHEALTHY and down.summary == "Unhealthy: disk: 98 % used; 1 active alert(s)"
    # Resolved: healthy again.
    check_failure_rate(db, bad + runs(["succeeded"] * 20), now=2000.0)
    r = check_health(db, data_dir.root, workspace=ws, sampler=FakeSampler())
    assert r.status is Status.HEALTHY and r.alerts == () and r.to_dict()["alerts"] == []
