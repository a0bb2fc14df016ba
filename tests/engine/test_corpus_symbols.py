"""The real Arxos corpus: every file imports or validates without a crash, and the facts
the corpus README states come out as findings (exact counts where the README gives them)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from arxconsole.engine.symbols import LEGACY, LIBRARY, NORMALIZED, detect_format, validate_paths
from arxconsole.engine.symbols.importer import CONFLICT, IMPORTED, import_symbols
from arxconsole.engine.workspace import Workspace

pytestmark = pytest.mark.corpus


@pytest.fixture
def sources(corpus) -> list[Path]:
    return [corpus / "tools/symbols/symbols", corpus / "arx-symbol-library/audiovisual"]


@pytest.fixture
def report(sources):
    return validate_paths(sources)


def stems(report, rule) -> set[str]:
    return {Path(f).relative_to(Path(f).parents[1]).with_suffix("").as_posix() for f in report.files_with(rule)}


def test_all_133_files_validate_and_formats_are_recognised(report, corpus):
    assert report.files == 133
    assert report.formats == {NORMALIZED: 86, LEGACY: 43, LIBRARY: 4}
    for f in (corpus / "arx-symbol-library/audiovisual").glob("*.json"):
        assert detect_format(json.loads(f.read_text())) == LIBRARY
    assert not any(f.rule.startswith("file.") or f.rule == "svg.xml.malformed" for f in report.findings)


def test_empty_drawings(report):
    empty = stems(report, "svg.drawing.empty")
    assert len(empty) == 56
    by_system = Counter(s.split("/")[0] for s in empty)
    assert by_system == {"electrical": 12, "plumbing": 17, "mechanical": 17, "building_controls": 5, "network": 5}


def test_unknown_duplicates_window_contact(report):
    assert stems(report, "structure.content.duplicate") == {"security/unknown", "security/window_contact"}


def test_ports_without_coordinates(report, corpus):
    files = report.files_with("connection.position.missing")
    legacy = {str(p) for p in (corpus / "tools/symbols/symbols").glob("*/*.json")
              if "id" not in json.loads(p.read_text())}
    assert len(legacy) == 43
    # every legacy file, plus the normalized unknown.json, which carries a legacy port list
    assert files == legacy | {str(corpus / "tools/symbols/symbols/security/unknown.json")}


def test_drawings_outside_their_box(report):
    outside = stems(report, "svg.bbox.outside_viewbox")
    assert {"mechanical/ahu", "mechanical/rtu", "av/display", "mechanical/fcu", "av/screen",
            "security/cctv"} <= outside
    # the rest, checked by hand: labels at y=2 with 6-unit text poke above the top edge,
    # router/ptz/glass_break draw past their declared width x height
    assert outside == {"mechanical/ahu", "mechanical/rtu", "av/display", "mechanical/fcu", "av/screen",
                       "security/cctv", "av/hdmi", "building_controls/bacnet_bus", "network/ethernet",
                       "telecommunications/cat5", "network/router", "security/ptz_camera", "security/glass_break"}
    cctv = next(f for f in report.findings if f.rule == "svg.bbox.outside_viewbox" and f.file.endswith("cctv.json"))
    assert "0..8" in cctv.message and "0..12" in cctv.message


def test_library_av_symbols_are_clean_except_text_quantities(report):
    av = [f for f in report.findings if "arx-symbol-library/audiovisual" in f.file]
    assert {f.rule for f in av} == {"properties.quantity_as_text"}
    assert any("'400 nits'" in f.message for f in av)


def test_corpus_imports_without_crash(tmp_path, sources):
    ws = Workspace.create(tmp_path / "ws")
    report = import_symbols(sources, ws, report_path=tmp_path / "migration.json")
    statuses = Counter(i.status for i in report.items)
    assert statuses[IMPORTED] + statuses[CONFLICT] == 133 and statuses["failed"] == 0
    # unknown.json and window_contact.json both become SE_WindowContact_001: one conflicts
    conflicts = [i.source for i in report.items if i.status == CONFLICT]
    assert any(c.endswith("window_contact.json") for c in conflicts)
    md = (tmp_path / "migration.md").read_text()
    assert md.count("needs a human") >= 129
    ahu = md.split("mechanical/ahu.json", 1)[1].split("\n## ", 1)[0]
    assert "svg.bbox.outside_viewbox" in ahu and "behavior_profile: none" in ahu
    cctv = md.split("security/cctv.json", 1)[1].split("\n## ", 1)[0]
    assert "3 port(s) have no coordinates" in cctv and 'viewBox="0 0 8 12"' in cctv
    for path in ws.symbol_files():
        data = json.loads(path.read_text())
        assert detect_format(data) == LIBRARY and data["id"] == path.stem
