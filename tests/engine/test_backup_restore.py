"""Restore: point in time, selections, refusals, crash recovery, undo."""

from __future__ import annotations

import errno
import json
import os

import pytest

from arxconsole.engine.backup import (BackupRepository, ManifestDamaged, UnsafePathError, create_backup,
                                      plan_restore, recover_interrupted, restore_backup, verify_backup)
from arxconsole.engine.backup import restore as restore_mod
from arxconsole.engine.backup.manifest import FileEntry, Manifest
from arxconsole.engine.backup.restore import STAGING_DIR, RestoreRefused
from arxconsole.engine.errors import UserError
from arxconsole.engine.progress import CancelToken, Cancelled
from tests.engine.test_backup_helpers import make_workspace, snapshot
from tests.engine.test_backup_helpers import repo, ws  # noqa: F401 - fixtures


def break_things(ws):
    """Edit two symbols, delete a profile, add a file: the usual bad afternoon."""
    p = ws.symbol_path("electrical", "EL_Thing_000")
    p.write_text(p.read_text().replace("#000", "#bad"))
    q = ws.symbol_path("audiovisual", "AV_Thing_001")
    q.write_text("{ not json")
    ws.profile_path("electrical", "thing").unlink()
    (ws.root / "docs" / "systems" / "notes.md").write_text("created after the backup")


def test_full_restore_is_point_in_time_and_takes_a_safety_backup(ws, repo, db):
    before = snapshot(ws)
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    result = restore_backup(ws, repo, m.id, db=db)
    assert snapshot(ws) == before
    assert "docs/systems/notes.md" in result.removed
    assert not (ws.root / STAGING_DIR).exists()
    safety = repo.load(result.safety_backup_id)
    assert safety.reason == "before_restore" and {f.path: f.hash for f in safety.files} == broken
    # its note names the restored backup by time, for a person scanning the list (not by id)
    assert safety.message == f"before restoring the backup of {m.created_at[:16].replace('T', ' ')} UTC"
    assert ("backup.restore", m.id) in [(e.action, e.target) for e in db.audit_events("backup.")]
    # ...and undo puts the broken state back, from the same screen
    restore_backup(ws, repo, result.safety_backup_id)
    assert snapshot(ws) == broken


def test_restored_files_get_their_mode_and_mtime_back(ws, repo):
    p = ws.profile_path("electrical", "thing")
    os.chmod(p, 0o600)
    st = p.stat()
    m = create_backup(ws, repo)
    p.unlink()
    restore_backup(ws, repo, m.id)
    assert p.stat().st_mode & 0o777 == 0o600 and p.stat().st_mtime_ns == st.st_mtime_ns


def test_selected_paths_restore_touches_nothing_else(ws, repo):
    before = snapshot(ws)
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    target = "arx-symbol-library/electrical/EL_Thing_000.json"
    result = restore_backup(ws, repo, m.id, paths=[target])
    now = snapshot(ws)
    assert result.written == [target] and result.removed == []
    assert now[target] == before[target]
    assert {k: v for k, v in now.items() if k != target} == {k: v for k, v in broken.items() if k != target}


def test_folder_selection_is_point_in_time_inside_that_folder(ws, repo):
    before = snapshot(ws)
    m = create_backup(ws, repo)
    break_things(ws)
    restore_backup(ws, repo, m.id, paths=["docs/"])
    now = snapshot(ws)
    assert "docs/systems/notes.md" not in now
    assert now["arx-symbol-library/audiovisual/AV_Thing_001.json"] != before[
        "arx-symbol-library/audiovisual/AV_Thing_001.json"]


def test_system_restore_only_restores_that_system(ws, repo):
    before = snapshot(ws)
    m = create_backup(ws, repo)
    break_things(ws)
    restore_backup(ws, repo, m.id, system="electrical")
    now = snapshot(ws)
    assert now["behavior/electrical/thing.yaml"] == before["behavior/electrical/thing.yaml"]
    assert now["arx-symbol-library/electrical/EL_Thing_000.json"] == before[
        "arx-symbol-library/electrical/EL_Thing_000.json"]
    assert now["arx-symbol-library/audiovisual/AV_Thing_001.json"] != before[
        "arx-symbol-library/audiovisual/AV_Thing_001.json"]


def test_partial_backup_restore_never_removes_files_outside_its_scope(ws, repo):
    m = create_backup(ws, repo, kind="symbols", system="electrical")
    (ws.root / "schemas" / "electrical" / "extra.json").write_text("{}")
    extra = ws.symbol_path("electrical", "EL_Extra_000")
    extra.write_text("{}")
    result = restore_backup(ws, repo, m.id)
    assert result.removed == ["arx-symbol-library/electrical/EL_Extra_000.json"]
    assert (ws.root / "schemas" / "electrical" / "extra.json").exists()


def test_selection_that_matches_nothing_is_a_user_error(ws, repo):
    m = create_backup(ws, repo)
    with pytest.raises(UserError, match="not in backup"):
        plan_restore(ws, repo, m.id, paths=["schemas/nowhere"])
    with pytest.raises(UserError, match=r"'\.\.'"):
        plan_restore(ws, repo, m.id, paths=["../outside"])


def test_plan_lists_what_would_change_without_changing_anything(ws, repo):
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    plan = plan_restore(ws, repo, m.id)
    assert [e.path for e in plan.writes] == ["arx-symbol-library/audiovisual/AV_Thing_001.json",
                                            "arx-symbol-library/electrical/EL_Thing_000.json",
                                            "behavior/electrical/thing.yaml"]
    assert plan.removes == ["docs/systems/notes.md"]
    assert "remove  docs/systems/notes.md" in plan.describe()
    assert snapshot(ws) == broken


@pytest.mark.parametrize("damage", ["flip-object", "missing-object", "truncated-manifest"])
def test_damaged_backup_is_refused_and_workspace_untouched(ws, repo, damage):
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    victim = m.by_path()["arx-symbol-library/electrical/EL_Thing_000.json"]
    obj = repo.objects.path_for(victim.hash)
    if damage == "flip-object":
        data = bytearray(obj.read_bytes())
        data[len(data) // 2] ^= 0x10
        obj.write_bytes(bytes(data))
    elif damage == "missing-object":
        obj.unlink()
    else:
        path = repo.manifest_path(m.id)
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises((RestoreRefused, ManifestDamaged)) as info:
        restore_backup(ws, repo, m.id)
    if damage != "truncated-manifest":
        assert "EL_Thing_000.json" in str(info.value)
    assert snapshot(ws) == broken
    assert not (ws.root / STAGING_DIR).exists()
    assert not verify_backup(repo, m.id).ok
    # a refused restore leaves no "before a restore" backup behind in the list (nothing
    # changed, so it was not needed); it stays undoable among the deleted ones
    if damage != "truncated-manifest":
        assert [r.id for r in repo.list()] == [m.id]
        others = [(r.state, r.manifest.reason) for r in repo.list(include_deleted=True) if r.id != m.id]
        # a missing object is found before the safety backup is taken; bad content while staging
        assert others == ([("deleted", "before_restore")] if damage == "flip-object" else [])


def test_damage_in_a_file_the_workspace_already_has_still_refuses(ws, repo):
    m = create_backup(ws, repo)
    ws.profile_path("electrical", "thing").write_text("changed")
    same = m.by_path()["schemas/audiovisual/schema.json"]   # unchanged in the workspace
    obj = repo.objects.path_for(same.hash)
    obj.write_bytes(obj.read_bytes()[:-2] + b"xx")
    before = snapshot(ws)
    with pytest.raises(RestoreRefused, match="schemas/audiovisual/schema.json"):
        restore_backup(ws, repo, m.id, safety_backup=False)
    assert snapshot(ws) == before
    # With the safety backup first (the default), that backup reads the unchanged file,
    # finds the stored copy damaged and stores it again (same bytes, same hash): the
    # restore then has every object it needs, verified, and the old backup is whole.
    assert not verify_backup(repo, m.id).ok
    restore_backup(ws, repo, m.id)
    assert verify_backup(repo, m.id).ok
    assert ws.profile_path("electrical", "thing").read_text() != "changed"


def crafted(repo, path: str, ws) -> str:
    good = create_backup(ws, repo)
    entry = good.files[0]
    bad = Manifest(id=repo.new_id(), created_at=good.created_at, kind="full", scope=[""], reason="manual",
                   files=[FileEntry(path, entry.hash, entry.size, 0o644, 0, 0)], workspace=str(ws.root))
    repo.manifest_path(bad.id).write_bytes(bad.to_bytes())
    return bad.id


@pytest.mark.parametrize("path", ["../escaped.json", "/tmp/abs.json", "schemas/../../escaped.json",
                                  ".arxconsole-staging/x", "C:/win.json", "a\\..\\b"])
def test_crafted_manifest_with_hostile_path_is_refused(ws, repo, tmp_path, path):
    bid = crafted(repo, path, ws)
    before = snapshot(ws)
    with pytest.raises(UnsafePathError):
        restore_backup(ws, repo, bid)
    assert snapshot(ws) == before
    assert not (tmp_path / "escaped.json").exists() and not os.path.exists("/tmp/abs.json")
    assert {r.id: r.state for r in repo.list()}[bid] == "damaged"


def test_restore_through_a_folder_link_leading_outside_is_refused(ws, repo, tmp_path):
    m = create_backup(ws, repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = ws.root / "behavior" / "electrical"
    for f in target.iterdir():
        f.unlink()
    target.rmdir()
    target.symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="outside"):
        restore_backup(ws, repo, m.id, safety_backup=False)
    assert list(outside.iterdir()) == []


def test_disk_full_while_staging_changes_nothing(ws, repo, monkeypatch):
    from arxconsole.engine import durable

    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(durable, "write_new_file", full)
    with pytest.raises(UserError, match="No space left"):
        restore_backup(ws, repo, m.id)
    assert snapshot(ws) == broken
    assert not (ws.root / STAGING_DIR).exists()


def test_failure_while_swapping_rolls_back_in_process(ws, repo, monkeypatch):
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(restore_mod.os, "replace", flaky)
    with pytest.raises(UserError, match="put back"):
        restore_backup(ws, repo, m.id, safety_backup=False)
    monkeypatch.undo()
    assert snapshot(ws) == broken


class Crash(BaseException):
    """Stands in for SIGKILL: nothing after it runs (the in-process rollback is disabled)."""


@pytest.mark.parametrize("label,nth,expect", [
    ("restore.stage", 2, "old"), ("restore.journal", 1, "old"), ("restore.move-aside", 1, "old"),
    ("restore.swap-in", 2, "old"), ("restore.move-aside", 3, "old"), ("restore.commit", 1, "old"),
    ("restore.committed", 1, "new"), ("restore.cleanup", 1, "new"),
])
def test_crash_at_any_point_recovers_to_old_or_restored_state(ws, repo, monkeypatch, label, nth, expect):
    wanted = snapshot(ws)
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    seen = {"n": 0}

    def point(name):
        if name == label:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(name)

    monkeypatch.setattr(restore_mod.faults, "point", point)
    monkeypatch.setattr(restore_mod, "_rollback", lambda *a: None)
    monkeypatch.setattr(restore_mod.shutil, "rmtree", lambda *a, **k: None)
    with pytest.raises(Crash):
        restore_backup(ws, repo, m.id, safety_backup=False)
    monkeypatch.undo()
    done = recover_interrupted(ws)
    assert done
    assert snapshot(ws) == (broken if expect == "old" else wanted)
    assert not (ws.root / STAGING_DIR).exists()
    assert recover_interrupted(ws) == []


def test_recovery_itself_can_be_interrupted_and_rerun(ws, repo, monkeypatch):
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    n = {"swap": 0}

    def point(name):
        if name == "restore.swap-in":
            n["swap"] += 1
            if n["swap"] == 3:
                raise Crash(name)

    monkeypatch.setattr(restore_mod.faults, "point", point)
    monkeypatch.setattr(restore_mod, "_rollback", lambda *a: None)
    monkeypatch.setattr(restore_mod.shutil, "rmtree", lambda *a, **k: None)
    with pytest.raises(Crash):
        restore_backup(ws, repo, m.id, safety_backup=False)
    monkeypatch.undo()
    # first recovery attempt dies after one step
    real_point = restore_mod.faults.point
    k = {"n": 0}

    def die_once(name):
        if name.startswith("recover."):
            k["n"] += 1
            if k["n"] == 2:
                raise Crash(name)

    monkeypatch.setattr(restore_mod.faults, "point", die_once)
    with pytest.raises(Crash):
        recover_interrupted(ws)
    monkeypatch.setattr(restore_mod.faults, "point", real_point)
    recover_interrupted(ws)
    assert snapshot(ws) == broken


def test_cancel_during_staging_changes_nothing(ws, repo):
    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        restore_backup(ws, repo, m.id, cancel=token, safety_backup=False)
    assert snapshot(ws) == broken
    assert not (ws.root / STAGING_DIR).exists()


def test_hook_creates_a_before_run_backup(ws, data_dir, db):
    from arxconsole.engine.backup import backup_before_run

    m = backup_before_run(ws, db, data_dir, run_id=42, system="electrical")
    assert m.reason == "before_run" and m.run_id == "42" and m.kind == "full"
    assert json.loads(BackupRepository.for_data_dir(data_dir).manifest_path(m.id).read_bytes().split(b"\n")[0])[
        "reason"] == "before_run"


def test_disk_full_while_writing_the_journal_changes_nothing(ws, repo, monkeypatch):
    from arxconsole.engine import durable

    m = create_backup(ws, repo)
    break_things(ws)
    broken = snapshot(ws)
    real = durable.write_json

    def full(path, obj):
        if str(path).endswith("journal.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, obj)

    monkeypatch.setattr(durable, "write_json", full)
    with pytest.raises(UserError, match="nothing in the workspace changed"):
        restore_backup(ws, repo, m.id)
    assert snapshot(ws) == broken and not (ws.root / STAGING_DIR).exists()


def rewrite_all_symbols(ws):
    """Every file under arx-symbol-library/ differs, plus an extra one: a folder-level swap."""
    for p in ws.symbol_files():
        p.write_text(p.read_text().replace("#000", "#123"))
    (ws.symbols_dir("electrical") / "EL_New_000.json").write_text("{}")


def test_full_restore_swaps_a_fully_changed_folder_as_one_unit(ws, repo, monkeypatch):
    from arxconsole.engine import durable

    before = snapshot(ws)
    m = create_backup(ws, repo)
    rewrite_all_symbols(ws)
    ws.schema_path("electrical").write_text("{}")
    journals = []
    real = durable.write_json

    def capture(path, obj):
        if str(path).endswith("journal.json"):
            journals.append(obj)
        return real(path, obj)

    monkeypatch.setattr(durable, "write_json", capture)
    result = restore_backup(ws, repo, m.id)
    assert snapshot(ws) == before
    ops = {op["path"]: op["action"] for op in journals[0]["ops"]}
    assert ops == {"arx-symbol-library": "write", "schemas/electrical/schema.json": "write"}
    assert "arx-symbol-library/electrical/EL_New_000.json" in result.removed  # still reported per file


def test_folder_swap_is_not_used_when_the_folder_holds_console_files(ws, repo, monkeypatch):
    from arxconsole.engine import durable

    m = create_backup(ws, repo)
    rewrite_all_symbols(ws)
    keep = ws.symbols_dir("electrical") / ".arxconsole-journal"
    keep.mkdir()
    (keep / "x").write_text("pipeline journal")
    journals = []
    real = durable.write_json
    monkeypatch.setattr(durable, "write_json",
                        lambda path, obj: (journals.append(obj) if str(path).endswith("journal.json") else None,
                                           real(path, obj))[1])
    restore_backup(ws, repo, m.id)
    assert all(op["path"] != "arx-symbol-library" for op in journals[0]["ops"])
    assert (keep / "x").read_text() == "pipeline journal"


@pytest.mark.parametrize("label,nth,expect", [
    ("restore.move-aside", 1, "old"), ("restore.swap-in", 1, "old"), ("restore.move-aside", 2, "old"),
    ("restore.swap-in", 2, "old"), ("restore.committed", 1, "new"),
])
def test_crash_during_folder_swap_recovers(ws, repo, monkeypatch, label, nth, expect):
    wanted = snapshot(ws)
    m = create_backup(ws, repo)
    rewrite_all_symbols(ws)
    ws.schema_path("electrical").write_text("{}")
    broken = snapshot(ws)
    seen = {"n": 0}

    def point(name):
        if name == label:
            seen["n"] += 1
            if seen["n"] == nth:
                raise Crash(name)

    monkeypatch.setattr(restore_mod.faults, "point", point)
    monkeypatch.setattr(restore_mod, "_rollback", lambda *a: None)
    monkeypatch.setattr(restore_mod.shutil, "rmtree", lambda *a, **k: None)
    with pytest.raises(Crash):
        restore_backup(ws, repo, m.id, safety_backup=False)
    monkeypatch.undo()
    assert recover_interrupted(ws)
    assert snapshot(ws) == (broken if expect == "old" else wanted)
    assert not (ws.root / STAGING_DIR).exists()


def test_restore_into_an_empty_workspace(ws, repo, tmp_path):
    from arxconsole.engine.workspace import Workspace

    before = snapshot(ws)
    m = create_backup(ws, repo)
    fresh = Workspace.create(tmp_path / "fresh")
    restore_backup(fresh, repo, m.id)
    assert snapshot(fresh) == before


def test_crafted_manifest_entry_claiming_to_be_a_link_is_refused(ws, repo, tmp_path):
    good = create_backup(ws, repo)
    entry = good.files[0]
    bad = Manifest(id=repo.new_id(), created_at=good.created_at, kind="full", scope=[""], reason="manual",
                   files=[FileEntry("schemas/link.json", entry.hash, entry.size, 0o120777, 0, 0)],
                   workspace=str(ws.root))
    repo.manifest_path(bad.id).write_bytes(bad.to_bytes())
    before = snapshot(ws)
    with pytest.raises(UnsafePathError, match="not a regular file"):
        restore_backup(ws, repo, bad.id)
    assert snapshot(ws) == before and not os.path.lexists(ws.root / "schemas" / "link.json")
    assert not verify_backup(repo, bad.id).ok


def test_system_selection_on_a_part_backup_restores_that_part(ws, repo):
    before = snapshot(ws)
    m = create_backup(ws, repo, kind="symbols")
    break_things(ws)
    result = restore_backup(ws, repo, m.id, system="electrical")
    assert result.written == ["arx-symbol-library/electrical/EL_Thing_000.json"]
    now = snapshot(ws)
    assert now["arx-symbol-library/electrical/EL_Thing_000.json"] == before[
        "arx-symbol-library/electrical/EL_Thing_000.json"]
    assert "behavior/electrical/thing.yaml" not in now   # outside the symbols backup: untouched
    with pytest.raises(UserError, match="nowhere: not in backup"):
        plan_restore(ws, repo, m.id, system="nowhere")
