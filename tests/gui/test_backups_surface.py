"""The Backups surface, driven like an operator under pressure (SPEC §9 journey 3)."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from arxconsole.engine.backup import BackupRepository, create_backup
from arxconsole.gui.backups.dialogs import CreateBackupDialog, RestorePreviewDialog, RetentionDialog
from arxconsole.gui.backups.model import BackupListModel

BROKEN = [("electrical", "EL_PanelBoard_001"), ("fire_alarm", "FA_PullStation_001"),
          ("audiovisual", "AV_Display_001")]


def tree_hash(root):
    h = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".arxconsole" not in p.as_posix():
            h[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return h


@pytest.fixture
def demo_window(main_window, data_dir, qtbot):
    from arxconsole.engine.demo import ensure_demo_workspace

    main_window.open_workspace(ensure_demo_workspace(data_dir.demo_workspace))
    return main_window


@pytest.fixture
def surface(demo_window, qtbot):
    demo_window.show_surface("backups")
    page = demo_window.surface("backups")
    return page


def break_symbols(ws):
    for system, sid in BROKEN:
        p = ws.symbol_path(system, sid)
        d = json.loads(p.read_text())
        d["svg"] = d["svg"].replace("<svg", "<svg data-broken='1'", 1).replace("</svg>", "<circle cx='1' cy='1' r='40'/></svg>")
        d["name"] += " (broken)"
        p.write_text(json.dumps(d, indent=2))


def accept_dialogs(monkeypatch, cls, seen):
    def fake_exec(self):
        seen.append(self)
        return QDialog.Accepted
    monkeypatch.setattr(cls, "exec", fake_exec)


def wait_idle(qtbot, page):
    qtbot.waitUntil(lambda: page.worker is None, timeout=30000)


def test_backup_model_passes_qt_model_tester(qtmodeltester, surface, qtbot):
    ctx = surface.ctx
    create_backup(ctx.workspace, BackupRepository.for_data_dir(ctx.data_dir), kind="full", message="a", db=ctx.db)
    surface.refresh()
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    qtmodeltester.check(surface.model)
    qtmodeltester.check(BackupListModel())


def test_restore_three_broken_symbols_then_undo(surface, qtbot, monkeypatch, messages):
    ctx = surface.ctx
    ws = ctx.workspace
    before = tree_hash(ws.root)
    create_backup(ws, BackupRepository.for_data_dir(ctx.data_dir), kind="full", message="yesterday", db=ctx.db)
    break_symbols(ws)
    broken = tree_hash(ws.root)
    surface.refresh()
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    surface.table.selectRow(0)
    qtbot.waitUntil(lambda: surface.diff_view.diff is not None, timeout=10000)

    # exactly the three symbols, with before/after pictures and the changed fields
    items = surface.diff_view.file_items()
    assert sorted(it.toolTip(0).split("\n")[0] for it in items) == sorted(
        f"arx-symbol-library/{s}/{i}.json" for s, i in BROKEN)
    assert surface.diff_view.select_path("arx-symbol-library/electrical/EL_PanelBoard_001.json")
    assert not surface.diff_view.before_pic.picture.pixmap().isNull()
    assert not surface.diff_view.after_pic.picture.pixmap().isNull()
    fields = {surface.diff_view.fields.item(r, 0).text() for r in range(surface.diff_view.fields.rowCount())}
    assert fields == {"name", "svg"}

    # check the three and restore them in one click (after a preview naming the destination)
    assert not surface.restore_sel_action.isEnabled()
    surface.diff_view.set_checked({f"arx-symbol-library/{s}/{i}.json" for s, i in BROKEN})
    assert surface.restore_sel_action.isEnabled()
    previews = []
    accept_dialogs(monkeypatch, RestorePreviewDialog, previews)
    surface.restore_sel_action.trigger()
    assert str(ws.root) in previews[0].findChildren(type(surface.status_label))[0].text()
    assert previews[0].files.count() == 3
    wait_idle(qtbot, surface)
    assert tree_hash(ws.root) == before
    assert "safety backup" in surface.status_label.text()
    repo = BackupRepository.for_data_dir(ctx.data_dir)
    reasons = sorted(r.manifest.reason for r in repo.list(workspace=ws.root))
    assert reasons == ["before_restore", "manual"]

    # undo from the same screen puts the broken files back
    qtbot.waitUntil(lambda: surface.model.rowCount() == 2, timeout=10000)
    assert surface.undo_action.isEnabled()
    surface.undo_action.trigger()
    wait_idle(qtbot, surface)
    assert tree_hash(ws.root) == broken
    events = [e.action for e in ctx.db.audit_events("backup.restore")]
    assert events.count("backup.restore") == 2


def test_damaged_backup_is_flagged_and_never_restored(surface, qtbot, monkeypatch, messages):
    ctx = surface.ctx
    ws = ctx.workspace
    repo = BackupRepository.for_data_dir(ctx.data_dir)
    m = create_backup(ws, repo, kind="full", message="x", db=ctx.db)
    break_symbols(ws)
    broken = tree_hash(ws.root)
    # flip a byte in the stored object of a symbol the workspace no longer has as it was
    # (an object whose content the workspace still holds is stored afresh, so healed, by
    # the safety backup any restore takes first)
    system, sid = BROKEN[0]
    rel = ws.relative(ws.symbol_path(system, sid))
    obj = repo.objects.path_for(m.by_path()[rel].hash)
    data = bytearray(obj.read_bytes())
    data[len(data) // 2] ^= 0xFF
    obj.write_bytes(bytes(data))
    surface.refresh()
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    surface.table.selectRow(0)
    surface.verify_action.trigger()
    wait_idle(qtbot, surface)
    assert messages and messages[-1][1] == "Backup is damaged"
    qtbot.waitUntil(lambda: surface.model.rows[0].state == "damaged", timeout=10000)
    idx = surface.model.index(0, 7)
    assert surface.model.data(idx) == "Damaged"
    surface.table.selectRow(0)
    assert not surface.restore_all_action.isEnabled()
    # even called directly, the engine refuses and nothing changes
    surface.start_restore(m.id, None)
    wait_idle(qtbot, surface)
    assert tree_hash(ws.root) == broken
    assert any("failed" in t for _k, t, _x in messages)


def test_create_delete_undelete(surface, qtbot, monkeypatch):
    seen = []
    accept_dialogs(monkeypatch, CreateBackupDialog, seen)
    monkeypatch.setattr(CreateBackupDialog, "values", lambda self: ("system", "fire_alarm", "fa only"))
    surface.create_action.trigger()
    wait_idle(qtbot, surface)
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    row = surface.model.rows[0]
    assert (row.kind, row.scope, row.message, row.reason) == ("system", "fire_alarm", "fa only", "manual")
    surface.table.selectRow(0)
    surface.delete_action.trigger()
    wait_idle(qtbot, surface)
    qtbot.waitUntil(lambda: surface.model.rowCount() == 0, timeout=10000)
    surface.show_deleted.setChecked(True)
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    surface.table.selectRow(0)
    assert surface.model.data(surface.model.index(0, 7)) == "Deleted"
    surface.undelete_action.trigger()
    wait_idle(qtbot, surface)
    qtbot.waitUntil(lambda: surface.model.rows and surface.model.rows[0].state != "deleted", timeout=10000)


def test_retention_dialog_explains_and_soft_deletes(surface, qtbot, monkeypatch):
    ctx = surface.ctx
    repo = BackupRepository.for_data_dir(ctx.data_dir)
    for i in range(3):
        create_backup(ctx.workspace, repo, kind="full", message=f"b{i}", db=ctx.db)
    surface.refresh()
    qtbot.waitUntil(lambda: surface.model.rowCount() == 3, timeout=10000)
    dialogs = []

    def fake_exec(self):
        dialogs.append(self)
        self.keep_daily.setValue(0)
        self.keep_last.setValue(1)
        return QDialog.Accepted

    monkeypatch.setattr(RetentionDialog, "exec", fake_exec)
    surface.retention_action.trigger()
    d = dialogs[0]
    decisions = [d.table.item(r, 2).text() for r in range(d.table.rowCount())]
    assert decisions.count("Keep") == 1 and decisions.count("Drop") == 2
    assert all(d.table.item(r, 3).text() for r in range(d.table.rowCount()))
    wait_idle(qtbot, surface)
    qtbot.waitUntil(lambda: surface.model.rowCount() == 1, timeout=10000)
    assert ctx.db.get_setting("backup.retention") == {"keep_last": 1, "keep_daily": 0}
    assert len(repo.list(include_deleted=True)) == 3  # dropped ones are undoable until purge
