"""The Pipeline surface, driven like a user on the demo workspace."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import Qt

from arxconsole.engine.demo import write_demo_workspace

STEPS = ("define-schema", "add-symbols", "implement-behavior", "update-registry", "documentation", "compliance")
SYMBOL = "arx-symbol-library/electrical/EL_WallSwitch_001.json"


@pytest.fixture
def demo(tmp_path):
    write_demo_workspace(tmp_path / "demo")
    return tmp_path / "demo"


@pytest.fixture
def surface(main_window, demo, qtbot):
    assert main_window.open_workspace(demo)
    main_window.show_surface("pipeline")
    s = main_window.surface("pipeline")
    s.system_combo.setCurrentText("electrical")
    yield s
    s.driver.cancel()
    s.wait_until_idle()        # never leave a run behind the fixture's database close
    qtbot.waitUntil(lambda: s._loader is None, timeout=10_000)


def states(s) -> dict[str, str]:
    return dict(zip((r["id"] for r in s.steps.rows()), s.steps.column_texts(1)))


def column(s, col: int) -> dict[str, str]:
    return dict(zip((r["id"] for r in s.steps.rows()), s.steps.column_texts(col)))


def click(qtbot, button) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.LeftButton)


def wait_idle(qtbot, s, timeout=30_000) -> None:
    qtbot.waitUntil(lambda: not s.driver.active and s._loader is None, timeout=timeout)


def snapshot(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".arxconsole" not in p.as_posix()}


def status_text(window) -> str:
    return window.status_items["run"].text_label.text()


def edit_symbol(demo, fn) -> bytes:
    path = demo / SYMBOL
    before = path.read_bytes()
    data = json.loads(before)
    fn(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return before


# ---- idle -------------------------------------------------------------------------------
def test_idle_surface_lists_six_pending_steps_and_the_systems(main_window, surface):
    rail = [main_window.rail.item(i).text() for i in range(main_window.rail.count())]
    assert "Pipeline" in rail
    assert [surface.system_combo.itemText(i) for i in range(surface.system_combo.count())] == \
        ["audiovisual", "electrical", "fire_alarm"]
    assert list(states(surface).values()) == ["Pending"] * 6
    assert surface.run_button.isEnabled() and surface.dry_button.isEnabled() and surface.from_button.isEnabled()
    for b in (surface.next_button, surface.pause_button, surface.cancel_button, surface.retry_button):
        assert not b.isEnabled()
    assert not surface.object_edit.isEnabled()
    surface.new_object_radio.click()
    assert surface.object_edit.isEnabled()
    assert surface.run_label.text() == "No run shown"


def test_bad_targets_are_refused_with_a_message(surface, qtbot, messages):
    surface.new_object_radio.click()
    click(qtbot, surface.run_button)
    assert messages[-1][1] == "Cannot start the run" and "object type" in messages[-1][2]
    surface.new_system_radio.click()
    surface.system_combo.setCurrentText("Not A System")
    click(qtbot, surface.run_button)
    assert "not a lower_snake_case system name" in messages[-1][2]
    assert not surface.driver.active and surface.run_button.isEnabled()


def test_a_system_the_workspace_lacks_is_created_only_when_the_user_says_so(surface, qtbot, messages, monkeypatch,
                                                                          demo):
    """The system box is editable (a new system need not exist yet); the same rule as the
    CLI's --create-system: a typed name the workspace lacks is never started silently."""
    from PySide6.QtWidgets import QMessageBox

    answers = []

    def question(parent, title, text, *a, **k):
        messages.append(("question", title, text))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    before = snapshot(demo)
    answers.append(QMessageBox.No)
    surface.system_combo.setCurrentText("electrcal")
    click(qtbot, surface.dry_button)
    kind, title, text = messages[-1]
    assert (kind, title) == ("question", "Create a new system?")
    assert "This workspace has no system “electrcal”. Did you mean “electrical”?" in text
    assert "choose New object" in text
    from arxconsole.engine.pipeline import RunHistory
    assert not surface.driver.active and RunHistory(surface.ctx.db).list_runs() == []
    assert snapshot(demo) == before                                       # nothing run, nothing recorded

    # An existing system is not asked about.
    surface.system_combo.setCurrentText("electrical")
    asked = len(messages)
    click(qtbot, surface.dry_button)
    wait_idle(qtbot, surface)
    assert len(messages) == asked and surface.run["state"] == "succeeded"

    # Yes: a new system with its first object type, as the dialog suggests.
    answers.append(QMessageBox.Yes)
    surface.system_combo.setCurrentText("security")
    surface.new_object_radio.click()
    surface.object_edit.setText("door_contact")
    click(qtbot, surface.run_button)
    assert messages[-1][1] == "Create a new system?" and "door_contact" in messages[-1][2]
    wait_idle(qtbot, surface)
    assert surface.run["state"] == "succeeded", surface.run
    assert (demo / "schemas/security/schema.json").is_file()
    assert "security" in [surface.system_combo.itemText(i) for i in range(surface.system_combo.count())]


# ---- step by step ----------------------------------------------------------------------------
def test_demo_pipeline_step_by_step(main_window, surface, qtbot):
    surface.step_by_step_check.setChecked(True)
    click(qtbot, surface.run_button)
    assert not surface.run_button.isEnabled() and surface.cancel_button.isEnabled()
    for n, step in enumerate(STEPS[:-1], start=1):
        qtbot.waitUntil(lambda: surface.next_button.isEnabled(), timeout=30_000)
        st = states(surface)
        assert all(st[s] == "Succeeded" for s in STEPS[:n]), st
        assert all(st[s] == "Pending" for s in STEPS[n:]), st
        assert f"paused after {step} {n}/6" in status_text(main_window)
        assert "Paused" in surface.run_label.text()
        assert not surface.pause_button.isEnabled()
        if step == "add-symbols":   # read the step's findings while paused
            surface.steps_table.selectRow(1)
            rules = surface.findings.column_texts(2)
            assert "svg.bbox.outside_viewbox" in rules
            row = rules.index("svg.bbox.outside_viewbox")
            assert surface.findings.column_texts(0)[row] == "Warning"
            assert surface.findings.column_texts(1)[row] == "EL_Receptacle_003"
            assert "add-symbols" in surface.step_label.text() and "1 warning" in surface.step_label.text()
        click(qtbot, surface.next_button)
    wait_idle(qtbot, surface)
    assert list(states(surface).values()) == ["Succeeded"] * 6
    assert set(column(surface, 3).values()) == {"1"}                    # attempt
    assert all(d != "—" for d in column(surface, 2).values())            # duration
    assert "Succeeded" in surface.run_label.text()
    assert status_text(main_window).endswith(": Succeeded")
    assert surface.runs.column_texts(1)[0] == "Succeeded"                  # history, newest first
    assert surface.log_view.model.total > 20
    assert (surface.ctx.workspace.root / "symbol_index.json").is_file()    # a real run wrote the registry


def test_new_object_run_adds_smart_switch_and_lists_the_files_it_wrote(surface, qtbot, demo):
    surface.new_object_radio.click()
    qtbot.keyClicks(surface.object_edit, "smart_switch")
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    assert list(states(surface).values()) == ["Succeeded"] * 6
    assert "electrical.smart_switch (new object)" in surface.run_label.text()
    files = dict(zip(surface.changes_view.model.column_texts(1), surface.changes_view.model.column_texts(0)))
    assert files["schemas/electrical/schema.json"] == "Modify"
    assert files["arx-symbol-library/electrical/EL_SmartSwitch_001.json"] == "Create"
    assert "The run wrote" in surface.changes_view.note.text()
    assert "EL_SmartSwitch_001" in (demo / "docs/systems/electrical.md").read_text(encoding="utf-8")
    assert surface.runs.column_texts(2)[0] == "electrical.smart_switch"
    assert surface.runs.column_texts(3)[0] == "New object"


def test_pause_then_next_in_a_run_all(surface, qtbot, monkeypatch):
    from arxconsole.engine.pipeline.steps import STEPS as MODULES

    original = MODULES["add-symbols"].run
    gate = {"go": False}

    def held_run(ctx):   # holds the step until the test has clicked Pause
        t0 = time.monotonic()
        while not gate["go"] and time.monotonic() - t0 < 20:
            time.sleep(0.01)
        return original(ctx)

    monkeypatch.setattr(MODULES["add-symbols"], "run", held_run)
    click(qtbot, surface.run_button)
    qtbot.waitUntil(lambda: states(surface)["add-symbols"] == "Running", timeout=20_000)
    click(qtbot, surface.pause_button)
    gate["go"] = True
    qtbot.waitUntil(lambda: surface.next_button.isEnabled(), timeout=20_000)
    assert states(surface)["implement-behavior"] == "Pending"
    click(qtbot, surface.next_button)
    wait_idle(qtbot, surface)
    assert list(states(surface).values()) == ["Succeeded"] * 6


# ---- cancel ------------------------------------------------------------------------------------
def test_cancel_inside_a_slow_step(main_window, surface, qtbot, monkeypatch, demo):
    from arxconsole.engine.pipeline.steps import STEPS as MODULES

    def slow_run(ctx):   # a long step that checks for cancellation between units of work
        ctx.log("info", "slow step working")
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20:
            ctx.cancel.check()
            time.sleep(0.01)
        raise AssertionError("the step was never cancelled")

    monkeypatch.setattr(MODULES["implement-behavior"], "run", slow_run)
    before = snapshot(demo)
    click(qtbot, surface.run_button)
    qtbot.waitUntil(lambda: states(surface)["implement-behavior"] == "Running", timeout=20_000)
    assert "implement-behavior 3/6" in status_text(main_window)
    t0 = time.monotonic()
    click(qtbot, surface.cancel_button)
    assert not surface.cancel_button.isEnabled()
    wait_idle(qtbot, surface)
    assert time.monotonic() - t0 < 10
    st = states(surface)
    assert st["implement-behavior"] == "Cancelled"
    assert st["update-registry"] == st["compliance"] == "Cancelled"
    assert st["define-schema"] == "Succeeded"
    assert "Rolled back" in surface.run_label.text()
    assert status_text(main_window).endswith("Rolled back")
    assert surface.selected_step() == "implement-behavior"      # opens on the step that stopped
    assert snapshot(demo) == before
    assert surface.retry_button.isEnabled()


# ---- retry -------------------------------------------------------------------------------------
def test_retry_from_the_failed_step_after_fixing_the_symbol(surface, qtbot, demo):
    def break_port(sym):
        sym["connections"]["line"]["x"] = 500

    original = edit_symbol(demo, break_port)
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    first_run = surface.run["run_id"]
    st = states(surface)
    assert st["add-symbols"] == "Failed" and st["implement-behavior"] == "Skipped"
    assert surface.selected_step() == "add-symbols"
    rec = surface.log_view.current_record()
    assert rec.step == "add-symbols" and rec.level == "error" and "EL_WallSwitch_001" in rec.message
    assert surface.findings.column_texts(0)[0] == "Error"
    assert surface.retry_button.isEnabled()

    (demo / SYMBOL).write_bytes(original)        # the engineer fixes the symbol
    click(qtbot, surface.retry_button)
    wait_idle(qtbot, surface)
    assert surface.run["run_id"] != first_run
    st = states(surface)
    assert st["define-schema"] == "Skipped"
    assert all(st[s] == "Succeeded" for s in STEPS[1:]), st
    assert column(surface, 3)["add-symbols"] == "2"                 # second attempt
    assert not surface.retry_button.isEnabled()


def test_retry_of_a_rolled_back_new_object_run_redoes_define_schema(surface, qtbot, demo, tmp_path):
    """The reviewer's case: define-schema writes the new object type, add-symbols fails on the
    demo's FA_HornStrobe_002, the run is rolled back.  After the fix the retry must redo
    define-schema too (its change was undone), ending as a clean successful run does."""
    from arxconsole.engine.pipeline import PipelineRunner, RunRequest
    from arxconsole.engine.workspace import Workspace

    from tests.engine.pipeline_helpers import comparable_tree

    def fix_horn(root):
        path = root / "arx-symbol-library/fire_alarm/FA_HornStrobe_002.json"
        data = json.loads(path.read_text())
        data["connections"]["nac_out"]["x"] = 60
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")

    surface.system_combo.setCurrentText("fire_alarm")
    surface.new_object_radio.click()
    surface.object_edit.setText("beam_detector")
    before = snapshot(demo)
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    first_run = surface.run["run_id"]
    assert surface.run["state"] == "rolled_back"
    st = states(surface)
    assert st["define-schema"] == "Rolled back" and st["add-symbols"] == "Failed", st
    assert surface.selected_step() == "add-symbols"                  # opens on the step that stopped
    assert snapshot(demo) == before
    assert surface.retry_button.isEnabled()
    assert "redoes every step from define-schema" in surface.retry_button.toolTip()

    fix_horn(demo)
    click(qtbot, surface.retry_button)
    wait_idle(qtbot, surface)
    assert surface.run["run_id"] != first_run and surface.run["state"] == "succeeded", surface.run
    st = states(surface)
    assert all(st[s] == "Succeeded" for s in STEPS), st
    assert column(surface, 3)["define-schema"] == "2"                # redone, not skipped
    schema = json.loads((demo / "schemas/fire_alarm/schema.json").read_text())
    assert "fire_alarm.beam_detector" in schema["objects"]
    assert (demo / "arx-symbol-library/fire_alarm/FA_BeamDetector_001.json").exists()
    assert (demo / "behavior/fire_alarm/beam_detector.yaml").exists()
    assert not surface.retry_button.isEnabled()
    # the workspace is what a clean successful run leaves in a fresh copy of the demo
    clean = tmp_path / "clean"
    write_demo_workspace(clean)
    fix_horn(clean)
    runner = PipelineRunner(Workspace(clean), surface.ctx.db, RunRequest("fire_alarm", "beam_detector"),
                            data_dir=surface.ctx.data_dir)
    assert runner.run().value == "succeeded", runner.message
    # (the demo marker records when each copy was written: not part of the comparison)
    assert {k: v for k, v in comparable_tree(clean).items() if k != ".arxconsole-demo.json"} \
        == {k: v for k, v in comparable_tree(demo).items() if k != ".arxconsole-demo.json"}


# ---- bad run, no harm (journey 2) --------------------------------------------------------------
def test_script_in_a_symbol_fails_compliance_rolls_back_and_opens_on_the_check(main_window, surface, qtbot, demo):
    edit_symbol(demo, lambda s: s.update(svg=s["svg"].replace("</svg>", "<script>alert(1)</script></svg>")))
    before = snapshot(demo)
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    assert surface.run["state"] == "rolled_back"
    assert "Rolled back" in surface.run_label.text()
    st = states(surface)
    assert st["compliance"] == "Failed" and st["documentation"] == "Rolled back"
    assert snapshot(demo) == before                           # byte-identical
    # the surface opens on the failing step, the log on the failing check
    assert surface.selected_step() == "compliance"
    assert surface.tabs.currentWidget() is surface.log_page
    rec = surface.log_view.current_record()
    assert rec.level == "error" and rec.step == "compliance"
    assert SYMBOL in rec.message and "svg/script" in rec.message and "svg.security.script" in rec.message
    # the failing check's finding names file and element; clicking its symbol opens it
    rules = surface.findings.column_texts(2)
    row = rules.index("svg.security.script")
    assert surface.findings.column_texts(4)[row] == SYMBOL
    assert surface.findings.column_texts(5)[row] == "svg/script"
    surface.findings_table.selectRow(row)
    assert f"{SYMBOL}:svg/script" in surface.finding_detail.text()     # the full text, not a cut cell
    table = surface.findings_table
    cell = table.visualRect(surface.findings.index(row, 1)).center()
    with qtbot.waitSignal(surface.ctx.navigateRequested, timeout=5000) as sig:
        qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=cell)
    assert sig.args == ["symbols", {"symbol_id": "EL_WallSwitch_001", "location": "svg/script"}]
    assert main_window.stack.currentWidget() is main_window.surface("symbols")


def test_double_click_on_a_log_line_of_a_symbol_opens_it(surface, qtbot, demo):
    edit_symbol(demo, lambda s: s.update(svg=s["svg"].replace("</svg>", "<script>x()</script></svg>")))
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    rec = surface.log_view.current_record()
    assert rec.data.get("symbol_id") == "EL_WallSwitch_001"
    with qtbot.waitSignal(surface.ctx.navigateRequested, timeout=5000) as sig:
        surface.log_view.lineActivated.emit(rec)
    assert sig.args[1]["symbol_id"] == "EL_WallSwitch_001"


# ---- dry run ---------------------------------------------------------------------------------------
def test_dry_run_lists_the_files_it_would_change_with_diffs(surface, qtbot, demo):
    before = snapshot(demo)
    click(qtbot, surface.dry_button)
    wait_idle(qtbot, surface)
    assert list(states(surface).values()) == ["Succeeded"] * 6
    assert "dry run" in surface.run_label.text()
    assert snapshot(demo) == before                           # nothing written
    view = surface.changes_view
    files = view.model.column_texts(1)
    assert "symbol_index.json" in files and "docs/systems/electrical.md" in files
    assert set(view.model.column_texts(0)) == {"Create"}
    assert "would change" in view.note.text()
    assert view.select_path("symbol_index.json")
    diff = view.diff.toPlainText()
    assert diff.startswith("--- /dev/null") and "+++ b/symbol_index.json" in diff and "\n+" in diff


# ---- start from a step, only-step log --------------------------------------------------------------
def test_run_from_a_chosen_step_skips_the_earlier_ones(surface, qtbot):
    surface.from_combo.setCurrentIndex(STEPS.index("update-registry"))
    click(qtbot, surface.from_button)
    wait_idle(qtbot, surface)
    st = states(surface)
    assert [st[s] for s in STEPS[:3]] == ["Skipped"] * 3
    assert [st[s] for s in STEPS[3:]] == ["Succeeded"] * 3


def test_log_shows_only_the_selected_step_on_demand(surface, qtbot):
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    total = surface.log_view.model.total
    surface.only_step_check.setChecked(True)
    surface.steps_table.selectRow(STEPS.index("documentation"))
    m = surface.log_view.model
    assert 0 < m.rowCount() < total
    assert {m.record(r).step for r in range(m.rowCount())} == {"documentation"}
    surface.only_step_check.setChecked(False)
    assert m.rowCount() == total


# ---- history ---------------------------------------------------------------------------------------
def test_past_run_opens_read_only_with_its_steps_findings_and_stored_log(surface, qtbot, demo):
    click(qtbot, surface.dry_button)
    wait_idle(qtbot, surface)
    dry_id = surface.run["run_id"]
    dry_lines = surface.log_view.model.total
    edit_symbol(demo, lambda s: s["connections"]["line"].update(x=500))
    click(qtbot, surface.run_button)
    wait_idle(qtbot, surface)
    assert surface.runs.column_texts(0)[:2] == [str(dry_id + 1), str(dry_id)]
    assert surface.runs.column_texts(1)[:2] == ["Rolled back", "Succeeded"]
    # open the dry run
    surface.history_table.selectRow(1)
    click(qtbot, surface.open_run_button)
    wait_idle(qtbot, surface)
    assert surface.run["run_id"] == dry_id
    assert "past run, read-only" in surface.run_label.text()
    assert list(states(surface).values()) == ["Succeeded"] * 6
    assert surface.log_view.model.total == dry_lines           # the stored log, every line
    assert surface.log_view.model.record(0).message.startswith(f"run {dry_id}:")
    assert "symbol_index.json" in surface.changes_view.model.column_texts(1)
    # open the failed run: opens on its failed step, with the stored findings
    surface.open_run(dry_id + 1)
    wait_idle(qtbot, surface)
    assert surface.selected_step() == "add-symbols"
    assert "connection.position.outside" in surface.findings.column_texts(2)
    assert surface.log_view.current_record().level == "error"
    assert surface.retry_button.isEnabled()


# ---- leaving ---------------------------------------------------------------------------------------
def test_leaving_with_a_run_in_progress_asks_then_cancels(main_window, surface, qtbot, messages, tmp_path):
    surface.step_by_step_check.setChecked(True)
    click(qtbot, surface.run_button)
    qtbot.waitUntil(lambda: surface.next_button.isEnabled(), timeout=20_000)
    assert surface.has_unsaved_changes()
    other = tmp_path / "other"
    write_demo_workspace(other)
    assert main_window.open_workspace(other)            # the fixture answers Yes
    kind, title, text = next(m for m in messages if m[0] == "question")
    assert title == "Pipeline run in progress" and "Cancel it" in text
    assert not surface.driver.active
    assert main_window.ws_name.text() == "other"
    assert surface.run is None and list(states(surface).values()) == ["Pending"] * 6


def test_answering_no_keeps_the_run(main_window, surface, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    surface.step_by_step_check.setChecked(True)
    click(qtbot, surface.run_button)
    qtbot.waitUntil(lambda: surface.next_button.isEnabled(), timeout=20_000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    assert not surface.confirm_discard()
    assert surface.driver.active
    click(qtbot, surface.cancel_button)
    wait_idle(qtbot, surface)


def test_a_refused_switch_keeps_the_run_even_after_yes(main_window, surface, qtbot, monkeypatch, tmp_path):
    # "Cancel it and continue?" is answered yes, but the target is no workspace: the
    # switch does not happen, so nothing is cancelled either.
    from PySide6.QtWidgets import QMessageBox

    surface.step_by_step_check.setChecked(True)
    click(qtbot, surface.run_button)
    qtbot.waitUntil(lambda: surface.next_button.isEnabled(), timeout=20_000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Ok)
    (tmp_path / "plain").mkdir()
    assert not main_window.open_workspace(tmp_path / "plain")
    assert surface.driver.active and surface.next_button.isEnabled()
    click(qtbot, surface.cancel_button)
    wait_idle(qtbot, surface)


# ---- models ----------------------------------------------------------------------------------------
def test_every_pipeline_model_passes_the_qt_model_tester(surface, qtbot, qtmodeltester):
    click(qtbot, surface.dry_button)
    wait_idle(qtbot, surface)
    surface.steps_table.selectRow(STEPS.index("add-symbols"))   # its findings: one warning
    for model in (surface.steps, surface.findings, surface.runs, surface.changes_view.model):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    surface.steps.update_row(0, state="running")
    qtmodeltester.check(surface.steps)


def test_a_real_run_tells_the_other_surfaces_which_files_it_wrote(surface, qtbot):
    with qtbot.waitSignal(surface.ctx.workspaceFilesChanged, timeout=30_000) as sig:
        click(qtbot, surface.run_button)
    assert "symbol_index.json" in sig.args[0] and "docs/systems/electrical.md" in sig.args[0]
    wait_idle(qtbot, surface)
    assert "Succeeded" in surface.run_label.text()      # the run stays on show


def test_files_changed_elsewhere_refresh_history_but_keep_the_run_on_show(surface, qtbot, demo):
    click(qtbot, surface.dry_button)
    wait_idle(qtbot, surface)
    shown = surface.run["run_id"]
    (demo / "schemas" / "lighting").mkdir(parents=True)
    surface.ctx.workspaceFilesChanged.emit(["schemas/lighting"])
    assert "lighting" in [surface.system_combo.itemText(i) for i in range(surface.system_combo.count())]
    assert surface.system_combo.currentText() == "electrical"
    assert surface.run["run_id"] == shown and surface.runs.rowCount() == 1


def test_steps_context_menu_runs_only_that_step(surface, qtbot):
    row = STEPS.index("compliance")
    pos = surface.steps_table.visualRect(surface.steps.index(row, 0)).center()
    menu = surface.steps_menu_at(pos)   # what a right-click on the compliance row opens
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Run from compliance", "Dry run from compliance", "Run only compliance"]
    next(a for a in menu.actions() if a.text() == "Run only compliance").trigger()
    wait_idle(qtbot, surface)
    st = states(surface)
    assert st["compliance"] == "Succeeded"
    assert [st[s] for s in STEPS[:-1]] == ["Skipped"] * 5


def test_a_run_already_in_progress_is_reported_not_corrupted(surface, qtbot, messages, demo):
    from arxconsole.engine.pipeline.runlock import RunLock
    from arxconsole.engine.workspace import Workspace

    from tests.engine.pipeline_helpers import comparable_tree

    with RunLock(Workspace.open(demo)):     # e.g. the CLI is running the pipeline on this workspace
        click(qtbot, surface.run_button)
        wait_idle(qtbot, surface)
    kind, title, text = messages[-1]
    assert title == "Cannot start the run" and "already in progress" in text
    assert surface.run is None and surface.run_button.isEnabled()
    assert "could not start" in surface.window().status_items["run"].text_label.text()
