"""Fault test: SIGKILL a real ``python -m arxconsole run`` at chosen points, then recover.

The runner's test-only hook ``ARXCONSOLE_FAULT_KILL_AT`` kills the process at a step
start, right after the n-th journal entry is durable (before its change), or right
after the n-th change.  After each kill the recovery must put the workspace back to its
pre-run state byte for byte and record the rollback in the audit log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from arxconsole.engine.pipeline import RunHistory, recover_interrupted_runs
from arxconsole.engine.pipeline.backup_hook import SETTING as BACKUP_SETTING
from arxconsole.engine.pipeline.journal import ChangeJournal

from tests.engine.pipeline_helpers import make_ws, tree_state

POINTS = ["step:define-schema", "journal:1", "write:1", "journal:3", "write:4", "step:documentation",
          "write:7", "step:compliance"]


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_mid_run_then_recovery_restores_the_workspace(tmp_path, db, data_dir, point):
    db.set_setting(BACKUP_SETTING, False, audit=False)
    ws = make_ws(tmp_path, objects=2)
    before = tree_state(ws.root)
    env = dict(os.environ, ARXCONSOLE_FAULT_KILL_AT=point, ARXCONSOLE_DATA_DIR=str(data_dir.root))
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "run", "-w", str(ws.root), "-s", "electrical",
                           "-o", "smart_switch", "--quiet"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    [journal] = ChangeJournal.pending(ws)
    run_id = journal.run_id
    if point.startswith("write:"):
        assert tree_state(ws.root) != before  # the kill really left changes behind
    assert RunHistory(db).get_run(run_id).state == "running"

    recovered = recover_interrupted_runs(ws, db)

    assert [r.run_id for r in recovered] == [run_id]
    assert tree_state(ws.root) == before
    assert ChangeJournal.pending(ws) == []
    assert RunHistory(db).get_run(run_id).state == "rolled_back"
    audit = db.audit_events("run.rolled_back")
    assert audit and audit[0].details["run_id"] == run_id and audit[0].details["recovered"] is True
    changed = [u for u in audit[0].details["undone"] if u["action"] != "unchanged"]
    if point.startswith("write:"):
        assert len(changed) >= int(point.split(":")[1])
    # and the workspace is usable: a normal run afterwards succeeds
    env.pop("ARXCONSOLE_FAULT_KILL_AT")
    ok = subprocess.run([sys.executable, "-m", "arxconsole", "run", "-w", str(ws.root), "-s", "electrical",
                         "-o", "smart_switch", "--quiet", "--json"], env=env, capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.slow
def test_sigkill_during_recovery_is_recovered_again(tmp_path, db, data_dir):
    """Rolling back is idempotent: a recovery killed half-way is finished by the next one."""
    db.set_setting(BACKUP_SETTING, False, audit=False)
    ws = make_ws(tmp_path, objects=2)
    before = tree_state(ws.root)
    cmd = [sys.executable, "-m", "arxconsole", "run", "-w", str(ws.root), "-s", "electrical", "-o", "smart_switch",
           "--quiet"]
    env = dict(os.environ, ARXCONSOLE_FAULT_KILL_AT="write:6", ARXCONSOLE_DATA_DIR=str(data_dir.root))
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == -signal.SIGKILL
    # the next `run` starts by recovering; kill it after two paths are back
    env["ARXCONSOLE_FAULT_KILL_AT"] = "undo:2"
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == -signal.SIGKILL
    assert ChangeJournal.pending(ws) and tree_state(ws.root) != before
    recovered = recover_interrupted_runs(ws, db)
    assert len(recovered) == 1 and tree_state(ws.root) == before
