"""Team mode: two consoles (two data dirs, as on two machines) pointed at one
PostgreSQL server share run history, audit and metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from arxconsole.engine.datadir import DataDir
from arxconsole.engine.demo import write_demo_workspace
from arxconsole.store import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(any_db):
    if not any_db.url.startswith("postgresql"):
        pytest.skip("team mode is the PostgreSQL path")
    return any_db.url


def console_env(tmp_path, name, url):
    """A second 'machine': its own data dir whose database.json names the server; the
    password comes from ARXCONSOLE_DB_PASSWORD (no keyring on a CI box)."""
    data = tmp_path / name
    data.mkdir()
    u = make_url(url)
    (data / "database.json").write_text(json.dumps({"url": u._replace(password=None).render_as_string(False)}))
    return dict(os.environ, ARXCONSOLE_DATA_DIR=str(data), ARXCONSOLE_DB_PASSWORD=u.password or "")


def test_a_run_on_one_console_is_in_the_other_consoles_history(tmp_path, pg_url, any_db):
    ws = tmp_path / "ws"
    write_demo_workspace(ws)
    env_a = console_env(tmp_path, "machine-a", pg_url)
    env_b = console_env(tmp_path, "machine-b", pg_url)
    a = subprocess.run([sys.executable, "-m", "arxconsole", "run", "--workspace", str(ws), "--system",
                        "electrical", "--dry-run", "--json"], env=env_a, capture_output=True, text=True, timeout=300)
    assert a.returncode == 0, a.stderr
    run_id = json.loads(a.stdout)["run_id"]
    b = subprocess.run([sys.executable, "-m", "arxconsole", "runs", "show", str(run_id), "--json"],
                       env=env_b, capture_output=True, text=True, timeout=120)
    assert b.returncode == 0, b.stderr
    shown = json.loads(b.stdout)
    assert shown["state"] == "succeeded" and shown["system"] == "electrical"
    # the audit and the settings are shared too
    b2 = subprocess.run([sys.executable, "-m", "arxconsole", "gates", "set", "coverage", "95"],
                        env=env_b, capture_output=True, text=True, timeout=120)
    assert b2.returncode == 0, b2.stderr
    assert any(e.action == "gate.changed" and e.target == "coverage" for e in any_db.audit_events())
    # neither machine wrote a local SQLite database
    assert not (tmp_path / "machine-a" / "arxconsole.sqlite3").exists()
    assert not (tmp_path / "machine-b" / "arxconsole.sqlite3").exists()


def test_metrics_written_by_one_console_are_read_by_another(pg_url, tmp_path):
    from arxconsole.engine.monitor.metrics import MetricsStore

    a, b = Database.open(pg_url), Database.open(pg_url)
    try:
        import time

        now = time.time()
        MetricsStore(a).record([("system.cpu_percent", now - i, float(i)) for i in range(5)])
        data = MetricsStore(b).series("system.cpu_percent", now - 60, now + 1)
        assert sorted(data.value.tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]
    finally:
        a.close()
        b.close()
