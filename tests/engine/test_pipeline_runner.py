"""The runner end to end on real workspaces: states, rollback, dry run, cancel, retry,
step-by-step, gates, history, logs, one run at a time, journey 2 (SPEC §9)."""

from __future__ import annotations

import queue
import threading

import pytest

from arxconsole.engine.pipeline import (STEP_IDS, EventKind, PipelineRunner, RunHistory, RunInProgressError,
                                        RunRequest, State, retry_request, run_to_dict, set_gate)
from arxconsole.engine.pipeline import history as history_mod
from arxconsole.engine.pipeline.backup_hook import SETTING as BACKUP_SETTING
from arxconsole.engine.pipeline.journal import ChangeJournal, journal_root
from arxconsole.engine.pipeline.runlock import RunLock
from arxconsole.engine.pipeline.steps import STEPS

from tests.engine.pipeline_helpers import SCRIPT_SVG, edit_json, make_ws, symbol_path, tree_state


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path, objects=2, symbols_per_object=1)


@pytest.fixture
def db(db):
    db.set_setting(BACKUP_SETTING, False, audit=False)  # backups have their own tests below
    return db


def run(ws, db, events=None, **kw):
    r = PipelineRunner(ws, db, RunRequest("electrical", **kw), listener=(events.append if events is not None else None))
    r.run()
    return r


def test_new_object_run_creates_everything_and_records_history(ws, db):
    events = []
    r = run(ws, db, events, object_type="smart_switch")
    assert r.state is State.SUCCEEDED, r.message
    assert all(st.state is State.SUCCEEDED for st in r.steps.values())
    written = {c.path for st in r.steps.values() for c in st.files_written}
    assert {"schemas/electrical/schema.json", "arx-symbol-library/electrical/EL_SmartSwitch_001.json",
            "behavior/electrical/smart_switch.yaml", "symbol_index.json", "systems.json",
            "docs/systems/electrical.md", "docs/systems/electrical/EL_SmartSwitch_001.svg"} <= written
    assert "![EL_SmartSwitch_001](electrical/EL_SmartSwitch_001.svg)" in (ws.root / "docs/systems/electrical.md").read_text()
    assert not any(journal_root(ws).glob("run-*"))  # journal retired
    data = run_to_dict(RunHistory(db), r.run_id)
    assert data["state"] == "succeeded" and [s["id"] for s in data["steps"]] == list(STEP_IDS)
    assert data["steps"][1]["files_written"] == [{"path": "arx-symbol-library/electrical/EL_SmartSwitch_001.json",
                                                  "action": "create"}]
    assert {g["gate"] for g in data["gates"]} == {"zero_errors", "coverage", "compliance", "performance"}
    actions = [e.action for e in db.audit_events("run.")]
    assert {"run.started", "run.step.succeeded", "run.gates", "run.succeeded"} <= set(actions)
    from arxconsole.engine.pipeline import STEP_CHECKS
    assert [c.name for c in r.steps["compliance"].checks] == list(STEP_CHECKS["compliance"])
    kinds = [e.kind for e in events]
    assert kinds[0] is EventKind.RUN_STARTED and kinds[-1] is EventKind.RUN_FINISHED
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert RunHistory(db).log_count(r.run_id) == len(events)


def test_rerun_is_byte_identical_and_writes_nothing(ws, db):
    assert run(ws, db).state is State.SUCCEEDED
    before = tree_state(ws.root)
    r = run(ws, db)
    assert r.state is State.SUCCEEDED
    assert [c.path for st in r.steps.values() for c in st.files_written] == []
    assert tree_state(ws.root) == before


def test_journey2_script_symbol_fails_compliance_rolls_back_byte_identical(ws, db):
    edit_json(symbol_path(ws, 1), lambda d: d.update(svg=SCRIPT_SVG))
    before = tree_state(ws.root)
    events = []
    r = run(ws, db, events, object_type="smart_switch")
    assert r.state is State.ROLLED_BACK
    assert r.steps["compliance"].state is State.FAILED
    assert tree_state(ws.root) == before
    bad = [f for f in r.steps["compliance"].findings if f.rule == "svg.security.script"]
    assert bad and bad[0].file == "arx-symbol-library/electrical/EL_Device001_001.json"
    assert bad[0].location.endswith("script")
    # earlier steps wrote files: they are marked rolled back, and the audit says what was undone
    assert r.steps["update-registry"].state is State.ROLLED_BACK
    undone = {u.path: u.action for u in r.undone}
    assert undone["symbol_index.json"] == "removed" and undone["schemas/electrical/schema.json"] == "restored"
    audit = db.audit_events("run.rolled_back")[0]
    assert "symbol_index.json" in audit.message and audit.details["run_id"] == r.run_id
    # the stored log holds the failing check with file and element, on the compliance step
    errors = RunHistory(db).logs(r.run_id, level="error", step="compliance")
    assert any("svg.security.script" in e.message and "EL_Device001_001.json" in e.message for e in errors)
    assert RunHistory(db).get_run(r.run_id).state == "rolled_back"


def test_dry_run_writes_nothing_and_lists_diffs(ws, db):
    before = tree_state(ws.root)
    r = run(ws, db, object_type="smart_switch", dry_run=True)
    assert r.state is State.SUCCEEDED
    assert tree_state(ws.root) == before
    changes = {c.path: c for st in r.steps.values() for c in st.would_change}
    schema = changes["schemas/electrical/schema.json"]
    assert schema.action == "modify" and '+    "electrical.smart_switch": {' in schema.diff
    assert changes["symbol_index.json"].action == "create"
    assert "EL_SmartSwitch_001" in changes["symbol_index.json"].diff  # later steps saw the planned symbol
    assert changes["docs/systems/electrical/EL_SmartSwitch_001.svg"].diff.startswith("--- /dev/null")
    stored = run_to_dict(RunHistory(db), r.run_id)
    assert stored["dry_run"] and stored["steps"][0]["would_change"][0]["path"] == "schemas/electrical/schema.json"
    assert not journal_root(ws).exists() or not any(journal_root(ws).glob("run-*"))


def test_failed_dry_run_ends_failed_not_rolled_back(ws, db):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    r = run(ws, db, dry_run=True)
    assert r.state is State.FAILED and r.undone == []


def test_cancel_inside_a_step_rolls_back(ws, db):
    before = tree_state(ws.root)
    holder = {}

    def listener(ev):
        # update-registry has just written symbol_index.json; its next cancel check is mid-step
        if ev.step == "update-registry" and ev.message.startswith("symbol_index.json"):
            holder["r"].cancel()
    r = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch"), listener=listener)
    holder["r"] = r
    assert r.run() is State.ROLLED_BACK
    assert r.steps["update-registry"].state in (State.CANCELLED, State.ROLLED_BACK)
    assert r.steps["update-registry"].files_written  # it was cancelled after writing
    assert r.steps["documentation"].state is State.CANCELLED
    assert r.steps["compliance"].state is State.CANCELLED
    assert tree_state(ws.root) == before
    assert "cancel" in r.message


def test_cancel_between_steps(ws, db):
    holder = {}

    def listener(ev):
        if ev.kind is EventKind.STEP_FINISHED and ev.step == "add-symbols":
            holder["r"].cancel()
    r = PipelineRunner(ws, db, RunRequest("electrical", dry_run=True), listener=listener)
    holder["r"] = r
    assert r.run() is State.CANCELLED
    assert r.steps["add-symbols"].state is State.SUCCEEDED
    assert [r.steps[s].state for s in STEP_IDS[2:]] == [State.CANCELLED] * 4


def test_retry_redoes_the_steps_the_rollback_undid(ws, db):
    # more cases in test_pipeline_retry.py
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    first = run(ws, db)
    assert first.state is State.ROLLED_BACK
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=d["svg"].replace("<script>alert(1)</script>", "")))
    req = retry_request(db, first.run_id)
    # compliance failed, but update-registry's and documentation's files were rolled back too
    assert req.from_step == "update-registry" and req.retry_of == first.run_id
    second = PipelineRunner(ws, db, req)
    assert second.run() is State.SUCCEEDED, second.message
    assert (ws.root / "symbol_index.json").exists() and (ws.root / "docs/systems/electrical.md").exists()
    assert second.steps["compliance"].attempt == 2 and second.steps["update-registry"].attempt == 2
    assert second.steps["define-schema"].state is State.SKIPPED and second.steps["define-schema"].attempt == 1
    assert RunHistory(db).get_run(second.run_id).retry_of == first.run_id
    with pytest.raises(Exception, match="nothing to retry"):
        retry_request(db, second.run_id)


def test_from_and_only(ws, db):
    r = run(ws, db, from_step="documentation", dry_run=True)
    assert [r.steps[s].state for s in STEP_IDS] == [State.SKIPPED] * 4 + [State.SUCCEEDED] * 2
    r = run(ws, db, only="update-registry")
    assert [s for s in STEP_IDS if r.steps[s].state is State.SUCCEEDED] == ["update-registry"]
    assert (ws.root / "symbol_index.json").exists() and not (ws.root / "docs/systems/electrical.md").exists()
    gates = {d.gate: d.passed for d in r.gate_decisions}
    assert gates["coverage"] is None and gates["compliance"] is None  # not measured by this run


def test_step_by_step_from_a_worker_thread(ws, db):
    events, pauses = [], queue.Queue()

    def listener(ev):
        events.append(ev)
        if ev.kind is EventKind.PAUSED:
            pauses.put(ev)
    r = PipelineRunner(ws, db, RunRequest("electrical", dry_run=True, step_by_step=True), listener=listener)
    worker = threading.Thread(target=r.run)
    worker.start()
    seen = []
    for expected in STEP_IDS[:-1]:
        ev = pauses.get(timeout=10)
        # while paused the GUI can query everything
        assert r.paused and r.current_step == expected and ev.data["next_step"] == STEP_IDS[STEP_IDS.index(expected) + 1]
        seen.append([r.steps[s].state for s in STEP_IDS])
        r.next()
    worker.join(10)
    assert not worker.is_alive() and r.state is State.SUCCEEDED and not r.paused
    assert seen[0] == [State.SUCCEEDED] + [State.PENDING] * 5
    assert seen[-1] == [State.SUCCEEDED] * 5 + [State.PENDING]
    assert len([e for e in events if e.kind is EventKind.RESUMED]) == 5


def test_cancel_while_paused(ws, db):
    r = PipelineRunner(ws, db, RunRequest("electrical", step_by_step=True))
    worker = threading.Thread(target=r.run)
    worker.start()
    for _ in range(1000):
        if r.paused:
            break
        threading.Event().wait(0.01)
    assert r.paused
    r.cancel()
    worker.join(10)
    assert r.state is State.ROLLED_BACK
    assert r.steps["define-schema"].state is State.SUCCEEDED
    assert all(r.steps[s].state is State.CANCELLED for s in STEP_IDS[1:])


def test_manual_drive_start_advance_finish(ws, db):
    r = PipelineRunner(ws, db, RunRequest("electrical", dry_run=True))
    run_id = r.start()
    assert r.state is State.RUNNING and RunHistory(db).get_run(run_id).state == "running"
    st = r.advance()
    assert st.id == "define-schema" and st.state is State.SUCCEEDED
    assert RunHistory(db).steps(run_id)[0].state == "succeeded"
    while r.advance() is not None:
        pass
    assert r.finish() is State.SUCCEEDED


def test_required_gate_fails_the_run_and_optional_does_not(ws, db):
    set_gate(db, "performance", "0")
    r = run(ws, db)
    assert r.state is State.ROLLED_BACK
    assert r.steps["compliance"].state is State.FAILED
    assert any(f.rule == "gate.performance.failed" for f in r.steps["compliance"].findings)
    assert db.audit_events("gate.changed")[0].details["new"]["threshold"] == 0.0
    decisions = {d.gate: d for d in r.gate_decisions}
    assert decisions["performance"].passed is False and decisions["performance"].required
    stored = {g["gate"]: g for g in run_to_dict(RunHistory(db), r.run_id)["gates"]}
    assert stored["performance"]["passed"] is False
    set_gate(db, "performance.required", "false")
    r = run(ws, db)
    assert r.state is State.SUCCEEDED
    assert {d.gate: d.passed for d in r.gate_decisions}["performance"] is False


def test_required_gate_fails_run_even_without_compliance_step(ws, db):
    set_gate(db, "performance", "0")
    r = run(ws, db, only="update-registry")
    assert r.state is State.ROLLED_BACK and "required gate" in r.message
    assert not (ws.root / "symbol_index.json").exists()


def test_zero_errors_gate_optional_lets_errors_through(ws, db):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=d["svg"].replace(' viewBox="0 0 100 100"', "")))
    assert run(ws, db, dry_run=True).steps["add-symbols"].state is State.FAILED
    set_gate(db, "zero_errors.required", "false")
    r = run(ws, db, dry_run=True)
    assert r.steps["add-symbols"].state is State.SUCCEEDED and "not required" in r.steps["add-symbols"].message
    assert {d.gate: d.passed for d in r.gate_decisions}["zero_errors"] is False


def test_one_run_at_a_time(ws, db):
    with RunLock(ws):
        with pytest.raises(RunInProgressError, match="already in progress"):
            PipelineRunner(ws, db, RunRequest("electrical")).run()
    assert RunHistory(db).list_runs() == []


def test_bad_requests_are_user_errors(ws, db):
    from arxconsole.engine.pipeline import RunRequestError
    for kw in ({"system": "Electrical"}, {"system": "electrical", "from_step": "nope"},
               {"system": "electrical", "only": "compliance", "from_step": "documentation"}):
        with pytest.raises(RunRequestError):
            PipelineRunner(ws, db, RunRequest(**kw))


def test_crashing_step_is_contained_and_rolled_back(ws, db, monkeypatch):
    before = tree_state(ws.root)

    def boom(ctx):
        raise RuntimeError("bug in a step")
    monkeypatch.setattr(STEPS["documentation"], "run", boom)
    r = run(ws, db)
    assert r.state is State.ROLLED_BACK and r.steps["documentation"].state is State.FAILED
    assert r.steps["documentation"].findings[0].rule == "pipeline.step.crash"
    assert tree_state(ws.root) == before


def test_broken_listener_does_not_break_the_run(ws, db):
    def bad(ev):
        raise ValueError("front end bug")
    assert PipelineRunner(ws, db, RunRequest("electrical", dry_run=True), listener=bad).run() is State.SUCCEEDED


def test_100k_log_lines_stored_in_batches(ws, db, monkeypatch):
    def chatty(ctx):
        for i in range(100_000):
            ctx.log("debug", f"line {i}", i=i)
        return []
    monkeypatch.setattr(STEPS["define-schema"], "run", chatty)
    flushes = []
    real = history_mod.RunHistory.flush_logs
    monkeypatch.setattr(history_mod.RunHistory, "flush_logs", lambda self: (flushes.append(1), real(self)))
    received = []
    r = PipelineRunner(ws, db, RunRequest("electrical", only="define-schema", dry_run=True),
                       listener=received.append)
    assert r.run() is State.SUCCEEDED
    h = RunHistory(db)
    assert h.log_count(r.run_id) == len(received) >= 100_000
    assert len(flushes) < 100_000 / history_mod.LOG_BATCH + 10
    assert [x.message for x in h.logs(r.run_id, search="line 99999")] == ["line 99999"]


def test_backup_taken_before_a_real_run_not_a_dry_run(ws, db, data_dir):
    pytest.importorskip("arxconsole.engine.backup")
    from arxconsole.engine.backup import BackupRepository
    db.set_setting(BACKUP_SETTING, True, audit=False)
    events = []
    run(ws, db, events, dry_run=True)
    r = run(ws, db, events)
    assert r.state is State.SUCCEEDED
    lines = [e.message for e in events if "backup" in e.message]
    assert len(lines) == 1 and "taken before the run" in lines[0]
    repo = BackupRepository.for_data_dir(data_dir)
    assert len(repo.list()) == 1


def test_failed_pre_run_backup_stops_the_run_cleanly(ws, db, monkeypatch):
    from arxconsole.engine.errors import UserError
    from arxconsole.engine.pipeline import runner as runner_mod

    def no_space(*a, **k):
        raise UserError("backup store: no space left on device")
    monkeypatch.setattr(runner_mod, "backup_before_run", no_space)
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("electrical"))
    with pytest.raises(UserError, match="no space"):
        r.run()
    assert tree_state(ws.root) == before
    stored = RunHistory(db).get_run(r.run_id)
    assert stored.state == "failed" and "no space" in stored.message
    assert not RunLock(ws).acquire().release()  # the run lock was released


def test_recovery_after_a_crash_mid_run(ws, db):
    from arxconsole.engine.pipeline import recover_interrupted_runs
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch"))
    r.start()
    for _ in range(4):
        r.advance()
    assert tree_state(ws.root) != before
    r._lock.release()  # what the OS does when the process dies
    recovered = recover_interrupted_runs(ws, db)
    assert [x.run_id for x in recovered] == [r.run_id]
    assert tree_state(ws.root) == before
    assert RunHistory(db).get_run(r.run_id).state == "rolled_back"
    audit = db.audit_events("run.rolled_back")[0]
    assert audit.details["recovered"] and "interrupted" in audit.message
    assert recover_interrupted_runs(ws, db) == []


def test_recovery_leaves_a_live_run_alone(ws, db):
    from arxconsole.engine.pipeline import recover_interrupted_runs
    r = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch"))
    r.start()
    r.advance()
    assert recover_interrupted_runs(ws, db) == []
    assert ChangeJournal.pending(ws)
    assert r.finish() is State.ROLLED_BACK  # finished early by its driver: the rest is cancelled


def test_recovery_marks_an_interrupted_dry_run(ws, db):
    from arxconsole.engine.pipeline import recover_interrupted_runs
    r = PipelineRunner(ws, db, RunRequest("electrical", dry_run=True))
    r.start()
    r._lock.release()
    out = recover_interrupted_runs(ws, db)
    assert [(x.run_id, x.state) for x in out] == [(r.run_id, "failed")]


# ---- the shipped demo workspace ------------------------------------------------------------
@pytest.fixture
def demo(tmp_path):
    from arxconsole.engine.demo import write_demo_workspace
    from arxconsole.engine.workspace import Workspace
    write_demo_workspace(tmp_path / "demo")
    return Workspace.open(tmp_path / "demo")


def test_demo_passes_apart_from_its_deliberately_flawed_symbols(demo, db):
    results = {s: PipelineRunner(demo, db, RunRequest(s, dry_run=True)) for s in ("electrical", "audiovisual",
                                                                                    "fire_alarm")}
    for r in results.values():
        r.run()
    assert results["electrical"].state is State.SUCCEEDED and results["audiovisual"].state is State.SUCCEEDED
    fa = results["fire_alarm"]
    assert fa.state is State.FAILED and fa.steps["add-symbols"].state is State.FAILED
    blocking = [f for f in fa.steps["add-symbols"].findings if f.blocking]
    assert [(f.rule, f.symbol_id) for f in blocking] == [("connection.position.outside", "FA_HornStrobe_002")]


def test_demo_journey1_new_object_then_journey2_script_rolls_back(demo, db):
    r = run_demo = PipelineRunner(demo, db, RunRequest("electrical", "smart_switch"))
    assert run_demo.run() is State.SUCCEEDED, r.message
    page = (demo.root / "docs/systems/electrical.md").read_text()
    assert "![EL_SmartSwitch_001](electrical/EL_SmartSwitch_001.svg)" in page
    assert (demo.root / "docs/systems/electrical/EL_SmartSwitch_001.svg").is_file()
    # journey 2: someone pastes a script into a symbol; the next run must do no harm
    edit_json(demo.symbol_path("electrical", "EL_SmartSwitch_001"),
              lambda d: d.update(svg=d["svg"].replace("</svg>", "<script>fetch('//x')</script></svg>")))
    before = tree_state(demo.root)
    bad = PipelineRunner(demo, db, RunRequest("electrical"))
    assert bad.run() is State.ROLLED_BACK
    assert bad.steps["compliance"].state is State.FAILED
    [f] = [f for f in bad.steps["compliance"].findings if f.rule == "svg.security.script"]
    assert f.file == "arx-symbol-library/electrical/EL_SmartSwitch_001.json" and "script" in f.location
    assert tree_state(demo.root) == before


def test_dry_run_of_a_brand_new_system_and_object_checks_the_planned_files(ws, db):
    """Nothing exists on disk: every later step must see what earlier steps would create."""
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("security", "door_contact", dry_run=True, create_system=True))
    assert r.run() is State.SUCCEEDED, r.message
    assert tree_state(ws.root) == before
    for st in r.steps.values():
        assert not [f for f in st.findings if f.severity.value != "info"], (st.id, [str(f) for f in st.findings])
    planned = {c.path for st in r.steps.values() for c in st.would_change}
    assert {"schemas/security/schema.json", "arx-symbol-library/security/SE_DoorContact_001.json",
            "behavior/security/door_contact.yaml", "docs/systems/security.md"} <= planned
    stats = r._ctx.shared["behavior_stats"]
    assert stats["scenarios_run"] >= 1 and stats["scenarios_passed"] == stats["scenarios_run"]


# ---- a system the workspace does not have ---------------------------------------------------
def test_a_mistyped_system_is_refused_with_the_closest_name_and_nothing_is_recorded(ws, db):
    from arxconsole.engine.pipeline import UnknownSystemError
    before = tree_state(ws.root)
    with pytest.raises(UnknownSystemError) as info:
        PipelineRunner(ws, db, RunRequest("electrcal"))
    assert str(info.value) == f"{ws.root}: no system 'electrcal'; did you mean 'electrical'? (systems: electrical)"
    assert info.value.system == "electrcal"
    with pytest.raises(UnknownSystemError, match=r"no system 'plumbing' \(systems: electrical\)"):
        PipelineRunner(ws, db, RunRequest("plumbing", "valve"))      # new_object runs too; no close match
    assert RunHistory(db).list_runs() == [] and tree_state(ws.root) == before


def test_a_new_system_is_created_only_when_asked_and_needs_symbols_to_pass_coverage(ws, db):
    """create_system brings the system in; a system with no symbols fails the coverage
    gate (0 of 0 items is not 100 %), so the run is rolled back and leaves nothing."""
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("security", create_system=True))
    assert r.run() is State.ROLLED_BACK
    cov = {d.gate: d for d in r.gate_decisions}["coverage"]
    assert cov.passed is False and cov.actual == 0.0 and "the system has no symbols" in cov.message
    [finding] = [f for f in r.steps["documentation"].findings if f.rule == "docs.coverage.no_symbols"]
    assert finding.severity.value == "error" and "system security has no symbols" in finding.message
    assert "0 of 0 is not 100 %" in finding.message and "--object" in finding.hint
    assert r.steps["documentation"].state is State.FAILED
    assert tree_state(ws.root) == before
    # Its first object type brings a symbol with it: the same new system then passes.
    r = PipelineRunner(ws, db, RunRequest("security", "door_contact", create_system=True))
    assert r.run() is State.SUCCEEDED, r.message
    assert {d.gate: d.passed for d in r.gate_decisions}["coverage"] is True
    assert "security" in ws.systems()


def test_no_symbols_fails_the_coverage_gate_even_at_0_percent_unless_the_gate_is_optional(ws, db):
    set_gate(db, "coverage", "0")
    r = PipelineRunner(ws, db, RunRequest("security", dry_run=True, create_system=True))
    assert r.run() is State.FAILED
    assert {d.gate: d.passed for d in r.gate_decisions}["coverage"] is False
    set_gate(db, "coverage.required", "false")
    r = PipelineRunner(ws, db, RunRequest("security", dry_run=True, create_system=True))
    assert r.run() is State.SUCCEEDED
    [finding] = [f for f in r.steps["documentation"].findings if f.rule == "docs.coverage.no_symbols"]
    assert finding.severity.value == "warning"


def test_retry_of_a_rolled_back_new_system_run_brings_the_system_in_again(ws, db):
    set_gate(db, "performance", "0")                     # every step is over budget: compliance fails
    first = PipelineRunner(ws, db, RunRequest("security", "door_contact", create_system=True))
    assert first.run() is State.ROLLED_BACK and "security" not in ws.systems()
    set_gate(db, "performance", "60")
    request = retry_request(db, first.run_id)
    assert request.create_system and request.system == "security"
    r = PipelineRunner(ws, db, request)
    assert r.run() is State.SUCCEEDED, r.message
    assert ws.schema_path("security").is_file()
