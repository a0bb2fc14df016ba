"""Secrets go to a real keyring or nowhere: plaintext backends are refused."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend

from arxconsole.engine import secrets


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


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(previous)


def test_round_trip_in_a_usable_keyring(memory_keyring):
    assert secrets.keyring_status().usable
    secrets.set_secret("db/password", "s3cret")
    assert secrets.get_secret("db/password") == "s3cret"
    assert memory_keyring.store[("ArxConsole", "db/password")] == "s3cret"
    secrets.delete_secret("db/password")
    assert secrets.get_secret("db/password") is None


def test_fail_backend_is_reported_and_nothing_is_stored():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        status = secrets.keyring_status()
        assert not status.usable
        assert "fail.Keyring" in status.backend and "asked for each time" in status.reason
        with pytest.raises(secrets.NoSecureKeyring, match="fail.Keyring"):
            secrets.set_secret("db/password", "x")
        with pytest.raises(secrets.NoSecureKeyring):
            secrets.get_secret("db/password")
    finally:
        keyring.set_keyring(previous)


def test_plaintext_style_backend_is_refused(monkeypatch):
    Plain = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    previous = keyring.get_keyring()
    keyring.set_keyring(Plain())
    try:
        assert not secrets.keyring_status().usable
    finally:
        keyring.set_keyring(previous)
