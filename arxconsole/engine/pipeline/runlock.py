"""One run at a time per workspace.

The GUI holds the workspace lock for as long as a workspace is open and runs the
pipeline in the same process, so runs need a lock of their own.  It reuses the
workspace lock's OS-level file lock (released by the OS when the holder dies).
"""

from __future__ import annotations

from ..errors import UserError
from ..workspace import Workspace, WorkspaceLock, WorkspaceLockedError
from .journal import journal_root

LOCK_NAME = "run.lock"


class RunInProgressError(UserError):
    pass


class RunLock:
    def __init__(self, workspace: Workspace):
        root = journal_root(workspace)
        root.mkdir(exist_ok=True)
        self._lock = WorkspaceLock(root / LOCK_NAME)

    def acquire(self) -> "RunLock":
        try:
            self._lock.acquire()
        except WorkspaceLockedError:
            raise RunInProgressError(
                f"{self._lock.path.parent.parent}: a pipeline run is already in progress in this "
                "workspace; wait for it to finish or cancel it") from None
        return self

    def release(self) -> None:
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.held

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
