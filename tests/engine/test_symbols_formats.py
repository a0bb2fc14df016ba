"""The three Arxos formats: detection and conversion to the library format."""

from __future__ import annotations

import pytest

from arxconsole.engine.symbols import (LEGACY, LIBRARY, NORMALIZED, UNKNOWN, ValidationContext, detect_format,
                                       make_symbol_id, to_library, validate_symbol)
from arxconsole.engine.symbols.quantities import parse_quantity

NORMALIZED_DOC = {
    "id": "ahu", "name": "Air Handling Unit (AHU)", "description": "AHU", "system": "mechanical",
    "category": "", "subcategory": "",
    "svg": {"content": '<g id="ahu">\n  <rect x="0" y="0" width="18" height="10" fill="#ccc"/>\n</g>',
            "width": 20, "height": 20, "scale": 1.0},
    "properties": {}, "connections": [], "tags": [], "metadata": {"created": "2024-01-01", "version": "1.0"},
}
LEGACY_DOC = {
    "system": "security", "display_name": "CCTV Camera", "description": "camera",
    "svg": '<g id="cctv">\n  <rect x="0" y="5" width="20" height="10"/>\n</g>\n',
    "properties": {"height": 12, "width": 8, "voltage": "12V_DC", "range": "-40_to_120_degrees_F",
                   "resolution": "1080p_4K", "tamper": True},
    "connections": [{"type": "power", "description": "12V"}, {"type": "power", "description": "backup"},
                    {"type": "video network", "description": "IP"}],
    "tags": ["cctv"],
}


def test_detect_formats():
    assert detect_format(NORMALIZED_DOC) == NORMALIZED
    assert detect_format(LEGACY_DOC) == LEGACY
    assert detect_format({"id": "AV_X_001", "svg": "<svg viewBox='0 0 1 1'/>"}) == LIBRARY
    assert detect_format({"svg": "<?xml version='1.0'?><!-- c --><svg/>"}) == LIBRARY
    assert detect_format({"foo": 1}) == UNKNOWN


def test_normalized_conversion():
    out, notes = to_library(NORMALIZED_DOC, source="mechanical/ahu.json", stem="ahu")
    assert out["id"] == "ME_AirHandlingUnit_001" == notes.symbol_id
    assert out["name"] == "Air Handling Unit (AHU)" and out["category"] == "ahu"
    assert "subcategory" not in out
    assert out["svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"')
    assert '<g id="ahu">' in out["svg"] and out["connections"] == {}
    assert out["metadata"]["imported_from"] == {"file": "mechanical/ahu.json", "format": "normalized", "id": "ahu"}
    assert any("behavior_profile" in n for n in notes.needs_human)
    # the converted symbol is structurally valid library format
    rules = {f.rule for f in validate_symbol(out, ValidationContext(), file="x/ME_AirHandlingUnit_001.json")}
    assert not rules & {"structure.field.missing", "structure.field.type", "structure.id.pattern", "svg.xml.malformed",
                        "svg.viewbox.missing", "structure.id.file_name"}


def test_legacy_conversion_and_migration_notes():
    out, notes = to_library(LEGACY_DOC, source="security/cctv.json", stem="cctv")
    assert out["id"] == "SE_CCTVCamera_001" and out["name"] == "CCTV Camera" and "display_name" not in out
    assert 'viewBox="0 0 8 12"' in out["svg"]           # the declared size
    assert list(out["connections"]) == ["power", "power_2", "video_network"]
    assert out["connections"]["power"] == {"type": "power", "description": "12V"}
    assert out["properties"]["voltage"] == {"value": 12, "unit": "V DC"}
    assert out["properties"]["range"] == "-40_to_120_degrees_F"      # left alone...
    assert out["properties"]["tamper"] is True
    text = "\n".join(notes.needs_human)
    assert "3 port(s) have no coordinates" in text                     # ...and reported
    assert "'-40_to_120_degrees_F'" in text and "'1080p_4K'" in text
    rules = [f.rule for f in validate_symbol(out)]
    assert rules.count("connection.position.missing") == 3
    assert "svg.bbox.outside_viewbox" in rules                         # draws 20x15 in an 8x12 box


def test_legacy_without_size_uses_default_and_says_so():
    doc = dict(LEGACY_DOC, properties={})
    out, notes = to_library(doc, source="a.json", stem="a")
    assert 'viewBox="0 0 20 20"' in out["svg"]
    assert any("no declared size" in n for n in notes.needs_human)


def test_empty_drawing_needs_a_human():
    doc = dict(NORMALIZED_DOC, svg={"content": "", "width": 20, "height": 20, "scale": 1.0})
    out, notes = to_library(doc, source="p.json", stem="p")
    assert any("drawing is empty" in n for n in notes.needs_human)
    assert "svg.drawing.empty" in {f.rule for f in validate_symbol(out)}


def test_library_input_is_copied_unchanged():
    doc = {"id": "AV_X_001", "svg": "<svg/>", "properties": {"size": "55 inches"}}
    out, notes = to_library(doc, source="x", stem="AV_X_001")
    assert out == doc and notes.converted == [] and notes.symbol_id == "AV_X_001"


def test_system_override_and_codes():
    out, notes = to_library(NORMALIZED_DOC, source="s", stem="ahu", system="hvac", codes={"hvac": "HV"})
    assert out["system"] == "hvac" and out["id"] == "HV_AirHandlingUnit_001"
    assert make_symbol_id("fire_alarm", "3-way switch") == "FA_S3WaySwitch_001"
    assert make_symbol_id("audiovisual", "LED Display", 2) == "AV_LEDDisplay_002"
    assert make_symbol_id("new_system", "") == "NS_Symbol_001"


@pytest.mark.parametrize("text,expected", [
    ("400 nits", {"value": 400, "unit": "nits"}), ("120W", {"value": 120, "unit": "W"}),
    ("55 inches", {"value": 55, "unit": "inches"}), ("0.5_inches", {"value": 0.5, "unit": "inches"}),
    ("12V_DC", {"value": 12, "unit": "V DC"}), ("135_degrees_F", {"value": 135, "unit": "degrees F"}),
    ("100W RMS", {"value": 100, "unit": "W RMS"}), ("-40 C", {"value": -40, "unit": "C"}),
    ("1920x1080", None), ("16:9", None), ("120V_208V_240V", None), ("-40_to_70_degrees_C", None),
    ("1080p_4K", None), ("LED", None), ("32_bit_ARM", None), ("", None),
])
def test_quantity_parsing(text, expected):
    assert parse_quantity(text) == expected


def test_garbage_field_values_never_crash_conversion_or_validation():
    import random

    rng = random.Random(5)
    values = [None, True, 0, -3, 1.5, float("nan"), "", "x", "<svg", "<g/>", [], [1, "a"], {}, {"a": None},
              {"content": 5, "width": True, "height": -1}, [{"type": None}], {"p": [1]}, {"p": {"x": "1"}}]
    keys = ["id", "name", "display_name", "system", "category", "svg", "properties", "connections",
            "behavior_profile", "metadata", "tags", "waivers", "subcategory"]
    for _ in range(400):
        doc = {k: rng.choice(values) for k in rng.sample(keys, rng.randint(0, len(keys)))}
        out, notes = to_library(doc, source="fuzz.json", stem="fuzz", system=rng.choice([None, "s"]))
        findings = validate_symbol(out, ValidationContext(), file="fuzz.json")
        assert all(f.rule and f.message for f in findings)
