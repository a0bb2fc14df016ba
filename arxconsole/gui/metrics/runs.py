"""Run charts: step-duration bars of one run, and the success-rate trend per system."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor

from ...engine.monitor.analytics import DayRate, fmt_seconds
from ...engine.monitor.history import RunRecord
from ..icons import state_word
from .style import PALETTE, STATE_COLORS, ChartColors, colors, style_plot
from .tabledata import Column, TableData, fixed, plain, precise


class _ThemedPlot(pg.PlotWidget):
    def __init__(self, parent=None, **kwargs):
        super().__init__(parent, **kwargs)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()

    def apply_colors(self, c: ChartColors) -> None:
        self.colors = c
        self.setBackground(c.background)
        style_plot(self.getPlotItem(), c)

    def changeEvent(self, ev) -> None:
        # pyqtgraph's constructor changes the palette before our attributes exist.
        if (ev.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and hasattr(self, "colors")
                and not self.closed):
            self.apply_colors(colors())
        super().changeEvent(ev)


class StepBarsChart(_ThemedPlot):
    """One bar per step of a run, steps in pipeline order on the x axis; the bar's
    colour follows its state and the axis label says the state in words."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run: RunRecord | None = None
        self.bars: pg.BarGraphItem | None = None
        self.value_labels: list[pg.TextItem] = []
        item = self.getPlotItem()
        item.setLabel("left", "duration", units="s")
        item.setMouseEnabled(x=False, y=False)
        item.getAxis("bottom").setHeight(42)  # two-line labels: step id, then its state
        self.apply_colors(colors())

    def set_run(self, run: RunRecord | None) -> None:
        self.run = run
        item = self.getPlotItem()
        if self.bars is not None:
            item.removeItem(self.bars)
            self.bars = None
        for lbl in self.value_labels:
            item.removeItem(lbl)
        self.value_labels.clear()
        steps = list(run.steps) if run else []
        item.setTitle(f"Run #{run.run_id} ({run.system}): {state_word(run.state)}" if run else "No run selected",
                      color=self.colors.foreground)
        if not steps:
            item.getAxis("bottom").setTicks([[]])
            return
        x = np.arange(len(steps), dtype=float)
        h = np.array([s.duration_s or 0.0 for s in steps])
        brushes = [pg.mkBrush(STATE_COLORS.get(s.state, "#7f7f7f")) for s in steps]
        self.bars = pg.BarGraphItem(x=x, height=h, width=0.6, brushes=brushes, pen=pg.mkPen(None))
        item.addItem(self.bars)
        item.getAxis("bottom").setTicks([[(i, f"{s.step_id}\n{state_word(s.state)}") for i, s in enumerate(steps)]])
        for i, s in enumerate(steps):
            text = "—" if s.duration_s is None else fmt_seconds(s.duration_s)
            lbl = pg.TextItem(text, color=self.colors.foreground, anchor=(0.5, 1))
            lbl.setPos(i, h[i])
            item.addItem(lbl)
            self.value_labels.append(lbl)
        item.setXRange(-0.6, len(steps) - 0.4, padding=0)
        item.setYRange(0, max(float(h.max()), 1e-3) * 1.2, padding=0)

    def apply_colors(self, c: ChartColors) -> None:
        super().apply_colors(c)
        for lbl in getattr(self, "value_labels", []):
            lbl.setColor(QColor(c.foreground))

    def table_data(self) -> TableData:
        steps = list(self.run.steps) if self.run else []
        return TableData([
            Column("step", [s.step_id for s in steps]),
            Column("state", [state_word(s.state) for s in steps]),
            Column("duration_s", [s.duration_s for s in steps], fixed(3), precise),
            Column("errors", [s.findings.get("error", 0) for s in steps]),
            Column("warnings", [s.findings.get("warning", 0) for s in steps]),
            Column("failed checks", [", ".join(s.failed_checks) for s in steps]),
        ])


def _day_epoch(d: dt.date) -> float:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp()


class SuccessTrendChart(_ThemedPlot):
    """Success % per UTC day, one line per system (named in the legend)."""

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.points: list[DayRate] = []
        item = self.getPlotItem()
        item.setLabel("left", "success", units="%")
        item.setYRange(-4, 105, padding=0)  # a 0 % day stays visible above the axis
        item.getViewBox().disableAutoRange(axis=pg.ViewBox.YAxis)
        item.setMouseEnabled(x=False, y=False)
        item.addLegend(offset=(8, 4))
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.apply_colors(colors())

    def set_points(self, points: Sequence[DayRate]) -> None:
        self.points = list(points)
        item = self.getPlotItem()
        for curve in self.curves.values():
            item.removeItem(curve)
        self.curves.clear()
        by: dict[str, list[DayRate]] = {}
        for p in self.points:
            by.setdefault(p.system, []).append(p)
        for i, (system, pts) in enumerate(sorted(by.items())):
            color = PALETTE[i % len(PALETTE)]
            x = [_day_epoch(p.day) + 43200 for p in pts]  # noon: the point sits inside its day
            curve = item.plot(x, [p.rate for p in pts], name=system, pen=pg.mkPen(color, width=2),
                              symbol="o", symbolSize=7, symbolBrush=color, symbolPen=None)
            self.curves[system] = curve
        if self.points:
            xs = [_day_epoch(p.day) for p in self.points]
            item.setXRange(min(xs) - 43200, max(xs) + 86400 + 43200, padding=0)

    def table_data(self) -> TableData:
        pts = self.points
        return TableData([
            Column("system", [p.system for p in pts]),
            Column("day", [p.day.isoformat() for p in pts], plain),
            Column("runs", [p.runs for p in pts]),
            Column("succeeded", [p.succeeded for p in pts]),
            Column("success_%", [p.rate for p in pts], fixed(1), precise),
        ])
