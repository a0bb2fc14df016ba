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
