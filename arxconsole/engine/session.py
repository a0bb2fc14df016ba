"""Opening a workspace for work: the one sequence both front ends use.

Lock it (one console at a time), then let every capability that keeps a journal inside
the workspace finish or undo what a crashed process left behind, *before* anything else
touches the files.  Each recovery returns plain-language messages the front end shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import durable
from .workspace import Workspace, WorkspaceLock

log = logging.getLogger(__name__)

# (name, fn(workspace, db, data_dir) -> list[str]); capabilities register at import time.
RecoveryFn = Callable[..., list[str]]
_RECOVERIES: list[tuple[str, RecoveryFn]] = []


def register_recovery(name: str, fn: RecoveryFn) -> None:
    if all(n != name for n, _ in _RECOVERIES):
        _RECOVERIES.append((name, fn))


@dataclass
class WorkspaceSession:
    workspace: Workspace
    lock: WorkspaceLock
    recovery_messages: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.lock.release()


def open_session(path: str | Path, db=None, data_dir=None) -> WorkspaceSession:
    """Open, lock and recover a workspace.  Raises WorkspaceError/WorkspaceLockedError."""
    _load_recoveries()
    ws = Workspace.open(path)
    lock = ws.lock().acquire()
    session = WorkspaceSession(ws, lock)
    try:
        removed = durable.clean_stale_temps(ws.root)
        if removed:
            session.recovery_messages.append(f"removed {removed} unfinished temporary file(s) left by a crash")
        for name, fn in _RECOVERIES:
            msgs = fn(ws, db, data_dir) or []
            for m in msgs:
                log.warning("recovery (%s): %s", name, m)
            session.recovery_messages.extend(msgs)
    except BaseException:
        lock.release()
        raise
    return session


def _load_recoveries() -> None:
    """Import the capabilities that register recoveries (import has the side effect)."""
    import importlib

    for mod in ("arxconsole.engine.pipeline", "arxconsole.engine.backup"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:  # a real import error inside the package: surface it
                raise
