"""Retention (keep last N + one per day for D days), soft delete, undelete, purge."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from arxconsole.engine.backup import apply_retention, create_backup, plan_retention, verify_backup
from arxconsole.engine.backup import repository as repo_mod
from arxconsole.engine.backup.manifest import Manifest
from arxconsole.engine.backup.repository import BackupRecord
from arxconsole.engine.errors import UserError
from tests.engine.test_backup_helpers import make_workspace
from tests.engine.test_backup_helpers import repo, ws  # noqa: F401 - fixtures

NOW = dt.datetime(2026, 12, 3, 18, 0, tzinfo=dt.timezone.utc)


def rec(bid: str, when: dt.datetime, ws: str = "/ws") -> BackupRecord:
    m = Manifest(id=bid, created_at=when.isoformat().replace("+00:00", "Z"), kind="full", scope=[""],
                 reason="manual", files=[], workspace=ws)
    return BackupRecord(bid, "ok", m)


def test_keep_last_and_daily_rules_explain_every_decision():
    records = [
        rec("a", NOW - dt.timedelta(days=10)),                 # too old
        rec("b", NOW - dt.timedelta(days=2, hours=3)),         # older of day -2
        rec("c", NOW - dt.timedelta(days=2, hours=1)),         # newest of day -2
        rec("d", NOW - dt.timedelta(hours=5)),                 # today, older
        rec("e", NOW - dt.timedelta(hours=1)),                 # today, newest
        BackupRecord("z", "damaged", None, "checksum mismatch"),
    ]
    decisions = {d.id: d for d in plan_retention(records, keep_last=1, keep_daily=3, now=NOW)}
    assert {k for k, d in decisions.items() if d.keep} == {"c", "e", "z"}
    assert decisions["e"].reasons == ["last 1: #1 newest", "daily for 3 days: newest of 2026-12-03"]
    assert decisions["c"].reasons == ["daily for 3 days: newest of 2026-12-01"]
    assert "not the newest of 2026-12-01" in decisions["b"].reasons[0]
    assert "not the newest of 2026-12-03" in decisions["d"].reasons[0]
    assert "older than 3 days" in decisions["a"].reasons[0]
    assert "damaged" in decisions["z"].reasons[0]


def test_rules_apply_per_workspace():
    records = [rec("a1", NOW - dt.timedelta(hours=2), "/one"), rec("a2", NOW - dt.timedelta(hours=1), "/one"),
               rec("b1", NOW - dt.timedelta(days=30), "/two")]
    keep = {d.id for d in plan_retention(records, keep_last=1, keep_daily=0, now=NOW) if d.keep}
    assert keep == {"a2", "b1"}


def test_keeping_nothing_is_refused():
    with pytest.raises(UserError, match="keeping nothing"):
        plan_retention([], 0, 0)
    with pytest.raises(UserError):
        plan_retention([], -1, 3)


def test_prune_soft_deletes_then_undelete_then_purge_collects_only_garbage(ws, repo, db):
    first = create_backup(ws, repo)
    ws.schema_path("electrical").write_text('{"only": "in the first two"}')
    second = create_backup(ws, repo)
    ws.schema_path("electrical").write_text('{"only": "in the third"}')
    third = create_backup(ws, repo)
    dry = apply_retention(repo, keep_last=1, keep_daily=0, dry_run=True, db=db)
    assert [d.keep for d in dry] == [False, False, True]
    assert len(repo.list()) == 3  # dry run deletes nothing
    apply_retention(repo, keep_last=1, keep_daily=0, db=db)
    assert [r.id for r in repo.list()] == [third.id]
    assert repo.undelete(first.id, db=db) == first.id
    assert [r.id for r in repo.list()] == [first.id, third.id]
    only_second = second.by_path()["schemas/electrical/schema.json"].hash
    report = repo.purge(db=db)
    assert report.manifests_removed == [second.id]
    assert report.objects_removed == 1 and not repo.objects.has(only_second)
    assert verify_backup(repo, first.id).ok and verify_backup(repo, third.id).ok
    with pytest.raises(UserError, match="no such deleted backup"):
        repo.undelete(second.id)
    actions = [e.action for e in db.audit_events("backup.")]
    assert {"backup.prune", "backup.delete", "backup.undelete", "backup.purge"} <= set(actions)


def test_purge_refuses_while_a_manifest_is_damaged(ws, repo):
    m = create_backup(ws, repo)
    repo.manifest_path(m.id).write_bytes(b"garbage")
    with pytest.raises(UserError, match="damaged"):
        repo.purge()
    assert list(repo.objects.iter_digests())


def test_purge_waits_for_a_running_create(ws, repo, monkeypatch):
    """A create holds the repository lock shared until its manifest is durable, so a
    purge can never collect the objects of a backup being made."""
    monkeypatch.setattr(repo_mod, "LOCK_WAIT_S", 0.3)
    with repo.lock(shared=True):
        with pytest.raises(UserError, match="is running"):
            repo.purge()
    # and with the create finishing while purge waits, purge proceeds afterwards
    monkeypatch.setattr(repo_mod, "LOCK_WAIT_S", 10)
    release = threading.Event()

    def slow_create():
        with repo.lock(shared=True):
            release.wait(5)
            create_backup(ws, repo)

    t = threading.Thread(target=slow_create)
    t.start()
    time.sleep(0.1)
    release.set()
    repo.purge()
    t.join()
    (latest,) = repo.list()
    assert verify_backup(repo, latest.id).ok


def test_database_index_follows_the_repository_and_reindex_repairs_it(ws, repo, db):
    from arxconsole.engine.backup import indexed, reindex

    a = create_backup(ws, repo, db=db, message="indexed")
    b = create_backup(ws, repo)                       # made without the db: not indexed yet
    assert [r.id for r in indexed(db)] == [a.id]
    assert indexed(db)[0].message == "indexed" and indexed(db)[0].files == len(a.files)
    repo.delete(a.id, db=db)
    assert indexed(db) == [] and indexed(db, include_gone=True)[0].state == "deleted"
    repo.purge(db=db)
    assert indexed(db, include_gone=True)[0].state == "purged"
    counts = reindex(repo, db)
    assert counts == {"ok": 1} and [r.id for r in indexed(db)] == [b.id]
    repo.manifest_path(b.id).write_bytes(b"broken")
    reindex(repo, db)
    assert indexed(db)[0].state == "damaged"
