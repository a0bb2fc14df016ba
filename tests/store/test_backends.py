"""The same storage code on SQLite and PostgreSQL (team mode)."""

from __future__ import annotations

import threading

import pytest

from sqlalchemy import inspect

from arxconsole.store.models import Base


def test_migrations_create_every_model_table(any_db):
    assert any_db.is_migrated()
    tables = set(inspect(any_db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_audit_and_settings_round_trip(any_db):
    any_db.set_setting("gates", {"coverage_min": 90, "zero_errors": True})
    assert any_db.get_setting("gates") == {"coverage_min": 90, "zero_errors": True}
    any_db.audit("backup.created", "b-1", message="manual", details={"files": 3})
    ev = any_db.audit_events("backup.")[0]
    assert (ev.action, ev.target, ev.details["files"]) == ("backup.created", "b-1", 3)
    assert ev.at.tzinfo is not None


def test_concurrent_writers_are_serialised(any_db):
    errors = []

    def work(n):
        try:
            for i in range(20):
                any_db.audit("test.write", f"{n}-{i}")
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(any_db.audit_events("test.write", limit=1000)) == 80


def test_display_url_masks_password(any_db):
    assert "arxtest-" not in any_db.display_url


def test_a_file_that_is_not_a_database_is_named_with_what_to_do(tmp_path):
    from arxconsole.store import Database
    from arxconsole.store.db import DatabaseError

    path = tmp_path / "arxconsole.sqlite3"
    path.write_text("garbage, not SQLite\n" * 50)
    with pytest.raises(DatabaseError) as err:
        Database.open(f"sqlite:///{path}")
    msg = str(err.value)
    assert msg.startswith(f"{path} is not a readable SQLite database (file is not a database)")
    assert "Move it aside" in msg and "sqlalche.me" not in msg and "\n" not in msg
    assert path.read_text().startswith("garbage")      # left as it was, for the user to keep
