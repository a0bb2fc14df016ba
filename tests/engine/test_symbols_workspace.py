"""Whole-workspace validation and the importer."""

from __future__ import annotations

import json

import pytest

from arxconsole.engine import durable
from arxconsole.engine.progress import CancelToken, Cancelled
from arxconsole.engine.symbols import ValidationContext, validate_paths, validate_symbol, validate_workspace
from arxconsole.engine.symbols.importer import CONFLICT, IMPORTED, import_symbols
from arxconsole.engine.workspace import Workspace

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><rect x="1" y="1" width="18" height="18"/>'
       '<circle cx="2" cy="10" r="1"/></svg>')


def symbol(sid: str, system: str = "electrical", **over) -> dict:
    d = {"id": sid, "name": sid, "system": system, "category": "switch", "description": "",
         "svg": SVG.replace('r="1"', f'r="1" id="{sid}"'),
         "properties": {}, "connections": {"power": {"x": 2, "y": 10, "type": "power"}},
         "behavior_profile": "switch", "metadata": {"version": "1", "created_by": "t", "created_at": "2026"}}
    d.update(over)
    return d


@pytest.fixture
def ws(tmp_path) -> Workspace:
    w = Workspace.create(tmp_path / "ws")
    durable.write_json(w.schema_path("electrical"), {"system": "electrical", "code": "EL", "objects": {
        "electrical.switch": {"properties": {"load": {"type": "number", "unit": "A"}}, "behavior_profile": "switch"}}})
    durable.write_text(w.profile_path("electrical", "switch"),
                       "id: switch\nobject_type: electrical.switch\nports:\n  - {name: power, type: power}\n")
    for sid in ("EL_Switch_001", "EL_Switch_002"):
        durable.write_json(w.symbol_path("electrical", sid), symbol(sid))
    return w


def test_clean_workspace(ws):
    report = validate_workspace(ws)
    assert report.files == 2 and report.findings == [] and not report.blocking
    assert report.formats == {"library": 2}


def test_context_from_workspace(ws):
    ctx = ValidationContext.from_workspace(ws, index_symbols=True)
    assert ctx.known_systems == {"electrical"} and ctx.system_codes == {"electrical": "EL"}
    assert ctx.profile("electrical", "switch").ports == (("power", "power"),)
    assert ctx.property_specs("electrical", "switch")["load"].unit == "A"
    assert set(ctx.ids) == {"EL_Switch_001", "EL_Switch_002"} and len(ctx.content) == 2
    # editor path: a copy of 001 saved under a new id is a content duplicate
    copy = symbol("EL_Switch_003", svg=symbol("EL_Switch_001")["svg"])
    rules = {f.rule for f in validate_symbol(copy, ctx, file="arx-symbol-library/electrical/EL_Switch_003.json")}
    assert rules == {"structure.content.duplicate"}


def test_workspace_findings_duplicates_bad_files_and_waivers(ws):
    # same id in another file, same content under another id, a corrupt file, a waived problem
    durable.write_json(ws.symbol_path("electrical", "EL_Copy_001"), symbol("EL_Copy_001", svg=symbol("EL_Switch_001")["svg"]))
    durable.write_json(ws.symbol_path("electrical", "EL_Twin_001"), symbol("EL_Switch_001"))
    ws.symbol_path("electrical", "EL_Broken_001").write_text('{"id": "EL_Broken_001", "svg": "<sv')
    durable.write_json(ws.symbol_path("electrical", "EL_Wide_001"), symbol(
        "EL_Wide_001", svg=SVG.replace('width="18"', 'width="30"').replace('r="1"', 'r="1.1"'),
        waivers=[{"rule": "svg.bbox.outside_viewbox", "reason": "bleeds on purpose", "by": "a", "at": "t"}]))
    report = validate_workspace(ws)
    rel = "arx-symbol-library/electrical/"
    assert report.files_with("structure.id.duplicate") == {rel + "EL_Switch_001.json", rel + "EL_Twin_001.json"}
    assert report.files_with("structure.content.duplicate") == {rel + "EL_Switch_001.json", rel + "EL_Copy_001.json",
                                                               rel + "EL_Twin_001.json"}
    assert report.files_with("file.json.invalid") == {rel + "EL_Broken_001.json"}
    assert report.files_with("structure.id.file_name") == {rel + "EL_Twin_001.json"}
    waived = report.waivers
    assert [(f.rule, f.file) for f in waived] == [("svg.bbox.outside_viewbox", rel + "EL_Wide_001.json")]
    assert "bleeds on purpose" in waived[0].waiver_reason
    assert report.blocking
    assert {r["rule"] for r in report.rows()} >= {"structure.id.duplicate", "file.json.invalid"}


def test_workspace_profile_and_system_checks(ws):
    durable.write_json(ws.symbol_path("electrical", "EL_Switch_002"),
                       symbol("EL_Switch_002", connections={}, behavior_profile="dimmer"))
    durable.write_json(ws.symbol_path("plumbing", "PL_Tap_001"), symbol("PL_Tap_001", system="plumbing"))
    durable.write_json(ws.symbol_path("electrical", "EL_Switch_001"), symbol("EL_Switch_001", connections={}))
    report = validate_workspace(ws)
    by = {(f.rule, f.file.rsplit("/", 1)[1]) for f in report.findings}
    assert ("metadata.behavior_profile.unknown", "EL_Switch_002.json") in by
    assert ("connection.required.missing", "EL_Switch_001.json") in by
    assert ("structure.system.unknown", "PL_Tap_001.json") in by
    only = validate_workspace(ws, system="plumbing")
    assert only.files == 1


def test_progress_and_cancel(ws):
    seen = []
    validate_workspace(ws, progress=lambda d, t, m: seen.append((d, t)))
    assert seen[-1] == (2, 2)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        validate_workspace(ws, cancel=token)


def test_validate_paths_mixed_formats(tmp_path):
    (tmp_path / "legacy.json").write_text(json.dumps({"system": "security", "display_name": "Door",
                                                     "svg": '<g id="d"><rect width="4" height="4"/></g>',
                                                     "connections": [{"type": "power"}]}))
    (tmp_path / "bad.json").write_bytes(b"\x80\x81")
    (tmp_path / "AV_Ok_001.json").write_text(json.dumps(symbol("AV_Ok_001", system="audiovisual")))
    report = validate_paths([tmp_path])
    assert report.formats == {"legacy": 1, "library": 1} and report.files == 3
    conv = next(f for f in report.findings if f.rule == "structure.format.converted")
    assert conv.symbol_id == "SE_Door_001" and "legacy" in conv.message
    assert report.files_with("file.encoding") == {str(tmp_path / "bad.json")}
    assert report.files_with("connection.position.missing") == {str(tmp_path / "legacy.json")}
    assert "structure.id.file_name" not in {f.rule for f in report.findings}


# ---- importer ------------------------------------------------------------------------------
LEGACY = {"system": "electrical", "display_name": "Wall Switch", "description": "switch",
          "svg": '<g id="sw"><rect x="1" y="1" width="8" height="8"/></g>',
          "properties": {"width": 10, "height": 10, "rating": "15A"},
          "connections": [{"type": "power", "description": "line"}]}


def test_import_converts_writes_and_reports(ws, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "switch.json").write_text(json.dumps(LEGACY))
    (src / "broken.json").write_text("{")
    report_path = tmp_path / "out" / "migration.json"
    report = import_symbols([src], ws, report_path=report_path)
    items = {i.source.rsplit("/", 1)[1]: i for i in report.items}
    assert items["switch.json"].status == IMPORTED and items["broken.json"].status == "failed"
    written = json.loads(ws.symbol_path("electrical", "EL_WallSwitch_001").read_text())
    assert written["properties"]["rating"] == {"value": 15, "unit": "A"}
    assert 'viewBox="0 0 10 10"' in written["svg"]
    saved = json.loads(report_path.read_text())
    assert saved["imported"] == 1 and saved["failed"] == 1
    entry = next(i for i in saved["items"] if i["source"].endswith("switch.json"))
    assert any("no coordinates" in n for n in entry["needs_human"])
    md = report_path.with_suffix(".md").read_text()
    assert "needs a human" in md and "EL_WallSwitch_001" in md and "- [ ] connections: 1 port(s)" in md


def test_import_never_overwrites(ws, tmp_path):
    src = tmp_path / "sw.json"
    src.write_text(json.dumps(LEGACY))
    first = import_symbols([src], ws)
    assert first.items[0].status == IMPORTED
    target = ws.symbol_path("electrical", "EL_WallSwitch_001")
    target.write_text(target.read_text().replace("Wall Switch", "Edited by hand"))
    before = target.read_bytes()
    second = import_symbols([src], ws)
    assert second.items[0].status == CONFLICT and "not overwritten" in second.items[0].reason
    assert target.read_bytes() == before and not second.ok


def test_import_conflict_within_one_batch_and_dry_run(ws, tmp_path):
    for n in ("a.json", "b.json"):
        (tmp_path / n).write_text(json.dumps(LEGACY))
    dry = import_symbols([tmp_path / "a.json", tmp_path / "b.json"], ws, dry_run=True)
    assert [i.status for i in dry.items] == ["would-import", CONFLICT]
    assert not ws.symbol_path("electrical", "EL_WallSwitch_001").exists()
    # the real import says the same: the clash is inside the import, not with the library
    # (a.json was written a moment earlier by this very import)
    real = import_symbols([tmp_path / "a.json", tmp_path / "b.json"], ws)
    assert [i.status for i in real.items] == [IMPORTED, CONFLICT]
    assert real.items[1].reason == dry.items[1].reason == (f"{tmp_path / 'a.json'} in this import already "
                                                           "converts to EL_WallSwitch_001; not overwritten")


def test_import_into_another_system_never_duplicates_an_id(ws, tmp_path):
    """A library-format file keeps its id; imported into another system's folder that id
    would be in the library twice (structure.id.duplicate on a clean symbol)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "EL_Switch_001.json").write_text(json.dumps(symbol("EL_Switch_001")))
    durable.write_json(ws.schema_path("lighting"), {"system": "lighting", "code": "LT", "objects": {}})
    for dry_run in (True, False):
        report = import_symbols([src], ws, system="lighting", dry_run=dry_run)
        item = report.items[0]
        assert item.status == CONFLICT and not report.ok
        assert "arx-symbol-library/electrical/EL_Switch_001.json" in item.reason and "not written" in item.reason
    assert not ws.symbol_path("lighting", "EL_Switch_001").exists()
    assert not [f for f in validate_workspace(ws).findings if f.rule == "structure.id.duplicate"]
    # the id inside a file counts too, not only its name
    odd = ws.symbol_path("electrical", "EL_Other_001")
    durable.write_json(odd, symbol("EL_Inside_001"))
    (src / "EL_Switch_001.json").unlink()
    (src / "x.json").write_text(json.dumps(symbol("EL_Inside_001")))
    item = import_symbols([src], ws, system="lighting").items[0]
    assert item.status == CONFLICT and "EL_Other_001.json" in item.reason
    # two sources of one import with the same id into different systems: the second conflicts
    (src / "x.json").unlink()
    (src / "a.json").write_text(json.dumps(symbol("EL_New_001")))
    (src / "b.json").write_text(json.dumps(symbol("EL_New_001", system="lighting")))
    report = import_symbols([src], ws)
    assert [i.status for i in report.items] == [IMPORTED, CONFLICT]


def test_import_refuses_path_tricks(ws, tmp_path):
    evil = dict(LEGACY, system="../../etc")
    (tmp_path / "e.json").write_text(json.dumps(evil))
    report = import_symbols([tmp_path / "e.json"], ws)
    assert report.items[0].status == "failed" and "refusing" in report.items[0].reason



def test_import_reports_progress_per_file_and_stops_between_files_when_cancelled(ws, tmp_path):
    """Cancel after the 3rd file: files 1-3 are written whole, nothing after; the report
    (returned and written) says it was cancelled and lists exactly those 3."""
    src = tmp_path / "many"
    src.mkdir()
    for n in range(10):
        (src / f"s{n:02d}.json").write_text(json.dumps(symbol(f"EL_Many_{n:03d}")))
    token = CancelToken()
    seen = []

    def progress(done, total, message):
        seen.append((done, total))
        if done == 3:
            token.cancel()     # the user presses Cancel while the 4th file is about to start

    report_path = tmp_path / "out" / "cancelled.json"
    report = import_symbols([src], ws, report_path=report_path, progress=progress, cancel=token)
    assert report.cancelled and report.total == 10
    assert [i.status for i in report.items] == [IMPORTED] * 3
    written = sorted(p.stem for p in ws.symbol_files() if p.stem.startswith("EL_Many_"))
    assert written == ["EL_Many_000", "EL_Many_001", "EL_Many_002"]
    assert (0, 10) in seen and (1, 10) in seen and (2, 10) in seen and seen[-1] == (3, 10)
    saved = json.loads(report_path.read_text())
    assert saved["cancelled"] is True and saved["imported"] == 3 and saved["not_looked_at"] == 7
    assert "Cancelled by the user** after 3 of 10 files" in report_path.with_suffix(".md").read_text()


def test_import_cancelled_before_the_first_file_writes_nothing(ws, tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(symbol("EL_Early_001")))
    token = CancelToken()
    token.cancel()
    report = import_symbols([tmp_path / "a.json"], ws, cancel=token)
    assert report.cancelled and report.items == [] and report.total == 1
    assert not ws.symbol_path("electrical", "EL_Early_001").exists()
    done = import_symbols([tmp_path / "a.json"], ws)       # not cancelled: the flag stays off
    assert not done.cancelled and done.to_dict()["not_looked_at"] == 0

# ---- the multi-process pass -------------------------------------------------------------------
def _messy_library(ws: Workspace) -> None:
    """Every kind of per-file and cross-file result: clean files, rule findings, waivers,
    unreadable JSON, duplicate ids and duplicate content across chunk boundaries."""
    twin_svg = SVG.replace('width="18"', 'width="17"')
    for i in range(3, 40):
        sid = f"EL_Switch_{i:03d}"
        over: dict = {}
        if i % 5 == 0:
            over["svg"] = SVG.replace("</svg>", '<rect x="30" width="40" height="2" onload="x()"/></svg>')
        if i % 7 == 0:
            over = {"svg": twin_svg, "properties": {"load": {"value": 2, "unit": "A"}}}
        if i in (9, 14, 28):
            over["waivers"] = [{"rule": "structure.content.duplicate", "reason": "variants"}, {"rule": "nope"}]
        if i % 11 == 0:
            over["connections"] = {"power": {"x": 99, "y": 1, "type": "data"}}
        durable.write_json(ws.symbol_path("electrical", sid), symbol(sid, **over))
    durable.write_json(ws.symbol_path("electrical", "EL_Copy_001"), symbol("EL_Switch_004"))   # duplicate id
    durable.write_text(ws.symbol_path("electrical", "EL_Broken_001"), '{"id": "EL_Broken_001", ')
    durable.write_text(ws.symbol_path("electrical", "EL_List_001"), "[1, 2]")


@pytest.mark.slow
def test_worker_processes_report_exactly_what_the_in_process_pass_does(ws, monkeypatch):
    from arxconsole.engine.symbols import parallel

    _messy_library(ws)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 4)    # many chunks: order across chunk boundaries
    alone = validate_workspace(ws, workers=1)
    from arxconsole.engine.symbols import validate as validate_mod

    def no_fallback(*a, **k):
        raise AssertionError("the worker pass fell back to the in-process pass")
    monkeypatch.setattr(validate_mod, "_validate_in_process", no_fallback)
    seen = []
    spread = validate_workspace(ws, workers=2, progress=lambda d, t, m: seen.append(d))
    rules = {f.rule for f in alone.findings}
    assert {"structure.id.duplicate", "structure.content.duplicate", "file.json.invalid", "file.json.not_object",
            "svg.security.event_handler", "waiver.invalid", "connection.required.type"} <= rules
    assert any(f.waived for f in alone.findings)
    assert spread.findings == alone.findings          # same findings, same order, same data
    assert (spread.files, spread.formats) == (alone.files, alone.formats)
    assert seen == sorted(seen) and seen[-1] == alone.files and len(seen) > 5


@pytest.mark.slow
def test_worker_pass_cancels_between_chunks(ws, monkeypatch):
    from arxconsole.engine.symbols import parallel

    _messy_library(ws)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 4)
    token = CancelToken()
    seen = []

    def progress(done, total, message):
        seen.append(done)
        if done >= 8:
            token.cancel()
    with pytest.raises(Cancelled):
        validate_workspace(ws, workers=2, progress=progress, cancel=token)
    assert max(seen) < 40                              # stopped well before the end


def test_unusable_pool_falls_back_to_the_in_process_pass(ws, monkeypatch):
    from arxconsole.engine.symbols import parallel

    _messy_library(ws)
    expected = validate_workspace(ws, workers=1)

    def broken(*a, **k):
        raise parallel.PoolUnavailable("no processes here")
        yield  # pragma: no cover

    monkeypatch.setattr(parallel, "run_chunks", broken)
    assert validate_workspace(ws, workers=2).findings == expected.findings


def test_small_libraries_and_frozen_bundles_stay_in_process(monkeypatch):
    from arxconsole.engine.symbols import parallel

    assert parallel.worker_count(parallel.PARALLEL_MIN_FILES - 1, None) == 1
    assert parallel.worker_count(10, 3) == 3
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert parallel.worker_count(100_000, None) == 1


@pytest.mark.slow
def test_a_worker_that_dies_costs_time_not_findings(ws, monkeypatch):
    from arxconsole.engine.symbols import parallel

    _messy_library(ws)
    expected = validate_workspace(ws, workers=1)
    monkeypatch.setattr(parallel, "CHUNK_FILES", 4)
    # the chunk function is looked up by name in the worker: make the pool's job kill it
    monkeypatch.setattr(parallel, "check_chunk", _die)
    assert validate_workspace(ws, workers=2).findings == expected.findings


def _die(items):
    import os

    os._exit(3)
