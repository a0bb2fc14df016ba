"""Chart colours for light and dark, and applying them to pyqtgraph items.

pyqtgraph does not follow the Qt palette by itself: each plot gets its background and
axis/text pens set here, again whenever the palette changes."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor

from ..theme import is_dark
from ...engine.monitor.settings import CPU, DISK, MEMORY, PROCESS_CPU, PROCESS_RSS

SERIES_COLORS = {CPU: "#1f77b4", PROCESS_CPU: "#ff7f0e", MEMORY: "#2ca02c", DISK: "#9467bd",
                 PROCESS_RSS: "#d62728"}
DARK_SERIES_COLORS = {CPU: "#5aa9e6", PROCESS_CPU: "#ffa64d", MEMORY: "#6fcf6f", DISK: "#c39bd3",
                      PROCESS_RSS: "#ff7b7b"}
WARNING_COLOR = "#d08700"
CRITICAL_COLOR = "#d62728"
STATE_COLORS = {"succeeded": "#2ca02c", "failed": "#d62728", "rolled_back": "#d62728",
                "cancelled": "#7f7f7f", "running": "#1f77b4", "pending": "#7f7f7f", "skipped": "#bbbbbb"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf", "#7f7f7f")


@dataclass(frozen=True)
class ChartColors:
    background: str
    foreground: str
    grid_alpha: float

    def series(self, name: str) -> str:
        return (DARK_SERIES_COLORS if self.background == DARK.background else SERIES_COLORS).get(name, "#888888")


LIGHT = ChartColors("#ffffff", "#222222", 0.15)
DARK = ChartColors("#1e2227", "#e6e6e6", 0.25)


def colors() -> ChartColors:
    return DARK if is_dark() else LIGHT


def style_plot(plot: pg.PlotItem, c: ChartColors, grid: bool = True) -> None:
    """Axis lines, tick labels, title and legend text in the foreground colour.  Live
    charts go without a grid: the axis replays it on every paint, which cost more than
    the curves themselves on a 24 h window."""
    pen = pg.mkPen(c.foreground)
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pen)
        axis.setTextPen(pen)
    if grid:
        plot.showGrid(x=True, y=True, alpha=c.grid_alpha)
    title = plot.titleLabel
    if title.text:
        title.setText(title.text, color=c.foreground)
    legend = plot.legend
    if legend is not None:
        legend.setLabelTextColor(QColor(c.foreground))
        legend.setBrush(pg.mkBrush(QColor(c.background).lighter(110) if c is DARK else QColor(255, 255, 255, 200)))
