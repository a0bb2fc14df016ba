"""Reading a file someone else put there: a regular file only, and at most N bytes.

A path named like a symbol or a picture can be anything: a named pipe (``open`` waits
for a writer that never comes and the caller hangs), a device that never ends, a folder,
a link to nowhere, or a file far larger than any symbol.  One ``open`` (non-blocking, so
a pipe cannot hold it) and one ``fstat`` on that same descriptor decide, so a file
swapped between a check and the read cannot slip past; the read stops one byte past the
limit, so memory stays bounded even for a file that grows while it is read.
"""

from __future__ import annotations

import os
import stat

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class FileProblem(OSError):
    """Why the file was not read, in words for people (without the path: the caller
    names it the way the user knows it).  An OSError, so callers that already handle
    unreadable files handle these too."""


class TooLarge(FileProblem):
    def __init__(self, size: int | None, limit: int):
        self.size = size         # None: it grew past the limit while being read
        self.limit = limit
        what = f"{size:,} bytes, above" if size is not None else "above"   # grew while read: size unknown
        super().__init__(f"file is {what} the {limit:,}-byte limit; not read")


def open_problem(path: str | os.PathLike, exc: OSError) -> str:
    """Why ``path`` could not be opened: a link to nowhere and a folder by name, else
    the system's reason."""
    if os.path.islink(path) and not os.path.exists(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"symbolic link points nowhere ({target})"
    if os.path.isdir(path):
        return "a folder, not a file"
    reason = exc.strerror or str(exc)
    return f"cannot read: {reason}"


def read_bounded(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), at most
    ``max_bytes``; raises FileProblem (TooLarge above the limit) for anything else."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise FileProblem(open_problem(path, exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem("a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise FileProblem("not a regular file (a named pipe, socket or device); not read")
        if st.st_size > max_bytes:
            raise TooLarge(st.st_size, max_bytes)
        chunks = []
        # One byte more than fstat said notices a file that grew since.  os.read(n)
        # allocates n bytes up front: asking for the file's size, not the limit, keeps
        # a whole-library pass of small files cheap.
        want = min(st.st_size, max_bytes) + 1
        got = 0
        while got < want:
            chunk = os.read(fd, want - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except FileProblem:
        raise
    except OSError as exc:
        raise FileProblem(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if got > max_bytes:
        raise TooLarge(None, max_bytes)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
