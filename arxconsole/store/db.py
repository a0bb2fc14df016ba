"""Database engine, sessions and migrations.

SQLite is the embedded default (WAL, busy timeout, foreign keys on every connection);
PostgreSQL is the same code with another URL.  All writes go through ``Database.writer``
which serialises writers inside the process (SQLite allows one writer at a time; making
that explicit avoids "database is locked" surprises under load).
"""

from __future__ import annotations

import getpass
import re
import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..engine.errors import UserError
from .models import Base  # noqa: F401  (registers every table)
from .models.core import AuditEvent, Setting

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(UserError):
    """The database cannot be opened or migrated; the message says which and why."""


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode")
    mode = cur.fetchone()[0]
    if mode != "wal" and mode != "memory":
        cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # durable with WAL at commit checkpoints
    cur.close()


class Database:
    def __init__(self, url: str):
        self.url = url
        self._url = make_url(url)
        self.is_sqlite = self._url.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except (SQLAlchemyError, ImportError) as exc:
            raise DatabaseError(f"cannot use database {self.display_url}: {exc}") from exc
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()

    # ---- lifecycle -----------------------------------------------------------------
    @classmethod
    def open(cls, url: str, migrate: bool = True) -> "Database":
        db = cls(url)
        if migrate:
            db.migrate()
        return db

    @property
    def display_url(self) -> str:
        """The URL with any password masked: safe for logs and the UI."""
        return self._url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # ---- migrations ----------------------------------------------------------------
    def _alembic_config(self):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["engine"] = self.engine
        return cfg

    def pending_migrations(self) -> list[str]:
        if self._up_to_date_fast():   # the usual answer, without importing Alembic
            return []
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self._alembic_config())
        with self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        pending = []
        for rev in script.walk_revisions():
            if rev.revision not in current and not _is_ancestor_of_any(script, rev.revision, current):
                pending.append(rev.revision)
        return pending

    def _up_to_date_fast(self) -> bool:
        """True when the database already sits on every head, decided without importing
        Alembic (~120 ms at start-up): heads come from the revision files' own
        ``revision``/``down_revision`` lines.  Any doubt returns False and the full
        Alembic path decides."""
        revisions, downs = set(), set()
        for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
            text = path.read_text(encoding="utf-8")
            rev = _REVISION_RE.search(text)
            if not rev:
                continue
            revisions.add(rev.group(1))
            down = _DOWN_RE.search(text)
            if down:
                downs.update(_REV_ID_RE.findall(down.group(1)))
        heads = revisions - downs
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return False
                current = {r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
        except SQLAlchemyError:
            return False
        return bool(heads) and current == heads

    def migrate(self) -> None:
        """Bring the schema to every Alembic head.  An existing SQLite database is
        copied with the SQLite backup API first (never a file copy of a live WAL db)."""
        if self._up_to_date_fast():
            return
        from alembic import command

        try:
            pending = self.pending_migrations()
            if not pending:
                return
            if self.is_sqlite and self._url.database and self._has_tables():
                self._backup_sqlite_before_migration()
            with self._write_lock:
                command.upgrade(self._alembic_config(), "heads")
        except SQLAlchemyError as exc:
            raise DatabaseError(self._problem("cannot migrate database", exc)) from exc

    def _problem(self, doing: str, exc: SQLAlchemyError) -> str:
        """One sentence for people: the driver's own words (not SQLAlchemy's wrapper
        with its web link), and for an SQLite file that is not a database, what to do."""
        orig = getattr(exc, "orig", None)
        reason = str(orig) if orig is not None else str(exc).split("\n")[0]
        if self.is_sqlite and self._url.database and isinstance(orig, sqlite3.DatabaseError) and (
                "not a database" in reason or "malformed" in reason):
            path = Path(self._url.database)
            return (f"{path} is not a readable SQLite database ({reason}): it is damaged or another kind "
                    f"of file. Move it aside to start with an empty history, or put back a copy "
                    f"(a migration leaves {path.name}.pre-migration beside it)")
        return f"{doing} {self.display_url}: {reason}"

    def _has_tables(self) -> bool:
        return bool(inspect(self.engine).get_table_names())

    def _backup_sqlite_before_migration(self) -> Path:
        src_path = Path(self._url.database)
        dest = src_path.with_name(src_path.name + ".pre-migration")
        src = sqlite3.connect(src_path)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        log.info("database backed up to %s before migrating", dest)
        return dest

    def is_migrated(self) -> bool:
        try:
            return not self.pending_migrations()
        except SQLAlchemyError:
            return False

    # ---- sessions ------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def writer(self) -> Iterator[Session]:
        """The one way to write: serialised, committed on success, rolled back on error."""
        with self._write_lock:
            with self._sessions() as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    # ---- shared helpers ------------------------------------------------------------
    def audit(self, action: str, target: str = "", *, message: str = "", workspace: str = "",
              details: dict | None = None, actor: str | None = None) -> None:
        with self.writer() as s:
            s.add(AuditEvent(actor=actor or current_actor(), action=action, target=target,
                             workspace=workspace, message=message, details=details or {}))

    def audit_events(self, action_prefix: str = "", limit: int = 500) -> list[AuditEvent]:
        with self.reader() as s:
            q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            if action_prefix:
                q = q.where(AuditEvent.action.startswith(action_prefix))
            return list(s.scalars(q))

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.reader() as s:
            row = s.get(Setting, key)
            return default if row is None else row.value

    def set_setting(self, key: str, value: Any, *, audit: bool = True) -> None:
        with self.writer() as s:
            row = s.get(Setting, key)
            old = None if row is None else row.value
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value
        if audit and old != value:
            self.audit("settings.changed", key, details={"old": old, "new": value},
                       message=f"{key}: {old!r} -> {value!r}")


_REVISION_RE = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.M)
_DOWN_RE = re.compile(r'^down_revision\s*=\s*(.+)$', re.M)
_REV_ID_RE = re.compile(r'["\']([^"\']+)["\']')


def _is_ancestor_of_any(script, revision: str, heads: set[str]) -> bool:
    for head in heads:
        for rev in script.iterate_revisions(head, "base"):
            if rev.revision == revision:
                return True
    return False
