"""Backups of a workspace: content-addressed objects, checksummed manifests, verify,
diff, crash-safe restore, retention.  Qt-free; the GUI and the CLI call these.

Typical use::

    repo = BackupRepository.for_data_dir(data_dir)
    m = create_backup(ws, repo, kind="full", message="before cleanup", db=db,
                      progress=report, cancel=token)
    verify_backup(repo, m.id).ok
    d = diff_backup_workspace(repo, m.id, ws)      # d.changes[i].fields, d.read_before(change)
    restore_backup(ws, repo, m.id, paths=[...], db=db, progress=report, cancel=token)
    recover_interrupted(ws, db=db)                 # at startup, before touching ws
"""

from .create import create_backup, scan
from .diff import DiffResult, FieldChange, FileChange, diff_backup_workspace, diff_backups
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
    "plan_restore", "plan_retention", "recover_interrupted", "restore_backup", "scan", "verify_backup",
]
