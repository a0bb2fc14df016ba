"""Durable writes, data dir, workspace layout and lock, database basics."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from arxconsole.engine import durable
from arxconsole.engine.workspace import Workspace, WorkspaceError, WorkspaceLockedError


def test_durable_write_replaces_atomically_and_keeps_no_temp(tmp_path):
    target = tmp_path / "sub" / "f.json"
    durable.write_json(target, {"a": 1})
    assert target.read_text() == '{\n  "a": 1\n}\n'
    durable.write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_durable_write_failure_keeps_old_content_and_removes_temp(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def boom(fh):
        fh.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        durable.write_stream(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_durable_write_keeps_mode_of_existing_file(tmp_path):
    target = tmp_path / "x.sh"
    target.write_text("a")
    target.chmod(0o750)
    durable.write_text(target, "b")
    assert target.stat().st_mode & 0o777 == 0o750


def test_workspace_create_open_and_list(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    ws.symbols_dir("electrical").mkdir(parents=True)
    durable.write_json(ws.symbol_path("electrical", "E_Panel_001"), {"id": "E_Panel_001"})
    durable.write_json(ws.schema_path("fire_alarm"), {"system": "fire_alarm"})
    durable.write_text(ws.profile_path("electrical", "panel"), "id: panel\n")
    ws2 = Workspace.open(ws.root)
    assert ws2.systems() == ["electrical", "fire_alarm"]
    assert [p.name for p in ws2.symbol_files()] == ["E_Panel_001.json"]
    assert [p.name for p in ws2.profile_files("electrical")] == ["panel.yaml"]
    assert ws2.registered_systems() == {"fire_alarm"}
    assert ws2.relative(ws2.symbol_path("electrical", "E_Panel_001")) == "arx-symbol-library/electrical/E_Panel_001.json"


def test_open_rejects_missing_and_non_workspace_folders(tmp_path):
    with pytest.raises(WorkspaceError, match="not a folder"):
        Workspace.open(tmp_path / "nope")
    with pytest.raises(WorkspaceError, match="not an Arxos workspace"):
        Workspace.open(tmp_path)


def test_create_for_a_picked_folder_refuses_one_with_other_content(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match="not empty"):
        Workspace.create(home, require_empty=True)
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]     # nothing scattered in it
    (tmp_path / "empty").mkdir()
    assert Workspace.create(tmp_path / "empty", require_empty=True).root == (tmp_path / "empty").resolve()
    (tmp_path / "repo" / ".git").mkdir(parents=True)     # a folder just `git init`-ed is empty enough
    assert (Workspace.create(tmp_path / "repo", require_empty=True).root / "schemas").is_dir()
    existing = Workspace.create(tmp_path / "existing")
    durable.write_json(existing.schema_path("electrical"), {"system": "electrical"})
    assert Workspace.create(existing.root, require_empty=True).systems() == ["electrical"]
    assert Workspace.create(tmp_path / "new" / "ws", require_empty=True).root.is_dir()   # made when missing
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="not a folder"):
        Workspace.create(tmp_path / "file", require_empty=True)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_create_in_a_read_only_folder_is_a_workspace_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(WorkspaceError, match="cannot create the workspace folders"):
            Workspace.create(ro / "ws")
    finally:
        ro.chmod(0o700)


def test_create_where_a_file_blocks_a_subfolder_is_a_workspace_error(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "schemas").write_text("a file where a folder must go")
    with pytest.raises(WorkspaceError, match="cannot create the workspace folders"):
        Workspace.create(tmp_path / "ws")


def test_second_lock_is_refused_with_clear_message(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    with ws.lock():
        with pytest.raises(WorkspaceLockedError, match="already open in another ArxConsole.*pid"):
            ws.lock().acquire()
    # Released: can lock again.
    with ws.lock() as lock:
        assert lock.held


def test_lock_is_released_when_holder_process_dies(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    code = textwrap.dedent(f"""
        import os, sys
        from arxconsole.engine.workspace import Workspace
        Workspace.open({str(ws.root)!r}).lock().acquire()
        print("locked", flush=True)
        os._exit(0)  # die without releasing
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "locked" in out.stdout
    with ws.lock() as lock:  # the OS dropped the dead holder's lock
        assert lock.held


def test_content_files_skip_internal_files(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    durable.write_text(ws.root / "a.txt", "a")
    with ws.lock():
        names = [ws.relative(p) for p in ws.iter_content_files()]
    assert names == ["a.txt"]


def test_database_is_migrated_wal_and_foreign_keys(db):
    assert db.is_migrated()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_settings_changes_are_audited(db):
    db.set_setting("gates.coverage_min", 90)
    db.set_setting("gates.coverage_min", 95)
    assert db.get_setting("gates.coverage_min") == 95
    events = db.audit_events("settings.")
    assert [e.details["new"] for e in events] == [95, 90]


def test_reopening_database_is_a_no_op_migration(data_dir):
    from arxconsole.store import Database

    Database.open(data_dir.database_url).close()
    db = Database.open(data_dir.database_url)
    assert db.pending_migrations() == []
    db.close()


def test_unusable_database_url_is_a_user_error():
    from arxconsole.store import Database, DatabaseError

    with pytest.raises(DatabaseError, match="cannot"):
        Database.open("sqlite:////nonexistent-dir/x/y.sqlite3")


def test_data_dir_env_and_explicit(tmp_path, monkeypatch):
    from arxconsole.engine.datadir import DataDir

    monkeypatch.setenv("ARXCONSOLE_DATA_DIR", str(tmp_path / "env"))
    assert DataDir.resolve().root == (tmp_path / "env").resolve()
    assert DataDir.resolve(tmp_path / "cli").root == (tmp_path / "cli").resolve()
    assert os.path.isdir(DataDir.resolve().logs)


def test_data_dir_pointer_from_settings(tmp_path, monkeypatch):
    from arxconsole.engine import datadir

    monkeypatch.delenv("ARXCONSOLE_DATA_DIR")
    monkeypatch.setattr(datadir, "location_pointer_path", lambda: tmp_path / "cfg" / "location.json")
    datadir.write_location_pointer(tmp_path / "moved")
    assert datadir.DataDir.resolve().root == (tmp_path / "moved").resolve()
    # env and --data-dir still win over the pointer
    monkeypatch.setenv("ARXCONSOLE_DATA_DIR", str(tmp_path / "env"))
    assert datadir.DataDir.resolve().root == (tmp_path / "env").resolve()
    datadir.write_location_pointer(None)
    assert datadir.read_location_pointer() is None
    (tmp_path / "cfg" / "location.json").write_text("garbage")
    assert datadir.read_location_pointer() is None  # a damaged pointer falls back to the default


def test_an_unusable_data_dir_is_named_with_where_it_came_from(tmp_path, monkeypatch):
    from arxconsole.engine import datadir

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(datadir.DataDirError, match=r"a-file \(from --data-dir\): .*a-file is a file, not a folder"):
        datadir.DataDir.resolve(blocker)
    monkeypatch.setenv("ARXCONSOLE_DATA_DIR", str(blocker / "below"))
    with pytest.raises(datadir.DataDirError, match=r"from \$ARXCONSOLE_DATA_DIR\): .*a-file is a file, not a folder"):
        datadir.DataDir.resolve()
    # the pointer written by Settings going bad later says so
    monkeypatch.delenv("ARXCONSOLE_DATA_DIR")
    monkeypatch.setattr(datadir, "location_pointer_path", lambda: tmp_path / "cfg" / "location.json")
    datadir.write_location_pointer(blocker)
    with pytest.raises(datadir.DataDirError, match="chosen in Settings"):
        datadir.DataDir.resolve()
    # a file where a sub-folder belongs
    good = datadir.DataDir.resolve(tmp_path / "data")
    (good.root / "logs").write_text("not a folder")
    with pytest.raises(datadir.DataDirError, match="logs is a file, not a folder"):
        good.logs


@pytest.mark.parametrize("text, words", [('{"id": "abc', "Unterminated string starting at line 1 column 8"),
                                         ('{"id": "a\x01"}', "Invalid control character at line 1 column 10")])
def test_json_problems_read_as_one_sentence(tmp_path, text, words):
    from arxconsole.engine.symbols.model import read_json_object

    path = tmp_path / "EL_Bad_001.json"
    path.write_text(text, encoding="utf-8")
    data, findings = read_json_object(path)
    assert data is None and len(findings) == 1
    assert words in findings[0].message and " at at " not in findings[0].message
