"""The metadata form and the properties / connections tables, bound to the document.

Widgets never hold state of their own: a user edit becomes one document command, and
``refresh`` redraws from the document (after undo, a port drag or a source edit).
"""

from __future__ import annotations

import json
import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QLineEdit, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from .document import MISSING, SymbolDocument

DIRECTIONS = ["", "in", "out", "bidirectional"]
FORM_FIELDS = ("id", "name", "system", "category", "description", "behavior_profile", "tags")


def format_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_value(text: str) -> Any:
    """Table text -> JSON value: numbers, true/false/null, [..]/{..} as JSON; else text."""
    s = text.strip()
    if not s:
        return ""
    try:
        value = json.loads(s)
    except ValueError:
        return text
    if isinstance(value, float) and not math.isfinite(value):
        return text
    return value


def parse_number(text: str) -> Any:
    """A coordinate: int when whole, float otherwise; the text itself when not a number
    (the rules then say so, instead of the edit being silently dropped)."""
    try:
        v = float(text.strip())
    except ValueError:
        return text.strip()
    if not math.isfinite(v):
        return text.strip()
    return int(v) if v == int(v) and "." not in text else v


class _Bound:
    """Guard against feeding our own programmatic updates back as user edits."""

    def __init__(self):
        self.updating = False


class MetadataForm(QWidget):
    def __init__(self, doc: SymbolDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self._guard = _Bound()
        lay = QFormLayout(self)
        lay.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.id_edit = QLineEdit()
        self.name_edit = QLineEdit()
        self.system_combo = QComboBox()
        self.system_combo.setEditable(True)
        self.category_combo = QComboBox()
        self.category_combo.setEditable(True)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(64)
        self.description_edit.setTabChangesFocus(True)
        self.profile_combo = QComboBox()
        self.profile_combo.setEditable(True)
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("comma-separated")
        for key, label, w in (("id", "&Id", self.id_edit), ("name", "&Name", self.name_edit),
                              ("system", "S&ystem", self.system_combo), ("category", "&Category", self.category_combo),
                              ("description", "&Description", self.description_edit),
                              ("behavior_profile", "&Behavior profile", self.profile_combo),
                              ("tags", "&Tags", self.tags_edit)):
            w.setObjectName(f"field_{key}")
            lay.addRow(label, w)
            self.fields[key] = w
        self.id_edit.textEdited.connect(lambda t: self._edit("id", t))
        self.name_edit.textEdited.connect(lambda t: self._edit("name", t))
        self.system_combo.lineEdit().textEdited.connect(lambda t: self._edit("system", t))
        self.system_combo.activated.connect(lambda _: self._edit("system", self.system_combo.currentText()))
        self.category_combo.lineEdit().textEdited.connect(lambda t: self._edit("category", t))
        self.category_combo.activated.connect(lambda _: self._edit("category", self.category_combo.currentText()))
        self.profile_combo.lineEdit().textEdited.connect(lambda t: self._edit("behavior_profile", t))
        self.profile_combo.activated.connect(
            lambda _: self._edit("behavior_profile", self.profile_combo.currentText()))
        self.description_edit.textChanged.connect(
            lambda: self._edit("description", self.description_edit.toPlainText()))
        self.tags_edit.textEdited.connect(self._edit_tags)
        self.choices: dict[str, list[str]] = {"system": [], "category": [], "behavior_profile": []}

    def set_choices(self, systems: list[str], categories: list[str], profiles: list[str]) -> None:
        """What the pickers offer (from the workspace); typed values stay allowed so a
        wrong one can be seen and reported by the rules."""
        with_guard = self._guard.updating
        self._guard.updating = True
        try:
            for combo, items, key in ((self.system_combo, systems, "system"),
                                      (self.category_combo, categories, "category"),
                                      (self.profile_combo, profiles, "behavior_profile")):
                if self.choices.get(key) == items:
                    continue
                self.choices[key] = list(items)
                text = combo.currentText()
                combo.clear()
                combo.addItems(items)
                combo.setEditText(text)
        finally:
            self._guard.updating = with_guard

    def _edit(self, key: str, text: str) -> None:
        if self._guard.updating:
            return
        self.doc.set((key,), text, f"Edit {key.replace('_', ' ')}", merge=True)

    def _edit_tags(self, text: str) -> None:
        if self._guard.updating:
            return
        tags = [t.strip() for t in text.split(",") if t.strip()]
        self.doc.set(("tags",), tags, "Edit tags", merge=True)

    def refresh(self) -> None:
        self._guard.updating = True
        try:
            d = self.doc.data
            for key in ("id", "name"):
                w = self.fields[key]
                value = d.get(key, "")
                text = value if isinstance(value, str) else format_value(value)
                if w.text() != text:
                    w.setText(text)
            for key, combo in (("system", self.system_combo), ("category", self.category_combo),
                               ("behavior_profile", self.profile_combo)):
                value = d.get(key, "")
                text = value if isinstance(value, str) else format_value(value)
                if combo.currentText() != text:
                    combo.setEditText(text)
            desc = d.get("description", "")
            desc = desc if isinstance(desc, str) else format_value(desc)
            if self.description_edit.toPlainText() != desc:
                self.description_edit.setPlainText(desc)
            tags = d.get("tags", [])
            text = ", ".join(str(t) for t in tags) if isinstance(tags, list) else format_value(tags)
            current = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
            if current != (tags if isinstance(tags, list) else None):
                self.tags_edit.setText(text)
            self.setEnabled(self.doc.is_open)
        finally:
            self._guard.updating = False

    def focus_field(self, key: str) -> bool:
        w = self.fields.get(key)
        if w is None:
            return False
        w.setFocus(Qt.OtherFocusReason)
        if isinstance(w, QLineEdit):
            w.selectAll()
        elif isinstance(w, QComboBox) and w.lineEdit():
            w.lineEdit().selectAll()
        return True


class _DictTable(QWidget):
    """A table over one dict field of the symbol (rows = keys, in file order)."""

    FIELD = ""
    COLUMNS: list[str] = []
    NOUN = ""
    rowSelected = Signal(str)       # the key of the selected row ('' when none)

    def __init__(self, doc: SymbolDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.updating = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName(f"{self.FIELD}Table")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(f"Add {self.NOUN}")
        self.remove_button = QPushButton(f"Remove {self.NOUN}")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._on_selection)

    def entries(self) -> dict:
        value = self.doc.data.get(self.FIELD)
        return value if isinstance(value, dict) else {}

    def keys(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    def selected_key(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 0)
        return item.text() if item else ""

    def select_key(self, key: str, column: int = 0) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == key:
                if self.selected_key() != key:
                    self.table.selectRow(r)
                self.table.setCurrentCell(r, column)
                self.table.scrollToItem(self.table.item(r, column))
                return True
        return False

    def refresh(self) -> None:
        selected = self.selected_key()
        self.updating = True
        try:
            entries = self.entries()
            self.table.setRowCount(len(entries))
            for r, (key, value) in enumerate(entries.items()):
                for c, text in enumerate(self.row_texts(str(key), value)):
                    item = self.table.item(r, c)
                    if item is None:
                        item = QTableWidgetItem()
                        self.table.setItem(r, c, item)
                    if item.text() != text:
                        item.setText(text)
            self.setEnabled(self.doc.is_open)
        finally:
            self.updating = False
        if selected and selected in entries:
            self.updating = True
            try:
                self.select_key(selected, max(self.table.currentColumn(), 0))
            finally:
                self.updating = False

    def _on_selection(self) -> None:
        if not self.updating:
            self.rowSelected.emit(self.selected_key())

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self.updating:
            return
        entries = self.entries()
        keys = list(entries)
        row, col = item.row(), item.column()
        if row >= len(keys):
            return
        key = keys[row]
        if col == 0:
            self._rename(key, item.text().strip())
        else:
            self.cell_edited(key, col, item.text())

    def _rename(self, old: str, new: str) -> None:
        entries = self.entries()
        if not new or new == old or new in entries:
            self.refresh()  # refused: put the old name back
            return
        renamed = {(new if k == old else k): v for k, v in entries.items()}
        self.doc.set((self.FIELD,), renamed, f"Rename {self.NOUN} {old} to {new}")
        self.select_key(new)

    def add_row(self) -> None:
        entries = self.entries()
        n = len(entries) + 1
        while f"{self.NOUN}_{n}" in entries:
            n += 1
        key = f"{self.NOUN}_{n}"
        new = dict(entries)
        new[key] = self.new_value()
        self.doc.set((self.FIELD,), new, f"Add {self.NOUN} {key}")
        self.select_key(key)
        self.table.editItem(self.table.item(self.table.currentRow(), 0))

    def remove_selected(self) -> None:
        key = self.selected_key()
        if not key:
            return
        new = {k: v for k, v in self.entries().items() if k != key}
        self.doc.set((self.FIELD,), new, f"Remove {self.NOUN} {key}")

    # subclasses
    def row_texts(self, key: str, value: Any) -> list[str]:
        raise NotImplementedError

    def cell_edited(self, key: str, column: int, text: str) -> None:
        raise NotImplementedError

    def new_value(self) -> Any:
        raise NotImplementedError


class PropertiesTable(_DictTable):
    FIELD = "properties"
    COLUMNS = ["Property", "Value", "Unit"]
    NOUN = "property"

    def row_texts(self, key, value):
        if isinstance(value, dict) and set(value) <= {"value", "unit"} and "value" in value:
            return [key, format_value(value["value"]), str(value.get("unit") or "")]
        return [key, format_value(value), ""]

    def cell_edited(self, key, column, text):
        row = self.keys().index(key)
        value_text = self.table.item(row, 1).text()
        unit = self.table.item(row, 2).text().strip()
        value = parse_value(value_text)
        new = {"value": value, "unit": unit} if unit else value
        self.doc.set((self.FIELD, key), new, f"Edit property {key}")

    def new_value(self):
        return ""


class ConnectionsTable(_DictTable):
    FIELD = "connections"
    COLUMNS = ["Port", "Type", "X", "Y", "Direction"]
    NOUN = "port"
    KEYS = {1: "type", 2: "x", 3: "y", 4: "direction"}

    def row_texts(self, key, value):
        v = value if isinstance(value, dict) else {}

        def text(k):
            x = v.get(k, "")
            return x if isinstance(x, str) else format_value(x)
        return [key, text("type"), text("x"), text("y"), text("direction")]

    def cell_edited(self, key, column, text):
        field = self.KEYS[column]
        if field in ("x", "y"):
            value: Any = parse_number(text)
        else:
            value = text.strip()
        if field == "direction" and not value:
            value = MISSING
        port = self.entries().get(key)
        if not isinstance(port, dict):
            self.doc.set((self.FIELD, key), {field: value} if value is not MISSING else {}, f"Edit port {key}")
            return
        self.doc.set((self.FIELD, key, field), value, f"Edit port {key} {field}")

    def new_value(self):
        vb = getattr(self, "view_box", None)
        x, y = (vb.center().x(), vb.center().y()) if vb is not None else (0, 0)
        return {"x": round(x), "y": round(y), "type": "signal"}
