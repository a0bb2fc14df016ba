"""Live resource charts: CPU, memory, disk and the console's own CPU/RSS on a shared,
scrolling time axis, with threshold lines and run/step markers.

Samples go into a numpy ring buffer as they arrive; the plots are redrawn by a timer,
never per sample, at most once per pixel of time (a 24 h window moves one pixel every
~90 s, so redrawing it every second would draw the same picture)."""

from __future__ import annotations

import math
import time
from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QToolTip

from ...engine.monitor.settings import CPU, DISK, LABELS, MEMORY, PROCESS_CPU, PROCESS_RSS, UNITS
from .markers import MarkerLayer
from .ring import SampleRing
from .style import CRITICAL_COLOR, WARNING_COLOR, ChartColors, colors, style_plot
from .tabledata import Column, TableData, fixed, local_time, precise, utc_iso

ORDER = (CPU, PROCESS_CPU, MEMORY, DISK, PROCESS_RSS)
WINDOWS = (("1 min", 60), ("10 min", 600), ("1 h", 3600), ("24 h", 86400))
# (title, series, metric whose thresholds are drawn, fixed y range); threshold labels sit
# just under their line at the right end, clear of the legend at the top left.
PLOTS = (
    ("CPU (%)", (CPU, PROCESS_CPU), CPU, (0, 100)),
    ("Memory (%)", (MEMORY,), MEMORY, (0, 100)),
    ("Disk (%)", (DISK,), DISK, (0, 100)),
    ("Console memory (MB)", (PROCESS_RSS,), None, None),
)
MIN_REDRAW_MS, MAX_REDRAW_MS = 250, 10_000


def series_label(name: str) -> str:
    label = LABELS.get(name, name)
    return f"{label[:1].upper()}{label[1:]} ({UNITS.get(name, '')})"


def merge_series(series: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Align ``SeriesData`` of ORDER on one time column (NaN where a series has no
    point): the sampler records every series at the same instant, so this is usually
    a no-op join."""
    ts = [s.t for s in series if len(s)]
    if not ts:
        return np.empty(0), np.empty((len(series), 0))
    t = np.unique(np.concatenate(ts))
    mat = np.full((len(series), len(t)), np.nan)
    for i, s in enumerate(series):
        if len(s):
            mat[i, np.searchsorted(t, s.t)] = s.value
    return t, mat


def break_gaps(t: np.ndarray, values: np.ndarray, max_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN row after every gap longer than ``max_gap`` (console closed, machine
    asleep): the curves break there instead of drawing a line across the missing time."""
    if len(t) < 2:
        return t, values
    gaps = np.flatnonzero(np.diff(t) > max_gap)
    if not len(gaps):
        return t, values
    t_new = np.insert(t, gaps + 1, t[gaps] + max_gap / 2)
    v_new = np.insert(values, gaps + 1, np.nan, axis=1)
    return t_new, v_new


class ResourceCharts(pg.GraphicsLayoutWidget):
    hoverChanged = Signal(str)

    def __init__(self, parent=None, interval_s: float = 1.0):
        super().__init__(parent)
        self.interval_s = interval_s
        self.window_s = 600
        self._gap_s = 3 * interval_s
        self.ring = SampleRing(len(ORDER), self._capacity())
        self.plots: list[pg.PlotItem] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.threshold_lines: dict[str, list[pg.InfiniteLine]] = {}
        self._threshold_items: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._plot_metric: dict[int, str | None] = {}
        self.hover_text = ""
        self.redraws = 0
        self._dirty = False
        self._now_override: float | None = None
        for row, (title, names, metric, yrange) in enumerate(PLOTS):
            plot = self.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem()})
            plot.setTitle(title)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.addLegend(offset=(8, 4), colCount=len(names))
            vb = plot.getViewBox()
            vb.disableAutoRange(axis=pg.ViewBox.XAxis)
            if yrange:
                vb.disableAutoRange(axis=pg.ViewBox.YAxis)
                plot.setYRange(*yrange, padding=0.02)
            else:
                vb.setAutoVisible(y=True)
            plot.getAxis("left").setWidth(48)
            if self.plots:
                plot.setXLink(self.plots[0])
            if row < len(PLOTS) - 1:
                # One time axis, under the last plot (they share x): saves height, and
                # each date axis re-lays its ticks on every scroll.
                plot.hideAxis("bottom")
            for name in names:
                curve = plot.plot(name=series_label(name), antialias=False)
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
                # Peak mode keeps each pixel's min and max: one sample pair per pixel is
                # exact; pyqtgraph's default of 5 per pixel draws five times the path.
                curve.opts["autoDownsampleFactor"] = 1.0
                self.curves[name] = curve
            self._plot_metric[row] = metric
            self.plots.append(plot)
        self.markers = MarkerLayer(self.plots)
        self.apply_colors(colors())
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer)
        self._retime()

    # ---- data ----------------------------------------------------------------------
    def _capacity(self) -> int:
        return int(self.window_s / max(self.interval_s, 0.05) * 1.1) + 1024

    def set_window(self, seconds: int) -> None:
        """Switch the time window; the caller refills it from the store (``load``)."""
        self.window_s = int(seconds)
        self._gap_s = 3 * self.interval_s
        self.ring = SampleRing(len(ORDER), self._capacity())
        self._retime()
        self._dirty = True

    def load(self, t: np.ndarray, values: np.ndarray) -> None:
        """Stored history for the window (older than anything appended live)."""
        spacing = float(np.median(np.diff(t))) if len(t) > 2 else self.interval_s
        self._gap_s = 3 * max(spacing, self.interval_s)
        t, values = break_gaps(t, values, self._gap_s)
        self.ring.clear()
        self.ring.extend(t, values)
        self._dirty = True

    def add_sample(self, sample) -> None:
        last = self.latest_time()
        if last is not None and sample.ts - last > self._gap_s:
            self.ring.append(last + self._gap_s / 2, [math.nan] * len(ORDER))
        self.ring.append(sample.ts, [sample.values.get(n, math.nan) for n in ORDER])
        self._dirty = True

    def latest_time(self) -> float | None:
        return float(self.ring.t[-1]) if len(self.ring) else None

    # ---- drawing -------------------------------------------------------------------
    def _retime(self) -> None:
        width = max(self.plots[0].getViewBox().width(), 300) if self.plots else 600
        ms = self.window_s * 1000 / width
        self.timer.setInterval(int(min(max(ms, MIN_REDRAW_MS), MAX_REDRAW_MS)))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        # pyqtgraph resizes while constructing, and close() deletes the plots first.
        if hasattr(self, "timer") and not self.closed:
            self._retime()

    def close(self) -> bool:
        self.timer.stop()  # its plots are about to be deleted
        return super().close()

    def start(self) -> None:
        self.timer.start()
        self.redraw()

    def stop(self) -> None:
        self.timer.stop()

    def _on_timer(self) -> None:
        self.redraw()

    def now(self) -> float:
        return self._now_override if self._now_override is not None else time.time()

    def redraw(self) -> None:
        """Scroll the window to now and hand the ring's views to the curves."""
        now = self.now()
        t0 = now - self.window_s
        # Scroll only by whole pixels: every range change makes each curve clip and
        # downsample again, and a sub-pixel scroll draws the same picture.
        vb = self.plots[0].getViewBox()
        left, right = vb.viewRange()[0]
        pixel = self.window_s / max(vb.width(), 1.0)
        if abs(now - right) >= pixel or abs((right - left) - self.window_s) >= pixel:
            self._scroll(t0, now)
        if self._dirty:
            self.ring.drop_before(t0 - self.interval_s)
            t = self.ring.t
            for i, name in enumerate(ORDER):
                self.curves[name].setData(t, self.ring.values(i))
            self._dirty = False
        self.markers.tick(now)
        self.redraws += 1

    def _scroll(self, t0: float, t1: float) -> None:
        """Move the x range.  Each curve re-clips and re-downsamples its data when the
        range moves; when new data is handed over right after, that work is thrown
        away, so it is deferred to ``setData`` (which reads the new range)."""
        if not self._dirty:
            self.plots[0].setXRange(t0, t1, padding=0)
            return
        saved = [(c, c.opts["clipToView"], c.opts["autoDownsample"]) for c in self.curves.values()]
        for c, _, _ in saved:
            c.opts["clipToView"] = c.opts["autoDownsample"] = False
        try:
            self.plots[0].setXRange(t0, t1, padding=0)
        finally:
            for c, clip, auto in saved:
                c.opts["clipToView"], c.opts["autoDownsample"] = clip, auto

    def set_thresholds(self, thresholds: dict) -> None:
        for plot, line in self._threshold_items:
            plot.removeItem(line)
        self._threshold_items.clear()
        self.threshold_lines.clear()
        for row, plot in enumerate(self.plots):
            metric = self._plot_metric[row]
            th = thresholds.get(metric) if metric else None
            if th is None:
                continue
            lines = []
            # Staggered along the line: on a short plot the two labels would overlap.
            for word, value, color, at in (("warning", th.warning, WARNING_COLOR, 0.99),
                                           ("critical", th.critical, CRITICAL_COLOR, 0.84)):
                line = pg.InfiniteLine(pos=value, angle=0, movable=False,
                                       pen=pg.mkPen(color, width=1, style=Qt.DashLine),
                                       label=f"{word} {value:g} %", labelOpts={
                                           "position": at, "color": color, "anchors": [(1, 0), (1, 0)]})
                line.setZValue(-5)
                plot.addItem(line, ignoreBounds=True)
                lines.append(line)
                self._threshold_items.append((plot, line))
            self.threshold_lines[metric] = lines

    def apply_colors(self, c: ChartColors) -> None:
        self.colors = c
        self.setBackground(c.background)
        for plot in self.plots:
            style_plot(plot, c, grid=False)
        for name, curve in self.curves.items():
            curve.setPen(pg.mkPen(c.series(name), width=1))

    def changeEvent(self, ev) -> None:
        # pyqtgraph's constructor changes the palette before our attributes exist.
        if (ev.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and hasattr(self, "colors")
                and not self.closed):
            self.apply_colors(colors())
        super().changeEvent(ev)

    # ---- hover ---------------------------------------------------------------------
    def _on_mouse_moved(self, pos) -> None:
        for plot in self.plots:
            vb = plot.getViewBox()
            if vb.sceneBoundingRect().contains(pos):
                x = vb.mapSceneToView(pos).x()
                self.set_hover(self.markers.text_at(x, tolerance=3 * vb.viewPixelSize()[0], now=self.now()))
                return
        self.set_hover("")

    def leaveEvent(self, ev) -> None:
        # The scene reports moves only while the mouse is over it: leaving the charts
        # must clear the hover, or the label keeps naming a run the mouse has left.
        self.set_hover("")
        super().leaveEvent(ev)

    def set_hover(self, text: str) -> None:
        if text == self.hover_text:
            return
        self.hover_text = text
        self.setToolTip(text)
        if text and self.underMouse():
            QToolTip.showText(QCursor.pos(), text, self)
        elif not text:
            QToolTip.hideText()   # off the run: its tooltip must not linger
        self.hoverChanged.emit(text)

    def scene_pos_for(self, x: float, row: int = 0):
        """Scene position of time ``x`` in the middle of plot ``row`` (tests, tooling)."""
        vb = self.plots[row].getViewBox()
        y0, y1 = vb.viewRange()[1]
        return vb.mapViewToScene(pg.Point(x, (y0 + y1) / 2))

    # ---- numbers -------------------------------------------------------------------
    def table_data(self) -> TableData:
        t = self.ring.t.copy()
        cols = [Column("time", t, local_time, utc_iso), Column("epoch_s", t, fixed(0), precise)]
        for i, name in enumerate(ORDER):
            cols.append(Column(series_label(name), self.ring.values(i).copy(), fixed(1), precise))
        return TableData(cols)
