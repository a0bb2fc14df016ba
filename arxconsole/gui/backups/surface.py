"""The Backups surface.

Left: every backup of the open workspace (time, kind, scope, reason, message, files,
size, verified state).  Right: what changed between the selected backup and the
workspace (or another backup), with symbol pictures, and the backup's manifest.
Verify, restore (all or the checked files, after a preview naming the destination),
undo that restore, create, delete/undelete and retention all run in workers with a
progress bar and Cancel; nothing here blocks the GUI thread.

"Undo restore" is read from the database's audit log (``engine.backup.undo``), not
kept in memory: after a restart or a workspace switch-and-back it is still offered for
the newest restore of the open workspace, until that restore is undone or its safety
backup is no longer usable (the tooltip then says why).
"""

from __future__ import annotations

import html
import itertools
import logging

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QProgressBar, QPushButton, QSplitter, QTableView,
                               QTableWidget, QTableWidgetItem, QTabWidget, QToolBar, QToolButton, QVBoxLayout,
                               QWidget)

from ..icons import icon
from ..surface import Surface
from ..workers import start_worker
from .diff_view import DiffView
from .dialogs import CreateBackupDialog, RestorePreviewDialog, RetentionDialog
from .model import SORT_ROLE, BackupListModel, BackupRow, human_size, local_time, short_time

log = logging.getLogger(__name__)
CURRENT = "__workspace__"


class BackupsSurface(Surface):
    surface_id = "backups"
    title = "Backups"
    icon_name = "backups"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.worker = None
        self.undo = None                # engine.backup.undo.LastRestore of the open workspace, or None
        self._undo_reads = itertools.count(1)   # orders reads of it done by concurrent workers
        self._undo_seen = 0
        self._pending_select = None

        self.toolbar = QToolBar()
        self.create_action = self.toolbar.addAction("Create backup…", self.create_backup)
        self.create_action.setShortcut(QKeySequence("Ctrl+B"))
        self.verify_action = self.toolbar.addAction("Verify", self.verify_selected)
        self.restore_all_action = self.toolbar.addAction("Restore all…", lambda: self.restore(all_files=True))
        self.restore_sel_action = self.toolbar.addAction("Restore checked…", lambda: self.restore(all_files=False))
        self.undo_action = self.toolbar.addAction("Undo last restore…", self.undo_restore)
        self.toolbar.addSeparator()
        self.delete_action = self.toolbar.addAction("Delete", self.delete_selected)
        self.undelete_action = self.toolbar.addAction("Undelete", self.undelete_selected)
        self.retention_action = self.toolbar.addAction("Retention…", self.retention)
        self.show_deleted = QCheckBox("Show deleted")
        self.show_deleted.toggled.connect(lambda _on: self.refresh())
        self.toolbar.addWidget(self.show_deleted)

        self.model = BackupListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.setSelectionMode(QTableView.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.DescendingOrder)
        self.table.verticalHeader().hide()
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeToContents)
        hh.setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_selected())

        self.compare = QComboBox()
        self.compare.currentIndexChanged.connect(lambda _i: self._load_diff())
        self.diff_view = DiffView()
        self.diff_view.selectionChanged.connect(self._update_actions)
        self.manifest_table = QTableWidget(0, 4)
        self.manifest_table.setHorizontalHeaderLabels(["Path", "Size", "Mode", "SHA-256"])
        self.manifest_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.manifest_table.verticalHeader().hide()
        self.manifest_table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.manifest_info = QLabel()
        self.manifest_info.setWordWrap(True)
        self.manifest_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        manifest_page = QWidget()
        ml = QVBoxLayout(manifest_page)
        ml.addWidget(self.manifest_info)
        ml.addWidget(self.manifest_table, 1)
        diff_page = QWidget()
        dl = QVBoxLayout(diff_page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Compare with"))
        row.addWidget(self.compare, 1)
        dl.addLayout(row)
        dl.addWidget(self.diff_view, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(diff_page, "Changes")
        self.tabs.addTab(manifest_page, "Manifest")

        split = QSplitter(Qt.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        # the list's own size hint is a few rows: start it at about a third of the height
        split.setSizes([260, 480])

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.progress_label)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)

        # The last restore, and its undo, in words: visible whenever there is one to undo
        # (or one that can no longer be undone, saying why).
        self.undo_bar = QFrame()
        self.undo_bar.setFrameShape(QFrame.StyledPanel)
        self.undo_icon = QLabel()
        self.undo_text = QLabel()
        self.undo_text.setTextFormat(Qt.RichText)
        self.undo_text.setWordWrap(True)
        self.undo_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.undo_button = QToolButton()
        self.undo_button.setDefaultAction(self.undo_action)
        ub = QHBoxLayout(self.undo_bar)
        ub.setContentsMargins(8, 4, 8, 4)
        ub.addWidget(self.undo_icon)
        ub.addWidget(self.undo_text, 1)
        ub.addWidget(self.undo_button)

        lay = QVBoxLayout(self)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.undo_bar)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        self._set_busy(None)
        self.on_workspace_changed(ctx.workspace)

    # ---- helpers -------------------------------------------------------------------
    @property
    def repo(self):
        from ...engine.backup import BackupRepository

        return BackupRepository.for_data_dir(self.ctx.data_dir)

    def selected_row(self) -> BackupRow | None:
        idx = self.table.selectionModel().currentIndex()
        if not idx.isValid():
            return None
        return self.model.rows[self.proxy.mapToSource(idx).row()]

    def select_backup(self, backup_id: str) -> bool:
        src = self.model.row_for(backup_id)
        if src < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(src, 0))
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        return True

    def _set_busy(self, what: str | None) -> None:
        busy = what is not None
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.progress_label.setText(what)
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected_row()
        busy = self.worker is not None
        has_ws = self.ctx.workspace is not None
        usable = row is not None and row.usable
        self.create_action.setEnabled(has_ws and not busy)
        self.verify_action.setEnabled(row is not None and row.state != "deleted" and not busy)
        self.restore_all_action.setEnabled(has_ws and usable and not busy)
        self.restore_sel_action.setEnabled(has_ws and usable and not busy and bool(self.diff_view.checked_paths())
                                           and self.compare.currentData() == CURRENT)
        undoable = self.undo is not None and self.undo.undoable
        self.undo_action.setEnabled(has_ws and not busy and undoable)
        self.undo_action.setText(self._undo_label() if undoable else "Undo last restore…")
        self.undo_action.setToolTip(self._undo_tooltip())
        self._show_undo_bar()
        self.delete_action.setEnabled(row is not None and row.state != "deleted" and not busy)
        self.undelete_action.setEnabled(row is not None and row.state == "deleted" and not busy)
        self.retention_action.setEnabled(has_ws and not busy)

    def _run(self, what: str, fn, on_finished, select_after=None) -> None:
        """Run ``fn(handle)`` in a worker with the progress bar and Cancel."""
        self._set_busy(what)
        self.status_label.setText("")

        def progress(done, total, message):
            if total > 0:
                self.progress.setRange(0, total)
                self.progress.setValue(done)
            if message:
                self.progress_label.setText(message)

        def finished(result):
            on_finished(result)

        def failed(message, user_error):
            self.status_label.setText(("" if user_error else "Unexpected error (details in the log): ") + message)
            QMessageBox.warning(self, f"{what} failed", message)

        def done():
            self.worker = None
            self._set_busy(None)

        self.worker = start_worker(fn, on_finished=finished, on_failed=failed, on_progress=progress, on_done=done)
        self._update_actions()

    @property
    def last_restore(self):
        """(RestoreResult, selection or None) of the restore “Undo” would undo, or None."""
        if self.undo is None or not self.undo.undoable:
            return None
        return self.undo.result, self.undo.result.selection or None

    def _undo_label(self) -> str:
        n = len(self.undo.paths)
        return f"Undo restore of {n} file{'s' if n != 1 else ''}…"

    def _undo_what(self) -> str:
        """“3 files from backup of 10:40 (manual: yesterday), made 10:42 by ann”."""
        u = self.undo
        n = len(u.paths)
        src = (f"backup of {short_time(u.backup_created)} ({u.backup_label})" if u.backup_created
               else f"backup {u.result.backup_id} (no longer in the repository)")
        return f"{n} file{'s' if n != 1 else ''} from {src}, made {short_time(u.at)} by {u.actor or 'unknown'}"

    def _undo_tooltip(self) -> str:
        u = self.undo
        if u is None:
            return "Nothing to undo: no restore of this workspace yet."
        if u.undone_at is not None:
            return f"Nothing to undo: the restore of {self._undo_what()} was undone at {short_time(u.undone_at)}."
        if u.problem:
            return f"Cannot undo the restore of {self._undo_what()}: {u.problem}."
        n = len(u.paths)
        return (f"Undo restore of {self._undo_what()}.\nPuts {'that file' if n == 1 else 'those files'} back as "
                f"{'it was' if n == 1 else 'they were'} before it, from the safety backup taken then "
                f"({local_time(u.safety_created)}); a new safety backup is taken first, so nothing is lost.")

    def _show_undo_bar(self) -> None:
        u = self.undo
        shown = u is not None and u.undone_at is None and self.ctx.workspace is not None
        self.undo_bar.setVisible(shown)
        if not shown:
            return
        self.undo_icon.setPixmap(icon("rolled_back" if u.undoable else "warning").pixmap(20, 20))
        what = html.escape(self._undo_what())
        if u.undoable:
            self.undo_text.setText(f"<b>Last restore</b>: {what}. Undo puts those files back as they were "
                                   f"before it (a safety backup is taken first, so nothing is lost).")
        else:
            self.undo_text.setText(f"<b>Last restore</b>: {what}. <b>Cannot be undone</b>: "
                                   f"{html.escape(u.problem)}.")

    def _take_undo_state(self, seq: int, ws, last) -> None:
        """Apply a read of the last restore unless the workspace changed or a later read
        already arrived (reads run in concurrent workers)."""
        if ws is not self.ctx.workspace or seq <= self._undo_seen:
            return
        self._undo_seen = seq
        self.undo = last
        self._update_actions()

    def _read_undo_state(self, ws, repo, db):
        """In a worker: (sequence, workspace, LastRestore or None)."""
        from ...engine.backup.undo import last_restore

        seq = next(self._undo_reads)
        return seq, ws, last_restore(ws, repo, db)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel.cancel()
            self.progress_label.setText("Cancelling…")

    # ---- listing -------------------------------------------------------------------
    def on_workspace_changed(self, workspace) -> None:
        self.undo = None  # the new workspace's own last restore is read by refresh()
        self.refresh()

    def on_workspace_files_changed(self, paths: list) -> None:
        self.refresh()  # keeps "Undo last restore" available

    def shown(self) -> None:
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        ws = self.ctx.workspace
        if ws is None:
            self.model.set_rows([])
            self.diff_view.show_diff(None, "Open a workspace to see its backups.")
            self._update_actions()
            return
        current = self.selected_row()
        keep = select or (current.id if current else None)
        include_deleted = self.show_deleted.isChecked()
        repo, db = self.repo, self.ctx.db

        def work(handle):
            records = repo.list(include_deleted=include_deleted, workspace=ws.root)
            verified = {}
            for ev in reversed(db.audit_events("backup.verify", limit=5000)):  # oldest first: newest wins
                verified[ev.target] = (ev.message, ev.at.isoformat())
            return [BackupRow(r, verified) for r in records], self._read_undo_state(ws, repo, db)

        def show(result):
            rows, undo_state = result
            if ws is not self.ctx.workspace:
                return  # switched meanwhile: the newer workspace's refresh fills the list
            self._take_undo_state(*undo_state)
            self.model.set_rows(rows)
            if not (keep and self.select_backup(keep)) and rows:
                self.table.selectRow(0)
            if not rows:
                self.diff_view.show_diff(None, "No backups of this workspace yet: create one with "
                                               "“Create backup…” (Ctrl+B).")
            self._update_actions()

        start_worker(work, on_finished=show,
                     on_failed=lambda m, _u: self.status_label.setText(f"Cannot list backups: {m}"))

    def _on_selected(self) -> None:
        row = self.selected_row()
        self.compare.blockSignals(True)
        self.compare.clear()
        self.compare.addItem("the current workspace", CURRENT)
        for other in self.model.rows:
            if row is not None and other.id != row.id and other.usable:
                self.compare.addItem(f"backup of {local_time(other.created)} ({other.kind})", other.id)
        self.compare.blockSignals(False)
        self._fill_manifest(row)
        self._load_diff()
        self._update_actions()

    def _fill_manifest(self, row: BackupRow | None) -> None:
        m = row.manifest if row else None
        files = []
        if row is not None and row.state in ("verified", "unverified"):
            from ...engine.errors import UserError

            try:
                m = self.repo.load(row.id)  # the full file list (listings hold headers only)
                files = m.files
            except UserError as exc:
                self.manifest_info.setText(str(exc))
        self.manifest_table.setRowCount(len(files))
        for i, f in enumerate(files):
            for col, text in enumerate((f.path, human_size(f.size), oct(f.mode & 0o7777), f.hash)):
                self.manifest_table.setItem(i, col, QTableWidgetItem(text))
        if row is None:
            self.manifest_info.setText("")
        elif m is None:
            self.manifest_info.setText(f"Backup {row.id} is damaged: {row.problem}")
        else:
            self.manifest_info.setText(
                f"Backup {m.id} — {local_time(m.created_at)} by {m.actor or 'unknown'}; kind {m.kind}, "
                f"reason {m.reason_label}{', run ' + str(m.run_id) if m.run_id else ''}; "
                f"{len(files)} files, {human_size(row.size)}. State: {row.problem or row.state}.")

    def _load_diff(self) -> None:
        row = self.selected_row()
        ws = self.ctx.workspace
        if row is None or ws is None or not row.usable and row.state != "deleted":
            self.diff_view.show_diff(None, "This backup is damaged and cannot be compared or restored."
                                     if row is not None else "")
            return
        other = self.compare.currentData()
        repo = self.repo
        self.diff_view.show_diff(None, "Comparing…")

        def work(handle):
            from ...engine.backup import diff_backup_workspace, diff_backups

            if other in (None, CURRENT):
                return diff_backup_workspace(repo, row.id, ws)
            return diff_backups(repo, row.id, other)

        if other in (None, CURRENT):
            titles = (f"In the backup ({local_time(row.created)})", "Now")
        else:
            other_row = self.model.rows[self.model.row_for(other)]
            titles = (f"Backup of {local_time(row.created)}", f"Backup of {local_time(other_row.created)}")

        def show(diff):
            if self.selected_row() is row:  # the user may have moved on meanwhile
                self.diff_view.show_diff(diff, "", *titles)
                if self._pending_select:
                    self.diff_view.set_checked(set(self._pending_select))
                    self._pending_select = None
                self._update_actions()

        start_worker(work, on_finished=show,
                     on_failed=lambda m, _u: self.diff_view.show_diff(None, f"Cannot compare: {m}"))

    # ---- actions -------------------------------------------------------------------
    def create_backup(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            return
        dialog = CreateBackupDialog(ws.systems(), self)
        if dialog.exec() != QDialog.Accepted:
            return
        kind, system, message = dialog.values()
        self.start_create(kind, system, message)

    def start_create(self, kind: str, system: str | None, message: str) -> None:
        from ...engine.backup import create_backup

        ws, repo, db = self.ctx.workspace, self.repo, self.ctx.db
        self._run("Creating backup", lambda h: create_backup(
            ws, repo, kind=kind, system=system, message=message, reason="manual", db=db,
            progress=h.progress, cancel=h.cancel),
            lambda m: (self.status_label.setText(f"Backup created: {len(m.files)} files."),
                       self.refresh(select=m.id), self._ping_status()))

    def verify_selected(self) -> None:
        from ...engine.backup import verify_backup

        row = self.selected_row()
        if row is None:
            return
        repo, db = self.repo, self.ctx.db

        def done(report):
            if report.ok:
                self.status_label.setText(f"Verified: {report.files} files, {report.objects} objects intact.")
            else:
                problems = "\n".join(f"{p.path}: {p.problem}" for p in report.problems[:20])
                self.status_label.setText(f"Damaged: {len(report.problems)} problem(s).")
                QMessageBox.warning(self, "Backup is damaged",
                                    f"Backup {row.id} is damaged and will not be restored from:\n\n{problems}")
            self.refresh(select=row.id)

        self._run("Verifying", lambda h: verify_backup(repo, row.id, db=db, progress=h.progress, cancel=h.cancel), done)

    def restore(self, all_files: bool) -> None:
        row = self.selected_row()
        if row is None or self.ctx.workspace is None:
            return
        paths = None if all_files else self.diff_view.checked_paths()
        if not all_files and not paths:
            return
        self._preview_and_restore(row, paths)

    def _preview_and_restore(self, row: BackupRow, paths) -> None:
        from ...engine.backup import plan_restore
        from ...engine.errors import UserError

        if not self._confirm_other_surfaces():
            return
        ws, repo = self.ctx.workspace, self.repo
        try:
            plan = plan_restore(ws, repo, row.id, paths=paths)
        except UserError as exc:
            QMessageBox.warning(self, "Cannot restore", str(exc))
            return
        dialog = RestorePreviewDialog(plan, row, self)
        self.preview_dialog = dialog  # tests drive it
        if dialog.exec() != QDialog.Accepted:
            return
        self.start_restore(row.id, paths)

    def start_restore(self, backup_id: str, paths) -> None:
        from ...engine.backup import restore_backup

        ws, repo, db = self.ctx.workspace, self.repo, self.ctx.db

        def work(h):
            result = restore_backup(ws, repo, backup_id, paths=paths, db=db, progress=h.progress, cancel=h.cancel)
            return result, self._read_undo_state(ws, repo, db)

        def done(out):
            result, undo_state = out
            self._take_undo_state(*undo_state)
            self.status_label.setText(
                f"Restored {len(result.written)} file(s), removed {len(result.removed)}; "
                f"safety backup {result.safety_backup_id} taken first — “Undo restore” puts it back.")
            self.refresh(select=backup_id)
            self.ctx.workspaceFilesChanged.emit(sorted(set(result.written) | set(result.removed)))
            self._ping_status()

        self._run("Restoring", work, done)

    def undo_restore(self) -> None:
        """Undo the newest restore of the workspace (as the audit log has it): preview,
        naming files edited since, then put back the pre-restore bytes of what it touched."""
        from ...engine.backup.undo import plan_undo
        from ...engine.errors import UserError

        last, ws = self.undo, self.ctx.workspace
        if last is None or not last.undoable or ws is None:
            return
        if not self._confirm_other_surfaces():
            return
        try:
            undo = plan_undo(ws, self.repo, last)
        except UserError as exc:
            QMessageBox.warning(self, "Cannot undo the restore", str(exc))
            self.refresh()
            return
        dialog = RestorePreviewDialog(undo.plan, None, self, undo=undo)
        self.preview_dialog = dialog  # tests drive it
        if dialog.exec() != QDialog.Accepted:
            return
        self.start_undo(last.event_id)

    def start_undo(self, event_id: int) -> None:
        from ...engine.backup.undo import undo_restore

        ws, repo, db = self.ctx.workspace, self.repo, self.ctx.db

        def work(h):
            result = undo_restore(ws, repo, db, event_id=event_id, progress=h.progress, cancel=h.cancel)
            return result, self._read_undo_state(ws, repo, db)

        def done(out):
            result, undo_state = out
            self._take_undo_state(*undo_state)
            n = len(result.written) + len(result.removed)
            self.status_label.setText(
                f"Restore undone: {n} file(s) put back as they were before it. Safety backup "
                f"{result.safety_backup_id} holds what they were just before the undo.")
            self.refresh(select=result.safety_backup_id)
            self.ctx.workspaceFilesChanged.emit(sorted(set(result.written) | set(result.removed)))
            self._ping_status()

        self._run("Undoing the restore", work, done)

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        repo, db = self.repo, self.ctx.db

        def work(h):
            bid = repo.delete(row.id)
            db.audit("backup.delete", bid, message="deleted from the Backups surface (undoable until purge)")
            return bid

        self._run("Deleting", work, lambda bid: (self.status_label.setText(
            f"Backup deleted — “Show deleted” and Undelete bring it back until a purge."), self.refresh()))

    def undelete_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        repo, db = self.repo, self.ctx.db

        def work(h):
            bid = repo.undelete(row.id)
            db.audit("backup.undelete", bid, message="undeleted from the Backups surface")
            return bid

        self._run("Undeleting", work, lambda bid: (self.status_label.setText("Backup restored to the list."),
                                                   self.refresh(select=bid)))

    def retention(self) -> None:
        from ...engine.backup import apply_retention
        from ..settings_dialog import BACKUP_RETENTION_KEY, backup_retention

        ws = self.ctx.workspace
        if ws is None:
            return
        dialog = RetentionDialog(self.repo, ws.root, backup_retention(self.ctx.db), self)
        self.retention_dialog = dialog
        if dialog.exec() != QDialog.Accepted:
            return
        keep = dialog.keep
        if keep != backup_retention(self.ctx.db):
            self.ctx.db.set_setting(BACKUP_RETENTION_KEY, keep)
        repo, db = self.repo, self.ctx.db
        self._run("Applying retention", lambda h: apply_retention(repo, keep["keep_last"], keep["keep_daily"], db=db),
                  lambda decisions: (self.status_label.setText(
                      f"{sum(1 for d in decisions if not d.keep)} backup(s) deleted (undoable until a purge)."),
                      self.refresh()))

    # ---- integration ---------------------------------------------------------------
    def _confirm_other_surfaces(self) -> bool:
        """A restore rewrites files other surfaces may be editing: ask them first."""
        window = self.window()
        confirm = getattr(window, "_confirm_leave", None)
        return confirm() if callable(confirm) else True

    def _ping_status(self) -> None:
        if self.ctx.status_monitor is not None:
            self.ctx.status_monitor.refresh()

    def navigate(self, backup_id: str | None = None, **_kw) -> None:
        if backup_id:
            self.refresh(select=backup_id)

    def confirm_discard(self) -> bool:
        if self.worker is None:
            return True
        QMessageBox.information(self, "A backup operation is running",
                                "A backup operation is still running; wait for it to finish "
                                "(or cancel it) before switching workspace or quitting.")
        return False
