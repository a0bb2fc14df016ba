"""Run engine work off the GUI thread.

``Worker`` runs a callable in a QThreadPool thread.  The callable receives a
``WorkerHandle`` with ``progress(done, total, message)``, ``log(event)`` and a
``cancel`` token; everything crosses back to the GUI thread through queued signals only
(never touch a widget from the worker).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..engine.errors import UserError
from ..engine.progress import CancelToken

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    event = Signal(object)          # engine events (log lines, step state changes)
    finished = Signal(object)       # the callable's return value
    failed = Signal(str, bool)      # message, is_user_error (False: a bug; traceback in the log)
    done = Signal()                 # always last, after finished or failed


class WorkerHandle:
    def __init__(self, signals: WorkerSignals, cancel: CancelToken):
        self._signals = signals
        self.cancel = cancel

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._signals.progress.emit(done, total, message)

    def event(self, payload: Any) -> None:
        self._signals.event.emit(payload)


class Worker(QRunnable):
    def __init__(self, fn: Callable[[WorkerHandle], Any]):
        super().__init__()
        self.fn = fn
        self.signals = WorkerSignals()
        self.cancel = CancelToken()
        self.setAutoDelete(False)  # the owner keeps it until `done`

    def run(self) -> None:  # worker thread
        handle = WorkerHandle(self.signals, self.cancel)
        try:
            try:
                result = self.fn(handle)
            except UserError as exc:
                self.signals.failed.emit(str(exc), True)
            except Exception as exc:  # a bug: keep the traceback in the log file
                log.error("worker failed:\n%s", traceback.format_exc())
                self.signals.failed.emit(f"{type(exc).__name__}: {exc}", False)
            else:
                self.signals.finished.emit(result)
            finally:
                self.signals.done.emit()
        except RuntimeError as exc:
            # The receiving side was destroyed while we worked (window closed at quit):
            # nobody is left to tell; the work itself finished or failed above.
            log.info("worker result dropped: %s", exc)


_active: set[Worker] = set()


_lanes: dict[str, QThreadPool] = {}


def worker_lane(name: str) -> QThreadPool:
    """A one-thread pool of its own (e.g. a surface's background reads): its jobs run in
    order and never wait behind long jobs of the global pool.  Awaited by
    ``wait_for_workers`` like the global pool."""
    lane = _lanes.get(name)
    if lane is None:
        lane = QThreadPool()
        lane.setMaxThreadCount(1)
        _lanes[name] = lane
    return lane


def start_worker(fn: Callable[[WorkerHandle], Any], *, on_finished=None, on_failed=None,
                 on_progress=None, on_event=None, on_done=None, pool: QThreadPool | None = None) -> Worker:
    """Start ``fn`` on ``pool`` (default: the global pool); keeps the worker alive until
    it is done."""
    worker = Worker(fn)
    if on_finished:
        worker.signals.finished.connect(on_finished)
    if on_failed:
        worker.signals.failed.connect(on_failed)
    if on_progress:
        worker.signals.progress.connect(on_progress)
    if on_event:
        worker.signals.event.connect(on_event)
    if on_done:
        worker.signals.done.connect(on_done)
    _active.add(worker)
    worker.signals.done.connect(lambda w=worker: _active.discard(w))
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def wait_for_workers(timeout_ms: int = 30_000) -> bool:
    lanes_done = all([lane.waitForDone(timeout_ms) for lane in _lanes.values()])
    return QThreadPool.globalInstance().waitForDone(timeout_ms) and lanes_done


def shutdown_workers(timeout_ms: int = 15_000) -> bool:
    """At quit: ask every running worker to stop, then give them time to end cleanly
    (engine work is journaled, but a clean stop beats recovery at the next start)."""
    for worker in list(_active):
        worker.cancel.cancel()
    return wait_for_workers(timeout_ms)


# ---- garbage collection on the GUI thread only -------------------------------------------
_gui_gc = None


class _GuiThreadCollector(QObject):
    """Runs the generations CPython would have collected, from a GUI-thread timer."""

    def __init__(self, interval_ms: int):
        import gc

        from PySide6.QtCore import QTimer

        super().__init__()
        self._gc = gc
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        gc.disable()
        self.timer.start(interval_ms)

    def collect_due(self) -> None:
        counts = self._gc.get_count()
        due = -1
        for generation in range(3):   # a generation is due when its count passed its threshold
            if counts[generation] > self.thresholds[generation]:
                due = generation
            else:
                break
        if due >= 0:
            self._gc.collect(due)


def collect_garbage_on_gui_thread(interval_ms: int = 500) -> None:
    """Python's cyclic collector runs in whichever thread happens to allocate; when that
    is a worker, it may destroy PySide wrappers there.  Seen in this project's tests: the
    GUI thread inside a Qt call (pyqtgraph's QGraphicsTextItem.setHtml) and a worker stopped
    at an allocation in SQLAlchemy, neither moving for minutes (a lock-order inversion
    between the GIL and the binding's own lock, the known hazard of collecting Qt objects
    off the GUI thread).  So automatic collection is off and the GUI thread collects on a
    timer with the usual generation thresholds.  Call once, on the GUI thread."""
    global _gui_gc
    if _gui_gc is None:
        _gui_gc = _GuiThreadCollector(interval_ms)
