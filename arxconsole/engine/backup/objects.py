"""Content-addressed object store: each distinct file content stored once.

An object is named by the SHA-256 of the file's raw bytes and lives at
``objects/<first 2 hex>/<64 hex>``.  Its bytes are a 5-byte header (``AXO1`` + codec)
and the payload: ``z`` = zlib level 1 (fast; level 6 costs ~2x the CPU for ~5 % smaller
text), ``r`` = stored raw when compression saves under 5 % (SVG-in-JSON compresses
3-10x, already-compressed binaries not at all, and skipping them saves CPU on both
ends).  Objects are never modified once written; they are written with
``durable.write_stream(sync=False)`` and made durable by the caller's one
``durable.sync_paths`` (per-file fsyncs for a few, one syncfs for thousands) before a
manifest refers to them.

Reading always re-hashes: ``copy_verified`` streams the decompressed bytes to a sink
and raises ``ObjectDamaged`` on a missing file, bad header, corrupt or truncated zlib
data, wrong size or wrong hash, so nothing unverified is ever handed out as good.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

from .. import durable
from ..errors import UserError
from . import faults

log = logging.getLogger(__name__)

MAGIC = b"AXO1"
RAW, ZLIB = b"r", b"z"
HEADER_LEN = len(MAGIC) + 1
CHUNK = 1 << 20          # streaming unit: bounds memory per worker thread
SMALL = 4 << 20          # files up to this size are read and compressed in one piece
MIN_SAVING = 0.95        # store raw unless zlib saves at least 5 %


class ObjectDamaged(UserError):
    """A stored object is missing or its content does not match its name."""


class FileChangedError(UserError):
    """A workspace file changed while it was being backed up."""


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, streamed."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class ObjectStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._base = os.fspath(self.root)
        self._folders: set[str] = set()   # object sub-folders known to exist

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def _path(self, digest: str) -> str:
        return os.path.join(self._base, digest[:2], digest)

    def has(self, digest: str) -> bool:
        return os.path.exists(self._path(digest))

    def looks_intact(self, digest: str, size: int, written_before_ns: int) -> bool:
        """A stat-only judgement for the unchanged-file shortcut of ``create``: the
        object exists, its stored size is possible for ``size`` raw bytes, and it was
        not modified after ``written_before_ns`` (objects are never modified once
        written: a later mtime means something wrote into it).  False sends the file
        down the full path, which re-reads it and repairs a damaged object.  Bit rot
        that keeps size and mtime is ``verify``'s to find: this must stay as cheap as
        the ``exists`` it replaces."""
        try:
            st = os.stat(self._path(digest))
        except OSError:
            return False
        stored = st.st_size - HEADER_LEN
        # raw: exactly ``size``; zlib: chosen on the first chunk of a large file, so a
        # less compressible rest can come out a little above raw (zlib's worst case is
        # ~0.03 % + a few bytes); nothing can be empty but an empty file
        plausible = 0 < stored <= size + (size >> 10) + 64 or (size == 0 and stored == 0)
        return plausible and st.st_mtime_ns <= written_before_ns

    def iter_digests(self):
        if not self.root.is_dir():
            return
        for sub in os.scandir(self.root):
            if sub.is_dir() and len(sub.name) == 2:
                for entry in os.scandir(sub.path):
                    if len(entry.name) == 64 and not entry.name.startswith("."):
                        yield entry.name

    # ---- writing -------------------------------------------------------------------
    def put_file(self, src: Path, written: list[str]) -> tuple[str, int, int]:
        """Store a workspace file.  Returns (digest, size, bytes newly stored); the
        path of a newly written object is appended to ``written``: the caller makes
        them durable (``durable.sync_paths``) before anything refers to them."""
        size = os.stat(src).st_size
        if size <= SMALL:
            with open(src, "rb") as fh:
                data = fh.read()
            digest = hashlib.sha256(data).hexdigest()
            if self.has(digest) and self._reusable(digest, len(data)):
                return digest, len(data), 0
            packed = zlib.compress(data, 1)
            codec, payload = (ZLIB, packed) if len(packed) < len(data) * MIN_SAVING else (RAW, data)
            return digest, len(data), self._write(digest, lambda fh: (fh.write(MAGIC + codec), fh.write(payload)),
                                                  written)
        return self._put_large(src, written)

    def _put_large(self, src: Path, written: list[str]) -> tuple[str, int, int]:
        # Pass 1 names the object (and probes compressibility); pass 2 streams it into
        # the store re-hashing as it goes, so a file edited in between is caught.
        h = hashlib.sha256()
        size = 0
        probe = b""
        with open(src, "rb") as fh:
            while chunk := fh.read(CHUNK):
                if not probe:
                    probe = chunk
                h.update(chunk)
                size += len(chunk)
        digest = h.hexdigest()
        if self.has(digest) and self._reusable(digest, size):
            return digest, size, 0
        compress = len(zlib.compress(probe, 1)) < len(probe) * MIN_SAVING

        def fill(out: BinaryIO) -> None:
            h2 = hashlib.sha256()
            out.write(MAGIC + (ZLIB if compress else RAW))
            comp = zlib.compressobj(1) if compress else None
            with open(src, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    h2.update(chunk)
                    out.write(comp.compress(chunk) if comp else chunk)
            if comp:
                out.write(comp.flush())
            if h2.hexdigest() != digest:
                raise FileChangedError(f"{src}: changed while it was being backed up; try again")

        return digest, size, self._write(digest, fill, written)

    def _reusable(self, digest: str, size: int) -> bool:
        """Whether an object already stored under ``digest`` can be shared.  It is read
        and checked first (deduplicating against a damaged object would make the new
        backup unrestorable while reporting success); a damaged one is then replaced by
        the good copy about to be written, which repairs every backup that names it."""
        problem = self.check(digest, size)
        if problem is None:
            return True
        log.warning("backup objects: %s; storing a fresh copy from the workspace file", problem)
        return False

    def _write(self, digest: str, fill: Callable[[BinaryIO], object], written: list[str]) -> int:
        target = self._path(digest)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        faults.point("object.write")
        size = durable.write_private(target, fill, sync=False)
        written.append(target)  # list.append is atomic: safe from worker threads
        faults.point("object.written")
        return size

    def remove(self, digest: str) -> bool:
        faults.point("object.remove")
        return durable.remove_file(self.path_for(digest))

    # ---- reading (always verified) -------------------------------------------------
    def copy_verified(self, digest: str, size: int | None, sink: Callable[[bytes], object]) -> None:
        """Feed the object's raw bytes to ``sink``; raise ObjectDamaged unless they hash
        to ``digest`` and total ``size`` bytes (None: size unknown, hash only)."""
        if size is not None and size <= SMALL:
            sink(self.read_small(digest, size))
            return
        path = self.path_for(digest)
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            raise ObjectDamaged(f"object {digest[:12]} is missing ({path})") from None
        except OSError as exc:
            raise ObjectDamaged(f"object {digest[:12]} cannot be read: {exc}") from None
        h = hashlib.sha256()
        total = 0
        with fh:
            header = fh.read(HEADER_LEN)
            if len(header) != HEADER_LEN or header[:4] != MAGIC or header[4:] not in (RAW, ZLIB):
                raise ObjectDamaged(f"object {digest[:12]} is damaged: bad header ({path})")
            decomp = zlib.decompressobj() if header[4:] == ZLIB else None
            try:
                while True:
                    chunk = fh.read(CHUNK)
                    if decomp is None:
                        if not chunk:
                            break
                        pieces = [chunk]
                    else:
                        pieces = []
                        buf = chunk
                        # max_length bounds memory even for a hostile, highly compressed object
                        while buf:
                            pieces.append(decomp.decompress(buf, CHUNK))
                            buf = decomp.unconsumed_tail
                        if not chunk:
                            pieces.append(decomp.flush())
                    for piece in pieces:
                        if not piece:
                            continue
                        total += len(piece)
                        if size is not None and total > size:
                            raise ObjectDamaged(f"object {digest[:12]} is damaged: longer than {size} bytes ({path})")
                        h.update(piece)
                        sink(piece)
                    if not chunk:
                        break
            except zlib.error as exc:
                raise ObjectDamaged(f"object {digest[:12]} is damaged: {exc} ({path})") from None
            if decomp is not None and (not decomp.eof or decomp.unused_data):
                raise ObjectDamaged(f"object {digest[:12]} is damaged: truncated or trailing data ({path})")
        if size is not None and total != size:
            raise ObjectDamaged(f"object {digest[:12]} is damaged: {total} bytes, expected {size} ({path})")
        if h.hexdigest() != digest:
            raise ObjectDamaged(f"object {digest[:12]} is damaged: content does not match its hash ({path})")

    def read_small(self, digest: str, size: int) -> bytes:
        """One read, one decompress call: the fast path for the typical 5-40 KB file."""
        path = self._path(digest)
        try:
            with open(path, "rb") as fh:
                blob = fh.read()
        except FileNotFoundError:
            raise ObjectDamaged(f"object {digest[:12]} is missing ({path})") from None
        except OSError as exc:
            raise ObjectDamaged(f"object {digest[:12]} cannot be read: {exc}") from None
        if blob[:4] != MAGIC or blob[4:5] not in (RAW, ZLIB):
            raise ObjectDamaged(f"object {digest[:12]} is damaged: bad header ({path})")
        if blob[4:5] == RAW:
            data = blob[HEADER_LEN:]
        else:
            d = zlib.decompressobj()
            try:
                # max_length: a hostile object cannot expand beyond the expected size
                data = d.decompress(memoryview(blob)[HEADER_LEN:], size + 1)
            except zlib.error as exc:
                raise ObjectDamaged(f"object {digest[:12]} is damaged: {exc} ({path})") from None
            if not d.eof or d.unused_data or d.unconsumed_tail:
                raise ObjectDamaged(f"object {digest[:12]} is damaged: truncated, too long or trailing data ({path})")
        if len(data) != size:
            raise ObjectDamaged(f"object {digest[:12]} is damaged: {len(data)} bytes, expected {size} ({path})")
        if hashlib.sha256(data).hexdigest() != digest:
            raise ObjectDamaged(f"object {digest[:12]} is damaged: content does not match its hash ({path})")
        return data

    def read_verified(self, digest: str, size: int) -> bytes:
        parts: list[bytes] = []
        self.copy_verified(digest, size, parts.append)
        return b"".join(parts)

    def check(self, digest: str, size: int | None) -> str | None:
        """None when the object is intact, else what is wrong with it."""
        try:
            self.copy_verified(digest, size, _discard)
        except ObjectDamaged as exc:
            return str(exc)
        return None


def _discard(_chunk: bytes) -> None:
    pass
