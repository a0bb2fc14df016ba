"""Symbol thumbnails, rendered off the GUI thread and cached.

Rendering goes to a QImage in a worker (QSvgRenderer and QPainter on a QImage are safe
off the GUI thread; QPixmap is not), in batches, so a library of thousands of symbols
never stalls the window; the worker pauses every few milliseconds so that the GUI thread
gets the GIL (see RENDER_SLICE_S).  The GUI thread only turns finished images into icons.
The cache key is the SVG text's hash, so an unchanged symbol is never rendered twice and
an edited one is re-rendered.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict, deque

import shiboken6

from PySide6.QtCore import QByteArray, QObject, QRectF, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ..theme import PAPER_COLOR
from ..workers import start_worker, worker_lane

THUMB_SIZE = 40
BATCH = 16                 # images per event: small enough that converting a batch is quick
MAX_CACHED = 5000
CONVERT_SLICE_S = 0.006   # GUI time per slice turning rendered images into icons
# The worker renders for RENDER_SLICE_S, then sleeps RENDER_PAUSE_S.  Every Qt call from
# Python releases and re-takes the GIL; a thumbnail is ~15 short Qt calls (~0.1 ms in all),
# so a worker rendering flat out re-takes the GIL microseconds after each release, before
# the GUI thread it woke can run - and CPython's forced hand-over (the switch interval)
# never fires, because the GIL keeps "changing hands".  The GUI thread then waited for the
# GIL at every Python call (each timer, slot, icon conversion) and the window stalled for
# 50-150 ms at a time while 1,000 thumbnails rendered (bench/thumbnails.py).  A real pause
# hands the GIL over; rendering 1,000 thumbnails takes ~0.1 s of worker time either way.
RENDER_SLICE_S = 0.002
RENDER_PAUSE_S = 0.001
LANE = "symbols"       # one background thread for the library: reads, thumbnails, validation


def svg_key(svg: str) -> str:
    return hashlib.blake2b(svg.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def render_on_paper(data: bytes, size: int, *, pad: int = 2, dpr: float = 1.0) -> tuple[QImage, bool]:
    """SVG ``data`` drawn on paper in a ``size`` square (logical pixels, ``dpr`` device
    pixels each), aspect kept, ``pad`` from the edge; a red crossed box when it does not
    render.  Returns (image, rendered).  One drawing for thumbnails, the backup diff's
    pictures and the documentation viewer."""
    px = max(1, round(size * dpr))
    image = QImage(px, px, QImage.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(PAPER_COLOR)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer = QSvgRenderer(QByteArray(data)) if data else None
    ok = renderer is not None and renderer.isValid()
    if ok:
        vb = renderer.viewBoxF()
        if vb.width() <= 0 or vb.height() <= 0:
            ds = renderer.defaultSize()
            vb = QRectF(0, 0, max(ds.width(), 1), max(ds.height(), 1))
        scale = min((size - 2 * pad) / vb.width(), (size - 2 * pad) / vb.height())
        w, h = vb.width() * scale, vb.height() * scale
        renderer.render(painter, QRectF((size - w) / 2, (size - h) / 2, w, h))
    else:
        painter.setPen(QPen(QColor("#c92a2a"), 1.5))
        painter.drawRect(QRectF(pad + 2, pad + 2, size - 2 * pad - 4, size - 2 * pad - 4))
        painter.drawLine(pad + 4, pad + 4, size - pad - 4, size - pad - 4)
        painter.drawLine(size - pad - 4, pad + 4, pad + 4, size - pad - 4)
    painter.end()
    return image, ok


def render_thumbnail(svg: str, size: int = THUMB_SIZE) -> QImage:
    """The drawing on paper, aspect kept; a crossed box when it does not render."""
    return render_on_paper(svg.encode("utf-8") if svg else b"", size)[0]


class ThumbnailCache(QObject):
    """``request(key_svgs)`` renders what is missing in a worker and emits ``ready(key)``
    for each thumbnail as its batch arrives; ``icon(svg)`` returns a cached icon or None."""

    ready = Signal(str)          # svg key
    batchDone = Signal(list)     # keys of one batch (after their icons are cached)
    idle = Signal()              # nothing left to render

    def __init__(self, parent=None, size: int = THUMB_SIZE):
        super().__init__(parent)
        self.size = size
        self._icons: OrderedDict[str, QIcon] = OrderedDict()
        self._pending: set[str] = set()
        self._workers = []
        self._incoming: deque = deque()     # (key, QImage) rendered, not yet icons
        self._converting = False
        self.rendered = 0            # how many images were rendered (tests: the cache works)

    def icon(self, key: str) -> QIcon | None:
        ic = self._icons.get(key)
        if ic is not None:
            self._icons.move_to_end(key)
        return ic

    def has(self, key: str) -> bool:
        return key in self._icons

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def request(self, svgs: dict[str, str]) -> int:
        """Queue rendering of {key: svg} not yet cached or queued; returns how many."""
        todo = [(k, s) for k, s in svgs.items() if k not in self._icons and k not in self._pending]
        if not todo:
            return 0
        self._pending.update(k for k, _ in todo)
        size = self.size

        def work(handle):
            batch = []
            slice_start = time.perf_counter()
            for key, svg in todo:
                if handle.cancel.cancelled:
                    break
                batch.append((key, render_thumbnail(svg, size)))
                if len(batch) >= BATCH:
                    handle.event(batch)
                    batch = []
                if time.perf_counter() - slice_start >= RENDER_SLICE_S:
                    time.sleep(RENDER_PAUSE_S)      # let the GUI thread have the GIL (see above)
                    slice_start = time.perf_counter()
            if batch:
                handle.event(batch)
            return [k for k, _ in todo]

        holder: list = []
        worker = start_worker(work, on_event=self._on_batch, on_done=lambda: self._on_done(todo, holder),
                              pool=worker_lane(LANE))
        holder.append(worker)
        self._workers.append(worker)
        return len(todo)

    def _on_batch(self, batch) -> None:
        """Batches may pile up in the event queue when the worker runs ahead; they are
        queued here and turned into icons in time-boxed slices, so a burst of finished
        thumbnails never holds the event loop."""
        if not shiboken6.isValid(self):
            return
        self._incoming.extend(batch)
        if not self._converting:
            self._converting = True
            QTimer.singleShot(1, self._convert)

    def _convert(self) -> None:
        self._converting = False
        if not shiboken6.isValid(self):
            return
        start = time.perf_counter()
        keys = []
        while self._incoming and time.perf_counter() - start < CONVERT_SLICE_S:
            key, image = self._incoming.popleft()
            self._icons[key] = QIcon(QPixmap.fromImage(image))
            self._pending.discard(key)
            self.rendered += 1
            keys.append(key)
        while len(self._icons) > MAX_CACHED:
            self._icons.popitem(last=False)
        for key in keys:
            self.ready.emit(key)
        if keys:
            self.batchDone.emit(keys)
        if self._incoming:
            self._converting = True
            QTimer.singleShot(1, self._convert)
        elif not self._pending:
            self.idle.emit()

    def _on_done(self, todo, holder) -> None:
        if not shiboken6.isValid(self):
            return
        for w in holder:
            if w in self._workers:
                self._workers.remove(w)
        # keys whose image never arrived (cancelled) are no longer pending
        arriving = {k for k, _ in self._incoming}
        for key, _ in todo:
            if key not in self._icons and key not in arriving:
                self._pending.discard(key)
        if not self._pending and not self._incoming:
            self.idle.emit()

    def cancel_all(self) -> None:
        for w in self._workers:
            w.cancel.cancel()
