"""Dialogs of the Backups surface: create, restore preview, retention."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..icons import icon
from .model import local_time

KIND_LABELS = {
    "full": "Full — the whole workspace",
    "system": "One system — its schema, symbols and profiles",
    "schema": "Schemas only",
    "symbols": "Symbols only",
    "behavior": "Behavior profiles only",
}


class CreateBackupDialog(QDialog):
    def __init__(self, systems: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Create a backup")
        form = QFormLayout(self)
        self.kind = QComboBox()
        for key, label in KIND_LABELS.items():
            self.kind.addItem(label, key)
        self.system = QComboBox()
        self.system.addItems(systems)
        self.message = QLineEdit()
        self.message.setPlaceholderText("why (e.g. before cleaning up the fire alarm symbols)")
        form.addRow("What", self.kind)
        form.addRow("System", self.system)
        form.addRow("Message", self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Create backup")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.system.setEnabled(self.kind.currentData() == "system" and self.system.count() > 0)

    def values(self) -> tuple[str, str | None, str]:
        kind = self.kind.currentData()
        return kind, (self.system.currentText() if kind == "system" else None), self.message.text().strip()


class RestorePreviewDialog(QDialog):
    """Exactly what the restore will do, where, and the safety net; nothing runs until
    the user confirms.  With ``undo`` (an ``engine.backup.undo.UndoPlan``; ``row`` is then
    unused) it previews undoing the last restore, naming files edited since."""

    def __init__(self, plan, row, parent=None, undo=None):
        super().__init__(parent)
        self.setWindowTitle("Undo the restore" if undo else "Restore from backup")
        self.resize(640, 460)
        lay = QVBoxLayout(self)
        changed = set(undo.changed_since) if undo else set()
        if undo:
            last = undo.last
            n = len(last.paths)
            source = (f"the backup of {local_time(last.backup_created)}" if last.backup_created
                      else f"backup {last.result.backup_id}")
            head = QLabel(
                f"<b>Undo the restore made {local_time(last.at.isoformat())}</b> by {last.actor or 'unknown'} "
                f"({n} file(s) from {source}): put back the file(s) it changed as they were before it, "
                f"from its safety backup of {local_time(last.safety_created)}<br>in <b>{plan.workspace}</b>")
        else:
            what = "only the selected files" if plan.selection else "the whole backup"
            head = QLabel(
                f"<b>Restore {what}</b> from the backup of {local_time(row.created)} "
                f"({row.kind}, {row.reason}{': ' + row.message if row.message else ''})<br>"
                f"into <b>{plan.workspace}</b>")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.files = QListWidget()
        for e in plan.writes:
            verb = ("Put back" if undo else "Replace") if e.path in plan.current else "Re-create"
            note = "  (changed after the restore)" if e.path in changed else ""
            QListWidgetItem(icon("warning" if e.path in plan.current else "info"), f"{verb}  {e.path}{note}",
                            self.files)
        for p in plan.removes:
            why = "the restore created it" if undo else "created after the backup"
            note = "; changed after the restore" if p in changed else ""
            QListWidgetItem(icon("error"), f"Remove  {p}  ({why}{note})", self.files)
        lay.addWidget(self.files, 1)
        counts = QLabel(f"{len(plan.writes)} file(s) to write, {len(plan.removes)} to remove, "
                        f"{len(plan.unchanged)} already identical.")
        lay.addWidget(counts)
        self.changed_note = QLabel()
        self.changed_note.setWordWrap(True)
        if changed:
            self.changed_note.setText(
                f"<b>{len(changed)} of these file(s) were changed after the restore.</b> Undo puts back "
                f"what they held before the restore; what they hold now, your later edits included, "
                f"goes into the safety backup taken first, so it can be restored from the list.")
        elif undo and undo.unknown_since:
            self.changed_note.setText(
                "The restored backup is no longer in the repository, so whether these files changed "
                "since the restore cannot be told; what they hold now goes into the safety backup taken first.")
        self.changed_note.setVisible(bool(self.changed_note.text()))
        lay.addWidget(self.changed_note)
        safety = QLabel("A safety backup of the current workspace is taken first, so nothing is lost; once "
                        "undone, this restore is not offered for undo again." if undo else
                        "A safety backup of the current workspace is taken first, so this restore "
                        "can be undone from the Backups surface.")
        safety.setWordWrap(True)
        lay.addWidget(safety)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.confirm = buttons.button(QDialogButtonBox.Ok)
        n = len(plan.writes) + len(plan.removes)
        self.confirm.setText(f"Undo: put back {n} file(s)" if undo else f"Restore {n} file(s)")
        self.confirm.setEnabled(not plan.empty)
        if plan.empty:
            counts.setText("Nothing to undo: these files are already as they were before the restore." if undo else
                           "Nothing to restore: the workspace already matches the backup for this selection.")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class RetentionDialog(QDialog):
    """Keep the last N and one per day for D days; the plan explains every backup's fate
    before anything is deleted (and deletion stays undoable until a purge)."""

    def __init__(self, repo, workspace_root, keep: dict, parent=None):
        super().__init__(parent)
        self.repo = repo
        self.workspace_root = str(workspace_root)
        self.setWindowTitle("Retention")
        self.resize(720, 480)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.keep_last = QSpinBox()
        self.keep_last.setRange(0, 10000)
        self.keep_last.setValue(int(keep["keep_last"]))
        self.keep_daily = QSpinBox()
        self.keep_daily.setRange(0, 3650)
        self.keep_daily.setValue(int(keep["keep_daily"]))
        form.addRow("Keep the last", self.keep_last)
        form.addRow("Keep one per day for (days)", self.keep_daily)
        lay.addLayout(form)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Backup", "Workspace", "Decision", "Why"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        lay.addWidget(self.table, 1)
        self.error = QLabel()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.apply_button = buttons.button(QDialogButtonBox.Ok)
        self.apply_button.setText("Delete the dropped backups")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.keep_last.valueChanged.connect(self.refresh)
        self.keep_daily.valueChanged.connect(self.refresh)
        self.decisions = []
        self.refresh()

    def refresh(self) -> None:
        from ...engine.backup import plan_retention
        from ...engine.errors import UserError

        # Retention applies to every workspace's backups in this data dir (per workspace
        # groups), so the plan shows them all.
        records = self.repo.list()
        try:
            self.decisions = plan_retention(records, self.keep_last.value(), self.keep_daily.value())
            self.error.setText("")
        except UserError as exc:
            self.decisions = []
            self.error.setText(str(exc))
        by_id = {r.id: r for r in records}
        self.table.setRowCount(len(self.decisions))
        for row, d in enumerate(self.decisions):
            rec = by_id.get(d.id)
            when = local_time(rec.manifest.created_at) if rec and rec.manifest else d.id
            ws = rec.manifest.workspace if rec and rec.manifest else ""
            self.table.setItem(row, 0, QTableWidgetItem(when))
            self.table.setItem(row, 1, QTableWidgetItem(ws.rsplit("/", 1)[-1] + (" (this one)" if ws == self.workspace_root else "")))
            item = QTableWidgetItem(icon("ok" if d.keep else "error"), "Keep" if d.keep else "Drop")
            self.table.setItem(row, 2, item)
            self.table.setItem(row, 3, QTableWidgetItem("; ".join(d.reasons)))
        drops = sum(1 for d in self.decisions if not d.keep)
        self.apply_button.setEnabled(drops > 0)
        self.apply_button.setText(f"Delete {drops} dropped backup(s)" if drops else "Nothing to delete")

    @property
    def keep(self) -> dict:
        return {"keep_last": self.keep_last.value(), "keep_daily": self.keep_daily.value()}
