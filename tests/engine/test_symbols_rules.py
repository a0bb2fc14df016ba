"""Every symbol rule: a passing case (the clean symbol) and a failing case each."""

from __future__ import annotations


import pytest

from arxconsole.engine.findings import Severity
from arxconsole.engine.symbols import RULES, Symbol, ValidationContext, catalogue, validate_svg_text, validate_symbol
from arxconsole.engine.symbols.context import ProfileInfo, PropertySpec

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
       '<rect x="2" y="2" width="36" height="36" fill="#fff" stroke="#000"/>'
       '<circle cx="4" cy="20" r="1.5" fill="red"/>'
       '<circle cx="36" cy="20" r="1.5" fill="blue"/>'
       '<text x="20" y="24" font-size="6" text-anchor="middle">SW</text></svg>')


def good() -> dict:
    return {"id": "EL_SmartSwitch_001", "name": "Smart switch", "system": "electrical",
            "category": "smart_switch", "description": "A switch", "svg": SVG,
            "properties": {"load": {"value": 10, "unit": "A"}, "label": "SW"},
            "connections": {"power": {"x": 4, "y": 20, "type": "power", "direction": "in"},
                            "data": {"x": 36, "y": 20, "type": "data", "direction": "bidirectional"}},
            "behavior_profile": "smart_switch", "tags": ["switch"],
            "metadata": {"version": "1.0.0", "created_by": "test", "created_at": "2026-12-03"}}


def ctx() -> ValidationContext:
    return ValidationContext(
        known_systems=frozenset({"electrical"}), system_codes={"electrical": "EL"},
        object_types={"electrical": {"smart_switch": {"load": PropertySpec(True, "A")}}},
        profiles={"electrical": {"smart_switch": ProfileInfo("smart_switch", "behavior/electrical/smart_switch.yaml",
                                                             (("power", "power"),))}},
        check_profiles=True)


def run(data, **kw):
    kw.setdefault("file", "arx-symbol-library/electrical/EL_SmartSwitch_001.json")
    return validate_symbol(data, ctx(), **kw)


def rules_of(findings):
    return {f.rule for f in findings}


def test_clean_symbol_has_no_findings():
    assert run(good()) == []


def test_catalogue_is_complete_and_stable():
    cat = catalogue()
    ids = [r["id"] for r in cat]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for r in cat:
        assert r["severity"] in ("error", "warning", "info") and r["hint"] and r["description"]
        assert r["id"] == r["id"].lower() and "." in r["id"]
    assert "svg.bbox.outside_viewbox" in ids and "svg.security.script" in ids


def mutate(path, value):
    d = good()
    target = d
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[k]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return d


DELETE = object()

CASES = [
    ("structure.field.missing", "name", mutate("name", DELETE)),
    ("structure.field.missing", "category", mutate("category", "")),
    ("structure.field.missing", "svg", mutate("svg", DELETE)),
    ("structure.field.type", "system", mutate("system", 7)),
    ("structure.field.type", "properties", mutate("properties", ["a"])),
    ("structure.field.type", "connections", mutate("connections", [{"type": "power"}])),
    ("structure.field.type", "svg", mutate("svg", {"content": "<g/>", "width": 20, "height": 20})),
    ("structure.id.pattern", "id", mutate("id", "el_smartswitch_1")),
    ("structure.id.prefix", "id", mutate("id", "XX_SmartSwitch_001")),
    ("structure.system.unknown", "system", mutate("system", "hvac")),
    ("structure.category.unknown", "category", mutate("category", "toaster")),
    ("connection.name.invalid", "connections.2bad", mutate("connections.2bad", {"x": 4, "y": 20, "type": "x"})),
    ("connection.type.missing", "connections.power.type", mutate("connections.power.type", "")),
    ("connection.position.missing", "connections.power.x", mutate("connections.power.x", DELETE)),
    ("connection.position.missing", "connections.power.y", mutate("connections.power.y", "20")),
    ("connection.position.outside", "connections.power.x", mutate("connections.power.x", 41)),
    ("connection.direction.invalid", "connections.power.direction", mutate("connections.power.direction", "up")),
    ("connection.required.missing", "connections.power", mutate("connections.power", DELETE)),
    ("connection.required.type", "connections.power.type", mutate("connections.power.type", "data")),
    ("connection.marker.none", "connections.data", mutate("connections.data.y", 30)),
    ("metadata.behavior_profile.missing", "behavior_profile", mutate("behavior_profile", "")),
    ("metadata.behavior_profile.unknown", "behavior_profile", mutate("behavior_profile", "toaster")),
    ("metadata.field.missing", "metadata.version", mutate("metadata.version", DELETE)),
    ("properties.quantity_as_text", "properties.brightness", mutate("properties.brightness", "400 nits")),
    ("properties.numeric.not_a_number", "properties.load", mutate("properties.load", "lots")),
    ("properties.numeric.missing_unit", "properties.load", mutate("properties.load", 10)),
    ("properties.numeric.unit_mismatch", "properties.load.unit", mutate("properties.load", {"value": 1, "unit": "mA"})),
    ("svg.drawing.empty", "svg", mutate("svg", "   ")),
]


@pytest.mark.parametrize("rule,location,data", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_rule_fires_with_location(rule, location, data):
    findings = run(data)
    hits = [f for f in findings if f.rule == rule]
    assert hits, f"{rule} not reported; got {[(f.rule, f.location) for f in findings]}"
    f = hits[0]
    assert f.location == location
    assert f.severity is RULES[rule].severity and f.hint and f.message
    assert f.file.endswith("EL_SmartSwitch_001.json") and f.symbol_id == data.get("id", "")


def test_id_must_equal_file_name():
    findings = run(good(), file="arx-symbol-library/electrical/EL_Other_001.json")
    assert rules_of(findings) == {"structure.id.file_name"}
    assert findings[0].message == "id 'EL_SmartSwitch_001' differs from the file name 'EL_Other_001.json'"
    assert run(good(), file="arx-symbol-library/electrical/EL_SmartSwitch_001.json") == []


def test_a_finding_without_file_or_location_prints_without_a_leading_colon():
    f = RULES["structure.id.file_name"].finding("about the whole run")
    assert str(f) == "error: [structure.id.file_name] about the whole run"
    assert str(RULES["structure.id.file_name"].finding("m", file="a.json")).startswith("a.json: error: ")


def test_system_must_match_folder():
    assert rules_of(run(good(), folder_system="mechanical")) == {"structure.system.folder"}
    assert run(good(), folder_system="electrical") == []


def test_legacy_port_list_reports_every_port():
    d = good()
    d["connections"] = [{"type": "power", "description": "24V"}, {"type": "ground"}]
    findings = [f for f in run(d) if f.rule == "connection.position.missing"]
    assert [f.location for f in findings] == ["connections[0]", "connections[1]"]


def test_duplicate_id_and_content_via_context():
    c = ctx()
    c.ids = {"EL_SmartSwitch_001": ["arx-symbol-library/electrical/EL_SmartSwitch_001.json",
                                    "arx-symbol-library/mechanical/EL_SmartSwitch_001.json"]}
    from arxconsole.engine.symbols import content_key

    c.content = {content_key(good()): [("EL_Copy_001", "arx-symbol-library/electrical/EL_Copy_001.json")]}
    findings = validate_symbol(good(), c, file="arx-symbol-library/electrical/EL_SmartSwitch_001.json")
    assert rules_of(findings) == {"structure.id.duplicate", "structure.content.duplicate"}
    dup = next(f for f in findings if f.rule == "structure.id.duplicate")
    assert "mechanical/EL_SmartSwitch_001.json" in dup.message
    # a different drawing is not a duplicate
    d = good()
    d["svg"] = SVG.replace('r="1.5" fill="red"', 'r="2" fill="red"')
    assert "structure.content.duplicate" not in rules_of(validate_symbol(d, c, file=c.ids["EL_SmartSwitch_001"][0]))


def test_content_key_ignores_viewbox_and_layout_whitespace():
    from arxconsole.engine.symbols import content_key

    a = good()
    b = good()
    b["svg"] = SVG.replace('viewBox="0 0 40 40"', 'viewBox="0 0 50 50" width="50"').replace("><", ">\n  <")
    assert content_key(a) == content_key(b)
    b["properties"] = {"load": {"value": 11, "unit": "A"}}
    assert content_key(a) != content_key(b)
    empty = good()
    empty["svg"] = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"></svg>'
    assert content_key(empty) == ""


# ---- waivers -------------------------------------------------------------------------------
def test_waiver_marks_finding_waived_with_reason_not_dropped():
    d = mutate("connections.power.x", 41)
    d["waivers"] = [{"rule": "connection.position.outside", "reason": "port on the frame edge by design",
                     "by": "alice", "at": "2026-12-03T10:00:00Z"}]
    findings = run(d)
    hit = next(f for f in findings if f.rule == "connection.position.outside")
    assert hit.waived and "by design" in hit.waiver_reason and "alice" in hit.waiver_reason
    assert not hit.blocking
    assert not any(f.blocking for f in findings)


def test_security_rules_cannot_be_waived():
    d = good()
    d["svg"] = SVG.replace("</svg>", "<script>alert(1)</script></svg>")
    d["waivers"] = [{"rule": "svg.security.script", "reason": "trust me", "by": "mallory", "at": "now"}]
    findings = run(d)
    script = next(f for f in findings if f.rule == "svg.security.script")
    assert not script.waived and script.blocking
    assert "waiver.not_waivable" in rules_of(findings)


def test_bad_and_unused_waivers_are_reported():
    d = good()
    d["waivers"] = [{"rule": "svg.bbox.outside_viewbox"}, {"rule": "no.such.rule", "reason": "x"},
                    "junk", {"rule": "svg.drawing.empty", "reason": "placeholder"}]
    findings = run(d)
    assert [f.rule for f in findings] == ["waiver.invalid", "waiver.invalid", "waiver.invalid", "waiver.unused"]
    assert [f.location for f in findings] == ["waivers[0]", "waivers[1]", "waivers[2]", "waivers[3]"]


def test_validate_symbol_accepts_symbol_objects_and_severity_enum():
    findings = validate_symbol(Symbol.from_dict(mutate("id", "bad")), ctx(), file="x/bad.json")
    assert any(f.severity is Severity.ERROR for f in findings)


def test_connection_marker_uses_small_shapes_only():
    # the port sits on the big outline rect but not on any small marker -> info
    d = mutate("connections.data.y", 2)
    hits = [f for f in run(d) if f.rule == "connection.marker.none"]
    assert len(hits) == 1 and hits[0].severity is Severity.INFO


def test_svg_text_entry_point_matches_symbol_svg_rules():
    bad = SVG.replace("<rect", '<rect onclick="x()"')
    assert [f.rule for f in validate_svg_text(bad)] == ["svg.security.event_handler"]
    assert validate_svg_text(SVG) == []
