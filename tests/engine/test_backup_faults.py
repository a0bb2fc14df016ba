"""Crash tests: SIGKILL real ``python -m arxconsole backup create|restore`` processes at
many points and check that nothing damaged is ever listed as good and that, after
recovery, the workspace is exactly the state before or the state after.

The kill points come from the engine's test hook (``engine/backup/faults.py``):
``ARXCONSOLE_FAULT_KILL_AFTER=N`` makes the process SIGKILL itself at the N-th durable
write/rename/removal; a first run with ``ARXCONSOLE_FAULT_TRACE`` counts them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from arxconsole.engine.backup import BackupRepository, create_backup, recover_interrupted, verify_backup
from arxconsole.engine.backup.restore import STAGING_DIR
from arxconsole.engine.workspace import Workspace
from tests.engine.test_backup_helpers import make_workspace, snapshot

pytestmark = pytest.mark.slow
MIN_POINTS = 20
TARGET_POINTS = 22   # >= MIN_POINTS; each point is one CLI run (~1 s)


def run_cli(args, data_dir, kill_after=None, trace=None):
    env = dict(os.environ, ARXCONSOLE_DATA_DIR=str(data_dir))
    env.pop("ARXCONSOLE_FAULT_KILL_AFTER", None)
    if kill_after:
        env["ARXCONSOLE_FAULT_KILL_AFTER"] = str(kill_after)
    if trace:
        env["ARXCONSOLE_FAULT_TRACE"] = str(trace)
    return subprocess.run([sys.executable, "-m", "arxconsole", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def kill_points(total: int) -> list[int]:
    """Every point when there are few, else an even spread that includes first and last."""
    if total <= TARGET_POINTS:
        return list(range(1, total + 1))
    step = total / TARGET_POINTS
    return sorted({1, total, *(int(1 + i * step) for i in range(TARGET_POINTS))})


def assert_listing_honest(data_dir):
    """Every backup the listing calls good must verify completely."""
    repo = BackupRepository(data_dir / "backups")
    good = [r for r in repo.list() if r.state == "ok"]
    for r in good:
        report = verify_backup(repo, r.id)
        assert report.ok, f"listed as good but damaged: {report.to_json()}"
    return repo, good


def trace_points(tmp_path, args, data_dir) -> int:
    trace = tmp_path / "trace.txt"
    proc = run_cli(args, data_dir, trace=trace)
    assert proc.returncode == 0, proc.stderr
    lines = trace.read_text().splitlines()
    assert len(lines) >= MIN_POINTS, lines
    return len(lines)


def test_sigkill_during_backup_create(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    for i in range(12):   # enough new objects for many distinct kill points
        (ws.root / "docs" / f"page{i}.md").write_text(f"page {i}\n" * (i + 1))
    before = snapshot(ws)
    template = tmp_path / "data-template"
    assert run_cli(["backup", "list"], template).returncode == 0   # database migrated once
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    args = ["backup", "create", "-w", str(ws.root), "-m", "crash test"]
    total = trace_points(tmp_path, args, probe)
    points = kill_points(total)
    assert len(points) >= MIN_POINTS
    outcomes = {"killed": 0, "completed": 0}
    for n in points:
        data = tmp_path / f"data-{n}"
        shutil.copytree(template, data)
        proc = run_cli(args, data, kill_after=n)
        assert proc.returncode in (-signal.SIGKILL, 0), (n, proc.returncode, proc.stderr)
        outcomes["killed" if proc.returncode else "completed"] += 1
        assert recover_interrupted(ws) == []
        assert snapshot(ws) == before
        repo, good = assert_listing_honest(data)
        assert len(good) <= 1
        if good:
            assert {f.path: f.hash for f in repo.load(good[0].id).files} == before
        # the repository stays usable: the next backup is complete and verifies
        m = create_backup(Workspace.open(ws.root), repo)
        assert verify_backup(repo, m.id).ok
        shutil.rmtree(data)
    assert outcomes["killed"] >= MIN_POINTS


def test_sigkill_during_restore(tmp_path):
    ws = make_workspace(tmp_path / "ws-template")
    template = tmp_path / "data-template"
    repo = BackupRepository(template / "backups")
    m = create_backup(ws, repo)
    after = snapshot(ws)
    # the broken state the operator restores from: edits, a deletion, new files
    ws.symbol_path("electrical", "EL_Thing_000").write_text('{"broken": 1}')
    ws.symbol_path("audiovisual", "AV_Thing_001").write_text('{"broken": 2}')
    ws.profile_path("electrical", "thing").unlink()
    # every file under behavior/ differs: that folder is swapped as one unit
    ws.profile_path("audiovisual", "thing").write_text("id: changed\n")
    for i in range(6):
        (ws.root / "docs" / "systems" / f"new{i}.md").write_text(f"created later {i}\n")
    before = snapshot(ws)
    assert run_cli(["backup", "list"], template).returncode == 0
    args = lambda w: ["backup", "restore", m.id, "--yes", "-w", str(w)]  # noqa: E731

    probe_ws, probe_data = tmp_path / "probe-ws", tmp_path / "probe-data"
    shutil.copytree(ws.root, probe_ws)
    shutil.copytree(template, probe_data)
    total = trace_points(tmp_path, args(probe_ws), probe_data)
    assert snapshot(Workspace.open(probe_ws)) == after
    points = kill_points(total)
    assert len(points) >= MIN_POINTS
    seen = {"before": 0, "after": 0}
    for n in points:
        target, data = tmp_path / f"ws-{n}", tmp_path / f"data-{n}"
        shutil.copytree(ws.root, target)
        shutil.copytree(template, data)
        proc = run_cli(args(target), data, kill_after=n)
        assert proc.returncode in (-signal.SIGKILL, 0), (n, proc.returncode, proc.stderr)
        recover_interrupted(target)
        state = snapshot(Workspace.open(target))
        assert state in (before, after), f"kill point {n}: workspace is a mix of old and restored"
        seen["before" if state == before else "after"] += 1
        assert not (target / STAGING_DIR).exists()
        _repo, good = assert_listing_honest(data)
        assert m.id in {r.id for r in good}
        shutil.rmtree(target)
        shutil.rmtree(data)
    # both outcomes happen: kills before the commit roll back, after it roll forward
    assert seen["before"] > 0 and seen["after"] > 0
