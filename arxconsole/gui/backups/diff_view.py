"""What changed: a tree of changed files (checkable, for a selective restore) and, for a
symbol, its before/after pictures side by side with the fields that changed."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QHeaderView, QLabel, QSplitter, QTableWidget,
                               QTableWidgetItem, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ..icons import icon

PICTURE_SIZE = 220
# status -> (group title when comparing with the workspace, icon, word)
GROUPS = {
    "modified": ("Changed since the backup", "warning", "Changed"),
    "removed": ("Deleted since the backup", "error", "Deleted"),
    "added": ("New since the backup", "info", "New"),
}


def symbol_svg(data: bytes | None) -> str | None:
    if not data:
        return None
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    svg = doc.get("svg") if isinstance(doc, dict) else None
    if isinstance(svg, dict):  # older Arxos format
        svg = svg.get("content")
    return svg if isinstance(svg, str) and svg.strip() else None


class SymbolPicture(QGroupBox):
    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        lay = QVBoxLayout(self)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignCenter)
        self.picture.setMinimumSize(PICTURE_SIZE, PICTURE_SIZE)
        lay.addWidget(self.picture)

    def show_svg(self, svg: str | None, absent_text: str) -> None:
        from ..symbols.thumbnails import render_thumbnail

        if svg is None:
            self.picture.setPixmap(QPixmap())
            self.picture.setText(absent_text)
            return
        self.picture.setText("")
        self.picture.setPixmap(QPixmap.fromImage(render_thumbnail(svg, PICTURE_SIZE)))


class DiffView(QWidget):
    selectionChanged = Signal()  # check marks changed

    def __init__(self, parent=None):
        super().__init__(parent)
        self.diff = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Change"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.setTextElideMode(Qt.ElideMiddle)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(self._on_current)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.before_pic = SymbolPicture("In the backup")
        self.after_pic = SymbolPicture("Now")
        self.fields = QTableWidget(0, 2)
        self.fields.setHorizontalHeaderLabels(["Field", "Change"])
        self.fields.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.fields.verticalHeader().hide()
        self.fields.setEditTriggers(QTableWidget.NoEditTriggers)
        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        pics = QHBoxLayout()
        pics.addWidget(self.before_pic)
        pics.addWidget(self.after_pic)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addLayout(pics)
        dl.addWidget(self.fields, 1)

        split = QSplitter(Qt.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.summary)
        ll.addWidget(self.tree, 1)
        split.addWidget(left)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([600, 600])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self.show_diff(None)

    # ---- filling -------------------------------------------------------------------
    before_title = "In the backup"
    after_title = "Now"

    def show_diff(self, diff, message: str = "", before_title: str = "In the backup",
                  after_title: str = "Now") -> None:
        self.diff = diff
        self.before_title, self.after_title = before_title, after_title
        self.tree.blockSignals(True)
        self.tree.clear()
        self._clear_detail()
        if diff is None:
            self.summary.setText(message or "Select a backup to see what changed since.")
            self.tree.blockSignals(False)
            return
        counts = diff.counts()
        total = sum(counts.get(k, 0) for k in GROUPS)
        self.summary.setText(
            f"{before_title} → {after_title.lower() if after_title == 'Now' else after_title}: " +
            (", ".join(f"{counts.get(k, 0)} {GROUPS[k][2].lower()}" for k in GROUPS) if total else "no differences"))
        for status, (title, icon_name, word) in GROUPS.items():
            changes = [c for c in diff.changes if c.status == status]
            if not changes:
                continue
            group = QTreeWidgetItem(self.tree, [f"{title} ({len(changes)})", ""])
            group.setIcon(0, icon(icon_name))
            group.setFlags(group.flags() | Qt.ItemIsAutoTristate | Qt.ItemIsUserCheckable)
            group.setCheckState(0, Qt.Unchecked)
            for c in changes:
                # Symbols are most of what operators look for: show them as system/ID.
                shown = c.path.removeprefix("arx-symbol-library/") if c.is_symbol else c.path
                item = QTreeWidgetItem(group, [shown, word])
                item.setToolTip(0, c.path)
                item.setIcon(1, icon(icon_name))
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(0, Qt.Unchecked)
                item.setData(0, Qt.UserRole, c)
                if c.fields:
                    item.setToolTip(0, c.path + "\nfields: " + ", ".join(f.field for f in c.fields))
            group.setExpanded(True)
        self.tree.blockSignals(False)
        self.selectionChanged.emit()

    def _clear_detail(self) -> None:
        self.detail_title.setText("Select a symbol to compare its pictures.")
        self.before_pic.show_svg(None, "")
        self.after_pic.show_svg(None, "")
        self.fields.setRowCount(0)

    def _on_current(self, item, _prev=None) -> None:
        change = item.data(0, Qt.UserRole) if item is not None else None
        if change is None:
            self._clear_detail()
            return
        self.detail_title.setText(f"{change.path} — {GROUPS[change.status][2].lower()}"
                                  + (f" ({change.note})" if change.note else ""))
        if change.is_symbol and self.diff is not None:
            before = self.diff.read_before(change) if change.before is not None else None
            after = self.diff.read_after(change) if change.after is not None else None
            self.before_pic.setTitle(self.before_title)
            self.after_pic.setTitle(self.after_title)
            self.before_pic.show_svg(symbol_svg(before), "not in the backup" if before is None else "no drawing")
            self.after_pic.show_svg(symbol_svg(after), "deleted" if after is None else "no drawing")
        else:
            self.before_pic.show_svg(None, "not a symbol")
            self.after_pic.show_svg(None, "not a symbol")
        fields = change.fields or []
        self.fields.setRowCount(len(fields))
        for row, f in enumerate(fields):
            self.fields.setItem(row, 0, QTableWidgetItem(f.field))
            self.fields.setItem(row, 1, QTableWidgetItem(f.change))

    def _on_item_changed(self, _item, column) -> None:
        if column == 0:
            self.selectionChanged.emit()

    # ---- queries -------------------------------------------------------------------
    def file_items(self) -> list[QTreeWidgetItem]:
        items = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            items.extend(group.child(i) for i in range(group.childCount()))
        return items

    def checked_paths(self) -> list[str]:
        return [it.data(0, Qt.UserRole).path for it in self.file_items() if it.checkState(0) == Qt.Checked]

    def set_checked(self, paths: set[str]) -> None:
        for it in self.file_items():
            it.setCheckState(0, Qt.Checked if it.data(0, Qt.UserRole).path in paths else Qt.Unchecked)

    def select_path(self, path: str) -> bool:
        for it in self.file_items():
            if it.data(0, Qt.UserRole).path == path:
                self.tree.setCurrentItem(it)
                return True
        return False
