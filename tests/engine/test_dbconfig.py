"""Database selection: SQLite default, PostgreSQL URL with the password in the keyring
(or asked for each time), never in a file."""

from __future__ import annotations

import json

import pytest

from arxconsole.engine import dbconfig
from arxconsole.engine.errors import UserError

def test_default_is_embedded_sqlite(data_dir):
    assert dbconfig.configured_url(data_dir) is None
    assert dbconfig.resolve_database_url(data_dir) == data_dir.database_url


def test_password_goes_to_keyring_not_the_file(data_dir, memory_keyring):
    msg = dbconfig.save_database_url(data_dir, "postgresql://arx:hunter2@db.local:5432/arxos")
    assert "stored in the OS keyring" in msg and "hunter2" not in msg
    saved = (data_dir.root / "database.json").read_text()
    assert "hunter2" not in saved
    assert json.loads(saved)["url"] == "postgresql+psycopg://arx@db.local:5432/arxos"
    assert dbconfig.resolve_database_url(data_dir) == "postgresql+psycopg://arx:hunter2@db.local:5432/arxos"


def test_without_keyring_password_is_asked_each_time_and_never_stored(data_dir, no_keyring, monkeypatch):
    monkeypatch.delenv(dbconfig.PASSWORD_ENV, raising=False)
    msg = dbconfig.save_database_url(data_dir, "postgresql://arx:hunter2@db.local/arxos")
    assert "NOT stored" in msg and "asked for each time" in msg
    assert "hunter2" not in (data_dir.root / "database.json").read_text()
    asked = []
    url = dbconfig.resolve_database_url(data_dir, lambda shown: asked.append(shown) or "typed")
    assert url.endswith("arx:typed@db.local/arxos")
    assert asked == ["postgresql+psycopg://arx@db.local/arxos"]
    with pytest.raises(UserError, match="no password for"):
        dbconfig.resolve_database_url(data_dir, lambda shown: None)


def test_env_password_for_ci(data_dir, no_keyring, monkeypatch):
    dbconfig.save_database_url(data_dir, "postgresql://arx@db.local/arxos")
    monkeypatch.setenv(dbconfig.PASSWORD_ENV, "fromenv")
    assert "arx:fromenv@" in dbconfig.resolve_database_url(data_dir)


def test_back_to_sqlite_and_bad_urls(data_dir, memory_keyring):
    dbconfig.save_database_url(data_dir, "postgresql://a:b@h/d")
    assert "SQLite" in dbconfig.save_database_url(data_dir, None)
    assert dbconfig.resolve_database_url(data_dir) == data_dir.database_url
    with pytest.raises(UserError, match="not a database URL"):
        dbconfig.save_database_url(data_dir, "::nonsense")
    with pytest.raises(UserError, match="unsupported database"):
        dbconfig.save_database_url(data_dir, "mysql://a@b/c")


def test_corrupt_config_is_a_clear_error(data_dir):
    (data_dir.root / "database.json").write_text("{not json")
    with pytest.raises(UserError, match="database.json: unreadable"):
        dbconfig.resolve_database_url(data_dir)


def test_connection_report_never_raises_and_masks_password(data_dir):
    ok, msg = dbconfig.test_connection(data_dir.database_url)
    assert ok and "connected" in msg
    ok, msg = dbconfig.test_connection("postgresql+psycopg://u:pw@127.0.0.1:1/x")
    assert not ok and "cannot connect" in msg and ":pw@" not in msg
