"""SPEC §9 journey 1 — new object.  An engineer opens the demo and adds the object type
``smart_switch`` to *electrical*: creates the symbol from the system template (Symbols,
"New"), edits the drawing in the SVG source, places and drags its ports in the preview,
watches findings appear and clear while typing, saves; runs the pipeline for
``new_object`` step by step, reading each step's findings and log; opens the generated
documentation page in the app, with the new symbol's picture in it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QInputDialog

from arxconsole.gui.symbols.editor import TAB_PORTS, TAB_SOURCE
from tests.gui.test_symbols_editor import drag, port_view_pos, rules

from .conftest import click_cell, click_tab, table_column, wait_for_demo_history

pytestmark = pytest.mark.gui

SID = "EL_SmartSwitch_001"
REL = f"arx-symbol-library/electrical/{SID}.json"
STEPS = ("define-schema", "add-symbols", "implement-behavior", "update-registry", "documentation", "compliance")
# what the engineer draws: a rocker with a status LED, typed into the source
ROCKER = "<rect id='rocker' x='38' y='30' width='24' height='40' rx='4' fill='none' stroke='#1b1f24'/>"
LED = "<circle id='led' cx='50' cy='40' r='3' fill='#2e7d32'/>"


def toolbar_button(surface, action):
    from PySide6.QtWidgets import QToolBar

    for bar in surface.findChildren(QToolBar):
        button = bar.widgetForAction(action)
        if button is not None and button.isVisible():
            return button
    raise AssertionError(f"no visible toolbar button for {action.text()}")


def type_before(qtbot, surface, text, before="</svg>"):
    """Click into the SVG source just before ``before`` and type ``text`` key by key."""
    ed = surface.editor
    click_tab(qtbot, ed.tabs, ed.tabs.tabText(TAB_SOURCE).replace("&", ""))
    src = ed.source
    pos = src.toPlainText().rfind(before)
    assert pos >= 0
    cursor = src.textCursor()
    cursor.setPosition(pos)
    src.setTextCursor(cursor)
    src.setFocus()
    qtbot.keyClicks(src, text)


def test_new_object_smart_switch_from_symbol_to_documentation(main_window, qtbot, monkeypatch):
    # ---- open the demo -------------------------------------------------------------------
    qtbot.mouseClick(main_window.home.demo_button, Qt.LeftButton)
    ws = main_window.ctx.workspace
    assert ws is not None
    wait_for_demo_history(qtbot, main_window)
    main_window.show_surface("symbols")
    s = main_window.surface("symbols")
    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window, timeout=5000)
    qtbot.waitUntil(lambda: not s.library.loading and not s.library.validating and not s.library.thumbs.busy,
                    timeout=20_000)
    assert s.library.find_entry(SID) is None

    # ---- New: from the system template, for a new object type -----------------------------
    asked = []

    def get_item(parent, title, label, items, current=0, editable=True, *a, **k):
        asked.append((label, list(items), editable))
        if label.startswith("System"):
            return "electrical", True
        return "smart_switch", True          # typed: a type the schema does not have yet

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    qtbot.mouseClick(toolbar_button(s, s.new_action), Qt.LeftButton)
    assert [a[0].split(":")[0] for a in asked] == ["System", "Object type in electrical"]
    assert asked[1][2], "the object type must be typeable (a new type)"
    ed = s.editor
    assert s.doc.get("id") == SID and s.doc.get("system") == "electrical"
    assert "new, not saved" in ed.title.text()
    assert ed.canvas.render_ok
    ed.refresh_now()
    assert not ed.blocking, [f.message for f in ed.findings if f.blocking]
    template_ports = dict(s.doc.get("connections") or {})

    # ---- edit the drawing: findings appear while the tag is half typed, clear when closed ---
    type_before(qtbot, s, ROCKER[:-2])                         # "<rect ... stroke='#1b1f24'" so far
    qtbot.waitUntil(lambda: "svg.xml.malformed" in rules(s), timeout=5000)
    assert not ed.save_button.isEnabled()
    assert "Save is blocked" in ed.save_reason.text()
    assert ed.findings_view.topLevelItemCount() >= 1
    qtbot.keyClicks(ed.source, "/>")
    qtbot.waitUntil(lambda: "svg.xml.malformed" not in rules(s), timeout=5000)
    assert ed.save_button.isEnabled()
    # a second element that first draws outside the viewBox (a warning), then is fixed by typing
    type_before(qtbot, s, "<circle id='led' cx='50' cy='140' r='3' fill='#2e7d32'/>")
    qtbot.waitUntil(lambda: "svg.bbox.outside_viewbox" in rules(s), timeout=5000)
    src_text = ed.source.toPlainText()
    at = src_text.index("cy='140'") + len("cy='")
    cursor = ed.source.textCursor()
    cursor.setPosition(at)
    cursor.setPosition(at + 3, cursor.MoveMode.KeepAnchor)
    ed.source.setTextCursor(cursor)
    qtbot.keyClicks(ed.source, "40")
    qtbot.waitUntil(lambda: "svg.bbox.outside_viewbox" not in rules(s), timeout=5000)
    assert ROCKER in s.doc.get("svg") and LED in s.doc.get("svg")
    assert ed.canvas.render_ok and ed.preview_note.text() == ""

    # ---- place a port and drag the ports in the preview ------------------------------------
    click_tab(qtbot, ed.tabs, ed.tabs.tabText(TAB_PORTS).replace("&", ""))
    qtbot.mouseClick(ed.connections.add_button, Qt.LeftButton)
    QApplication.processEvents()
    ports = s.doc.get("connections")
    added = next(k for k in ports if k not in template_ports)
    assert added in ed.canvas.ports and added in ed.connections.keys()
    ed.canvas.fit()
    step = ed.canvas.grid_step
    target = QPointF(90, 50)                                   # the right-hand edge of the body
    drag(ed.canvas, port_view_pos(s, added), ed.canvas.mapFromScene(target))
    moved = s.doc.get("connections", added)
    assert (moved["x"], moved["y"]) == (round(90 / step) * step, round(50 / step) * step)
    row = ed.connections.keys().index(added)
    assert ed.connections.table.item(row, 2).text() == str(moved["x"])
    assert ed.canvas.ports[added].pos() == QPointF(moved["x"], moved["y"])
    assert template_ports, "the template gives the symbol at least one port"
    for i, name in enumerate(template_ports):                 # and the template's own ports, lower down
        y = 70 + 10 * i
        drag(ed.canvas, port_view_pos(s, name), ed.canvas.mapFromScene(QPointF(10, y)))
        assert (s.doc.get("connections", name)["x"], s.doc.get("connections", name)["y"]) == \
            (round(10 / step) * step, round(y / step) * step)
    ed.refresh_now()
    assert not ed.blocking, [f.message for f in ed.findings if f.blocking]
    assert "connection.position.outside" not in rules(s)

    # ---- save ---------------------------------------------------------------------------------
    assert ed.save_button.isEnabled()
    qtbot.mouseClick(ed.save_button, Qt.LeftButton)
    path = ws.root / REL
    assert path.is_file() and s.doc.path == path
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["id"] == SID and ROCKER in saved["svg"] and LED in saved["svg"]
    assert saved["connections"][added]["x"] == moved["x"]
    assert ed.title.text() == SID and not s.has_unsaved_changes()
    qtbot.waitUntil(lambda: s.library.find_entry(SID) is not None, timeout=15_000)

    # ---- the pipeline for new_object smart_switch, step by step ----------------------------------
    main_window.show_surface("pipeline")
    page = main_window.surface("pipeline")
    qtbot.waitUntil(lambda: page._loader is None, timeout=20_000)
    page.system_combo.setCurrentText("electrical")
    qtbot.mouseClick(page.new_object_radio, Qt.LeftButton)
    assert page.object_edit.isEnabled()
    qtbot.keyClicks(page.object_edit, "smart_switch")
    qtbot.mouseClick(page.step_by_step_check, Qt.LeftButton)
    assert page.step_by_step_check.isChecked()
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    page.only_step_check.setChecked(True)

    def states():
        return dict(zip((r["id"] for r in page.steps.rows()), page.steps.column_texts(1)))

    read = {}
    for n, step in enumerate(STEPS, start=1):
        if n < len(STEPS):
            qtbot.waitUntil(lambda: page.next_button.isEnabled(), timeout=60_000)
        else:
            qtbot.waitUntil(lambda: not page.driver.active and page._loader is None, timeout=60_000)
        st = states()
        assert st[step] == "Succeeded", st
        assert all(st[x] == "Pending" for x in STEPS[n:]), st
        # read the step: its findings...
        click_cell(qtbot, page.steps_table, page.steps, n - 1, 0)
        assert page.selected_step() == step
        click_tab(qtbot, page.tabs, "Findings")
        assert step in page.step_label.text()
        findings = list(zip(table_column(page.findings, 0), table_column(page.findings, 1),
                            table_column(page.findings, 2)))
        assert all(sev != "Error" for sev, _sym, _rule in findings), findings
        # ...and its log, filtered to that step
        click_tab(qtbot, page.tabs, "Log")
        log = page.log_view.model
        assert log.rowCount() > 0
        assert {log.record(r).step for r in range(log.rowCount())} == {step}
        read[step] = (findings, [log.record(r).message for r in range(log.rowCount())])
        if n < len(STEPS):
            qtbot.mouseClick(page.next_button, Qt.LeftButton)
    assert page.run["state"] == "succeeded"
    # what the engineer read: add-symbols validated the new symbol (no profile yet: a warning)
    assert ("Warning", SID, "metadata.behavior_profile.missing") in read["add-symbols"][0]
    assert all(read[step][1] for step in STEPS)                # every step logged what it did
    assert "electrical.smart_switch (new object)" in page.run_label.text()
    assert page.runs.column_texts(3)[0] == "New object"
    # define-schema added the object type to the schema; the run kept our symbol (no template over it)
    schema = json.loads(ws.schema_path("electrical").read_text(encoding="utf-8"))
    assert "electrical.smart_switch" in schema["objects"]
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert ROCKER in kept["svg"] and LED in kept["svg"]
    files = dict(zip(page.changes_view.model.column_texts(1), page.changes_view.model.column_texts(0)))
    assert files.get("schemas/electrical/schema.json") == "Modify"
    assert "docs/systems/electrical.md" in files

    # ---- the documentation page, with the new symbol's picture -----------------------------------
    doc_page = ws.root / "docs/systems/electrical.md"
    text = doc_page.read_text(encoding="utf-8")
    assert SID in text
    picture = f"electrical/{SID}.svg"
    assert f"]({picture})" in text                              # the markdown image reference
    svg_file = doc_page.parent / picture
    assert svg_file.is_file()
    drawn = svg_file.read_text(encoding="utf-8")
    assert ROCKER in drawn and LED in drawn                     # the drawing as edited
    from PySide6.QtSvg import QSvgRenderer

    assert QSvgRenderer(str(svg_file)).isValid()
    # ...opened in the app, rendered, with that picture in it
    assert page.docs_button.isEnabled()
    qtbot.mouseClick(page.docs_button, Qt.LeftButton)
    viewer = page.docs_viewer
    qtbot.waitUntil(lambda: viewer is not None and viewer.isVisible(), timeout=5000)
    assert viewer.path_label.text() == "docs/systems/electrical.md"
    assert viewer.note.text().startswith(f"Updated by run {page.run['run_id']}") or \
        viewer.note.text().startswith(f"Generated by run {page.run['run_id']}")
    assert "Electrical system (electrical)" in viewer.page_text() and SID in viewer.page_text()
    browser = viewer.browser
    qtbot.waitUntil(lambda: picture in browser.pictures, timeout=5000)
    assert picture not in browser.broken
    image = browser.pictures[picture]
    led = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    assert any(c.green() > 100 and c.red() < 80 and c.blue() < 80 for c in led)   # the green status LED
    viewer.close()
    from arxconsole.gui.workers import wait_for_workers

    wait_for_workers()
