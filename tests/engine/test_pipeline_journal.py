"""The change journal and the change set: prior bytes durable before a change, exact
restore, torn journals, hostile paths; and the gate settings."""

from __future__ import annotations

import json
import os

import pytest

from arxconsole.engine import durable
from arxconsole.engine.pipeline.changes import ChangeSet, unified_diff
from arxconsole.engine.pipeline.gates import GateError, Measures, evaluate, load_gates, set_gate
from arxconsole.engine.pipeline.journal import ChangeJournal, JournalError, journal_root
from arxconsole.engine.workspace import Workspace

from tests.engine.pipeline_helpers import tree_state


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    durable.write_text(w.root / "schemas/a/schema.json", "old schema\n")
    durable.write_bytes(w.root / "behavior/a/p.yaml", b"\x00\x01binary\xff")
    (w.root / "behavior/a/p.yaml").chmod(0o640)
    return w


def test_rollback_restores_bytes_modes_and_removes_created_files_and_folders(ws):
    before = tree_state(ws.root)
    j = ChangeJournal.begin(ws, 7, {"system": "a"})
    cs = ChangeSet(ws, False, j)
    cs.write_text("schemas/a/schema.json", "new schema\n")
    cs.write_text("schemas/a/schema.json", "newer schema\n")  # second change: journal keeps the first state
    cs.write("behavior/a/p.yaml", b"replaced")
    cs.write_text("docs/systems/a/deep/new.svg", "<svg/>")
    cs.remove("behavior/a/p.yaml")
    assert [e.path for e in j.entries()] == ["schemas/a/schema.json", "behavior/a/p.yaml",
                                             "docs/systems/a/deep/new.svg"]
    assert j.entries()[2].created_dirs == ("docs/systems/a", "docs/systems/a/deep")
    undone = {u.path: u.action for u in j.rollback()}
    assert undone == {"schemas/a/schema.json": "restored", "behavior/a/p.yaml": "restored",
                      "docs/systems/a/deep/new.svg": "removed"}
    assert tree_state(ws.root) == before
    assert (ws.root / "behavior/a/p.yaml").stat().st_mode & 0o777 == 0o640
    j.finish()
    assert not any(journal_root(ws).iterdir()) if journal_root(ws).exists() else True


def test_rollback_removes_temp_files_of_a_write_killed_midway(ws):
    before = tree_state(ws.root)
    j = ChangeJournal.begin(ws, 9, {})
    j.record("docs/systems/a.md")  # journaled, then the process died inside the durable write
    (ws.root / "docs/systems/.arx-tmp-dead").write_bytes(b"half")
    j.rollback()
    assert tree_state(ws.root) == before


def test_identical_write_is_not_a_change(ws):
    j = ChangeJournal.begin(ws, 1, {})
    cs = ChangeSet(ws, False, j)
    assert cs.write_text("schemas/a/schema.json", "old schema\n") is None
    assert j.entries() == []


def test_pending_journal_survives_a_new_process_and_rolls_back(ws):
    before = tree_state(ws.root)
    j = ChangeJournal.begin(ws, 3, {})
    ChangeSet(ws, False, j).write_text("schemas/a/schema.json", "half-done\n")
    # a fresh process sees only the files on disk
    [found] = ChangeJournal.pending(ws)
    assert found.run_id == 3 and found.recorded_paths() == ["schemas/a/schema.json"]
    found.rollback()
    found.finish()
    assert tree_state(ws.root) == before and ChangeJournal.pending(ws) == []


def test_torn_last_line_is_ignored_but_a_corrupt_middle_line_is_an_error(ws):
    j = ChangeJournal.begin(ws, 4, {})
    ChangeSet(ws, False, j).write_text("schemas/a/schema.json", "x\n")
    entries = j.folder / "journal.jsonl"
    with open(entries, "ab") as fh:
        fh.write(b'{"seq": 2, "path": "behavior/a/p.y')  # killed mid-append: its change never happened
    assert [e.path for e in j.entries()] == ["schemas/a/schema.json"]
    with open(entries, "ab") as fh:
        fh.write(b'\n{"seq": 3, "path": "x", "existed": false}\n')
    with pytest.raises(JournalError):
        j.entries()


@pytest.mark.parametrize("bad", ["../outside.txt", "/etc/passwd", ".arxconsole-journal/run-1/run.json"])
def test_journal_refuses_paths_outside_the_workspace_content(ws, bad):
    j = ChangeJournal.begin(ws, 5, {})
    with open(j.folder / "journal.jsonl", "ab") as fh:
        fh.write(json.dumps({"seq": 1, "path": bad, "existed": False}).encode() + b"\n")
        fh.write(json.dumps({"seq": 2, "path": "ok", "existed": False}).encode() + b"\n")
    with pytest.raises(JournalError, match="outside"):
        j.entries()


def test_finished_journal_marked_done_is_purged_not_rolled_back(ws):
    j = ChangeJournal.begin(ws, 6, {})
    ChangeSet(ws, False, j).write_text("schemas/a/schema.json", "committed\n")
    os.replace(j.folder, j.folder.with_name("done-run-6"))  # crash right after the commit rename
    assert ChangeJournal.pending(ws) == []
    assert ChangeJournal.purge_finished(ws) == 1
    assert (ws.root / "schemas/a/schema.json").read_text() == "committed\n"


def test_second_journal_for_same_run_is_refused(ws):
    ChangeJournal.begin(ws, 8, {})
    with pytest.raises(JournalError, match="already exists"):
        ChangeJournal.begin(ws, 8, {})


def test_dry_run_change_set_overlay_and_diffs(ws):
    before = tree_state(ws.root)
    cs = ChangeSet(ws, True, None)
    c = cs.write_text("schemas/a/schema.json", "new schema\n")
    assert c.action == "modify" and "-old schema\n+new schema\n" in c.diff
    assert cs.read_bytes("schemas/a/schema.json") == b"new schema\n"
    assert cs.write_text("schemas/a/extra.json", "{}\n").action == "create"
    assert cs.list_files("schemas/a", ".json") == ["schemas/a/extra.json", "schemas/a/schema.json"]
    d = cs.remove("schemas/a/schema.json")
    assert d.action == "delete" and not cs.exists("schemas/a/schema.json")
    assert cs.list_files("schemas/a", ".json") == ["schemas/a/extra.json"]
    assert "Binary file" in cs.write("behavior/a/p.yaml", b"\xff\xfe").diff
    assert tree_state(ws.root) == before


def test_real_change_set_needs_a_journal(ws):
    with pytest.raises(ValueError):
        ChangeSet(ws, False, None)


def test_unified_diff_caps_huge_diffs():
    text = unified_diff("f", None, ("x\n" * 5000).encode())
    assert "more diff lines" in text and text.count("\n") < 500


# ---- gates --------------------------------------------------------------------------------
def test_gates_defaults_edit_and_audit(db):
    gates = {g.name: g for g in load_gates(db)}
    assert gates["coverage"].threshold == 90.0 and gates["zero_errors"].threshold == 0
    assert all(g.required for g in gates.values())
    g = set_gate(db, "coverage", "75%")
    assert g.threshold == 75.0
    set_gate(db, "coverage.required", "no")
    gates = {g.name: g for g in load_gates(db)}
    assert gates["coverage"].threshold == 75.0 and gates["coverage"].required is False
    audit = db.audit_events("gate.changed")
    assert [a.target for a in audit] == ["coverage", "coverage"]
    assert audit[0].details["new"] == {"threshold": 75.0, "required": False}


@pytest.mark.parametrize("name,value", [("nope", "1"), ("coverage", "120"), ("coverage", "lots"),
                                        ("coverage.required", "maybe"), ("performance", "-1"),
                                        ("coverage.color", "1")])
def test_gate_bad_values_are_user_errors(db, name, value):
    with pytest.raises(GateError):
        set_gate(db, name, value)


def test_gate_evaluation():
    from arxconsole.engine.pipeline.gates import default_gates
    m = Measures(errors=1, coverage=89.9, compliance_passed=True, step_seconds={"a": 0.1, "b": 70.0})
    d = {x.gate: x for x in evaluate(default_gates(), m)}
    assert d["zero_errors"].passed is False and d["coverage"].passed is False
    assert d["compliance"].passed is True and d["performance"].passed is False and "b 70.00 s" in d["performance"].message
    assert all(x.blocks for x in d.values() if x.passed is False)
    none = {x.gate: x.passed for x in evaluate(default_gates(), Measures(step_seconds={}))}
    assert none == {"zero_errors": True, "coverage": None, "compliance": None, "performance": None}
