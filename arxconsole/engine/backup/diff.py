"""Diff a backup against the current workspace, or two backups.

``DiffResult.changes`` lists added / removed / modified files (``before`` is the
backup, or the first backup; ``after`` the workspace, or the second backup).  For
symbol JSON files (``arx-symbol-library/**.json``) a modified file also lists the
changed top-level fields, with ``connections`` and ``properties`` broken down per key
(``connections.power``).  ``read_before(change)`` / ``read_after(change)`` return the
exact file bytes of either side (backup bytes are hash-verified), so the GUI can draw
before/after pictures from the ``svg`` field.

Only paths inside the backup's scope are compared (a symbols backup does not report
every schema as added).  Workspace files whose (size, mtime_ns, inode) equal the
backup's entry are taken as unchanged without reading them, as ``create`` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from ..workspace import SYMBOLS_DIR, Workspace
from .create import scan
from .layout import in_scope
from .manifest import FileEntry
from .objects import hash_file
from .repository import BackupRepository

SUBKEYED_FIELDS = ("connections", "properties")


@dataclass(frozen=True)
class FieldChange:
    field: str        # "svg", "name", "connections.power", ...
    change: str       # "added" | "removed" | "modified"

    def to_json(self) -> dict:
        return {"field": self.field, "change": self.change}


@dataclass
class FileChange:
    path: str
    status: str                       # "added" | "removed" | "modified"
    before: FileEntry | None
    after: FileEntry | None
    fields: list[FieldChange] | None = None   # symbol JSON files only
    note: str = ""

    @property
    def is_symbol(self) -> bool:
        return is_symbol_path(self.path)

    def to_json(self) -> dict:
        data = {"path": self.path, "status": self.status,
                "before": None if self.before is None else {"hash": self.before.hash, "size": self.before.size},
                "after": None if self.after is None else {"hash": self.after.hash, "size": self.after.size}}
        if self.fields is not None:
            data["fields"] = [f.to_json() for f in self.fields]
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class DiffResult:
    before_label: str
    after_label: str
    changes: list[FileChange] = field(default_factory=list)
    _read_before: Callable[[FileEntry], bytes] | None = None
    _read_after: Callable[[FileEntry], bytes] | None = None

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "modified": 0}
        for c in self.changes:
            out[c.status] += 1
        return out

    def read_before(self, change: FileChange) -> bytes | None:
        return None if change.before is None else self._read_before(change.before)

    def read_after(self, change: FileChange) -> bytes | None:
        return None if change.after is None else self._read_after(change.after)

    def to_json(self) -> dict:
        return {"before": self.before_label, "after": self.after_label, "counts": self.counts(),
                "changes": [c.to_json() for c in self.changes]}


def is_symbol_path(path: str) -> bool:
    return path.startswith(SYMBOLS_DIR + "/") and path.endswith(".json")


def symbol_field_changes(before: bytes, after: bytes) -> tuple[list[FieldChange], str]:
    """Which fields differ between two symbol JSON documents ('' note when both parse)."""
    try:
        a, b = json.loads(before), json.loads(after)
    except (ValueError, UnicodeDecodeError):
        return [], "not valid JSON on one side: compared as a whole file"
    if not isinstance(a, dict) or not isinstance(b, dict):
        return [], "not a JSON object on one side: compared as a whole file"
    out: list[FieldChange] = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            out.append(FieldChange(key, "added"))
        elif key not in b:
            out.append(FieldChange(key, "removed"))
        elif a[key] != b[key]:
            if key in SUBKEYED_FIELDS and isinstance(a[key], dict) and isinstance(b[key], dict):
                for sub in sorted(set(a[key]) | set(b[key])):
                    name = f"{key}.{sub}"
                    if sub not in a[key]:
                        out.append(FieldChange(name, "added"))
                    elif sub not in b[key]:
                        out.append(FieldChange(name, "removed"))
                    elif a[key][sub] != b[key][sub]:
                        out.append(FieldChange(name, "modified"))
            else:
                out.append(FieldChange(key, "modified"))
    return out, ""


def _compare(before: dict[str, FileEntry], after: dict[str, FileEntry],
             read_before, read_after) -> list[FileChange]:
    changes = []
    for path in sorted(set(before) | set(after)):
        b, a = before.get(path), after.get(path)
        if b is None:
            changes.append(FileChange(path, "added", None, a))
        elif a is None:
            changes.append(FileChange(path, "removed", b, None))
        elif a.hash != b.hash:
            change = FileChange(path, "modified", b, a)
            if is_symbol_path(path):
                change.fields, change.note = symbol_field_changes(read_before(b), read_after(a))
            changes.append(change)
    return changes


def workspace_entries(workspace: Workspace, scope: list[str], known: dict[str, FileEntry]) -> dict[str, FileEntry]:
    """Current files in scope with their hashes (stat shortcut against ``known``)."""
    out = {}
    for f in scan(workspace, scope):
        old = known.get(f.rel)
        if old is not None and old.size == f.size and old.mtime_ns == f.mtime_ns and old.ino == f.ino:
            digest = old.hash
        else:
            digest, _ = hash_file(f.path)
        out[f.rel] = FileEntry(f.rel, digest, f.size, f.mode, f.mtime_ns, f.ino)
    return out


def _store_reader(repo: BackupRepository) -> Callable[[FileEntry], bytes]:
    return lambda e: repo.objects.read_verified(e.hash, e.size)


def diff_backup_workspace(repo: BackupRepository, ref: str, workspace: Workspace) -> DiffResult:
    m = repo.load(ref)
    before = m.by_path()
    after = workspace_entries(workspace, m.scope, before)
    root = workspace.root

    def read_ws(e: FileEntry) -> bytes:
        return (root / e.path).read_bytes()

    result = DiffResult(f"backup {m.id}", f"workspace {root}", _read_before=_store_reader(repo), _read_after=read_ws)
    result.changes = _compare(before, after, result._read_before, read_ws)
    return result


def diff_backups(repo: BackupRepository, ref_a: str, ref_b: str) -> DiffResult:
    a, b = repo.load(ref_a), repo.load(ref_b)
    before = {p: e for p, e in a.by_path().items() if in_scope(p, b.scope)}
    after = {p: e for p, e in b.by_path().items() if in_scope(p, a.scope)}
    reader = _store_reader(repo)
    result = DiffResult(f"backup {a.id}", f"backup {b.id}", _read_before=reader, _read_after=reader)
    result.changes = _compare(before, after, reader, reader)
    return result


def svg_of(data: bytes | None) -> str | None:
    """The ``svg`` of a library-format symbol's bytes (for before/after pictures), or
    None when the file is absent, not JSON, or its svg is not a string."""
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    svg = doc.get("svg") if isinstance(doc, dict) else None
    return svg if isinstance(svg, str) else None


__all__ = ["DiffResult", "FieldChange", "FileChange", "diff_backup_workspace", "diff_backups",
           "svg_of", "symbol_field_changes", "workspace_entries"]
