"""Run and step markers on the resource charts' time axis.

A run is a shaded span (colour by state, and its state word in the hover text, never
colour alone), each step start a thin line, so a CPU spike can be tied to the step that
ran then.  ``text_at(x)`` is what hovering shows; the chart calls it from mouse moves."""

from __future__ import annotations

import datetime as dt
import time
from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ...engine.monitor.analytics import fmt_seconds
from ...engine.monitor.history import Marker
from ..icons import state_word
from .style import STATE_COLORS

# Beyond this many runs in a window, steps are left out: lines a pixel apart say nothing.
MAX_STEP_RUNS = 60
# Runs named in one hover text; on a wide window many short runs share a few pixels.
MAX_HOVER_RUNS = 3


def _span(m: Marker, now: float) -> tuple[float, float]:
    return m.start, (m.end if m.end is not None else now)


def describe(m: Marker, now: float) -> str:
    t0, t1 = _span(m, now)
    start = dt.datetime.fromtimestamp(t0).strftime("%H:%M:%S")
    took = fmt_seconds(max(t1 - t0, 0.0)) + ("" if m.end is not None else " so far")
    if m.step_id:
        return f"Step {m.step_id}: {state_word(m.state)}, started {start}, {took}"
    return f"Run #{m.run_id} ({m.system}): {state_word(m.state)}, started {start}, {took}"


class MarkerLayer:
    def __init__(self, plots: Sequence[pg.PlotItem]):
        self.plots = list(plots)
        self.markers: list[Marker] = []
        self._items: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []
        self._open: list[tuple[pg.LinearRegionItem, Marker]] = []   # runs still running

    def key(self) -> tuple:
        return tuple(self.markers)

    def set_markers(self, markers: Sequence[Marker]) -> bool:
        """Replace the markers; False (and nothing redrawn) when they did not change."""
        markers = list(markers)
        if markers == self.markers:
            return False
        self.clear()
        self.markers = markers
        now = time.time()
        runs = [m for m in markers if not m.step_id]
        with_steps = len(runs) <= MAX_STEP_RUNS
        for m in markers:
            if m.step_id and not with_steps:
                continue
            color = QColor(STATE_COLORS.get(m.state, "#7f7f7f"))
            for plot in self.plots:
                if m.step_id:
                    c = QColor(color)
                    c.setAlpha(160)
                    item = pg.InfiniteLine(pos=m.start, angle=90, movable=False,
                                           pen=pg.mkPen(c, width=1, style=Qt.DashLine))
                else:
                    fill = QColor(color)
                    fill.setAlpha(40)
                    item = pg.LinearRegionItem(values=_span(m, now), movable=False, brush=pg.mkBrush(fill),
                                               pen=pg.mkPen(color, width=1))
                    item.setHoverBrush(pg.mkBrush(fill))
                    if m.end is None:
                        self._open.append((item, m))
                item.setZValue(-10)
                plot.addItem(item, ignoreBounds=True)
                self._items.append((plot, item))
        return True

    def clear(self) -> None:
        for plot, item in self._items:
            plot.removeItem(item)
        self._items.clear()
        self._open.clear()
        self.markers = []

    def tick(self, now: float) -> None:
        """Stretch the spans of runs still running up to now."""
        for item, m in self._open:
            item.setRegion((m.start, now))

    def text_at(self, x: float, tolerance: float = 0.0, now: float | None = None) -> str:
        """What hovering at time ``x`` shows: the run(s) there and the one step nearest
        to ``x`` within ``tolerance`` (steps of a short run are often a pixel wide)."""
        now = time.time() if now is None else now
        lines = []
        best: tuple[float, Marker] | None = None
        for m in self.markers:
            t0, t1 = _span(m, now)
            distance = 0.0 if t0 <= x <= t1 else min(abs(x - t0), abs(x - t1))
            if distance > tolerance:
                continue
            if not m.step_id:
                lines.append(describe(m, now))
            elif best is None or distance < best[0]:
                best = (distance, m)
        if len(lines) > MAX_HOVER_RUNS:
            lines = lines[:MAX_HOVER_RUNS] + [f"… and {len(lines) - MAX_HOVER_RUNS} more run(s) here: "
                                              f"choose a shorter window"]
        if best is not None:
            lines.append("  " + describe(best[1], now))
        return "\n".join(lines)
