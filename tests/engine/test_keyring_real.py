"""A round trip through a real Secret Service (gnome-keyring).

Runs only with ``-m keyring`` inside a D-Bus session with an unlocked keyring; the test
command does that:  dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon
--unlock --components=secrets; pytest -m keyring'.
"""

from __future__ import annotations

import os
import uuid

import pytest

pytestmark = pytest.mark.keyring


@pytest.fixture
def real_keyring():
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.skip("no D-Bus session (run under dbus-run-session with gnome-keyring)")
    import keyring
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_secret_service_round_trip(real_keyring, data_dir):
    from arxconsole.engine import dbconfig, secrets

    status = secrets.keyring_status()
    assert status.usable and "SecretService" in status.backend
    key = f"test/{uuid.uuid4().hex}"
    secrets.set_secret(key, "pa55word")
    assert secrets.get_secret(key) == "pa55word"
    secrets.delete_secret(key)
    assert secrets.get_secret(key) is None
    # and the database password path end to end
    dbconfig.save_database_url(data_dir, "postgresql://arx:topsecret@127.0.0.1:5432/arxos")
    assert "topsecret" not in (data_dir.root / "database.json").read_text()
    assert ":topsecret@" in dbconfig.resolve_database_url(data_dir)
