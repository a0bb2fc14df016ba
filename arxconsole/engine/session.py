"""Opening a workspace for work: the one sequence both front ends use.

Lock it (one console at a time), then let every capability that keeps a journal inside
the workspace finish or undo what a crashed process left behind, *before* anything else
touches the files.  Each recovery returns plain-language messages the front end shows.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import durable
from .workspace import Workspace, WorkspaceLock

log = logging.getLogger(__name__)


def _recover_restores(ws: Workspace, db) -> list[str]:
    if not (ws.root / ".arxconsole-staging").is_dir():
        return []  # no restore was ever staged here: nothing to finish or undo
    from .backup.restore import recover_interrupted

    return [f"backup restore {m}" for m in recover_interrupted(ws, db=db)]


# pipeline.journal.JOURNAL_DIR and pipeline.runlock.LOCK_NAME, spelled out so that the
# common case below needs no import of the pipeline engine (~50 ms at every start-up);
# tests/engine/test_session.py keeps them equal.
RUN_JOURNAL_DIR = ".arxconsole-journal"
RUN_LOCK_NAME = "run.lock"


def _journal_has_runs(ws: Workspace) -> bool:
    """Whether the run journal folder holds anything but the run lock (which stays
    after every run): a journal of a run that never finished, or one half deleted."""
    try:
        with os.scandir(ws.root / RUN_JOURNAL_DIR) as entries:
            return any(e.name != RUN_LOCK_NAME for e in entries)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: let the real recovery decide


def _recover_runs(ws: Workspace, db) -> list[str]:
    if db is None:  # the run history lives in the database; without it nothing to mark
        return []
    if not _journal_has_runs(ws) and not _runs_marked_running(ws, db):
        return []  # the common case, decided without importing the pipeline engine
    from .pipeline.recovery import recover_interrupted_runs

    return [r.message or f"run {r.run_id}: {r.state}" for r in recover_interrupted_runs(ws, db)]


def _runs_marked_running(ws: Workspace, db) -> bool:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM pipeline_runs WHERE workspace = :ws AND state IN "
                                     "('running', 'pending') LIMIT 1"), {"ws": str(ws.root)}).first() is not None
    except SQLAlchemyError:
        return True  # cannot tell: let the real recovery decide


# In this order: a restore's swap is finished or undone first, then a dead run's
# change journal is rolled back over a consistent tree.
RECOVERIES = [("backup restore", _recover_restores), ("pipeline run", _recover_runs)]


@dataclass
class WorkspaceSession:
    workspace: Workspace
    lock: WorkspaceLock
    recovery_messages: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.lock.release()


def open_session(path: str | Path, db=None, data_dir=None) -> WorkspaceSession:
    """Open, lock and recover a workspace.  Raises WorkspaceError/WorkspaceLockedError."""
    ws = Workspace.open(path)
    lock = ws.lock().acquire()
    session = WorkspaceSession(ws, lock)
    try:
        removed = durable.clean_stale_temps(ws.root)
        if removed:
            session.recovery_messages.append(f"removed {removed} unfinished temporary file(s) left by a crash")
        for name, fn in RECOVERIES:
            msgs = fn(ws, db) or []
            for m in msgs:
                log.warning("recovery (%s): %s", name, m)
            session.recovery_messages.extend(msgs)
    except BaseException:
        lock.release()
        raise
    return session
