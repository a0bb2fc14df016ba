"""What every CLI command needs, opened lazily: data dir, database, workspace, output."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

from ..engine.datadir import DataDir
from ..engine.workspace import Workspace, WorkspaceError

EXIT_USAGE = 2


def workspace_problem(path, exc: WorkspaceError) -> str:
    """Why ``path`` cannot be used as a workspace, naming the path as the user gave it."""
    given = Path(path).expanduser()
    if not given.exists():
        return f"workspace {path}: no such folder"
    if not given.is_dir():
        return f"workspace {path}: a file, not a folder"
    reason = str(exc).removeprefix(f"{given.resolve()}: ")
    return f"workspace {path}: {reason}"


class CliContext:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        self.recovery_messages: list[str] = []
        # The GUI opens the log file itself once its window is shown (start-up time).
        self.defer_logging = False
        self.emitted = False          # a JSON document (or the human text) was printed
        self.errors: list[str] = []   # every error message, for --json (see finish)

    @cached_property
    def data_dir(self) -> DataDir:
        dd = DataDir.resolve(getattr(self.args, "data_dir", None))
        if not self.defer_logging:
            from ..engine.logsetup import setup_logging

            setup_logging(dd.logs)
        return dd

    @cached_property
    def db(self):
        from ..engine.dbconfig import resolve_database_url
        from ..store import Database

        def ask(display):
            import getpass

            return getpass.getpass(f"Password for {display}: ") if sys.stdin.isatty() else None

        return Database.open(resolve_database_url(self.data_dir, ask))

    def workspace_path(self, required: bool = True):
        """The workspace the user named (--workspace, --demo); None when not required."""
        if getattr(self.args, "demo", False):
            from ..engine.demo_marker import demo_is_complete

            path = self.data_dir.demo_workspace.expanduser().resolve()
            if demo_is_complete(path):   # the usual case: no need to load the demo's content
                return path
            from ..engine.demo import ensure_demo_workspace

            return ensure_demo_workspace(self.data_dir.demo_workspace)
        ws = getattr(self.args, "workspace", None)
        if ws:
            return ws
        if required:
            self.usage_error("no workspace: pass --workspace DIR or --demo")
        return None

    @cached_property
    def workspace(self) -> Workspace:
        """The workspace the user named, opened.  A path that does not exist or is not a
        workspace is a usage error (exit 2), like a missing file argument: every command
        that works on a workspace comes through here or ``session()``."""
        path = self.workspace_path()
        try:
            return Workspace.open(path)
        except WorkspaceError as exc:
            self.usage_error(workspace_problem(path, exc))

    @contextmanager
    def session(self):
        """The workspace locked for this command, after crash recovery (the same
        sequence as the GUI's); recovery messages go to stderr."""
        from ..engine.session import open_session

        session = open_session(self.workspace.root, self.db, self.data_dir)
        try:
            for message in session.recovery_messages:
                sys.stderr.write(f"arxconsole: recovered: {message}\n")
            self.recovery_messages = list(session.recovery_messages)
            yield session.workspace
        finally:
            session.close()

    # ---- output --------------------------------------------------------------------
    def emit(self, data: Any, text: str | None = None) -> None:
        """Print ``data`` as one JSON document with --json, else the human text."""
        self.emitted = True
        if self.json:
            json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
            sys.stdout.write("\n")
        elif text is not None:
            sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")

    def error(self, message: str) -> None:
        self.errors.append(message)
        sys.stderr.write(f"arxconsole: error: {message}\n")

    def finish(self, exit_code: int) -> None:
        """With --json, a command that ended on an error before printing its document
        prints ``{"error", "errors", "exit_code"}`` instead: stdout is always one JSON
        document for a script to parse (the message is on stderr as well)."""
        if self.json and not self.emitted and self.errors:
            self.print_json_error(self.errors, exit_code)

    @staticmethod
    def print_json_error(errors: list[str], exit_code: int) -> None:
        json.dump({"error": errors[-1], "errors": errors, "exit_code": exit_code}, sys.stdout, indent=2,
                  ensure_ascii=False)
        sys.stdout.write("\n")

    def usage_error(self, message: str) -> NoReturn:
        """Print ``message`` and end the command with exit 2, the way argparse ends a bad
        command line.  Raised as SystemExit because ``cli.main`` maps every UserError to
        exit 1 (a failed operation); ``main``'s clean-up still runs."""
        self.error(message)
        raise SystemExit(EXIT_USAGE)

    def close(self) -> None:
        db = self.__dict__.get("db")
        if db is not None:
            db.close()
