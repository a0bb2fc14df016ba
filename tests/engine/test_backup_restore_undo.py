"""Undo of the last restore, read back from the audit log (engine.backup.undo): it
survives a restart (a new process, new objects), puts back the pre-restore bytes of
exactly the touched paths, names files edited since, and is offered once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from arxconsole.engine.backup import BackupRepository, create_backup, restore_backup
from arxconsole.engine.backup.undo import last_restore, plan_undo, undo_restore
from arxconsole.engine.errors import UserError
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database
from tests.conftest import PROJECT_ROOT
from tests.engine.test_backup_helpers import make_workspace, snapshot
from tests.engine.test_backup_helpers import repo, ws  # noqa: F401 - fixtures
from tests.engine.test_backup_restore import break_things

SYMBOLS = ["arx-symbol-library/electrical/EL_Thing_000.json", "arx-symbol-library/electrical/EL_Thing_001.json",
           "arx-symbol-library/audiovisual/AV_Thing_001.json"]

READ_BACK = """
import json, sys
from arxconsole.engine.backup import BackupRepository
from arxconsole.engine.backup.undo import last_restore
from arxconsole.engine.datadir import DataDir
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database

data_dir = DataDir.resolve(sys.argv[1])
db = Database.open(data_dir.database_url)
last = last_restore(Workspace.open(sys.argv[2]), BackupRepository.for_data_dir(data_dir), db)
print(json.dumps(None if last is None else last.to_json()))
db.close()
"""


def break_symbols(ws):
    for rel in SYMBOLS:
        p = ws.root / rel
        p.write_text(p.read_text().replace("#000", "#bad"))


def read_back_in_new_process(data_dir, ws):
    out = subprocess.run([sys.executable, "-c", READ_BACK, str(data_dir.root), str(ws.root)], check=True,
                         capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    return json.loads(out.stdout)


def test_last_restore_and_its_undo_state_are_read_back_in_a_new_process(ws, repo, data_dir):
    db = Database.open(data_dir.database_url)
    m = create_backup(ws, repo, message="yesterday", db=db)
    break_symbols(ws)
    broken = snapshot(ws)
    result = restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    db.close()

    # a restart: another process, nothing shared but the data dir
    seen = read_back_in_new_process(data_dir, ws)
    assert seen["undoable"] and seen["problem"] == "" and seen["undone_at"] is None
    assert seen["paths"] == sorted(SYMBOLS)
    assert seen["restore"]["backup"] == m.id and seen["restore"]["safety_backup"] == result.safety_backup_id
    assert seen["backup_created"] == m.created_at

    # new objects in this process undo it: the three files are broken again
    db2 = Database.open(data_dir.database_url)
    ws2, repo2 = Workspace.open(ws.root), BackupRepository.for_data_dir(data_dir)
    last = last_restore(ws2, repo2, db2)
    assert last.event_id == seen["event"] and last.undoable
    undo = undo_restore(ws2, repo2, db2, event_id=last.event_id)
    assert undo.undoes == last.event_id and undo.backup_id == result.safety_backup_id
    assert snapshot(ws) == broken
    db2.close()

    # ...and after yet another restart it is not offered again
    seen = read_back_in_new_process(data_dir, ws)
    assert seen["event"] == last.event_id and not seen["undoable"] and seen["undone_at"]
    db3 = Database.open(data_dir.database_url)
    with pytest.raises(UserError, match="already undone"):
        undo_restore(ws2, repo2, db3)
    db3.close()


def test_undo_of_a_full_restore_touches_only_its_paths(ws, repo, db):
    m = create_backup(ws, repo, db=db)
    break_things(ws)   # two edits, a profile deleted, docs/systems/notes.md created
    broken = snapshot(ws)
    result = restore_backup(ws, repo, m.id, db=db)
    assert result.removed == ["docs/systems/notes.md"]
    # an untouched file edited after the restore stays as it is
    (ws.root / "systems.json").write_text('{"systems": ["electrical"]}\n')
    later = snapshot(ws)["systems.json"]

    last = last_restore(ws, repo, db)
    undo = plan_undo(ws, repo, last)
    assert undo.changed_since == [] and not undo.unknown_since
    assert sorted([e.path for e in undo.plan.writes] + undo.plan.removes) == last.paths
    assert "docs/systems/notes.md" in [e.path for e in undo.plan.writes]   # the removed file comes back
    undo_restore(ws, repo, db, event_id=last.event_id)
    assert snapshot(ws) == {**broken, "systems.json": later}
    assert last_restore(ws, repo, db).undone_at is not None


def test_files_edited_after_the_restore_are_named_and_kept_in_the_undos_safety_backup(ws, repo, db):
    m = create_backup(ws, repo, db=db)
    break_symbols(ws)
    broken = snapshot(ws)
    restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    edited = ws.root / SYMBOLS[1]
    edited.write_text(edited.read_text().replace("#000", "#0f0"))
    edit = snapshot(ws)[SYMBOLS[1]]

    last = last_restore(ws, repo, db)
    undo = plan_undo(ws, repo, last)
    assert undo.changed_since == [SYMBOLS[1]]
    assert "1 of these files were changed after the restore" in undo.describe()
    result = undo_restore(ws, repo, db, event_id=last.event_id)
    assert snapshot(ws) == broken   # the pre-restore bytes, edited file included
    kept = {f.path: f.hash for f in repo.load(result.safety_backup_id).files}
    assert kept[SYMBOLS[1]] == edit   # the later edit is not lost


def test_not_offered_when_its_safety_backup_is_deleted_or_damaged(ws, repo, db):
    m = create_backup(ws, repo, db=db)
    break_symbols(ws)
    result = restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    sid = result.safety_backup_id

    repo.delete(sid, db=db)
    last = last_restore(ws, repo, db)
    assert not last.undoable and "was deleted; undelete it" in last.problem
    with pytest.raises(UserError, match="was deleted"):
        undo_restore(ws, repo, db)
    repo.undelete(sid, db=db)

    # damage the saved copy of one file the undo would put back (the broken bytes exist only there)
    entry = repo.load(sid).by_path()[SYMBOLS[0]]
    obj = repo.objects.path_for(entry.hash)
    data = bytearray(obj.read_bytes())
    data[len(data) // 2] ^= 0xFF
    os.chmod(obj, 0o644)
    obj.write_bytes(bytes(data))
    last = last_restore(ws, repo, db)
    assert not last.undoable and "damaged" in last.problem and SYMBOLS[0] in last.problem


def test_a_hand_made_undo_counts_and_a_newer_restore_replaces_the_offer(ws, repo, db, tmp_path):
    m = create_backup(ws, repo, db=db)
    break_symbols(ws)
    first = restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    # what the CLI prints as the undo: a restore from the safety backup of the same paths
    restore_backup(ws, repo, first.safety_backup_id, paths=first.selection, db=db)
    last = last_restore(ws, repo, db)
    assert last.result.safety_backup_id == first.safety_backup_id and not last.undoable
    assert last.undone_at is not None

    # another workspace has no restore of its own
    other = make_workspace(tmp_path / "other")
    assert last_restore(other, repo, db) is None

    second = restore_backup(ws, repo, m.id, paths=SYMBOLS[:1], db=db)
    last = last_restore(ws, repo, db)
    assert last.undoable and last.paths == SYMBOLS[:1] and last.result.safety_backup_id == second.safety_backup_id
    # an undo previewed for an older restore is refused once a newer one happened
    stale = last.event_id
    restore_backup(ws, repo, m.id, paths=SYMBOLS[1:2], db=db)
    with pytest.raises(UserError, match="changed since the undo was previewed"):
        undo_restore(ws, repo, db, event_id=stale)


def test_restoring_only_part_of_a_restore_from_its_safety_backup_is_not_its_undo(ws, repo, db):
    # The backup list offers the safety backup like any other: restoring one of the three
    # files from it is a restore of its own (offered for undo), not an undo of all three.
    m = create_backup(ws, repo, db=db)
    break_symbols(ws)
    first = restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    part = restore_backup(ws, repo, first.safety_backup_id, paths=SYMBOLS[:1], db=db)
    last = last_restore(ws, repo, db)
    assert last.undone_at is None and last.undoable
    assert last.result.safety_backup_id == part.safety_backup_id and last.paths == SYMBOLS[:1]
    # a restore that reaches all of its paths, here by their folder, is its undo
    again = restore_backup(ws, repo, m.id, paths=SYMBOLS, db=db)
    restore_backup(ws, repo, again.safety_backup_id, paths=["arx-symbol-library"], db=db)
    last = last_restore(ws, repo, db)
    assert last.result.safety_backup_id == again.safety_backup_id
    assert last.undone_at is not None and not last.undoable


def test_undo_removes_what_the_restore_created_and_skips_what_is_already_gone(ws, repo, db):
    m = create_backup(ws, repo, db=db)
    ws.profile_path("electrical", "thing").unlink()
    (ws.root / "arx-symbol-library/audiovisual/AV_Thing_002.json").unlink()
    before = snapshot(ws)
    restore_backup(ws, repo, m.id, paths=["behavior/electrical/thing.yaml",
                                          "arx-symbol-library/audiovisual/AV_Thing_002.json"], db=db)
    (ws.root / "arx-symbol-library/audiovisual/AV_Thing_002.json").unlink()   # gone again by hand
    result = undo_restore(ws, repo, db)
    assert result.removed == ["behavior/electrical/thing.yaml"] and result.selection == result.removed
    assert snapshot(ws) == before
