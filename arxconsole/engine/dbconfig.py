"""Which database the console uses: the embedded SQLite default, or a shared
PostgreSQL server (team mode).

The URL is kept in ``<data dir>/database.json`` *without* its password; the password
lives in the OS keyring (engine.secrets).  With no usable keyring the password is asked
for each time (``ask_password``) and never written anywhere.  ``ARXCONSOLE_DB_PASSWORD``
supplies it non-interactively (CI jobs).
"""

from __future__ import annotations

import json
import os
from typing import Callable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from . import durable, secrets
from .datadir import DataDir
from .errors import UserError

CONFIG_NAME = "database.json"
PASSWORD_ENV = "ARXCONSOLE_DB_PASSWORD"

AskPassword = Callable[[str], "str | None"]


def _config_path(data_dir: DataDir):
    return data_dir.root / CONFIG_NAME


def _secret_key(url) -> str:
    return f"database/{url.username}@{url.host}:{url.port or ''}/{url.database}"


def configured_url(data_dir: DataDir) -> str | None:
    """The saved server URL (password masked out), or None for the SQLite default."""
    path = _config_path(data_dir)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data.get("url") or None
    except (OSError, ValueError, AttributeError) as exc:
        raise UserError(f"{path}: unreadable database settings ({exc}); fix or delete the file") from exc


def resolve_database_url(data_dir: DataDir, ask_password: AskPassword | None = None) -> str:
    """The URL to connect with, password filled in from keyring / env / the user."""
    saved = configured_url(data_dir)
    if saved is None:
        return data_dir.database_url
    return with_password(saved, ask_password)


def with_password(url_text: str, ask_password: AskPassword | None = None, required: bool = True) -> str:
    """``url_text`` with its password filled in (env, keyring, then ``ask_password``)."""
    url = make_url(url_text)
    if url.username and url.password is None:
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            try:
                password = secrets.get_secret(_secret_key(url))
            except secrets.NoSecureKeyring:
                password = None
        if password is None and ask_password is not None:
            password = ask_password(url.render_as_string(hide_password=True))
        if password is None:
            if not required:
                return url_text
            raise UserError(f"no password for {url.render_as_string(hide_password=True)}: "
                            f"set it with 'arxconsole db set-url' (stored in the OS keyring) or "
                            f"{PASSWORD_ENV}")
        url = url.set(password=password)
    return url.render_as_string(hide_password=False)


def save_database_url(data_dir: DataDir, url_text: str | None) -> str:
    """Save a server URL (None: back to SQLite).  Returns what happened, for the user.

    The password part goes to the keyring when one is usable, otherwise nowhere."""
    path = _config_path(data_dir)
    if not url_text:
        durable.remove_file(path)
        return f"using the embedded SQLite database {data_dir.database_path}"
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise UserError(f"not a database URL: {exc}") from exc
    if url.get_backend_name() not in ("postgresql", "sqlite"):
        raise UserError(f"unsupported database {url.get_backend_name()!r}: use postgresql:// or sqlite://")
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    note = ""
    if url.password is not None:
        try:
            secrets.set_secret(_secret_key(url), url.password)
            note = "; password stored in the OS keyring"
        except secrets.NoSecureKeyring as exc:
            note = f"; password NOT stored ({exc}) — it will be asked for each time"
        url = url._replace(password=None)  # URL.set() ignores None values
    durable.write_json(path, {"url": url.render_as_string(hide_password=False)})
    return f"using {url.render_as_string(hide_password=True)}{note}"


def test_connection(url: str) -> tuple[bool, str]:
    """Connect once and report; never raises."""
    from sqlalchemy import create_engine, text

    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5} if url.startswith("postgresql") else {})
        try:
            with engine.connect() as conn:
                version = conn.execute(text("select version()" if not url.startswith("sqlite") else "select sqlite_version()")).scalar()
        finally:
            engine.dispose()
    except Exception as exc:  # any driver error becomes a message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return False, f"{shown}: cannot connect: {first}"
    return True, f"{shown}: connected ({str(version).split(',')[0]})"
