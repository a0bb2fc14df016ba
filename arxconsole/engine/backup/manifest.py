"""The manifest: what one backup holds, with its own checksums.

``manifests/<id>.json`` is UTF-8 text in two parts, so a listing can read and check
the small header without parsing thousands of file entries:

  line 1   the header, one JSON object: {"format": "arxconsole-backup/2", "id",
           "created_at" (ISO-8601 UTC), "kind", "system", "scope" (path prefixes
           covered), "reason" (manual|before_run|before_restore|scheduled), "message",
           "workspace" (absolute path), "actor", "run_id", "totals" {files, bytes,
           new_bytes_stored}, "file_fields", "files_sha256", "checksum"}
  rest     a JSON array, one file per line: [path, sha256, size, mode, mtime_ns, inode]
           (order given by "file_fields"), sorted by path.

``checksum`` is the SHA-256 of the header's canonical JSON (sorted keys, compact)
without ``checksum``; ``files_sha256`` is the SHA-256 of the exact bytes after line 1.
Together they cover every byte, so a flipped bit or a truncation anywhere is caught.
Loading also checks every path (no ``..``, absolute paths, the console's own files).
"""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from .layout import KINDS, REASONS, UnsafePathError, check_relpath

FORMAT = "arxconsole-backup/2"
FILE_FIELDS = ["path", "hash", "size", "mode", "mtime_ns", "ino"]
_HEX = frozenset("0123456789abcdef")


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

    def row(self) -> list:
        return [self.path, self.hash, self.size, self.mode, self.mtime_ns, self.ino]


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

    def header(self) -> dict[str, Any]:
        return {"format": FORMAT, "id": self.id, "created_at": self.created_at, "kind": self.kind,
                "system": self.system, "scope": list(self.scope), "reason": self.reason,
                "message": self.message, "workspace": self.workspace, "actor": self.actor,
                "run_id": self.run_id, "totals": dict(self.totals)}

    def summary(self) -> dict[str, Any]:
        """The manifest without its file list (for listings and the GUI)."""
        data = self.header()
        del data["format"]
        data["reason_label"] = self.reason_label
        return data

    def to_bytes(self) -> bytes:
        rows = [json.dumps(f.row(), ensure_ascii=False) for f in self.files]
        body = ("[\n" + ",\n".join(rows) + ("\n" if rows else "") + "]\n").encode("utf-8")
        head = self.header()
        head["file_fields"] = FILE_FIELDS
        head["files_sha256"] = hashlib.sha256(body).hexdigest()
        head["checksum"] = checksum(head)
        return json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n" + body


def checksum(header: dict[str, Any]) -> str:
    body = {k: v for k, v in header.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_header(raw: bytes, source: str) -> tuple[dict[str, Any], bytes]:
    """Check both checksums; returns the header and the (unparsed) file list bytes."""
    line, sep, body = raw.partition(b"\n")
    try:
        head = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestDamaged(f"{source}: damaged manifest (header is not valid JSON: {exc})") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ManifestDamaged(f"{source}: damaged manifest (not an {FORMAT} document)")
    if head.get("checksum") != checksum(head):
        raise ManifestDamaged(f"{source}: damaged manifest (header checksum does not match)")
    if not sep or head.get("files_sha256") != hashlib.sha256(body).hexdigest():
        raise ManifestDamaged(f"{source}: damaged manifest (file list truncated or altered: checksum mismatch)")
    if head.get("file_fields") != FILE_FIELDS:
        raise ManifestDamaged(f"{source}: damaged manifest (unknown file_fields {head.get('file_fields')!r})")
    return head, body


def parse(raw: bytes, source: str, header_only: bool = False) -> Manifest:
    """Parse and check a manifest; ``source`` names it in error messages."""
    head, body = parse_header(raw, source)
    try:
        rows = [] if header_only else json.loads(body.decode("utf-8"))
        files = [_entry(r, source) for r in rows]
        m = Manifest(id=str(head["id"]), created_at=str(head["created_at"]), kind=str(head["kind"]),
                     scope=[str(s) for s in head["scope"]], reason=str(head["reason"]), files=files,
                     system=head.get("system"), message=str(head.get("message", "")),
                     workspace=str(head.get("workspace", "")), actor=str(head.get("actor", "")),
                     run_id=head.get("run_id"), totals=dict(head.get("totals") or {}))
    except (KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ManifestDamaged(f"{source}: damaged manifest (missing or malformed field: {exc})") from None
    if m.kind not in KINDS:
        raise ManifestDamaged(f"{source}: damaged manifest (unknown kind {m.kind!r})")
    if len({f.path for f in files}) != len(files):
        raise ManifestDamaged(f"{source}: damaged manifest (a path is listed twice)")
    for s in m.scope:
        if s:
            check_relpath(s.rstrip("/"), f"{source}: scope")
    return m


def _entry(r: Any, source: str) -> FileEntry:
    path, digest, size, mode, mtime_ns, ino = r
    check_relpath(path, source)
    if not isinstance(digest, str) or len(digest) != 64 or not _HEX.issuperset(digest):
        raise ValueError(f"bad hash for {path!r}")
    if type(size) is not int or size < 0 or type(mode) is not int:
        raise ValueError(f"bad size or mode for {path!r}")
    if mode & ~0o7777 and not stat.S_ISREG(mode):
        # Backups hold regular files only: a link, device or fifo here is crafted.
        raise UnsafePathError(f"{source}: {path!r}: not a regular file (mode {mode:o}); links are never restored")
    return FileEntry(path, digest, size, mode & 0o7777, int(mtime_ns), int(ino))


def load(path: Path, header_only: bool = False) -> Manifest:
    """Load and check a manifest.  ``header_only`` still checks every byte's checksum
    but skips building the file list (listings)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestDamaged(f"{path}: cannot read manifest: {exc}") from None
    return parse(raw, str(path), header_only=header_only)
