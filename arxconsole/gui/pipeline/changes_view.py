"""The files a run wrote, or (dry run) would change, with a unified-diff viewer.

Diff lines keep their +/-/@@ prefixes, so the highlighting is a help, never the only cue.
The documentation page and its pictures open rendered (double-click, Enter, context menu).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QMenu, QPlainTextEdit, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from ..context_menu import use_context_menu
from ..theme import is_dark
from .docs_view import docs_target
from .models import changes_model


class DiffHighlighter(QSyntaxHighlighter):
    def __init__(self, document):
        super().__init__(document)
        dark = is_dark()
        self.added = self._fmt("#7ee787" if dark else "#1a7f37")
        self.removed = self._fmt("#ff7b72" if dark else "#cf222e")
        self.hunk = self._fmt("#79c0ff" if dark else "#0550ae")
        self.header = self._fmt("#c9d1d9" if dark else "#57606a", bold=True)

    @staticmethod
    def _fmt(color: str, bold: bool = False) -> QTextCharFormat:
        f = QTextCharFormat()
        f.setForeground(QColor(color))
        if bold:
            f.setFontWeight(700)
        return f

    def highlightBlock(self, text: str) -> None:
        if text.startswith(("+++", "---")):
            self.setFormat(0, len(text), self.header)
        elif text.startswith("+"):
            self.setFormat(0, len(text), self.added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self.removed)
        elif text.startswith("@@"):
            self.setFormat(0, len(text), self.hunk)


class ChangesView(QWidget):
    openRequested = Signal(str)    # a documentation file (page or picture) to read rendered

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()
        self.note.setObjectName("changesNote")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        split = QSplitter(Qt.Vertical)
        self.model = changes_model(self)
        self.table = QTableView()
        self.table.setObjectName("changesTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._show_diff)
        self.table.activated.connect(self._activated)
        use_context_menu(self.table, self.menu_at)
        self.diff = QPlainTextEdit()
        self.diff.setObjectName("diffText")
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.diff.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.highlighter = DiffHighlighter(self.diff.document())
        split.addWidget(self.table)
        split.addWidget(self.diff)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        self.set_changes([], dry_run=False, rolled_back=False)

    def set_changes(self, changes: list[dict], *, dry_run: bool, rolled_back: bool) -> None:
        self.dry_run = dry_run
        self.model.set_rows(changes)
        if dry_run:
            note = (f"Dry run: nothing was written. {len(changes)} file(s) would change; select one to see its diff."
                    if changes else "Dry run: no file would change.")
        elif rolled_back:
            note = (f"The run wrote {len(changes)} file(s); all were put back as they were (rolled back)."
                    if changes else "The run changed no file.")
        else:
            note = f"The run wrote {len(changes)} file(s)." if changes else "No file changed."
        self.note.setText(note)
        self.diff.setPlainText("")
        if changes:
            self.table.selectRow(0)
            self._show_diff(self.model.index(0, 0))

    def select_path(self, path: str) -> bool:
        row = self.model.find(lambda c: c.get("path") == path)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _show_diff(self, current, _previous=None) -> None:
        if not current.isValid():
            self.diff.setPlainText("")
            return
        change = self.model.row(current.row())
        diff = change.get("diff")
        if diff:
            self.diff.setPlainText(diff)
        elif self.dry_run:
            self.diff.setPlainText(f"{change.get('path')}: no textual difference recorded.")
        else:
            text = (f"{change.get('path')}: {change.get('action')} — diffs are kept for dry runs only; a real run "
                    "journals the prior bytes instead.")
            if docs_target(str(change.get("path", ""))) and change.get("action") != "delete":
                text += "\n\nDouble-click the file (or press Enter) to read the documentation page rendered."
            self.diff.setPlainText(text)

    def _activated(self, index) -> None:
        path = str(self.model.row(index.row()).get("path", "")) if index.isValid() else ""
        if docs_target(path):
            self.openRequested.emit(path)

    def menu_at(self, pos: QPoint) -> QMenu | None:
        """The context menu for the file under ``pos`` (None where none applies)."""
        idx = self.table.indexAt(pos)
        path = str(self.model.row(idx.row()).get("path", "")) if idx.isValid() else ""
        if not docs_target(path):
            return None
        menu = QMenu(self)
        menu.addAction("Open documentation", lambda: self.openRequested.emit(path))
        return menu
