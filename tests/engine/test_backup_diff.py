"""Diff: backup vs workspace and backup vs backup, with symbol field changes and the
bytes of both sides for before/after pictures."""

from __future__ import annotations

import json

from arxconsole.engine.backup import create_backup, diff_backup_workspace, diff_backups
from arxconsole.engine.backup.diff import svg_of, symbol_field_changes
from tests.engine.test_backup_helpers import make_workspace, symbol
from tests.engine.test_backup_helpers import repo, ws  # noqa: F401 - fixtures


def edit_symbol(ws, system, sid, **changes):
    p = ws.symbol_path(system, sid)
    doc = json.loads(p.read_text())
    for k, v in changes.items():
        if v is None:
            doc.pop(k, None)
        else:
            doc[k] = v
    p.write_text(json.dumps(doc, indent=2))
    return p


def test_three_broken_symbols_show_up_with_their_fields_and_both_pictures(ws, repo):
    m = create_backup(ws, repo)
    edit_symbol(ws, "electrical", "EL_Thing_000", svg="<svg viewBox='0 0 1 1'><circle r='1'/></svg>")
    edit_symbol(ws, "electrical", "EL_Thing_001",
                connections={"power": {"x": 9, "y": 2, "type": "power"}, "data": {"x": 0, "y": 0, "type": "data"}})
    edit_symbol(ws, "audiovisual", "AV_Thing_002", properties={}, name="Renamed", tags=["new"])
    d = diff_backup_workspace(repo, m.id, ws)
    assert d.counts() == {"added": 0, "removed": 0, "modified": 3}
    fields = {c.path.rsplit("/", 1)[1]: [(f.field, f.change) for f in c.fields] for c in d.changes}
    assert fields["EL_Thing_000.json"] == [("svg", "modified")]
    assert fields["EL_Thing_001.json"] == [("connections.data", "added"), ("connections.power", "modified")]
    assert fields["AV_Thing_002.json"] == [("name", "modified"), ("properties.voltage", "removed"),
                                           ("tags", "added")]
    change = next(c for c in d.changes if c.path.endswith("EL_Thing_000.json"))
    before, after = svg_of(d.read_before(change)), svg_of(d.read_after(change))
    assert "<rect" in before and "<circle" in after
    js = d.to_json()
    assert js["counts"]["modified"] == 3 and js["changes"][0]["fields"]


def test_added_removed_and_non_symbol_files(ws, repo):
    m = create_backup(ws, repo)
    ws.profile_path("electrical", "thing").unlink()
    (ws.root / "docs" / "systems" / "new.md").write_text("new")
    ws.schema_path("electrical").write_text('{"system": "electrical", "changed": true}')
    d = diff_backup_workspace(repo, m.id, ws)
    status = {c.path: c.status for c in d.changes}
    assert status == {"behavior/electrical/thing.yaml": "removed", "docs/systems/new.md": "added",
                      "schemas/electrical/schema.json": "modified"}
    schema = next(c for c in d.changes if c.status == "modified")
    assert schema.fields is None  # not a symbol
    removed = next(c for c in d.changes if c.status == "removed")
    assert d.read_after(removed) is None and d.read_before(removed).startswith(b"id: thing")


def test_unparseable_symbol_is_compared_as_a_whole_file(ws, repo):
    m = create_backup(ws, repo)
    ws.symbol_path("electrical", "EL_Thing_000").write_text("{ broken")
    (change,) = diff_backup_workspace(repo, m.id, ws).changes
    assert change.fields == [] and "not valid JSON" in change.note


def test_backup_vs_backup_and_scope(ws, repo):
    a = create_backup(ws, repo)
    edit_symbol(ws, "electrical", "EL_Thing_000", description="now described")
    ws.schema_path("audiovisual").write_text("{}")
    b = create_backup(ws, repo)
    d = diff_backups(repo, a.id, b.id)
    assert {c.path for c in d.changes} == {"arx-symbol-library/electrical/EL_Thing_000.json",
                                           "schemas/audiovisual/schema.json"}
    sym = next(c for c in d.changes if c.is_symbol)
    assert [(f.field, f.change) for f in sym.fields] == [("description", "added")]
    # a symbols-only backup compared with the workspace ignores schemas entirely
    s = create_backup(ws, repo, kind="symbols")
    ws.schema_path("electrical").write_text("{}")
    assert diff_backup_workspace(repo, s.id, ws).changes == []


def test_field_changes_of_documents():
    a = json.dumps(symbol("EL_A_000", "electrical")).encode()
    doc = symbol("EL_A_000", "electrical")
    doc["properties"]["voltage"] = {"value": 240, "unit": "V"}
    doc["connections"] = ["not", "a", "dict"]
    changes, note = symbol_field_changes(a, json.dumps(doc).encode())
    assert note == "" and [(c.field, c.change) for c in changes] == [
        ("connections", "modified"), ("properties.voltage", "modified")]
    assert symbol_field_changes(b"[]", a)[1].startswith("not a JSON object")
