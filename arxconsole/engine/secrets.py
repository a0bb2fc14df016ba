"""Credentials live in the OS keyring, never in settings files or logs.

Only a real OS backend counts (Secret Service, macOS Keychain, Windows Credential
Locker, KWallet).  ``keyring``'s fail backend and keyrings.alt's plaintext/base64 file
backends are refused: with none usable the console says which backend it found and asks
for the secret each time instead of storing it.
"""

from __future__ import annotations

from dataclasses import dataclass

SERVICE = "ArxConsole"

# Backends that would "store" a secret in plain or trivially encoded text, or not at all.
_REFUSED_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


@dataclass(frozen=True)
class KeyringStatus:
    backend: str
    usable: bool
    reason: str

    def describe(self) -> str:
        return f"{self.backend}: {'usable' if self.usable else 'not usable'} ({self.reason})"


def _backend_name(backend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


def _is_refused(backend) -> bool:
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        return all(_is_refused(b) for b in backend.backends) if backend.backends else True
    return type(backend).__module__.startswith(_REFUSED_MODULE_PREFIXES)


def keyring_status() -> KeyringStatus:
    try:
        import keyring
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring install must not stop the console
        return KeyringStatus("none", False, f"keyring unavailable: {exc}")
    name = _backend_name(backend)
    if _is_refused(backend):
        return KeyringStatus(name, False, "no secure OS keyring backend; secrets will be asked for each time")
    return KeyringStatus(name, True, "secrets are stored in the OS keyring")


class NoSecureKeyring(Exception):
    """No usable backend: the caller must ask the user for the secret (and not store it)."""


def get_secret(key: str) -> str | None:
    status = keyring_status()
    if not status.usable:
        raise NoSecureKeyring(status.describe())
    import keyring

    return keyring.get_password(SERVICE, key)


def set_secret(key: str, value: str) -> None:
    status = keyring_status()
    if not status.usable:
        raise NoSecureKeyring(status.describe())
    import keyring

    keyring.set_password(SERVICE, key, value)


def delete_secret(key: str) -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    if not keyring_status().usable:
        return
    try:
        keyring.delete_password(SERVICE, key)
    except PasswordDeleteError:
        pass
