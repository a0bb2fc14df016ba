"""The live log view: batching, filters, whole-log search, follow-the-tail, export."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from arxconsole.engine.pipeline.events import EventKind, PipelineEvent
from arxconsole.gui.logview import BatchInbox, LogModel, LogRecord, LogView, export_records

STEPS = ("define-schema", "add-symbols", "compliance")


def event(i: int, level: str = "info", step: str = "add-symbols", message: str | None = None) -> PipelineEvent:
    return PipelineEvent(EventKind.LOG, 1, i, 1_764_000_000.0 + i / 1000, step, level,
                         message if message is not None else f"line {i}", {"n": i})


def mixed(n: int) -> list[PipelineEvent]:
    levels = ("info", "info", "debug", "warning", "error")
    return [event(i, levels[i % 5], STEPS[i % 3]) for i in range(1, n + 1)]


@pytest.fixture
def view(qtbot):
    v = LogView(interval_ms=10)
    qtbot.addWidget(v)
    v.resize(900, 400)
    v.show()
    qtbot.waitExposed(v)
    return v


def visible_messages(v: LogView) -> list[str]:
    m = v.model
    return [m.data(m.index(r, 3)) for r in range(m.rowCount())]


# ---- model -------------------------------------------------------------------------------
def test_model_passes_qt_model_tester_while_appending_and_filtering(qtmodeltester):
    model = LogModel()
    model.append(mixed(50))
    qtmodeltester.check(model)
    model.set_filter(["error", "warning"], None)
    model.append(mixed(20))
    model.set_filter(None, "compliance")
    qtmodeltester.check(model)
    model.clear()
    qtmodeltester.check(model)


def test_model_shows_time_level_word_and_icon_step_message():
    model = LogModel()
    model.append([event(1, "error", "compliance", "bad <script>"), event(2, "debug", "", "run line")])
    assert model.data(model.index(0, 1)) == "Error"
    assert not model.data(model.index(0, 1), Qt.DecorationRole).isNull()
    assert model.data(model.index(0, 2)) == "compliance"
    assert model.data(model.index(0, 3)) == "bad <script>"
    assert model.data(model.index(1, 1)) == "Debug"          # a word even without an icon
    assert model.data(model.index(1, 2)) == "run"
    assert "n: 1" in model.data(model.index(0, 3), Qt.ToolTipRole)


def test_model_accepts_events_stored_rows_and_dicts():
    class Row:  # the attributes of a stored PipelineLog row
        seq, at, level, step, kind, message, data = 7, 5.0, "warning", "documentation", "log", "stored", {}

    model = LogModel()
    model.append([Row(), {"seq": 8, "at": 6.0, "level": "info", "message": "dict"}, event(9)])
    assert [r.seq for r in model.records()] == [7, 8, 9]
    assert model.record(0).step == "documentation" and model.record(2).kind == "log"


def test_filter_by_level_and_step_and_back(view):
    view.append(mixed(300))
    assert view.model.rowCount() == 300
    view.set_level_shown("info", False)
    view.set_level_shown("debug", False)
    assert {view.model.record(r).level for r in range(view.model.rowCount())} == {"warning", "error"}
    assert view.model.rowCount() == 120
    view.set_step_filter("compliance")
    rows = [view.model.record(r) for r in range(view.model.rowCount())]
    assert rows and all(r.step == "compliance" and r.level in ("warning", "error") for r in rows)
    assert view.count_label.text() == f"{len(rows)} of 300 lines shown"
    # new lines respect the active filter
    view.append([event(1000, "error", "compliance", "late error"), event(1001, "error", "add-symbols")])
    assert visible_messages(view)[-1] == "late error"
    view.set_step_filter(None)
    for lv in ("info", "debug"):
        view.set_level_shown(lv, True)
    assert view.model.rowCount() == 302 and view.model.levels is None


def test_filter_keeps_the_selected_line_selected(view):
    view.append(mixed(100))
    view.select_row(48)                       # seq 49: an error line
    picked = view.current_record()
    assert picked.level == "error"
    view.set_level_shown("info", False)
    assert view.current_record() == picked


# ---- batching ------------------------------------------------------------------------------
def test_lines_from_a_worker_thread_arrive_in_batches_in_order(view, qtbot):
    inserts = []
    view.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    n = 20_000

    def worker():
        for e in mixed(n):
            view.post(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: view.model.total == n, timeout=10_000)
    assert sum(inserts) == n
    assert len(inserts) < n / 500            # batches, never one insert per line
    assert max(inserts) <= view.inbox.max_batch
    assert [r.seq for r in view.model.records()] == list(range(1, n + 1))


def test_inbox_sends_one_wakeup_per_batch(qtbot):
    inbox = BatchInbox(interval_ms=5, max_batch=100)
    wakes, got = [], []
    inbox._wake.connect(lambda: wakes.append(1))
    inbox.batch.connect(got.extend)
    t = threading.Thread(target=lambda: [inbox.put(i) for i in range(1000)])
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(got) == 1000)
    assert got == list(range(1000))
    assert len(wakes) <= 3


def test_overflow_drops_the_oldest_lines_in_one_step(view):
    small = LogView(max_lines=1000)
    small.append(mixed(900))
    small.append(mixed(300))
    assert small.model.total <= 1000
    assert small.model.records()[-1].seq == 300
    assert small.model.dropped == 1200 - small.model.total
    assert "oldest dropped" in small.count_label.text()
    small.deleteLater()


# ---- search ----------------------------------------------------------------------------------
def test_search_covers_the_whole_log_with_next_and_previous(view, qtbot):
    events = [event(i, message=f"checked item {i}") for i in range(1, 30_001)]
    events[10] = event(11, "error", "compliance", "svg/script found in EL_X_001.json")
    events[29_990] = event(29_991, "error", "compliance", "another SVG/SCRIPT at the end")
    view.append(events)
    assert view.is_at_bottom()
    view.set_search("svg/script")
    assert view.matches == [10, 29_990]
    assert view.match_label.text() == "2 matches"
    qtbot.mouseClick(view.next_button, Qt.LeftButton)
    assert view.current_record().seq == 11
    assert view.match_label.text() == "1 of 2"
    qtbot.mouseClick(view.next_button, Qt.LeftButton)
    assert view.current_record().seq == 29_991
    qtbot.mouseClick(view.next_button, Qt.LeftButton)   # wraps
    assert view.current_record().seq == 11
    qtbot.mouseClick(view.prev_button, Qt.LeftButton)   # wraps back
    assert view.current_record().seq == 29_991
    view.set_search("no such text")
    assert view.match_label.text() == "No match"
    assert not view.next_button.isEnabled()


def test_search_sees_new_lines_and_reports_what_filters_hide(view):
    view.append([event(1, "info", message="needle one"), event(2, "error", message="needle two")])
    view.set_search("NEEDLE")
    assert len(view.matches) == 2
    view.append([event(3, "warning", message="needle three")])
    assert len(view.matches) == 3
    view.set_level_shown("info", False)
    assert len(view.matches) == 2
    assert "(+1 hidden by filters)" in view.match_label.text()


def test_enter_in_the_search_box_jumps_to_the_first_match(view, qtbot):
    view.append([event(i) for i in range(1, 200)])
    view.search_edit.setFocus()
    qtbot.keyClicks(view.search_edit, "line 42")
    qtbot.keyClick(view.search_edit, Qt.Key_Return)
    assert view.current_record().message == "line 42"


# ---- follow the tail ---------------------------------------------------------------------------
def test_follows_the_tail_only_while_scrolled_to_the_bottom(view, qtbot):
    sb = view.table.verticalScrollBar()
    view.append(mixed(500))
    assert sb.maximum() > 0 and sb.value() == sb.maximum()
    view.append(mixed(100))
    assert sb.value() == sb.maximum() and view.following
    assert view.follow_button.isChecked()
    # the user scrolls up to read: new lines must not yank the view down
    sb.setValue(10)
    assert not view.following and not view.follow_button.isChecked()
    for _ in range(3):
        view.post(event(9999))
    qtbot.waitUntil(lambda: view.model.total == 603)
    assert sb.value() == 10
    # back at the bottom: following again
    sb.setValue(sb.maximum())
    view.append(mixed(50))
    assert sb.value() == sb.maximum()
    # the follow button jumps to the tail
    sb.setValue(0)
    qtbot.mouseClick(view.follow_button, Qt.LeftButton)
    assert sb.value() == sb.maximum() and view.following


def test_dragging_to_the_bottom_while_lines_arrive_follows_again(view, qtbot):
    # The view lays out new rows later: the user reaches the end of the scroll bar as it
    # was, then the range grows under them.  They meant the tail, and get it.
    sb = view.table.verticalScrollBar()
    view.append(mixed(500))
    # With the pointer over the rows, a scroll makes the view find the row under it,
    # which runs the pending layout before the scroll is reported.
    qtbot.mouseMove(view.table.viewport(), QPoint(40, 40))
    sb.setValue(10)
    assert not view.following
    old_max = sb.maximum()
    view.append(mixed(30))
    sb.setValue(sb.maximum())
    qtbot.waitUntil(lambda: sb.maximum() >= old_max + 30)
    assert view.following and view.follow_button.isChecked()
    assert sb.value() == sb.maximum()
    view.append(mixed(20))
    qtbot.waitUntil(lambda: sb.maximum() >= old_max + 50)
    assert sb.value() == sb.maximum()


def test_reveal_selects_the_first_line_matching(view):
    view.append(mixed(400))
    row = view.reveal(lambda r: r.level == "error" and r.step == "compliance")
    rec = view.current_record()
    assert row >= 0 and rec.level == "error" and rec.step == "compliance"
    assert view.reveal(lambda r: r.step == "nope") == -1


# ---- export --------------------------------------------------------------------------------------
def test_export_writes_every_line_as_text_or_json_lines(view, tmp_path):
    view.append(mixed(1234))
    view.set_level_shown("info", False)       # export ignores the filter: the run's whole log
    n = view.export(tmp_path / "run.log", "text")
    lines = (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()
    assert n == 1234 and len(lines) == 1234
    assert "INFO" in lines[0] and "add-symbols" in lines[0] and lines[0].endswith("line 1")
    assert "ERROR" in lines[3] and "define-schema" in lines[2]
    view.export(tmp_path / "run.jsonl", "jsonl")
    rows = [json.loads(ln) for ln in (tmp_path / "run.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1234
    assert rows[3] == {**rows[3], "seq": 4, "level": "error", "message": "line 4", "data": {"n": 4}}
    with pytest.raises(ValueError):
        export_records(tmp_path / "x", [], "xml")


def test_export_button_asks_for_a_file(view, tmp_path, monkeypatch):
    view.append(mixed(10))
    target = tmp_path / "out.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "JSON lines (*.jsonl)"))
    view.export_button.click()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 10


def test_export_to_an_unwritable_place_says_so(view, tmp_path, monkeypatch, messages):
    view.append(mixed(3))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(blocker / "sub" / "out.log"), "Text (*.log *.txt)"))
    view.export_button.click()
    kind, title, text = messages[-1]
    assert title == "Cannot export the log"
    assert text == f"cannot write {blocker / 'sub' / 'out.log'}: {blocker} is a file, not a folder"


def test_record_round_trips_to_dict():
    r = LogRecord(3, 1.5, "info", "", "run.started", "go", {"a": 1})
    assert r.to_dict()["message"] == "go" and r.to_dict()["kind"] == "run.started"


def test_kept_lines_are_invisible_to_the_garbage_collector():
    """Lines are exact tuples of atomics: collections never scan 100,000 of them."""
    import gc

    model = LogModel()
    model.append(mixed(100) + [{"seq": 101, "message": "nested", "data": {"list": [1, 2], "d": {"a": 1}}}])
    gc.collect()
    assert not any(gc.is_tracked(t) for t in model._records)
    assert model.record(100).data == {"list": [1, 2], "d": {"a": 1}}    # data still comes back whole
