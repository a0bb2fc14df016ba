"""The alert log table and the analytics insights, as people read them."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...engine.monitor.alerts import AlertRecord
from ...engine.monitor.analytics import Insights, fmt_seconds
from ...engine.monitor.settings import LABELS, UNITS
from ..icons import icon
from .tabledata import Column, TableData, plain

LEVEL_ICONS = {"warning": "warning", "critical": "error"}


def when(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def peak_text(metric: str, peak: float) -> str:
    unit = UNITS.get(metric, "")
    return f"{peak:.0f} {unit}".rstrip() if unit == "%" else f"{peak:.1f} {unit}".rstrip()


class AlertsView(QTableWidget):
    HEADERS = ("Metric", "Level", "Started", "Ended", "Peak", "Message")

    def __init__(self, parent=None):
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeToContents)
        h.setStretchLastSection(True)
        self.records: list[AlertRecord] = []

    def set_alerts(self, records: Sequence[AlertRecord], thresholds: dict | None = None,
                   rated_runs: int | None = None) -> None:
        """``thresholds`` (metric -> Threshold) lets an active alert say where it resolves;
        ``rated_runs``: over how many finished runs the failure rate is now."""
        self.records = list(records)
        self.setRowCount(len(self.records))
        for row, a in enumerate(self.records):
            label = LABELS.get(a.metric, a.metric)
            level = QTableWidgetItem(icon(LEVEL_ICONS.get(a.level, "info")), a.level.capitalize())
            ended = QTableWidgetItem(when(a.ended_at) if a.ended_at else "active")
            if a.ended_at is None:
                ended.setIcon(icon("running"))
            items = [QTableWidgetItem(label[:1].upper() + label[1:]), level, QTableWidgetItem(when(a.started_at)),
                     ended, QTableWidgetItem(peak_text(a.metric, a.peak))]
            # Active: the alert as it stands now (the stored message quotes the value at the
            # time it was raised); ended: the message of its episode.
            text = (a.describe((thresholds or {}).get(a.metric), rated_runs=rated_runs) if a.ended_at is None
                    else a.message)
            items.append(QTableWidgetItem(text))
            items[-1].setToolTip(text)
            for col, item in enumerate(items):
                self.setItem(row, col, item)

    def row_texts(self) -> list[list[str]]:
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]

    def table_data(self) -> TableData:
        rows = self.row_texts()
        return TableData([Column(h, [r[i] for r in rows], plain) for i, h in enumerate(self.HEADERS)])


def _section(title: str, lines: Sequence[str]) -> str:
    body = "".join(f"<li>{line}</li>" for line in lines) if lines else "<li>None.</li>"
    return f"<h3>{escape(title)}</h3><ul>{body}</ul>"


class InsightsView(QScrollArea):
    """Recommendations as cards (severity icon + word + the sentence with its number),
    then the slowest steps and failure hot spots they are derived from."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        body = QWidget()
        self.lay = QVBoxLayout(body)
        self.lay.setAlignment(Qt.AlignTop)
        self.heading = QLabel("<h3>Recommendations</h3>")
        self.lay.addWidget(self.heading)
        self.cards: list[QFrame] = []
        self.cards_box = QVBoxLayout()
        self.lay.addLayout(self.cards_box)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.lay.addWidget(self.details)
        self.setWidget(body)
        self.insights: Insights | None = None

    def set_insights(self, ins: Insights | None, days: int = 30) -> None:
        self.insights = ins
        for card in self.cards:
            card.deleteLater()
        self.cards.clear()
        if ins is None:
            self.details.setText("Open a database to see analytics.")
            return
        self.heading.setText(f"<h3>Recommendations</h3><p>{ins.runs} runs in the last {days} days.</p>")
        for rec in ins.recommendations:
            card = QFrame()
            card.setFrameShape(QFrame.StyledPanel)
            row = QVBoxLayout(card)
            title = QLabel()
            ic = icon("warning" if rec.severity == "warning" else "info")
            title.setText(f"<b>{escape(rec.severity.capitalize())}</b>")
            pix = QLabel()
            pix.setPixmap(ic.pixmap(16, 16))
            text = QLabel(escape(rec.text))
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextSelectableByMouse)
            text.setObjectName("recommendation")
            head = QWidget()
            hl = QHBoxLayout(head)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.addWidget(pix)
            hl.addWidget(title)
            hl.addStretch(1)
            row.addWidget(head)
            row.addWidget(text)
            self.cards_box.addWidget(card)
            self.cards.append(card)
        steps = [f"<b>{escape(s.step_id)}</b>: median {fmt_seconds(s.median_s)}, p95 {fmt_seconds(s.p95_s)}, "
                 f"max {fmt_seconds(s.max_s)} over {s.runs} runs, {100 * s.share:.0f} % of run time"
                 + (f", {s.failures} failed" if s.failures else "") for s in ins.slowest_steps[:6]]
        hot = [f"<b>{escape(h.check_id)}</b>: failed in {h.runs} runs ({100 * h.share:.0f} % of runs), "
               f"step {escape(', '.join(h.steps))}, systems {escape(', '.join(h.systems))}"
               for h in ins.hot_spots[:8]]
        rates = [f"<b>{escape(r.system)}</b>: " + (f"{r.rate:.0f} % succeeded" if r.rate is not None else "no finished run")
                 + f" ({r.succeeded} of {r.succeeded + r.failed}; {r.cancelled} cancelled)" for r in ins.systems]
        self.details.setText(_section("Slowest steps", steps) + _section("Failure hot spots", hot)
                             + _section("Success rate per system", rates))

    def text(self) -> str:
        """Everything the page says, as plain text (what a reader sees)."""
        parts = []
        for card in self.cards:
            for lbl in card.findChildren(QLabel):
                if lbl.text():
                    doc = QTextDocument()
                    doc.setHtml(lbl.text())
                    parts.append(doc.toPlainText())
        doc = QTextDocument()
        doc.setHtml(self.details.text())
        parts.append(doc.toPlainText())
        return "\n".join(parts)
