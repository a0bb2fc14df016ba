"""SPEC §9 journey 3 — restore under pressure.  The operator has a backup from before;
someone broke three symbols by hand.  In Backups: pick that backup, see exactly those
three symbols in the diff with before/after pictures, restore only them in one click
(a safety backup is taken first), then undo that restore from the same screen."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from arxconsole.engine.backup import BackupRepository, diff_backup_workspace
from arxconsole.gui.backups.dialogs import CreateBackupDialog, RestorePreviewDialog

from .conftest import click_cell, table_column, tree_hash, wait_for_demo_history

pytestmark = pytest.mark.gui

BROKEN = [("electrical", "EL_PanelBoard_001"), ("fire_alarm", "FA_PullStation_001"),
          ("audiovisual", "AV_Display_001")]
BROKEN_PATHS = sorted(f"arx-symbol-library/{s}/{i}.json" for s, i in BROKEN)
MESSAGE = "end of day: symbols reviewed"


def break_by_hand(root):
    for system, sid in BROKEN:
        p = root / "arx-symbol-library" / system / f"{sid}.json"
        d = json.loads(p.read_text(encoding="utf-8"))
        d["svg"] = d["svg"].replace("</svg>", "<rect x='0' y='0' width='64' height='64' fill='#000'/></svg>")
        d["name"] += " (oops)"
        p.write_text(json.dumps(d, indent=1), encoding="utf-8")


def toolbar_click(qtbot, page, action):
    """Click the toolbar button of ``action``."""
    button = page.toolbar.widgetForAction(action)
    assert button is not None and button.isEnabled(), action.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def wait_idle(qtbot, page):
    qtbot.waitUntil(lambda: page.worker is None, timeout=60_000)


def test_restore_three_broken_symbols_in_one_click_then_undo(main_window, qtbot, monkeypatch):
    # the demo, with its seeded history (a backup and runs)
    qtbot.mouseClick(main_window.home.demo_button, Qt.LeftButton)
    ws = main_window.ctx.workspace
    assert ws is not None and main_window.ws_name.text() == ws.root.name
    wait_for_demo_history(qtbot, main_window)
    main_window.show_surface("backups")
    page = main_window.surface("backups")
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1 and page.worker is None, timeout=30_000)
    seeded = page.model.rowCount()

    # the operator's own backup, made from this screen with a message
    created = []

    def fill_and_accept(dialog):
        created.append(dialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData("full"))
        dialog.message.setText(MESSAGE)
        return QDialog.Accepted

    monkeypatch.setattr(CreateBackupDialog, "exec", fill_and_accept)
    toolbar_click(qtbot, page, page.create_action)
    wait_idle(qtbot, page)
    qtbot.waitUntil(lambda: page.model.rowCount() == seeded + 1, timeout=30_000)
    assert created and "Backup created" in page.status_label.text()
    view = page.diff_view
    # the comparison the new backup's selection started is done before anyone edits files
    # (one computed while the edits are being written sees some of them: the test flaked)
    qtbot.waitUntil(lambda: "Comparing" not in view.summary.text(), timeout=30_000)
    good = tree_hash(ws.root)

    # someone breaks three symbols by hand
    break_by_hand(ws.root)
    broken = tree_hash(ws.root)
    assert sorted(k for k in good if good[k] != broken[k]) == BROKEN_PATHS

    # pick that backup in the list (by its message), like a user: click its row; Refresh
    # compares again (a diff from before the edits must not stay on screen)
    before_refresh = view.diff
    page.refresh()
    qtbot.waitUntil(lambda: page.worker is None and MESSAGE in table_column(page.table.model(), 4),
                    timeout=30_000)
    shown = page.table.model()          # what the user sees: the sorted view of the list
    row = table_column(shown, 4).index(MESSAGE)
    assert table_column(shown, 3)[row] == "manual"
    click_cell(qtbot, page.table, shown, row, 4)
    picked = page.selected_row()
    assert picked is not None and picked.message == MESSAGE
    qtbot.waitUntil(lambda: view.diff is not None and view.diff is not before_refresh, timeout=30_000)

    # exactly those three symbols in the diff, each with before/after pictures and fields
    items = view.file_items()
    assert sorted(it.toolTip(0).split("\n")[0] for it in items) == BROKEN_PATHS
    assert [it.text(1) for it in items] == ["Changed"] * 3
    assert "3 changed" in view.summary.text().lower(), view.summary.text()
    for it in items:
        view.tree.scrollToItem(it)
        qtbot.mouseClick(view.tree.viewport(), Qt.LeftButton, pos=view.tree.visualItemRect(it).center())
        assert view.tree.currentItem() is it
        assert not view.before_pic.picture.pixmap().isNull()
        assert not view.after_pic.picture.pixmap().isNull()
        assert view.before_pic.picture.pixmap().toImage() != view.after_pic.picture.pixmap().toImage()
        fields = {view.fields.item(r, 0).text() for r in range(view.fields.rowCount())}
        assert fields == {"name", "svg"}

    # check the three (Space on each, as with the keyboard) and restore them in one click
    assert not page.restore_sel_action.isEnabled()
    for it in items:
        view.tree.setCurrentItem(it)
        view.tree.setFocus()
        qtbot.keyClick(view.tree, Qt.Key_Space)
    assert sorted(view.checked_paths()) == BROKEN_PATHS
    assert page.restore_sel_action.isEnabled()
    previews = []

    def confirm(dialog):
        previews.append([dialog.files.item(i).text() for i in range(dialog.files.count())])
        return QDialog.Accepted

    monkeypatch.setattr(RestorePreviewDialog, "exec", confirm)
    toolbar_click(qtbot, page, page.restore_sel_action)
    assert len(previews) == 1 and len(previews[0]) == 3
    assert all(any(p in text for text in previews[0]) for p in BROKEN_PATHS)
    wait_idle(qtbot, page)
    assert tree_hash(ws.root) == good                       # only the three, back as they were
    assert "safety backup" in page.status_label.text()

    # the safety backup was taken first: it is in the list, with its reason
    repo = BackupRepository.for_data_dir(main_window.ctx.data_dir)
    records = sorted(repo.list(workspace=ws.root), key=lambda r: r.manifest.created_at)
    safety = records[-1]
    assert safety.manifest.reason == "before_restore"
    assert page.last_restore[0].safety_backup_id == safety.id
    qtbot.waitUntil(lambda: page.model.rowCount() == seeded + 2 and page.worker is None, timeout=30_000)
    reasons = table_column(page.table.model(), 3)
    assert reasons.count("manual") == 1
    assert any("restore" in r for r in reasons)
    # the safety backup holds the broken state: against the restored workspace, it differs
    # in exactly the three files
    safety_diff = diff_backup_workspace(repo, safety.id, ws)
    assert sorted(c.path for c in safety_diff.changes) == BROKEN_PATHS

    # undo that restore from the same screen: the broken files come back (nothing else changes)
    assert page.undo_action.isEnabled()
    toolbar_click(qtbot, page, page.undo_action)
    assert len(previews) == 2 and len(previews[1]) == 3
    wait_idle(qtbot, page)
    assert tree_hash(ws.root) == broken
    events = [e.action for e in main_window.ctx.db.audit_events("backup.restore")]
    assert events.count("backup.restore") == 2
