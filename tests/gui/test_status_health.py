"""The status bar's health item while a monitor alert is active (SPEC §6, §9: health is
icon + word + a tooltip saying why)."""

from __future__ import annotations

import time

from tests.engine.pipeline_helpers import record_runs


def test_health_is_degraded_while_the_failure_rate_alert_is_active_then_healthy_again(main_window, qtbot):
    monitor = main_window.status_monitor
    health = main_window.status_items["health"]
    qtbot.waitUntil(lambda: monitor.last_report is not None, timeout=10000)
    components_word = monitor.last_report.component_status.value.capitalize()

    # 40 % of 5 runs
    record_runs(main_window.ctx.db, ["failed", "rolled_back"] + ["succeeded"] * 3, time.time() - 600)
    monitor.refresh()
    qtbot.waitUntil(lambda: "active alert:" in health.toolTip(), timeout=10000)
    # Never plain "Healthy" while the alert is open: Degraded (or worse, if a component is).
    assert health.text_label.text() == ("Degraded" if components_word == "Healthy" else components_word)
    first = health.toolTip().splitlines()[0]
    assert first.startswith("active alert: run failure rate alert (critical) raised at ")
    assert "now 40 % of the last 5 finished runs" in first      # only 5 exist
    assert "database:" in health.toolTip() and "disk:" in health.toolTip()   # the components still listed

    # 0 % of the last 20: resolves
    record_runs(main_window.ctx.db, ["succeeded"] * 20, time.time() - 600)
    monitor.refresh()
    qtbot.waitUntil(lambda: "active alert" not in health.toolTip(), timeout=10000)
    assert health.text_label.text() == monitor.last_report.component_status.value.capitalize()
    assert monitor.last_report.alerts == ()
