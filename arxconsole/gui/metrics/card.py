"""A chart with its title, a Chart/Table toggle and CSV/PNG export.

The card asks its ``source`` for the chart's numbers (``TableData``) whenever the
table is shown or exported, so the table and the CSV always hold what is plotted."""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from ...engine import durable
from ..png import widget_png
from .tabledata import TableData, TableDataModel

log = logging.getLogger(__name__)


def export_with_dialog(parent: QWidget, what: str, suffix: str, slug: str, write: Callable[[str], None]) -> str | None:
    """Ask where to save, write through ``write(path)``, and say so plainly when it
    cannot be written.  Returns the path written, or None."""
    path, _ = QFileDialog.getSaveFileName(parent, f"Export {what}", f"{slug}.{suffix}", f"{what} (*.{suffix})")
    if not path:
        return None
    if not path.lower().endswith(f".{suffix}"):
        path += f".{suffix}"
    try:
        write(path)
    except OSError as exc:
        QMessageBox.warning(parent, f"Cannot export {what}", str(durable.output_error(path, exc)))
        return None
    return path


def write_csv(path: str, data: TableData) -> None:
    durable.write_text(path, data.to_csv())


class ChartCard(QWidget):
    def __init__(self, title: str, chart: QWidget, source: Callable[[], TableData], slug: str, parent=None):
        super().__init__(parent)
        self.chart = chart
        self.source = source
        self.slug = slug
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.title_label = QLabel(f"<b>{title}</b>")
        bar.addWidget(self.title_label)
        bar.addStretch(1)
        self.table_button = QPushButton("Show table")
        self.table_button.setCheckable(True)
        self.table_button.setToolTip("Show the numbers behind this chart")
        self.table_button.toggled.connect(self.show_table)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button = QPushButton("Export PNG…")
        self.png_button.clicked.connect(self._ask_png)
        for b in (self.table_button, self.csv_button, self.png_button):
            bar.addWidget(b)
        lay.addLayout(bar)
        self.stack = QStackedWidget()
        self.model = TableDataModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.stack.addWidget(chart)
        self.stack.addWidget(self.table)
        lay.addWidget(self.stack, 1)

    @property
    def table_shown(self) -> bool:
        return self.stack.currentWidget() is self.table

    def show_table(self, on: bool) -> None:
        if on:
            self.refresh_table()
        self.stack.setCurrentWidget(self.table if on else self.chart)
        self.table_button.setText("Show chart" if on else "Show table")

    def refresh_table(self) -> None:
        """Re-read the chart's numbers (the chart calls this when its data changed)."""
        if self.table_shown or self.table_button.isChecked():
            self.model.set_data(self.source())

    # ---- export --------------------------------------------------------------------
    def export_csv(self, path) -> None:
        write_csv(path, self.source())

    def export_png(self, path) -> None:
        durable.write_bytes(path, widget_png(self.chart))

    def _ask_csv(self) -> None:
        export_with_dialog(self, "CSV", "csv", self.slug, self.export_csv)

    def _ask_png(self) -> None:
        export_with_dialog(self, "PNG", "png", self.slug, self.export_png)
