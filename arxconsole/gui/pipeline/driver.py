"""Drives one pipeline run on a worker thread for the GUI.

The runner blocks its worker for the whole run (it waits there between steps in
step-by-step mode); ``next``/``pause``/``cancel`` are thread-safe calls on it.  Engine
events are collected on the worker thread into a ``BatchInbox`` and reach the GUI
thread in batches through a queued signal; nothing here touches a widget.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from ..logview import BatchInbox, pack
from ..workers import start_worker

log = logging.getLogger(__name__)


class RunDriver(QObject):
    events = Signal(list)        # in order: packed log lines, (PipelineEvent, extras | None) for the rest
    finished = Signal(dict)      # the finished run as stored (history.run_to_dict)
    failed = Signal(str, bool, object)   # message, is_user_error, run id or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.inbox = BatchInbox(interval_ms=50, max_batch=2000, parent=self)
        self.inbox.batch.connect(self.events)
        self.runner = None
        self._worker = None

    @property
    def active(self) -> bool:
        return self._worker is not None

    def start(self, workspace, db, data_dir, request) -> None:
        """Validate on the GUI thread (raises UserError at once), then run on a worker."""
        from ...engine.pipeline.runner import PipelineRunner

        if self.active:
            raise RuntimeError("a run is already being driven")
        self.runner = PipelineRunner(workspace, db, request, listener=self._listen, data_dir=data_dir)
        self._db = db
        worker = self._worker = start_worker(self._work, on_finished=self._finished, on_failed=self._failed)
        # ``done`` arrives after ``finished``/``failed``, which already let the run go: by
        # then a next run may have started from their handlers (or a quick click), and a
        # late ``done`` must not take that run's runner away from its listener.
        worker.signals.done.connect(lambda w=worker: self._done() if self._worker is w else None)

    # ---- control (GUI thread) -------------------------------------------------------
    def next(self) -> None:
        if self.runner is not None:
            self.runner.next()

    def pause(self) -> None:
        if self.runner is not None:
            self.runner.pause()

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()

    # ---- worker thread ---------------------------------------------------------------
    def _listen(self, event) -> None:
        if event.kind.value == "log":
            self.inbox.put(pack(event))   # most events: packed here, off the GUI thread
            return
        extras = None
        if event.kind.value == "step.finished":
            # Snapshot what the step produced now, on the runner's thread: the GUI never
            # reads the runner's live structures.
            st = self.runner.steps[event.step]
            extras = {
                "findings": [dict(f.to_dict(), check=c.name) for c in st.checks for f in c.findings],
                "would_change": [c.to_dict(True) for c in st.would_change],
                "files_written": [c.to_dict(False) for c in st.files_written],
                "message": st.message, "attempt": st.attempt,
            }
        self.inbox.put((event, extras))

    def _work(self, _handle) -> dict:
        from ...engine.pipeline.history import RunHistory, run_to_dict

        runner = self.runner
        runner.run()
        return run_to_dict(RunHistory(runner.db), runner.run_id)

    # ---- back on the GUI thread -------------------------------------------------------
    def _finished(self, result: dict) -> None:
        self.inbox.flush()   # every event before the result
        self._done()         # not active any more when listeners look
        self.finished.emit(result)

    def _failed(self, message: str, user_error: bool) -> None:
        self.inbox.flush()
        run_id = self.runner.run_id if self.runner is not None else None
        self._done()
        self.failed.emit(message, user_error, run_id)

    def _done(self) -> None:
        self._worker = None
        self.runner = None
