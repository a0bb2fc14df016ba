"""The generated documentation page (``docs/systems/<system>.md``) read in the app.

The page is Markdown with one picture per symbol (``<system>/<ID>.svg`` next to it, see
``engine/pipeline/docs.py``).  The viewer is read-only: pictures are drawn by
QSvgRenderer on paper-white whatever the theme (a dark drawing stays visible in dark
mode), only files under the page's own folder are ever loaded, raw HTML in the page is
shown as text, and nothing is fetched from the network: web links open in the user's
browser, links to other pages of the same folder open here, anything else is ignored.

Qt's Markdown import gives headings no anchors, so the ``#el_wallswitch_001`` links the
page makes are resolved here by GitHub's heading-slug rule.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRectF, QUrl, Qt
from PySide6.QtGui import (QColor, QDesktopServices, QFont, QImage, QKeySequence, QPainter, QPen, QShortcut,
                           QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat)
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTextBrowser, QVBoxLayout

from ...engine.bounded_read import read_bounded
from ...engine.workspace import DOCS_DIR
from ..symbols.thumbnails import render_on_paper

PICTURE_SIZE = 120          # logical pixels of a symbol's picture in the page
MAX_PICTURE_BYTES = 2_000_000
MAX_PAGE_BYTES = 4_000_000       # a generated page of a big system is ~1 KB a symbol
_SYSTEM = r"[a-z][a-z0-9_]*"   # the engine's SYSTEM_RE (engine/pipeline/request.py)
_PAGE_RE = re.compile(rf"{re.escape(DOCS_DIR)}/({_SYSTEM})\.md")
_PICTURE_RE = re.compile(rf"{re.escape(DOCS_DIR)}/({_SYSTEM})/([^/]+)\.svg")
_WEB_SCHEMES = ("http", "https", "mailto")


def heading_slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def is_system_name(name: str) -> bool:
    return re.fullmatch(_SYSTEM, name) is not None


def docs_target(path: str) -> tuple[str, str] | None:
    """(system, anchor) for a workspace-relative documentation file: the page itself
    (anchor "") or one of its pictures (the anchor of its symbol's heading)."""
    m = _PAGE_RE.fullmatch(path)
    if m:
        return m.group(1), ""
    m = _PICTURE_RE.fullmatch(path)
    if m:
        return m.group(1), heading_slug(m.group(2))
    return None


def render_picture(path: Path, size: int = PICTURE_SIZE, dpr: float = 1.0) -> tuple[QImage, bool]:
    """A symbol's drawing on paper, aspect kept, framed; a crossed box when it cannot be
    read or does not render.  Returns (image, rendered)."""
    try:
        data = read_bounded(path, MAX_PICTURE_BYTES)   # a regular file only: a pipe would hang the GUI
    except OSError:
        data = b""
    image, ok = render_on_paper(data, size, pad=8, dpr=dpr)
    painter = QPainter(image)
    painter.setPen(QPen(QColor("#c3c7cc"), 1))     # the paper's edge, visible on white too
    painter.drawRect(QRectF(0.5, 0.5, size - 1, size - 1))
    painter.end()
    return image, ok


class DocsBrowser(QTextBrowser):
    """The page, rendered.  ``pictures`` maps each image the page asked for to the image
    drawn for it; ``broken`` lists those that could not be drawn."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("docsBrowser")
        self.setOpenLinks(False)           # every link goes through _link_clicked
        self.setOpenExternalLinks(False)
        self.page: Path | None = None
        self.pictures: dict[str, QImage] = {}
        self.broken: list[str] = []
        self.anchors: dict[str, int] = {}  # heading slug -> block number

    def set_page(self, path: Path, text: str) -> None:
        self.page = path
        self.pictures, self.broken = {}, []
        doc = self.document()
        doc.clear()                        # also drops the resources of the last page
        doc.setUndoRedoEnabled(False)
        doc.setBaseUrl(QUrl.fromLocalFile(str(path)))
        doc.setMarkdown(text, QTextDocument.MarkdownFeatures(
            QTextDocument.MarkdownDialectGitHub | QTextDocument.MarkdownNoHTML))
        self.moveCursor(QTextCursor.Start)   # the import left it at the end: showing it would scroll there
        self.anchors = {}
        cursor = QTextCursor(doc)
        block = doc.begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                slug = base = heading_slug(block.text())
                n = 1
                while slug in self.anchors:          # GitHub numbers repeated headings
                    slug, n = f"{base}-{n}", n + 1
                self.anchors[slug] = block.blockNumber()
                self._style_heading(cursor, block, level)
            block = block.next()

    @staticmethod
    def _style_heading(cursor: QTextCursor, block, level: int) -> None:
        """Air above headings, and a heading that is all `code` keeps the heading's size
        and weight (Qt gives the code span its own plain format)."""
        fmt = QTextBlockFormat()
        fmt.setTopMargin({1: 4, 2: 18}.get(level, 12))
        fmt.setBottomMargin(4)
        cursor.setPosition(block.position())
        cursor.mergeBlockFormat(fmt)
        cursor.setPosition(block.position() + block.length() - 1, QTextCursor.KeepAnchor)
        chars = QTextCharFormat()
        chars.setFontWeight(QFont.Bold)
        chars.setProperty(QTextFormat.FontSizeAdjustment, max(0, 4 - level))
        cursor.mergeCharFormat(chars)

    def clear_page(self) -> None:
        self.page = None
        self.pictures, self.broken, self.anchors = {}, [], {}
        self.document().clear()

    def go_to_anchor(self, name: str) -> bool:
        number = self.anchors.get(name.lower())
        if number is None:
            return False
        block = self.document().findBlockByNumber(number)
        cursor = self.textCursor()
        cursor.setPosition(block.position())
        self.setTextCursor(cursor)
        top = self.document().documentLayout().blockBoundingRect(block).top()
        self.verticalScrollBar().setValue(int(top))
        return True

    def local_file(self, url: QUrl) -> Path | None:
        """The file a relative (or file:) link of the page names, if it lies under the
        page's own folder; None for anything else (other schemes, ``..`` escapes)."""
        if self.page is None or (url.scheme() and url.scheme() != "file"):
            return None
        folder = self.page.parent.resolve()
        if url.scheme() == "file":
            target = Path(url.toLocalFile())
        else:
            target = folder / url.path()
        try:
            target = target.resolve()
        except OSError:
            return None
        return target if target.is_relative_to(folder) else None

    def picture_name(self, url: QUrl) -> str:
        """A picture as the page names it: relative to the page's folder (the document
        hands resources over resolved against the page)."""
        if url.isLocalFile() and self.page is not None:
            return Path(os.path.relpath(url.toLocalFile(), self.page.parent)).as_posix()
        return url.toString()

    def loadResource(self, kind: int, url: QUrl):
        if kind != QTextDocument.ImageResource:
            return None                        # no style sheets, no pages: nothing but our pictures
        name = self.picture_name(url)
        path = self.local_file(url)
        if path is None:
            self.broken.append(name)
            image, _ = render_picture(Path(), dpr=self.devicePixelRatioF())
        else:
            image, ok = render_picture(path, dpr=self.devicePixelRatioF())
            if not ok:
                self.broken.append(name)
        self.pictures[name] = image
        return image


class DocsViewer(QDialog):
    """A window on one documentation page: a note on where the page comes from, find in
    page (Ctrl+F, F3), reload, open in the system's viewer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("docsViewer")
        self.setWindowFlags(Qt.Window | Qt.WindowMinMaxButtonsHint | Qt.WindowCloseButtonHint)
        self.setModal(False)
        self.resize(900, 760)
        self.system = ""
        self.path: Path | None = None
        self.on_reload = None   # set by the opener: reopen the page with a fresh note
        self._anchor = ""       # where to go once shown
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        lay.setSpacing(6)
        self.path_label = QLabel()
        self.path_label.setObjectName("docsPath")
        f = self.path_label.font()
        f.setBold(True)
        self.path_label.setFont(f)
        self.path_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.path_label)
        self.note = QLabel()
        self.note.setObjectName("docsNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.note)

        bar = QHBoxLayout()
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("docsFind")
        self.find_edit.setPlaceholderText("Find in page (Ctrl+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setMinimumWidth(220)
        self.find_edit.setMaximumWidth(320)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_edit.textEdited.connect(lambda _t: self.find_next(from_start=True))
        bar.addWidget(self.find_edit)
        self.prev_button = QPushButton("Previous")
        self.prev_button.setToolTip("Previous match (Shift+F3)")
        self.prev_button.clicked.connect(self.find_previous)
        self.next_button = QPushButton("Next")
        self.next_button.setToolTip("Next match (F3, Enter)")
        self.next_button.clicked.connect(lambda: self.find_next())
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        self.find_status = QLabel()
        self.find_status.setObjectName("docsFindStatus")
        bar.addWidget(self.find_status)
        bar.addStretch(1)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Read the page again from disk (F5)")
        self.reload_button.clicked.connect(self.reload)
        self.external_button = QPushButton("Open externally")
        self.external_button.setToolTip("Open the Markdown file in the program your system uses for it")
        self.external_button.clicked.connect(self.open_externally)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        for b in (self.reload_button, self.external_button, self.close_button):
            b.setAutoDefault(False)
            bar.addWidget(b)
        for b in (self.prev_button, self.next_button):
            b.setAutoDefault(False)
        lay.addLayout(bar)

        self.browser = DocsBrowser()
        self.browser.anchorClicked.connect(self._link_clicked)
        self.browser.highlighted.connect(self._link_hovered)
        lay.addWidget(self.browser, 1)
        self.link_status = QLabel()
        self.link_status.setObjectName("docsLinkStatus")
        self.link_status.setWordWrap(True)
        lay.addWidget(self.link_status)

        for keys, slot in ((QKeySequence.Find, self.focus_find), (QKeySequence.FindNext, self.find_next),
                           (QKeySequence.FindPrevious, self.find_previous), (QKeySequence.Refresh, self.reload)):
            sc = QShortcut(QKeySequence(keys), self)
            sc.activated.connect(slot)

    # ---- the page --------------------------------------------------------------------
    def show_page(self, path: Path, *, system: str, title: str, note: str, anchor: str = "",
                  keep_position: bool = False) -> None:
        """Load ``path`` (raises OSError / UnicodeDecodeError when it cannot be read, is
        not a regular file, is larger than MAX_PAGE_BYTES, or is a link out of its folder)."""
        real = path.resolve()
        if not real.is_relative_to(path.parent.resolve()):
            # the viewer reads the docs folder and nothing else, links included
            raise OSError(f"{path.name} is a link to {real}, outside its folder; not shown")
        text = read_bounded(real, MAX_PAGE_BYTES).decode("utf-8")
        position = self.browser.verticalScrollBar().value() if keep_position and path == self.path else None
        self.system, self.path = system, path
        self.setWindowTitle(f"Documentation — {system}")
        self.path_label.setText(title)
        self.note.setText(note)
        self.link_status.clear()
        self.browser.set_page(path, text)
        self.external_button.setEnabled(True)
        self.reload_button.setEnabled(True)
        self._anchor = ""
        if position is not None:
            self.browser.verticalScrollBar().setValue(position)
        elif anchor and not self.isVisible():
            self._anchor = anchor          # placed once shown: the page is laid out at its real width
        elif not (anchor and self.browser.go_to_anchor(anchor)):
            self.browser.verticalScrollBar().setValue(0)
        if self.find_edit.text():
            self.find_next(from_start=True, move=False)

    def show_missing(self, *, system: str, title: str, message: str) -> None:
        """The page on show no longer exists (a rollback took it away)."""
        self.system, self.path = system, None
        self.path_label.setText(title)
        self.note.setText(message)
        self.browser.clear_page()
        self.external_button.setEnabled(False)
        self.reload_button.setEnabled(False)

    def reload(self) -> None:
        if self.on_reload is not None:
            self.on_reload()
        elif self.path is not None:
            path, title = self.path, self.path_label.text()
            try:
                self.show_page(path, system=self.system, title=title, note=self.modified_text(path),
                               keep_position=True)
            except (OSError, UnicodeDecodeError) as exc:
                reason = "does not exist any more" if not os.path.lexists(path) else f"cannot be read: {exc}"
                self.show_missing(system=self.system, title=title, message=f"{title} {reason}.")

    def page_text(self) -> str:
        return self.browser.toPlainText()

    @staticmethod
    def modified_text(path: Path) -> str:
        try:
            stamp = datetime.fromtimestamp(path.stat().st_mtime)
        except OSError:
            return ""
        return f"File last written {stamp:%Y-%m-%d %H:%M:%S}."

    def open_externally(self) -> bool:
        if self.path is None:
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))

    # ---- links -----------------------------------------------------------------------
    def _link_clicked(self, url: QUrl) -> None:
        self.follow(url)

    def follow(self, url: QUrl) -> str:
        """Follow a link of the page; returns what was done ("anchor", "external",
        "page", "ignored") for the note under the page and for tests."""
        if url.scheme() in _WEB_SCHEMES:
            QDesktopServices.openUrl(url)
            self.link_status.setText(f"Opened {url.toString()} in your browser.")
            return "external"
        if not url.scheme() and not url.path() and url.hasFragment():
            if self.browser.go_to_anchor(url.fragment()):
                self.link_status.clear()
                return "anchor"
            self.link_status.setText(f"This page has no section “{url.fragment()}”.")
            return "ignored"
        target = self.browser.local_file(url)
        if target is not None and target.suffix == ".md" and not os.path.lexists(target):
            self.link_status.setText(f"{target.name} does not exist (yet): the documentation step writes a "
                                     "system's page when the pipeline runs for it.")
            return "ignored"
        if target is not None and target.suffix == ".md" and self.path is not None:
            try:
                self.show_page(target, system=target.stem, title=f"{DOCS_DIR}/{target.name}",
                               note=self.modified_text(target), anchor=url.fragment())
            except (OSError, UnicodeDecodeError) as exc:
                self.link_status.setText(f"Cannot read {target.name}: {exc}")
                return "ignored"
            self.on_reload = None
            return "page"
        self.link_status.setText(f"Not opened here: {url.toString()} (only sections of this page, other pages "
                                 "of this folder and web links are followed).")
        return "ignored"

    def _link_hovered(self, url: QUrl) -> None:
        self.link_status.setText(url.toString() if not url.isEmpty() else "")

    # ---- find ------------------------------------------------------------------------
    def focus_find(self) -> None:
        self.find_edit.setFocus(Qt.ShortcutFocusReason)
        self.find_edit.selectAll()

    def find_next(self, *, from_start: bool = False, move: bool = True) -> bool:
        return self._find(backward=False, from_start=from_start, move=move)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _find(self, *, backward: bool, from_start: bool = False, move: bool = True) -> bool:
        needle = self.find_edit.text()
        if not needle:
            self.find_status.clear()
            return False
        flags = QTextDocument.FindBackward if backward else QTextDocument.FindFlags()
        b = self.browser
        if from_start or not move:
            cursor = b.textCursor()
            cursor.movePosition(cursor.MoveOperation.Start)
            b.setTextCursor(cursor)
        found = b.find(needle, flags)
        if not found:                     # wrap around
            cursor = b.textCursor()
            cursor.movePosition(cursor.MoveOperation.End if backward else cursor.MoveOperation.Start)
            b.setTextCursor(cursor)
            found = b.find(needle, flags)
        self.find_status.setText("" if found else "not found")
        return found

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._anchor:
            self.browser.go_to_anchor(self._anchor)
            self._anchor = ""

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and self.find_edit.hasFocus() and self.find_edit.text():
            self.find_edit.clear()        # Esc in the find box: clear it first, close next time
            self.find_status.clear()
            self.browser.setFocus()
            return
        super().keyPressEvent(event)


def viewer_title(system: str) -> str:
    return f"{DOCS_DIR}/{system}.md"

