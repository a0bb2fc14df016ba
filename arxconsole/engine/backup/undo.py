"""Undo the last restore of a workspace, from what the audit log recorded.

Every successful restore records a ``backup.restore`` audit event with the workspace,
the backup restored, its safety backup and the paths written and removed
(``RestoreResult.to_json``).  That is all an undo needs, so it survives a restart, a
workspace switch or another process (the CLI)::

    last = last_restore(ws, repo, db)      # None, or LastRestore (.undoable, .problem)
    undo = plan_undo(ws, repo, last)       # preview: undo.plan, undo.changed_since
    undo_restore(ws, repo, db, event_id=last.event_id, progress=p, cancel=c)

What an undo does: put back, from the restore's safety backup, the pre-restore bytes
of exactly the paths the restore touched.  A file the restore re-created is removed
again, a file it removed comes back; nothing else in the workspace is touched.  The
undo is itself a restore (verify, safety backup first, crash-safe swap), recorded with
``undoes: <event id>``.  Only the newest restore of a workspace is offered: once it
has been undone there is nothing left to undo (undoing the undo would be a redo, which
is a plain restore of the original backup).  A restore from the previous restore's
safety backup made by hand (``arxconsole backup restore <safety id> ...``) counts as its
undo too when it reached every path that restore touched.

Edits made after the restore: when a touched path no longer holds what the restore
left there, the undo still puts back its pre-restore bytes (that is what "undo" means)
and ``plan_undo`` names those paths so the confirmation can say so.  The edits are not
lost: the undo's own safety backup, taken first, holds them.

Whether an undo is still meaningful is decided from the repository: the safety backup
must be live (not deleted or purged), its manifest intact, and every object the undo
would put back present and re-hashing to its digest (checked once per restore per
process; the restore re-verifies each object while staging anyway).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from ..errors import UserError
from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import Workspace
from .manifest import FileEntry, Manifest
from .manifest import load as load_manifest
from .repository import BackupNotFound, BackupRepository
from .layout import selection_matcher
from .restore import RestorePlan, RestoreResult, plan_restore, restore_backup
from .verify import check_objects

ACTION = "backup.restore"
_VERIFIED: set[tuple[str, int]] = set()   # (repository, restore event) whose undo objects re-hashed fine


@dataclass
class LastRestore:
    """The newest restore of a workspace, as the audit log recorded it."""

    event_id: int
    at: dt.datetime                 # when the restore ran (UTC)
    actor: str
    workspace: str
    result: RestoreResult
    backup_created: str = ""        # ISO time of the backup it restored ('' when that backup is gone)
    backup_label: str = ""          # its reason and message
    safety_created: str = ""
    undone_at: dt.datetime | None = None
    problem: str = ""               # why it cannot be undone ('' when it can, or was undone)

    @property
    def paths(self) -> list[str]:
        """Every path the restore wrote or removed: what an undo puts back."""
        return sorted(set(self.result.written) | set(self.result.removed))

    @property
    def undoable(self) -> bool:
        return self.undone_at is None and not self.problem

    def why_not(self) -> str:
        if self.undone_at is not None:
            return f"it was already undone ({_utc(self.undone_at)})"
        return self.problem

    def describe(self) -> str:
        n = len(self.paths)
        return (f"restore of {n} file{'s' if n != 1 else ''} from backup {self.result.backup_id} "
                f"made {_utc(self.at)} by {self.actor or 'unknown'}")

    def to_json(self) -> dict:
        return {"event": self.event_id, "at": self.at.isoformat(), "actor": self.actor,
                "workspace": self.workspace, "restore": self.result.to_json(), "paths": self.paths,
                "backup_created": self.backup_created, "safety_created": self.safety_created,
                "undoable": self.undoable, "undone_at": self.undone_at and self.undone_at.isoformat(),
                "problem": self.why_not()}


@dataclass
class UndoPlan:
    """What undoing ``last`` would do now (the confirmation's content)."""

    last: LastRestore
    plan: RestorePlan
    paths: list[str]                                          # the selection given to the restore
    changed_since: list[str] = field(default_factory=list)    # touched paths edited after the restore
    unknown_since: bool = False     # the restored backup is gone: whether they changed cannot be told

    def to_json(self) -> dict:
        return {"last": self.last.to_json(), "plan": self.plan.to_json(), "changed_since": self.changed_since,
                "unknown_since": self.unknown_since}

    def describe(self) -> str:
        lines = [f"undo the {self.last.describe()}: put back, from its safety backup "
                 f"{self.last.result.safety_backup_id}, the files as they were before it"]
        lines += self.plan.describe().splitlines()[1:]
        if self.changed_since:
            lines.append(f"{len(self.changed_since)} of these files were changed after the restore; their "
                         f"current contents go into the safety backup taken before the undo:")
            lines += [f"  changed since  {p}" for p in self.changed_since]
        elif self.unknown_since:
            lines.append("the restored backup is gone, so whether these files changed since cannot be told; "
                         "their current contents go into the safety backup taken before the undo")
        return "\n".join(lines)


def _utc(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _events(db, workspace: str, limit: int) -> list:
    from sqlalchemy import select  # lazily: the engine must start fast without the db

    from ...store.models.core import AuditEvent

    with db.reader() as s:
        q = (select(AuditEvent).where(AuditEvent.action == ACTION, AuditEvent.workspace == workspace)
             .order_by(AuditEvent.id.desc()).limit(limit))
        return list(s.scalars(q))


def _event(db, event_id: int):
    from ...store.models.core import AuditEvent

    with db.reader() as s:
        return s.get(AuditEvent, event_id)


def _result_of(ev) -> RestoreResult | None:
    d = ev.details if isinstance(ev.details, dict) else {}
    try:
        return RestoreResult(str(d["backup"]), d.get("safety_backup"), list(d.get("selection") or []),
                             [str(p) for p in d["written"]], [str(p) for p in d["removed"]], d.get("undoes"))
    except (KeyError, TypeError, ValueError):
        return None


def _any_manifest(repo: BackupRepository, bid: str | None, header_only: bool = True) -> Manifest | None:
    """A backup's manifest, live or soft-deleted; None when it is gone or damaged."""
    if not bid:
        return None
    for path in (repo.manifest_path(bid), repo.deleted_path(bid)):
        if path.exists():
            try:
                return load_manifest(path, header_only=header_only)
            except UserError:
                return None
    return None


def _covers(selection: list[str], paths: set[str]) -> bool:
    """Whether a restore with ``selection`` (empty: everything) reached every one of
    ``paths``."""
    if not selection:
        return True
    matches = selection_matcher(selection)
    return all(matches(p) for p in paths)


def last_restore(workspace: Workspace, repo: BackupRepository, db, *, verify: bool = True) -> LastRestore | None:
    """The newest restore of ``workspace`` recorded in ``db``, and whether it can still be
    undone; None when the workspace was never restored.  ``verify``: re-hash the objects
    the undo needs (once per restore per process)."""
    ws = str(workspace.root)
    events = _events(db, ws, 2)
    if not events:
        return None
    newest = events[0]
    result = _result_of(newest)
    undone_at = None
    if result is not None and result.undoes is not None:
        try:
            undone = _event(db, int(result.undoes))
        except (TypeError, ValueError):   # a hand-edited or damaged audit entry
            undone = None
        if undone is None or undone.action != ACTION:
            return None  # the restore it undid is no longer in the log
        undone_at, newest = newest.at, undone
        result = _result_of(newest)
    elif result is not None and len(events) > 1:
        earlier = _result_of(events[1])
        if (earlier is not None and earlier.safety_backup_id and result.backup_id == earlier.safety_backup_id
                and _covers(result.selection, set(earlier.written) | set(earlier.removed))):
            # restored by hand from the previous restore's safety backup, every path it
            # touched: that was its undo.  Restoring only some of them is a restore of
            # its own: the newest, offered for undo itself; the earlier one is not
            # called undone.
            undone_at, newest, result = newest.at, events[1], earlier
    if result is None:
        return LastRestore(newest.id, newest.at, newest.actor, ws, RestoreResult(newest.target, None, [], [], []),
                           undone_at=undone_at, problem="the audit log does not say which files it changed")
    last = LastRestore(newest.id, newest.at, newest.actor, ws, result, undone_at=undone_at)
    restored = _any_manifest(repo, result.backup_id)
    if restored is not None:
        last.backup_created = restored.created_at
        last.backup_label = restored.reason_label + (f": {restored.message}" if restored.message else "")
    if undone_at is None:
        last.problem = _undo_problem(repo, last, verify)
    return last


def _undo_problem(repo: BackupRepository, last: LastRestore, verify: bool) -> str:
    """Why ``last`` cannot be undone any more ('' when it can)."""
    sid = last.result.safety_backup_id
    if not sid:
        return "it was made without a safety backup"
    if not last.paths:
        return "it changed no file"
    if not repo.manifest_path(sid).exists():
        if repo.deleted_path(sid).exists():
            return (f"its safety backup {sid} was deleted; undelete it (“Show deleted”, then Undelete; "
                    f"or arxconsole backup undelete {sid}) to undo")
        return f"its safety backup {sid} was purged"
    try:
        safety = repo.load(sid)
    except UserError as exc:
        return f"its safety backup {sid} is damaged: {exc}"
    last.safety_created = safety.created_at
    by_path = safety.by_path()
    needed = [by_path[p] for p in last.paths if p in by_path]

    def damaged(paths: list[str], how: str) -> str:
        return (f"its safety backup {sid} is damaged: the saved copy of {', '.join(paths[:3])}"
                + (" ..." if len(paths) > 3 else "") + f" {how}")

    missing = sorted(e.path for e in needed if not repo.objects.has(e.hash))
    if missing:
        return damaged(missing, "is missing")
    key = (str(repo.root), last.event_id)
    if verify and key not in _VERIFIED:
        bad = check_objects(repo, needed)
        if bad:
            return damaged(sorted(e.path for e in needed if e.hash in bad), "does not verify")
        _VERIFIED.add(key)
    return ""


def _undo_selection(workspace: Workspace, repo: BackupRepository, last: LastRestore) -> tuple[Manifest, list[str]]:
    """The safety backup and the touched paths an undo selects: those in the safety
    backup (put back) or in the workspace (removed: the restore created them).  A path in
    neither is already as it was before the restore (created by it, deleted since)."""
    if not last.undoable:
        raise UserError(f"cannot undo the {last.describe()}: {last.why_not()}")
    try:
        safety = repo.load(last.result.safety_backup_id)
    except BackupNotFound as exc:
        raise UserError(f"cannot undo the {last.describe()}: {exc}") from None
    have = safety.by_path()
    paths = [p for p in last.paths if p in have or os.path.lexists(workspace.root / p)]
    if not paths:
        raise UserError(f"nothing to undo: the files of the {last.describe()} are already as they were before it")
    return safety, paths


def plan_undo(workspace: Workspace, repo: BackupRepository, last: LastRestore) -> UndoPlan:
    """What undoing ``last`` would do now, and which of its files were edited since."""
    safety, paths = _undo_selection(workspace, repo, last)
    plan = plan_restore(workspace, repo, safety, paths=paths)
    undo = UndoPlan(last, plan, paths)
    # What the restore left: the restored backup's bytes for written paths, nothing for removed ones.
    restored = _any_manifest(repo, last.result.backup_id, header_only=False)
    if restored is None:
        undo.unknown_since = True
        return undo
    left: dict[str, FileEntry | None] = {p: None for p in last.result.removed}
    by_path = restored.by_path()
    left.update({p: by_path.get(p) for p in last.result.written})
    for p in paths:
        now, then = plan.current.get(p), left.get(p)
        if (now is None) != (then is None) or (now is not None and (
                now.hash != then.hash or (now.mode & 0o777) != (then.mode & 0o777))):
            undo.changed_since.append(p)
    return undo


def undo_restore(workspace: Workspace, repo: BackupRepository, db, *, event_id: int | None = None,
                 progress: ProgressFn = no_progress, cancel: CancelToken | None = None,
                 workers: int | None = None) -> RestoreResult:
    """Undo the newest restore of ``workspace`` (``event_id``: only if it is still that one,
    as previewed).  A restore from its safety backup of the paths it touched, safety
    backup first, recorded with ``undoes``."""
    last = last_restore(workspace, repo, db)
    if last is None:
        raise UserError(f"{workspace.root}: nothing to undo: no restore of this workspace is recorded")
    if event_id is not None and last.event_id != event_id:
        raise UserError(f"{workspace.root}: the last restore changed since the undo was previewed "
                        f"(now the {last.describe()}); look again before undoing")
    safety, paths = _undo_selection(workspace, repo, last)
    return restore_backup(workspace, repo, safety.id, paths=paths, db=db, progress=progress, cancel=cancel,
                          workers=workers, undoes=last.event_id)


__all__ = ["LastRestore", "UndoPlan", "last_restore", "plan_undo", "undo_restore"]
