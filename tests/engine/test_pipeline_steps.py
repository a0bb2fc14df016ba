"""Every step's named checks: a workspace that passes, and one that fails each check."""

from __future__ import annotations

import json

import pytest
import yaml

from arxconsole.engine import durable
from arxconsole.engine.pipeline import registry as registry_mod, docs as docs_mod
from arxconsole.engine.pipeline.changes import ChangeSet
from arxconsole.engine.pipeline.gates import Gate, default_gates

from tests.engine.pipeline_helpers import SCRIPT_SVG, edit_json, make_ws, rules, run_step, symbol_path


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path, objects=2, symbols_per_object=1)


@pytest.mark.parametrize("step", ["define-schema", "add-symbols", "implement-behavior", "update-registry",
                                  "documentation", "compliance"])
def test_clean_workspace_passes_every_check(ws, step):
    checks, _ = run_step(ws, step)
    for c in checks.values():
        assert c.passed and not c.findings, (c.name, [str(f) for f in c.findings])


# ---- 1 define-schema ----------------------------------------------------------------------
def test_schema_structure_missing_field_and_bad_property(ws):
    def break_it(s):
        del s["code"]
        s["objects"]["electrical.device_000"]["properties"]["mounting"] = {"type": "enum"}
    edit_json(ws.schema_path("electrical"), break_it)
    checks, _ = run_step(ws, "define-schema")
    assert not checks["schema.structure"].passed
    assert {"schema.structure.missing_field", "schema.structure.enum_values"} <= rules(checks["schema.structure"])
    f = next(f for f in checks["schema.structure"].findings if f.rule == "schema.structure.missing_field")
    assert f.file == "schemas/electrical/schema.json" and f.location == "code"


def test_schema_naming_requires_dotted_lower_case(ws):
    edit_json(ws.schema_path("electrical"), lambda s: s["objects"].update(
        {"Electrical.SmartThing": {"description": "x", "behavior_profile": "device_000"},
         "electrical.ok_thing": {"description": "x", "behavior_profile": "device_000",
                                 "properties": {"RatedPower": {"type": "number"}}}}))
    checks, _ = run_step(ws, "define-schema")
    naming = checks["schema.naming"]
    assert not naming.passed
    assert {"schema.naming.object_type", "schema.naming.property"} == rules(naming)
    assert any("Electrical.SmartThing" in f.message for f in naming.findings)


def test_schema_relationships_must_point_at_known_types(ws):
    edit_json(ws.schema_path("electrical"), lambda s: s["objects"]["electrical.device_000"]["relationships"]
              .update({"feeds": ["electrical.device_001", "electrical.ghost"]}))
    checks, _ = run_step(ws, "define-schema")
    rel = checks["schema.relationships"]
    assert not rel.passed and len(rel.findings) == 1 and "electrical.ghost" in rel.findings[0].message


def test_relationship_to_another_systems_schema_is_known(ws, tmp_path):
    from arxconsole.engine.pipeline.synthetic import write_system
    write_system(ws.root, system="lighting", code="LT", objects=1)
    edit_json(ws.schema_path("electrical"), lambda s: s["objects"]["electrical.device_000"]["relationships"]
              .update({"feeds": ["lighting.device_000"]}))
    checks, _ = run_step(ws, "define-schema")
    assert checks["schema.relationships"].passed


def test_schema_every_object_names_a_profile(ws):
    edit_json(ws.schema_path("electrical"), lambda s: s["objects"]["electrical.device_001"].pop("behavior_profile"))
    checks, _ = run_step(ws, "define-schema")
    bp = checks["schema.behavior_profile"]
    assert not bp.passed and bp.findings[0].location == "objects.electrical.device_001.behavior_profile"


def test_new_system_schema_created_from_template(ws):
    checks, ctx = run_step(ws, "define-schema", system="audiovisual")
    assert all(c.passed for c in checks.values())
    schema = json.loads(ctx.changes.read_bytes("schemas/audiovisual/schema.json"))
    assert schema["system"] == "audiovisual" and schema["code"] == "AU" and schema["objects"] == {}
    assert not ws.schema_path("audiovisual").exists()  # dry run: overlay only


def test_new_object_added_without_touching_other_objects(ws):
    before = json.loads(ws.schema_path("electrical").read_text())
    checks, ctx = run_step(ws, "define-schema", obj="electrical.smart_switch")
    after = json.loads(ctx.changes.read_bytes("schemas/electrical/schema.json"))
    assert after["objects"]["electrical.smart_switch"]["behavior_profile"] == "smart_switch"
    del after["objects"]["electrical.smart_switch"]
    assert after == before
    assert all(c.passed for c in checks.values())


def test_unreadable_schema_is_reported_never_overwritten(ws):
    ws.schema_path("electrical").write_text('{"system": "electrical", "objects": {')
    checks, ctx = run_step(ws, "define-schema", obj="electrical.smart_switch")
    assert "schema.structure.unreadable" in rules(checks["schema.structure"])
    assert ctx.changes.read_bytes("schemas/electrical/schema.json") == b'{"system": "electrical", "objects": {'


def test_bad_target_object_name(ws):
    checks, _ = run_step(ws, "define-schema", obj="electrical.Smart Switch")
    assert "schema.naming.target" in rules(checks["schema.structure"])


# ---- 2 add-symbols ------------------------------------------------------------------------
def test_symbol_rules_catalogue_findings(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=d["svg"].replace(' viewBox="0 0 100 100"', "")))
    checks, _ = run_step(ws, "add-symbols")
    assert not checks["symbol.rules"].passed
    assert "svg.viewbox.missing" in rules(checks["symbol.rules"])


def test_symbol_metadata_complete(ws):
    edit_json(symbol_path(ws, 1), lambda d: d["metadata"].pop("created_by"))
    checks, _ = run_step(ws, "add-symbols")
    assert "metadata.field.missing" in rules(checks["symbol.metadata"])
    assert all(f.symbol_id == "EL_Device001_001" for f in checks["symbol.metadata"].findings)


def test_symbol_behavior_reference_resolves(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(behavior_profile="no_such_profile"))
    checks, _ = run_step(ws, "add-symbols")
    ref = checks["symbol.behavior_reference"]
    assert not ref.passed and "metadata.behavior_profile.unknown" in rules(ref)


def test_security_findings_are_left_to_compliance(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    checks, _ = run_step(ws, "add-symbols")
    assert not any(f.rule.startswith("svg.security") for c in checks.values() for f in c.findings)


def test_new_object_gets_a_template_symbol_with_profile_ports(ws):
    durable.write_text(ws.profile_path("electrical", "smart_switch"),
                       __import__("arxconsole.engine.behavior", fromlist=["x"]).profile_template(
                           "electrical.smart_switch", [{"name": "line", "type": "power"},
                                                       {"name": "load", "type": "power"}]))
    changes = ChangeSet(ws, True, None)
    run_step(ws, "define-schema", obj="electrical.smart_switch", changes=changes)
    checks, ctx = run_step(ws, "add-symbols", obj="electrical.smart_switch", changes=changes)
    sym = json.loads(changes.read_bytes("arx-symbol-library/electrical/EL_SmartSwitch_001.json"))
    assert sym["category"] == "smart_switch" and sym["behavior_profile"] == "smart_switch"
    assert set(sym["connections"]) == {"line", "load"}
    assert all(c.passed for c in checks.values()), [str(f) for c in checks.values() for f in c.findings]


def test_new_object_symbol_id_takes_next_free_variant(ws):
    # A symbol EL_SmartSwitch_001 of another category holds variant 1.
    edit_json(symbol_path(ws, 0), lambda d: None)
    durable.write_bytes(ws.symbol_path("electrical", "EL_SmartSwitch_001"), symbol_path(ws, 0).read_bytes()
                        .replace(b"EL_Device000_001", b"EL_SmartSwitch_001"))
    changes = ChangeSet(ws, True, None)
    run_step(ws, "define-schema", obj="electrical.smart_switch", changes=changes)
    run_step(ws, "add-symbols", obj="electrical.smart_switch", changes=changes)
    assert changes.exists("arx-symbol-library/electrical/EL_SmartSwitch_002.json")


# ---- 3 implement-behavior -----------------------------------------------------------------
def test_profile_wellformed(ws):
    ws.profile_path("electrical", "device_000").write_text("id: device_000\nobject_type: [unclosed\n")
    checks, _ = run_step(ws, "implement-behavior")
    assert not checks["profile.wellformed"].passed
    assert "behavior.yaml.syntax" in rules(checks["profile.wellformed"])


def test_profile_scenarios_must_pass(ws):
    path = ws.profile_path("electrical", "device_001")
    text = path.read_text()
    assert "state: {mode: on, load_pct: 95}" in text
    path.write_text(text.replace("state: {mode: on, load_pct: 95}", "state: {mode: on, load_pct: 94}"))
    checks, _ = run_step(ws, "implement-behavior")
    assert not checks["profile.scenarios"].passed
    assert rules(checks["profile.scenarios"]) == {"behavior.scenario.failed"}
    assert checks["profile.wellformed"].passed


def test_profile_time_budget(ws):
    path = ws.profile_path("electrical", "device_001")
    path.write_text(path.read_text() + "budget: {eval_ms: 0.00001, scenario_ms: 0.00001}\n")
    checks, _ = run_step(ws, "implement-behavior")
    assert not checks["profile.time_budget"].passed
    assert rules(checks["profile.time_budget"]) == {"behavior.budget.exceeded"}


def test_new_object_gets_a_working_profile_from_the_template(ws):
    changes = ChangeSet(ws, True, None)
    run_step(ws, "define-schema", obj="electrical.smart_switch", changes=changes)
    run_step(ws, "add-symbols", obj="electrical.smart_switch", changes=changes)
    checks, ctx = run_step(ws, "implement-behavior", obj="electrical.smart_switch", changes=changes)
    doc = yaml.safe_load(changes.read_bytes("behavior/electrical/smart_switch.yaml"))
    assert doc["id"] == "smart_switch" and doc["object_type"] == "electrical.smart_switch"
    assert {p["name"] for p in doc["ports"]} == {"power"}  # the template symbol's ports
    assert all(c.passed for c in checks.values())
    assert ctx.shared["behavior_stats"]["scenarios_passed"] >= 3


# ---- 4 update-registry --------------------------------------------------------------------
def test_registry_lists_every_symbol_and_is_searchable(ws):
    checks, ctx = run_step(ws, "update-registry")
    index = json.loads(ctx.changes.read_bytes("symbol_index.json"))
    assert [e["file"] for e in index["symbols"]] == [
        "arx-symbol-library/electrical/EL_Device000_001.json", "arx-symbol-library/electrical/EL_Device001_001.json"]
    assert index["count"] == 2 and index["systems"] == {"electrical": 2}
    finder = registry_mod.SymbolSearch(index)
    assert finder.search("el_device001_001") == ["EL_Device001_001"]
    assert finder.search("device 000") == ["EL_Device000_001"]
    assert finder.search("variant_1") == ["EL_Device000_001", "EL_Device001_001"]
    assert finder.search("nothing-like-this") == []


def test_registry_unreadable_symbol_fails_complete(ws):
    symbol_path(ws, 1).write_text("{not json")
    checks, _ = run_step(ws, "update-registry")
    assert "registry.complete.unreadable" in rules(checks["registry.complete"])
    assert not checks["registry.complete"].passed


def test_registry_counts_check_catches_wrong_counts(ws, monkeypatch):
    real = registry_mod.build_systems

    def off_by_one(changes, systems, index):
        doc = real(changes, systems, index)
        doc["systems"]["electrical"]["symbols"] += 1
        return doc
    monkeypatch.setattr(registry_mod, "build_systems", off_by_one)
    checks, _ = run_step(ws, "update-registry")
    assert rules(checks["registry.counts"]) == {"registry.counts.systems_json"}


def test_registry_deterministic_check_catches_drift(ws, monkeypatch):
    real, calls = registry_mod.build_index, []

    def drifting(changes, systems):
        calls.append(1)
        doc = real(changes, systems)
        doc["generated_at"] = len(calls)  # a timestamp-like field would drift like this
        return doc
    monkeypatch.setattr(registry_mod, "build_index", drifting)
    checks, _ = run_step(ws, "update-registry")
    assert "registry.deterministic.drift" in rules(checks["registry.deterministic"])


def test_registry_search_by_name_and_duplicate_ids(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(name="—"))
    durable.write_bytes(ws.symbol_path("lighting", "EL_Device001_001"), symbol_path(ws, 1).read_bytes())
    checks, _ = run_step(ws, "update-registry")
    search = checks["registry.search"]
    assert {"registry.search.by_name", "registry.search.duplicate_id"} <= rules(search)
    assert not search.passed


def test_registry_is_byte_identical_on_rerun(ws):
    _, ctx = run_step(ws, "update-registry")
    for rel in ("symbol_index.json", "systems.json"):
        durable.write_bytes(ws.root / rel, ctx.changes.read_bytes(rel))
    changes = ChangeSet(ws, True, None)
    run_step(ws, "update-registry", changes=changes)
    assert changes.planned() == []  # nothing would change


# ---- 5 documentation ----------------------------------------------------------------------
def test_docs_page_with_pictures_objects_profiles_ports(ws):
    checks, ctx = run_step(ws, "documentation")
    page = ctx.changes.read_bytes("docs/systems/electrical.md").decode()
    assert "![EL_Device000_001](electrical/EL_Device000_001.svg)" in page
    assert "### `electrical.device_001`" in page and "| rated_power | number | W | yes |" in page
    assert "| power | power | in | 10 | 50 |" in page and "### `device_000`" in page
    svg = ctx.changes.read_bytes("docs/systems/electrical/EL_Device000_001.svg").decode()
    assert svg == json.loads(symbol_path(ws, 0).read_text())["svg"] + "\n"
    assert ctx.measures.coverage == 100.0


def test_docs_coverage_below_gate_fails(ws):
    symbol_path(ws, 1).unlink()  # object type device_001 now has no symbol: 4 of 5 items covered
    checks, ctx = run_step(ws, "documentation")
    cov = checks["docs.coverage"]
    assert "docs.coverage.object_without_symbol" in rules(cov)
    assert "docs.coverage.below_gate" in rules(cov) and not cov.passed
    assert ctx.measures.coverage == pytest.approx(80.0)
    lenient = [g if g.name != "coverage" else Gate("coverage", 75.0, True, "", "min_percent")
               for g in default_gates()]
    checks, _ = run_step(ws, "documentation", gates=lenient)
    assert checks["docs.coverage"].passed


def test_docs_coverage_of_a_system_without_symbols_is_0_not_100_percent(ws):
    checks, ctx = run_step(ws, "documentation", system="security")   # nothing at all: 0 of 0 items
    cov = checks["docs.coverage"]
    assert not cov.passed and "docs.coverage.no_symbols" in rules(cov)
    assert "docs.coverage.below_gate" not in rules(cov)               # one finding says it, not two
    assert ctx.measures.coverage == 0.0 and ctx.measures.symbols == 0
    page = ctx.changes.read_bytes("docs/systems/security.md").decode()
    assert "**0.0 %** (0 of 0 items covered); the system has no symbols yet" in page


def test_coverage_gate_fails_without_symbols_whatever_the_threshold():
    from arxconsole.engine.pipeline.gates import Measures, evaluate
    lenient = [Gate("coverage", 0.0, True, "", "min_percent")]
    [d] = evaluate(lenient, Measures(coverage=0.0, symbols=0))
    assert d.passed is False and d.blocks and d.message.startswith("the system has no symbols")
    [d] = evaluate(lenient, Measures(coverage=50.0, symbols=3))
    assert d.passed is True


def test_docs_coverage_profile_without_scenario(ws):
    path = ws.profile_path("electrical", "device_000")
    text = path.read_text()
    path.write_text(text[:text.index("scenarios:")] + "scenarios: []\n")
    checks, _ = run_step(ws, "documentation")
    assert "docs.coverage.profile_without_scenario" in rules(checks["docs.coverage"])


def test_docs_pictures_missing_is_an_error(ws, monkeypatch):
    real = docs_mod.render

    def lossy(*a):
        page, pictures = real(*a)
        return page, {k: v for k, v in pictures.items() if "Device001" not in k}
    monkeypatch.setattr(docs_mod, "render", lossy)
    checks, _ = run_step(ws, "documentation")
    assert rules(checks["docs.pictures"]) == {"docs.pictures.missing"}


def test_docs_never_republish_a_hostile_drawing(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    checks, ctx = run_step(ws, "documentation")
    assert not ctx.changes.exists("docs/systems/electrical/EL_Device000_001.svg")
    assert "picture withheld" in ctx.changes.read_bytes("docs/systems/electrical.md").decode()
    assert rules(checks["docs.pictures"]) == {"docs.pictures.withheld"}


def test_docs_stale_pictures_removed(ws):
    durable.write_text(ws.root / "docs/systems/electrical/EL_Gone_001.svg", "<svg/>")
    _, ctx = run_step(ws, "documentation")
    assert not ctx.changes.exists("docs/systems/electrical/EL_Gone_001.svg")


# ---- 6 compliance -------------------------------------------------------------------------
def test_compliance_security_names_file_and_element(ws):
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=SCRIPT_SVG))
    checks, _ = run_step(ws, "compliance")
    sec = checks["compliance.security"]
    assert not sec.passed
    f = next(f for f in sec.findings if f.rule == "svg.security.script")
    assert f.file == "arx-symbol-library/electrical/EL_Device000_001.json" and "script" in f.location


def test_compliance_budget_hard_limit(ws):
    big = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' + "<!--" + "x" * 600_000 + "--></svg>"
    edit_json(symbol_path(ws, 0), lambda d: d.update(svg=big))
    checks, _ = run_step(ws, "compliance")
    assert not checks["compliance.budgets"].passed
    assert rules(checks["compliance.budgets"]) & {"svg.size.limit", "file.too_large"}


def test_compliance_naming(ws):
    durable.write_bytes(ws.profile_path("electrical", "Bad-Name"), ws.profile_path("electrical", "device_000").read_bytes())
    edit_json(symbol_path(ws, 1), lambda d: d.update(id="el_bad"))
    checks, _ = run_step(ws, "compliance")
    assert {"compliance.naming.profile_file", "structure.id.pattern"} <= rules(checks["compliance.naming"])


@pytest.mark.parametrize("field,value,kind", [
    ("metadata.notes", "deploy with AKIAIOSFODNN7EXAMPLE please", "aws_access_key"),
    ("metadata.notes", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private_key"),
    ("metadata.install", "run setup --password=Sup3rS3cret!", "credential_assignment"),
    ("metadata.source", "https://admin:hunter22@files.example.com/lib", "url_credentials"),
    ("metadata.api_token", "q8Zr4TfX1vLm9PsK2wYbN7eH", "high_entropy"),
    ("metadata.password", "hunter2", "password_field"),
])
def test_compliance_secrets_real_patterns(ws, field, value, kind):
    key = field.split(".")[1]
    edit_json(symbol_path(ws, 0), lambda d: d["metadata"].update({key: value}))
    checks, _ = run_step(ws, "compliance")
    sec = checks["compliance.secrets"]
    assert not sec.passed
    f = sec.findings[0]
    assert f.rule == f"compliance.secrets.{kind}" and f.location == field and f.symbol_id == "EL_Device000_001"
    assert value not in f.message  # redacted


@pytest.mark.parametrize("key,value", [
    ("keyboard", "key lock and key switch"), ("api_key", "${API_KEY}"), ("password", "<password>"),
    ("token_type", "bearer"), ("notes", "the token: is set by the installer"), ("author", "Kq8Zr4TfX1vLm9PsK2wY"),
    ("source", "https://files.example.com/lib"),
])
def test_compliance_secrets_no_false_alarm(ws, key, value):
    edit_json(symbol_path(ws, 0), lambda d: d["metadata"].update({key: value}))
    checks, _ = run_step(ws, "compliance")
    assert checks["compliance.secrets"].passed and not checks["compliance.secrets"].findings


def test_compliance_secrets_in_profiles_and_schema(ws):
    edit_json(ws.schema_path("electrical"), lambda s: s.update(description="db: postgres://u:pw123456@db/x"))
    path = ws.profile_path("electrical", "device_000")
    path.write_text(path.read_text() + "# aws key AKIAABCDEFGHIJKLMNOP\nnotes_secret: AKIAABCDEFGHIJKLMNOP\n")
    checks, _ = run_step(ws, "compliance")
    files = {f.file for f in checks["compliance.secrets"].findings}
    assert files == {"schemas/electrical/schema.json", "behavior/electrical/device_000.yaml"}


def test_compliance_quality_gates_fail_the_step(ws):
    ctx_shared = {}
    _, ctx = run_step(ws, "documentation", shared=ctx_shared)
    strict = [g if g.name != "performance" else Gate("performance", 0.0, True, "", "max_seconds")
              for g in default_gates()]
    from arxconsole.engine.pipeline.gates import evaluate, Measures
    from arxconsole.engine.pipeline.steps.base import StepContext, Target
    from arxconsole.engine.pipeline.steps import compliance
    from arxconsole.engine.progress import CancelToken
    m = Measures(step_seconds={"documentation": 0.5}, coverage=100.0)
    c = StepContext(workspace=ws, changes=ChangeSet(ws, True, None), target=Target("electrical"),
                    cancel=CancelToken(), log=lambda *a, **k: None, measures=m, gates=strict,
                    evaluate_gates=lambda: evaluate(strict, m))
    checks = {x.name: x for x in compliance.run(c)}
    assert rules(checks["quality-gates"]) == {"gate.performance.failed"}
    assert not checks["quality-gates"].passed
