"""The Metrics surface: live resource charts with run/step markers, step-duration bars,
success-rate trend, the alert log and the analytics insights.

It listens to the shell's sampler (``ctx.status_monitor``: ``sampleTaken``,
``alertEvent``) and never starts one of its own.  Database reads run in workers; the
run history is polled every few seconds while the surface is visible, so a run started
anywhere (this console's Pipeline surface or the CLI) appears on the time axis."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import time

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from ..icons import state_word
from ..surface import Surface
from ..workers import start_worker
from .card import ChartCard, export_with_dialog, write_csv
from .live import ORDER, WINDOWS, ResourceCharts, merge_series
from .panels import AlertsView, InsightsView
from .runs import StepBarsChart, SuccessTrendChart

log = logging.getLogger(__name__)
HISTORY_POLL_MS = 3000
ANALYTICS_DAYS = 30
REPORT_DAYS = 7
WINDOW_KEY = "metrics/window_s"
# Runs that started this long before the window may still overlap it.
MARKER_LOOKBACK_S = 6 * 3600


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc)


class MetricsSurface(Surface):
    surface_id = "metrics"
    title = "Metrics"
    icon_name = "metrics"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.monitor = ctx.status_monitor
        sampler = self.monitor.sampler if self.monitor is not None else None
        self.live = ResourceCharts(interval_s=sampler.interval if sampler else 1.0)
        self._recent: collections.deque = collections.deque(maxlen=900)
        self._load_seq = 0
        self.loading = False
        self.analytics_busy = False
        self._analytics_again = False
        self.markers_busy = False
        self.runs: list = []
        self.insights = None
        self._run_signature: tuple | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.addLayout(self._build_top_bar())
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)

        live_page = QWidget()
        ll = QVBoxLayout(live_page)
        ll.setContentsMargins(0, 6, 0, 0)
        self.live_card = ChartCard("Resources", self.live, self.live.table_data, "resources")
        ll.addWidget(self.live_card, 1)
        self.hover_label = QLabel("Shaded spans are pipeline runs, dashed lines their steps: hover one to see which.")
        self.hover_label.setObjectName("markerHover")
        self.hover_label.setWordWrap(True)
        ll.addWidget(self.hover_label)
        self.live.hoverChanged.connect(self._on_hover)
        self.tabs.addTab(live_page, "Live resources")

        runs_page = QWidget()
        rl = QVBoxLayout(runs_page)
        rl.setContentsMargins(0, 6, 0, 0)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Run:"))
        self.run_combo = QComboBox()
        self.run_combo.setMinimumContentsLength(40)
        self.run_combo.currentIndexChanged.connect(self._on_run_selected)
        pick.addWidget(self.run_combo, 1)
        rl.addLayout(pick)
        self.step_bars = StepBarsChart()
        self.steps_card = ChartCard("Step durations", self.step_bars, self.step_bars.table_data, "step-durations")
        rl.addWidget(self.steps_card, 1)
        self.tabs.addTab(runs_page, "Run steps")

        self.trend = SuccessTrendChart()
        self.trend_card = ChartCard(f"Success rate per system (last {ANALYTICS_DAYS} days)", self.trend,
                                    self.trend.table_data, "success-rate")
        self.tabs.addTab(self.trend_card, "Success trend")

        alerts_page = QWidget()
        al = QVBoxLayout(alerts_page)
        al.setContentsMargins(0, 6, 0, 0)
        abar = QHBoxLayout()
        abar.addWidget(QLabel("<b>Alert log</b> (newest first; an alert without an end is still active)"))
        abar.addStretch(1)
        self.alerts_csv_button = QPushButton("Export CSV…")
        self.alerts_csv_button.clicked.connect(lambda: export_with_dialog(
            self, "CSV", "csv", "alerts", lambda p: write_csv(p, self.alerts_view.table_data())))
        abar.addWidget(self.alerts_csv_button)
        al.addLayout(abar)
        self.alerts_view = AlertsView()
        al.addWidget(self.alerts_view, 1)
        self.tabs.addTab(alerts_page, "Alerts")
        self.insights_view = InsightsView()
        self.tabs.addTab(self.insights_view, "Insights")

        self.history_timer = QTimer(self)
        self.history_timer.setInterval(HISTORY_POLL_MS)
        self.history_timer.timeout.connect(self.poll_history)
        self._cost_shown = False
        self.cost_timer = QTimer(self)
        self.cost_timer.setInterval(2000)
        self.cost_timer.timeout.connect(self.update_cost)

        if self.monitor is not None:
            self.monitor.sampleTaken.connect(self._on_sample)
            self.monitor.alertEvent.connect(lambda _ev: self.refresh_analytics())
        saved = int(ctx.settings.value(WINDOW_KEY, 600) or 600)
        self.set_window(saved if saved in {s for _, s in WINDOWS} else 600)
        self.update_cost()

    # ---- layout ------------------------------------------------------------------
    def _build_top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Window:"))
        self.window_group = QButtonGroup(self)
        self.window_group.setExclusive(True)
        self.window_buttons: dict[int, QToolButton] = {}
        for label, seconds in WINDOWS:
            b = QToolButton()
            b.setText(label)
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            b.clicked.connect(lambda _=False, s=seconds: self.set_window(s))
            self.window_group.addButton(b)
            self.window_buttons[seconds] = b
            bar.addWidget(b)
        bar.addSpacing(16)
        self.cost_label = QLabel()
        self.cost_label.setObjectName("samplerCost")
        self.cost_label.setToolTip("CPU time the background sampler spends per sample, measured on its own thread")
        bar.addWidget(self.cost_label, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh_all)
        bar.addWidget(self.refresh_button)
        self.report_button = QPushButton("HTML report…")
        self.report_button.setToolTip(f"Write the monitoring report of the last {REPORT_DAYS} days as one HTML file")
        self.report_button.clicked.connect(self._ask_report)
        bar.addWidget(self.report_button)
        return bar

    # ---- visibility ---------------------------------------------------------------
    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.live.start()
        self.history_timer.start()
        self.cost_timer.start()
        self.poll_history()
        self.refresh_analytics()

    def hideEvent(self, ev) -> None:
        super().hideEvent(ev)
        self.live.stop()
        self.history_timer.stop()
        self.cost_timer.stop()

    def refresh_all(self) -> None:
        self.set_window(self.live.window_s)
        self.poll_history(force=True)
        self.refresh_analytics()

    # ---- live chart ----------------------------------------------------------------
    @property
    def window_s(self) -> int:
        return self.live.window_s

    def set_window(self, seconds: int) -> None:
        """Show the last ``seconds``: refill from the metrics store, then keep appending."""
        self.window_buttons[seconds].setChecked(True)
        self.ctx.settings.setValue(WINDOW_KEY, seconds)
        self.live.set_window(seconds)
        self._load_seq += 1
        seq = self._load_seq
        db = self.ctx.db
        if db is None:
            return
        self.loading = True
        now = time.time()

        def work(_handle):
            from ...engine.monitor.metrics import MetricsStore
            from ...engine.monitor.settings import load_thresholds

            store = MetricsStore(db)
            series = [store.series(name, now - seconds, now) for name in ORDER]
            return merge_series(series), load_thresholds(db)

        start_worker(work, on_finished=lambda result: self._loaded(seq, result),
                     on_failed=lambda msg, _user: self._load_failed(seq, msg))
        self.poll_history(force=True)

    def _loaded(self, seq: int, result) -> None:
        if seq != self._load_seq:
            return  # the user picked another window meanwhile
        (t, values), thresholds = result
        self.live.load(t, values)
        last = float(t[-1]) if len(t) else -np.inf
        for sample in self._recent:  # newer than the sampler's last flush
            if sample.ts > last:
                self.live.add_sample(sample)
        self.live.set_thresholds(thresholds)
        self.live.redraw()
        self.live_card.refresh_table()
        self.loading = False

    def _load_failed(self, seq: int, message: str) -> None:
        if seq == self._load_seq:
            self.loading = False
            self.hover_label.setText(f"Cannot read stored metrics: {message}")

    def _on_sample(self, sample) -> None:
        self._recent.append(sample)
        self.live.add_sample(sample)
        if not self._cost_shown:   # the first sample: say the sampler runs now, not in 2 s
            self.update_cost()

    def _on_hover(self, text: str) -> None:
        self.hover_label.setText(text or "Shaded spans are pipeline runs, dashed lines their steps: "
                                         "hover one to see which.")

    def update_cost(self) -> None:
        sampler = self.monitor.sampler if self.monitor is not None else None
        if sampler is None:
            self.cost_label.setText("Sampler: not running")
            return
        if not sampler.samples_taken:
            self.cost_label.setText("Sampler: starting…")
            return
        self._cost_shown = True
        self.cost_label.setText(
            f"Sampler cost: {sampler.cost_per_sample_s * 1000:.2f} ms CPU per sample, "
            f"{sampler.core_percent:.2f} % of one core (every {sampler.interval:g} s)")

    # ---- run history ---------------------------------------------------------------
    def poll_history(self, force: bool = False) -> None:
        """Read the runs overlapping the window and mark them on the time axis."""
        db = self.ctx.db
        if db is None or (self.markers_busy and not force):
            return
        self.markers_busy = True
        now, window = time.time(), self.live.window_s

        def work(_handle):
            from ...engine.monitor.history import DatabaseHistory, timeline_markers

            runs = DatabaseHistory(db).runs(since=_utc(now - window - MARKER_LOOKBACK_S))
            return runs, timeline_markers(runs, now - window, now + 3600)

        def done(result):
            runs, markers = result
            self.live.markers.set_markers(markers)
            signature = tuple((r.run_id, r.state) for r in runs)
            if signature != self._run_signature:
                self._run_signature = signature
                self.refresh_analytics()

        start_worker(work, on_finished=done, on_done=lambda: setattr(self, "markers_busy", False))

    def refresh_analytics(self) -> None:
        """Runs, success trend, alerts and insights of the last ANALYTICS_DAYS days."""
        db = self.ctx.db
        if db is None:
            return
        if self.analytics_busy:  # the running read may predate what changed: read again after it
            self._analytics_again = True
            return
        self.analytics_busy = True
        self._analytics_again = False
        now = dt.datetime.now(dt.timezone.utc)

        def work(_handle):
            from ...engine.monitor.alerts import AlertLog, check_failure_rate
            from ...engine.monitor.analytics import analyze
            from ...engine.monitor.history import DatabaseHistory
            from ...engine.monitor.settings import FAILURE_RATE, load_thresholds

            since = now - dt.timedelta(days=ANALYTICS_DAYS)
            runs = DatabaseHistory(db).runs(since=since)
            try:  # keeps the run-failure-rate alert current before the log is read
                check_failure_rate(db, runs)
            except Exception as exc:  # noqa: BLE001 - a read-only database still shows analytics
                log.warning("cannot evaluate the run failure rate: %s", exc)
            alert_log = AlertLog(db)
            alerts = alert_log.history(limit=500)
            in_period = [a for a in alerts if a.ended_at is None or a.ended_at >= since]
            thresholds = load_thresholds(db)
            insights = analyze(runs, now=now, since=since, alerts=in_period,
                               failure_warning=thresholds[FAILURE_RATE].warning)
            return runs, alerts, insights, thresholds

        start_worker(work, on_finished=self._analytics_loaded,
                     on_failed=lambda msg, _u: self.insights_view.details.setText(f"Cannot read analytics: {msg}"),
                     on_done=self._analytics_done)

    def _analytics_done(self) -> None:
        self.analytics_busy = False
        if self._analytics_again:
            self.refresh_analytics()

    def _analytics_loaded(self, result) -> None:
        from ...engine.monitor.history import failure_rate

        runs, alerts, insights, thresholds = result
        self.runs = list(reversed(runs))  # newest first in the picker
        self.insights = insights
        rate = failure_rate(runs)         # the runs the failure-rate alert is over, as the CLI says
        self.alerts_view.set_alerts(alerts, thresholds, rated_runs=rate[1] if rate else None)
        self.trend.set_points(insights.success_trend)
        self.trend_card.refresh_table()
        self.insights_view.set_insights(insights, ANALYTICS_DAYS)
        current = self.run_combo.currentData()
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for r in self.runs:
            started = r.started.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            self.run_combo.addItem(f"#{r.run_id} {r.system}: {state_word(r.state)}, {started}", r.run_id)
        idx = self.run_combo.findData(current) if current is not None else -1
        self.run_combo.setCurrentIndex(idx if idx >= 0 else (0 if self.runs else -1))
        self.run_combo.blockSignals(False)
        self._on_run_selected(self.run_combo.currentIndex())

    def _on_run_selected(self, index: int) -> None:
        run_id = self.run_combo.itemData(index) if index >= 0 else None
        run = next((r for r in self.runs if r.run_id == run_id), None)
        self.step_bars.set_run(run)
        self.steps_card.refresh_table()

    def navigate(self, run_id=None, **_kwargs) -> None:
        """Show a run's steps (e.g. from the Pipeline surface)."""
        if run_id is not None:
            self.tabs.setCurrentIndex(1)
            idx = self.run_combo.findData(str(run_id))
            if idx >= 0:
                self.run_combo.setCurrentIndex(idx)

    # ---- report --------------------------------------------------------------------
    def _ask_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Write the monitoring report", "arxconsole-report.html",
                                              "HTML (*.html)")
        if path:
            self.write_report(path)

    def write_report(self, path: str) -> None:
        db = self.ctx.db
        health = self.monitor.last_report if self.monitor is not None else None
        self.report_button.setEnabled(False)

        def work(_handle):
            from ...engine.monitor import report
            from ...engine.monitor.history import DatabaseHistory

            since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=REPORT_DAYS)
            data = report.collect(db, DatabaseHistory(db).runs(since=since), days=REPORT_DAYS, health=health)
            return report.write_html(path, data)

        def failed(message: str, _user: bool) -> None:
            QMessageBox.warning(self, "Cannot write the report", message)

        start_worker(work, on_finished=lambda p: self.hover_label.setText(f"Report written to {p}"),
                     on_failed=failed, on_done=lambda: self.report_button.setEnabled(True))
