"""GUI entry point: ``arxconsole [--workspace DIR | --demo] [--panel NAME]`` and
``--screenshot FILE.png`` (render the main window offscreen, save, exit)."""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def _make_application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("ArxConsole")
    app.setOrganizationName("Arxos")
    app.setDesktopFileName("arxconsole")
    return app


def _ask_password(display: str):
    """No usable keyring (or nothing stored): ask, never store."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    text, ok = QInputDialog.getText(None, "Database password", f"Password for {display}:",
                                    QLineEdit.Password)
    return text if ok else None


def build_main_window(data_dir, workspace_path=None, panel: str | None = None):
    """Everything between QApplication and show(): shared by the app, --screenshot and
    the tests.  Returns (window, context); raises UserError for the caller to show."""
    from .gui.context import AppContext
    from .gui.icons import icon
    from .gui.main_window import MainWindow
    from .gui.theme import apply_theme
    from .engine.dbconfig import resolve_database_url
    from .store import Database

    app = _make_application()
    app.setWindowIcon(icon("arxconsole"))
    db = Database.open(resolve_database_url(data_dir, _ask_password))
    ctx = AppContext(data_dir, db)
    apply_theme(app, str(ctx.settings.value("ui/theme", "system")))
    window = MainWindow(ctx)
    window.restore_layout()
    if workspace_path is None:
        last = ctx.settings.value("workspace/last")
        if last and os.path.isdir(str(last)):
            workspace_path = str(last)
            # An unavailable last workspace (locked elsewhere, moved) is not an error at start.
            try:
                ctx.open_workspace(workspace_path)
            except Exception as exc:  # noqa: BLE001 - reported in the status bar, start anyway
                window.statusBar().showMessage(f"Could not reopen {workspace_path}: {exc}", 15000)
            workspace_path = None
    if workspace_path is not None:
        ctx.open_workspace(workspace_path)
    if panel:
        window.show_surface(panel)
    return window, ctx


def run_gui(cli_ctx) -> int:
    args = cli_ctx.args
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QMessageBox

    from .engine.errors import UserError

    app = _make_application()
    data_dir = cli_ctx.data_dir
    try:
        ws_path = cli_ctx.workspace_path(required=False)
        window, ctx = build_main_window(data_dir, ws_path, args.panel)
    except KeyError as exc:
        cli_ctx.error(f"no such panel {exc}; panels: workspace and the surfaces in the rail")
        return 2
    except UserError as exc:
        if args.screenshot:
            cli_ctx.error(str(exc))
        else:
            QMessageBox.critical(None, "ArxConsole cannot start", str(exc))
        return 1
    window.show()
    if os.environ.get("ARXCONSOLE_EXIT_WHEN_SHOWN"):
        # bench/startup.py: quit as soon as the event loop has shown the window
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: (sys.stdout.write("shown\n"), sys.stdout.flush(), app.quit()))
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    code = app.exec()
    ctx.db.close()
    return code


def _screenshot(app, window, path: str) -> int:
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    # Let queued work (thumbnails, first refresh) settle before grabbing.
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < 600:
        app.processEvents(QEventLoop.AllEvents, 50)
    ok = window.grab().save(path)
    window.close()
    if not ok:
        sys.stderr.write(f"arxconsole: error: cannot write screenshot {path}\n")
        return 1
    sys.stdout.write(f"screenshot written to {path}\n")
    return 0
