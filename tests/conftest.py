"""Test-wide set-up: offscreen Qt by default, every test gets its own data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT.parent / "shared" / "arxos-corpus"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never touch the real per-user data dir: all state goes to a temp folder."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ARXCONSOLE_DATA_DIR", str(data))
    yield data


@pytest.fixture
def data_dir(_isolated_data_dir):
    from arxconsole.engine.datadir import DataDir

    return DataDir.resolve(_isolated_data_dir)


@pytest.fixture
def db(data_dir):
    from arxconsole.store import Database

    database = Database.open(data_dir.database_url)
    yield database
    database.close()


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"Arxos corpus not found at {CORPUS} (only present beside the project checkout)")
    return CORPUS


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    """A migrated Database on SQLite and, when ARXCONSOLE_TEST_PG_URL names a server
    (packaging/bootstrap.sh test starts one), on a fresh PostgreSQL database per test."""
    from arxconsole.store import Database

    if request.param == "sqlite":
        database = Database.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        yield database
        database.close()
        return
    url = os.environ.get("ARXCONSOLE_TEST_PG_URL")
    if not url:
        pytest.skip("no PostgreSQL server (set ARXCONSOLE_TEST_PG_URL; the test command starts one)")
    import uuid

    from sqlalchemy import create_engine, make_url, text

    name = f"arx_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    database = Database.open(test_url)
    try:
        yield database
    finally:
        database.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def memory_keyring():
    """An in-memory keyring backend for the test (the real one needs a D-Bus session)."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """keyring's fail backend, as on a headless Linux box."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
