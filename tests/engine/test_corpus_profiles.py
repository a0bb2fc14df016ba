"""The Arxos profile importer over the real corpus files (read in place)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from arxconsole.cli import main as cli_main
from arxconsole.engine.behavior import check_profile, dump_profile, import_arxos_profiles, load_profile_text
from arxconsole.engine.workspace import Workspace

pytestmark = pytest.mark.corpus


@pytest.fixture
def imported(corpus):
    files = sorted((corpus / "core/svg-parser/engine/profiles").glob("*.yaml"))
    assert [f.name for f in files] == ["electrical.yaml", "mechanical.yaml", "plumbing.yaml"]
    profiles, findings = [], []
    for f in files:
        p, fs = import_arxos_profiles(f)
        profiles += p
        findings += fs
    return profiles, findings


def test_22_profiles_found(imported):
    profiles, findings = imported
    assert len(profiles) == 22
    assert len({p.id for p in profiles}) == 22
    assert Counter(p.object_type.split(".")[0] for p in profiles) == {"electrical": 8, "mechanical": 7, "plumbing": 7}


def test_15_of_22_use_undeclared_inputs(imported):
    profiles, findings = imported
    undeclared = [f for f in findings if f.rule == "arxos.input.undeclared"]
    with_defect = {f.data["profile"] for f in undeclared}
    assert len(with_defect) == 15
    assert {"panel", "light_fixture", "plc", "circuit_breaker", "transformer", "duct_fitting",
            "vent_pipe"}.isdisjoint(with_defect)
    # Precise: names the input and the calculation that uses it.
    lc = [f.message for f in undeclared if f.data["profile"] == "lighting_control"]
    assert any("'control_cost' is used by payback_period" in m for m in lc)
    assert {f.data["name"] for f in undeclared if f.data["profile"] == "emergency_power"} == {"connected_load"}


def test_caret_power_is_reported_and_rewritten(imported):
    profiles, findings = imported
    carets = [f for f in findings if f.rule == "arxos.expr.caret_power"]
    assert carets
    assert all("'^'" in f.message and "rewritten to '**'" in f.message for f in carets)
    transformer = next(p for p in profiles if p.id == "transformer")
    assert transformer.derived["temperature_rise"].expr == "base_temperature_rise * (load_percentage / 100)**2"
    assert not any("^" in d.expr for p in profiles for d in p.derived.values())
    # 11 of 22 profiles use '^' in a formula (counted by hand over the three files).
    assert {f.data["profile"] for f in carets} == {
        "transformer", "air_handler", "duct_section", "duct_fitting", "pump", "fan", "water_main",
        "water_service", "drain_pipe", "vent_pipe", "hot_water_recirculation"}


def test_other_defects_are_findings(imported):
    profiles, findings = imported
    rules = Counter(f.rule for f in findings)
    lookup = [f for f in findings if f.rule == "arxos.expr.lookup"]
    assert len(lookup) == 1 and "trip_time_table" in lookup[0].message
    assert "trip_time" not in next(p for p in profiles if p.id == "circuit_breaker").derived
    names = {(f.data["profile"], f.data["name"]) for f in findings if f.rule == "arxos.expr.undeclared_name"}
    assert ("transformer", "base_temperature_rise") in names and ("duct_section", "g") in names
    assert ("vent_pipe", "required_vent_capacity") in names
    assert rules["arxos.variable.unsupported_type"] == 1          # plc's list of protocols
    assert rules["arxos.expr.if_then_else"] == 7
    assert rules["arxos.calc.renamed"] == 1                       # temperature_derating -> derated_current
    assert rules["arxos.scenario.missing"] == 22
    for f in findings:
        assert f.message.startswith(f.file) and f.file.endswith(".yaml")


def test_rule_polarity(imported):
    profiles, findings = imported
    panel = next(p for p in profiles if p.id == "panel")
    when = {t.id: (t.when, t.severity) for t in panel.thresholds}
    assert when["voltage_validation"] == ("not (voltage >= 120 and voltage <= 480)", "critical")
    assert when["utilization_warning"] == ("utilization_percentage > 80", "warning")
    assert when["overload_protection"] == ("not (actual_power <= power_capacity)", "critical")
    transformer = next(p for p in profiles if p.id == "transformer")
    assert dict((t.id, t.when) for t in transformer.thresholds)["voltage_ratio"] == "not (turns_ratio > 1)"


def test_converted_profiles_round_trip_and_check(imported):
    profiles, findings = imported
    clean = []
    for p in profiles:
        loaded, problems = load_profile_text(dump_profile(p), f"{p.id}.yaml")
        assert problems == [], (p.id, problems)
        checked = check_profile(loaded, run=False)
        if not [f for f in checked if f.blocking]:
            clean.append(p.id)
        # The imported panel simulates: initial state 80 % utilization, no alert yet.
    assert "panel" in clean and "light_fixture" in clean
    assert "lighting_control" not in clean      # its undeclared inputs are still undeclared


def test_cli_import_writes_and_never_overwrites(corpus, tmp_path, capsys):
    ws = Workspace.create(tmp_path / "ws")
    src = str(corpus / "core/svg-parser/engine/profiles/electrical.yaml")
    rc = cli_main(["profiles", "import", src, "-w", str(ws.root), "--system", "electrical", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1                               # the corpus has error-level defects
    assert len(out["written"]) == 8 and out["skipped"] == []
    panel = ws.profile_path("electrical", "panel")
    assert panel.is_file()
    before = panel.read_bytes()
    panel.write_text(before.decode() + "# edited by hand\n", encoding="utf-8")
    rc = cli_main(["profiles", "import", src, "-w", str(ws.root), "--system", "electrical", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["written"] == [] and len(out["skipped"]) == 8
    assert panel.read_text(encoding="utf-8").endswith("# edited by hand\n")
    rc = cli_main(["profiles", "import", src, "-w", str(ws.root), "--system", "electrical", "--force", "--json"])
    assert len(json.loads(capsys.readouterr().out)["written"]) == 8
    assert panel.read_bytes() == before
    assert not list(ws.behavior_dir("electrical").glob(".arx-tmp-*"))
    assert cli_main(["profiles", "check", "-w", str(ws.root), "--system", "electrical", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert any(r["rule"] == "behavior.name.undeclared" and r["file"] == "behavior/electrical/lighting_control.yaml"
               for r in rows)
    assert cli_main(["profiles", "import", str(tmp_path / "nope.yaml"), "-w", str(ws.root), "--system", "x"]) == 2


def test_importer_survives_bad_files(tmp_path):
    cases = {
        "syntax.yaml": ("a: [1,\n", "arxos.yaml.syntax"),
        "deep.yaml": ("a: " + "[" * 5000 + "]" * 5000, "arxos.yaml.syntax"),
        "list.yaml": ("- 1\n", "arxos.yaml.not_mapping"),
        "evil.yaml": ("!!python/object/apply:os.system ['true']\n", "arxos.yaml.syntax"),
        "bin.yaml": (b"\xff\xfe", "arxos.file.unreadable"),
    }
    for name, (content, rule) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        profiles, findings = import_arxos_profiles(path)
        assert profiles == [] and [f.rule for f in findings] == [rule], name
    path = tmp_path / "odd.yaml"
    path.write_text("g:\n  p:\n    variables: [1]\n    calculations:\n      c: 5\n"
                    "      d: {expression: 'cosh(1) + t[2]', output_variable: d}\n"
                    "      e: {expression: 'fancy(1)', output_variable: e}\n    validation_rules:\n"
                    "      r: {condition: 'x >', severity: error}\n      s: {condition: 'true', severity: fatal}\n"
                    "  q: 3\nh: 1\n", encoding="utf-8")
    profiles, findings = import_arxos_profiles(path)
    assert [p.id for p in profiles] == ["p"]
    rules = Counter(f.rule for f in findings)
    assert rules["arxos.field.type"] == 4          # variables, calculation c, profile q, group h
    assert rules["arxos.expr.lookup"] == 1 and rules["arxos.expr.unknown_function"] == 1
    assert rules["arxos.expr.syntax"] == 1 and rules["arxos.rule.severity"] == 1
    assert any("unknown function 'fancy'" in f.message for f in findings)
    assert all(f.hint for f in findings)
