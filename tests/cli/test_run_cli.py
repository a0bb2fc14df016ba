"""``arxconsole run``, ``runs`` and ``gates`` from the command line (journey 5: CI use)."""

from __future__ import annotations

import json

import pytest

from arxconsole.cli import main
from arxconsole.engine.pipeline.backup_hook import SETTING as BACKUP_SETTING

from tests.engine.pipeline_helpers import (SCRIPT_SVG, comparable_tree, edit_json, make_ws, symbol_path,
                                          tree_state)


@pytest.fixture
def ws(tmp_path, db):
    db.set_setting(BACKUP_SETTING, False, audit=False)
    return make_ws(tmp_path)


def cli(capsys, *args) -> tuple[int, dict | str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    try:
        return code, json.loads(out.out), out.err
    except ValueError:
        return code, out.out, out.err


def test_dry_run_json_lists_steps_and_diffs(ws, capsys):
    before = tree_state(ws.root)
    code, data, _ = cli(capsys, "run", "--workspace", str(ws.root), "--system", "electrical",
                        "--object", "smart_switch", "--dry-run", "--json")
    assert code == 0 and data["state"] == "succeeded" and data["dry_run"] is True
    assert isinstance(data["run_id"], int)
    assert [s["id"] for s in data["steps"]] == ["define-schema", "add-symbols", "implement-behavior",
                                                "update-registry", "documentation", "compliance"]
    step = data["steps"][0]
    assert {"id", "state", "duration", "findings", "files_written", "would_change"} <= set(step)
    assert step["findings"]["error"] == 0 and step["files_written"] == []
    assert step["would_change"][0]["path"] == "schemas/electrical/schema.json"
    assert step["would_change"][0]["diff"].startswith("--- a/schemas/electrical/schema.json")
    assert tree_state(ws.root) == before


def test_real_run_then_history_commands(ws, capsys):
    code, data, err = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical")
    assert code == 0 and "succeeded" in data and "[update-registry]" in err  # live log on stderr
    code, runs, _ = cli(capsys, "runs", "list", "--json")
    run_id = runs["runs"][0]["run_id"]
    assert code == 0 and runs["runs"][0]["state"] == "succeeded"
    code, shown, _ = cli(capsys, "runs", "show", str(run_id), "--json")
    assert shown["steps"][3]["files_written"] == [{"path": "symbol_index.json", "action": "create"},
                                                  {"path": "systems.json", "action": "create"}]
    code, log, _ = cli(capsys, "runs", "log", str(run_id), "--step", "update-registry", "--json")
    assert log["lines"] and all(line["step"] == "update-registry" for line in log["lines"])
    code, text, _ = cli(capsys, "runs", "log", str(run_id), "--search", "coverage")
    assert "coverage 100.0 %" in text


def test_failed_run_exits_1_rolled_back_and_names_the_file(ws, capsys):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    before = tree_state(ws.root)
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--json")
    assert code == 1 and data["state"] == "rolled_back"
    compliance = data["steps"][-1]
    assert compliance["state"] == "failed"
    assert any(f["rule"] == "svg.security.script" and f["file"].endswith("EL_Device000_001.json")
               for f in compliance["finding_list"])
    assert tree_state(ws.root) == before
    # retry after fixing: starts at the failed step
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=d["svg"].replace("<script>alert(1)</script>", "")))
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "--retry", str(data["run_id"]), "--json")
    assert code == 0 and [s["state"] for s in data["steps"]][-1] == "succeeded"
    assert data["steps"][-1]["attempt"] == 2 and data["steps"][0]["state"] == "skipped"


def test_only_and_from(ws, capsys):
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--only", "update-registry", "--json")
    assert code == 0 and [s["state"] for s in data["steps"]].count("succeeded") == 1
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--from", "documentation",
                        "--dry-run", "--json")
    assert [s["state"] for s in data["steps"]] == ["skipped"] * 4 + ["succeeded"] * 2


def test_gates_list_and_set_then_run_fails(ws, capsys):
    code, data, _ = cli(capsys, "gates", "list", "--json")
    assert code == 0 and {g["name"] for g in data["gates"]} == {"zero_errors", "coverage", "compliance", "performance"}
    code, data, _ = cli(capsys, "gates", "set", "performance", "0", "--json")
    assert code == 0 and data["gate"]["threshold"] == 0.0
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--dry-run", "--json")
    assert code == 1 and data["state"] == "failed"
    assert {g["gate"]: g["passed"] for g in data["gates"]}["performance"] is False
    code, _, err = cli(capsys, "gates", "set", "coverage", "lots")
    assert code == 1 and "threshold must be a number" in err


def test_usage_errors(ws, capsys):
    assert cli(capsys, "run", "-w", str(ws.root))[0] == 2
    # A bad command line is exit 2 (README), found before anything is locked or recorded.
    code, _, err = cli(capsys, "run", "-w", str(ws.root), "-s", "Bad System")
    assert code == 2 and "lower_snake_case" in err
    code, _, err = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--object", "")
    assert code == 2 and "--object is empty" in err
    code, _, err = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--from", "compliance",
                       "--only", "documentation")
    assert code == 2
    listed = cli(capsys, "runs", "list", "-w", str(ws.root), "--json")[1]
    assert not (listed.get("runs") if isinstance(listed, dict) else listed)     # nothing recorded
    code, _, err = cli(capsys, "runs", "show", "999")
    assert code == 1 and "no pipeline run with id 999" in err


def test_run_recovers_an_interrupted_run_first(ws, db, capsys):
    from arxconsole.engine.pipeline import PipelineRunner, RunRequest
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch"))
    r.start()
    r.advance()
    r.advance()
    r._lock.release()  # the process "died"
    assert tree_state(ws.root) != before
    code, data, err = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--only", "define-schema", "--json")
    assert code == 0 and f"run {r.run_id}" in data["recovered"][0]
    assert "interrupted" in err
    assert tree_state(ws.root) == before


def test_demo_workspace_run(tmp_path, db, capsys):
    from arxconsole.engine.demo import write_demo_workspace
    db.set_setting(BACKUP_SETTING, False, audit=False)
    write_demo_workspace(tmp_path / "demo")
    code, data, _ = cli(capsys, "run", "-w", str(tmp_path / "demo"), "-s", "electrical", "-o", "smart_switch",
                        "--dry-run", "--json")
    assert code == 0, [(s["id"], s["finding_list"]) for s in data["steps"] if s["state"] != "succeeded"]


def test_retry_of_a_rolled_back_new_object_run_redoes_step_1(tmp_path, ws, capsys):
    """The reviewer's case: define-schema writes, add-symbols fails, the run is rolled back;
    --retry must redo define-schema too, so the schema has the new object type."""
    from arxconsole.engine.demo import write_demo_workspace
    bad = ws.symbol_path("electrical", "EL_Device000_001")
    original = bad.read_bytes()
    edit_json(bad, lambda d: d["connections"]["power"].update(x=500))
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "-o", "beam_switch", "--json")
    assert code == 1 and data["state"] == "rolled_back" and "add-symbols failed" in data["message"]
    assert [s["state"] for s in data["steps"]][:3] == ["rolled_back", "failed", "skipped"]
    first = data["run_id"]
    bad.write_bytes(original)
    code, data, err = cli(capsys, "run", "-w", str(ws.root), "--retry", str(first))
    assert code == 0, err
    assert f"retry of run {first}: run {first}'s changes were rolled back" in err
    assert "redoes every step from define-schema" in err
    code, data, _ = cli(capsys, "runs", "show", str(first + 1), "--json")
    assert data["retry_of"] == first and data["state"] == "succeeded"
    assert [(s["state"], s["attempt"]) for s in data["steps"]] == [("succeeded", 2)] * 6
    schema = json.loads((ws.root / "schemas/electrical/schema.json").read_text())
    assert "electrical.beam_switch" in schema["objects"]
    assert ws.symbol_path("electrical", "EL_BeamSwitch_001").exists()
    # the same as a clean run of the same request on a fresh copy
    clean = make_ws(tmp_path / "clean")
    code, _, _ = cli(capsys, "run", "-w", str(clean.root), "-s", "electrical", "-o", "beam_switch", "--json")
    assert code == 0 and comparable_tree(clean.root) == comparable_tree(ws.root)
    # truly nothing to retry: a run that succeeded
    code, _, err = cli(capsys, "run", "-w", str(ws.root), "--retry", str(first + 1))
    assert code == 1 and f"run {first + 1} succeeded; nothing to retry" in err
    # --json carries the plan
    edit_json(bad, lambda d: d["connections"]["power"].update(x=500))
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "electrical", "--json")
    assert code == 1 and data["state"] == "rolled_back"
    bad.write_bytes(original)
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "--retry", str(data["run_id"]), "--json")
    assert code == 0 and data["retry"]["start_step"] == "add-symbols" and data["retry"]["undone_steps"] == []
    # a run from another workspace is refused
    other = tmp_path / "demo"
    write_demo_workspace(other)
    code, _, err = cli(capsys, "run", "-w", str(other), "--retry", str(first))
    assert code == 1 and "retry it with -w on that workspace" in err


def test_a_mistyped_system_is_a_usage_error_naming_the_closest_one(ws, capsys):
    before = tree_state(ws.root)
    for extra in ([], ["--dry-run"], ["--object", "smart_switch"]):
        code, _, err = cli(capsys, "run", "-w", str(ws.root), "--system", "electrcal", *extra)
        assert code == 2
        assert err == (f"arxconsole: error: {ws.root}: no system 'electrcal'; did you mean 'electrical'? "
                       "(systems: electrical); to start a new system named 'electrcal', add --create-system\n")
    assert tree_state(ws.root) == before                      # no empty 'electrcal' system
    code, data, _ = cli(capsys, "runs", "list", "--json")
    assert data["runs"] == []                                 # and no run recorded for it


def test_create_system_brings_a_new_system_in_and_coverage_needs_symbols(ws, capsys):
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "security", "--create-system", "--dry-run",
                        "--json")
    assert code == 1 and data["state"] == "failed"            # a system with no symbols is not documented
    coverage = {g["gate"]: g for g in data["gates"]}["coverage"]
    assert coverage["passed"] is False and "the system has no symbols" in coverage["message"]
    docs = next(s for s in data["steps"] if s["id"] == "documentation")
    assert [f["rule"] for f in docs["finding_list"]] == ["docs.coverage.no_symbols"]
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "security", "-o", "door_contact",
                        "--create-system", "--json")
    assert code == 0 and data["state"] == "succeeded"
    assert (ws.root / "schemas/security/schema.json").is_file()
    code, data, _ = cli(capsys, "run", "-w", str(ws.root), "-s", "security", "--dry-run", "--json")
    assert code == 0                                          # it exists now: no flag needed
    code, _, err = cli(capsys, "run", "-w", str(ws.root), "--retry", "1", "--create-system")
    assert code == 2 and "do not combine it" in err
