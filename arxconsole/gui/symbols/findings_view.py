"""The findings list of the symbol being edited: severity (icon and word), rule,
message, hint and location; activating a row asks the editor to show that place."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QMenu, QTreeWidget, QTreeWidgetItem

from ...engine.findings import Finding
from ..icons import icon, state_word
from .text import tip

COLUMNS = ["Severity", "Rule", "Message — and how to fix it", "Location"]


def severity_state(f: Finding) -> tuple[str, str]:
    """(icon name, word) for a finding; a waived error is not an error any more."""
    if f.waived:
        return "skipped", "Waived"
    return f.severity.value, state_word(f.severity.value)


def sort_key(f: Finding):
    return (f.waived, f.severity.rank, f.rule, f.location)


class FindingsView(QTreeWidget):
    findingActivated = Signal(object)     # Finding
    waiveRequested = Signal(object)       # Finding (context menu)
    unwaiveRequested = Signal(object)     # Finding (context menu)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("symbolFindings")
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(COLUMNS)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.header()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        self.setColumnWidth(0, 96)
        self.setColumnWidth(1, 230)
        self.setColumnWidth(3, 150)
        self.findings: list[Finding] = []
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self.setContextMenuPolicy(Qt.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    def set_findings(self, findings: list[Finding]) -> None:
        """Replace the list, keeping the selected finding selected when it is still there."""
        new = sorted(findings, key=sort_key)
        if new == self.findings and self.topLevelItemCount() == len(new):
            return    # unchanged (most keystrokes): keep rows, selection and scroll as they are
        current = self.current_finding()
        keep = (current.rule, current.location) if current else None
        self.findings = new
        self.blockSignals(True)
        try:
            self.clear()
            restore = None
            for f in self.findings:
                icon_name, word = severity_state(f)
                text = f"{f.message}\nFix: {f.hint}" if f.hint else f"{f.message}\n"
                if f.waived:
                    text = f"{f.message}\nWaived: {f.waiver_reason}"
                item = QTreeWidgetItem([word, f.rule, text, f.location])
                item.setIcon(0, icon(icon_name))
                text_tip = f"{word}: {f.message}\nHow to fix: {f.hint}" if f.hint else f"{word}: {f.message}"
                if f.waived:
                    text_tip += f"\nWaived: {f.waiver_reason}"
                tip_html = tip(text_tip)
                for c in range(len(COLUMNS)):
                    item.setToolTip(c, tip_html)
                item.setData(0, Qt.UserRole, f)
                self.addTopLevelItem(item)
                if keep and (f.rule, f.location) == keep and restore is None:
                    restore = item
            if restore is not None:
                self.setCurrentItem(restore)
        finally:
            self.blockSignals(False)

    def context_actions(self, f: Finding) -> list[tuple[str, object]]:
        """(label, callback) offered for ``f``: what the context menu shows."""
        from ...engine.symbols import RULES

        actions: list[tuple[str, object]] = [("Show in editor", lambda: self.findingActivated.emit(f))]
        rule = RULES.get(f.rule)
        if f.waived:
            actions.append((f"Remove the waiver of {f.rule}", lambda: self.unwaiveRequested.emit(f)))
        elif rule is not None and rule.waivable:
            actions.append((f"Waive {f.rule} for this symbol…", lambda: self.waiveRequested.emit(f)))
        actions.append(("Copy", lambda: QApplication.clipboard().setText(str(f))))
        return actions

    def _menu(self, pos) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        self.setCurrentItem(item)
        menu = QMenu(self)
        for label, callback in self.context_actions(item.data(0, Qt.UserRole)):
            menu.addAction(label, callback)
        menu.exec(self.viewport().mapToGlobal(pos))

    def current_finding(self) -> Finding | None:
        item = self.currentItem()
        return item.data(0, Qt.UserRole) if item is not None else None

    def _activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        f = item.data(0, Qt.UserRole)
        if f is not None:
            self.findingActivated.emit(f)

    def step(self, delta: int) -> Finding | None:
        """Select the next (+1) / previous (-1) finding, wrapping; returns it."""
        n = self.topLevelItemCount()
        if not n:
            return None
        item = self.currentItem()
        row = self.indexOfTopLevelItem(item) if item is not None else (-1 if delta > 0 else 0)
        row = (row + delta) % n
        item = self.topLevelItem(row)
        self.setCurrentItem(item)
        self.scrollToItem(item)
        f = item.data(0, Qt.UserRole)
        self.findingActivated.emit(f)
        return f
