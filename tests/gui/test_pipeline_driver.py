"""The run driver between two runs: a run started the moment the last one finished
keeps its runner (the last run's late ``done`` is not its own)."""

from __future__ import annotations

import logging

from .test_pipeline_surface import demo, states, surface, wait_idle  # noqa: F401 - fixtures


def test_a_run_started_as_the_last_one_finishes_is_driven_to_its_end(surface, qtbot, caplog):
    started = []

    def again(_result):
        if not started:                   # still inside the first run's `finished`: its `done` is to come
            started.append(surface.start_run(dry_run=True))

    surface.driver.finished.connect(again)
    with caplog.at_level(logging.ERROR):
        assert surface.start_run(dry_run=True)
        qtbot.waitUntil(lambda: bool(started) and not surface.driver.active and surface._loader is None,
                        timeout=30_000)
        wait_idle(qtbot, surface)
    assert started == [True]
    assert surface.run["state"] == "succeeded" and surface.runs.rowCount() == 2
    assert list(states(surface).values()) == ["Succeeded"] * 6
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
