"""``arxconsole health``, ``metrics`` and ``report`` from the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections import namedtuple

from arxconsole.cli import main
from arxconsole.engine.monitor.alerts import AlertEngine, AlertLog
from arxconsole.engine.monitor.metrics import MetricsStore
from arxconsole.engine.monitor.settings import CPU, Threshold
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database
from tests.engine.pipeline_helpers import record_runs


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_health_json_is_one_document_and_exit_zero_when_healthy(capsys, tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    code, out, _ = run(capsys, "health", "--json", "-w", str(ws.root))
    doc = json.loads(out)
    assert code == 0, doc
    assert doc["status"] in ("healthy", "degraded")
    assert [c["name"] for c in doc["components"]] == ["database", "workspace", "sampler", "disk"]
    assert doc["components"][1]["status"] == "healthy"
    code, out, _ = run(capsys, "health")
    assert code == 0 and "database" in out and "disk" in out


def test_health_exits_one_when_unhealthy(capsys, tmp_path, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(100, 99, 1))
    code, out, _ = run(capsys, "health", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["status"] == "unhealthy" and doc["summary"].startswith("Unhealthy: disk:")
    code, out, _ = run(capsys, "health", "-w", str(tmp_path / "missing"))
    assert code == 1 and "workspace" in out and "not a folder" in out


def test_metrics_takes_a_fresh_sample_when_none_is_stored(capsys, data_dir):
    code, out, _ = run(capsys, "metrics", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["source"] == "fresh"
    assert set(doc["samples"]) >= {CPU, "system.memory_percent", "system.disk_percent"}
    assert doc["active_alerts"] == [] and doc["failure_rate"] is None
    db = Database.open(data_dir.database_url)
    try:
        assert MetricsStore(db).latest([CPU])  # the fresh sample was stored
        code, out, _ = run(capsys, "metrics", "--json")
        assert json.loads(out)["source"] == "stored"
    finally:
        db.close()


def test_metrics_lists_active_alerts(capsys, data_dir):
    db = Database.open(data_dir.database_url)
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    try:
        engine = AlertEngine({CPU: Threshold(80, 95, 10, 5)})
        events = [e for i in range(10) for e in engine.observe(CPU, now - 10 + i, 93.0)]
        AlertLog(db).persist(engine, events)
        MetricsStore(db).record([(CPU, now, 93.0)])
    finally:
        db.close()
    code, out, _ = run(capsys, "metrics")
    assert code == 0 and "Active alerts (1)" in out and "CPU alert (warning) raised at" in out
    assert "now 93 %, peak 93 % (warning level 80 %, resolves below 70 %)" in out
    doc = json.loads(run(capsys, "metrics", "--json")[1])
    assert doc["source"] == "stored" and doc["active_alerts"][0]["metric"] == CPU


def test_metrics_says_when_a_failure_rate_alert_was_raised_and_where_it_stands_now(capsys, data_dir):
    """The alert was raised at 40 %; the rate is 10 % now.  The old output printed
    "run failure rate at 40 %" under "Run failure rate: 10 %", which read as a contradiction."""
    db = Database.open(data_dir.database_url)
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    try:
        record_runs(db, ["failed", "rolled_back", "succeeded", "succeeded", "succeeded"], now - 3600)
    finally:
        db.close()
    code, out, _ = run(capsys, "metrics")
    assert code == 0 and "Run failure rate: 40 % of the last 5 runs" in out
    # the alert quotes the same number of runs as the rate line (only 5 exist)
    assert "now 40 % of the last 5 finished runs, peak 40 % (critical level 20 %, resolves below 4 %)" in out
    db = Database.open(data_dir.database_url)
    try:
        record_runs(db, ["succeeded"] * 15, now - 1800)
    finally:
        db.close()
    code, out, _ = run(capsys, "metrics")
    assert code == 0 and "Run failure rate: 10 % of the last 20 runs" in out
    [line] = [ln for ln in out.splitlines() if "run failure rate" in ln and "alert" in ln]
    assert "at 40 %" not in line and "raised at " in line
    assert line.strip().startswith("run failure rate alert (critical) raised at") and line.endswith(
        "now 10 % of the last 20 finished runs, peak 40 % (critical level 20 %, resolves below 4 %)")
    doc = json.loads(run(capsys, "metrics", "--json")[1])
    [alert] = doc["active_alerts"]
    assert doc["failure_rate"] == {"percent": 10.0, "runs": 20}
    # The fields scripts already read are unchanged (message: as written when raised) ...
    assert alert["message"].startswith("run failure rate at 40 %") and alert["peak"] == 40.0
    # ... and the added ones say where the alert stands now.
    assert alert["last_value"] == 10.0 and alert["clear_level"] == 4.0 and alert["unit"] == "%"
    assert alert["label"] == "run failure rate" and alert["summary"] == line.strip()


def test_report_writes_html_and_csv(capsys, tmp_path, data_dir):
    db = Database.open(data_dir.database_url)
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    try:
        MetricsStore(db).record([(CPU, now - 100 + i, 30.0) for i in range(100)])
    finally:
        db.close()
    html, csv_dir = tmp_path / "r.html", tmp_path / "csv"
    code, out, _ = run(capsys, "report", "--html", str(html), "--csv", str(csv_dir), "--since", "1", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["html"] == str(html) and len(doc["csv"]) == 4
    assert "<svg" in html.read_text() and "System resources" in html.read_text()
    assert sorted(os.listdir(csv_dir)) == ["alerts.csv", "runs.csv", "samples.csv", "steps.csv"]
    assert doc["recommendations"][0]["kind"] == "no-runs"


def test_report_usage_and_user_errors(capsys, tmp_path):
    code, _, err = run(capsys, "report", "--html", str(tmp_path / "r.html"), "--since", "0")
    assert code == 2 and "--since must be a positive number of days" in err
    code, _, err = run(capsys, "report", "--html", str(tmp_path))
    assert code == 1 and "is a folder" in err and "Traceback" not in err
    # A file where a folder should be: named, not the OS's "File exists"; nothing written.
    (tmp_path / "afile").write_text("x")
    for html in (tmp_path / "afile" / "r.html", tmp_path / "afile" / "sub" / "r.html"):
        code, _, err = run(capsys, "report", "--html", str(html))
        assert code == 1 and err == f"arxconsole: error: cannot write {html}: {tmp_path / 'afile'} is a file, not a folder\n"
    code, _, err = run(capsys, "report", "--html", str(tmp_path / "ok.html"), "--csv", str(tmp_path / "afile"))
    assert code == 1 and err == (f"arxconsole: error: cannot write into {tmp_path / 'afile'}: "
                                 f"{tmp_path / 'afile'} is a file, not a folder\n")
    assert not (tmp_path / "ok.html").exists()                 # both outputs checked before any work
    try:
        main(["report"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "--html" in capsys.readouterr().err


def test_damaged_database_is_reported_not_a_traceback(capsys, data_dir):
    data_dir.database_path.write_bytes(b"this is not a database" * 100)
    code, out, _ = run(capsys, "health", "--json")
    doc = json.loads(out)
    db_health = doc["components"][0]
    assert code == 1 and db_health["name"] == "database" and db_health["status"] == "unhealthy"
    assert "arxconsole.sqlite3" in db_health["reason"]
    code, out, err = run(capsys, "metrics")
    assert code == 1 and "arxconsole.sqlite3" in err and "Traceback" not in err


def test_health_is_degraded_and_names_an_active_alert(capsys, data_dir, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(100 * 1024 ** 3, 10 * 1024 ** 3, 90 * 1024 ** 3))
    code, out, _ = run(capsys, "health", "--json")
    assert code == 0 and json.loads(out)["status"] == "healthy" and json.loads(out)["alerts"] == []
    db = Database.open(data_dir.database_url)
    try:
        record_runs(db, ["failed"] + ["succeeded"] * 4, dt.datetime.now(dt.timezone.utc).timestamp() - 60)
    finally:
        db.close()
    run(capsys, "metrics")                                  # judges the failure rate: 20 % raises the alert
    code, out, _ = run(capsys, "health")
    assert code == 0 and out.startswith("Degraded: 1 active alert: run failure rate alert (critical) raised at")
    assert "  alert      critical   run failure rate alert (critical) raised at" in out
    doc = json.loads(run(capsys, "health", "--json")[1])
    assert doc["status"] == "degraded" and [a["metric"] for a in doc["alerts"]] == ["pipeline.failure_rate"]
    assert all(c["status"] == "healthy" for c in doc["components"])
