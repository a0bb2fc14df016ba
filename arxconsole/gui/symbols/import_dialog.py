"""The migration report of an import: per file its status (icon and word), format, new
id, what was converted and what needs a human; a double-click opens the imported symbol.
A cancelled import says so first: how far it got and that the rest was not imported."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QSplitter,
                               QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from ..icons import icon

STATUS_ICONS = {"imported": ("ok", "Imported"), "conflict": ("warning", "Conflict"),
                "failed": ("error", "Failed"), "would-import": ("pending", "Would import")}


class ImportReportDialog(QDialog):
    openRequested = Signal(str)       # workspace-relative path of an imported symbol

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle("Import — migration report")
        self.resize(900, 560)
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.state_icon = QLabel()        # beside the summary's words, never instead of them
        self.state_icon.setAlignment(Qt.AlignTop)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        head.addWidget(self.state_icon)
        head.addWidget(self.summary, 1)
        lay.addLayout(head)
        split = QSplitter(Qt.Vertical)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Status", "Source", "Format", "Symbol id", "Needs a human"])
        self.table.header().setSectionResizeMode(1, QHeaderView.Stretch)
        split.addWidget(self.table)
        self.details = QTextBrowser()
        split.addWidget(self.details)
        lay.addWidget(split, 1)
        self.report_files = QLabel()
        self.report_files.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.report_files.setWordWrap(True)
        lay.addWidget(self.report_files)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        lay.addWidget(buttons)
        self.table.currentItemChanged.connect(self._show_item)
        self.table.itemDoubleClicked.connect(self._open_item)
        self.report = None

    def set_report(self, report) -> None:
        self.report = report
        d = report.to_dict()
        stopped = ""
        if report.cancelled:
            stopped = (f"Cancelled after {len(report.items):,} of {report.total:,} files: the other "
                       f"{d['not_looked_at']:,} were not imported. ")
        self.setWindowTitle("Import cancelled — migration report" if report.cancelled
                            else "Import — migration report")
        state = "cancelled" if report.cancelled else "ok" if report.ok else "warning"
        self.state_icon.setPixmap(icon(state).pixmap(QSize(20, 20)))
        self.summary.setText(
            f"{stopped}Imported {d['imported']}, conflicts (not written) {d['conflicts']}, failed {d['failed']}; "
            f"{d['needs_human']} file{'s' if d['needs_human'] != 1 else ''} need a human. "
            "Double-click an imported symbol to open it.")
        self.table.blockSignals(True)     # the whole report shows until a row is picked
        self.table.clear()
        for item in report.items:
            icon_name, word = STATUS_ICONS.get(item.status, ("info", item.status))
            needs = len(item.notes.needs_human) if item.notes else 0
            row = QTreeWidgetItem([word, item.source, item.notes.source_format if item.notes else "",
                                   item.symbol_id, str(needs) if needs else ""])
            row.setIcon(0, icon(icon_name))
            if needs:
                row.setIcon(4, icon("warning"))
            row.setData(0, Qt.UserRole, item)
            self.table.addTopLevelItem(row)
        self.table.setCurrentItem(None)
        self.table.blockSignals(False)
        for c in (0, 2, 3, 4):
            self.table.resizeColumnToContents(c)
        self.details.setHtml(report_html(report))
        self.report_files.setText("Report written to: " + ", ".join(report.report_files)
                                  if report.report_files else "")

    def _show_item(self, current, _previous=None) -> None:
        if current is not None:
            self.details.setHtml(item_html(current.data(0, Qt.UserRole)))

    def _open_item(self, row, _col=0) -> None:
        item = row.data(0, Qt.UserRole)
        if item is not None and item.status == "imported" and item.target:
            self.openRequested.emit(item.target)

    def rows(self) -> list[tuple[str, str, str]]:
        """(status word, source, symbol id) per row: what the user reads."""
        return [(self.table.topLevelItem(i).text(0), self.table.topLevelItem(i).text(1),
                 self.table.topLevelItem(i).text(3)) for i in range(self.table.topLevelItemCount())]


def item_html(item) -> str:
    """One file's conversion; text is escaped (notes quote SVG like <svg viewBox=…>)."""
    e = html.escape
    icon_word = STATUS_ICONS.get(item.status, ("", item.status))[1]
    out = [f"<h3>{e(item.source)}</h3><p><b>{e(icon_word)}</b>" + (f" — {e(item.reason)}" if item.reason else "")
           + "</p>"]
    if item.target:
        out.append(f"<p>Written to <code>{e(item.target)}</code></p>")
    if item.notes:
        out.append(f"<p>Source format: {e(item.notes.source_format)}</p>")
        if item.notes.converted:
            out.append("<p>Converted:</p><ul>" + "".join(f"<li>{e(c)}</li>" for c in item.notes.converted) + "</ul>")
        if item.notes.needs_human:
            out.append("<p><b>Needs a human:</b></p><ul>"
                       + "".join(f"<li>{e(c)}</li>" for c in item.notes.needs_human) + "</ul>")
    errors = [f for f in item.findings if f.blocking]
    if errors:
        out.append("<p>Errors after conversion (fix them in the editor):</p><ul>"
                   + "".join(f"<li><code>{e(f.rule)}</code> {e(f.location)}: {e(f.message)}</li>" for f in errors)
                   + "</ul>")
    return "".join(out)


def report_html(report) -> str:
    d = report.to_dict()
    head = (f"<h2>Symbol import — migration report</h2><p>imported: {d['imported']}, conflicts (not written): "
            f"{d['conflicts']}, failed: {d['failed']}, files needing a human: {d['needs_human']}</p>")
    if report.cancelled:
        head += (f"<p><b>Cancelled by the user</b> after {len(report.items):,} of {report.total:,} files; "
                 f"the other {d['not_looked_at']:,} were not imported.</p>")
    return head + "<hr/>".join(item_html(i) for i in report.items)
