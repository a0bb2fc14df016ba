"""Durable file writes: every file the product writes goes through here.

Temp file in the target folder -> write -> flush + fsync -> os.replace -> fsync the
folder.  A crash at any moment leaves either the old bytes or the new bytes under the
final name, never a truncated mix; the temp file is removed on any failure.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

from .errors import UserError

TEMP_PREFIX = ".arx-tmp-"


def fsync_dir(path: str | os.PathLike) -> None:
    """fsync a directory so a rename inside it survives power loss (no-op on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_stream(path: str | os.PathLike, fill: Callable[[BinaryIO], None], mode: int | None = None,
                 *, sync: bool = True) -> Path:
    """Durably create/replace ``path`` with what ``fill(fileobj)`` writes.

    ``fill`` gets a binary file object; use it for large content that should not be
    held in memory at once (backups).  Parent folders are created as needed.

    ``sync=False`` is for bulk writers (backup objects, restore staging): the rename is
    still atomic, but the fsyncs are left to ONE ``sync_filesystem`` call after the
    batch, which the caller must make before anything refers to these files (thousands
    of per-file fsyncs cost seconds).  Windows has no syncfs, so it always fsyncs.
    """
    if os.name == "nt":
        sync = True
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)

    def set_mode(tmp_name: str) -> None:
        if mode is not None:
            os.chmod(tmp_name, mode)
        elif target.exists():
            os.chmod(tmp_name, target.stat().st_mode & 0o7777)
        else:
            # mkstemp creates 0600; a normal file should get the usual umask default.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)

    _replace_via_temp(target.parent, target, fill, sync, set_mode)
    return target


def write_private(path: str | os.PathLike, fill: Callable[[BinaryIO], None], *, sync: bool = True) -> int:
    """``write_stream`` for a private store that writes thousands of files (backup
    objects): same temp + rename atomicity, but the folder must exist and the file
    keeps mkstemp's owner-only mode, saving three metadata calls per file.  Returns
    the number of bytes written."""
    if os.name == "nt":
        sync = True
    target = os.fspath(path)
    return _replace_via_temp(os.path.dirname(target), target, fill, sync)


def _replace_via_temp(folder, target, fill: Callable[[BinaryIO], None], sync: bool,
                      adjust: Callable[[str], None] | None = None) -> int:
    """The shared core: a temp file in ``folder``, ``fill`` it, flush (+ fsync),
    ``adjust(temp name)``, rename over ``target`` (+ fsync the folder).  The temp file is
    removed on any failure.  Returns the number of bytes written."""
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            size = fh.tell()
            if sync:
                os.fsync(fh.fileno())
        if adjust is not None:
            adjust(tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    if sync:
        fsync_dir(folder)
    return size


def write_new_file(path: str | os.PathLike, data: bytes, mode: int = 0o644, *, sync: bool = True) -> Path:
    """Create ``path``, which must not exist, in a PRIVATE folder whose files become
    visible only through a later commit step (restore staging: a journal decides).
    Skips temp + rename (half the cost per file); a crash leaves at worst a partial
    file nobody refers to, and a failure removes it.  The parent must exist."""
    target = os.fspath(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(target)
        raise
    os.close(fd)
    return Path(target)


def sync_filesystem(path: str | os.PathLike) -> None:
    """Flush every pending write of the filesystem holding ``path`` (the batch end of
    ``write_stream(sync=False)``): Linux ``syncfs``, ``os.sync`` on other POSIX."""
    if os.name == "nt":
        return
    fd = os.open(os.fspath(path), os.O_RDONLY)
    try:
        if _syncfs is not None and _syncfs(fd) == 0:
            return
        os.sync()
    finally:
        os.close(fd)


SYNCFS_THRESHOLD = 256


def sync_paths(files, folders=(), *, fs_root: str | os.PathLike | None = None) -> None:
    """Make a batch of ``sync=False`` writes durable: fsync each file and folder when
    the batch is small (cheap, and never waits for other programs' dirty data); one
    ``sync_filesystem(fs_root)`` when it is large (thousands of fsyncs cost seconds)."""
    files = list(files)
    folders = set(map(os.fspath, folders)) | {os.path.dirname(os.fspath(f)) for f in files}
    if fs_root is not None and len(files) + len(folders) > SYNCFS_THRESHOLD and os.name != "nt":
        sync_filesystem(fs_root)
        return
    for f in files:
        try:
            fd = os.open(os.fspath(f), os.O_RDONLY)
        except FileNotFoundError:
            continue  # replaced or removed since: its successor was synced by its writer
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for d in sorted(folders):
        try:
            fsync_dir(d)
        except FileNotFoundError:
            pass


def _load_syncfs():
    if not os.uname().sysname == "Linux":
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


_syncfs = None if os.name == "nt" else _load_syncfs()


def write_bytes(path: str | os.PathLike, data: bytes, mode: int | None = None, *, sync: bool = True) -> Path:
    return write_stream(path, lambda fh: fh.write(data), mode, sync=sync)


def write_text(path: str | os.PathLike, text: str, mode: int | None = None) -> Path:
    return write_bytes(path, text.encode("utf-8"), mode)


def dump_json(obj: Any) -> str:
    """The one JSON layout the product writes: 2-space indent, stable, trailing newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    return write_text(path, dump_json(obj))


def remove_file(path: str | os.PathLike) -> bool:
    """Remove a file durably (fsync its folder).  Returns False when it did not exist."""
    target = Path(path)
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(target.parent)
    return True


def clean_stale_temps(folder: str | os.PathLike) -> int:
    """Remove temp files a crashed writer left in ``folder`` (recursively)."""
    count = 0
    for tmp in Path(folder).rglob(TEMP_PREFIX + "*"):
        try:
            tmp.unlink()
            count += 1
        except OSError:
            pass
    return count


# ---- paths a person typed for output (report, CSV, export, migration report) ----------------
class OutputPathError(UserError):
    """An output path that cannot be written; the message names the path and the cause."""


def output_problem(path: str | os.PathLike, *, folder: bool = False) -> str | None:
    """What is wrong with ``path`` as a file to write (``folder``: as a folder to write
    into), or None when nothing can be seen before trying.  The OS reports a file in
    the way as "File exists" (from mkdir) or "Not a directory", naming neither file."""
    p = Path(path).expanduser()
    for parent in p.parents:
        if parent.exists():           # the nearest existing ancestor must be a folder
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            break
    if folder and p.exists() and not p.is_dir():
        return f"{p} is a file, not a folder"
    if not folder and p.is_dir():
        return f"{p} is a folder, not a file"
    return None


def _cannot(path, folder: bool) -> str:
    return f"cannot write into {path}" if folder else f"cannot write {path}"


def check_output_path(path: str | os.PathLike, *, folder: bool = False) -> Path:
    """Refuse, before any work, an output path that cannot be written (one message for
    every command and dialog that writes where the user said)."""
    problem = output_problem(path, folder=folder)
    if problem:
        raise OutputPathError(f"{_cannot(path, folder)}: {problem}")
    return Path(path).expanduser()


def write_failure(path: str | os.PathLike, exc: OSError, *, folder: bool = False) -> str:
    """Why writing ``path`` failed with ``exc``: the path's own problem when one can be
    named ("X is a file, not a folder"), else the OS's reason ("permission denied")."""
    problem = output_problem(path, folder=folder)
    if problem is None:
        reason = exc.strerror or str(exc)
        problem = reason[:1].lower() + reason[1:]
    return problem


def output_error(path: str | os.PathLike, exc: OSError, *, folder: bool = False) -> OutputPathError:
    """The error to raise when writing ``path`` failed with ``exc``."""
    return OutputPathError(f"{_cannot(path, folder)}: {write_failure(path, exc, folder=folder)}")
