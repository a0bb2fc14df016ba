"""``arxconsole db show|set-url|use-sqlite|test``: which database the console uses."""

from __future__ import annotations

import getpass
import sys

from ...engine import dbconfig
from ...engine.secrets import keyring_status


def _ask(display: str):
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"Password for {display}: ")


def register(sub, common) -> None:
    p = sub.add_parser("db", parents=[common], help="show or change the database (SQLite default or PostgreSQL)")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    show = dsub.add_parser("show", parents=[common], help="the database in use and the keyring backend")
    show.set_defaults(func=_show)
    seturl = dsub.add_parser("set-url", parents=[common], help="use a PostgreSQL server (password goes to the OS keyring)")
    seturl.add_argument("url", help="postgresql://user[:password]@host:port/dbname")
    seturl.set_defaults(func=_set_url)
    sqlite = dsub.add_parser("use-sqlite", parents=[common], help="back to the embedded SQLite database")
    sqlite.set_defaults(func=lambda ctx: _set(ctx, None))
    test = dsub.add_parser("test", parents=[common], help="connect once and report")
    test.set_defaults(func=_test)


def _show(ctx) -> int:
    saved = dbconfig.configured_url(ctx.data_dir)
    ks = keyring_status()
    data = {"database": saved or ctx.data_dir.database_url, "embedded_sqlite": saved is None,
            "keyring": {"backend": ks.backend, "usable": ks.usable, "reason": ks.reason}}
    ctx.emit(data, f"database: {data['database']}\nkeyring: {ks.describe()}")
    return 0


def _set(ctx, url) -> int:
    message = dbconfig.save_database_url(ctx.data_dir, url)
    ctx.emit({"message": message}, message)
    return 0


def _set_url(ctx) -> int:
    return _set(ctx, ctx.args.url)


def _test(ctx) -> int:
    url = dbconfig.resolve_database_url(ctx.data_dir, _ask)
    ok, message = dbconfig.test_connection(url)
    ctx.emit({"ok": ok, "message": message}, message)
    return 0 if ok else 1
