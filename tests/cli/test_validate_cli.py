"""``arxconsole validate``: exit codes, JSON shape, text output."""

from __future__ import annotations

import json

import pytest

from arxconsole.cli import main
from arxconsole.engine import durable
from arxconsole.engine.workspace import Workspace

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="9" height="9"/></svg>'


def sym(sid, **over):
    d = {"id": sid, "name": sid, "system": "electrical", "category": "panel", "svg": SVG, "properties": {},
         "connections": {}, "behavior_profile": "", "metadata": {"version": "1", "created_by": "t",
                                                                 "created_at": "2026"}}
    d.update(over)
    return d


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    durable.write_json(w.schema_path("electrical"), {"system": "electrical", "code": "EL", "objects": {}})
    durable.write_json(w.symbol_path("electrical", "EL_Panel_001"), sym("EL_Panel_001"))
    return w


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_clean_workspace_with_warnings_exits_0(ws, capsys):
    code, out, err = run(capsys, "validate", "--workspace", str(ws.root))
    assert code == 0
    assert "metadata.behavior_profile.missing" in out      # a warning, allowed
    assert out.strip().splitlines()[-1].startswith("1 file(s): 0 error(s), 1 warning(s)")


def test_error_exits_1_and_json_shape(ws, capsys):
    durable.write_json(ws.symbol_path("electrical", "EL_Bad_001"),
                       sym("EL_Bad_001", svg=SVG.replace("</svg>", "<script>x()</script></svg>")))
    code, out, _ = run(capsys, "validate", "--workspace", str(ws.root), "--json")
    assert code == 1
    rows = json.loads(out)
    assert isinstance(rows, list) and rows
    for row in rows:
        assert {"file", "symbol_id", "rule", "severity", "message", "hint", "location"} <= set(row)
    script = next(r for r in rows if r["rule"] == "svg.security.script")
    assert script == {**script, "file": "arx-symbol-library/electrical/EL_Bad_001.json", "symbol_id": "EL_Bad_001",
                      "severity": "error", "location": "svg/script"}
    assert script["line"] == 1 and script["hint"]


def test_system_filter_and_unknown_system(ws, capsys):
    durable.write_json(ws.symbol_path("plumbing", "PL_Bad_001"), sym("PL_Bad_001", system="plumbing", svg=""))
    code, _, _ = run(capsys, "validate", "-w", str(ws.root), "--system", "electrical")
    assert code == 0
    code, out, _ = run(capsys, "validate", "-w", str(ws.root), "--system", "plumbing")
    assert code == 1 and "PL_Bad_001" in out
    code, _, err = run(capsys, "validate", "-w", str(ws.root), "--system", "nope")
    assert code == 2 and "no system 'nope'" in err
    code, _, err = run(capsys, "validate", "-w", str(ws.root), "--system", "plumbng")
    assert code == 2 and "no system 'plumbng'; did you mean 'plumbing'? (systems: electrical, plumbing)" in err


def test_loose_paths_and_bad_files(tmp_path, capsys):
    (tmp_path / "trunc.json").write_text('{"id": "EL_X_001", "svg": "<sv')
    (tmp_path / "latin1.json").write_bytes(b'{"name": "caf\xe9"}')
    code, out, err = run(capsys, "validate", "--json", str(tmp_path))
    assert code == 1 and "Traceback" not in err
    rows = json.loads(out)
    assert {(r["rule"], r["file"].rsplit("/", 1)[1]) for r in rows} == {
        ("file.json.invalid", "trunc.json"), ("file.encoding", "latin1.json")}


def test_usage_errors_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "validate")
    assert code == 2 and "nothing to validate" in err
    code, _, err = run(capsys, "validate", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--no-such-option"])
    assert exc.value.code == 2


def test_rules_listing(capsys):
    code, out, _ = run(capsys, "validate", "--rules", "--json")
    assert code == 0 and any(r["id"] == "svg.security.doctype" for r in json.loads(out))


@pytest.mark.slow
def test_subprocess_hostile_file_no_traceback(tmp_path):
    import subprocess
    import sys

    (tmp_path / "x.json").write_text(json.dumps(sym("EL_X_001", svg='<!DOCTYPE svg [<!ENTITY a SYSTEM '
                                                                  '"file:///etc/passwd">]><svg>&a;</svg>')))
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "validate", str(tmp_path / "x.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "svg.security.doctype" in proc.stdout
    assert "Traceback" not in proc.stderr and "root:" not in proc.stdout
