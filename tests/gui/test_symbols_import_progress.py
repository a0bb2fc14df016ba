"""A long symbol import, driven like a user: progress with counts while it runs, Cancel
(button or Esc) stops it between files and the report says what was imported before;
switching workspace or closing the window while it runs asks, and when the user goes on
the import is stopped and waited for, so nothing is written after the workspace is left.
The library's search and filters come back after a restart."""

from __future__ import annotations

import json
import threading

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from tests.gui.test_symbols_editor import surface, wait_idle  # noqa: F401  (fixture)

N_SOURCES = 4000
STUCK_AT = 6            # the disk holds the 6th write until the user has cancelled
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><rect x="1" y="1" width="18" height="18"/>'
       '</svg>')


def generated_library(folder, n=N_SOURCES):
    folder.mkdir()
    for i in range(n):
        sid = f"EL_Gen_{i:04d}"
        (folder / f"s{i:04d}.json").write_text(json.dumps(
            {"id": sid, "name": f"Generated {i}", "system": "electrical", "category": "switch",
             "description": "", "svg": SVG, "properties": {}, "connections": {}, "behavior_profile": "",
             "metadata": {"version": "1", "created_by": "test", "created_at": "2026"}}))
    return folder


def generated_written(ws):
    return sorted(p.stem for p in ws.symbol_files() if p.stem.startswith("EL_Gen_"))


@pytest.fixture
def stuck_disk(monkeypatch):
    """The importer's STUCK_AT-th write waits until the import is cancelled: a disk slow
    enough that the user presses Cancel at a known point, so the counts are exact and
    nothing depends on timing."""
    from arxconsole.engine.symbols import importer

    state = {"writes": 0, "token": None, "stuck": threading.Event()}
    real_import, real_save = importer.import_symbols, importer.save_symbol

    def import_symbols(*args, cancel=None, **kwargs):
        state["token"] = cancel
        return real_import(*args, cancel=cancel, **kwargs)

    def save_symbol(target, sym):
        state["writes"] += 1
        if state["writes"] == STUCK_AT:
            state["stuck"].set()
            # CancelToken has no public wait; its event is what Cancel sets
            state["token"]._event.wait(20)
        return real_save(target, sym)

    monkeypatch.setattr(importer, "import_symbols", import_symbols)
    monkeypatch.setattr(importer, "save_symbol", save_symbol)
    return state


def start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk):
    """Import folder… in the toolbar, pick the folder and a system, like a user; returns
    once the import is held inside its STUCK_AT-th write (the label says so too)."""
    src = generated_library(tmp_path / "big-library")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(src))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("electrical", True))
    surface.import_folder_action.trigger()
    progress = surface.import_progress
    # the label changes before the write starts: a Cancel in between would stop before it
    qtbot.waitUntil(lambda: stuck_disk["stuck"].is_set(), timeout=20000)
    qtbot.waitUntil(lambda: progress.label.text() == f"Importing {STUCK_AT} of 4,000 files…", timeout=20000)
    return progress


def answer_questions(monkeypatch, answers):
    """QMessageBox.question answered from ``answers`` in turn; returns what was asked."""
    asked = []

    def question(parent, title, text, *a, **k):
        asked.append((title, text))
        return answers.pop(0)
    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_import_shows_counts_and_cancel_stops_it_with_a_report_of_what_was_imported(
        surface, qtbot, monkeypatch, tmp_path, stuck_disk):
    ws = surface.ctx.workspace
    before = len(surface.library.entries)
    progress = start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk)
    # what the user sees while it runs
    assert progress.isVisible() and progress.bar.isVisible() and progress.cancel_button.isEnabled()
    assert progress.bar.maximum() == N_SOURCES and progress.bar.value() == STUCK_AT - 1
    assert progress.file_label.toolTip() == f"s{STUCK_AT - 1:04d}.json"
    assert not surface.import_action.isEnabled() and not surface.import_folder_action.isEnabled()
    assert surface.cancel_import_action.isEnabled()

    qtbot.mouseClick(progress.cancel_button, Qt.LeftButton)
    assert progress.label.text() == "Cancelling the import…" and not progress.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: surface.import_dialog is not None and surface.import_dialog.isVisible(), timeout=20000)
    dialog = surface.import_dialog
    # the file being written when Cancel was pressed is finished; nothing after it
    assert generated_written(ws) == [f"EL_Gen_{i:04d}" for i in range(STUCK_AT)]
    report = surface.last_import_report
    assert report.cancelled and report.count("imported") == STUCK_AT and len(report.items) == STUCK_AT
    assert dialog.summary.text().startswith(f"Cancelled after {STUCK_AT} of 4,000 files: the other 3,994 "
                                            "were not imported. Imported 6,")
    assert dialog.windowTitle().startswith("Import cancelled")
    assert [r[0] for r in dialog.rows()] == ["Imported"] * STUCK_AT
    assert "Cancelled by the user" in open(report.report_files[1], encoding="utf-8").read()
    # the surface is back to normal, and the library lists what was written
    assert not progress.isVisible() and not surface.importing
    assert surface.import_folder_action.isEnabled() and not surface.cancel_import_action.isEnabled()
    qtbot.waitUntil(lambda: not surface.library.loading and len(surface.library.entries) == before + STUCK_AT,
                    timeout=15000)
    assert surface.library.find_entry("EL_Gen_0005") is not None
    dialog.close()


def test_escape_cancels_the_import_and_its_report_closes_when_the_workspace_is_left(
        surface, qtbot, monkeypatch, tmp_path, main_window, stuck_disk):
    from arxconsole.engine.demo import ensure_demo_workspace

    ws = surface.ctx.workspace
    start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk)
    surface.library.tree.setFocus()
    qtbot.keyClick(surface.library.tree, Qt.Key_Escape)
    qtbot.waitUntil(lambda: surface.import_dialog is not None and surface.import_dialog.isVisible(), timeout=20000)
    assert surface.last_import_report.cancelled
    assert len(generated_written(ws)) == STUCK_AT
    # the report's rows name files of this workspace: it does not stay open over the next
    assert main_window.open_workspace(ensure_demo_workspace(tmp_path / "other"))
    assert not surface.import_dialog.isVisible()


def test_switching_workspace_during_an_import_asks_and_stops_it_before_leaving(
        surface, qtbot, monkeypatch, tmp_path, main_window, stuck_disk):
    from arxconsole.engine.demo import ensure_demo_workspace
    from arxconsole.gui.workers import wait_for_workers

    old = surface.ctx.workspace
    other = ensure_demo_workspace(tmp_path / "other")
    progress = start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk)
    asked = answer_questions(monkeypatch, [QMessageBox.No, QMessageBox.Yes])

    # "keep importing": nothing changes, the import still runs
    assert not main_window.open_workspace(other)
    assert asked[0][0] == "Import in progress" and f"into {old.name}" in asked[0][1]
    assert f"({STUCK_AT - 1} of 4,000 files done)" in asked[0][1]
    assert surface.ctx.workspace is old and surface.importing and progress.isVisible()
    assert not stuck_disk["token"].cancelled

    # "cancel the import and switch": stopped and waited for before the lock goes
    assert main_window.open_workspace(other)
    assert len(asked) == 2 and surface.ctx.workspace is not old
    written_at_switch = generated_written(old)
    assert written_at_switch == [f"EL_Gen_{i:04d}" for i in range(STUCK_AT)]
    assert not surface.importing and not progress.isVisible()
    wait_for_workers()
    status = main_window.statusBar()
    qtbot.waitUntil(lambda: "stopped on leaving it" in status.currentMessage(), timeout=10000)
    assert f"{STUCK_AT} symbols imported before the stop" in status.currentMessage()
    # nothing written after the switch, nothing in the new workspace, no report over it
    assert generated_written(old) == written_at_switch
    assert generated_written(surface.ctx.workspace) == []
    assert surface.import_dialog is None or not surface.import_dialog.isVisible()
    assert surface.last_import_report is None
    assert surface.import_folder_action.isEnabled()


def test_a_switch_refused_after_the_import_question_leaves_the_import_running(
        surface, qtbot, monkeypatch, tmp_path, main_window, stuck_disk):
    # "Cancel the import" is answered yes, but the switch does not happen: the target is
    # no workspace.  Nothing is stopped until every check has passed.
    from arxconsole.gui.workers import wait_for_workers

    old = surface.ctx.workspace
    progress = start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk)
    asked = answer_questions(monkeypatch, [QMessageBox.Yes])
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[1:3]) or QMessageBox.Ok)
    not_a_workspace = tmp_path / "plain-folder"
    not_a_workspace.mkdir()
    assert not main_window.open_workspace(not_a_workspace)
    assert len(asked) == 1 and warnings and warnings[0][0] == "Cannot open workspace"
    assert surface.ctx.workspace is old and surface.importing and progress.isVisible()
    assert not stuck_disk["token"].cancelled
    # once everything agrees, leaving stops it (and waits for it)
    assert surface.prepare_leave() and not surface.importing and stuck_disk["token"].cancelled
    wait_for_workers()
    assert generated_written(old) == [f"EL_Gen_{i:04d}" for i in range(STUCK_AT)]


def test_closing_the_window_during_an_import_asks_and_stops_it(surface, qtbot, monkeypatch, tmp_path,
                                                              main_window, stuck_disk):
    old = surface.ctx.workspace
    start_import(surface, qtbot, monkeypatch, tmp_path, stuck_disk)
    asked = answer_questions(monkeypatch, [QMessageBox.No, QMessageBox.Yes])
    assert not main_window.close()                       # "keep importing": the window stays
    assert main_window.isVisible() and surface.importing and len(asked) == 1
    assert main_window.close()
    assert len(asked) == 2 and stuck_disk["token"].cancelled
    assert generated_written(old) == [f"EL_Gen_{i:04d}" for i in range(STUCK_AT)]


def test_library_search_and_filters_come_back_after_a_restart(surface, qtbot, monkeypatch):
    from arxconsole.gui.symbols.surface import SymbolsSurface

    lib = surface.library
    qtbot.keyClicks(lib.search, "FA_")
    lib.system_filter.setCurrentIndex(lib.system_filter.findData("fire_alarm"))
    lib.status_filter.setCurrentIndex(lib.status_filter.findData("clean"))
    ctx = surface.ctx
    ctx.settings.sync()
    # a new surface reading the same settings file, as at the next start
    monkeypatch.setattr(ctx, "settings", QSettings(ctx.settings.fileName(), QSettings.IniFormat))
    again = SymbolsSurface(ctx)
    qtbot.addWidget(again)
    wait_idle(qtbot, again)
    lib2 = again.library
    assert lib2.search.text() == "FA_"
    assert lib2.system_filter.currentData() == "fire_alarm"
    assert lib2.status_filter.currentData() == "clean"
    shown = [e for e in lib2.entries if not lib2._items[str(e.path)].isHidden()]
    assert shown and all(e.system == "fire_alarm" and e.status == "clean" and "FA_" in e.id for e in shown)
    assert "of" in lib2.summary.text()          # "n of N symbols shown": the filter is visible


def test_an_import_that_has_handled_every_file_is_not_offered_for_cancelling(surface, monkeypatch):
    # At "3,000 of 3,000" the engine is only writing its report: asking to cancel it, and
    # then saying it was stopped, would be wrong; leaving just waits for it.
    from arxconsole.gui.symbols.surface import ImportRun

    asked = answer_questions(monkeypatch, [])
    surface._import = ImportRun(surface.ctx.workspace, done=3000, total=3000)
    try:
        assert surface.confirm_stop_import() and asked == []
        surface._import.done = 2999
        asked_answers = answer_questions(monkeypatch, [QMessageBox.No])
        assert not surface.confirm_stop_import() and "(2,999 of 3,000 files done)" in asked_answers[0][1]
    finally:
        surface._import = None
