"""The manifest: what one backup holds, with its own checksum.

A JSON document (``durable.dump_json`` layout) at ``manifests/<id>.json``::

    {"format": "arxconsole-backup/1", "id": ..., "created_at": ISO-8601 UTC,
     "kind": "full|system|schema|symbols|behavior", "system": str|null,
     "scope": [path prefixes covered], "reason": "manual|before_run|before_restore|scheduled",
     "message": str, "workspace": absolute path, "actor": str, "run_id": str|null,
     "files": [{"path", "hash", "size", "mode", "mtime_ns", "ino"}, ...]  sorted by path,
     "totals": {"files", "bytes", "new_bytes_stored"},
     "checksum": sha256 of the canonical JSON (sorted keys, compact) of all other fields}

Loading checks the checksum and every path (no ``..``, absolute paths, the console's
own files); any failure raises ``ManifestDamaged`` / ``UnsafePathError`` naming the file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from .layout import KINDS, REASONS, check_relpath

FORMAT = "arxconsole-backup/1"
_HEX = set("0123456789abcdef")


class ManifestDamaged(UserError):
    """A manifest that cannot be trusted: unreadable, malformed or checksum mismatch."""


@dataclass(frozen=True)
class FileEntry:
    path: str
    hash: str
    size: int
    mode: int
    mtime_ns: int
    ino: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "hash": self.hash, "size": self.size, "mode": self.mode,
                "mtime_ns": self.mtime_ns, "ino": self.ino}


@dataclass
class Manifest:
    id: str
    created_at: str
    kind: str
    scope: list[str]
    reason: str
    files: list[FileEntry]
    system: str | None = None
    message: str = ""
    workspace: str = ""
    actor: str = ""
    run_id: str | None = None
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def by_path(self) -> dict[str, FileEntry]:
        return {f.path: f for f in self.files}

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "id": self.id, "created_at": self.created_at, "kind": self.kind,
            "system": self.system, "scope": list(self.scope), "reason": self.reason,
            "message": self.message, "workspace": self.workspace, "actor": self.actor,
            "run_id": self.run_id, "files": [f.to_json() for f in self.files],
            "totals": dict(self.totals),
        }

    def to_json(self) -> dict[str, Any]:
        body = self.body()
        body["checksum"] = checksum(body)
        return body

    def summary(self) -> dict[str, Any]:
        """The manifest without its file list (for listings and the GUI)."""
        return {k: v for k, v in self.body().items() if k not in ("files", "format")} | {
            "reason_label": self.reason_label}


def checksum(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse(raw: bytes, source: str) -> Manifest:
    """Parse and check a manifest; ``source`` names it in error messages."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestDamaged(f"{source}: damaged manifest (not valid JSON: {exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ManifestDamaged(f"{source}: damaged manifest (not an {FORMAT} document)")
    stored = doc.pop("checksum", None)
    if stored != checksum(doc):
        raise ManifestDamaged(f"{source}: damaged manifest (checksum does not match its content)")
    try:
        files = [_entry(f, source) for f in doc["files"]]
        m = Manifest(id=str(doc["id"]), created_at=str(doc["created_at"]), kind=str(doc["kind"]),
                     scope=[str(s) for s in doc["scope"]], reason=str(doc["reason"]), files=files,
                     system=doc.get("system"), message=str(doc.get("message", "")),
                     workspace=str(doc.get("workspace", "")), actor=str(doc.get("actor", "")),
                     run_id=doc.get("run_id"), totals=dict(doc.get("totals") or {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestDamaged(f"{source}: damaged manifest (missing or malformed field: {exc})") from None
    if m.kind not in KINDS:
        raise ManifestDamaged(f"{source}: damaged manifest (unknown kind {m.kind!r})")
    seen: set[str] = set()
    for f in files:
        if f.path in seen:
            raise ManifestDamaged(f"{source}: damaged manifest (path {f.path!r} listed twice)")
        seen.add(f.path)
    for s in m.scope:
        if s:
            check_relpath(s.rstrip("/"), f"{source}: scope")
    return m


def _entry(f: Any, source: str) -> FileEntry:
    path = check_relpath(f["path"], source)
    digest = f["hash"]
    if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _HEX:
        raise ValueError(f"bad hash for {path!r}")
    size, mode = int(f["size"]), int(f["mode"])
    if size < 0:
        raise ValueError(f"negative size for {path!r}")
    return FileEntry(path=path, hash=digest, size=size, mode=mode & 0o7777,
                     mtime_ns=int(f.get("mtime_ns", 0)), ino=int(f.get("ino", 0)))


def load(path: Path) -> Manifest:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestDamaged(f"{path}: cannot read manifest: {exc}") from None
    return parse(raw, str(path))
