"""Keeps the status bar's health and last-backup items current.

Owns the resource sampler (a Qt-free background thread from engine.monitor), started
once the database is open, so health, alerts and the Metrics charts have live data
whatever surface is shown.  Health is computed in a worker every few seconds: a
database ping must never stall the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from .workers import start_worker

log = logging.getLogger(__name__)
HEALTH_INTERVAL_MS = 5000
SAMPLER_INTERVAL_KEY = "monitor.sampler_interval_s"


def age_text(seconds: float) -> str:
    if seconds < 90:
        return "just now"
    if seconds < 3600 * 1.5:
        return f"{round(seconds / 60)} min ago"
    if seconds < 86400 * 1.5:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


class StatusMonitor(QObject):
    sampleTaken = Signal(object)     # engine.monitor.sampler.Sample, on the GUI thread
    alertEvent = Signal(object)      # engine.monitor.alerts.AlertEvent
    healthUpdated = Signal(object)   # engine.monitor.health.HealthReport

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.sampler = None
        self._busy = False
        self._again = False
        self.last_report = None
        self.timer = QTimer(self)
        self.timer.setInterval(HEALTH_INTERVAL_MS)
        self.timer.timeout.connect(self.refresh)
        ctx.workspaceChanged.connect(lambda _ws: self.refresh())

    def start(self) -> None:
        """Start sampling and health checks (call once the database is open)."""
        # Import on the GUI thread what the health worker uses: two threads importing
        # one package at once can see it half-initialised (a circular-import error).
        from ..engine.backup import BackupRepository  # noqa: F401
        from ..engine.monitor.alerts import check_recent_failure_rate  # noqa: F401
        from ..engine.monitor.health import check_health  # noqa: F401
        from ..engine.monitor.sampler import Sampler

        if self.sampler is None:
            interval = float(self.ctx.db.get_setting(SAMPLER_INTERVAL_KEY, 1.0) or 1.0)
            self.sampler = Sampler.for_database(self.ctx.db, self.ctx.data_dir.root, interval=interval)
            # Listeners run on the sampler thread: only emit (queued to the GUI thread),
            # and never into a monitor Qt has already destroyed.
            self.sampler.add_listener(lambda sample: self._emit_safely(self.sampleTaken, sample))
            self.sampler.add_alert_listener(lambda event: self._emit_safely(self.alertEvent, event))
            self.sampler.start()
        self.timer.start()
        self.refresh()

    def _emit_safely(self, signal, payload) -> None:
        if shiboken6.isValid(self):
            signal.emit(payload)
        elif self.sampler is not None:
            self.sampler.request_stop()  # our owner is gone: let the thread end

    def set_interval(self, seconds: float) -> None:
        """Apply a new sampler rate now (settings dialog): restart the thread."""
        self.ctx.db.set_setting(SAMPLER_INTERVAL_KEY, float(seconds))
        if self.sampler is not None:
            self.stop()
            self.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.sampler is not None:
            self.sampler.stop()
            self.sampler = None

    def refresh(self) -> None:
        if not self.ctx.db_opened:
            return
        if self._busy:
            self._again = True  # the workspace changed mid-check: check again right after
            return
        self._busy = True
        self._again = False
        ctx, sampler = self.ctx, self.sampler
        session = ctx._session
        workspace = session.workspace if session else None
        lock = session.lock if session else None

        def work(handle):
            from ..engine.backup import BackupRepository
            from ..engine.monitor.health import check_health

            from ..engine.monitor.alerts import check_recent_failure_rate

            # The failure rate first: a run may have finished since, and the health
            # roll-up below reads the alerts it raises or resolves.
            events = check_recent_failure_rate(ctx.db)
            for ev in events:
                self._emit_safely(self.alertEvent, ev)
            report = check_health(ctx.db, ctx.data_dir.root, workspace, lock=lock, sampler=sampler)
            latest = None
            if workspace is not None:
                try:
                    latest = BackupRepository.for_data_dir(ctx.data_dir).latest_for(workspace.root)
                except Exception as exc:  # noqa: BLE001 - shown as unknown, logged
                    log.warning("cannot read backups: %s", exc)
            return report, latest

        start_worker(work, on_finished=self._show, on_failed=self._failed, on_done=self._done)

    def _done(self) -> None:
        self._busy = False
        if self._again:
            self.refresh()

    def _show(self, result) -> None:
        report, latest = result
        self.last_report = report
        status = report.status.value
        # Degraded (not Healthy) while an alert is active; the tooltip names it first.
        self.ctx.set_status("health", status, status.capitalize(), "\n".join(report.explain_lines()))
        if self.ctx.workspace is None:
            self.ctx.set_status("backup", "", "", "")
        elif latest is None:
            self.ctx.set_status("backup", "warning", "No backup yet",
                                "This workspace has no backup. Create one on the Backups surface.")
        else:
            created = dt.datetime.fromisoformat(latest.created_at.replace("Z", "+00:00"))
            age = time.time() - created.timestamp()
            self.ctx.set_status("backup", "backups", f"Backup {age_text(age)}",
                                f"Last backup {latest.id} ({latest.kind}, {latest.reason_label}) at {latest.created_at}")
        self.healthUpdated.emit(report)

    def _failed(self, message: str, _user: bool) -> None:
        self.ctx.set_status("health", "unhealthy", "Unhealthy", f"health check failed: {message}")
