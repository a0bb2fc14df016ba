"""Symbol model: reading bad files never raises; round trips keep unknown fields; saves are durable."""

from __future__ import annotations

import json
import os

import pytest

from arxconsole.engine.symbols import Symbol, Waiver, load_symbol_file, save_symbol
from arxconsole.engine.symbols.model import MAX_FILE_BYTES

DATA = {"id": "AV_Display_001", "name": "Display", "system": "audiovisual", "category": "display",
        "description": "", "svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"/>',
        "properties": {"brightness": {"value": 400, "unit": "nits"}},
        "connections": {"power": {"x": 1, "y": 1, "type": "power", "voltage": "120V"}},
        "behavior_profile": "display", "metadata": {"version": "1.0.0"}, "x_vendor": {"sku": "A-1"}}


def test_round_trip_keeps_unknown_fields(tmp_path):
    path = tmp_path / "AV_Display_001.json"
    path.write_text(json.dumps(DATA))
    sym, findings = load_symbol_file(path)
    assert findings == [] and sym.extra == {"x_vendor": {"sku": "A-1"}}
    sym.name = "LED Display"
    save_symbol(path, sym)
    again = json.loads(path.read_text())
    assert again == {**DATA, "name": "LED Display"}
    assert path.read_text().endswith("\n") and not list(tmp_path.glob(".arx-tmp-*"))
    assert "tags" not in again and "waivers" not in again   # not added when absent


def test_waivers_round_trip():
    sym = Symbol.from_dict(dict(DATA))
    sym.add_waiver(Waiver("svg.drawing.empty", "placeholder until artwork", "bob", "2026-12-03T10:00:00Z"))
    d = sym.to_dict()
    assert d["waivers"] == [{"rule": "svg.drawing.empty", "reason": "placeholder until artwork", "by": "bob",
                             "at": "2026-12-03T10:00:00Z"}]
    assert Symbol.from_dict(d).waiver_list()[0].reason == "placeholder until artwork"


@pytest.mark.parametrize("content,rule,word", [
    (b'{"id": "X", "svg": "<svg/>"', "file.json.invalid", "truncated"),
    (b'{"id": "X",, }', "file.json.invalid", "line 1"),
    (b"", "file.json.invalid", "truncated"),
    (b'{"name": "caf\xe9"}', "file.encoding", "0xe9"),
    (b"\xff\xfe{\x00}\x00", "file.encoding", "not UTF-8"),
    (b"[1, 2, 3]", "file.json.not_object", "list"),
    (b"null", "file.json.not_object", "null"),
    (b"[" * 100_000 + b"]" * 100_000, None, ""),
])
def test_bad_files_give_findings_naming_the_file(tmp_path, content, rule, word):
    path = tmp_path / "EL_Bad_001.json"
    path.write_bytes(content)
    sym, findings = load_symbol_file(path, "arx-symbol-library/electrical/EL_Bad_001.json")
    assert sym is None and len(findings) == 1
    f = findings[0]
    if rule:
        assert f.rule == rule
    assert f.file == "arx-symbol-library/electrical/EL_Bad_001.json"
    assert f.message.startswith("arx-symbol-library/electrical/EL_Bad_001.json:") and word in f.message
    assert f.blocking


def test_missing_and_unreadable_files(tmp_path):
    sym, findings = load_symbol_file(tmp_path / "nope.json")
    assert sym is None and findings[0].rule == "file.unreadable" and "nope.json" in findings[0].message
    sym, findings = load_symbol_file(tmp_path)          # a folder
    assert sym is None and findings[0].rule == "file.unreadable"


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    sym, findings = load_symbol_file(path)
    assert sym is None and findings[0].rule == "file.too_large"


def test_a_folder_pipe_or_dangling_link_named_like_a_symbol_is_reported_not_skipped(tmp_path):
    from arxconsole.engine.demo import write_demo_workspace
    from arxconsole.engine.symbols import validate_workspace
    from arxconsole.engine.workspace import Workspace

    write_demo_workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws")
    folder = ws.root / "arx-symbol-library" / "electrical"
    before = validate_workspace(ws, "electrical", workers=1).files
    (folder / "EL_Dangling_001.json").symlink_to(tmp_path / "nowhere.json")
    (folder / "EL_Dir_001.json").mkdir()
    os.mkfifo(folder / "EL_Fifo_001.json")      # opening it for reading would wait forever
    report = validate_workspace(ws, "electrical", workers=1)
    assert report.files == before + 3
    got = {f.file: f.message for f in report.findings if f.rule == "file.unreadable"}
    rel = "arx-symbol-library/electrical/"
    assert got == {rel + "EL_Dangling_001.json": f"{rel}EL_Dangling_001.json: symbolic link points nowhere "
                                                 f"({tmp_path / 'nowhere.json'})",
                   rel + "EL_Dir_001.json": f"{rel}EL_Dir_001.json: a folder, not a file",
                   rel + "EL_Fifo_001.json": f"{rel}EL_Fifo_001.json: not a regular file (a named pipe, socket "
                                             "or device); not read"}
