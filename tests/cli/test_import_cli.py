"""``arxconsole import-symbols``: conversion, conflicts, report files, exit codes."""

from __future__ import annotations

import json

import pytest

from arxconsole.cli import main
from arxconsole.engine.workspace import Workspace

LEGACY = {"system": "security", "display_name": "Door Contact", "description": "contact",
          "svg": '<g id="dc"><rect x="0" y="0" width="15" height="5"/></g>',
          "properties": {"width": 15, "height": 5, "current_draw": "10_mA"},
          "connections": [{"type": "security_loop", "description": "loop"}]}


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


def test_import_then_conflict(ws, tmp_path, capsys):
    src = tmp_path / "door_contact.json"
    src.write_text(json.dumps(LEGACY))
    code = main(["import-symbols", str(src), "--workspace", str(ws.root), "--report", str(tmp_path / "r.json"),
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["imported"] == 1 and out["items"][0]["symbol_id"] == "SE_DoorContact_001"
    assert (ws.root / "arx-symbol-library/security/SE_DoorContact_001.json").is_file()
    assert json.loads((tmp_path / "r.json").read_text())["imported"] == 1
    assert (tmp_path / "r.md").read_text().startswith("# Symbol import")
    code = main(["import-symbols", str(src), "--workspace", str(ws.root)])
    text = capsys.readouterr().out
    assert code == 1 and "conflict" in text and "not overwritten" in text


def test_system_override_and_dry_run(ws, tmp_path, capsys):
    src = tmp_path / "d.json"
    src.write_text(json.dumps(LEGACY))
    code = main(["import-symbols", str(src), "-w", str(ws.root), "--system", "access", "--dry-run"])
    assert code == 0 and "would-import" in capsys.readouterr().out
    assert not (ws.root / "arx-symbol-library/access").exists()


def test_usage_errors(ws, tmp_path, capsys):
    assert main(["import-symbols", str(tmp_path / "nope.json"), "-w", str(ws.root)]) == 2
    (tmp_path / "x.json").write_text("{}")
    assert main(["import-symbols", str(tmp_path / "x.json")]) == 2
    assert "needs --workspace" in capsys.readouterr().err


def test_an_id_used_in_another_system_is_a_conflict(ws, tmp_path, capsys):
    sym = {"id": "SE_DoorContact_001", "name": "Door contact", "system": "security", "category": "contact",
           "svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>',
           "properties": {}, "connections": {}}
    (ws.root / "arx-symbol-library/security").mkdir(parents=True, exist_ok=True)
    (ws.root / "arx-symbol-library/security/SE_DoorContact_001.json").write_text(json.dumps(sym))
    src = tmp_path / "SE_DoorContact_001.json"
    src.write_text(json.dumps(sym))
    code = main(["import-symbols", str(src), "-w", str(ws.root), "--system", "access", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["conflicts"] == 1 and out["imported"] == 0
    assert "arx-symbol-library/security/SE_DoorContact_001.json" in out["items"][0]["reason"]
    assert not (ws.root / "arx-symbol-library/access/SE_DoorContact_001.json").exists()


def test_a_report_path_under_a_file_is_refused_before_importing(ws, tmp_path, capsys):
    src = tmp_path / "legacy.json"
    src.write_text(json.dumps(LEGACY))
    (tmp_path / "afile").write_text("x")
    before = sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*"))
    report = tmp_path / "afile" / "report.json"
    code = main(["import-symbols", str(src), "-w", str(ws.root), "--system", "access", "--report", str(report)])
    err = capsys.readouterr().err
    assert code == 1 and err == f"arxconsole: error: cannot write {report}: {tmp_path / 'afile'} is a file, not a folder\n"
    assert sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*")) == before   # nothing imported
    # A Markdown name is the path the message names (the JSON twin is derived from it).
    typed = tmp_path / "afile" / "report.md"
    code = main(["import-symbols", str(src), "-w", str(ws.root), "--system", "access", "--report", str(typed)])
    assert code == 1 and f"cannot write {typed}: " in capsys.readouterr().err
