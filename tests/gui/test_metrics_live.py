"""Metrics surface, live charts: windows, live samples, markers, table, export, theme.
Driven like a user on the real main window (its real sampler keeps running)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from arxconsole.engine.monitor.metrics import MetricsStore
from arxconsole.engine.monitor.sampler import Sample
from arxconsole.engine.monitor.settings import CPU, DISK, MEMORY, PROCESS_CPU, PROCESS_RSS
from arxconsole.engine.pipeline.history import RunHistory
from arxconsole.engine.pipeline.states import STEP_IDS

ALL = (CPU, PROCESS_CPU, MEMORY, DISK, PROCESS_RSS)


def record(db, times, value_of):
    MetricsStore(db).record([(name, t, value_of(name, t)) for t in times for name in ALL])


def make_run(db, system, state, start, steps):
    """A finished run in the pipeline's own tables; ``steps`` = [(step, state, seconds, failed checks)]."""
    hist = RunHistory(db)
    run_id = hist.create_run(workspace="/ws", system=system, object_type="", mode="new_system", dry_run=False,
                             step_by_step=False, from_step="", only_step="", retry_of=None, actor="test",
                             steps={s: ("pending", 1) for s in STEP_IDS})
    t = start
    for step, st_state, seconds, failed in steps:
        checks = [{"name": c, "passed": False} for c in failed] + [{"name": f"{step}.ok", "passed": True}]
        hist.update_step(run_id, step, state=st_state, started_at=t, ended_at=t + seconds, duration=seconds,
                         checks=checks, counts={"error": len(failed), "warning": 1})
        t += seconds
    hist.update_run(run_id, state=state, started_at=start, ended_at=t, duration=t - start)
    return str(run_id)


@pytest.fixture
def page(main_window, qtbot):
    main_window.show_surface("metrics")
    page = main_window.surface("metrics")
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)
    return page


def click_window(page, qtbot, label):
    button = next(b for b in page.window_buttons.values() if b.text() == label)
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.loading, timeout=10_000)
    assert button.isChecked()
    page.live.redraw()


def curve_xy(page, name):
    x, y = page.live.curves[name].getOriginalDataset()
    return np.asarray(x), np.asarray(y)


def test_surface_is_in_the_rail_and_shows_the_window_choices(main_window, page):
    titles = [main_window.rail.item(i).text() for i in range(main_window.rail.count())]
    assert "Metrics" in titles
    assert [b.text() for b in page.window_buttons.values()] == ["1 min", "10 min", "1 h", "24 h"]
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        "Live resources", "Run steps", "Success trend", "Alerts", "Insights"]


def test_switching_windows_changes_the_plotted_range_and_points(page, qtbot):
    db = page.ctx.db
    now = time.time()
    recent = [now - 40 + i for i in range(10)]           # inside every window
    hour_ago = [now - 1800 + i for i in range(5)]         # inside 1 h and 24 h
    five_h = [now - 5 * 3600 + i for i in range(5)]       # only inside 24 h
    record(db, recent, lambda n, t: 11.0)
    record(db, hour_ago, lambda n, t: 33.0)
    record(db, five_h, lambda n, t: 77.0)

    click_window(page, qtbot, "1 min")
    x, y = curve_xy(page, CPU)
    x0, x1 = page.live.plots[0].getViewBox().viewRange()[0]
    assert x1 - x0 == pytest.approx(60, abs=0.5)
    assert x.min() >= now - 62
    assert 11.0 in y[np.isin(x, recent)] and len(np.intersect1d(x, recent)) == 10
    assert 33.0 not in y and 77.0 not in y

    click_window(page, qtbot, "1 h")
    x, y = curve_xy(page, MEMORY)
    assert page.live.window_s == 3600
    assert len(np.intersect1d(x, hour_ago)) == 5 and 77.0 not in y

    click_window(page, qtbot, "24 h")
    x, y = curve_xy(page, DISK)
    x0, x1 = page.live.plots[0].getViewBox().viewRange()[0]
    assert x1 - x0 == pytest.approx(86400, abs=1)
    # 24 h comes from per-minute means: the 5 h old samples are one or two buckets of 77.
    old = (x >= five_h[0] - 60) & (x <= five_h[-1])
    assert 1 <= old.sum() <= 2 and np.allclose(y[old], 77.0)
    assert np.all(np.diff(x[:old.sum() + 3]) > 0)
    assert page.ctx.settings.value("metrics/window_s") in (86400, "86400")


def test_live_samples_from_the_shell_sampler_are_appended(page, qtbot):
    monitor = page.ctx.status_monitor
    assert monitor.sampler is not None and monitor.sampler.running  # the shell's, not ours
    ts = time.time() + 0.5
    monitor.sampleTaken.emit(Sample(ts, {CPU: 42.5, PROCESS_CPU: 1.5, MEMORY: 50.0, DISK: 60.0, PROCESS_RSS: 123.0}))
    page.live.redraw()
    x, y = curve_xy(page, CPU)
    assert ts in x and y[list(x).index(ts)] == 42.5
    _, rss = curve_xy(page, PROCESS_RSS)
    assert 123.0 in rss
    # Real samples keep coming in without anyone redrawing by hand (the timer does it).
    before = page.live.redraws
    qtbot.waitUntil(lambda: page.live.redraws > before, timeout=5000)


def test_sampler_cost_is_shown(page, qtbot):
    qtbot.waitUntil(lambda: "ms CPU per sample" in page.cost_label.text(), timeout=10_000)
    assert "% of one core" in page.cost_label.text()


def test_threshold_lines_are_drawn_where_the_settings_say(page, qtbot):
    from arxconsole.engine.monitor.settings import set_threshold

    cpu = [line.value() for line in page.live.threshold_lines[CPU]]
    assert cpu == [80, 95]
    assert [line.label.toPlainText() for line in page.live.threshold_lines[CPU]] == ["warning 80 %", "critical 95 %"]
    assert [line.value() for line in page.live.threshold_lines[MEMORY]] == [85, 95]
    set_threshold(page.ctx.db, CPU, warning=70)
    qtbot.mouseClick(page.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: [line.value() for line in page.live.threshold_lines[CPU]] == [70, 95], timeout=10_000)
    drawn = [i for i in page.live.plots[0].items if i.__class__.__name__ == "InfiniteLine" and i.angle == 0]
    assert sorted(i.value() for i in drawn) == [70, 95]  # the old lines are gone


def test_hovering_a_run_marker_names_the_run_and_step(page, qtbot):
    now = time.time()
    run_id = make_run(page.ctx.db, "electrical", "succeeded", now - 30,
                      [("define-schema", "succeeded", 4.0, ()), ("add-symbols", "succeeded", 8.0, ()),
                       ("implement-behavior", "succeeded", 6.0, ())])
    click_window(page, qtbot, "1 min")
    qtbot.waitUntil(lambda: any(m.run_id == run_id for m in page.live.markers.markers), timeout=10_000)
    page.live.redraw()
    # The method behind hovering: the time in the middle of add-symbols.
    text = page.live.markers.text_at(now - 22)
    assert f"Run #{run_id} (electrical): Succeeded" in text and "Step add-symbols: Succeeded" in text
    assert "define-schema" not in text
    # Like a user: move the mouse there; the label under the chart and the tooltip say it.
    view = page.live
    point = view.mapFromScene(view.scene_pos_for(now - 22, row=0))
    QTest.mouseMove(view.viewport(), point)
    qtbot.waitUntil(lambda: "Step add-symbols" in page.hover_label.text(), timeout=10_000)
    assert f"Run #{run_id}" in page.hover_label.text()
    assert "Step add-symbols" in view.toolTip()
    # Away from any run the label goes back to the explanation.  "Away" is a moment ago:
    # the run ended 12 s before the test began, and the 1 min window scrolls with the
    # clock, so a point fixed at the test's start could have scrolled out of the chart.
    QTest.mouseMove(view.viewport(), view.mapFromScene(view.scene_pos_for(time.time() - 2, row=0)))
    qtbot.waitUntil(lambda: "hover one to see which" in page.hover_label.text(), timeout=10_000)


def test_leaving_the_charts_clears_the_hovered_run(page, qtbot):
    now = time.time()
    make_run(page.ctx.db, "electrical", "succeeded", now - 30, [("define-schema", "succeeded", 4.0, ()),
                                                               ("add-symbols", "succeeded", 8.0, ())])
    click_window(page, qtbot, "1 min")
    qtbot.waitUntil(lambda: bool(page.live.markers.markers), timeout=10_000)
    page.live.redraw()
    view = page.live
    QTest.mouseMove(view.viewport(), view.mapFromScene(view.scene_pos_for(now - 22, row=0)))
    qtbot.waitUntil(lambda: "Step add-symbols" in page.hover_label.text(), timeout=10_000)
    # The scene reports moves only while the mouse is over it: leaving must clear the label.
    QApplication.sendEvent(view, QEvent(QEvent.Leave))
    assert "hover one to see which" in page.hover_label.text() and view.toolTip() == ""


def test_a_run_started_while_the_surface_is_open_appears(page, qtbot):
    click_window(page, qtbot, "10 min")
    hist = RunHistory(page.ctx.db)
    run_id = hist.create_run(workspace="/ws", system="fire_alarm", object_type="", mode="new_system",
                             dry_run=True, step_by_step=False, from_step="", only_step="", retry_of=None,
                             actor="test", steps={s: ("pending", 1) for s in STEP_IDS})
    started = time.time()
    hist.update_run(run_id, state="running", started_at=started)
    hist.update_step(run_id, "define-schema", state="running", started_at=started)
    qtbot.waitUntil(lambda: any(m.run_id == str(run_id) and not m.step_id for m in page.live.markers.markers),
                    timeout=10_000)
    assert "Running" in page.live.markers.text_at(started + 0.1, now=started + 1)
    assert "so far" in page.live.markers.text_at(started + 0.1, now=started + 1)
    qtbot.waitUntil(lambda: page.run_combo.findData(str(run_id)) >= 0, timeout=10_000)


def test_table_toggle_shows_the_plotted_numbers(page, qtbot):
    now = time.time()
    record(page.ctx.db, [now - 50 + i for i in range(5)], lambda n, t: 10.0 + (t % 7))
    click_window(page, qtbot, "1 min")
    card = page.live_card
    qtbot.mouseClick(card.table_button, Qt.LeftButton)
    assert card.table_shown and card.table.isVisible() and card.table_button.text() == "Show chart"
    model = card.table.model()
    headers = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert headers == ["time", "epoch_s", "CPU (%)", "Console CPU (%)", "Memory (%)", "Disk (%)",
                       "Console memory (MB)"]
    x, y = curve_xy(page, CPU)
    rows = {model.index(r, 1).data(): model.index(r, 2).data() for r in range(model.rowCount())}
    for t, v in zip(x, y):
        if np.isfinite(v):
            assert rows[f"{t:.0f}"] == f"{v:.1f}"
    shown = dt.datetime.fromtimestamp(x[0]).strftime("%Y-%m-%d %H:%M:%S")
    assert model.index(0, 0).data() == shown
    qtbot.mouseClick(card.table_button, Qt.LeftButton)
    assert not card.table_shown and card.chart.isVisible()


def test_export_csv_holds_the_stored_samples(page, qtbot, tmp_path, monkeypatch):
    db = page.ctx.db
    now = time.time()
    times = [now - 1500 + i * 0.5 for i in range(20)]
    record(db, times, lambda n, t: {CPU: 12.25, MEMORY: 45.5}.get(n, 3.0) + (t - times[0]))
    click_window(page, qtbot, "1 h")
    target = tmp_path / "cpu.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "cpu"), "CSV (*.csv)"))
    qtbot.mouseClick(page.live_card.csv_button, Qt.LeftButton)
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == ["time", "epoch_s", "CPU (%)", "Console CPU (%)", "Memory (%)", "Disk (%)",
                       "Console memory (MB)"]
    by_time = {float(r[1]): r for r in rows[1:]}
    stored = MetricsStore(db).series(CPU, now - 1600, now - 1400, resolution="raw")
    assert len(stored) == 20
    for t, v in zip(stored.t, stored.value):
        row = by_time[float(t)]
        assert float(row[2]) == v
        assert float(row[4]) == pytest.approx(v - 12.25 + 45.5)
        assert row[0] == dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


def test_export_to_an_impossible_path_says_so(page, qtbot, tmp_path, monkeypatch, messages):
    (tmp_path / "afile").write_text("not a folder")
    bad = tmp_path / "afile" / "x.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(bad), ""))
    qtbot.mouseClick(page.live_card.csv_button, Qt.LeftButton)
    kind, title, text = messages[-1]
    assert kind == "warning" and title == "Cannot export CSV"
    assert text == f"cannot write {bad}: {tmp_path / 'afile'} is a file, not a folder"   # not "File exists"
    assert not bad.exists()


def test_export_png_writes_a_picture_of_the_chart(page, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    target = tmp_path / "resources.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.live_card.png_button, Qt.LeftButton)
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() == page.live.width() and image.height() == page.live.height()


def test_charts_follow_dark_and_light(page, qtbot):
    from arxconsole.gui.theme import apply_theme

    app = QApplication.instance()
    bars, trend = page.step_bars, page.trend

    def bg(widget):
        return widget.backgroundBrush().color().name()

    assert bg(page.live) == "#ffffff"
    try:
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: bg(page.live) == "#1e2227", timeout=3000)
        assert bg(bars) == "#1e2227" and bg(trend) == "#1e2227"
        axis = page.live.plots[0].getAxis("left")
        assert axis.textPen().color().name() == "#e6e6e6"
    finally:
        apply_theme(app, "light")
    qtbot.waitUntil(lambda: bg(page.live) == "#ffffff", timeout=3000)
    assert page.live.plots[0].getAxis("left").textPen().color().name() == "#222222"


def test_demo_journey_a_real_run_is_marked_step_by_step_on_the_cpu_chart(main_window, page, qtbot):
    """SPEC journey 4: start a pipeline run on the demo; the CPU chart keeps moving and
    the run's steps are marked on its time axis, each named when hovered."""
    from arxconsole.engine.pipeline.request import RunRequest
    from arxconsole.engine.pipeline.runner import PipelineRunner

    main_window.open_demo()
    ws = page.ctx.workspace
    assert ws is not None
    main_window.show_surface("metrics")
    click_window(page, qtbot, "1 min")
    qtbot.waitUntil(lambda: len(page.live.ring) >= 2, timeout=10_000)  # the chart is already moving
    runner = PipelineRunner(ws, page.ctx.db, RunRequest("electrical", dry_run=True), data_dir=page.ctx.data_dir)
    runner.run()
    run_id = str(runner.run_id)
    qtbot.waitUntil(lambda: sum(m.run_id == run_id for m in page.live.markers.markers) == 1 + len(STEP_IDS),
                    timeout=10_000)
    run = next(m for m in page.live.markers.markers if m.run_id == run_id and not m.step_id)
    assert run.state == "succeeded" and run.end is not None
    # Samples keep arriving after the run: the chart covers it.
    qtbot.waitUntil(lambda: page.live.latest_time() is not None and page.live.latest_time() > run.end + 1,
                    timeout=10_000)
    page.live.redraw()
    x, _ = curve_xy(page, CPU)
    assert x.min() < run.start
    steps = [m for m in page.live.markers.markers if m.run_id == run_id and m.step_id]
    assert [m.step_id for m in steps] == list(STEP_IDS)
    middle = steps[1].start + (steps[1].end - steps[1].start) / 2
    text = page.live.markers.text_at(middle)
    assert f"Run #{run_id} (electrical): Succeeded" in text and f"Step {STEP_IDS[1]}" in text
