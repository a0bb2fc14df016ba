"""Metrics surface over the history: alert log, insights, step bars, success trend,
HTML report.  Histories are built in the database the way the engine writes them."""

from __future__ import annotations

import csv
import datetime as dt
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from arxconsole.engine.monitor.alerts import AlertEngine, AlertLog
from arxconsole.engine.monitor.settings import CPU, MEMORY, Threshold

from .test_metrics_live import make_run


@pytest.fixture
def page(main_window, qtbot):
    main_window.show_surface("metrics")
    page = main_window.surface("metrics")
    qtbot.waitUntil(lambda: not page.loading and not page.analytics_busy, timeout=10_000)
    return page


def refresh(page, qtbot, runs=0):
    """Press Refresh and wait until the surface shows a history of ``runs`` runs."""
    qtbot.mouseClick(page.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.analytics_busy and page.insights is not None and page.insights.runs == runs,
                    timeout=10_000)


def local(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def test_alert_log_shows_a_raised_and_resolved_alert_and_an_active_one(page, qtbot, tmp_path, monkeypatch):
    db = page.ctx.db
    engine = AlertEngine({CPU: Threshold(80, 95, 10, 30), MEMORY: Threshold(85, 95, 5, 30)})
    t0 = int(time.time()) - 3600
    events = []
    for i in range(40):
        events += engine.observe(CPU, t0 + i, 97.0 if i != 20 else 99.0)
    for i in range(40, 80):
        events += engine.observe(CPU, t0 + i, 50.0)
    for i in range(40):
        events += engine.observe(MEMORY, t0 + 100 + i, 90.0)
    assert [e.kind for e in events] == ["raised", "resolved", "raised"]
    AlertLog(db).persist(engine, events)

    refresh(page, qtbot)
    page.tabs.setCurrentIndex(3)
    assert page.alerts_view.isVisible()
    rows = page.alerts_view.row_texts()
    headers = [page.alerts_view.horizontalHeaderItem(c).text() for c in range(page.alerts_view.columnCount())]
    assert headers == ["Metric", "Level", "Started", "Ended", "Peak", "Message"]
    by_metric = {r[0]: r for r in rows}
    cpu = by_metric["CPU"]
    assert cpu[1] == "Critical" and cpu[2] == local(t0)
    assert cpu[3] == local(t0 + 40 + 30) and cpu[4] == "99 %"
    assert cpu[5].startswith("CPU at 97 %: at or above critical level 95 %")
    mem = by_metric["Memory"]
    assert mem[1] == "Warning" and mem[3] == "active" and mem[4] == "90 %"
    # An active alert says where it stands now and where it resolves (the stored message
    # quotes the value it was raised at), the same words as the CLI and the status bar.
    assert mem[5].startswith("memory alert (warning) raised at ") and "now 90 %" in mem[5]
    assert mem[5].endswith("(warning level 85 %, resolves below 80 %)")
    # Level is an icon *and* a word.
    row = rows.index(cpu)
    assert not page.alerts_view.item(row, 1).icon().isNull()
    # The log exports as CSV with what the table shows.
    target = tmp_path / "alerts.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.alerts_csv_button, Qt.LeftButton)


    exported = list(csv.reader(target.open()))
    assert exported[0] == headers and exported[1:] == rows


def test_a_live_alert_event_refreshes_the_log(page, qtbot):
    db = page.ctx.db
    engine = AlertEngine({CPU: Threshold(80, 95, 10, 0)})
    t = time.time()
    events = engine.observe(CPU, t, 88.0)
    AlertLog(db).persist(engine, events)
    page.ctx.status_monitor.alertEvent.emit(events[0])
    qtbot.waitUntil(lambda: any(r[0] == "CPU" and r[3] == "active" for r in page.alerts_view.row_texts()),
                    timeout=10_000)


def build_history(db, now):
    """4 electrical runs: 1 succeeds, 3 fail a security check at compliance."""
    steps_ok = [("define-schema", "succeeded", 0.5, ()), ("add-symbols", "succeeded", 1.0, ()),
                ("documentation", "succeeded", 6.0, ()), ("compliance", "succeeded", 2.0, ())]
    steps_bad = steps_ok[:3] + [("compliance", "failed", 2.0, ("compliance.svg_security",))]
    ids = [make_run(db, "electrical", "succeeded", now - 3 * 86400, steps_ok)]
    for day in (2, 1):
        ids.append(make_run(db, "electrical", "rolled_back", now - day * 86400, steps_bad))
    ids.append(make_run(db, "electrical", "failed", now - 3600, steps_bad))
    ids.append(make_run(db, "fire_alarm", "succeeded", now - 86400, steps_ok))
    return ids


def test_insights_state_the_numbers_that_triggered_them(page, qtbot):
    now = time.time()
    ids = build_history(page.ctx.db, now)
    refresh(page, qtbot, runs=5)
    page.tabs.setCurrentWidget(page.insights_view)
    text = page.insights_view.text()
    assert "5 runs in the last 30 days" in page.insights_view.heading.text()
    assert "Check compliance.svg_security failed in 3 of 5 runs (60 %)" in text
    assert "System electrical succeeded in 25 % of runs (1 of 4)" in text
    # documentation: 6 s of every 9.5 s run
    assert "Step documentation is the slowest: median 6.0 s over 5 runs, 63 % of run time" in text
    assert "documentation: median 6.0 s, p95 6.0 s, max 6.0 s over 5 runs, 63 % of run time" in text
    assert "electrical: 25 % succeeded (1 of 4; 0 cancelled)" in text
    assert "fire_alarm: 100 % succeeded (1 of 1; 0 cancelled)" in text
    words = [c.findChildren(type(page.insights_view.heading))[1].text() for c in page.insights_view.cards]
    assert "<b>Warning</b>" in words
    assert len(ids) == 5


def test_the_failure_rate_alert_says_over_how_many_runs(page, qtbot):
    # 3 of 5 runs failed: the alert is raised on Refresh and quotes the 5 runs there are,
    # as the CLI and the status bar do (not "of the last 20")
    build_history(page.ctx.db, time.time())
    refresh(page, qtbot, runs=5)
    page.tabs.setCurrentWidget(page.alerts_view)
    rows = [r for r in page.alerts_view.row_texts() if r[0] == "Run failure rate"]
    assert rows and rows[0][3] == "active"
    assert "now 60 % of the last 5 finished runs" in rows[0][5]


def test_step_bars_for_the_selected_run(page, qtbot):
    now = time.time()
    ids = build_history(page.ctx.db, now)
    refresh(page, qtbot, runs=5)
    page.tabs.setCurrentIndex(1)
    combo = page.run_combo
    assert combo.count() == 5
    assert combo.itemData(0) == ids[3]  # newest start first (an hour ago)
    idx = combo.findData(ids[1])
    assert "electrical: Rolled back" in combo.itemText(idx)
    combo.setCurrentIndex(idx)
    bars = page.step_bars.bars
    heights = list(bars.opts["height"])
    assert heights[:6] == [0.5, 1.0, 0.0, 0.0, 6.0, 2.0]  # pipeline order; steps that did not run: 0
    ticks = page.step_bars.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks][5] == "compliance\nFailed"
    assert [label for _, label in ticks][0] == "define-schema\nSucceeded"
    assert "Rolled back" in page.step_bars.getPlotItem().titleLabel.text
    card = page.steps_card
    qtbot.mouseClick(card.table_button, Qt.LeftButton)
    model = card.table.model()
    cells = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert cells[5] == ["compliance", "Failed", "2.000", "1", "1", "compliance.svg_security"]
    assert cells[2][1] == "Pending" and cells[2][2] == ""


def test_success_trend_has_a_line_per_system_and_its_table(page, qtbot, tmp_path, monkeypatch):
    now = time.time()
    build_history(page.ctx.db, now)
    refresh(page, qtbot, runs=5)
    trend = page.trend
    assert sorted(trend.curves) == ["electrical", "fire_alarm"]
    x, y = trend.curves["electrical"].getData()
    assert len(x) == len(y) >= 3
    assert np.all(np.diff(x) > 0)
    assert y[0] == 100.0 and 0.0 in y
    target = tmp_path / "trend.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.trend_card.csv_button, Qt.LeftButton)
    lines = target.read_text().splitlines()
    assert lines[0] == "system,day,runs,succeeded,success_%"
    days = {p.system + p.day.isoformat(): p for p in trend.points}
    assert len(lines) - 1 == len(days)
    fa = [line for line in lines if line.startswith("fire_alarm,")]
    assert len(fa) == 1 and fa[0].endswith(",1,1,100.0")


def test_navigate_to_a_run_shows_its_steps(page, qtbot):
    ids = build_history(page.ctx.db, time.time())
    refresh(page, qtbot, runs=5)
    page.ctx.navigate("metrics", run_id=ids[0])
    assert page.tabs.currentIndex() == 1
    assert page.step_bars.run.run_id == ids[0]


def test_html_report_is_written(page, qtbot, tmp_path, monkeypatch, messages):
    build_history(page.ctx.db, time.time())
    target = tmp_path / "report.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.report_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.report_button.isEnabled() and target.exists(), timeout=15_000)
    html = target.read_text()
    assert "ArxConsole monitoring report" in html and "compliance.svg_security" in html
    assert str(target) in page.hover_label.text()
    # A folder is not a file name: said plainly, nothing written.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path), ""))
    qtbot.mouseClick(page.report_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=15_000)
    kind, title, text = messages[-1]
    assert kind == "warning" and title == "Cannot write the report"
    assert text == f"cannot write {tmp_path}: {tmp_path} is a folder, not a file"
