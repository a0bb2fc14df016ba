"""Opening a workspace recovers what a killed process left behind, before anything
else touches it (the shared sequence of the GUI and the CLI)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from arxconsole.engine.demo import write_demo_workspace
from arxconsole.engine.session import open_session
from arxconsole.engine.workspace import WorkspaceLockedError


def tree(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".arxconsole" not in p.as_posix()}


@pytest.mark.slow
def test_killed_run_is_rolled_back_when_the_workspace_is_opened(tmp_path, db, data_dir):
    ws_root = tmp_path / "ws"
    write_demo_workspace(ws_root)
    before = tree(ws_root)
    env = dict(os.environ, ARXCONSOLE_FAULT_KILL_AT="step:documentation")
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "run", "--workspace", str(ws_root),
                           "--system", "electrical"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stderr  # SIGKILLed mid-run, after the registry was written
    assert tree(ws_root) != before             # it left changes behind
    session = open_session(ws_root, db, data_dir)
    try:
        assert tree(ws_root) == before
        assert any("rolled back" in m or "rolled_back" in m for m in session.recovery_messages), \
            session.recovery_messages
        assert db.audit_events("run.")
    finally:
        session.close()


def test_open_session_locks_and_cleans_stale_temps(tmp_path, db, data_dir):
    ws_root = tmp_path / "ws"
    write_demo_workspace(ws_root)
    (ws_root / "schemas" / ".arx-tmp-crashed").write_text("half")
    session = open_session(ws_root, db, data_dir)
    try:
        assert not (ws_root / "schemas" / ".arx-tmp-crashed").exists()
        assert any("temporary" in m for m in session.recovery_messages)
        with pytest.raises(WorkspaceLockedError):
            open_session(ws_root, db, data_dir)
    finally:
        session.close()
    open_session(ws_root, db, data_dir).close()  # released


def test_the_quick_recovery_check_names_the_pipeline_journal_and_lock():
    from arxconsole.engine import session
    from arxconsole.engine.pipeline import journal, runlock

    assert session.RUN_JOURNAL_DIR == journal.JOURNAL_DIR
    assert session.RUN_LOCK_NAME == runlock.LOCK_NAME


def test_after_a_finished_run_opening_needs_no_pipeline_engine(tmp_path, data_dir):
    # Every run leaves the run lock in the journal folder; that alone is no reason to
    # import the pipeline engine (~50 ms of every start-up) to look for journals.
    ws_root = tmp_path / "ws"
    write_demo_workspace(ws_root)
    (ws_root / ".arxconsole-journal").mkdir()
    (ws_root / ".arxconsole-journal" / "run.lock").write_bytes(b"")
    code = ("import sys; from arxconsole.store import Database; from arxconsole.engine.session import open_session;"
            f"db = Database.open({data_dir.database_url!r}); s = open_session({str(ws_root)!r}, db);"
            "print('pipeline imported' if 'arxconsole.engine.pipeline' in sys.modules else 'pipeline not imported',"
            " s.recovery_messages); s.close()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pipeline not imported []"


def test_a_journal_left_by_a_dead_run_is_still_recovered(tmp_path, db, data_dir):
    # Anything beside the lock sends the open through the real recovery.
    from arxconsole.engine.pipeline.history import RunHistory
    from arxconsole.engine.pipeline.journal import ChangeJournal
    from arxconsole.engine.pipeline.states import STEP_IDS
    from arxconsole.engine.workspace import Workspace

    ws_root = tmp_path / "ws"
    write_demo_workspace(ws_root)
    ws = Workspace.open(ws_root)
    target = ws_root / "schemas" / "electrical" / "schema.json"
    before = target.read_bytes()
    run_id = RunHistory(db).create_run(
        workspace=str(ws_root), system="electrical", object_type="", mode="new_system", dry_run=False,
        step_by_step=False, from_step="", only_step="", retry_of=None, actor="test",
        steps={step: ("pending", 1) for step in STEP_IDS})
    journal = ChangeJournal.begin(ws, run_id, {"run_id": run_id})
    journal.record("schemas/electrical/schema.json")
    target.write_text("{}")
    journal._close()   # the process "dies" here: the journal stays
    session = open_session(ws_root, db, data_dir)
    try:
        assert target.read_bytes() == before
        assert session.recovery_messages
    finally:
        session.close()
