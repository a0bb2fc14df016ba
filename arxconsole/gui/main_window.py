"""The main window: navigation rail, workspace header with switcher, stacked surfaces,
status bar (health, active run, last backup)."""

from __future__ import annotations

import importlib
import importlib.util
import logging

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
# QFileDialog and QMessageBox are imported where used: naming a PySide class builds all
# its enums (~1 ms a class), and the path to the first window should not pay for dialogs.
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QStatusBar, QToolButton, QMenu, QVBoxLayout, QWidget)

from .. import __version__
from ..engine.errors import UserError
from .home import HomePage
from .icons import icon, state_word

log = logging.getLogger(__name__)

# The surfaces, in rail order: (package under arxconsole.gui, rail title, icon).  A
# surface is listed only when its package exists (no placeholder pages) and is imported
# and built only when first shown, so start-up never pays for surfaces not looked at.
SURFACES = [
    ("symbols", "Symbols", "symbols"),
    ("pipeline", "Pipeline", "pipeline"),
    ("backups", "Backups", "backups"),
    ("metrics", "Metrics", "metrics"),
]


def available_surfaces() -> list[tuple[str, str, str]]:
    found = []
    for name, title, icon_name in SURFACES:
        spec = importlib.util.find_spec(f"{__package__}.{name}")
        if spec is not None and spec.origin is not None:  # a real package, not a stray folder
            found.append((name, title, icon_name))
    return found


def load_surface_class(name: str) -> type:
    return importlib.import_module(f"{__package__}.{name}").SURFACE


# Selected item: a bar and a tint rather than a solid fill, so the icon stays visible.
# Qt resolves palette() once, when a style sheet is set: changeEvent sets it again when
# the theme changes at run time (Settings), or the rail would keep the old colours.
RAIL_STYLE = (
    "QListWidget#navigationRail { border: none; background: palette(base); }"
    "QListWidget#navigationRail::item { padding-left: 6px; color: palette(text); }"
    "QListWidget#navigationRail::item:selected { background: palette(alternate-base);"
    " border-left: 3px solid palette(highlight); color: palette(text); font-weight: bold; }"
    "QListWidget#navigationRail::item:hover:!selected { background: palette(alternate-base); }")


class StatusItem(QWidget):
    """Icon + word in the status bar, with a tooltip saying why."""

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 0)
        lay.setSpacing(4)
        self.icon_label = QLabel()
        self.text_label = QLabel()
        lay.addWidget(self.icon_label)
        lay.addWidget(self.text_label)

    def set(self, icon_name: str, text: str, tooltip: str = "") -> None:
        ic = icon(icon_name) if icon_name else None
        if ic is not None and not ic.isNull():
            self.icon_label.setPixmap(ic.pixmap(QSize(14, 14)))
            self.icon_label.show()
        else:
            self.icon_label.clear()
            self.icon_label.hide()
        self.text_label.setText(text)
        self.setToolTip(tooltip)
        self.setVisible(bool(text))


class MainWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("ArxConsole")
        self.setWindowIcon(icon("arxconsole"))
        self.resize(1280, 820)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.rail = QListWidget()
        self.rail.setObjectName("navigationRail")
        self.rail.setIconSize(QSize(24, 24))
        self.rail.setFixedWidth(150)
        self.rail.setSpacing(2)
        # Selected item: a bar and a tint rather than a solid fill, so the icon stays visible.
        self.rail.setStyleSheet(RAIL_STYLE)
        self.stack = QStackedWidget()
        body.addWidget(self.rail)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.home = HomePage(ctx)
        self.home.openRequested.connect(self.choose_workspace)
        self.home.createRequested.connect(self.create_workspace)
        self.home.demoRequested.connect(self.open_demo)
        self._pages: dict[str, object] = {}
        self._surface_names: set[str] = set()
        self._add_rail_item("home", "Workspace", "home")
        self.stack.addWidget(self.home)
        self._pages["home"] = self.home
        for name, title, icon_name in available_surfaces():
            self._surface_names.add(name)
            self._add_rail_item(name, title, icon_name)
        self.rail.currentRowChanged.connect(self._on_rail_changed)

        self._build_status_bar()
        from .status import StatusMonitor

        self.status_monitor = StatusMonitor(ctx, self)
        ctx.status_monitor = self.status_monitor
        self._build_menus()
        ctx.workspaceChanged.connect(self._on_workspace_changed)
        ctx.navigateRequested.connect(self._on_navigate)
        ctx.statusItemChanged.connect(self._on_status_item)
        ctx.recoveryReported.connect(self._on_recovery)
        self.rail.setCurrentRow(0)
        self._on_workspace_changed(ctx.workspace)

    # ---- building ------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("workspaceHeader")
        lay = QHBoxLayout(header)
        lay.setContentsMargins(12, 6, 12, 6)
        self.ws_icon = QLabel()
        self.ws_icon.setPixmap(icon("workspace").pixmap(QSize(20, 20)))
        self.ws_name = QLabel()
        f = self.ws_name.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.ws_name.setFont(f)
        self.ws_path = QLabel()
        self.ws_path.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.ws_switch = QToolButton()
        self.ws_switch.setText("Switch workspace")
        self.ws_switch.setPopupMode(QToolButton.InstantPopup)
        self.ws_menu = QMenu(self.ws_switch)
        self.ws_menu.aboutToShow.connect(self._fill_workspace_menu)
        self.ws_switch.setMenu(self.ws_menu)
        lay.addWidget(self.ws_icon)
        lay.addWidget(self.ws_name)
        lay.addWidget(self.ws_path, 1)
        lay.addWidget(self.ws_switch)
        return header

    def _add_rail_item(self, key: str, title: str, icon_name: str) -> None:
        item = QListWidgetItem(icon(icon_name), title)
        item.setData(Qt.UserRole, key)
        item.setSizeHint(QSize(140, 40))
        self.rail.addItem(item)

    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        self.setStatusBar(bar)
        self.status_items: dict[str, StatusItem] = {}
        for key in ("health", "run", "backup"):
            item = StatusItem()
            item.setObjectName(f"status_{key}")
            item.setVisible(False)
            bar.addPermanentWidget(item)
            self.status_items[key] = item

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = QAction(icon("workspace"), "&Open workspace…", self)
        self.open_action.setShortcut(QKeySequence.Open)
        self.open_action.triggered.connect(self.choose_workspace)
        file_menu.addAction(self.open_action)
        create = QAction("&Create workspace…", self)
        create.triggered.connect(self.create_workspace)
        file_menu.addAction(create)
        demo = QAction("Open the &demo workspace", self)
        demo.triggered.connect(self.open_demo)
        file_menu.addAction(demo)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(lambda: self._fill_recent(self.recent_menu))
        file_menu.addSeparator()
        settings = QAction("&Settings…", self)
        settings.setShortcut(QKeySequence.Preferences if not QKeySequence(QKeySequence.Preferences).isEmpty()
                             else QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.open_settings)
        file_menu.addAction(settings)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for row in range(self.rail.count()):
            item = self.rail.item(row)
            act = QAction(item.icon(), item.text(), self)
            act.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            act.triggered.connect(lambda _=False, r=row: self.rail.setCurrentRow(r))
            view_menu.addAction(act)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About ArxConsole", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self, "About ArxConsole",
            f"ArxConsole {__version__}\nOperations console for the Arxos building-systems pipeline.\n\n"
            f"Data: {self.ctx.data_dir.root}\nDatabase: {self.ctx.db.display_url if self.ctx.db else '—'}")

    # ---- surfaces ------------------------------------------------------------------
    def surface(self, key: str):
        """The page for ``key``, built on first use."""
        page = self._pages.get(key)
        if page is None and key in self._surface_names:
            page = load_surface_class(key)(self.ctx)
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def show_surface(self, key: str) -> None:
        for row in range(self.rail.count()):
            if self.rail.item(row).data(Qt.UserRole) in (key, "home" if key == "workspace" else None):
                self.rail.setCurrentRow(row)
                return
        raise KeyError(key)

    def _on_rail_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self.rail.item(row).data(Qt.UserRole)
        page = self.surface(key)
        self.stack.setCurrentWidget(page)
        if hasattr(page, "shown"):
            page.shown()

    def _on_navigate(self, key: str, kwargs: dict) -> None:
        self.show_surface(key)
        page = self.surface(key)
        if hasattr(page, "navigate"):
            page.navigate(**kwargs)

    # ---- workspace -----------------------------------------------------------------
    def _confirm_leave(self, before_leaving=None) -> bool:
        """Leave the open workspace?  Every surface is asked first (``confirm_discard``:
        unsaved edits, running work); only when all agree, and ``before_leaving()`` (e.g.
        the target workspace opens) passes, are they told to let go (``prepare_leave``:
        stop their work), so a refusal anywhere leaves everything running."""
        pages = list(self._pages.values())
        if not all(p.confirm_discard() for p in pages if hasattr(p, "confirm_discard")):
            return False
        if before_leaving is not None and not before_leaving():
            return False
        return all(p.prepare_leave() for p in pages if hasattr(p, "prepare_leave"))

    def _check_target(self, path) -> bool:
        """A folder that is not a workspace is refused before any work is stopped."""
        from ..engine.workspace import Workspace

        try:
            Workspace.open(path)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Cannot open workspace", str(exc))
            return False
        return True

    def open_workspace(self, path) -> bool:
        if self.ctx.is_current_workspace(path):   # e.g. picked from Recent: nothing to leave or lock
            self.statusBar().showMessage(f"{path} is already open", 5000)
            return True
        if not self._confirm_leave(lambda: self._check_target(path)):
            return False
        try:
            self.ctx.open_workspace(path)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Cannot open workspace", str(exc))
            return False
        return True

    def choose_workspace(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path = QFileDialog.getExistingDirectory(self, "Open an Arxos workspace")
        if path:
            self.open_workspace(path)

    def create_workspace(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from ..engine.workspace import Workspace

        path = QFileDialog.getExistingDirectory(self, "Choose an empty folder for the new workspace")
        if not path:
            return
        try:
            Workspace.create(path, require_empty=True)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Cannot create workspace", str(exc))
            return
        self.open_workspace(path)

    def open_demo(self) -> None:
        from ..engine.demo import ensure_demo_workspace

        try:
            path = ensure_demo_workspace(self.ctx.data_dir.demo_workspace)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Cannot create the demo workspace", str(exc))
            return
        if self.open_workspace(path):
            self.seed_demo_if_needed()

    def open_settings(self):
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        dialog.open()
        return dialog

    def seed_demo_if_needed(self) -> bool:
        """The data dir's own demo gets a real history (runs, a backup) the first time it
        is opened; in a worker, so the window is usable meanwhile."""
        from ..engine.demo import demo_needs_history, seed_demo_history
        from .workers import start_worker

        ws = self.ctx.workspace
        if ws is None or ws.root != self.ctx.data_dir.demo_workspace.resolve() \
                or not demo_needs_history(ws.root, self.ctx.db) or getattr(self, "_seeding", False):
            return False
        self._seeding = True
        ctx = self.ctx
        ctx.set_status("run", "running", "Preparing demo history…", "Running the demo pipeline once")

        def finished(done):
            ctx.set_status("run", "", "", "")
            self.statusBar().showMessage("Demo history ready: " + "; ".join(done), 10000)
            ctx.workspaceFilesChanged.emit([])
            if ctx.status_monitor is not None:   # the backups it made: not "No backup yet" for 5 s
                ctx.status_monitor.refresh()

        def failed(message, _user):
            ctx.set_status("run", "warning", "Demo history incomplete", message)

        start_worker(lambda h: seed_demo_history(ws, ctx.db, ctx.data_dir, progress=h.progress, cancel=h.cancel),
                     on_finished=finished, on_failed=failed,
                     on_done=lambda: setattr(self, "_seeding", False))
        return True

    def _fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        recent = self.ctx.recent_workspaces()
        for path in recent:
            act = menu.addAction(path)
            act.triggered.connect(lambda _=False, p=path: self.open_workspace(p))
        if not recent:
            menu.addAction("(none yet)").setEnabled(False)

    def _fill_workspace_menu(self) -> None:
        self.ws_menu.clear()
        self.ws_menu.addAction(self.open_action)
        self.ws_menu.addAction("Open the demo workspace", self.open_demo)
        self.ws_menu.addSeparator()
        self._fill_recent(self.ws_menu.addMenu("Recent"))

    def _on_workspace_changed(self, ws) -> None:
        if ws is None:
            self.ws_name.setText("No workspace open")
            self.ws_path.setText("")
            self.setWindowTitle("ArxConsole")
        else:
            self.ws_name.setText(ws.name)
            self.ws_path.setText(str(ws.root))
            self.setWindowTitle(f"{ws.name} — ArxConsole")

    def _on_status_item(self, key: str, icon_name: str, text: str, tooltip: str) -> None:
        item = self.status_items.get(key)
        if item is not None:
            item.set(icon_name, text, tooltip)

    def _on_recovery(self, messages: list) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Recovered after an interrupted session",
                                "ArxConsole found unfinished work from a previous session and "
                                "put the workspace back in a consistent state:\n\n• " + "\n• ".join(messages))

    # ---- state ---------------------------------------------------------------------
    def restore_layout(self) -> None:
        geo = self.ctx.settings.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        state = self.ctx.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        key = self.ctx.settings.value("window/surface")
        if key:
            try:
                self.show_surface(str(key))
            except KeyError:
                pass

    persist_layout = True

    def save_layout(self) -> None:
        if not self.persist_layout:
            return
        s = self.ctx.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        item = self.rail.currentItem()
        if item is not None:
            s.setValue("window/surface", item.data(Qt.UserRole))
        s.sync()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and hasattr(self, "rail"):
            self.rail.setStyleSheet("")          # re-resolve palette() against the new theme
            self.rail.setStyleSheet(RAIL_STYLE)
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        if not self._confirm_leave():
            event.ignore()
            return
        self.save_layout()
        self.status_monitor.stop()
        self.ctx.close_workspace(emit=False)
        super().closeEvent(event)
