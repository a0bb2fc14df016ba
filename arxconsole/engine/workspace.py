"""A workspace: a folder laid out the way Arxos lays out a building-systems repository.

    schemas/<system>/schema.json
    arx-symbol-library/<system>/<SYMBOL_ID>.json
    behavior/<system>/<profile_id>.yaml
    symbol_index.json, systems.json           (generated registry)
    docs/systems/<system>.md                  (generated documentation)

One console at a time: ``WorkspaceLock`` holds an OS-level lock on a file in the
workspace; the OS drops it when the process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import UserError

SCHEMAS_DIR = "schemas"
SYMBOLS_DIR = "arx-symbol-library"
BEHAVIOR_DIR = "behavior"
DOCS_DIR = "docs/systems"
SYMBOL_INDEX = "symbol_index.json"
SYSTEMS_REGISTRY = "systems.json"
LOCK_FILE = ".arxconsole.lock"
# Files and folders the console itself keeps inside a workspace; never part of the
# user's content (not backed up, not restored, not listed).
INTERNAL_NAMES = frozenset({LOCK_FILE, ".arxconsole-journal", ".arxconsole-staging"})


class WorkspaceError(UserError):
    """A workspace problem the user can act on; the message names the folder."""


class WorkspaceLockedError(WorkspaceError):
    pass


@dataclass(frozen=True)
class Workspace:
    root: Path

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def open(cls, root: str | os.PathLike) -> "Workspace":
        path = Path(root).expanduser().resolve()
        if not path.is_dir():
            raise WorkspaceError(f"{path}: not a folder")
        if not any((path / d).is_dir() for d in (SCHEMAS_DIR, SYMBOLS_DIR, BEHAVIOR_DIR)):
            raise WorkspaceError(
                f"{path}: not an Arxos workspace (none of {SCHEMAS_DIR}/, {SYMBOLS_DIR}/, "
                f"{BEHAVIOR_DIR}/ exists)"
            )
        return cls(path)

    @classmethod
    def create(cls, root: str | os.PathLike, *, require_empty: bool = False) -> "Workspace":
        """Lay out a workspace at ``root`` (made if missing).  With ``require_empty`` (a
        person picked the folder) a folder that holds anything but an existing workspace
        is refused, so a mis-click on a home or documents folder never scatters
        ``schemas/`` and friends through it."""
        path = Path(root).expanduser().resolve()
        if require_empty and path.exists():
            if not path.is_dir():
                raise WorkspaceError(f"{path}: not a folder")
            is_workspace = any((path / d).is_dir() for d in (SCHEMAS_DIR, SYMBOLS_DIR, BEHAVIOR_DIR))
            try:   # hidden entries (.git of a folder just `git init`-ed) do not count
                has_entries = any(not p.name.startswith(".") for p in path.iterdir())
            except OSError as exc:
                raise WorkspaceError(f"{path}: cannot read the folder ({exc.strerror or exc})") from None
            if has_entries and not is_workspace:
                raise WorkspaceError(f"{path}: the folder is not empty; choose an empty folder for a new "
                                     "workspace (or open an existing one)")
        try:
            for sub in (SCHEMAS_DIR, SYMBOLS_DIR, BEHAVIOR_DIR, DOCS_DIR):
                (path / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot create the workspace folders "
                                 f"({exc.strerror or exc})") from None
        return cls(path)

    @property
    def name(self) -> str:
        return self.root.name

    # ---- layout --------------------------------------------------------------------
    def schema_path(self, system: str) -> Path:
        return self.root / SCHEMAS_DIR / system / "schema.json"

    def symbols_dir(self, system: str) -> Path:
        return self.root / SYMBOLS_DIR / system

    def symbol_path(self, system: str, symbol_id: str) -> Path:
        return self.symbols_dir(system) / f"{symbol_id}.json"

    def behavior_dir(self, system: str) -> Path:
        return self.root / BEHAVIOR_DIR / system

    def profile_path(self, system: str, profile_id: str) -> Path:
        return self.behavior_dir(system) / f"{profile_id}.yaml"

    def docs_path(self, system: str) -> Path:
        return self.root / DOCS_DIR / f"{system}.md"

    @property
    def symbol_index_path(self) -> Path:
        return self.root / SYMBOL_INDEX

    @property
    def systems_registry_path(self) -> Path:
        return self.root / SYSTEMS_REGISTRY

    # ---- listing -------------------------------------------------------------------
    def systems(self) -> list[str]:
        """Every system that has a schema, a symbol folder or a behavior folder."""
        names: set[str] = set()
        for sub in (SCHEMAS_DIR, SYMBOLS_DIR, BEHAVIOR_DIR):
            folder = self.root / sub
            if folder.is_dir():
                names.update(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        return sorted(names)

    def closest_system(self, name: str) -> str | None:
        """The known system ``name`` is most likely a typo of, if any is close."""
        import difflib

        close = difflib.get_close_matches(name, self.systems(), n=1, cutoff=0.6)
        return close[0] if close else None

    def no_such_system(self, name: str) -> str:
        """The message for a system name the workspace does not have: the closest known
        name first (a typo is the usual cause), then every known system."""
        close = self.closest_system(name)
        hint = f"; did you mean {close!r}?" if close else ""
        return f"{self.root}: no system {name!r}{hint} (systems: {', '.join(self.systems()) or 'none'})"

    def registered_systems(self) -> set[str]:
        """Systems known to the registry: a schema exists or ``systems.json`` lists it."""
        known = {s for s in self.systems() if self.schema_path(s).is_file()}
        try:
            from .bounded_read import read_bounded   # no pipe or huge file can hold this up

            data = json.loads(read_bounded(self.systems_registry_path, 64 * 1024 * 1024).decode("utf-8"))
            entries = data.get("systems", data) if isinstance(data, dict) else data
            if isinstance(entries, dict):
                known.update(str(k) for k in entries)
            elif isinstance(entries, list):
                known.update(str(e.get("id", e)) if isinstance(e, dict) else str(e) for e in entries)
        except (OSError, ValueError, AttributeError):
            pass
        return known

    def symbol_files(self, system: str | None = None) -> list[Path]:
        systems = [system] if system else self.systems()
        files: list[Path] = []
        for s in systems:
            folder = self.symbols_dir(s)
            if folder.is_dir():
                files.extend(sorted(p for p in folder.glob("*.json") if not p.name.startswith(".")))
        return files

    def profile_files(self, system: str | None = None) -> list[Path]:
        systems = [system] if system else self.systems()
        files: list[Path] = []
        for s in systems:
            folder = self.behavior_dir(s)
            if folder.is_dir():
                files.extend(sorted(p for p in folder.glob("*.yaml") if not p.name.startswith(".")))
        return files

    def schema_files(self) -> list[Path]:
        return [self.schema_path(s) for s in self.systems() if self.schema_path(s).is_file()]

    def iter_content_files(self) -> Iterator[Path]:
        """Every user file in the workspace (sorted), skipping the console's own."""
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in INTERNAL_NAMES)
            for fn in sorted(filenames):
                if fn in INTERNAL_NAMES or fn.startswith(".arx-tmp-"):
                    continue
                yield Path(dirpath) / fn

    def relative(self, path: Path) -> str:
        """Workspace-relative POSIX path, the form used in findings, journals, manifests."""
        return Path(path).resolve().relative_to(self.root).as_posix()

    # ---- locking -------------------------------------------------------------------
    def lock(self) -> "WorkspaceLock":
        return WorkspaceLock(self.root / LOCK_FILE)


class WorkspaceLock:
    """An exclusive, process-lifetime lock on a workspace.

    Uses flock/msvcrt on an open file: the OS releases it when the holder dies, so a
    stale lock file on disk never blocks anyone; the file content only says who holds it.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fh = None

    def acquire(self) -> "WorkspaceLock":
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            _lock_file(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise WorkspaceLockedError(
                f"{self.path.parent}: this workspace is already open in another ArxConsole "
                f"({holder}). Close it there first, or open a different workspace."
            ) from None
        fh.seek(0)
        fh.truncate()
        import socket  # here, not at import: it is only needed for this line (start-up time)

        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            try:
                self._fh.seek(0)
                self._fh.truncate()
                _unlock_file(self._fh)
            finally:
                self._fh.close()
                self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def __enter__(self) -> "WorkspaceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
