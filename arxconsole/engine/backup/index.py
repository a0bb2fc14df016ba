"""Keep the database's backup index (``store.models.backups``) in step with the
repository.  The manifests are the truth; the index is for fast listing and for
joining runs to their "before a run" backup.  ``reindex`` rebuilds it from disk
(after a crash between a manifest write and the index update, or on a new database)."""

from __future__ import annotations

import datetime as dt

from .manifest import Manifest
from .repository import BackupRepository


def _model():
    from ...store.models.backups import BackupIndexEntry

    return BackupIndexEntry


def _fill(row, m: Manifest, state: str) -> None:
    row.workspace = m.workspace
    row.created_at = dt.datetime.fromisoformat(m.created_at.replace("Z", "+00:00"))
    row.kind, row.system, row.reason = m.kind, m.system, m.reason
    row.message, row.actor, row.run_id = m.message, m.actor, m.run_id
    row.files = int(m.totals.get("files", len(m.files)))
    row.bytes = int(m.totals.get("bytes", 0))
    row.new_bytes_stored = int(m.totals.get("new_bytes_stored", 0))
    row.state = state


def record(db, m: Manifest, state: str = "ok") -> None:
    Entry = _model()
    with db.writer() as s:
        row = s.get(Entry, m.id) or Entry(id=m.id)
        _fill(row, m, state)
        s.add(row)


def set_state(db, bid: str, state: str) -> None:
    Entry = _model()
    with db.writer() as s:
        row = s.get(Entry, bid)
        if row is not None:
            row.state = state


def reindex(repo: BackupRepository, db) -> dict[str, int]:
    """Make the index match the disk; returns counts per state."""
    from sqlalchemy import select  # lazily: the engine must start fast without the db

    Entry = _model()
    counts: dict[str, int] = {}
    on_disk = set()
    with db.writer() as s:
        for r in repo.list(include_deleted=True):
            on_disk.add(r.id)
            counts[r.state] = counts.get(r.state, 0) + 1
            row = s.get(Entry, r.id)
            if r.manifest is None:
                if row is not None:
                    row.state = "damaged"
                continue
            row = row or Entry(id=r.id)
            _fill(row, r.manifest, r.state)
            s.add(row)
        for row in s.scalars(select(Entry).where(Entry.state != "purged")):
            if row.id not in on_disk:
                row.state = "purged"
                counts["purged"] = counts.get("purged", 0) + 1
    return counts


def indexed(db, workspace: str | None = None, include_gone: bool = False) -> list:
    """Index rows, newest first (``include_gone`` adds deleted and purged ones)."""
    from sqlalchemy import select

    Entry = _model()
    with db.reader() as s:
        q = select(Entry).order_by(Entry.created_at.desc())
        if workspace:
            q = q.where(Entry.workspace == workspace)
        if not include_gone:
            q = q.where(Entry.state.in_(("ok", "damaged")))
        return list(s.scalars(q))
