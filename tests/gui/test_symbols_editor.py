"""The Symbols surface driven like a user: open the demo, pick a symbol, type, drag,
undo, save, import — asserting on what the user sees."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox

from arxconsole.gui.symbols.editor import TAB_DETAILS, TAB_PORTS, TAB_SOURCE


@pytest.fixture
def surface(main_window, qtbot, tmp_path):
    """The demo workspace's content in a private folder: the data dir's own demo gets a
    pipeline history seeded in the background, whose runs would race the edits here."""
    from arxconsole.engine.demo import ensure_demo_workspace

    assert main_window.open_workspace(ensure_demo_workspace(tmp_path / "demo"))
    main_window.show_surface("symbols")
    s = main_window.surface("symbols")
    # under a real X server, keyboard focus and shortcuts need the window to be active
    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window, timeout=5000)
    wait_idle(qtbot, s)
    yield s
    from arxconsole.gui.workers import wait_for_workers

    wait_for_workers()


def wait_idle(qtbot, s):
    qtbot.waitUntil(lambda: not s.library.loading and not s.library.validating and s.doc.is_open
                    and not s.library.thumbs.busy, timeout=15000)


def tree_item(s, symbol_id):
    entry = s.library.find_entry(symbol_id)
    assert entry is not None, symbol_id
    return s.library._items[str(entry.path)]


def pick(qtbot, s, symbol_id):
    """Click the symbol in the library tree."""
    item = tree_item(s, symbol_id)
    tree = s.library.tree
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: s.doc.get("id") == symbol_id)
    s.editor.refresh_now()


def type_in_source(qtbot, s, text, before="</svg>"):
    """Put the cursor just before ``before`` in the SVG source and type ``text``."""
    s.editor.tabs.setCurrentIndex(TAB_SOURCE)
    src = s.editor.source
    pos = src.toPlainText().rfind(before)
    assert pos >= 0
    cursor = src.textCursor()
    cursor.setPosition(pos)
    src.setTextCursor(cursor)
    src.setFocus()
    qtbot.keyClicks(src, text)


def rules(s):
    return {f.rule for f in s.editor.findings if not f.waived}


def finding_rows(s):
    view = s.editor.findings_view
    return [(view.topLevelItem(i).text(0), view.topLevelItem(i).text(1)) for i in range(view.topLevelItemCount())]


def drag(view, start: QPoint, end: QPoint, steps=4):
    """Press, move in steps, release — real mouse events on the viewport."""
    vp = view.viewport()

    def send(kind, pos, buttons):
        ev = QMouseEvent(kind, QPointF(pos), QPointF(vp.mapToGlobal(pos)), Qt.LeftButton, buttons, Qt.NoModifier)
        QApplication.sendEvent(vp, ev)

    send(QEvent.MouseButtonPress, start, Qt.LeftButton)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        send(QEvent.MouseMove, p, Qt.LeftButton)
    send(QEvent.MouseButtonRelease, end, Qt.NoButton)


def port_view_pos(s, name):
    canvas = s.editor.canvas
    return canvas.mapFromScene(canvas.ports[name].pos())


# ---- opening -------------------------------------------------------------------------
def test_open_demo_from_the_menu_lands_on_a_populated_symbols_surface(main_window, qtbot):
    main_window.open_demo()
    main_window.show_surface("symbols")
    s = main_window.surface("symbols")
    wait_idle(qtbot, s)
    assert len(s.library.entries) >= 16
    assert s.doc.is_open and s.editor.canvas.render_ok        # a symbol is open, drawn
    from arxconsole.gui.workers import wait_for_workers

    wait_for_workers()


def test_demo_library_lists_systems_with_counts_and_thumbnails(surface):
    lib = surface.library
    top = [lib.tree.topLevelItem(i).text(0) for i in range(lib.tree.topLevelItemCount())]
    assert [t.split(" (")[0] for t in top] == ["audiovisual", "electrical", "fire_alarm"]
    n_el = len([e for e in lib.entries if e.system == "electrical"])
    assert f"electrical ({n_el})" in top
    # every symbol got a rendered thumbnail, and a status with a word
    for e in lib.entries:
        item = lib._items[str(e.path)]
        assert not item.icon(0).isNull(), e.id
        assert item.text(1) in ("Clean",) or "error" in item.text(1) or "warning" in item.text(1)
    # the deliberately flawed demo symbols show up as such
    assert any(e.status == "error" for e in lib.entries)


def test_search_and_filters(surface, qtbot):
    lib = surface.library

    def visible_ids():
        return sorted(e.id for e in lib.entries if not lib._items[str(e.path)].isHidden())

    qtbot.keyClicks(lib.search, "panel")
    assert "EL_PanelBoard_001" in visible_ids()
    assert all("panel" in (i + " " + lib.find_entry(i).name + " ".join(lib.find_entry(i).tags)).lower()
               for i in visible_ids())
    assert "of" in lib.summary.text()          # "n of N symbols shown"
    lib.search.clear()
    lib.system_filter.setCurrentIndex(lib.system_filter.findData("fire_alarm"))
    assert visible_ids() and all(i.startswith("FA_") for i in visible_ids())
    lib.system_filter.setCurrentIndex(0)
    lib.status_filter.setCurrentIndex(lib.status_filter.findData("error"))
    errs = visible_ids()
    assert errs and all(lib.find_entry(i).status == "error" for i in errs)
    lib.status_filter.setCurrentIndex(lib.status_filter.findData("clean"))
    assert set(visible_ids()).isdisjoint(errs)
    # a tag search: the demo panel board carries the tag "distribution"
    lib.status_filter.setCurrentIndex(0)
    lib.search.setText("distribution")
    assert "EL_PanelBoard_001" in visible_ids()


def test_pick_symbol_fills_form_tables_source_and_preview(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    assert ed.title.text() == "EL_PanelBoard_001"
    assert ed.form.name_edit.text() == "Lighting panel board 208Y/120 V"
    assert ed.form.profile_combo.currentText() == "panel_board"
    assert ed.connections.keys() == ["feed", "branch", "ground"]
    props = ed.properties.table
    row = ed.properties.keys().index("voltage")
    assert (props.item(row, 1).text(), props.item(row, 2).text()) == ("208", "V")
    assert ed.source.toPlainText().startswith("<svg")
    assert set(ed.canvas.ports) == {"feed", "branch", "ground"}
    assert ed.canvas.render_ok
    assert ed.canvas.ports["feed"].pos() == QPointF(32, 4)


# ---- live validation -------------------------------------------------------------------
def test_broken_svg_shows_error_and_blocks_save_then_fix_and_save(surface, qtbot, tmp_path):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    path = surface.doc.path
    type_in_source(qtbot, surface, "<rect x='20' y='20' width='4' height='4'")
    # debounced: the error appears without any explicit refresh
    qtbot.waitUntil(lambda: "svg.xml.malformed" in rules(surface), timeout=3000)
    assert ("Error", "svg.xml.malformed") in finding_rows(surface)
    assert not ed.save_button.isEnabled()
    assert not surface.save_action.isEnabled()
    assert "Save is blocked" in ed.save_reason.text() and "svg.xml.malformed" in ed.save_reason.text()
    assert ed.summary.text().startswith("Invalid")
    assert "unsaved" in ed.title.text()
    # the preview keeps the last drawing that rendered, and says so
    assert "does not render" in ed.preview_note.text()
    # Ctrl+S while blocked: refused with the reason, nothing written
    before = path.read_bytes()
    assert not surface.save()
    assert path.read_bytes() == before
    # fix it
    qtbot.keyClicks(ed.source, "/>")
    qtbot.waitUntil(lambda: "svg.xml.malformed" not in rules(surface), timeout=3000)
    assert ed.save_button.isEnabled()
    assert ed.preview_note.text() == ""
    qtbot.mouseClick(ed.save_button, Qt.LeftButton)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert "<rect x='20' y='20' width='4' height='4'/></svg>" in saved["svg"]
    assert ed.title.text() == "EL_PanelBoard_001"          # no unsaved mark
    assert not surface.has_unsaved_changes()
    events = surface.ctx.db.audit_events("symbol.save")
    assert events and events[0].target.endswith("EL_PanelBoard_001.json")


def test_script_in_source_is_a_security_error(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    type_in_source(qtbot, surface, "<script>alert(1)</script>")
    surface.editor.refresh_now()
    assert "svg.security.script" in rules(surface)
    assert not surface.editor.save_button.isEnabled()
    # a security rule cannot be waived
    view = surface.editor.findings_view
    for i in range(view.topLevelItemCount()):
        if view.topLevelItem(i).text(1) == "svg.security.script":
            view.setCurrentItem(view.topLevelItem(i))
    assert not surface.waive_action.isEnabled()
    assert "cannot be waived" in surface.waive_action.toolTip()


def test_form_edit_revalidates_and_source_stays_in_sync(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    ed.tabs.setCurrentIndex(TAB_DETAILS)
    ed.form.id_edit.selectAll()
    qtbot.keyClicks(ed.form.id_edit, "bad id")
    qtbot.waitUntil(lambda: "structure.id.pattern" in rules(surface), timeout=3000)
    assert surface.doc.get("id") == "bad id"
    assert not ed.save_button.isEnabled()
    # the drawing edited in the source shows in the document the form also edits
    type_in_source(qtbot, surface, "<circle cx='5' cy='5' r='1'/>")
    assert "<circle cx='5' cy='5' r='1'/></svg>" in surface.doc.get("svg")
    # and an undo restores the form field's text after the source edit is undone
    surface.undo_action.trigger()
    assert "<circle cx='5' cy='5' r='1'/>" not in ed.source.toPlainText()
    surface.undo_action.trigger()
    assert ed.form.id_edit.text() == "EL_PanelBoard_001"
    assert not surface.has_unsaved_changes()


def test_clicking_findings_selects_field_row_or_svg_element(surface, qtbot):
    ed = surface.editor
    pick(qtbot, surface, "FA_HornStrobe_002")     # demo: port nac_out outside the viewBox
    view = ed.findings_view
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).text(1) == "connection.position.outside")
    rect = view.visualItemRect(item)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=rect.center())
    assert ed.tabs.currentIndex() == TAB_PORTS
    assert ed.connections.selected_key() == "nac_out"
    assert ed.connections.table.currentColumn() == 2            # the x column
    assert ed.canvas.selected_port == "nac_out"

    pick(qtbot, surface, "EL_Receptacle_003")     # demo: a circle drawn outside the viewBox
    f = next(f for f in ed.findings if f.rule == "svg.bbox.outside_viewbox")
    assert f.location.startswith("svg/")
    ed.findings_view.findingActivated.emit(f)
    assert ed.tabs.currentIndex() == TAB_SOURCE
    assert ed.source.textCursor().selectedText().startswith("<circle")

    # a form field
    ed.select_location("name")
    assert ed.tabs.currentIndex() == TAB_DETAILS
    assert ed.form.name_edit.hasFocus()


def test_next_and_previous_finding_keys(surface, qtbot):
    pick(qtbot, surface, "AV_Projector_002")
    ed = surface.editor
    type_in_source(qtbot, surface, "<foo/>")
    ed.refresh_now()
    n = ed.findings_view.topLevelItemCount()
    assert n >= 2
    surface.setFocus()
    qtbot.keyClick(ed.findings_view, Qt.Key_F8)
    first = ed.findings_view.current_finding()
    qtbot.keyClick(ed.findings_view, Qt.Key_F8)
    second = ed.findings_view.current_finding()
    assert first is not None and second is not None and first != second
    qtbot.keyClick(ed.findings_view, Qt.Key_F8, Qt.ShiftModifier)
    assert ed.findings_view.current_finding() == first


# ---- ports -----------------------------------------------------------------------------
def test_drag_port_snaps_updates_table_and_undo_restores(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    canvas = ed.canvas
    canvas.fit()
    start = port_view_pos(surface, "ground")
    target_scene = QPointF(47.3, 70.8)
    end = canvas.mapFromScene(target_scene)
    drag(canvas, start, end)
    port = surface.doc.get("connections", "ground")
    step = canvas.grid_step
    assert (port["x"], port["y"]) == (round(47.3 / step) * step, round(70.8 / step) * step)
    assert port["type"] == "ground"                          # the rest of the port is kept
    assert all(isinstance(port[k], int) for k in ("x", "y"))  # whole numbers stay ints in the file
    row = ed.connections.keys().index("ground")
    assert ed.connections.table.item(row, 2).text() == str(port["x"])
    assert ed.connections.selected_key() == "ground"         # clicking the port selected its row
    assert "Undo Move port ground" in surface.undo_action.toolTip()
    assert "unsaved" in ed.title.text()
    # undo with the keyboard from the preview
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    assert surface.doc.get("connections", "ground") == {"x": 58, "y": 81, "type": "ground"}
    assert canvas.ports["ground"].pos() == QPointF(58, 81)
    assert not surface.has_unsaved_changes()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert surface.doc.get("connections", "ground")["x"] == port["x"]
    surface.doc.undo_stack.undo()
    qtbot.keyClick(canvas, Qt.Key_Y, Qt.ControlModifier)      # the other common redo key
    assert surface.doc.get("connections", "ground")["x"] == port["x"]


def test_port_drag_is_clamped_to_the_viewbox(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    canvas = surface.editor.canvas
    canvas.fit()
    drag(canvas, port_view_pos(surface, "feed"), canvas.mapFromScene(QPointF(-30, -30)))
    port = surface.doc.get("connections", "feed")
    assert (port["x"], port["y"]) == (0, 0)
    assert "connection.position.outside" not in rules(surface)


def test_table_selection_highlights_port_and_click_selects_row(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    ed.tabs.setCurrentIndex(TAB_PORTS)
    ed.connections.table.selectRow(1)
    assert ed.canvas.selected_port == "branch"
    assert ed.canvas.ports["branch"].is_selected and not ed.canvas.ports["feed"].is_selected
    vp = ed.canvas.viewport()
    qtbot.mouseClick(vp, Qt.LeftButton, pos=port_view_pos(surface, "feed"))
    assert ed.connections.selected_key() == "feed"
    assert ed.canvas.ports["feed"].is_selected
    assert not surface.has_unsaved_changes()                # a click is not a move


def test_editing_port_coordinates_in_the_table_moves_the_marker(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    table = ed.connections.table
    table.item(0, 2).setText("40")
    assert surface.doc.get("connections", "feed", "x") == 40
    assert ed.canvas.ports["feed"].pos().x() == 40
    table.item(0, 3).setText("far")
    ed.refresh_now()
    assert "connection.position.missing" in rules(surface)
    table.item(0, 0).setText("mains")
    assert list(surface.doc.get("connections")) == ["mains", "branch", "ground"]
    surface.doc.undo_stack.undo()
    assert list(surface.doc.get("connections")) == ["feed", "branch", "ground"]


def test_properties_table_writes_quantities(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    row = ed.properties.keys().index("voltage")
    ed.properties.table.item(row, 1).setText("480")
    assert surface.doc.get("properties", "voltage") == {"value": 480, "unit": "V"}
    ed.properties.table.item(row, 2).setText("")
    assert surface.doc.get("properties", "voltage") == 480


# ---- zoom and keyboard -------------------------------------------------------------------
def test_zoom_buttons_wheel_and_keys(surface, qtbot):
    ed = surface.editor
    canvas = ed.canvas
    canvas.fit()
    fit_scale = canvas.scale_factor
    qtbot.mouseClick(ed.zoom_in_button, Qt.LeftButton)
    assert canvas.scale_factor == pytest.approx(fit_scale * 1.25)
    surface.zoom_out_action.trigger()
    assert canvas.scale_factor == pytest.approx(fit_scale)
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Equal, Qt.ControlModifier)
    assert canvas.scale_factor > fit_scale * 1.2
    qtbot.keyClick(canvas, Qt.Key_0, Qt.ControlModifier)
    assert canvas.scale_factor == pytest.approx(fit_scale)
    assert ed.zoom_label.text().endswith("%")


def test_undo_key_in_source_editor_uses_the_shared_stack(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    original = ed.source.toPlainText()
    type_in_source(qtbot, surface, "<g/>")
    assert ed.source.toPlainText() != original
    qtbot.keyClick(ed.source, Qt.Key_Z, Qt.ControlModifier)
    assert ed.source.toPlainText() == original
    assert surface.doc.get("svg") == original


def test_find_key_focuses_library_search(surface, qtbot):
    surface.editor.canvas.setFocus()
    qtbot.keyClick(surface.editor.canvas, Qt.Key_F, Qt.ControlModifier)
    assert surface.library.search.hasFocus()


def test_save_key(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    ed.form.name_edit.setFocus()
    qtbot.keyClicks(ed.form.name_edit, " (rev B)")
    qtbot.keyClick(ed.form.name_edit, Qt.Key_S, Qt.ControlModifier)
    data = json.loads(surface.doc.path.read_text(encoding="utf-8"))
    assert data["name"].endswith("(rev B)")
    assert not surface.has_unsaved_changes()


# ---- unsaved changes ----------------------------------------------------------------------
def test_switching_symbol_with_unsaved_changes_asks(surface, qtbot, monkeypatch):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    qtbot.keyClicks(ed.form.name_edit, "X")
    assert surface.has_unsaved_changes()
    asked = []
    answer = {"value": QMessageBox.Cancel}

    def question(parent, title, text, *a, **k):
        asked.append(text)
        return answer["value"]

    monkeypatch.setattr(QMessageBox, "question", question)
    item = tree_item(surface, "EL_Transformer_001")
    surface.library.tree.setCurrentItem(item)
    assert asked and "unsaved changes" in asked[-1]
    assert surface.doc.get("id") == "EL_PanelBoard_001"            # stayed
    assert surface.library.selected_path() == surface.doc.path      # selection put back
    answer["value"] = QMessageBox.Discard
    surface.library.tree.setCurrentItem(item)
    assert surface.doc.get("id") == "EL_Transformer_001"
    on_disk = json.loads(surface.library.find_entry("EL_PanelBoard_001").path.read_text())
    assert not on_disk["name"].endswith("X")                       # discarded, not saved
    # the window asks the surface before a workspace switch / close
    qtbot.keyClicks(ed.form.name_edit, "Y")
    answer["value"] = QMessageBox.Cancel
    assert not surface.confirm_discard()
    answer["value"] = QMessageBox.Save
    assert surface.confirm_discard()
    assert json.loads(surface.doc.path.read_text())["name"].endswith("Y")


def test_unsaved_blocked_symbol_cannot_be_saved_on_leave(surface, qtbot, monkeypatch, messages):
    pick(qtbot, surface, "EL_PanelBoard_001")
    type_in_source(qtbot, surface, "<rect")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Save)
    assert not surface.confirm_discard()              # save refused -> stay
    assert messages[-1][1] == "Cannot save" and "blocked" in messages[-1][2]


# ---- waivers --------------------------------------------------------------------------------
def test_waive_a_warning_with_reason_and_save(surface, qtbot):
    pick(qtbot, surface, "EL_Receptacle_003")
    ed = surface.editor
    view = ed.findings_view
    idx = next(i for i in range(view.topLevelItemCount()) if view.topLevelItem(i).text(1) == "svg.bbox.outside_viewbox")
    view.setCurrentItem(view.topLevelItem(idx))
    assert surface.waive_action.isEnabled()
    assert not surface.waive_selected(reason="   ")            # a reason is required
    assert surface.waive_selected(reason="ring is meant to bleed past the frame")
    rows = finding_rows(surface)
    assert ("Waived", "svg.bbox.outside_viewbox") in rows
    assert ed.summary.text().endswith("1 waived") or "waived" in ed.summary.text()
    assert surface.save()
    data = json.loads(surface.doc.path.read_text())
    assert data["waivers"][0]["rule"] == "svg.bbox.outside_viewbox"
    assert data["waivers"][0]["reason"] == "ring is meant to bleed past the frame"
    assert data["waivers"][0]["by"] and data["waivers"][0]["at"]


# ---- new, duplicate, delete, export -------------------------------------------------------
def test_new_symbol_from_template_then_save(surface, qtbot):
    # a new object type: no profile exists yet, so the template leaves it empty (a warning)
    assert surface.new_symbol(system="electrical", category="smart_switch")
    ed = surface.editor
    assert surface.doc.get("id") == "EL_SmartSwitch_001"
    assert surface.doc.path is None and "new, not saved" in ed.title.text()
    assert ed.canvas.render_ok and ed.canvas.ports
    ed.refresh_now()
    assert not surface.editor.blocking, [f.message for f in ed.findings if f.blocking]
    assert "metadata.behavior_profile.missing" in rules(surface)
    assert surface.has_unsaved_changes()
    assert surface.save()
    ws = surface.ctx.workspace
    assert ws.symbol_path("electrical", "EL_SmartSwitch_001").is_file()
    qtbot.waitUntil(lambda: surface.library.find_entry("EL_SmartSwitch_001") is not None)


def test_new_symbol_of_known_type_gets_profile_ports_and_next_id(surface, qtbot):
    assert surface.new_symbol(system="electrical", category="wall_switch")
    sid = surface.doc.get("id")
    assert sid.startswith("EL_WallSwitch_") and surface.library.find_entry(sid) is None
    profile = surface.doc.get("behavior_profile")
    assert profile
    info = surface.vctx.profile("electrical", profile)
    assert {n for n, _ in info.ports} <= set(surface.doc.get("connections"))
    surface.editor.refresh_now()
    assert "connection.required.missing" not in rules(surface)


def test_duplicate_as_next_variant(surface, qtbot):
    pick(qtbot, surface, "EL_Receptacle_001")   # _001.._003 exist in the demo
    assert surface.duplicate_symbol()
    assert surface.doc.get("id") == "EL_Receptacle_004"
    assert surface.doc.get("metadata")["variant_of"] == "EL_Receptacle_001"
    assert surface.doc.path is None
    assert surface.save()
    assert surface.ctx.workspace.symbol_path("electrical", "EL_Receptacle_004").is_file()


def test_rename_id_on_save_moves_the_file(surface, qtbot):
    pick(qtbot, surface, "EL_Transformer_001")
    old = surface.doc.path
    surface.editor.form.id_edit.setFocus()
    surface.editor.form.id_edit.selectAll()
    qtbot.keyClicks(surface.editor.form.id_edit, "EL_Transformer_007")
    surface.editor.refresh_now()
    assert "renames the file" in surface.editor.save_reason.text()
    assert surface.save()
    assert not old.exists()
    assert surface.doc.path.name == "EL_Transformer_007.json"


def test_typing_another_symbols_id_is_a_finding_at_once_and_blocks_save(surface, qtbot):
    pick(qtbot, surface, "EL_Receptacle_001")
    qtbot.waitUntil(lambda: bool(surface.vctx and surface.vctx.ids), timeout=10000)   # library indexed
    ed = surface.editor
    for other, file in (("EL_Receptacle_002", "arx-symbol-library/electrical/EL_Receptacle_002.json"),
                        ("AV_Projector_001", "arx-symbol-library/audiovisual/AV_Projector_001.json")):
        ed.form.id_edit.setFocus()
        ed.form.id_edit.selectAll()
        qtbot.keyClicks(ed.form.id_edit, other)
        qtbot.waitUntil(lambda: any(f.rule == "structure.id.duplicate" and file in f.message
                                    for f in ed.findings), timeout=5000)
        dup = next(f for f in ed.findings if f.rule == "structure.id.duplicate")
        assert dup.location == "id" and dup.severity.value == "error"
        assert not ed.save_button.isEnabled() and not surface.save_action.isEnabled()
        assert "structure.id.duplicate" in ed.save_block_reason()
    # back to a free id: the finding goes, Save is offered again
    ed.form.id_edit.selectAll()
    qtbot.keyClicks(ed.form.id_edit, "EL_Receptacle_009")
    qtbot.waitUntil(lambda: not any(f.rule == "structure.id.duplicate" for f in ed.findings), timeout=5000)
    assert surface.save_action.isEnabled()


def test_rename_onto_existing_symbol_is_refused(surface, qtbot, messages):
    pick(qtbot, surface, "EL_Receptacle_001")
    surface.doc.set(("id",), "EL_Receptacle_002")
    surface.editor.refresh_now()
    assert "structure.id.duplicate" in rules(surface)
    assert not surface.save()
    assert json.loads(surface.library.find_entry("EL_Receptacle_002").path.read_text())["id"] == "EL_Receptacle_002"


def test_delete_asks_then_removes(surface, qtbot, monkeypatch):
    pick(qtbot, surface, "AV_Speaker_002")
    path = surface.doc.path
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    assert not surface.delete_symbol()
    assert path.exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    assert surface.delete_symbol()
    assert not path.exists()
    qtbot.waitUntil(lambda: not surface.library.loading and surface.library.find_entry("AV_Speaker_002") is None)


def test_export_json_and_svg(surface, qtbot, tmp_path):
    pick(qtbot, surface, "EL_PanelBoard_001")
    assert surface.export_symbol(str(tmp_path / "out.json"))
    assert json.loads((tmp_path / "out.json").read_text())["id"] == "EL_PanelBoard_001"
    assert surface.export_symbol(str(tmp_path / "out.svg"))
    text = (tmp_path / "out.svg").read_text()
    assert text.startswith("<svg") and text.rstrip().endswith("</svg>")


# ---- import ---------------------------------------------------------------------------------
LEGACY = {"display_name": "Ceiling Fan", "system": "electrical", "category": "fan",
          "svg": "<g id='fan'><circle cx='10' cy='10' r='8' fill='none' stroke='#000'/></g>",
          "properties": {"power": "75 W", "speeds": "3"},
          "connections": [{"type": "power", "description": "mains"}]}
NORMALIZED = {"id": "wall_clock", "name": "Wall clock", "system": "electrical", "category": "",
              "svg": {"content": "<g id='wall_clock'><circle cx='10' cy='10' r='9' fill='none' stroke='#000'/></g>",
                      "width": 20, "height": 20, "scale": 1},
              "properties": {}, "connections": {}}


def test_import_folder_shows_migration_report(surface, qtbot, tmp_path):
    src = tmp_path / "old-library"
    src.mkdir()
    (src / "ceiling_fan.json").write_text(json.dumps(LEGACY))
    (src / "wall_clock.json").write_text(json.dumps(NORMALIZED))
    (src / "broken.json").write_text("{ not json")
    before = len(surface.library.entries)
    surface.import_sources([src], system="electrical")
    qtbot.waitUntil(lambda: surface.import_dialog is not None and surface.import_dialog.isVisible(), timeout=10000)
    dialog = surface.import_dialog
    rows = dialog.rows()
    by_source = {r[1].rsplit("/", 1)[-1]: r for r in rows}
    assert by_source["ceiling_fan.json"][0] == "Imported"
    assert by_source["wall_clock.json"][0] == "Imported"
    assert by_source["broken.json"][0] == "Failed"
    assert "Imported 2" in dialog.summary.text() and "failed 1" in dialog.summary.text()
    assert "files needing a human: 2" in dialog.details.toPlainText()
    assert "<svg viewBox" in dialog.details.toPlainText()      # quoted SVG shows as text
    # picking a row shows that file's conversion
    fan_row = next(dialog.table.topLevelItem(i) for i in range(dialog.table.topLevelItemCount())
                   if dialog.table.topLevelItem(i).text(1).endswith("ceiling_fan.json"))
    dialog.table.setCurrentItem(fan_row)
    text = dialog.details.toPlainText()
    assert "display_name -> name 'Ceiling Fan'" in text and "needs a human" in text.lower()
    assert fan_row.text(4) not in ("", "0")         # count of items needing a human
    assert dialog.report_files.text().startswith("Report written to")
    qtbot.waitUntil(lambda: not surface.library.loading and len(surface.library.entries) == before + 2, timeout=10000)
    # the report files live outside the workspace
    ws_root = str(surface.ctx.workspace.root)
    assert all(not f.startswith(ws_root) for f in surface.last_import_report.report_files)
    # double-click an imported row to open it
    fan_id = by_source["ceiling_fan.json"][2]
    row = next(dialog.table.topLevelItem(i) for i in range(dialog.table.topLevelItemCount())
               if dialog.table.topLevelItem(i).text(3) == fan_id)
    dialog._open_item(row)
    assert surface.doc.get("id") == fan_id
    assert surface.doc.get("name") == "Ceiling Fan"
    dialog.close()


def test_import_into_a_chosen_system_reports_an_id_the_library_has_as_a_conflict(surface, qtbot, tmp_path,
                                                                                 monkeypatch):
    ws = surface.ctx.workspace
    existing = ws.symbol_path("audiovisual", "AV_Projector_001")
    src = tmp_path / "from-elsewhere"
    src.mkdir()
    (src / "AV_Projector_001.json").write_bytes(existing.read_bytes())
    before = len(surface.library.entries)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(src))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("electrical", True))
    surface.import_folder_action.trigger()
    qtbot.waitUntil(lambda: surface.import_dialog is not None and surface.import_dialog.isVisible(), timeout=10000)
    dialog = surface.import_dialog
    status, _, sid = dialog.rows()[0][:3]
    assert status == "Conflict" and sid == "AV_Projector_001"
    assert "Imported 0, conflicts (not written) 1" in dialog.summary.text()
    assert "arx-symbol-library/audiovisual/AV_Projector_001.json" in dialog.details.toPlainText()
    assert not ws.symbol_path("electrical", "AV_Projector_001").exists()
    qtbot.waitUntil(lambda: not surface.library.loading, timeout=10000)
    assert len(surface.library.entries) == before
    dialog.close()


# ---- navigation from another surface --------------------------------------------------------
def test_navigate_opens_symbol_at_location(surface, qtbot, main_window):
    main_window.show_surface("workspace")
    main_window.ctx.navigate("symbols", symbol_id="FA_HornStrobe_002", location="connections.nac_out.x")
    assert main_window.stack.currentWidget() is surface
    assert surface.doc.get("id") == "FA_HornStrobe_002"
    assert surface.editor.connections.selected_key() == "nac_out"


def test_navigate_to_unknown_symbol_says_so(surface, messages):
    surface.navigate(symbol_id="XX_Nothing_001")
    assert messages[-1][1] == "Symbol not found"


def test_navigate_with_unsaved_edits_and_cancel_stays_silently(surface, qtbot, monkeypatch, messages):
    pick(qtbot, surface, "EL_PanelBoard_001")
    qtbot.keyClicks(surface.editor.form.name_edit, " X")
    asked = _answering(monkeypatch, {"value": QMessageBox.Cancel})
    shown = len(messages)
    surface.navigate(symbol_id="EL_Receptacle_003", location="svg")
    assert asked and asked[-1][0] == "Unsaved changes"
    assert messages[shown:] == []                         # no "Symbol not found": it exists
    assert surface.doc.get("id") == "EL_PanelBoard_001" and surface.doc.get("name").endswith(" X")


def test_navigate_to_an_unreadable_symbol_file_says_so_once(surface, qtbot, messages):
    ws = surface.ctx.workspace
    path = ws.symbol_path("electrical", "EL_Receptacle_002")
    path.write_text(path.read_text()[:40])               # truncated JSON
    surface.library.reload()
    qtbot.waitUntil(lambda: not surface.library.loading, timeout=10000)
    shown = len(messages)
    surface.navigate(symbol_id="EL_Receptacle_002", file=ws.relative(path), location="")
    assert [m[1] for m in messages[shown:]] == ["Cannot open symbol"]
    # a symbol the library does not have is still "not found"
    surface.navigate(symbol_id="EL_Nothing_001", file="arx-symbol-library/electrical/EL_Nothing_001.json")
    assert messages[-1][1] == "Symbol not found"


def test_format_xml_is_one_undoable_edit_that_keeps_the_drawing(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    before = surface.doc.get("svg")
    assert before.count("\n") == 0                        # the demo stores one long line
    qtbot.mouseClick(ed.format_button, Qt.LeftButton)
    after = surface.doc.get("svg")
    assert after.count("\n") > 20 and ed.source.toPlainText() == after
    ed.refresh_now()
    assert not ed.blocking and ed.canvas.render_ok
    surface.undo_action.trigger()
    assert surface.doc.get("svg") == before
    # a document that does not parse is left alone
    type_in_source(qtbot, surface, "<g>")
    assert not ed.format_source()


def test_messages_quoting_markup_are_shown_literally(surface, qtbot):
    pick(qtbot, surface, "EL_PanelBoard_001")
    type_in_source(qtbot, surface, "<script>x</script>")
    ed = surface.editor
    ed.refresh_now()
    assert "<script>" in ed.save_reason.text()
    assert ed.save_reason.textFormat() == Qt.PlainText
    assert "&lt;script&gt;" in ed.save_button.toolTip()      # escaped for the rich-text tooltip


def test_finding_context_menu_waives_and_unwaives(surface, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    pick(qtbot, surface, "AV_Projector_002")       # demo: a quantity written as text (warning)
    ed = surface.editor
    f = next(f for f in ed.findings if f.rule == "properties.quantity_as_text")
    labels = dict(ed.findings_view.context_actions(f))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("catalogue writes it so", True))
    view = ed.findings_view
    view.setCurrentItem(next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                             if view.topLevelItem(i).text(1) == f.rule))
    labels["Waive properties.quantity_as_text for this symbol…"]()
    waived = next(x for x in ed.findings if x.rule == f.rule)
    assert waived.waived and waived.waiver_reason.startswith("catalogue writes it so")
    remove = dict(ed.findings_view.context_actions(waived))["Remove the waiver of properties.quantity_as_text"]
    remove()
    assert not next(x for x in ed.findings if x.rule == f.rule).waived
    assert not surface.doc.get("waivers")
    # security findings offer no waiver
    type_in_source(qtbot, surface, "<script/>")
    ed.refresh_now()
    sec = next(x for x in ed.findings if x.rule == "svg.security.script")
    assert not any(label.startswith("Waive") for label, _ in ed.findings_view.context_actions(sec))


def test_navigate_by_file_and_reload_when_changed_elsewhere(surface, qtbot, main_window):
    ws = surface.ctx.workspace
    rel = "arx-symbol-library/electrical/EL_Transformer_001.json"
    surface.navigate(file=rel, location="name")
    assert surface.doc.get("id") == "EL_Transformer_001"
    # another surface (a restore, a pipeline run) rewrites the file while we look elsewhere
    main_window.show_surface("workspace")
    data = json.loads((ws.root / rel).read_text())
    data["name"] = "Changed elsewhere"
    (ws.root / rel).write_text(json.dumps(data))
    main_window.show_surface("symbols")
    assert surface.doc.get("name") == "Changed elsewhere"
    assert surface.editor.form.name_edit.text() == "Changed elsewhere"
    qtbot.waitUntil(lambda: not surface.library.loading and not surface.library.validating, timeout=10000)


def test_import_real_arxos_folders_from_the_corpus(surface, qtbot, corpus):
    """The two older formats as found in a real Arxos library: every file gets a row
    with its status and format, the converted symbols open and render."""
    folders = [corpus / "tools/symbols/symbols/security", corpus / "tools/symbols/symbols/av"]
    n_files = sum(len(list(f.glob("*.json"))) for f in folders)
    surface.import_sources(folders, system="security", ask_system=False)
    qtbot.waitUntil(lambda: surface.import_dialog is not None and surface.import_dialog.isVisible(), timeout=20000)
    dialog = surface.import_dialog
    rows = dialog.rows()
    assert len(rows) == n_files
    assert {r[0] for r in rows} <= {"Imported", "Conflict", "Failed"}
    formats = {dialog.table.topLevelItem(i).text(2) for i in range(dialog.table.topLevelItemCount())}
    assert {"legacy", "normalized"} <= formats
    imported = [r for r in rows if r[0] == "Imported"]
    assert imported
    qtbot.waitUntil(lambda: not surface.library.loading
                    and surface.library.find_entry(imported[0][2]) is not None, timeout=20000)
    assert surface.open_symbol(imported[0][2])
    assert surface.editor.canvas.render_ok
    dialog.close()


def test_json_tab_and_form_stay_in_sync(surface, qtbot):
    from arxconsole.gui.symbols.editor import TAB_JSON

    pick(qtbot, surface, "EL_PanelBoard_001")
    ed = surface.editor
    ed.tabs.setCurrentIndex(TAB_JSON)
    view = ed.json_view
    assert json.loads(view.editor.toPlainText())["id"] == "EL_PanelBoard_001"
    # a form edit shows in the JSON
    ed.tabs.setCurrentIndex(TAB_DETAILS)
    ed.form.name_edit.setFocus()
    qtbot.keyClicks(ed.form.name_edit, " LP-1")
    ed.tabs.setCurrentIndex(TAB_JSON)
    assert json.loads(view.editor.toPlainText())["name"].endswith(" LP-1")
    # a JSON edit shows in the form, the ports table and the preview
    data = json.loads(view.editor.toPlainText())
    data["connections"]["ground"]["x"] = 50
    data["description"] = "edited as JSON"
    view.editor.setPlainText(json.dumps(data, indent=2))     # as if typed: userEdited fires
    qtbot.waitUntil(lambda: surface.doc.get("description") == "edited as JSON", timeout=10000)
    assert ed.form.description_edit.toPlainText() == "edited as JSON"
    assert ed.canvas.ports["ground"].pos().x() == 50
    # one undo step takes the whole JSON edit back
    surface.undo_action.trigger()
    assert surface.doc.get("connections", "ground", "x") == 58
    assert surface.doc.get("description") != "edited as JSON"
    # broken JSON is not applied, and says why
    view.editor.setPlainText('{"id": "EL_PanelBoard_001",')
    assert not view.apply()
    assert "not valid" in view.status.text() and "line" in view.status.text()
    assert surface.doc.get("id") == "EL_PanelBoard_001"


@pytest.mark.parametrize("data", [
    {"display_name": "Old", "svg": "<g id='x'/>", "connections": [{"type": "power"}]},      # legacy, unimported
    {"id": "el_thing", "name": "N", "svg": {"content": "<g/>", "width": 20, "height": 20}},  # normalized
    {"id": 5, "name": ["n"], "system": None, "svg": 7, "properties": [], "connections": "x", "tags": "t",
     "waivers": {"rule": 1}},                                                                # every type wrong
])
def test_odd_files_open_without_crashing_and_are_reported(surface, qtbot, data):
    ws = surface.ctx.workspace
    path = ws.symbol_path("electrical", "EL_Odd_001")
    path.write_text(json.dumps(data))
    assert surface.open_path(path)
    ed = surface.editor
    ed.refresh_now()
    assert ed.blocking and not ed.save_button.isEnabled()
    assert ed.findings_view.topLevelItemCount() > 0
    for tab in range(ed.tabs.count()):               # every view copes with the odd shapes
        ed.tabs.setCurrentIndex(tab)
        QApplication.processEvents()
    # adding a port replaces a connections value that was not an object
    ed.connections.add_row()
    assert isinstance(surface.doc.get("connections"), dict) and surface.doc.get("connections")


def test_files_rewritten_elsewhere_never_drop_unsaved_edits(surface, qtbot):
    ws = surface.ctx.workspace
    pick(qtbot, surface, "EL_Transformer_001")
    path = surface.doc.path
    ed = surface.editor
    # clean symbol: a restore rewrites it -> the editor shows the new content
    data = json.loads(path.read_text())
    data["description"] = "restored"
    path.write_text(json.dumps(data))
    surface.ctx.workspaceFilesChanged.emit([ws.relative(path)])
    assert surface.doc.get("description") == "restored" and not surface.has_unsaved_changes()
    # unsaved edits: they stay, and the user is told (in words) that the file changed
    qtbot.keyClicks(ed.form.name_edit, " (mine)")
    data["description"] = "restored again"
    path.write_text(json.dumps(data))
    surface.ctx.workspaceFilesChanged.emit([])
    assert surface.doc.get("name").endswith(" (mine)") and surface.has_unsaved_changes()
    assert ed.disk_note.isVisible() and ed.disk_note.text().startswith("Warning:")
    assert "changed outside the editor" in ed.disk_note.text()
    assert surface.save()
    assert not ed.disk_note.isVisible()
    assert json.loads(path.read_text())["name"].endswith(" (mine)")


# ---- JSON tab: an edit still waiting for the pause in typing ----------------------------------
def type_in_json(qtbot, s, old, new):
    """Select ``old`` in the JSON tab and type ``new`` over it, like a user."""
    from PySide6.QtGui import QTextCursor

    from arxconsole.gui.symbols.editor import TAB_JSON

    s.editor.tabs.setCurrentIndex(TAB_JSON)
    view = s.editor.json_view
    text = view.editor.toPlainText()
    start = text.index(old)
    cursor = view.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(old), QTextCursor.KeepAnchor)
    view.editor.setTextCursor(cursor)
    view.editor.setFocus()
    qtbot.keyClicks(view.editor, new)
    return view


def _answering(monkeypatch, answer):
    asked = []

    def question(parent, title, text, *a, **k):
        asked.append((title, text))
        return answer["value"]

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _name_on_disk(s, sid):
    return json.loads(s.library.find_entry(sid).path.read_text(encoding="utf-8"))["name"]


def test_json_edit_then_switching_at_once_asks_and_never_lands_on_the_next_symbol(surface, qtbot, monkeypatch):
    pick(qtbot, surface, "EL_Receptacle_001")
    switch_name = _name_on_disk(surface, "EL_WallSwitch_001")
    view = type_in_json(qtbot, surface, "Duplex receptacle 20 A", "TYPED IN JSON")
    assert view.pending                               # still inside the typing pause
    answer = {"value": QMessageBox.Cancel}
    asked = _answering(monkeypatch, answer)
    item = tree_item(surface, "EL_WallSwitch_001")
    surface.library.tree.setCurrentItem(item)          # switch at once
    assert asked and asked[-1][0] == "Unsaved changes" and "EL_Receptacle_001" in asked[-1][1]
    assert surface.doc.get("id") == "EL_Receptacle_001" and surface.doc.get("name") == "TYPED IN JSON"
    assert surface.has_unsaved_changes()
    # Discard: the next symbol opens untouched, the file keeps its name
    answer["value"] = QMessageBox.Discard
    surface.library.tree.setCurrentItem(item)
    assert surface.doc.get("id") == "EL_WallSwitch_001"
    qtbot.wait(600)                                    # longer than the JSON debounce
    assert surface.doc.get("name") == switch_name and not surface.doc.dirty
    assert not surface.doc.undo_stack.canUndo()
    assert _name_on_disk(surface, "EL_Receptacle_001") == "Duplex receptacle 20 A"
    assert _name_on_disk(surface, "EL_WallSwitch_001") == switch_name
    # Save: the edit goes to the symbol it was typed into
    pick(qtbot, surface, "EL_Receptacle_001")
    type_in_json(qtbot, surface, "Duplex receptacle 20 A", "SAVED FROM JSON")
    answer["value"] = QMessageBox.Save
    surface.library.tree.setCurrentItem(item)
    assert surface.doc.get("id") == "EL_WallSwitch_001"
    qtbot.wait(600)
    assert surface.doc.get("name") == switch_name and not surface.doc.dirty
    assert _name_on_disk(surface, "EL_Receptacle_001") == "SAVED FROM JSON"
    assert _name_on_disk(surface, "EL_WallSwitch_001") == switch_name


def test_json_edit_is_saved_by_ctrl_s_and_kept_on_close(surface, qtbot, monkeypatch, main_window):
    pick(qtbot, surface, "EL_Receptacle_001")
    view = type_in_json(qtbot, surface, "Duplex receptacle 20 A", "CTRL S")
    assert view.pending
    surface.save_action.setEnabled(True)   # as the key would find it: the doc is not dirty yet
    assert surface.save()
    assert _name_on_disk(surface, "EL_Receptacle_001") == "CTRL S"
    # close the window inside the typing pause: asked, and Save writes the edit
    path = surface.doc.path
    type_in_json(qtbot, surface, "CTRL S", "ON CLOSE")
    asked = _answering(monkeypatch, {"value": QMessageBox.Save})
    main_window.close()
    assert asked and asked[-1][0] == "Unsaved changes"
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "ON CLOSE"


def test_invalid_json_edit_is_not_dropped_silently(surface, qtbot, monkeypatch, messages):
    pick(qtbot, surface, "EL_Receptacle_001")
    path = surface.doc.path
    before = path.read_text()
    type_in_json(qtbot, surface, '"Duplex receptacle 20 A",', '"broken')
    assert not surface.save()                          # not the last valid state in silence
    assert messages[-1][1] == "Cannot save" and "not valid JSON" in messages[-1][2]
    assert path.read_text() == before
    answer = {"value": QMessageBox.Cancel}
    asked = _answering(monkeypatch, answer)
    item = tree_item(surface, "EL_WallSwitch_001")
    surface.library.tree.setCurrentItem(item)
    assert asked and "not valid JSON" in asked[-1][1]
    assert surface.doc.get("id") == "EL_Receptacle_001"
    answer["value"] = QMessageBox.Discard
    surface.library.tree.setCurrentItem(item)
    assert surface.doc.get("id") == "EL_WallSwitch_001" and not surface.doc.dirty
    assert path.read_text() == before
