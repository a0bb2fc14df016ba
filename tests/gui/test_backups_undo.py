"""“Undo restore” survives a restart and a workspace switch (SPEC §9 journey 3: the
operator can undo that restore from the same screen): it is read from the audit log,
says what it will undo, puts back the pre-restore bytes, and is offered once."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from arxconsole.engine.backup import BackupRepository, create_backup
from arxconsole.gui.backups.dialogs import RestorePreviewDialog

from .test_backups_surface import BROKEN, accept_dialogs, break_symbols, tree_hash, wait_idle

BROKEN_PATHS = {f"arx-symbol-library/{s}/{i}.json" for s, i in BROKEN}


@pytest.fixture
def restart(qtbot, data_dir):
    """Build another main window on the same data dir, as the app does at start-up."""
    from arxconsole.app import build_main_window

    built = []

    def build(workspace_path):
        window, ctx = build_main_window(data_dir, workspace_path=str(workspace_path), panel="backups")
        qtbot.addWidget(window)
        window.show()
        built.append((window, ctx))
        page = window.surface("backups")
        qtbot.waitUntil(lambda: page.undo is not None and page.worker is None, timeout=30_000)
        return window, page

    yield build
    for window, ctx in built:
        window.status_monitor.stop()
        ctx.close_workspace(emit=False)
        ctx.db.close()


def toolbar_button(page, action):
    return page.toolbar.widgetForAction(action)


def restore_three(window, qtbot, monkeypatch, where):
    """In the surface: a backup, three symbols broken by hand, restore only them.  The
    demo's content at ``where`` (not the data dir's own demo, which seeds a history in
    the background at each start)."""
    from arxconsole.engine.demo import ensure_demo_workspace

    ctx = window.ctx
    assert window.open_workspace(ensure_demo_workspace(where))
    window.show_surface("backups")
    page = window.surface("backups")
    ws = ctx.workspace
    good = tree_hash(ws.root)
    create_backup(ws, BackupRepository.for_data_dir(ctx.data_dir), kind="full", message="yesterday", db=ctx.db)
    break_symbols(ws)
    broken = tree_hash(ws.root)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.diff_view.diff is not None, timeout=10_000)
    page.diff_view.set_checked(BROKEN_PATHS)
    accept_dialogs(monkeypatch, RestorePreviewDialog, [])
    page.restore_sel_action.trigger()
    wait_idle(qtbot, page)
    assert tree_hash(ws.root) == good
    assert page.undo_action.isEnabled()
    return ws, good, broken


def test_undo_restore_is_offered_after_a_restart_and_a_workspace_switch(main_window, restart, qtbot, monkeypatch,
                                                                        tmp_path, messages):
    ws, good, broken = restore_three(main_window, qtbot, monkeypatch, tmp_path / "site")
    main_window.close()   # quit: the workspace lock goes with it; nothing kept in memory survives

    window, page = restart(ws.root)
    assert window.ctx.workspace.root == ws.root
    action = page.undo_action
    assert action.isEnabled() and action.text() == "Undo restore of 3 files…"
    tip = action.toolTip()
    assert re.match(r"Undo restore of 3 files from backup of \d\d:\d\d \(manual: yesterday\), made \d\d:\d\d by ",
                    tip), tip
    assert "as they were before it, from the safety backup taken then" in tip
    assert page.undo_bar.isVisible() and "Last restore" in page.undo_text.text()
    assert toolbar_button(page, action).isEnabled() and page.undo_button.isEnabled()
    window.resize(1100, 760)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.diff_view.diff is not None, timeout=10_000)

    # switch to another workspace: its own (no) restore; then back: offered again
    from tests.engine.test_backup_helpers import make_workspace

    other = make_workspace(tmp_path / "other")
    assert window.open_workspace(other.root)
    qtbot.waitUntil(lambda: page.undo is None and page.worker is None and page.model.rowCount() == 0,
                    timeout=10_000)
    assert not action.isEnabled() and "no restore of this workspace" in action.toolTip()
    assert not page.undo_bar.isVisible()
    assert window.open_workspace(ws.root)
    qtbot.waitUntil(lambda: page.undo is not None and action.isEnabled(), timeout=10_000)
    assert action.text().startswith("Undo restore of 3 files")

    # click it: the preview says what comes back, then the three broken files return
    previews = []
    accept_dialogs(monkeypatch, RestorePreviewDialog, previews)
    qtbot.mouseClick(toolbar_button(page, action), Qt.LeftButton)
    assert len(previews) == 1 and previews[0].windowTitle() == "Undo the restore"
    assert sorted(previews[0].files.item(i).text() for i in range(previews[0].files.count())) == sorted(
        f"Put back  {p}" for p in BROKEN_PATHS)
    assert not previews[0].changed_note.isVisible()
    wait_idle(qtbot, page)
    assert window.ctx.workspace.root == ws.root
    assert tree_hash(ws.root) == broken
    assert "Restore undone" in page.status_label.text()

    # undone: not offered again, here, after a switch-and-back, nor after another restart
    assert not action.isEnabled() and "was undone" in action.toolTip() and not page.undo_bar.isVisible()
    assert window.open_workspace(other.root)
    assert window.open_workspace(ws.root)
    qtbot.waitUntil(lambda: page.undo is not None and page.worker is None, timeout=10_000)
    assert not action.isEnabled() and action.text() == "Undo last restore…"
    window.close()
    _window2, page2 = restart(ws.root)
    assert not page2.undo_action.isEnabled() and "was undone" in page2.undo_action.toolTip()


def test_undo_names_files_edited_after_the_restore(surface, qtbot, monkeypatch, tmp_path, messages):
    window = surface.window()
    ws, good, broken = restore_three(window, qtbot, monkeypatch, tmp_path / "site")
    edited = ws.root / sorted(BROKEN_PATHS)[0]
    edited.write_text(edited.read_text().replace('"name"', '"name" ', 1))
    previews = []
    accept_dialogs(monkeypatch, RestorePreviewDialog, previews)
    surface.undo_action.trigger()
    note = previews[0].changed_note
    assert not note.isHidden() and "1 of these file(s) were changed after the restore" in note.text()
    items = [previews[0].files.item(i).text() for i in range(previews[0].files.count())]
    assert f"Put back  {sorted(BROKEN_PATHS)[0]}  (changed after the restore)" in items
    wait_idle(qtbot, surface)
    assert tree_hash(ws.root) == broken


@pytest.fixture
def surface(main_window):
    return main_window.surface("backups")
