"""SPEC §9 journey 4 — demo.  ``arxconsole --demo`` opens on a populated workspace (run
history and backups); starting a pipeline run makes the CPU chart move with the run's
steps marked on its time axis; the analytics page names the slowest step, with its
number.  Also: ``python -m arxconsole --demo --screenshot X.png`` writes a PNG."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from arxconsole.engine.monitor.analytics import fmt_seconds
from arxconsole.engine.monitor.settings import CPU
from arxconsole.engine.pipeline.history import RunHistory
from arxconsole.engine.pipeline.states import STEP_IDS

from .conftest import click_tab, wait_for_demo_history

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_window(qtbot, data_dir, messages):
    """What ``arxconsole --demo`` builds: the data dir's demo workspace, created on first
    use, opened at start-up, its history seeded in the background."""
    from arxconsole.app import build_main_window, finish_startup
    from arxconsole.engine.demo import ensure_demo_workspace

    path = ensure_demo_workspace(data_dir.demo_workspace)
    window, ctx = build_main_window(data_dir, path, defer=True)
    qtbot.addWidget(window)
    window.show()
    finish_startup(window)
    yield window
    from arxconsole.gui.workers import wait_for_workers

    pipeline = window.surface("pipeline")
    pipeline.driver.cancel()
    pipeline.wait_until_idle()
    wait_for_workers()
    window.status_monitor.stop()
    ctx.close_workspace(emit=False)
    ctx.db.close()


def test_demo_opens_populated_and_a_run_is_marked_on_the_cpu_chart(demo_window, qtbot):
    window = demo_window
    ws = window.ctx.workspace
    assert ws is not None and ws.root == window.ctx.data_dir.demo_workspace.resolve()
    assert window.ws_name.text() == ws.root.name
    wait_for_demo_history(qtbot, window)

    # populated: the Pipeline surface lists past runs, Backups lists a backup
    window.show_surface("pipeline")
    page = window.surface("pipeline")
    qtbot.waitUntil(lambda: page.runs.rowCount() >= 4 and page._loader is None, timeout=30_000)
    seeded_runs = page.runs.rowCount()
    history_states = set(page.runs.column_texts(1))
    assert "Succeeded" in history_states and "Rolled back" in history_states
    window.show_surface("backups")
    backups = window.surface("backups")
    qtbot.waitUntil(lambda: backups.model.rowCount() >= 1 and backups.worker is None, timeout=30_000)
    # and the header/status bar show it too
    assert window.status_items["backup"].text_label.text()

    # the Metrics chart is live before the run: samples keep arriving
    window.show_surface("metrics")
    metrics = window.surface("metrics")
    one_min = next(b for b in metrics.window_buttons.values() if b.text() == "1 min")
    qtbot.mouseClick(one_min, Qt.LeftButton)
    qtbot.waitUntil(lambda: not metrics.loading and len(metrics.live.ring) >= 2, timeout=15_000)
    first = metrics.live.latest_time()

    # start a pipeline run from the Pipeline surface
    window.show_surface("pipeline")
    page.system_combo.setCurrentText("electrical")
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.driver.active and page._loader is None and page.run is not None, timeout=60_000)
    assert page.run["state"] == "succeeded"
    run_id = str(page.run["run_id"])
    assert page.runs.rowCount() == seeded_runs + 1

    # back on Metrics: the run and each of its six steps are marked on the time axis
    window.show_surface("metrics")
    assert window.stack.currentWidget() is metrics
    qtbot.waitUntil(lambda: sum(m.run_id == run_id for m in metrics.live.markers.markers) == 1 + len(STEP_IDS),
                    timeout=20_000)
    run = next(m for m in metrics.live.markers.markers if m.run_id == run_id and not m.step_id)
    assert run.state == "succeeded" and run.end is not None
    steps = [m for m in metrics.live.markers.markers if m.run_id == run_id and m.step_id]
    assert [m.step_id for m in steps] == list(STEP_IDS)
    # the chart moved on past the run, and its CPU curve covers the run
    qtbot.waitUntil(lambda: metrics.live.latest_time() > max(first, run.end) + 1, timeout=20_000)
    metrics.live.redraw()
    x, y = (np.asarray(a) for a in metrics.live.curves[CPU].getOriginalDataset())
    assert len(x) >= 3 and x.min() < run.start and x.max() > run.end
    assert np.isfinite(y).any()
    # hovering a step of the run (the mouse over the CPU chart) names the run and that step
    middle = steps[1].start + (steps[1].end - steps[1].start) / 2
    view = metrics.live
    QTest.mouseMove(view.viewport(), view.mapFromScene(view.scene_pos_for(middle, row=0)))
    qtbot.waitUntil(lambda: f"Run #{run_id}" in metrics.hover_label.text(), timeout=5_000)
    said = metrics.hover_label.text()
    # A pixel is ~50 ms in the 1 min window and a demo step lasts a few ms: the cursor's
    # pixel maps to a time near (not exactly at) the middle of step 2, so the step named is
    # the one nearest to where the cursor really is: one step of this run, named with its state.
    assert f"Run #{run_id} (electrical): Succeeded" in said, said
    named = [sid for sid in STEP_IDS if f"Step {sid}: Succeeded" in said]
    assert len(named) == 1, said

    # the analytics page explains which step is slowest, with its number
    qtbot.mouseClick(metrics.refresh_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not metrics.analytics_busy and metrics.insights is not None
                    and metrics.insights.runs >= seeded_runs + 1, timeout=20_000)
    click_tab(qtbot, metrics.tabs, "Insights")
    said = metrics.insights_view.text()
    # recompute from the recorded history: per step, the median of its durations
    hist = RunHistory(window.ctx.db)
    durations: dict[str, list[float]] = {}
    for r in hist.list_runs(limit=1000):
        for s in hist.steps(r.id):
            if s.duration is not None:
                durations.setdefault(s.step, []).append(s.duration)
    medians = {k: statistics.median(v) for k, v in durations.items()}
    slowest = max(medians, key=lambda k: (medians[k], [-ord(c) for c in k]))
    expected = (f"Step {slowest} is the slowest: median {fmt_seconds(medians[slowest])} "
                f"over {len(durations[slowest])} runs")
    assert expected in said, said


def test_demo_screenshot_writes_a_png(tmp_path):
    out = tmp_path / "demo.png"
    env = {k: v for k, v in os.environ.items() if k != "ARXCONSOLE_DATA_DIR"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--data-dir", str(tmp_path / "data"), "--demo",
                           "--screenshot", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # not a blank picture: the window has more than a couple of colours in it
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 5
    assert (tmp_path / "data" / "demo-workspace" / "arx-symbol-library").is_dir()
