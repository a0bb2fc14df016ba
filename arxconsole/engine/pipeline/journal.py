"""The change journal: what a run is about to change, written *before* the change.

Layout inside the workspace (``.arxconsole-journal`` is in ``workspace.INTERNAL_NAMES``,
so backups, listings and restores never see it)::

    .arxconsole-journal/run-<id>/run.json        who/what (run id, system, pid)
    .arxconsole-journal/run-<id>/journal.jsonl   one line per path, first change only
    .arxconsole-journal/run-<id>/blobs/<n>.bin   that path's bytes before the run

Order for every change: prior bytes durable -> journal line appended + fsync -> change.
A crash between any two of those leaves a journal that describes at least every change
made, so rolling back from it is always safe (restoring an unchanged file is a no-op).
A finished journal is renamed to ``done-run-<id>`` (atomic) before being deleted, so a
crash while deleting can never make recovery undo a successful run.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import durable
from ..errors import UserError
from ..workspace import Workspace
from . import faults

JOURNAL_DIR = ".arxconsole-journal"
ENTRIES = "journal.jsonl"
INFO = "run.json"
DONE_PREFIX = "done-"


class JournalError(UserError):
    pass


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    path: str                 # workspace-relative POSIX path
    existed: bool
    blob: str                 # file name under blobs/ ("" when the file did not exist)
    mode: int
    created_dirs: tuple[str, ...]  # folders the change will create, outermost first

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "path": self.path, "existed": self.existed,
                           "blob": self.blob, "mode": self.mode,
                           "created_dirs": list(self.created_dirs)}, sort_keys=True)


@dataclass(frozen=True)
class UndoneChange:
    path: str
    action: str               # "restored" | "removed" | "unchanged"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "action": self.action}


def journal_root(workspace: Workspace) -> Path:
    return workspace.root / JOURNAL_DIR


def _safe_rel(rel: str) -> str:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0] == JOURNAL_DIR:
        raise JournalError(f"journal names a path outside the workspace content: {rel!r}")
    return p.as_posix()


class ChangeJournal:
    def __init__(self, workspace: Workspace, folder: Path):
        self.workspace = workspace
        self.folder = folder
        self._recorded: dict[str, JournalEntry] = {}
        self._fh = None
        self._writes = 0

    # ---- lifecycle -----------------------------------------------------------------
    @classmethod
    def begin(cls, workspace: Workspace, run_id: int, info: dict[str, Any]) -> "ChangeJournal":
        folder = journal_root(workspace) / f"run-{run_id}"
        if folder.exists():
            raise JournalError(f"{folder}: a journal for run {run_id} already exists; "
                               "recover interrupted runs first")
        (folder / "blobs").mkdir(parents=True)
        durable.fsync_dir(folder.parent)
        durable.write_json(folder / INFO, {"run_id": run_id, "pid": os.getpid(), **info})
        durable.write_bytes(folder / ENTRIES, b"")
        return cls(workspace, folder)

    @classmethod
    def pending(cls, workspace: Workspace) -> list["ChangeJournal"]:
        """Journals left by runs that never finished (oldest first)."""
        root = journal_root(workspace)
        if not root.is_dir():
            return []
        found = []
        for d in sorted(root.iterdir(), key=lambda p: p.name):
            if d.is_dir() and d.name.startswith("run-"):
                j = cls(workspace, d)
                j._recorded = {e.path: e for e in j.entries()}
                found.append(j)
        return found

    @staticmethod
    def purge_finished(workspace: Workspace) -> int:
        """Delete journals already marked done (a crash while deleting leaves them)."""
        root = journal_root(workspace)
        n = 0
        if root.is_dir():
            for d in root.iterdir():
                if d.name.startswith(DONE_PREFIX):
                    shutil.rmtree(d, ignore_errors=True)
                    n += 1
        return n

    @property
    def info(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / INFO).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # run.json is written before any entry, so a journal without it holds no
            # changes; the run id can still be read from the folder name.
            try:
                return {"run_id": int(self.folder.name.split("-", 1)[1])}
            except (IndexError, ValueError):
                return {}

    @property
    def run_id(self) -> int | None:
        rid = self.info.get("run_id")
        return int(rid) if rid is not None else None

    def entries(self) -> list[JournalEntry]:
        try:
            raw = (self.folder / ENTRIES).read_bytes()
        except FileNotFoundError:
            return []
        out = []
        lines = raw.splitlines()
        for i, line in enumerate(lines):
            try:
                d = json.loads(line)
                out.append(JournalEntry(int(d["seq"]), _safe_rel(d["path"]), bool(d["existed"]),
                                        str(d.get("blob", "")), int(d.get("mode", 0o644)),
                                        tuple(_safe_rel(x) for x in d.get("created_dirs", []))))
            except (ValueError, KeyError, TypeError):
                # A torn last line: the kill came before its fsync, so its change was
                # never made.  Anything else unreadable is a real problem.
                if i == len(lines) - 1:
                    continue
                raise JournalError(f"{self.folder / ENTRIES}: unreadable journal line: {line[:200]!r}")
        return out

    def recorded_paths(self) -> list[str]:
        return list(self._recorded)

    # ---- recording -----------------------------------------------------------------
    def record(self, rel: str) -> None:
        """Make the prior state of ``rel`` durable; call before changing it."""
        rel = _safe_rel(rel)
        if rel in self._recorded:
            return  # only the state before the run matters
        target = self.workspace.root / rel
        seq = len(self._recorded) + 1
        existed = target.is_file()
        blob, mode = "", 0o644
        if existed:
            blob = f"{seq:06d}.bin"
            mode = target.stat().st_mode & 0o7777
            durable.write_bytes(self.folder / "blobs" / blob, target.read_bytes())
        created = []
        parent = target.parent
        while parent != self.workspace.root and not parent.exists():
            created.append(parent.relative_to(self.workspace.root).as_posix())
            parent = parent.parent
        entry = JournalEntry(seq, rel, existed, blob, mode, tuple(reversed(created)))
        if self._fh is None:
            self._fh = open(self.folder / ENTRIES, "ab")
        self._fh.write(entry.to_json().encode("utf-8") + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._recorded[rel] = entry
        faults.hit(f"journal:{seq}")

    def changed(self) -> None:
        """Called after each journaled change is made (fault-injection point)."""
        self._writes += 1
        faults.hit(f"write:{self._writes}")

    # ---- undo ----------------------------------------------------------------------
    def rollback(self) -> list[UndoneChange]:
        """Put every journaled path back to its bytes from before the run."""
        self._close()
        root = self.workspace.root
        undone: list[UndoneChange] = []
        entries = self.entries()
        for e in reversed(entries):
            target = root / e.path
            if e.existed:
                data = (self.folder / "blobs" / e.blob).read_bytes()
                if target.is_file() and target.read_bytes() == data and \
                        (target.stat().st_mode & 0o7777) == e.mode:
                    undone.append(UndoneChange(e.path, "unchanged"))
                    continue
                durable.write_bytes(target, data, mode=e.mode)
                undone.append(UndoneChange(e.path, "restored"))
            else:
                removed = durable.remove_file(target)
                undone.append(UndoneChange(e.path, "removed" if removed else "unchanged"))
            faults.hit(f"undo:{len(undone)}")
        # A kill inside a durable write leaves its temp file beside the target.
        for folder in sorted({(root / e.path).parent for e in entries}):
            for tmp in folder.glob(durable.TEMP_PREFIX + "*") if folder.is_dir() else ():
                try:
                    tmp.unlink()
                except OSError:
                    pass
        # Folders the run created go too, deepest first, if the run left nothing else.
        for e in reversed(entries):
            for d in reversed(e.created_dirs):
                try:
                    (root / d).rmdir()
                except OSError:
                    pass
        return undone

    def finish(self) -> None:
        """Retire the journal (after success or a completed rollback)."""
        self._close()
        if not self.folder.exists():
            return
        done = self.folder.with_name(DONE_PREFIX + self.folder.name)
        os.replace(self.folder, done)
        durable.fsync_dir(done.parent)
        shutil.rmtree(done, ignore_errors=True)
        root = journal_root(self.workspace)
        try:
            root.rmdir()  # leave no trace once nothing is pending
        except OSError:
            pass

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
