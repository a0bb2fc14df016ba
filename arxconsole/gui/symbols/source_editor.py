"""The SVG source editor: XML highlighting, line numbers, lines with findings marked.

Its own undo is off: every change goes to the document's QUndoStack (one history for
source, form, tables and port drags), so Ctrl+Z / Ctrl+Shift+Z are left to the surface.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QFontDatabase, QKeySequence, QPainter, QSyntaxHighlighter,
                           QTextCharFormat, QTextCursor, QTextFormat)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ..theme import is_dark

_STEP_RE = re.compile(r"^([A-Za-z_][\w.\-]*)(?:\[(\d+)\])?$")


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Bold)
    f.setFontItalic(italic)
    return f


class XmlHighlighter(QSyntaxHighlighter):
    """Tags, attribute names, attribute values, comments (multi-line), PIs, entities."""

    IN_COMMENT = 1

    def __init__(self, document, dark: bool = False):
        super().__init__(document)
        if dark:
            self.tag, self.attr, self.value = _fmt("#7cb7ff", True), _fmt("#e5c07b"), _fmt("#98c379")
            self.comment, self.pi, self.entity = _fmt("#7f848e", italic=True), _fmt("#c678dd"), _fmt("#d19a66")
        else:
            self.tag, self.attr, self.value = _fmt("#1a4fa0", True), _fmt("#8a4b00"), _fmt("#1d7a24")
            self.comment, self.pi, self.entity = _fmt("#6a737d", italic=True), _fmt("#7a2fa0"), _fmt("#b35900")
        self.tag_re = QRegularExpression(r"</?[A-Za-z_][\w:.\-]*|/?>")
        self.attr_re = QRegularExpression(r"([A-Za-z_:][\w:.\-]*)\s*=\s*(\"[^\"]*\"?|'[^']*'?)")
        self.pi_re = QRegularExpression(r"<\?.*?\?>|<!\[CDATA\[|\]\]>|<!DOCTYPE[^>]*>?")
        self.entity_re = QRegularExpression(r"&[#\w]+;")

    def _apply(self, regex: QRegularExpression, text: str, fmt: QTextCharFormat, group: int = 0) -> None:
        it = regex.globalMatch(text)
        while it.hasNext():
            m = it.next()
            self.setFormat(m.capturedStart(group), m.capturedLength(group), fmt)

    def highlightBlock(self, text: str) -> None:
        self._apply(self.tag_re, text, self.tag)
        it = self.attr_re.globalMatch(text)
        while it.hasNext():
            m = it.next()
            self.setFormat(m.capturedStart(1), m.capturedLength(1), self.attr)
            self.setFormat(m.capturedStart(2), m.capturedLength(2), self.value)
        self._apply(self.entity_re, text, self.entity)
        self._apply(self.pi_re, text, self.pi)
        # comments last: they win over anything inside them, and may span lines
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == self.IN_COMMENT else text.find("<!--")
        while start >= 0:
            end = text.find("-->", start + (0 if self.previousBlockState() == self.IN_COMMENT and start == 0 else 4))
            if end < 0:
                self.setFormat(start, len(text) - start, self.comment)
                self.setCurrentBlockState(self.IN_COMMENT)
                return
            self.setFormat(start, end + 3 - start, self.comment)
            start = text.find("<!--", end + 3)


class _LineNumbers(QWidget):
    def __init__(self, editor: "SourceEditor"):
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:
        self.editor.paint_gutter(event)


class SourceEditor(QPlainTextEdit):
    """Plain-text SVG editor; ``userEdited`` fires only for the user's own edits."""

    userEdited = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("svgSource")
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = XmlHighlighter(self.document(), is_dark())
        self._programmatic = False
        self._marked_lines: dict[int, str] = {}   # line -> severity
        self.gutter = _LineNumbers(self)
        self.blockCountChanged.connect(lambda _: self.setViewportMargins(self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._update_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self.textChanged.connect(self._on_text_changed)

    # ---- text in and out -----------------------------------------------------------
    def set_text(self, text: str) -> None:
        """Replace the text (undo, load, a form edit) keeping the cursor where it was."""
        if text == self.toPlainText():
            return
        pos = self.textCursor().position()
        bar = self.verticalScrollBar().value()
        self._programmatic = True
        try:
            self.setPlainText(text)
        finally:
            self._programmatic = False
        self._marks_stale = bool(self._marked_lines)
        cursor = self.textCursor()
        cursor.setPosition(min(pos, len(text)))
        self.setTextCursor(cursor)
        self.verticalScrollBar().setValue(bar)

    def _on_text_changed(self) -> None:
        if not self._programmatic:
            self.userEdited.emit(self.toPlainText())

    # Undo/redo belong to the document's stack: let the surface's shortcuts have them.
    def event(self, event) -> bool:
        if event.type() == event.Type.ShortcutOverride and (
                event.matches(QKeySequence.Undo) or event.matches(QKeySequence.Redo)):
            event.ignore()
            return False
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.Undo) or event.matches(QKeySequence.Redo):
            event.ignore()
            return
        super().keyPressEvent(event)

    def set_wrap(self, wrap: bool) -> None:
        self.setLineWrapMode(QPlainTextEdit.WidgetWidth if wrap else QPlainTextEdit.NoWrap)

    # ---- navigation ----------------------------------------------------------------
    def goto_line(self, line: int, column: int | None = None) -> None:
        block = self.document().findBlockByNumber(max(line - 1, 0))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        if column:
            cursor.movePosition(QTextCursor.Right, QTextCursor.MoveAnchor, min(column - 1, block.length() - 1))
        cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus(Qt.OtherFocusReason)

    def select_element(self, path: str) -> bool:
        """Select the start tag of the element named by an SVG element path such as
        ``svg/g[2]/script`` (1-based index among same-named siblings)."""
        span = element_span(self.toPlainText(), path)
        if span is None:
            return False
        start, end = span
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.setFocus(Qt.OtherFocusReason)
        return True

    def mark_lines(self, lines: dict[int, str]) -> None:
        """Tint the lines findings point at (the findings list says what and how bad)."""
        if lines == self._marked_lines and not getattr(self, "_marks_stale", False):
            return   # re-setting selections re-lays out the document: costly on every keystroke
        self._marks_stale = False
        self._marked_lines = dict(lines)
        selections = []
        for line, severity in lines.items():
            block = self.document().findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            sel = QTextEdit.ExtraSelection()
            color = QColor("#e03131" if severity == "error" else "#f08c00" if severity == "warning" else "#1c7ed6")
            color.setAlpha(45)
            sel.format.setBackground(color)
            sel.format.setProperty(QTextFormat.FullWidthSelection, True)
            sel.cursor = QTextCursor(block)
            selections.append(sel)
        self.setExtraSelections(selections)
        self.gutter.update()

    # ---- gutter --------------------------------------------------------------------
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * (digits + 1)

    def _update_gutter(self, rect, dy) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def paint_gutter(self, event) -> None:
        painter = QPainter(self.gutter)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.alternateBase())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                line = number + 1
                sev = self._marked_lines.get(line)
                # the mark is a glyph, not only a colour: ! for errors, ? for warnings
                mark = {"error": "!", "warning": "?", "info": "i"}.get(sev, "")
                painter.setPen(pal.text().color() if sev else pal.placeholderText().color())
                painter.drawText(0, top, self.gutter.width() - 6, height, Qt.AlignRight,
                                 f"{mark} {line}" if mark else str(line))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1


def element_span(text: str, path: str) -> tuple[int, int] | None:
    """Character span of the start tag of the element at ``path`` in ``text``.

    Uses lxml's hardened parser for the structure (line numbers), then finds the tag in
    that line; None when the text does not parse or the path names no element."""
    from ...engine.symbols.safe_xml import local_name, parse_svg

    parsed = parse_svg(text)
    if not parsed.ok:
        return None
    steps = [s for s in path.strip("/").split("/") if s]
    if not steps:
        return None
    node = parsed.root
    m = _STEP_RE.match(steps[0])
    if not m or m.group(1) != local_name(node.tag):
        return None
    for step in steps[1:]:
        m = _STEP_RE.match(step)
        if not m:
            return None
        name, index = m.group(1), int(m.group(2) or 1)
        same = [c for c in node if local_name(c.tag) == name]
        if index > len(same):
            return None
        node = same[index - 1]
    line = node.sourceline or 1
    # offset of the start of that line, then the first "<name" at or after it
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            break
        offset = nl + 1
    tag = local_name(node.tag)
    # the same line may hold several same-named tags: count them up to this one
    before_on_line = 0
    for el in node.getroottree().iter():
        if el is node:
            break
        if el.sourceline == line and isinstance(el.tag, str) and local_name(el.tag) == tag:
            before_on_line += 1
    pattern = re.compile(r"<(?:[\w.\-]+:)?" + re.escape(tag) + r"(?=[\s/>])")
    pos = offset
    for _ in range(before_on_line + 1):
        found = pattern.search(text, pos)
        if not found:
            return None
        start = found.start()
        pos = found.end()
    end = text.find(">", start)
    return start, (end + 1 if end >= 0 else pos)
