"""Integration point with engine.backup: a full backup taken before every real run.

Controlled by the setting ``pipeline.backup_before_run`` (default on).  When the backup
capability is absent from this build the run goes on and its log says so; when it is
present and the backup fails, the run does not start (UserError from the backup).
"""

from __future__ import annotations

from ..datadir import DataDir
from ..workspace import Workspace

SETTING = "pipeline.backup_before_run"


def backup_before_run(workspace: Workspace, db, run_id: int, system: str,
                      data_dir: DataDir | None = None, cancel=None) -> str:
    """Take the pre-run backup; returns a line for the run log."""
    if not db.get_setting(SETTING, True):
        return "no backup before the run: switched off (setting pipeline.backup_before_run)"
    try:
        from ..backup import backup_before_run as take_backup
    except ImportError:
        return "no backup before the run: the backup capability is not available in this build"
    manifest = take_backup(workspace, db, data_dir or DataDir.resolve(), run_id, system=system, cancel=cancel)
    return f"backup {getattr(manifest, 'id', manifest)} taken before the run"
