"""The Workspace page: first-run choices when nothing is open, else an overview of the
open workspace (systems with their schema, symbol and profile counts)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from .icons import icon


class HomePage(QWidget):
    openRequested = Signal()
    createRequested = Signal()
    demoRequested = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        self.heading = QLabel()
        self.heading.setObjectName("homeHeading")
        f = self.heading.font()
        f.setPointSizeF(f.pointSizeF() * 1.5)
        f.setBold(True)
        self.heading.setFont(f)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.heading)
        lay.addWidget(self.subtitle)

        buttons = QHBoxLayout()
        self.open_button = QPushButton(icon("workspace"), "Open workspace…")
        self.create_button = QPushButton("Create workspace…")
        self.demo_button = QPushButton("Open the demo")
        self.open_button.clicked.connect(self.openRequested)
        self.create_button.clicked.connect(self.createRequested)
        self.demo_button.clicked.connect(self.demoRequested)
        for b in (self.open_button, self.create_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)

        self._table: QTableWidget | None = None
        self.filler = QWidget()  # keeps the welcome text at the top when there is no table
        lay.addWidget(self.filler, 1)
        ctx.workspaceChanged.connect(self.refresh)
        ctx.workspaceFilesChanged.connect(lambda _paths: self.refresh())
        self.refresh(ctx.workspace)

    @property
    def table(self) -> QTableWidget:
        """The systems overview, made when first needed: the first window comes up before
        any workspace is open (the database and workspace open right after it is shown),
        and the first item view made costs ~5 ms of that start-up."""
        if self._table is None:
            table = QTableWidget(0, 4)
            table.setHorizontalHeaderLabels(["System", "Schema", "Symbols", "Behavior profiles"])
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeToContents)
            header.setSectionResizeMode(0, QHeaderView.Stretch)
            table.verticalHeader().hide()
            table.setEditTriggers(QTableWidget.NoEditTriggers)
            table.setSelectionBehavior(QTableWidget.SelectRows)
            table.setVisible(False)
            layout = self.layout()
            layout.insertWidget(layout.indexOf(self.filler), table, 1)
            self._table = table
        return self._table

    def refresh(self, workspace=None) -> None:
        ws = self.ctx.workspace
        if ws is not None or self._table is not None:
            self.table.setVisible(ws is not None)
        self.filler.setVisible(ws is None)
        if ws is None:
            self.heading.setText("Welcome to ArxConsole")
            self.subtitle.setText(
                "Open an Arxos workspace (a folder with schemas/, arx-symbol-library/ and "
                "behavior/), create an empty one, or explore the demo workspace.")
            if self._table is not None:
                self._table.setRowCount(0)
            return
        self.heading.setText(ws.name)
        systems = ws.systems()
        n_symbols = len(ws.symbol_files())
        self.subtitle.setText(f"{ws.root}\n{len(systems)} systems, {n_symbols} symbols")
        self.table.setRowCount(len(systems))
        for row, system in enumerate(systems):
            has_schema = ws.schema_path(system).is_file()
            cells = [
                QTableWidgetItem(system),
                QTableWidgetItem(icon("ok" if has_schema else "warning"), "present" if has_schema else "missing"),
                QTableWidgetItem(str(len(ws.symbol_files(system)))),
                QTableWidgetItem(str(len(ws.profile_files(system)))),
            ]
            for col, item in enumerate(cells):
                if col >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, col, item)
