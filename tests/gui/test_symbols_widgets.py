"""The Symbols surface's parts on their own: document and undo, source editor, preview
canvas, thumbnails, findings list, library reading."""

from __future__ import annotations

import time

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication

from arxconsole.engine import durable
from arxconsole.engine.findings import Finding, Severity
from arxconsole.engine.workspace import Workspace
from arxconsole.gui.symbols.canvas import PreviewCanvas, nice_grid_step
from arxconsole.gui.symbols.document import MISSING, SymbolDocument, get_path, set_path
from arxconsole.gui.symbols.editor import summary_text
from arxconsole.gui.symbols.findings_view import FindingsView
from arxconsole.gui.symbols.form import parse_number, parse_value
from arxconsole.gui.symbols.library import LibraryBrowser, LibraryEntry, read_library
from arxconsole.gui.symbols.source_editor import SourceEditor, element_span
from arxconsole.gui.symbols.thumbnails import ThumbnailCache, render_thumbnail, svg_key
from arxconsole.gui.theme import PAPER_COLOR

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20">\n'
       '  <g id="a"><rect x="1" y="1" width="5" height="5" fill="#000"/></g>\n'
       '  <g id="b"><rect x="10" y="1" width="5" height="5"/><rect x="20" y="1" width="5" height="5"/></g>\n'
       '</svg>')


# ---- document ----------------------------------------------------------------------------
def test_paths_set_get_and_delete_keep_key_order():
    d = {"a": 1, "c": {"x": 1, "y": 2}}
    set_path(d, ("c", "x"), 5)
    set_path(d, ("b", "z"), 3)
    assert list(d) == ["a", "c", "b"] and list(d["c"]) == ["x", "y"]
    assert get_path(d, ("c", "x")) == 5 and get_path(d, ("nope", "x")) is MISSING
    set_path(d, ("c", "y"), MISSING)
    assert d["c"] == {"x": 5}


def test_document_undo_redo_and_merged_typing(qtbot):
    doc = SymbolDocument()
    seen = []
    doc.changed.connect(seen.append)
    doc.load({"id": "EL_A_001", "name": "A", "connections": {"p": {"x": 1, "y": 1}}}, None)
    assert doc.dirty            # never saved
    for text in ("AB", "ABC", "ABCD"):   # typing in one field merges into one step
        doc.set(("name",), text, merge=True)
    assert doc.undo_stack.count() == 1
    doc.set(("connections", "p", "x"), 7)
    assert not doc.set(("connections", "p", "x"), 7)    # unchanged: no history entry
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.get("connections", "p", "x") == 1
    doc.undo_stack.undo()
    assert doc.get("name") == "A"
    doc.undo_stack.redo()
    assert doc.get("name") == "ABCD"
    assert ("name",) in seen and ("connections", "p", "x") in seen
    # 1 and 1.0 are different values in the file: the type counts
    assert doc.set(("connections", "p", "y"), 1.0)


def test_document_does_not_share_state_with_loaded_data():
    src = {"id": "X", "connections": {"p": {"x": 1}}}
    doc = SymbolDocument()
    doc.load(src, None)
    doc.set(("connections", "p", "x"), 9)
    assert src["connections"]["p"]["x"] == 1
    snap = doc.snapshot()
    snap["id"] = "changed"
    assert doc.get("id") == "X"


def test_saved_document_is_clean_until_edited(tmp_path):
    doc = SymbolDocument()
    doc.load({"id": "A"}, tmp_path / "A.json")
    assert not doc.dirty
    doc.set(("id",), "B")
    assert doc.dirty
    doc.mark_saved(tmp_path / "B.json")
    assert not doc.dirty and doc.path.name == "B.json"


# ---- form value parsing ----------------------------------------------------------------------
def test_table_text_parsing():
    assert parse_value("400") == 400 and parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value('{"a": 1}') == {"a": 1}
    assert parse_value("surface") == "surface" and parse_value("") == ""
    assert parse_value("NaN") == "NaN"
    assert parse_number("12") == 12 and isinstance(parse_number("12"), int)
    assert parse_number("12.5") == 12.5 and parse_number("12.0") == 12.0
    assert parse_number("left") == "left"       # kept, so the rules report it
    assert parse_number("inf") == "inf"


# ---- source editor ---------------------------------------------------------------------------
def test_element_span_finds_start_tags_by_path():
    span = element_span(SVG, "svg/g[2]/rect[2]")
    assert SVG[span[0]:span[1]] == '<rect x="20" y="1" width="5" height="5"/>'
    span = element_span(SVG, "svg/g[1]/rect")
    assert SVG[span[0]:span[1]].startswith('<rect x="1"')
    assert element_span(SVG, "svg/g[3]") is None
    assert element_span(SVG, "svg/circle") is None
    assert element_span("<svg><g>", "svg/g") is None            # does not parse
    assert element_span(SVG, "svg")[0] == 0


def test_source_editor_reports_only_user_edits_and_leaves_undo_to_the_surface(qtbot):
    ed = SourceEditor()
    qtbot.addWidget(ed)
    got = []
    ed.userEdited.connect(got.append)
    ed.set_text(SVG)
    assert got == []                         # programmatic
    assert not ed.isUndoRedoEnabled()
    ed.show()
    ed.setFocus()
    ed.moveCursor(ed.textCursor().MoveOperation.End)
    qtbot.keyClicks(ed, "x")
    assert got[-1].endswith("</svg>x")
    ed.set_text(SVG + "\n")
    assert ed.textCursor().position() <= len(SVG) + 1


def test_source_editor_marks_lines_and_goes_to_elements(qtbot):
    ed = SourceEditor()
    qtbot.addWidget(ed)
    ed.set_text(SVG)
    ed.mark_lines({2: "error", 3: "warning"})
    assert len(ed.extraSelections()) == 2
    assert ed.select_element("svg/g[2]/rect[2]")
    assert ed.textCursor().selectedText() == '<rect x="20" y="1" width="5" height="5"/>'
    ed.goto_line(3)
    assert ed.textCursor().blockNumber() == 2
    assert not ed.select_element("svg/nothing")


def test_xml_highlighting_colours_tags_attributes_values_and_comments(qtbot):
    ed = SourceEditor()
    qtbot.addWidget(ed)
    ed.set_text('<svg viewBox="0 0 1 1"><!-- a\ncomment --><rect/></svg>')
    block = ed.document().firstBlock()

    def colour_at(block, col):
        for r in block.layout().formats():
            if r.start <= col < r.start + r.length:
                return r.format.foreground().color().name()
        return None

    tag, attr, value = colour_at(block, 1), colour_at(block, 6), colour_at(block, 14)
    assert len({tag, attr, value}) == 3 and None not in (tag, attr, value)
    comment = colour_at(block, 25)
    second = block.next()
    assert colour_at(second, 0) == comment      # a comment spanning lines stays a comment
    assert colour_at(second, 12) == tag         # <rect after the comment is a tag again


# ---- canvas ----------------------------------------------------------------------------------
def test_grid_step_is_readable():
    assert nice_grid_step(40, 40) == 1
    assert nice_grid_step(64, 96) == 2
    assert nice_grid_step(1000, 500) == 20


def test_canvas_renders_on_paper_keeps_last_good_drawing_and_places_ports(qtbot):
    c = PreviewCanvas()
    qtbot.addWidget(c)
    c.resize(400, 300)
    c.show()
    assert c.set_svg(SVG)
    assert (c.view_box.width(), c.view_box.height()) == (40, 20)
    assert c.paper.brush().color() == PAPER_COLOR
    c.set_ports({"p": {"x": 5, "y": 5, "type": "power"}, "bad": {"x": "left", "y": 1}, "q": "nope"})
    assert set(c.ports) == {"p"}                 # ports without numeric x/y are not drawn
    assert c.ports["p"].pos() == QPointF(5, 5)
    assert not c.set_svg("<svg><g>")            # broken: keeps the last drawing
    assert c.render_error and (c.view_box.width(), c.view_box.height()) == (40, 20)
    img = c.grab().toImage()
    centre = c.mapFromScene(QPointF(32.5, 12.5))   # between grid lines
    assert QColor(img.pixel(centre)).lightness() > 200   # paper-white where nothing is drawn


def test_canvas_wheel_zoom_and_fit(qtbot):
    c = PreviewCanvas()
    qtbot.addWidget(c)
    c.resize(400, 300)
    c.show()
    c.set_svg(SVG)
    c.fit()
    fit = c.scale_factor
    pos = QPointF(200, 150)
    ev = QWheelEvent(pos, c.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, 240), Qt.NoButton,
                     Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(c.viewport(), ev)
    assert c.scale_factor == pytest.approx(fit * 1.25 ** 2)
    c.fit()
    assert c.scale_factor == pytest.approx(fit)
    for _ in range(100):
        c.zoom_in()
    assert c.scale_factor <= 400.0


def test_snap_rounds_to_grid_and_clamps_to_viewbox(qtbot):
    c = PreviewCanvas()
    qtbot.addWidget(c)
    c.set_svg(SVG)
    assert c.grid_step == 1
    assert c.snap(QPointF(3.4, 7.6)) == QPointF(3, 8)
    assert c.snap(QPointF(-5, 99)) == QPointF(0, 20)


# ---- thumbnails -----------------------------------------------------------------------------
def test_thumbnail_renders_drawing_on_paper_and_marks_broken_ones(qtbot):
    img = render_thumbnail(SVG, 40)
    assert img.width() == 40
    corner = QColor(img.pixel(0, 0))
    assert corner == PAPER_COLOR
    dark = sum(1 for x in range(40) for y in range(40) if QColor(img.pixel(x, y)).lightness() < 80)
    assert dark > 5                               # the black rect is there
    broken = render_thumbnail("<svg", 40)
    assert QColor(broken.pixel(20, 20)).red() > 150    # crossed box


def test_thumbnail_cache_renders_once_off_thread(qtbot):
    cache = ThumbnailCache()
    svgs = {svg_key(SVG): SVG, svg_key(SVG + " "): SVG + " "}
    with qtbot.waitSignal(cache.idle, timeout=10000):
        assert cache.request(svgs) == 2
    assert cache.rendered == 2 and all(cache.icon(k) is not None for k in svgs)
    assert cache.request(svgs) == 0               # cached: nothing rendered again
    assert cache.rendered == 2


def _longest_tick_gap_ms(seconds: float = 60.0, until=None) -> float:
    """Spin an idle event loop with a 1 ms timer (a Python callback, as every slot is) and
    return the longest gap between two ticks: how long the GUI thread could not run Python."""
    import time

    from PySide6.QtCore import QElapsedTimer, QTimer

    clock, ticks, timer = QElapsedTimer(), [], QTimer()
    timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(clock.nsecsElapsed()))
    clock.start()
    timer.start()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not (until and until()):
        QApplication.processEvents()
        time.sleep(0.0005)
    timer.stop()
    return max(b - a for a, b in zip(ticks, ticks[1:])) / 1e6


def test_thumbnail_worker_leaves_the_gil_to_the_gui_thread(qtbot):
    """Each Qt call releases and re-takes the GIL; a worker rendering flat out re-took it
    before the GUI thread could, for 30-90 ms at a time here (50-150 ms in
    bench/thumbnails.py).  The worker pauses every few ms, so the GUI thread's callbacks
    keep running (~4-7 ms worst gap here)."""
    cache = ThumbnailCache()
    idle = _longest_tick_gap_ms(0.2)          # this machine's own scheduling noise
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><g fill="none" stroke="#000">'
           '<rect x="8" y="8" width="40" height="44"/><circle cx="32" cy="24" r="6"/>'
           '<text x="32" y="58" font-size="6">{i}</text></g></svg>')
    svgs = {svg_key(s): s for s in (svg.format(i=i) for i in range(800))}
    assert cache.request(svgs) == 800
    worst = _longest_tick_gap_ms(until=lambda: not cache.busy)
    assert not cache.busy and cache.rendered == 800
    # A loose bound, so a busy CI machine does not fail it: flat-out rendering held the GUI
    # off 33-86 ms here, pacing 4-7 ms; bench/thumbnails.py measures the bar (50 ms).
    assert worst < 60 + 3 * idle, f"GUI thread held off {worst:.1f} ms (idle noise {idle:.1f} ms)"


def test_thumbnail_worker_pauses_between_render_slices(qtbot, monkeypatch):
    """The mechanism behind the test above, without timing: rendering many thumbnails,
    the worker sleeps (hands over the GIL) at least once per RENDER_SLICE_S of work."""
    from arxconsole.gui.symbols import thumbnails

    pauses = []
    real_sleep = time.sleep
    monkeypatch.setattr(thumbnails.time, "sleep", lambda s: (pauses.append(s), real_sleep(s)))
    monkeypatch.setattr(thumbnails, "RENDER_SLICE_S", 0.0)      # every render is a slice
    cache = ThumbnailCache()
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="{i}" height="4"/></svg>'
    svgs = {svg_key(s): s for s in (svg.format(i=i) for i in range(1, 41))}
    assert cache.request(svgs) == 40
    qtbot.waitUntil(lambda: not cache.busy, timeout=20_000)
    assert cache.rendered == 40
    assert len(pauses) >= 39 and set(pauses) == {thumbnails.RENDER_PAUSE_S}


# ---- findings list -------------------------------------------------------------------------
def _f(rule, sev, loc="", waived=False):
    return Finding(rule=rule, severity=Severity(sev), message=f"{rule} message", hint="do this",
                   location=loc, waived=waived, waiver_reason="ok" if waived else "")


def test_findings_list_sorts_words_and_steps(qtbot):
    v = FindingsView()
    qtbot.addWidget(v)
    v.set_findings([_f("b.warn", "warning"), _f("a.err", "error", "id"), _f("c.waived", "error", waived=True)])
    rows = [(v.topLevelItem(i).text(0), v.topLevelItem(i).text(1)) for i in range(3)]
    assert rows == [("Error", "a.err"), ("Warning", "b.warn"), ("Waived", "c.waived")]
    assert "Fix: do this" in v.topLevelItem(0).text(2)
    assert all(not v.topLevelItem(i).icon(0).isNull() for i in range(3))
    got = []
    v.findingActivated.connect(got.append)
    assert v.step(1).rule == "a.err"
    assert v.step(-1).rule == "c.waived"          # wraps
    assert [f.rule for f in got] == ["a.err", "c.waived"]


def test_summary_words():
    assert summary_text([]) == ("ok", "Valid: no problems found")
    icon_name, text = summary_text([_f("a", "error"), _f("b", "warning"), _f("c", "warning"), _f("d", "error", waived=True)])
    assert icon_name == "error" and text == "Invalid: 1 error, 2 warnings, 1 waived"
    assert summary_text([_f("b", "warning")])[1].startswith("Valid with warnings")


# ---- library --------------------------------------------------------------------------------
def test_library_reads_every_file_and_reports_unreadable_ones(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    durable.write_json(ws.symbol_path("electrical", "EL_A_001"),
                       {"id": "EL_A_001", "name": "Alpha", "tags": ["x", 3], "svg": SVG})
    path = ws.symbol_path("electrical", "EL_B_001")
    path.write_text("{ broken")
    entries = {e.id: e for e in read_library(ws)}
    assert entries["EL_A_001"].tags == ["x", "3"] and entries["EL_A_001"].key == svg_key(SVG)
    assert entries["EL_B_001"].problem and entries["EL_B_001"].status == "error"
    assert entries["EL_B_001"].status_text() == "Error: unreadable"
    assert entries["EL_A_001"].status == "pending" and entries["EL_A_001"].status_text() == "Checking…"


def test_entry_search_matches_id_name_and_tags(tmp_path):
    e = LibraryEntry(tmp_path / "x.json", "electrical", "EL_Panel_001", name="Main board", tags=["Distribution"])
    assert e.matches("panel") and e.matches("MAIN") and e.matches("distrib") and e.matches("")
    assert not e.matches("fire")
    e.errors, e.warnings = 0, 2
    assert e.status == "warning" and e.status_text() == "2 warnings"


def test_library_browser_counts_statuses_and_reloads(qtbot, tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    durable.write_json(ws.schema_path("electrical"), {"system": "electrical", "code": "EL", "objects": {}})
    for sid in ("EL_A_001", "EL_B_001"):
        durable.write_json(ws.symbol_path("electrical", sid), {"id": sid, "name": sid, "system": "electrical",
                                                               "category": "thing", "svg": SVG})
    durable.write_json(ws.symbol_path("electrical", "EL_C_001"), {"id": "EL_C_001", "name": "C",
                                                                  "system": "electrical", "category": "thing",
                                                                  "svg": "<svg><script/></svg>"})
    b = LibraryBrowser()
    qtbot.addWidget(b)
    b.show()
    b.set_workspace(ws)
    qtbot.waitUntil(lambda: not b.loading and not b.validating and not b.thumbs.busy, timeout=10000)
    assert b._system_items["electrical"].text(0) == "electrical (3)"
    assert b.find_entry("EL_C_001").status == "error"
    assert b._items[str(b.find_entry("EL_C_001").path)].text(1).endswith("errors") or \
        "error" in b._items[str(b.find_entry("EL_C_001").path)].text(1)
    assert b._system_items["electrical"].text(1) == "Errors"
    got = []
    b.symbolActivated.connect(got.append)
    b.tree.setCurrentItem(b._items[str(b.find_entry("EL_A_001").path)])
    assert got and got[-1].name == "EL_A_001.json"
    ws.symbol_path("electrical", "EL_B_001").unlink()
    b.reload()
    qtbot.waitUntil(lambda: not b.loading and not b.validating, timeout=10000)
    assert b._system_items["electrical"].text(0) == "electrical (2)"
    assert b.selected_path().name == "EL_A_001.json"        # selection kept across reloads
    assert json.loads(ws.symbol_path("electrical", "EL_A_001").read_text())["id"] == "EL_A_001"


def test_adding_and_removing_keys_undo_cleanly():
    doc = SymbolDocument()
    doc.load({"id": "A", "connections": {"p": {"x": 1, "y": 1, "direction": "in"}}}, None)
    doc.set(("waivers",), [{"rule": "r", "reason": "why"}])        # a key the file did not have
    doc.set(("connections", "p", "direction"), MISSING)            # removing a key
    assert "direction" not in doc.get("connections", "p")
    doc.undo_stack.undo()
    assert doc.get("connections", "p", "direction") == "in"
    doc.undo_stack.undo()
    assert "waivers" not in doc.data                               # gone again, not a placeholder
    doc.undo_stack.redo()
    assert doc.get("waivers") == [{"rule": "r", "reason": "why"}]


def test_finding_locations_outside_the_form_open_the_json(qtbot):
    from arxconsole.gui.symbols.editor import TAB_JSON, SymbolEditor

    ed = SymbolEditor()
    qtbot.addWidget(ed)
    ed.show()
    ed.doc.load({"id": "EL_A_001", "svg": SVG, "waivers": [{"rule": "x"}], "extra_field": 1}, None)
    assert ed.select_location("waivers[0]")
    assert ed.tabs.currentIndex() == TAB_JSON
    assert ed.json_view.editor.textCursor().selectedText().strip().startswith('"waivers"')
    assert not ed.select_location("nothing_here")
    assert ed.select_location("svg/g[2]/rect[2]/@width")       # an attribute: its element
    assert ed.source.textCursor().selectedText().startswith('<rect x="20"')


def test_json_edit_in_progress_is_not_overwritten_by_other_changes(qtbot):
    from arxconsole.gui.symbols.editor import TAB_JSON, SymbolEditor

    ed = SymbolEditor()
    qtbot.addWidget(ed)
    ed.show()
    ed.doc.load({"id": "EL_A_001", "name": "A", "description": "d", "svg": SVG}, None)
    ed.tabs.setCurrentIndex(TAB_JSON)
    view = ed.json_view
    data = json.loads(view.editor.toPlainText())
    data["description"] = "typed in JSON"
    view.editor.setPlainText(json.dumps(data, indent=2))       # pending (debounced)
    ed.doc.set(("name",), "B")                                 # a change from elsewhere meanwhile
    assert "typed in JSON" in view.editor.toPlainText()        # not thrown away
    assert view.apply()
    assert ed.doc.get("description") == "typed in JSON"
    assert ed.doc.get("name") == "B"      # the change made elsewhere is kept (only edited fields apply)
    assert json.loads(view.editor.toPlainText())["name"] == "B"   # and the text shows the merge


def test_json_view_pending_edit_is_flushed_on_demand_and_never_applied_to_the_next_document(qtbot, tmp_path):
    from arxconsole.gui.symbols.json_source import APPLY_DELAY_MS, JsonSourceView

    doc = SymbolDocument()
    view = JsonSourceView(doc)
    qtbot.addWidget(view)
    view.show()
    doc.load({"id": "EL_A_001", "name": "A"}, tmp_path / "EL_A_001.json")
    view.editor.setPlainText(view.editor.toPlainText().replace('"A"', '"typed"'))   # userEdited
    assert view.pending and doc.get("name") == "A"
    assert view.flush() and not view.pending
    assert doc.get("name") == "typed" and doc.dirty
    # typed, then another document loads before the pause ends: the edit is dropped
    doc.load({"id": "EL_B_001", "name": "B"}, tmp_path / "EL_B_001.json")
    view.editor.setPlainText(view.editor.toPlainText().replace('"B"', '"for B"'))
    doc.load({"id": "EL_C_001", "name": "C"}, tmp_path / "EL_C_001.json")
    assert not view.pending
    qtbot.wait(APPLY_DELAY_MS + 200)
    assert doc.get("name") == "C" and not doc.dirty and not doc.undo_stack.canUndo()
    assert json.loads(view.editor.toPlainText())["name"] == "C"
    # text that does not parse cannot be flushed, and says so
    view.editor.setPlainText('{"id": ')
    assert not view.flush() and view.unapplied
    view.refresh()
    assert not view.unapplied
