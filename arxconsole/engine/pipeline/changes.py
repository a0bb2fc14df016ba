"""Every file a run changes goes through one ``ChangeSet``.

Real run: journal the prior bytes, then write durably.  Dry run: keep the new bytes in
an overlay (so later steps see what earlier steps would have produced: the registry
lists a template symbol step 2 would create) and record a unified diff instead.
Writing bytes identical to what is there is not a change, which keeps re-runs quiet.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import durable
from ..bounded_read import FileProblem, read_bounded
from ..errors import UserError
from ..workspace import Workspace
from .journal import ChangeJournal

MAX_DIFF_LINES = 400

# A generated index of a very large library is a few MB; nothing a run reads is near this.
MAX_READ_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class FileChange:
    path: str          # workspace-relative
    action: str        # "create" | "modify" | "delete"
    diff: str = ""     # unified diff (dry runs)

    def to_dict(self, with_diff: bool = True) -> dict[str, str]:
        d = {"path": self.path, "action": self.action}
        if with_diff:
            d["diff"] = self.diff
        return d


def unified_diff(path: str, before: bytes | None, after: bytes | None) -> str:
    try:
        a = [] if before is None else before.decode("utf-8").splitlines(keepends=True)
        b = [] if after is None else after.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"Binary file {path} differs\n"
    lines = list(difflib.unified_diff(a, b, "/dev/null" if before is None else f"a/{path}",
                                      "/dev/null" if after is None else f"b/{path}", n=3))
    if len(lines) > MAX_DIFF_LINES:
        extra = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"... {extra} more diff lines\n"]
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)


class ChangeSet:
    def __init__(self, workspace: Workspace, dry_run: bool, journal: ChangeJournal | None,
                 on_change: Callable[[FileChange], None] | None = None):
        if not dry_run and journal is None:
            raise ValueError("a real run needs a change journal")
        self.workspace = workspace
        self.dry_run = dry_run
        self.journal = journal
        self._overlay: dict[str, bytes | None] = {}  # dry run only; None = deleted
        self._on_change = on_change or (lambda c: None)
        # Parsed documents by (path, kind): steps re-read the same files many times.
        self._parsed: dict[tuple[str, str], Any] = {}

    def parsed(self, rel: str, kind: str, parse: Callable[[str, bytes | None], Any]) -> Any:
        """``parse(rel, bytes)`` of the file's current content, cached until it changes.
        Callers must not mutate what they get back."""
        key = (rel, kind)
        if key not in self._parsed:
            self._parsed[key] = parse(rel, self.read_bytes(rel))
        return self._parsed[key]

    def _invalidate(self, rel: str) -> None:
        for key in [k for k in self._parsed if k[0] == rel]:
            del self._parsed[key]

    # ---- reading (overlay-aware) ---------------------------------------------------
    def path(self, rel: str) -> Path:
        return self.workspace.root / rel

    def read_bytes(self, rel: str) -> bytes | None:
        """The file's bytes as the run sees them; None when nothing is there.  Something
        there that is no readable regular file (a named pipe, a link to nowhere, a huge
        file) fails the step with its reason rather than being taken for absent and
        written over."""
        if rel in self._overlay:
            return self._overlay[rel]
        path = self.path(rel)
        if not os.path.lexists(path) or os.path.isdir(path):
            return None
        try:
            return read_bounded(path, MAX_READ_BYTES)
        except FileProblem as exc:
            raise UserError(f"{rel}: {exc}") from None

    def exists(self, rel: str) -> bool:
        if rel in self._overlay:
            return self._overlay[rel] is not None
        return self.path(rel).is_file()

    def planned(self, prefix: str = "") -> list[str]:
        """Dry run: the paths under ``prefix`` that exist only in the overlay so far."""
        return sorted(r for r in self._overlay if r.startswith(prefix))

    def list_files(self, rel_dir: str, suffix: str) -> list[str]:
        """Sorted workspace-relative files directly in ``rel_dir`` ending with ``suffix``."""
        folder = self.path(rel_dir)
        names = set()
        if folder.is_dir():
            names = {f"{rel_dir}/{p.name}" for p in folder.iterdir()
                     if p.name.endswith(suffix) and not p.name.startswith(".") and p.is_file()}
        prefix = rel_dir + "/"
        for rel, data in self._overlay.items():
            if rel.startswith(prefix) and "/" not in rel[len(prefix):] and rel.endswith(suffix):
                if data is None:
                    names.discard(rel)
                else:
                    names.add(rel)
        return sorted(names)

    # ---- changing ------------------------------------------------------------------
    def write(self, rel: str, data: bytes) -> FileChange | None:
        before = self.read_bytes(rel)
        if before == data:
            return None
        action = "create" if before is None else "modify"
        self._invalidate(rel)
        if self.dry_run:
            self._overlay[rel] = data
            change = FileChange(rel, action, unified_diff(rel, before, data))
        else:
            self.journal.record(rel)
            durable.write_bytes(self.path(rel), data)
            self.journal.changed()
            change = FileChange(rel, action)
        self._on_change(change)
        return change

    def write_text(self, rel: str, text: str) -> FileChange | None:
        return self.write(rel, text.encode("utf-8"))

    def write_json(self, rel: str, obj) -> FileChange | None:
        return self.write_text(rel, durable.dump_json(obj))

    def remove(self, rel: str) -> FileChange | None:
        before = self.read_bytes(rel)
        if before is None:
            return None
        self._invalidate(rel)
        if self.dry_run:
            self._overlay[rel] = None
            change = FileChange(rel, "delete", unified_diff(rel, before, None))
        else:
            self.journal.record(rel)
            durable.remove_file(self.path(rel))
            self.journal.changed()
            change = FileChange(rel, "delete")
        self._on_change(change)
        return change
