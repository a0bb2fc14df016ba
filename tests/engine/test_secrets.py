"""Secrets go to a real keyring or nowhere: plaintext backends are refused."""

from __future__ import annotations

import keyring
import pytest

from arxconsole.engine import secrets


def test_round_trip_in_a_usable_keyring(memory_keyring):
    assert secrets.keyring_status().usable
    secrets.set_secret("db/password", "s3cret")
    assert secrets.get_secret("db/password") == "s3cret"
    assert memory_keyring.store[("ArxConsole", "db/password")] == "s3cret"
    secrets.delete_secret("db/password")
    assert secrets.get_secret("db/password") is None


def test_fail_backend_is_reported_and_nothing_is_stored(no_keyring):
    status = secrets.keyring_status()
    assert not status.usable
    assert "fail.Keyring" in status.backend and "asked for each time" in status.reason
    with pytest.raises(secrets.NoSecureKeyring, match="fail.Keyring"):
        secrets.set_secret("db/password", "x")
    with pytest.raises(secrets.NoSecureKeyring):
        secrets.get_secret("db/password")


def test_plaintext_style_backend_is_refused(memory_keyring):
    Plain = type("PlaintextKeyring", (type(memory_keyring),), {"__module__": "keyrings.alt.file"})
    keyring.set_keyring(Plain())  # memory_keyring's teardown restores the previous backend
    assert not secrets.keyring_status().usable
