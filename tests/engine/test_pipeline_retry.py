"""Retrying a run (SPEC §3): from the failed step while the earlier steps' effects are in
place, else from the first step whose changes the rollback undid, so the retried
workspace ends exactly as a clean successful run leaves it.  One rule for CLI and GUI."""

from __future__ import annotations

import json

import pytest

from arxconsole.engine.pipeline import (STEP_IDS, NothingToRetry, PipelineRunner, RunHistory, RunRequest, State,
                                        plan_retry, retry_request, run_to_dict)
from arxconsole.engine.pipeline.backup_hook import SETTING as BACKUP_SETTING
from arxconsole.store.models.pipeline import PipelineStep

from tests.engine.pipeline_helpers import (SCRIPT_SVG, comparable_tree, edit_json, make_ws, symbol_path,
                                          tree_state)

OBJ = "electrical.smart_switch"


@pytest.fixture
def db(db):
    db.set_setting(BACKUP_SETTING, False, audit=False)
    return db


def break_port(d):
    d["connections"]["power"]["x"] = 500       # outside the viewBox: an error in add-symbols


def fix(ws, original: bytes) -> None:
    symbol_path(ws, 0).write_bytes(original)  # the engineer puts the symbol right


def run(ws, db, req: RunRequest) -> PipelineRunner:
    r = PipelineRunner(ws, db, req)
    r.run()
    return r


def stored(db, run_id) -> dict:
    return run_to_dict(RunHistory(db), run_id, with_findings=False, with_diffs=False)


def clean_tree(tmp_path, db, name="clean") -> dict[str, str]:
    """What a clean successful new-object run leaves in a fresh copy of the same workspace."""
    clean = make_ws(tmp_path / name)
    r = run(clean, db, RunRequest("electrical", "smart_switch"))
    assert r.state is State.SUCCEEDED, r.message
    return comparable_tree(clean.root)


def test_rolled_back_run_is_retried_from_its_first_step_and_ends_like_a_clean_run(tmp_path, db):
    ws = make_ws(tmp_path)
    original = symbol_path(ws, 0).read_bytes()
    edit_json(symbol_path(ws, 0), break_port)
    before = tree_state(ws.root)
    first = run(ws, db, RunRequest("electrical", "smart_switch"))
    # step 1 wrote the schema, step 2 failed: the whole run is rolled back
    assert first.state is State.ROLLED_BACK
    assert [c.path for c in first.steps["define-schema"].files_written] == ["schemas/electrical/schema.json"]
    assert first.steps["add-symbols"].state is State.FAILED          # the stopping step stays failed
    assert first.steps["define-schema"].state is State.ROLLED_BACK
    assert tree_state(ws.root) == before

    fix(ws, original)
    plan = plan_retry(stored(db, first.run_id))
    assert (plan.start_step, plan.stopped_step, plan.only) == ("define-schema", "add-symbols", False)
    assert plan.undone_steps[0] == "define-schema"
    assert "rolled back" in plan.reason and "define-schema" in plan.reason
    req = retry_request(db, first.run_id)
    assert (req.from_step, req.only, req.retry_of, req.object_type) == ("define-schema", None, first.run_id, OBJ)

    second = run(ws, db, req)
    assert second.state is State.SUCCEEDED, second.message
    assert [second.steps[s].state for s in STEP_IDS] == [State.SUCCEEDED] * 6
    assert second.steps["define-schema"].attempt == 2 and second.steps["add-symbols"].attempt == 2
    schema = json.loads((ws.root / "schemas/electrical/schema.json").read_text())
    assert OBJ in schema["objects"]                                   # step 1's change is there
    assert comparable_tree(ws.root) == clean_tree(tmp_path, db)            # consistent: as a clean run leaves it


def test_stored_run_from_before_the_failed_step_kept_its_state(tmp_path, db):
    """Runs recorded when the rollback also marked the failed step rolled_back: same plan."""
    ws = make_ws(tmp_path)
    original = symbol_path(ws, 0).read_bytes()
    edit_json(symbol_path(ws, 0), break_port)
    first = run(ws, db, RunRequest("electrical", "smart_switch"))
    with db.writer() as s:
        s.query(PipelineStep).filter(PipelineStep.run_id == first.run_id,
                                     PipelineStep.step == "add-symbols").update({"state": "rolled_back"})
    data = stored(db, first.run_id)
    assert [st["state"] for st in data["steps"]][:3] == ["rolled_back", "rolled_back", "skipped"]
    plan = plan_retry(data)
    assert (plan.start_step, plan.stopped_step) == ("define-schema", "add-symbols")
    fix(ws, original)
    second = run(ws, db, plan.request())
    assert second.state is State.SUCCEEDED, second.message
    assert comparable_tree(ws.root) == clean_tree(tmp_path, db)


def test_failed_run_that_changed_no_file_is_retried_from_the_failed_step(tmp_path, db):
    ws = make_ws(tmp_path)
    original = symbol_path(ws, 0).read_bytes()
    edit_json(symbol_path(ws, 0), break_port)
    first = run(ws, db, RunRequest("electrical"))             # define-schema only validates: writes nothing
    assert first.state is State.ROLLED_BACK and "had changed no file" in first.message
    assert not any(st.files_written for st in first.steps.values())
    plan = plan_retry(stored(db, first.run_id))
    assert (plan.start_step, plan.undone_steps) == ("add-symbols", ())
    fix(ws, original)
    second = run(ws, db, plan.request())
    assert second.state is State.SUCCEEDED, second.message
    assert second.steps["define-schema"].state is State.SKIPPED and second.steps["define-schema"].attempt == 1
    assert second.steps["add-symbols"].attempt == 2


def test_rolled_back_run_is_retried_from_the_first_step_that_wrote(tmp_path, db):
    """Steps 1-3 wrote nothing, 4 and 5 wrote, 6 failed: the retry redoes 4-6."""
    ws = make_ws(tmp_path)
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    before = tree_state(ws.root)
    first = run(ws, db, RunRequest("electrical"))
    assert first.state is State.ROLLED_BACK and first.steps["compliance"].state is State.FAILED
    assert tree_state(ws.root) == before
    plan = plan_retry(stored(db, first.run_id))
    assert (plan.start_step, plan.stopped_step) == ("update-registry", "compliance")
    assert plan.undone_steps == ("update-registry", "documentation")
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=d["svg"].replace("<script>alert(1)</script>", "")))
    second = run(ws, db, plan.request())
    assert second.state is State.SUCCEEDED, second.message
    assert (ws.root / "symbol_index.json").exists() and (ws.root / "docs/systems/electrical.md").exists()
    assert [second.steps[s].state for s in STEP_IDS] == [State.SKIPPED] * 3 + [State.SUCCEEDED] * 3


def test_failed_dry_run_is_retried_from_the_failed_step(tmp_path, db):
    ws = make_ws(tmp_path)
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    first = run(ws, db, RunRequest("electrical", "smart_switch", dry_run=True))
    assert first.state is State.FAILED and first.steps["compliance"].state is State.FAILED
    assert first.steps["define-schema"].would_change                  # would write, wrote nothing
    req = retry_request(db, first.run_id)
    assert (req.from_step, req.dry_run) == ("compliance", True)


def test_only_run_is_retried_as_the_same_step(tmp_path, db):
    ws = make_ws(tmp_path)
    edit_json(symbol_path(ws, 0), break_port)
    first = run(ws, db, RunRequest("electrical", only="add-symbols"))
    assert first.state is not State.SUCCEEDED
    req = retry_request(db, first.run_id)
    assert (req.only, req.from_step) == ("add-symbols", None)


def test_cancelled_step_by_step_run_is_retried_from_its_first_step(tmp_path, db):
    ws = make_ws(tmp_path)
    before = tree_state(ws.root)
    r = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch", step_by_step=True))
    r.start()
    r.advance()                       # define-schema writes the schema
    r.cancel()
    r.advance()
    assert r.finish() is State.ROLLED_BACK and tree_state(ws.root) == before
    data = stored(db, r.run_id)
    assert [st["state"] for st in data["steps"]] == ["rolled_back"] + ["cancelled"] * 5
    plan = plan_retry(data)
    assert (plan.start_step, plan.stopped_step) == ("define-schema", "add-symbols")
    req = retry_request(db, r.run_id)
    assert req.step_by_step is False          # the CLI cannot press "next"; the GUI passes its checkbox
    assert plan.request(step_by_step=True).step_by_step is True
    assert run(ws, db, req).state is State.SUCCEEDED
    assert comparable_tree(ws.root) == clean_tree(tmp_path, db)


def test_nothing_to_retry(tmp_path, db):
    ws = make_ws(tmp_path)
    ok = run(ws, db, RunRequest("electrical"))
    with pytest.raises(NothingToRetry, match=f"run {ok.run_id} succeeded; nothing to retry"):
        retry_request(db, ok.run_id)
    # a failed dry run whose steps all succeeded (a gate failed at the end): no step to retry from
    data = {"run_id": 7, "state": "failed", "system": "electrical", "dry_run": True,
            "steps": [{"id": s, "state": "succeeded", "started_at": "x", "files_written": []} for s in STEP_IDS]}
    with pytest.raises(NothingToRetry, match="run 7 ended failed but none of its steps failed.*nothing to retry"):
        plan_retry(data)
    # the same as a real run that wrote files: they were rolled back, so the retry redoes them
    data.update(dry_run=False)
    data["steps"][3].update(state="rolled_back", files_written=[{"path": "symbol_index.json", "action": "create"}])
    plan = plan_retry(data)
    assert (plan.start_step, plan.stopped_step, plan.undone_steps) == ("update-registry", None, ("update-registry",))
    with pytest.raises(NothingToRetry, match="is running"):
        plan_retry(dict(data, state="running"))
