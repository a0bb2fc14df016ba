"""The pipeline's hook: a "before a run" backup.

The pipeline runner calls ``backup_before_run(workspace, db, data_dir, run_id,
system=...)`` once before a non-dry run starts writing; the returned manifest's ``id``
goes into the run record so the run history links to the state it started from.
It always makes a full backup: a run also regenerates the global registry files,
which a per-system backup would miss, and unchanged files cost only a stat thanks to
the content store.  ``system`` only goes into the message.  It raises ``UserError``
(the run should not start) when the backup cannot be made.
"""

from __future__ import annotations

from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import Workspace
from .create import create_backup
from .manifest import Manifest
from .repository import BackupRepository


def backup_before_run(workspace: Workspace, db, data_dir, run_id: str | int, *, system: str | None = None,
                      progress: ProgressFn = no_progress, cancel: CancelToken | None = None) -> Manifest:
    repo = BackupRepository.for_data_dir(data_dir)
    return create_backup(workspace, repo, kind="full", reason="before_run",
                         message=f"before run {run_id}" + (f" ({system})" if system else ""),
                         run_id=str(run_id), db=db, progress=progress, cancel=cancel)
