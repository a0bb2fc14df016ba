"""What every surface shares: data dir, database, settings, the open workspace, and
navigation between surfaces.  Lives on the GUI thread."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from ..engine.datadir import DataDir
from ..engine.workspace import Workspace

if TYPE_CHECKING:
    from ..engine.session import WorkspaceSession

log = logging.getLogger(__name__)
MAX_RECENT = 8


class AppContext(QObject):
    workspaceChanged = Signal(object)        # Workspace | None
    workspaceFilesChanged = Signal(list)     # workspace-relative paths rewritten outside an editor (restore, run)
    navigateRequested = Signal(str, dict)    # surface id, arguments
    statusItemChanged = Signal(str, str, str, str)  # key, icon name, text, tooltip
    recoveryReported = Signal(list)          # messages from crash recovery on open

    def __init__(self, data_dir: DataDir, db=None, settings: QSettings | None = None, parent=None,
                 db_opener=None):
        """``db`` or ``db_opener``: with an opener the database is opened on first use,
        so the window can be shown before SQLAlchemy is even imported."""
        from .workers import collect_garbage_on_gui_thread

        collect_garbage_on_gui_thread()
        super().__init__(parent)
        self.data_dir = data_dir
        self._db = db
        self._db_opener = db_opener
        self.settings = settings or QSettings(str(data_dir.settings_file), QSettings.IniFormat)
        self._session: WorkspaceSession | None = None
        self.status_monitor = None  # gui.status.StatusMonitor, set by the main window

    @property
    def db(self):
        if self._db is None and self._db_opener is not None:
            self._db = self._db_opener()
        return self._db

    @property
    def db_opened(self) -> bool:
        return self._db is not None

    # ---- workspace -----------------------------------------------------------------
    @property
    def workspace(self) -> Workspace | None:
        return self._session.workspace if self._session else None

    def open_workspace(self, path: str | Path) -> Workspace:
        """Lock and open; raises WorkspaceError (shown to the user) and keeps the current
        workspace open when the new one cannot be opened."""
        from ..engine.session import open_session  # after the first window (start-up time)

        if self.is_current_workspace(path):
            return self.workspace   # already open here: our own lock would refuse it as "another console"
        new = open_session(path, self.db, self.data_dir)
        self.close_workspace(emit=False)
        self._session = new
        self._remember_recent(str(new.workspace.root))
        self.settings.setValue("workspace/last", str(new.workspace.root))
        log.info("opened workspace %s", new.workspace.root)
        if new.recovery_messages:
            self.recoveryReported.emit(list(new.recovery_messages))
        self.workspaceChanged.emit(new.workspace)
        return new.workspace

    def is_current_workspace(self, path: str | Path) -> bool:
        current = self.workspace
        try:
            return current is not None and Path(path).expanduser().resolve() == current.root
        except OSError:
            return False

    def close_workspace(self, emit: bool = True) -> None:
        if self._session:
            self._session.close()
            self._session = None
            if emit:
                self.workspaceChanged.emit(None)

    def recent_workspaces(self) -> list[str]:
        value = self.settings.value("workspace/recent", [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value or []) if Path(p).is_dir()]

    def _remember_recent(self, path: str) -> None:
        recent = [p for p in self.recent_workspaces() if p != path]
        self.settings.setValue("workspace/recent", [path] + recent[: MAX_RECENT - 1])

    # ---- cross-surface -------------------------------------------------------------
    def navigate(self, surface_id: str, **kwargs) -> None:
        """Show a surface, e.g. navigate('symbols', symbol_id='EL_Panel_001')."""
        self.navigateRequested.emit(surface_id, kwargs)

    def set_status(self, key: str, icon_name: str, text: str, tooltip: str = "") -> None:
        """Update a status-bar item ('health', 'run', 'backup')."""
        self.statusItemChanged.emit(key, icon_name, text, tooltip)
