"""What a backup of each kind covers, and which manifest paths are acceptable.

Scopes are workspace-relative POSIX prefixes: ``""`` is the whole workspace, a prefix
ending in ``/`` a folder, anything else one file.  A restore is point-in-time inside
the backup's scope only: a system backup never removes another system's files.
"""

from __future__ import annotations

import re

from ..errors import UserError
from ..workspace import BEHAVIOR_DIR, DOCS_DIR, INTERNAL_NAMES, SCHEMAS_DIR, SYMBOLS_DIR

KINDS = ("full", "system", "schema", "symbols", "behavior")
REASONS = {
    "manual": "manual",
    "before_run": "before a run",
    "before_restore": "before a restore",
    "scheduled": "scheduled",
}
_SYSTEM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class UnsafePathError(UserError):
    """A manifest or workspace path that could escape the workspace."""


def check_system(system: str) -> str:
    if not system or not _SYSTEM_RE.match(system) or system in (".", ".."):
        raise UserError(f"{system!r}: not a valid system name")
    return system


def scope_for(kind: str, system: str | None = None) -> list[str]:
    """The path prefixes a backup of ``kind`` covers (``system`` narrows part kinds)."""
    if kind not in KINDS:
        raise UserError(f"{kind!r}: unknown backup kind (one of {', '.join(KINDS)})")
    if kind == "full":
        if system:
            raise UserError("a full backup covers every system; use --kind system to back up one")
        return [""]
    if kind == "system":
        if not system:
            raise UserError("a system backup needs a system name (--system)")
        s = check_system(system)
        return [f"{SCHEMAS_DIR}/{s}/", f"{SYMBOLS_DIR}/{s}/", f"{BEHAVIOR_DIR}/{s}/", f"{DOCS_DIR}/{s}.md"]
    base = {"schema": SCHEMAS_DIR, "symbols": SYMBOLS_DIR, "behavior": BEHAVIOR_DIR}[kind]
    return [f"{base}/{check_system(system)}/"] if system else [f"{base}/"]


def system_prefixes(system: str) -> list[str]:
    return scope_for("system", system)


def in_scope(path: str, scope: list[str]) -> bool:
    for prefix in scope:
        if prefix == "" or path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return True
    return False


def normalize_selection(path: str) -> str:
    """A user-given ``--path``: a file, or a folder (trailing slash optional)."""
    p = path.replace("\\", "/").strip()
    while p.startswith("./"):
        p = p[2:]
    check_relpath(p.rstrip("/"), "the selected path")
    return p


def folders_of(path: str):
    """``a/b/c.json`` -> ``a``, ``a/b``: every folder above a relative path."""
    i = path.find("/")
    while i > 0:
        yield path[:i]
        i = path.find("/", i + 1)


def selection_matcher(selection: list[str]):
    """``matches(path)``: the path is one of the selected paths or lies in a selected
    folder.  A set lookup per folder of the path, whatever the selection's length
    (undoing a big restore selects every path it touched)."""
    exact = {s.rstrip("/") for s in selection}

    def matches(path: str) -> bool:
        return path in exact or any(f in exact for f in folders_of(path))

    return matches


def check_relpath(path: object, where: str = "manifest") -> str:
    """Refuse anything that is not a plain relative POSIX path inside the workspace."""
    if not isinstance(path, str) or not path:
        raise UnsafePathError(f"{where}: empty or non-text path {path!r}")
    if "\x00" in path or "\\" in path:
        raise UnsafePathError(f"{where}: {path!r}: NUL or backslash in path")
    if path[0] == "/" or (len(path) > 1 and path[1] == ":"):
        raise UnsafePathError(f"{where}: {path!r}: absolute path")
    # Fast accept for the common case; the precise checks run only when needed.
    if "/." in path or path[0] == "." or "//" in path or path.endswith("/"):
        parts = path.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise UnsafePathError(f"{where}: {path!r}: '..', '.' or empty component")
        if parts[0] in INTERNAL_NAMES or any(p.startswith(".arx-tmp-") for p in parts):
            raise UnsafePathError(f"{where}: {path!r}: the console's own file, never part of a backup")
    return path
