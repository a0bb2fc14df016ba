"""The whole symbol as library-format JSON, editable: the file as it will be saved.

Form, tables, port drags and the SVG source show up here, and a valid JSON edit here
updates all of them (one undo step per pause in typing).  While the text does not
parse, nothing is applied and the reason is shown; the other views keep the last
valid state.

A pending (debounced) edit belongs to the document it was typed into: ``flush()``
applies it at once (the surface calls it before saving, asking about unsaved changes,
switching symbol or closing), and loading or closing the document drops whatever is
still pending, so it can never land on the next symbol.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ...engine.durable import dump_json
from .document import MISSING, SymbolDocument
from .source_editor import SourceEditor

APPLY_DELAY_MS = 400


class JsonSourceView(QWidget):
    def __init__(self, doc: SymbolDocument, parent=None):
        super().__init__(parent)
        self.doc = doc
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 0)
        self.editor = SourceEditor()
        self.editor.setObjectName("symbolJson")
        self.editor.highlighter.setDocument(None)     # the XML colours mean nothing in JSON
        self.status = QLabel()
        self.status.setObjectName("jsonStatus")
        self.status.setTextFormat(Qt.PlainText)
        self.status.setWordWrap(True)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self.apply)
        self._stale = True
        self._applying = False
        self._unapplied = False     # the text shown does not parse: it cannot be applied
        self._base: dict = {}
        self.editor.userEdited.connect(lambda _: self._timer.start())
        doc.changed.connect(self._on_doc_changed)

    def _on_doc_changed(self, path) -> None:
        if self._applying:
            return            # our own edit: keep the user's text and cursor as typed
        self._stale = True
        if not path:
            # load/close: the document is another one now; an edit still pending was
            # typed into the previous one and must not be applied here
            self._timer.stop()
            self._unapplied = False
        if self._timer.isActive():
            return            # the user's pending edit wins; it applies key by key on top
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Show the document (only while visible: not worth a dump per keystroke)."""
        self._timer.stop()
        self._stale = False
        self._unapplied = False
        self._base = json.loads(json.dumps(self.doc.data))   # what the text shows, to diff edits against
        self.editor.set_text(dump_json(self.doc.data) if self.doc.is_open else "")
        self.editor.setReadOnly(not self.doc.is_open)
        self.status.setText("")

    def select_key(self, key: str) -> bool:
        """Put the cursor on the top-level field ``key`` (e.g. ``waivers``)."""
        if self._stale:
            self.refresh()
        text = self.editor.toPlainText()
        pos = text.find(f'\n  {json.dumps(key)}:')
        if pos < 0:
            return False
        self.editor.goto_line(text.count("\n", 0, pos + 1) + 1)
        return True

    @property
    def pending(self) -> bool:
        """An edit typed but not applied yet (waiting for the pause in typing)."""
        return self._timer.isActive()

    @property
    def unapplied(self) -> bool:
        """The text holds an edit that cannot be applied: it is not a valid JSON object."""
        return self._unapplied

    def flush(self) -> bool:
        """Apply a pending edit now; False when the text cannot be applied (not valid
        JSON), so the caller can tell the user instead of silently dropping it."""
        if self._timer.isActive():
            self.apply()
        return not self._unapplied

    def apply(self) -> bool:
        """Parse the text and push the differences to the document as one undo step."""
        self._timer.stop()
        text = self.editor.toPlainText()
        try:
            data = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line}, column {exc.colno})" if line else ""
            self.status.setText(f"Not applied: the JSON is not valid{where}: {getattr(exc, 'msg', exc)}. "
                                "The other views keep the last valid state.")
            self._unapplied = True
            return False
        if not isinstance(data, dict):
            self.status.setText("Not applied: a symbol is one JSON object {…}.")
            self._unapplied = True
            return False
        self._unapplied = False
        # Only the fields the user changed in the text (against what it showed) are applied,
        # so a change made elsewhere meanwhile (a port drag) is not undone by a stale copy.
        base = self._base
        keys = list(base) + [k for k in data if k not in base]
        changed = [k for k in keys if base.get(k, MISSING) != data.get(k, MISSING)
                   or type(base.get(k)) is not type(data.get(k))]
        current = self.doc.data
        changed = [k for k in changed if current.get(k, MISSING) != data.get(k, MISSING)
                   or type(current.get(k)) is not type(data.get(k))]
        self.status.setText("")
        if not changed:
            if self._stale and self.isVisible():
                self.refresh()
            return True
        self._applying = True
        stack = self.doc.undo_stack
        try:
            stack.beginMacro("Edit symbol JSON")
            for key in changed:
                self.doc.set((key,), data.get(key, MISSING), f"Edit {key}")
            stack.endMacro()
        finally:
            self._applying = False
        self._base = json.loads(json.dumps(data))
        if self._stale and self.isVisible():
            self.refresh()    # something else changed meanwhile: show the merged result
        return True
