"""GUI entry point: ``arxconsole [--workspace DIR | --demo] [--panel NAME]`` and
``--screenshot FILE.png`` (render the main window offscreen, save, exit)."""

from __future__ import annotations

import logging
import os
import sys
import time

log = logging.getLogger(__name__)


def skip_pyside_source_scan() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    PySide6 hooks ``import``: for each new Python module it reads the module's whole
    source text (``inspect.getsource``) to learn whether it mentions PySide6, so that
    modules using the opt-in ``from __feature__ import snake_case, true_property``
    syntax get their own attribute spelling.  That is 60-80 ms of every start-up
    (SQLAlchemy's, numpy's and our own files, read and joined, 400-odd of them).  The
    answer only matters once some module selects a feature; ArxConsole and the Qt
    libraries it uses never do (tests/gui/test_app_startup.py checks), so every module
    runs with the default selection either way.  Private PySide API on a pinned
    version: if it ever moves, nothing breaks, start-up is just slower again."""
    try:
        import shibokensupport.feature as feature   # exists once PySide6 is imported
    except ImportError:
        return
    if callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_no_pyside_feature


def _uses_no_pyside_feature(_module) -> bool:
    return False


def _make_application():
    from PySide6.QtWidgets import QApplication

    skip_pyside_source_scan()
    app = QApplication.instance()
    if app is None:
        # Fusion from the start (theme.apply_theme wants it): replacing the platform's
        # style later costs ~10 ms of start-up.
        app = QApplication(sys.argv[:1] + ["-style", "Fusion"])
        app.setProperty("arx_fusion", True)
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


def build_main_window(data_dir, workspace_path=None, panel: str | None = None, *, defer: bool = False):
    """Everything between QApplication and show(): shared by the app, --screenshot and
    the tests.  Returns (window, context); raises UserError for the caller to show.

    With ``defer`` the database and the workspace are opened by ``finish_startup`` right
    after the window is first shown (the window appears without waiting for SQLAlchemy,
    migrations and crash recovery); otherwise here."""
    from .gui.context import AppContext
    from .gui.icons import icon
    from .gui.main_window import MainWindow
    from .gui.theme import apply_theme

    app = _make_application()
    app.setWindowIcon(icon("arxconsole"))

    def open_db():
        from .engine.dbconfig import resolve_database_url
        from .store import Database

        return Database.open(resolve_database_url(data_dir, _ask_password))

    ctx = AppContext(data_dir, db_opener=open_db)
    apply_theme(app, str(ctx.settings.value("ui/theme", "system")))
    window = MainWindow(ctx)
    window.restore_layout()
    window.pending_startup = (workspace_path, panel)
    if not defer:
        finish_startup(window)
    return window, ctx


def finish_startup(window) -> None:
    """Open the database and the workspace (named, or the last one), show the panel."""
    ctx = window.ctx
    workspace_path, panel = getattr(window, "pending_startup", (None, None))
    window.pending_startup = (None, None)
    ctx.db  # open + migrate now: errors surface here, not in a surface later
    window.status_monitor.start()
    if workspace_path is not None:
        ctx.open_workspace(workspace_path)
    else:
        last = ctx.settings.value("workspace/last")
        if last and os.path.isdir(str(last)):
            # An unavailable last workspace (locked elsewhere, moved) is not an error at start.
            try:
                ctx.open_workspace(str(last))
            except Exception as exc:  # noqa: BLE001 - reported in the status bar, start anyway
                window.statusBar().showMessage(f"Could not reopen {last}: {exc}", 15000)
    if panel:
        window.show_surface(panel)
    window.seed_demo_if_needed()


def run_gui(cli_ctx) -> int:
    args = cli_ctx.args
    from .engine.errors import UserError

    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from .engine.durable import check_output_path

        if not args.screenshot.lower().endswith(".png"):   # QPixmap.save picks the format by it
            cli_ctx.error(f"--screenshot writes a PNG: {args.screenshot} must end in .png")
            return 2
        try:   # refused before any window is built: "/x is a file, not a folder", not a bare "cannot write"
            check_output_path(args.screenshot)
        except UserError as exc:
            cli_ctx.error(str(exc))
            return 1

    app = _make_application()
    cli_ctx.defer_logging = True

    def fail(exc) -> int:
        if isinstance(exc, KeyError):
            cli_ctx.error(f"no such panel {exc}; panels: workspace and the surfaces in the rail")
            return 2
        if args.screenshot:
            cli_ctx.error(str(exc))
        else:
            # Imported here: naming a PySide class builds its enums (~1 ms a class), and
            # this one is only needed when start-up fails.
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "ArxConsole cannot start", str(exc))
        return 1

    try:
        data_dir = cli_ctx.data_dir    # a data folder that cannot be made: a dialog, not a traceback
        ws_path = cli_ctx.workspace_path(required=False)
        window, ctx = build_main_window(data_dir, ws_path, args.panel, defer=True)
        if args.panel:
            window.show_surface(args.panel)  # a wrong name is a usage error before any window
    except (KeyError, UserError) as exc:
        return fail(exc)
    if args.screenshot:
        # Reproducible pictures: a fixed size, and the user's saved layout left alone.
        window.persist_layout = False
        window.resize(1280, 820)
    window.show()
    # The window is on screen; now the database, crash recovery and the workspace.
    app.processEvents()
    bench = bool(os.environ.get("ARXCONSOLE_EXIT_WHEN_SHOWN"))
    if bench:  # bench/startup.py reads these wall-clock stamps
        print(f"shown {time.time():.6f} cpu {time.process_time():.6f}", flush=True)
    from .engine.logsetup import setup_logging

    try:
        logs = data_dir.logs           # a file where the logs folder belongs: a dialog, then exit
    except UserError as exc:
        return fail(exc)
    setup_logging(logs)   # before the database, recovery and the workspace
    try:
        finish_startup(window)
    except (KeyError, UserError) as exc:
        code = fail(exc)
        if args.screenshot or code == 2:
            return code
    from .gui.logview import tune_interpreter_for_gui

    tune_interpreter_for_gui()  # start-up done: keep the GUI responsive while engine workers run

    if bench:
        from PySide6.QtCore import QTimer

        app.processEvents()
        print(f"ready {time.time():.6f}", flush=True)
        QTimer.singleShot(0, app.quit)
    if args.screenshot:
        return _screenshot(app, window, args.screenshot)
    code = app.exec()
    from .gui.workers import shutdown_workers

    shutdown_workers()
    if ctx.db_opened:
        ctx.db.close()
    return code


def _screenshot(app, window, path: str) -> int:
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    # Let queued work settle before grabbing.
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < 1500:  # thumbnails, first refresh, the first sampler tick
        app.processEvents(QEventLoop.AllEvents, 50)
    from pathlib import Path

    from .engine.durable import output_error, write_bytes
    from .gui.png import widget_png

    try:   # durable like every file the product writes; the folder is made when missing
        write_bytes(Path(path).expanduser(), widget_png(window))
    except OSError as exc:
        sys.stderr.write(f"arxconsole: error: {output_error(path, exc)}\n")
        return 1
    finally:
        window.close()
    sys.stdout.write(f"screenshot written to {path}\n")
    return 0
