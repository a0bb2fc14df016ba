"""Creating and verifying backups: content store, manifests, kinds, ids, faults."""

from __future__ import annotations

import errno
import json
import os
import time

import pytest

from arxconsole.engine.backup import (BackupRepository, ManifestDamaged, UnsafePathError, create_backup,
                                      verify_backup)
from arxconsole.engine.backup import objects as objects_mod
from arxconsole.engine.backup.manifest import load
from arxconsole.engine.errors import UserError
from arxconsole.engine.progress import CancelToken, Cancelled
from tests.engine.test_backup_helpers import make_workspace
from tests.engine.test_backup_helpers import repo, ws  # noqa: F401 - fixtures


def test_full_backup_stores_each_content_once_and_manifest_lists_every_file(ws, repo):
    (ws.root / "arx-symbol-library/electrical/EL_Copy_000.json").write_bytes(
        ws.symbol_path("electrical", "EL_Thing_000").read_bytes())
    m = create_backup(ws, repo, message="first")
    paths = [f.path for f in m.files]
    assert paths == sorted(ws.relative(p) for p in ws.iter_content_files())
    assert "schemas/electrical/schema.json" in paths and "systems.json" in paths
    # two files with the same bytes share one object
    assert len({f.hash for f in m.files}) == len(m.files) - 1
    assert len(list(repo.objects.iter_digests())) == len(m.files) - 1
    assert load(repo.manifest_path(m.id)).message == "first"
    assert m.totals["files"] == len(paths) and m.totals["new_bytes_stored"] > 0


def test_internal_files_are_never_backed_up(ws, repo):
    (ws.root / ".arxconsole.lock").write_text("pid 1")
    (ws.root / ".arxconsole-staging").mkdir()
    (ws.root / ".arxconsole-staging" / "x").write_text("x")
    (ws.root / "schemas" / ".arx-tmp-123").write_text("half")
    m = create_backup(ws, repo)
    assert not [f.path for f in m.files if ".arx" in f.path]


def test_second_backup_of_unchanged_workspace_stores_nothing_new(ws, repo):
    create_backup(ws, repo)
    before = set(repo.objects.iter_digests())
    m2 = create_backup(ws, repo)
    assert m2.totals["new_bytes_stored"] == 0
    assert set(repo.objects.iter_digests()) == before


def test_changed_file_is_rehashed_even_with_same_size_and_mtime_of_other_inode(ws, repo):
    m1 = create_backup(ws, repo)
    p = ws.symbol_path("electrical", "EL_Thing_000")
    st = p.stat()
    data = p.read_bytes().replace(b"#000", b"#f00")
    assert len(data) == st.st_size
    tmp = p.with_name("edited.tmp")
    tmp.write_bytes(data)                     # another inode (the old one is still in use)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime
    os.replace(tmp, p)
    assert p.stat().st_ino != st.st_ino
    m2 = create_backup(ws, repo)
    old, new = m1.by_path()[ws.relative(p)], m2.by_path()[ws.relative(p)]
    assert old.hash != new.hash


def test_compression_is_used_for_text_and_skipped_for_random_bytes(ws, repo):
    (ws.root / "docs" / "photo.bin").write_bytes(os.urandom(50_000))
    m = create_backup(ws, repo)
    by = m.by_path()
    photo = repo.objects.path_for(by["docs/photo.bin"].hash).read_bytes()
    assert photo[4:5] == b"r" and len(photo) == 50_000 + 5
    big_text = ws.root / "docs" / "big.md"
    big_text.write_text("line of documentation text\n" * 5000)
    m = create_backup(ws, repo)
    stored = repo.objects.path_for(m.by_path()["docs/big.md"].hash).read_bytes()
    assert stored[4:5] == b"z" and len(stored) < big_text.stat().st_size / 10


def test_large_files_are_streamed_and_verified(ws, repo, monkeypatch):
    monkeypatch.setattr(objects_mod, "SMALL", 1000)
    monkeypatch.setattr(objects_mod, "CHUNK", 4096)
    big = ws.root / "docs" / "big.bin"
    big.write_bytes(os.urandom(20_000) + b"a" * 30_000)
    m = create_backup(ws, repo)
    entry = m.by_path()["docs/big.bin"]
    assert repo.objects.read_verified(entry.hash, entry.size) == big.read_bytes()
    assert verify_backup(repo, m.id).ok


@pytest.mark.parametrize("kind,system,expect,absent", [
    ("system", "electrical", {"schemas/electrical/schema.json", "behavior/electrical/thing.yaml",
                              "docs/systems/electrical.md", "arx-symbol-library/electrical/EL_Thing_002.json"},
     {"schemas/audiovisual/schema.json", "systems.json"}),
    ("schema", None, {"schemas/electrical/schema.json", "schemas/audiovisual/schema.json"},
     {"behavior/electrical/thing.yaml"}),
    ("symbols", "audiovisual", {"arx-symbol-library/audiovisual/AV_Thing_000.json"},
     {"arx-symbol-library/electrical/EL_Thing_000.json"}),
    ("behavior", None, {"behavior/electrical/thing.yaml", "behavior/audiovisual/thing.yaml"},
     {"schemas/electrical/schema.json"}),
])
def test_partial_kinds_cover_only_their_paths(ws, repo, kind, system, expect, absent):
    m = create_backup(ws, repo, kind=kind, system=system)
    paths = {f.path for f in m.files}
    assert expect <= paths and not (absent & paths)
    assert m.kind == kind and m.system == system


def test_bad_kind_reason_and_system_are_user_errors(ws, repo):
    with pytest.raises(UserError, match="unknown backup kind"):
        create_backup(ws, repo, kind="weekly")
    with pytest.raises(UserError, match="needs a system"):
        create_backup(ws, repo, kind="system")
    with pytest.raises(UserError, match="not a valid system"):
        create_backup(ws, repo, kind="system", system="../etc")
    with pytest.raises(UserError, match="unknown backup reason"):
        create_backup(ws, repo, reason="because")
    assert repo.list() == []


def test_ids_are_unique_and_sortable(repo, monkeypatch):
    ids = [repo.new_id() for _ in range(200)]
    assert len(set(ids)) == 200 and ids == sorted(ids)
    # a colliding random part is detected and redrawn
    first = repo.new_id()
    (repo.manifests_dir / f"{first}.json").write_text("x")
    tokens = iter([first.split("-")[1], "00000000"])
    monkeypatch.setattr("arxconsole.engine.backup.repository.secrets.token_hex", lambda n: next(tokens))
    frozen = first.split("-")[0]
    import datetime as dt
    moment = dt.datetime.strptime(frozen[:-1], "%Y%m%dT%H%M%S%f")

    class FrozenNow:
        @staticmethod
        def now(tz):
            return moment.replace(tzinfo=tz)

    monkeypatch.setattr("arxconsole.engine.backup.repository.dt.datetime", FrozenNow)
    assert repo.new_id() == f"{frozen}-00000000"


def test_progress_is_reported_and_cancel_leaves_no_backup(ws, repo):
    seen = []
    create_backup(ws, repo, progress=lambda d, t, m: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == len(list(ws.iter_content_files()))
    (ws.root / "docs" / "new.md").write_text("new")
    token = CancelToken()

    def cancel_soon(done, total, message):
        token.cancel()

    before = len(repo.list())
    with pytest.raises(Cancelled):
        create_backup(ws, repo, progress=cancel_soon, cancel=token)
    assert len(repo.list()) == before
    assert list(repo.pending_dir.iterdir()) == []


def test_verify_reports_flipped_byte_missing_object_and_truncated_manifest(ws, repo):
    m = create_backup(ws, repo)
    assert verify_backup(repo, m.id).ok
    by = m.by_path()
    victim = by["schemas/electrical/schema.json"]
    obj = repo.objects.path_for(victim.hash)
    data = bytearray(obj.read_bytes())
    data[-3] ^= 0x01
    obj.write_bytes(bytes(data))
    gone = by["behavior/audiovisual/thing.yaml"]
    repo.objects.path_for(gone.hash).unlink()
    report = verify_backup(repo, m.id)
    assert not report.ok
    problems = {p.path: p.problem for p in report.problems}
    assert set(problems) == {"schemas/electrical/schema.json", "behavior/audiovisual/thing.yaml"}
    assert "missing" in problems["behavior/audiovisual/thing.yaml"]
    assert "damaged" in problems["schemas/electrical/schema.json"]

    m2 = create_backup(ws, repo)
    path = repo.manifest_path(m2.id)
    path.write_bytes(path.read_bytes()[:-40])
    report = verify_backup(repo, m2.id)
    assert not report.ok and "truncated or altered" in report.problems[0].problem
    assert report.problems[0].path == str(path) and str(path) not in report.problems[0].problem  # said once
    states = {r.id: r.state for r in repo.list()}
    assert states[m2.id] == "damaged"


def test_a_new_backup_never_shares_a_damaged_object_and_repairs_it(ws, repo):
    # The reviewer's case: bytes appended to a stored object; the next backup of the
    # unchanged workspace must not name it as good (it would not restore), and storing
    # a fresh copy repairs the earlier backup that names the same content.
    m1 = create_backup(ws, repo)
    victim = m1.by_path()["schemas/electrical/schema.json"]
    obj = repo.objects.path_for(victim.hash)
    obj.write_bytes(obj.read_bytes() + b"trailing junk")
    later = time.time_ns() + 1_000_000_000   # written after m1, whatever the clock's grain
    os.utime(obj, ns=(later, later))
    assert not verify_backup(repo, m1.id).ok
    m2 = create_backup(ws, repo)
    assert m2.totals["new_bytes_stored"] > 0
    assert verify_backup(repo, m2.id).ok
    assert verify_backup(repo, m1.id).ok          # same content, same object: repaired too
    # a file whose content matches a damaged object, reached by hashing (not by the
    # unchanged-file shortcut): the damaged object is not shared either
    copy = ws.root / "schemas" / "electrical" / "copy-of-schema.json"
    copy.write_bytes((ws.root / "schemas/electrical/schema.json").read_bytes())
    data = bytearray(obj.read_bytes())
    data[-3] ^= 0x01
    obj.write_bytes(bytes(data))
    os.utime(obj, ns=(0, 0))                      # even with an mtime that looks old
    m3 = create_backup(ws, repo)
    assert m3.by_path()["schemas/electrical/copy-of-schema.json"].hash == victim.hash
    assert verify_backup(repo, m3.id).ok


def test_objects_are_trusted_by_stat_only_when_size_and_mtime_allow_it(ws, repo):
    m = create_backup(ws, repo)
    entry = m.by_path()["schemas/electrical/schema.json"]
    obj = repo.objects.path_for(entry.hash)
    later = obj.stat().st_mtime_ns + 10
    assert repo.objects.looks_intact(entry.hash, entry.size, later)
    assert not repo.objects.looks_intact(entry.hash, entry.size, obj.stat().st_mtime_ns - 1)   # written into since
    assert not repo.objects.looks_intact(entry.hash, entry.size - 10_000, later)   # cannot hold that size
    assert not repo.objects.looks_intact("0" * 64, entry.size, later)             # missing


@pytest.mark.parametrize("edit", ["flip-header", "flip-files", "truncate-header"])
def test_any_manifest_corruption_is_detected(ws, repo, edit):
    m = create_backup(ws, repo)
    path = repo.manifest_path(m.id)
    raw = bytearray(path.read_bytes())
    if edit == "flip-header":
        raw[raw.index(b'"message"') + 2] ^= 0x20
    elif edit == "flip-files":
        raw[-50] ^= 0x04
    else:
        raw = raw[:30]
    path.write_bytes(bytes(raw))
    with pytest.raises(ManifestDamaged, match=m.id):
        repo.load(m.id)
    assert [r.state for r in repo.list()] == ["damaged"]


def test_symlink_pointing_outside_is_refused(ws, repo, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (ws.root / "schemas" / "leak.json").symlink_to(secret)
    with pytest.raises(UnsafePathError, match="outside the workspace"):
        create_backup(ws, repo)
    (ws.root / "schemas" / "leak.json").unlink()
    (ws.root / "behavior" / "linked").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UnsafePathError, match="outside the workspace"):
        create_backup(ws, repo)
    assert repo.list() == []


def test_symlink_inside_workspace_is_backed_up_as_its_content(ws, repo):
    (ws.root / "docs" / "alias.md").symlink_to(ws.docs_path("electrical"))
    m = create_backup(ws, repo)
    e = m.by_path()["docs/alias.md"]
    assert repo.objects.read_verified(e.hash, e.size) == ws.docs_path("electrical").read_bytes()


def test_disk_full_while_storing_gives_clear_error_and_no_backup(ws, repo, monkeypatch):
    create_backup(ws, repo)
    (ws.root / "docs" / "new.md").write_text("brand new content")
    real_replace = os.replace

    def full(src, dst):
        if "objects" in str(dst):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(UserError, match="no space left"):
        create_backup(ws, repo)
    monkeypatch.undo()
    assert len(repo.list()) == 1
    leftovers = [p for p in repo.root.rglob("*") if p.name.startswith(".arx-tmp-")]
    assert leftovers == []
    assert list(repo.pending_dir.iterdir()) == []


def test_disk_full_while_writing_manifest_leaves_no_partial_backup(ws, repo, monkeypatch):
    from arxconsole.engine import durable

    real = durable.write_stream

    def full(path, fill, mode=None, *, sync=True):
        if str(path).endswith(".json") and "manifests" in str(path):
            def half(fh):
                fh.write(b'{"format": "arxcon')
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(path, half, mode, sync=sync)
        return real(path, fill, mode, sync=sync)

    monkeypatch.setattr(durable, "write_stream", full)
    with pytest.raises(UserError, match="no backup was recorded"):
        create_backup(ws, repo)
    monkeypatch.undo()
    assert repo.list() == []
    assert list(repo.manifests_dir.iterdir()) == []


def test_audit_records_create_and_verify(ws, repo, db):
    m = create_backup(ws, repo, db=db, message="audited")
    verify_backup(repo, m.id, db=db)
    actions = [(e.action, e.target) for e in db.audit_events("backup.")]
    assert ("backup.create", m.id) in actions and ("backup.verify", m.id) in actions


def test_resolve_id_by_prefix_and_unknown_id(ws, repo):
    m = create_backup(ws, repo)
    assert repo.resolve_id(m.id[:20]) == m.id
    with pytest.raises(UserError, match="no such backup"):
        repo.load("nope")


def test_stale_pending_marker_triggers_recheck_of_new_objects(ws, repo):
    m = create_backup(ws, repo)
    # Simulate a power loss during an earlier create: a marker, and a truncated object.
    (repo.pending_dir / "20000101T000000000000Z-deadbeef").write_text("0\n")
    e = m.by_path()["schemas/electrical/schema.json"]
    obj = repo.objects.path_for(e.hash)
    obj.write_bytes(obj.read_bytes()[:7])
    assert repo.recover_stale_pending() == 1
    assert not obj.exists()
    assert list(repo.pending_dir.iterdir()) == []
    # the next backup stores the content again instead of trusting the broken object
    m2 = create_backup(ws, repo)
    assert verify_backup(repo, m2.id).ok
    assert json.loads(repo.objects.read_verified(e.hash, e.size))["system"] == "electrical"


def test_backups_inside_the_workspace_are_refused(ws):
    inside = BackupRepository(ws.root / "docs" / "backups")
    with pytest.raises(UserError, match="overlap"):
        create_backup(ws, inside)
    from arxconsole.engine.workspace import Workspace

    around = BackupRepository(ws.root.parent / "outer")
    nested = Workspace.create(around.root / "ws")
    with pytest.raises(UserError, match="overlap"):
        create_backup(nested, around)


def test_unreadable_file_is_a_clear_error(ws, repo, monkeypatch):
    from arxconsole.engine.backup import objects as objmod

    real_open = open

    def deny(path, *a, **k):
        if str(path).endswith("thing.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(objmod, "open", deny, raising=False)
    with pytest.raises(UserError, match="thing.yaml.*Permission denied"):
        create_backup(ws, repo)
    assert repo.list() == []
