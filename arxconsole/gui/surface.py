"""Base class of the four surfaces.  A surface package ``arxconsole.gui.<id>`` exposes
``SURFACE`` (a Surface subclass); the main window lists the ones that exist and builds
each lazily on first show, so start-up stays fast."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class Surface(QWidget):
    surface_id = ""
    title = ""
    icon_name = ""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        ctx.workspaceChanged.connect(self.on_workspace_changed)
        ctx.workspaceFilesChanged.connect(self.on_workspace_files_changed)

    def on_workspace_changed(self, workspace) -> None:
        """The open workspace changed (None: closed)."""

    def on_workspace_files_changed(self, paths: list) -> None:
        """Files of the open workspace were rewritten by someone else (a restore, a
        pipeline run).  Default: reload as if the workspace had been reopened."""
        self.on_workspace_changed(self.ctx.workspace)

    def navigate(self, **kwargs) -> None:
        """Another surface asked to show something here (e.g. symbol_id=...)."""

    def has_unsaved_changes(self) -> bool:
        return False

    def confirm_discard(self) -> bool:
        """Ask the user about unsaved changes before a workspace switch or close;
        return False to stay."""
        return True

    def shown(self) -> None:
        """Called each time the surface becomes the visible one."""
