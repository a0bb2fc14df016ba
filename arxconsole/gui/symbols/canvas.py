"""The live preview: the symbol on paper, with zoom, fit, a grid and a port overlay.

Scene coordinates are the symbol's viewBox units, so a port's {x, y} is its position
in the scene as-is.  The drawing is painted by QSvgRenderer into the viewBox rectangle;
port markers ignore the view's scale so they stay clickable at any zoom.  Dragging a
port snaps it to the grid and reports the new position once, on release (one undo step).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView)

from ..theme import PAPER_COLOR
from .text import tip

GRID_STEPS = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
MAX_GRID_LINES = 50
ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.05, 400.0
PORT_RADIUS = 5.0
PORT_COLOR = QColor("#0b63c4")       # on paper-white: the overlay is on paper in both themes
PORT_SELECTED = QColor("#d9480f")


def nice_grid_step(width: float, height: float) -> float:
    size = max(width, height)
    for step in GRID_STEPS:
        if size / step <= MAX_GRID_LINES:
            return step
    return GRID_STEPS[-1]


class SvgDrawingItem(QGraphicsItem):
    """Paints the renderer into the viewBox rectangle (scene units = viewBox units)."""

    def __init__(self, renderer: QSvgRenderer):
        super().__init__()
        self.renderer = renderer
        self.rect = QRectF(0, 0, 100, 100)

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.rect = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.renderer.isValid():
            self.renderer.render(painter, self.rect)


class GridItem(QGraphicsItem):
    """Axis-aligned lines: drawn without antialiasing in two batched calls and cached
    per zoom level, so a keystroke that re-renders the drawing never redraws the grid."""

    def __init__(self):
        super().__init__()
        self.rect = QRectF(0, 0, 100, 100)
        self.step = 5.0
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def set_geometry(self, rect: QRectF, step: float) -> None:
        if rect == self.rect and step == self.step:
            return
        self.prepareGeometryChange()
        self.rect, self.step = QRectF(rect), step
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r, s = self.rect, self.step
        minor, major = [], []
        i = math.ceil(r.left() / s)
        while i * s <= r.right() + 1e-9:
            (major if i % 5 == 0 else minor).append(QLineF(i * s, r.top(), i * s, r.bottom()))
            i += 1
        j = math.ceil(r.top() / s)
        while j * s <= r.bottom() + 1e-9:
            (major if j % 5 == 0 else minor).append(QLineF(r.left(), j * s, r.right(), j * s))
            j += 1
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setPen(QPen(QColor(40, 90, 160, 40), 0))     # cosmetic: one pixel at any zoom
        painter.drawLines(minor)
        painter.setPen(QPen(QColor(40, 90, 160, 90), 0))
        painter.drawLines(major)


class PortItem(QGraphicsEllipseItem):
    def __init__(self, name: str, port: dict):
        super().__init__(-PORT_RADIUS, -PORT_RADIUS, 2 * PORT_RADIUS, 2 * PORT_RADIUS)
        self.name = name
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.setZValue(10)
        self.setCursor(Qt.OpenHandCursor)
        kind = port.get("type") if isinstance(port, dict) else ""
        direction = port.get("direction") if isinstance(port, dict) else ""
        self.setToolTip(tip(f"Port {name}: type {kind or '—'}, direction {direction or '—'}; drag to move"))
        self.label = QGraphicsSimpleTextItem(name, self)
        font = QFont()
        font.setPointSizeF(8)
        self.label.setFont(font)
        self.label.setPos(PORT_RADIUS + 2, -PORT_RADIUS - 12)
        self.label_bg = QGraphicsRectItem(self.label.boundingRect().adjusted(-2, 0, 2, 0), self.label)
        self.label_bg.setBrush(QColor(255, 255, 255, 210))
        self.label_bg.setPen(Qt.NoPen)
        self.label_bg.setFlag(QGraphicsItem.ItemStacksBehindParent)
        self.set_selected(False)

    def place_label(self, left: bool) -> None:
        """Put the label on the side facing the drawing, so edge ports stay readable."""
        w = self.label.boundingRect().width()
        self.label.setPos(-PORT_RADIUS - 2 - w if left else PORT_RADIUS + 2, -PORT_RADIUS - 12)

    def set_selected(self, selected: bool) -> None:
        color = PORT_SELECTED if selected else PORT_COLOR
        self.setPen(QPen(color, 3 if selected else 2))
        self.setBrush(QBrush(QColor(color.red(), color.green(), color.blue(), 150 if selected else 60)))
        self.label.setBrush(color.darker(120))
        self.setZValue(11 if selected else 10)
        self.is_selected = selected


class PreviewCanvas(QGraphicsView):
    portClicked = Signal(str)
    portMoved = Signal(str, object, object)   # on release, snapped, inside the viewBox (int when whole)
    zoomChanged = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("symbolPreview")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform | QPainter.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#8a8f96"))     # neutral desk around the paper, both themes
        self.renderer = QSvgRenderer(self)
        self.view_box = QRectF(0, 0, 100, 100)
        self.paper = QGraphicsRectItem()
        self.paper.setBrush(PAPER_COLOR)
        self.paper.setPen(QPen(QColor("#5f6368"), 0))
        self.paper.setZValue(0)
        self.drawing = SvgDrawingItem(self.renderer)
        self.drawing.setZValue(1)
        self.grid = GridItem()
        self.grid.setZValue(2)
        for item in (self.paper, self.drawing, self.grid):
            self.scene().addItem(item)
        self.ports: dict[str, PortItem] = {}
        self.selected_port = ""
        self.grid_step = 5.0
        self.render_ok = False
        self.render_error = ""
        self._fit_mode = True
        self._drag: tuple[PortItem, QPointF] | None = None
        self._drag_moved = False

    # ---- content -------------------------------------------------------------------
    def set_svg(self, text: str) -> bool:
        """Render ``text``; on failure keep the last good drawing and return False."""
        ok = bool(text) and self.renderer.load(QByteArray(text.encode("utf-8")))
        self.render_ok = ok
        if not ok:
            self.render_error = "the preview shows the last drawing that rendered"
            self.drawing.update()
            return False
        self.render_error = ""
        vb = self.renderer.viewBoxF()
        if vb.width() <= 0 or vb.height() <= 0:
            size = self.renderer.defaultSize()
            vb = QRectF(0, 0, max(size.width(), 1), max(size.height(), 1))
        changed = vb != self.view_box
        self.view_box = vb
        self.paper.setRect(vb)
        self.drawing.set_rect(vb)
        self.grid_step = nice_grid_step(vb.width(), vb.height())
        self.grid.set_geometry(vb, self.grid_step)
        margin = max(vb.width(), vb.height()) * 0.15
        self.scene().setSceneRect(vb.adjusted(-margin, -margin, margin, margin))
        self.drawing.update()
        if changed and self._fit_mode:
            self.fit()
        return True

    def set_ports(self, connections: dict) -> None:
        if self._drag is not None:
            return  # a drag in progress owns the markers until release
        snapshot = (repr(connections), self.view_box.center().x())
        if snapshot == getattr(self, "_ports_shown", None):
            return  # unchanged: keep the items (no scene churn on every keystroke)
        self._ports_shown = snapshot
        for item in self.ports.values():
            self.scene().removeItem(item)
        self.ports = {}
        if not isinstance(connections, dict):
            return
        for name, port in connections.items():
            if not isinstance(port, dict):
                continue
            x, y = port.get("x"), port.get("y")
            if not _is_number(x) or not _is_number(y):
                continue
            item = PortItem(str(name), port)
            item.setPos(float(x), float(y))
            item.place_label(float(x) > self.view_box.center().x())
            item.set_selected(str(name) == self.selected_port)
            self.scene().addItem(item)
            self.ports[str(name)] = item
        rect = self.content_rect()
        margin = max(rect.width(), rect.height()) * 0.15
        self.scene().setSceneRect(rect.adjusted(-margin, -margin, margin, margin))

    def select_port(self, name: str) -> None:
        self.selected_port = name or ""
        for key, item in self.ports.items():
            item.set_selected(key == self.selected_port)
        item = self.ports.get(self.selected_port)
        if item is not None:
            self.ensureVisible(item, 20, 20)

    def set_empty(self, empty: bool) -> None:
        """Nothing open: no paper, no grid, just the desk."""
        self.paper.setVisible(not empty)
        self.drawing.setVisible(not empty)
        if empty:
            self.grid.setVisible(False)

    def set_grid_visible(self, visible: bool) -> None:
        self.grid.setVisible(visible)

    def set_ports_visible(self, visible: bool) -> None:
        for item in self.ports.values():
            item.setVisible(visible)

    # ---- zoom ----------------------------------------------------------------------
    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        new = min(MAX_SCALE, max(MIN_SCALE, self.scale_factor * factor))
        factor = new / self.scale_factor
        if abs(factor - 1.0) < 1e-9:
            return
        self._fit_mode = False
        self.scale(factor, factor)
        self.zoomChanged.emit(self.scale_factor)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def content_rect(self) -> QRectF:
        """The viewBox plus any port placed outside it (so a misplaced port is seen)."""
        rect = QRectF(self.view_box)
        for item in self.ports.values():
            p = item.pos()
            rect = rect.united(QRectF(p.x(), p.y(), 0, 0))
        return rect

    def fit(self) -> None:
        self._fit_mode = True
        rect = self.content_rect()
        margin = max(rect.width(), rect.height()) * 0.06
        self.fitInView(rect.adjusted(-margin, -margin, margin, margin), Qt.KeepAspectRatio)
        self.zoomChanged.emit(self.scale_factor)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self.fit()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(ZOOM_STEP ** (delta / 120.0))
        event.accept()

    # ---- ports: click and drag -----------------------------------------------------
    def port_at(self, view_pos) -> PortItem | None:
        for item in self.items(view_pos):
            while item is not None and not isinstance(item, PortItem):
                item = item.parentItem()
            if isinstance(item, PortItem) and item.isVisible():
                return item
        return None

    def snap(self, p: QPointF) -> QPointF:
        s = self.grid_step
        vb = self.view_box
        x = min(max(round(p.x() / s) * s, vb.left()), vb.right())
        y = min(max(round(p.y() / s) * s, vb.top()), vb.bottom())
        return QPointF(x, y)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton:
            item = self.port_at(event.position().toPoint())
            if item is not None:
                self._drag = (item, item.pos())
                self._drag_moved = False
                self.viewport().setCursor(Qt.ClosedHandCursor)
                self.portClicked.emit(item.name)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is not None:
            item, start = self._drag
            p = self.snap(self.mapToScene(event.position().toPoint()))
            if p != item.pos():
                item.setPos(p)
                self._drag_moved = p != start
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is not None and event.button() == Qt.LeftButton:
            item, start = self._drag
            self._drag = None
            self.viewport().unsetCursor()
            if self._drag_moved and item.pos() != start:
                self.portMoved.emit(item.name, _clean(item.pos().x()), _clean(item.pos().y()))
            event.accept()
            return
        super().mouseReleaseEvent(event)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _clean(v: float) -> float | int:
    """Whole numbers stay ints in the file ({"x": 32}, not 32.0)."""
    r = round(v, 3)
    return int(r) if r == int(r) else r
