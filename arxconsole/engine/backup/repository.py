"""The backup repository in the data dir (``DataDir.backups``), outside any workspace::

    objects/<2 hex>/<sha256>   content-addressed file contents (objects.py)
    manifests/<id>.json        one per live backup: the source of truth (manifest.py)
    deleted/<id>.json          soft-deleted backups, undoable until ``purge``
    pending/<id>               a create in progress (holds a lock on it while alive)
    .lock                      shared by creates/restores, exclusive for purge

Ids are ``<UTC time to the microsecond>-<8 random hex>``: they sort by creation time,
and an id already present (live or deleted) is never reused (checked, redrawn).

Purge is safe against concurrent creation: a create holds the repository lock shared
from its first object write until its manifest is durable, and purge takes it
exclusively, so purge never sees (and collects) objects of a half-made backup.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .. import durable
from ..errors import UserError
from . import faults
from .manifest import Manifest, ManifestDamaged, load
from .objects import ObjectStore

LOCK_WAIT_S = 30.0
_CHECKED: dict[tuple, Manifest] = {}   # manifests already fully checked (header kept)


class BackupNotFound(UserError):
    pass


@dataclass
class BackupRecord:
    """One entry of a listing: a good manifest, or a damaged one with its problem.

    ``manifest`` carries the header only (``files`` is empty, to keep listings of many
    large backups light); ``repo.load(id)`` gives the full, re-checked manifest."""

    id: str
    state: str                  # "ok" | "damaged" | "deleted"
    manifest: Manifest | None
    problem: str = ""

    def to_json(self) -> dict:
        data = {"id": self.id, "state": self.state}
        if self.manifest is not None:
            data.update(self.manifest.summary())
        if self.problem:
            data["problem"] = self.problem
        return data


@dataclass
class PurgeReport:
    manifests_removed: list[str]
    objects_removed: int
    bytes_freed: int

    def to_json(self) -> dict:
        return {"manifests_removed": self.manifests_removed, "objects_removed": self.objects_removed,
                "bytes_freed": self.bytes_freed}


class BackupRepository:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.objects = ObjectStore(self.root / "objects")
        self.manifests_dir = self.root / "manifests"
        self.deleted_dir = self.root / "deleted"
        self.pending_dir = self.root / "pending"
        for d in (self.manifests_dir, self.deleted_dir, self.pending_dir, self.objects.root):
            d.mkdir(parents=True, exist_ok=True)

    @classmethod
    def for_data_dir(cls, data_dir) -> "BackupRepository":
        return cls(data_dir.backups)

    # ---- ids -----------------------------------------------------------------------
    def new_id(self) -> str:
        while True:
            now = dt.datetime.now(dt.timezone.utc)
            bid = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z-" + secrets.token_hex(4)
            if not (self.manifest_path(bid).exists() or self.deleted_path(bid).exists()
                    or (self.pending_dir / bid).exists()):
                return bid

    def manifest_path(self, bid: str) -> Path:
        return self.manifests_dir / f"{bid}.json"

    def deleted_path(self, bid: str) -> Path:
        return self.deleted_dir / f"{bid}.json"

    # ---- listing / loading ---------------------------------------------------------
    def _ids(self, folder: Path) -> list[str]:
        return sorted(p.name[:-5] for p in folder.glob("*.json") if not p.name.startswith("."))

    def list(self, include_deleted: bool = False, workspace: str | os.PathLike | None = None) -> list[BackupRecord]:
        """Every backup, oldest first; damaged manifests are listed as damaged, never ok."""
        records: list[BackupRecord] = []
        folders = [(self.manifests_dir, "ok")] + ([(self.deleted_dir, "deleted")] if include_deleted else [])
        ws = str(Path(workspace).resolve()) if workspace else None
        for folder, state in folders:
            for bid in self._ids(folder):
                try:
                    m = self._load_cached(folder / f"{bid}.json")
                    if m.id != bid:
                        raise ManifestDamaged(f"{folder / (bid + '.json')}: damaged manifest (names id {m.id})")
                    if ws and m.workspace != ws:
                        continue
                    records.append(BackupRecord(bid, state, m))
                except UserError as exc:
                    records.append(BackupRecord(bid, "damaged" if state == "ok" else state, None, str(exc)))
        records.sort(key=lambda r: r.id)
        return records

    def _load_cached(self, path: Path) -> Manifest:
        """Full check (checksums and every path) once per manifest file version; a
        listing of many large manifests then costs a stat each after the first."""
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
        hit = _CHECKED.get(key)
        if hit is None:
            m = load(path)
            hit = _CHECKED[key] = Manifest(**{**m.__dict__, "files": []})
        return hit

    def resolve_id(self, ref: str, include_deleted: bool = False) -> str:
        """An exact id or a unique prefix of one."""
        ids = self._ids(self.manifests_dir) + (self._ids(self.deleted_dir) if include_deleted else [])
        if ref in ids:
            return ref
        hits = [i for i in ids if i.startswith(ref)] if ref else []
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise BackupNotFound(f"backup {ref!r}: no such backup in {self.root}")
        raise BackupNotFound(f"backup {ref!r}: ambiguous, matches {', '.join(hits[:5])}")

    def load(self, ref: str | Manifest) -> Manifest:
        """A live backup's manifest, checked (raises ManifestDamaged when it is not good).
        A Manifest passes through (callers that already hold one)."""
        if isinstance(ref, Manifest):
            return ref
        bid = self.resolve_id(ref)
        m = load(self.manifest_path(bid))
        if m.id != bid:
            raise ManifestDamaged(f"{self.manifest_path(bid)}: damaged manifest (names id {m.id})")
        return m

    def latest_for(self, workspace: str | os.PathLike) -> Manifest | None:
        """The newest good backup of this workspace (its stat data speeds up the next one)."""
        ws = str(Path(workspace).resolve())
        for bid in reversed(self._ids(self.manifests_dir)):
            try:
                if load(self.manifest_path(bid), header_only=True).workspace == ws:
                    return load(self.manifest_path(bid))
            except UserError:
                continue
        return None

    # ---- writing -------------------------------------------------------------------
    def save(self, manifest: Manifest) -> Path:
        path = self.manifest_path(manifest.id)
        if path.exists() or self.deleted_path(manifest.id).exists():
            raise UserError(f"backup id {manifest.id} already exists; refusing to overwrite it")
        faults.point("manifest.write")
        durable.write_bytes(path, manifest.to_bytes())
        faults.point("manifest.written")
        return path

    def delete(self, ref: str, *, db=None, why: str = "") -> str:
        """Soft delete: move the manifest aside (undo with ``undelete`` until ``purge``)."""
        bid = self.resolve_id(ref)
        self._move(self.manifest_path(bid), self.deleted_path(bid))
        if db is not None:
            _index().set_state(db, bid, "deleted")
            db.audit("backup.delete", bid, message=why or "soft delete (undo with undelete until purge)")
        return bid

    def undelete(self, ref: str, *, db=None) -> str:
        bid = self._resolve_deleted(ref)
        self._move(self.deleted_path(bid), self.manifest_path(bid))
        if db is not None:
            _index().set_state(db, bid, "ok")
            db.audit("backup.undelete", bid, message="brought back from the deleted backups")
        return bid

    def _resolve_deleted(self, ref: str) -> str:
        ids = self._ids(self.deleted_dir)
        hits = [i for i in ids if i == ref] or [i for i in ids if ref and i.startswith(ref)]
        if len(hits) != 1:
            raise BackupNotFound(f"backup {ref!r}: no such deleted backup (purged, or never deleted)")
        return hits[0]

    def _move(self, src: Path, dst: Path) -> None:
        faults.point("manifest.move")
        os.replace(src, dst)
        durable.fsync_dir(dst.parent)
        durable.fsync_dir(src.parent)
        faults.point("manifest.moved")

    def purge(self, *, db=None) -> PurgeReport:
        """Remove soft-deleted backups for good, then every object no live backup needs."""
        report = self._purge()
        if db is not None:
            for bid in report.manifests_removed:
                _index().set_state(db, bid, "purged")
            db.audit("backup.purge", "", message=f"{len(report.manifests_removed)} backups and "
                     f"{report.objects_removed} objects removed", details=report.to_json())
        return report

    def _purge(self) -> PurgeReport:
        with self.lock(shared=False):
            live = [r if r.state != "ok" else BackupRecord(r.id, r.state, self.load(r.id)) for r in self.list()]
            damaged = [r for r in live if r.state == "damaged"]
            if damaged:
                raise UserError("purge refused: these manifests are damaged, so the objects they need "
                                "cannot be known; delete them first: "
                                + "; ".join(r.problem for r in damaged))
            removed = []
            for bid in self._ids(self.deleted_dir):
                faults.point("manifest.purge")
                durable.remove_file(self.deleted_path(bid))
                removed.append(bid)
            needed = {f.hash for r in live for f in r.manifest.files}
            count = freed = 0
            for digest in list(self.objects.iter_digests()):
                if digest not in needed:
                    try:
                        freed += self.objects.path_for(digest).stat().st_size
                    except OSError:
                        pass
                    self.objects.remove(digest)
                    count += 1
            # Under the exclusive lock no create is running: leftovers are from crashes.
            durable.clean_stale_temps(self.objects.root)
            for marker in self.pending_dir.iterdir():
                durable.remove_file(marker)
            return PurgeReport(removed, count, freed)

    # ---- concurrency ---------------------------------------------------------------
    @contextmanager
    def lock(self, shared: bool) -> Iterator[None]:
        fh = open(self.root / ".lock", "a+b")
        try:
            _acquire(fh, shared, self.root)
            yield
        finally:
            fh.close()  # closing drops the lock

    @contextmanager
    def pending(self, bid: str) -> Iterator[None]:
        """Mark a create in progress; a marker left by a crash tells the next create to
        re-check objects written since (a power loss may have truncated them)."""
        self.recover_stale_pending()
        marker = self.pending_dir / bid
        faults.point("pending.write")
        durable.write_text(marker, f"{time.time_ns()}\n")
        fh = open(marker, "rb")
        _flock(fh, exclusive=True, block=True)
        try:
            yield
        finally:
            fh.close()
            faults.point("pending.remove")
            durable.remove_file(marker)

    def recover_stale_pending(self) -> int:
        """Verify objects written after a crashed create started; remove bad ones."""
        stale = []
        for marker in self.pending_dir.iterdir():
            try:
                fh = open(marker, "rb")
            except OSError:
                continue
            with fh:
                if not _flock(fh, exclusive=True, block=False):
                    continue  # a live create holds it
                try:
                    stale.append((marker, int(fh.read().strip() or 0)))
                except ValueError:
                    stale.append((marker, 0))
        if not stale:
            return 0
        since = min(t for _, t in stale)
        removed = 0
        for digest in list(self.objects.iter_digests()):
            path = self.objects.path_for(digest)
            try:
                if path.stat().st_mtime_ns < since:
                    continue
            except OSError:
                continue
            if self.objects.check(digest, None) is not None:
                self.objects.remove(digest)
                removed += 1
        for marker, _ in stale:
            durable.remove_file(marker)
        return removed


def _index():
    from . import index  # index imports this module

    return index


if os.name == "nt":  # pragma: no cover - Windows only: exclusive locks only
    import msvcrt

    def _flock(fh, exclusive: bool, block: bool) -> bool:
        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK if block else msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _flock(fh, exclusive: bool, block: bool) -> bool:
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if block else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh.fileno(), flags)
            return True
        except BlockingIOError:
            return False


def _acquire(fh, shared: bool, root: Path) -> None:
    deadline = time.monotonic() + LOCK_WAIT_S
    while not _flock(fh, exclusive=not shared, block=False):
        if time.monotonic() > deadline:
            what = "a purge" if shared else "a backup or restore"
            raise UserError(f"{root}: {what} is running; try again when it has finished")
        time.sleep(0.1)
