"""``arxconsole backup ...``: exit codes, one JSON document with --json, confirmation."""

from __future__ import annotations

import json

import pytest

from arxconsole.cli import main
from arxconsole.engine.backup import BackupRepository
from arxconsole.engine.datadir import DataDir
from tests.engine.test_backup_helpers import make_workspace, snapshot


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def create(capsys, ws, *extra):
    code, out, err = run(capsys, "backup", "create", "-w", str(ws.root), "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_create_list_verify_with_json(ws, capsys):
    made = create(capsys, ws, "-m", "before cleanup")
    assert made["kind"] == "full" and made["message"] == "before cleanup" and made["reason"] == "manual"
    code, out, _ = run(capsys, "backup", "list", "--json")
    assert code == 0 and [b["id"] for b in json.loads(out)["backups"]] == [made["id"]]
    code, out, _ = run(capsys, "backup", "verify", made["id"], "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(capsys, "backup", "list")
    assert made["id"] in out and "before cleanup" in out


def test_partial_kind_from_cli(ws, capsys):
    made = create(capsys, ws, "--kind", "system", "--system", "electrical", "--reason", "scheduled")
    assert made["kind"] == "system" and made["system"] == "electrical" and made["reason"] == "scheduled"
    code, _, err = run(capsys, "backup", "create", "-w", str(ws.root), "--kind", "system")
    assert code == 1 and "needs a system" in err


def test_verify_of_damaged_backup_exits_1_and_names_the_file(ws, capsys):
    made = create(capsys, ws)
    repo = BackupRepository.for_data_dir(DataDir.resolve())
    entry = repo.load(made["id"]).by_path()["behavior/electrical/thing.yaml"]
    repo.objects.path_for(entry.hash).unlink()
    code, out, _ = run(capsys, "backup", "verify", made["id"])
    assert code == 1 and "DAMAGED" in out and "behavior/electrical/thing.yaml" in out
    code, out, _ = run(capsys, "backup", "list", "--json")
    (listed,) = json.loads(out)["backups"]
    assert listed["state"] == "damaged" and "last verify" in listed["problem"]


def test_diff_json_lists_symbol_fields(ws, capsys):
    made = create(capsys, ws)
    p = ws.symbol_path("electrical", "EL_Thing_002")
    doc = json.loads(p.read_text())
    doc["connections"]["power"]["x"] = 30
    p.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "backup", "diff", made["id"], "-w", str(ws.root), "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["modified"] == 1
    assert data["changes"][0]["fields"] == [{"field": "connections.power", "change": "modified"}]
    second = create(capsys, ws)
    code, out, _ = run(capsys, "backup", "diff", made["id"], second["id"])
    assert code == 0 and "EL_Thing_002.json  [connections.power modified]" in out


def test_restore_without_yes_and_without_terminal_refuses(ws, capsys, monkeypatch):
    made = create(capsys, ws)
    ws.schema_path("electrical").write_text("{}")
    broken = snapshot(ws)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out, err = run(capsys, "backup", "restore", made["id"], "-w", str(ws.root))
    assert code == 1 and "pass --yes" in err and "modify  schemas/electrical/schema.json" in out
    assert snapshot(ws) == broken


def test_restore_asks_on_a_terminal(ws, capsys, monkeypatch):
    made = create(capsys, ws)
    ws.schema_path("electrical").write_text("{}")
    broken = snapshot(ws)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = run(capsys, "backup", "restore", made["id"], "-w", str(ws.root))
    assert code == 1 and "not restored" in out and snapshot(ws) == broken
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, _ = run(capsys, "backup", "restore", made["id"], "-w", str(ws.root))
    assert code == 0 and "restored backup" in out and snapshot(ws) != broken


def test_restore_yes_with_paths_and_undo(ws, capsys):
    original = snapshot(ws)
    made = create(capsys, ws)
    ws.schema_path("electrical").write_text("{}")
    ws.schema_path("audiovisual").write_text("{}")
    code, out, _ = run(capsys, "backup", "restore", made["id"], "--yes", "-w", str(ws.root),
                       "--path", "schemas/electrical/schema.json", "--json")
    result = json.loads(out)
    assert code == 0 and result["written"] == ["schemas/electrical/schema.json"]
    now = snapshot(ws)
    assert now["schemas/electrical/schema.json"] == original["schemas/electrical/schema.json"]
    assert now["schemas/audiovisual/schema.json"] != original["schemas/audiovisual/schema.json"]
    code, _, _ = run(capsys, "backup", "restore", result["safety_backup"], "--yes", "-w", str(ws.root),
                     "--path", "schemas/electrical/schema.json")
    assert code == 0 and ws.schema_path("electrical").read_text() == "{}"


def test_undo_restore_from_the_command_line(ws, capsys, monkeypatch):
    # The GUI's "Undo restore", headless: found from the audit log, confirmed, done once.
    code, _, err = run(capsys, "backup", "undo-restore", "-w", str(ws.root))
    assert code == 1 and "nothing to undo: no restore of this workspace is recorded" in err
    made = create(capsys, ws)
    ws.schema_path("electrical").write_text("{}")
    broken = snapshot(ws)
    code, out, _ = run(capsys, "backup", "restore", made["id"], "--yes", "-w", str(ws.root),
                       "--path", "schemas/electrical/schema.json")
    assert code == 0 and "undo with: arxconsole backup undo-restore" in out
    restored = snapshot(ws)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out, err = run(capsys, "backup", "undo-restore", "-w", str(ws.root))
    assert code == 1 and "pass --yes" in err and "modify  schemas/electrical/schema.json" in out
    assert snapshot(ws) == restored
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = run(capsys, "backup", "undo-restore", "-w", str(ws.root))
    assert code == 1 and "not undone" in out and snapshot(ws) == restored
    code, out, _ = run(capsys, "backup", "undo-restore", "-w", str(ws.root), "--yes", "--json")
    assert code == 0 and json.loads(out)["written"] == ["schemas/electrical/schema.json"]
    assert snapshot(ws) == broken
    code, _, err = run(capsys, "backup", "undo-restore", "-w", str(ws.root), "--yes")
    assert code == 1 and "it was already undone" in err


def test_delete_undelete_purge_prune(ws, capsys):
    a = create(capsys, ws)
    ws.schema_path("electrical").write_text('{"v": 2}')
    b = create(capsys, ws)
    code, out, _ = run(capsys, "backup", "prune", "--keep-last", "1", "--keep-daily", "0", "--dry-run", "--json")
    decisions = json.loads(out)["decisions"]
    assert code == 0 and [d["keep"] for d in decisions] == [False, True]
    assert "last 1" in decisions[1]["reasons"][0]
    assert run(capsys, "backup", "delete", b["id"])[0] == 0
    code, out, _ = run(capsys, "backup", "list", "--json")
    assert [x["id"] for x in json.loads(out)["backups"]] == [a["id"]]
    assert run(capsys, "backup", "undelete", b["id"])[0] == 0
    assert run(capsys, "backup", "delete", a["id"])[0] == 0
    code, out, _ = run(capsys, "backup", "purge", "--json")
    assert code == 0 and json.loads(out)["manifests_removed"] == [a["id"]]
    code, _, err = run(capsys, "backup", "undelete", a["id"])
    assert code == 1 and "no such deleted backup" in err


def test_usage_errors_exit_2_and_missing_things_exit_1(ws, capsys):
    with pytest.raises(SystemExit) as info:
        main(["backup", "create", "--kind", "weekly"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:            # no --workspace: a usage error too
        run(capsys, "backup", "create")
    assert info.value.code == 2 and "no workspace" in capsys.readouterr().err
    code, _, err = run(capsys, "backup", "verify", "20990101")
    assert code == 1 and "no such backup" in err


def test_prune_with_a_workspace_touches_only_its_backups(ws, tmp_path, capsys):
    other = make_workspace(tmp_path / "other")
    kept_elsewhere = [create(capsys, other)["id"] for _ in range(2)]
    mine = [create(capsys, ws)["id"] for _ in range(2)]
    code, out, _ = run(capsys, "backup", "prune", "-w", str(ws.root), "--keep-last", "1", "--keep-daily", "0",
                       "--json")
    decisions = json.loads(out)["decisions"]
    assert code == 0 and sorted(d["id"] for d in decisions) == sorted(mine)
    code, out, _ = run(capsys, "backup", "list", "--json")
    assert sorted(b["id"] for b in json.loads(out)["backups"]) == sorted(kept_elsewhere + mine[1:])


def test_negative_retention_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:            # argparse's usage error
        run(capsys, "backup", "prune", "--keep-last", "-1")
    assert info.value.code == 2 and "invalid count value: '-1'" in capsys.readouterr().err
