"""The status bar's health item while a monitor alert is active (SPEC §6, §9: health is
icon + word + a tooltip saying why)."""

from __future__ import annotations

import time

from arxconsole.engine.pipeline import RunHistory
from arxconsole.engine.pipeline.states import STEP_IDS


def add_runs(db, states):
    history = RunHistory(db)
    t0 = time.time() - 600
    for i, state in enumerate(states):
        run_id = history.create_run(workspace="/ws", system="electrical", object_type="", mode="new_system",
                                    dry_run=False, step_by_step=False, from_step="", only_step="", retry_of=None,
                                    actor="t", steps={s: ("succeeded", 1) for s in STEP_IDS})
        history.update_run(run_id, state=state, started_at=t0 + i, ended_at=t0 + i + 0.5)


def test_health_is_degraded_while_the_failure_rate_alert_is_active_then_healthy_again(main_window, qtbot):
    monitor = main_window.status_monitor
    health = main_window.status_items["health"]
    qtbot.waitUntil(lambda: monitor.last_report is not None, timeout=10000)
    components_word = monitor.last_report.component_status.value.capitalize()

    add_runs(main_window.ctx.db, ["failed", "rolled_back"] + ["succeeded"] * 3)      # 40 % of 5 runs
    monitor.refresh()
    qtbot.waitUntil(lambda: "active alert:" in health.toolTip(), timeout=10000)
    # Never plain "Healthy" while the alert is open: Degraded (or worse, if a component is).
    assert health.text_label.text() == ("Degraded" if components_word == "Healthy" else components_word)
    first = health.toolTip().splitlines()[0]
    assert first.startswith("active alert: run failure rate alert (critical) raised at ")
    assert "now 40 % of the last 20 finished runs" in first
    assert "database:" in health.toolTip() and "disk:" in health.toolTip()   # the components still listed

    add_runs(main_window.ctx.db, ["succeeded"] * 20)                            # 0 % of the last 20: resolves
    monitor.refresh()
    qtbot.waitUntil(lambda: "active alert" not in health.toolTip(), timeout=10000)
    assert health.text_label.text() == monitor.last_report.component_status.value.capitalize()
    assert monitor.last_report.alerts == ()
