"""Undo what a run that died mid-way changed, before anything else touches the workspace.

``recover_interrupted_runs(workspace, db)`` is what the CLI and the GUI call when they
open a workspace.  It takes the run lock (so it never undoes a run that is still alive
in another process), rolls back every journal it finds, marks those runs
``rolled_back`` and audits exactly what was undone.  Runs recorded as running with no
journal (a dry run that died) are marked failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import update

from ...store.models.pipeline import PipelineStep
from ..workspace import Workspace
from .history import RunHistory, RunNotFound
from .journal import ChangeJournal, UndoneChange
from .runlock import RunInProgressError, RunLock
from .states import State


@dataclass
class RecoveredRun:
    run_id: int | None
    state: str
    undone: list[UndoneChange] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "state": self.state, "message": self.message,
                "undone": [u.to_dict() for u in self.undone]}


def recover_journals(workspace: Workspace, db) -> list[RecoveredRun]:
    """Roll back every pending journal.  The caller holds the run lock."""
    ChangeJournal.purge_finished(workspace)
    history = RunHistory(db)
    out = []
    for journal in ChangeJournal.pending(workspace):
        run_id = journal.run_id
        undone = journal.rollback()
        journal.finish()
        real = [u for u in undone if u.action != "unchanged"]
        msg = (f"run {run_id} was interrupted (the process ended mid-run); rolled back at the next start: "
               + (", ".join(f"{u.action} {u.path}" for u in real) if real else "no file had been changed"))
        if run_id is not None:
            try:
                history.get_run(run_id)
                history.update_run(run_id, state=State.ROLLED_BACK.value, ended_at=time.time(), message=msg)
                with db.writer() as s:
                    s.execute(update(PipelineStep).where(PipelineStep.run_id == run_id,
                                                         PipelineStep.state.in_(["running", "pending"]))
                              .values(state=State.CANCELLED.value, message="interrupted"))
            except RunNotFound:
                msg += " (the run is not in this database)"
        db.audit("run.rolled_back", f"run {run_id}", workspace=str(workspace.root), message=msg,
                 details={"run_id": run_id, "reason": "interrupted", "recovered": True,
                          "undone": [u.to_dict() for u in undone]})
        out.append(RecoveredRun(run_id, State.ROLLED_BACK.value, undone, msg))
    return out


def recover_interrupted_runs(workspace: Workspace, db) -> list[RecoveredRun]:
    """Call when opening a workspace; returns what was recovered (empty when nothing)."""
    try:
        lock = RunLock(workspace).acquire()
    except RunInProgressError:
        return []  # a live run owns the journal; it will finish or roll back itself
    try:
        out = recover_journals(workspace, db)
        recovered = {r.run_id for r in out}
        history = RunHistory(db)
        for run in history.runs_in_state(str(workspace.root), ["running", "pending"]):
            if run.id in recovered:
                continue
            msg = f"run {run.id} was interrupted (the process ended mid-run); it had written nothing"
            history.update_run(run.id, state=State.FAILED.value, ended_at=time.time(), message=msg)
            db.audit("run.interrupted", f"run {run.id}", workspace=str(workspace.root), message=msg,
                     details={"run_id": run.id})
            out.append(RecoveredRun(run.id, State.FAILED.value, [], msg))
        return out
    finally:
        lock.release()
