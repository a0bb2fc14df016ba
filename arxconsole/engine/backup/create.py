"""Create a backup: scan the workspace, store new contents, write the manifest last.

Order of durability (why a crash never yields a backup listed as good but damaged):
objects are written (each atomically: temp + rename) -> ONE ``durable.sync_paths``
makes them all durable -> the manifest is written durably.  The manifest is the commit
point: before it exists the backup does not exist (its objects are unreferenced and
``purge`` collects them); once it exists every object it names is on disk.

Speed: files whose (size, mtime_ns, inode) equal the previous backup's entry reuse
its hash without reading (its object must still look intact: present, a possible
size, not written into since; ``ObjectStore.looks_intact``); others are hashed and
compressed in one pass on a small thread pool (hashlib and zlib release the GIL).  A
stored object found damaged on that path is stored again from the workspace file, which
heals every backup naming it.  ``verify`` never takes the shortcut.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .. import durable
from ..errors import UserError
from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import INTERNAL_NAMES, Workspace
from . import faults, index
from .layout import REASONS, UnsafePathError, check_relpath, in_scope, scope_for
from .manifest import FileEntry, Manifest
from .parallel import map_batched
from .repository import BackupRepository


def default_workers() -> int:
    return max(2, min(4, (os.cpu_count() or 1) + 1))


@dataclass(frozen=True)
class ScannedFile:
    rel: str
    path: str           # the file to read (a link's target when the link stays inside)
    size: int
    mode: int
    mtime_ns: int
    ino: int


def scan(workspace: Workspace, scope: list[str]) -> list[ScannedFile]:
    """Every user file in scope, sorted.  Same exclusions as
    ``Workspace.iter_content_files``, but with ``os.scandir`` and plain strings (10,000
    files in well under 100 ms) and it also sees symlinked folders: a link that leads
    outside the workspace, or nowhere, is refused; one inside is followed for files
    and skipped for folders (their content is backed up where it really lives)."""
    root = workspace.root
    found: list[ScannedFile] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            name = entry.name
            if name in INTERNAL_NAMES or name.startswith(durable.TEMP_PREFIX):
                continue
            rel = prefix + name
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, rel + "/")
                continue
            if entry.is_symlink():
                target = _check_link(root, Path(entry.path))
                if target.is_dir():
                    continue
            if not in_scope(rel, scope):
                continue
            check_relpath(rel, str(root))
            st = os.stat(entry.path)  # follows an (inside) link to its file
            if not stat.S_ISREG(st.st_mode):
                raise UnsafePathError(f"{entry.path}: not a regular file (device, socket or pipe); "
                                      f"move it out of the workspace")
            found.append(ScannedFile(rel, entry.path, st.st_size, st.st_mode & 0o7777, st.st_mtime_ns, st.st_ino))

    walk(os.fspath(root), "")
    found.sort(key=lambda f: f.rel)
    return found


def check_separate(workspace: Workspace, repo: BackupRepository) -> None:
    """Backups must live outside the workspace (and vice versa): otherwise a backup
    would contain the backups, and a point-in-time restore could delete them."""
    ws, store = workspace.root.resolve(), repo.root.resolve()
    if ws == store or ws in store.parents or store in ws.parents:
        raise UserError(f"{store}: the backup folder and the workspace {ws} overlap; keep the data dir "
                        f"(--data-dir) outside the workspace")


def _check_link(root: Path, link: Path) -> Path:
    target = link.resolve()
    if not target.exists():
        raise UnsafePathError(f"{link}: symbolic link points nowhere ({os.readlink(link)}); refusing to back it up")
    if target != root and root not in target.parents:
        raise UnsafePathError(f"{link}: symbolic link points outside the workspace ({target}); refusing to back it up")
    return target


def create_backup(workspace: Workspace, repo: BackupRepository, *, kind: str = "full",
                  system: str | None = None, reason: str = "manual", message: str = "",
                  run_id: str | None = None, db=None, progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None, workers: int | None = None) -> Manifest:
    """Back up ``workspace`` (all of it, or the part ``kind``/``system`` names)."""
    try:
        return _create(workspace, repo, kind, system, reason, message, run_id, db, progress, cancel, workers)
    except OSError as exc:
        # Anything not already explained (a full disk while marking the backup pending,
        # an unreadable folder): one clear message; the manifest is the commit point,
        # so no backup was recorded.
        where = exc.filename or repo.root
        raise UserError(f"{where}: cannot make the backup ({exc.strerror or exc}); no backup was recorded") from exc


def _create(workspace, repo, kind, system, reason, message, run_id, db, progress, cancel, workers) -> Manifest:
    if reason not in REASONS:
        raise UserError(f"{reason!r}: unknown backup reason (one of {', '.join(REASONS)})")
    scope = scope_for(kind, system)
    check_separate(workspace, repo)
    with repo.lock(shared=True):
        bid = repo.new_id()
        files = scan(workspace, scope)
        total = len(files)
        progress(0, total, f"scanning {workspace.root}")
        previous = repo.latest_for(workspace.root)
        known = previous.by_path() if previous else {}
        # Every object the previous backup names was written before its manifest: one
        # modified later has been written into (see ObjectStore.looks_intact).  No slack:
        # the kernel stamps files from a clock that lags the one created_at reads; a file
        # server whose clock runs ahead only sends files down the full path (slower
        # re-backups, never a wrong one).
        written_before = _ns(previous.created_at) if previous else 0
        entries: dict[str, FileEntry] = {}
        todo: list[ScannedFile] = []
        for f in files:
            old = known.get(f.rel)
            if (old is not None and old.size == f.size and old.mtime_ns == f.mtime_ns
                    and old.ino == f.ino and repo.objects.looks_intact(old.hash, old.size, written_before)):
                entries[f.rel] = FileEntry(f.rel, old.hash, f.size, f.mode, f.mtime_ns, f.ino)
            else:
                todo.append(f)
        done = len(entries)
        progress(done, total, f"{done} unchanged files, {len(todo)} to read")
        new_bytes = 0
        if todo:
            # Only a create that writes objects needs the pending marker (it guards
            # unsynced objects against a power loss); an unchanged re-backup skips it.
            with repo.pending(bid):
                written: list[str] = []
                try:
                    new_bytes = _store_all(repo, todo, entries, done, total, progress, cancel,
                                           workers or default_workers(), written)
                finally:
                    # Whatever got written is made durable before the pending marker
                    # goes (a later create may reuse those objects by name).
                    faults.point("objects.sync")
                    durable.sync_paths(written, fs_root=repo.objects.root)
        if cancel is not None:
            cancel.check()
        manifest = Manifest(
            id=bid, created_at=_now_iso(), kind=kind, scope=scope, reason=reason,
            files=[entries[f.rel] for f in files], system=system, message=message,
            workspace=str(workspace.root), actor=_actor(), run_id=run_id,
            totals={"files": total, "bytes": sum(f.size for f in entries.values()),
                    "new_bytes_stored": new_bytes})
        try:
            repo.save(manifest)
        except OSError as exc:
            raise UserError(f"{repo.manifest_path(bid)}: cannot write the manifest ({exc.strerror or exc}); "
                            f"no backup was recorded") from exc
    progress(total, total, f"backup {bid} created")
    if db is not None:
        index.record(db, manifest)
        db.audit("backup.create", bid, workspace=str(workspace.root),
                 message=f"{kind} backup ({REASONS[reason]}): {total} files"
                         + (f" - {message}" if message else ""),
                 details={"kind": kind, "system": system, "reason": reason, "files": total,
                          "bytes": manifest.totals["bytes"], "new_bytes_stored": new_bytes,
                          "run_id": run_id})
    return manifest


def _store_all(repo, todo, entries, done, total, progress, cancel, workers, written) -> int:
    """Hash+store ``todo`` on a thread pool in batches (few GIL hand-offs and futures
    per file; cancel is checked between batches).  Returns bytes newly written."""
    new_bytes = 0

    def store(f: ScannedFile):
        try:
            return repo.objects.put_file(f.path, written)
        except FileNotFoundError:
            raise UserError(f"{f.path}: disappeared while it was being backed up; try again") from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise UserError(f"{repo.root}: no space left on the device while storing "
                                f"{f.rel}; nothing was recorded, free some space and try again") from exc
            raise UserError(f"{f.path}: cannot back up: {exc.strerror or exc}") from exc

    step = max(1, total // 200)
    for f, (digest, size, stored) in map_batched(store, todo, workers, batch=32, cancel=cancel):
        new_bytes += stored
        entries[f.rel] = FileEntry(f.rel, digest, size, f.mode, f.mtime_ns, f.ino)
        done += 1
        if done % step == 0 or done == total:
            progress(done, total, f.rel)
    return new_bytes


def _ns(iso: str) -> int:
    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return 0       # unreadable: trust no object by its stat alone
    return int(t.timestamp() * 1_000_000_000)


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _actor() -> str:
    from getpass import getuser

    try:
        return getuser()
    except Exception:
        return "unknown"
