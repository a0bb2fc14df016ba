"""Backups of a workspace: content-addressed objects, checksummed manifests, verify,
diff, crash-safe restore, retention.  Qt-free; the GUI and the CLI call these.

API for the front ends (every long call takes ``progress(done, total, message)`` and
``cancel: CancelToken``; run them on a worker thread; pass ``db`` to audit and index)::

    recover_interrupted(ws, db=db)                 # at startup, before touching ws
    repo = BackupRepository.for_data_dir(data_dir)
    repo.list(workspace=ws.root)                   # BackupRecord: id, state ok|damaged, manifest.summary()
    m = create_backup(ws, repo, kind="full", message="before cleanup", db=db, progress=p, cancel=c)
    verify_backup(repo, m.id, db=db).problems      # [VerifyProblem(path, hash, problem)]
    d = diff_backup_workspace(repo, m.id, ws)      # or diff_backups(repo, a, b)
    for ch in d.changes:                           # FileChange(path, status, fields=[FieldChange])
        svg_of(d.read_before(ch)), svg_of(d.read_after(ch))   # before/after pictures
    plan = plan_restore(ws, repo, m.id, paths=[...])          # preflight: plan.describe()
    r = restore_backup(ws, repo, m.id, paths=[...], db=db, progress=p, cancel=c)
    last = undo.last_restore(ws, repo, db)         # the newest restore, from the audit log
    undo.undo_restore(ws, repo, db, event_id=last.event_id)   # undo it (see engine.backup.undo)
    repo.delete(id, db=db); repo.undelete(id, db=db); repo.purge(db=db)
    plan_retention(repo.list(), keep_last, keep_daily)        # dry run with reasons
    backup_before_run(ws, db, data_dir, run_id)    # the pipeline runner's hook
"""

from . import undo
from .create import create_backup, scan
from .diff import DiffResult, FieldChange, FileChange, diff_backup_workspace, diff_backups, svg_of
from .hooks import backup_before_run
from .index import indexed, reindex
from .layout import KINDS, REASONS, UnsafePathError
from .manifest import FileEntry, Manifest, ManifestDamaged
from .objects import ObjectDamaged
from .repository import BackupNotFound, BackupRecord, BackupRepository, PurgeReport
from .restore import RestorePlan, RestoreResult, plan_restore, recover_interrupted, restore_backup
from .retention import RetentionDecision, apply_retention, plan_retention
from .verify import VerifyReport, verify_backup

__all__ = [
    "BackupNotFound", "BackupRecord", "BackupRepository", "DiffResult", "FieldChange", "FileChange",
    "FileEntry", "KINDS", "Manifest", "ManifestDamaged", "ObjectDamaged", "PurgeReport", "REASONS",
    "RestorePlan", "RestoreResult", "RetentionDecision", "UnsafePathError", "VerifyReport",
    "apply_retention", "backup_before_run", "indexed", "reindex", "create_backup", "diff_backup_workspace", "diff_backups",
    "plan_restore", "plan_retention", "recover_interrupted", "restore_backup", "scan", "svg_of", "verify_backup",
]
