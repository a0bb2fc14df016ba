"""The demo workspace: install the authored example workspace shipped in resources/.

``resources/demo-workspace`` holds three systems (electrical, fire_alarm, audiovisual)
with schemas, symbols (a few deliberately flawed, see its README) and behavior profiles.
``write_demo_workspace`` copies it into a folder through ``engine.durable``;
``ensure_demo_workspace`` is what ``--demo`` uses: create on first use, then reuse.

A folder is recognised as a demo workspace by the marker file ``DEMO_MARKER`` at its
root.  The marker is written *first* with ``"complete": false`` and rewritten with
``"complete": true`` only after every demo file is on disk, so a copy interrupted by a
crash is recognised as an unfinished demo and completed on next use, never mistaken
for a finished one, and never refused as "someone else's folder".

Hook point for later capabilities: a populated demo also has a run history and backups.
Those live in the data dir (database, backup store), not in the workspace, so they are
added where both are known: in ``ensure_demo_workspace`` right after a *fresh* write
(``created`` below), a capability calls its own seeding function with the workspace path
and the data dir (e.g. ``pipeline.demo_history.seed(...)``,
``backup.demo.seed(...)``).  Nothing is seeded here yet.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..resources import resource_path
from . import durable
from .demo_marker import DEMO_MARKER, demo_is_complete, is_demo_workspace, read_marker  # noqa: F401 (re-exported)
from .errors import UserError
from .progress import ProgressFn, no_progress
from .workspace import BEHAVIOR_DIR, INTERNAL_NAMES, SCHEMAS_DIR, SYMBOLS_DIR, Workspace

DEMO_RESOURCE = "demo-workspace"


class DemoError(UserError):
    """The demo cannot be written where asked; the message names the folder."""


class DemoFolderNotEmpty(DemoError):
    """The target holds someone's files and is not a demo workspace (pass ``force``)."""


@dataclass
class DemoPlan:
    """What writing the demo into ``dest`` would do (the preflight), without doing it."""

    dest: Path
    source: Path
    files: list[str]                       # every demo file, POSIX paths relative to the root
    to_write: list[str]                    # missing or different in dest
    unchanged: list[str]                   # already byte-identical in dest
    existing_demo: bool                    # dest already carries the demo marker
    forced: bool = False                   # dest is someone's non-empty folder, written anyway


@dataclass
class DemoSummary:
    root: Path
    written: list[str]
    unchanged: list[str]
    refreshed: bool                        # an existing demo workspace was brought back to pristine
    systems: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"root": str(self.root), "written": len(self.written), "unchanged": len(self.unchanged),
                "refreshed": self.refreshed, "systems": self.systems}


def demo_source() -> Path:
    src = resource_path(DEMO_RESOURCE)
    if not src.is_dir():
        # A build that forgot to bundle the resources; say where we looked.
        raise DemoError(f"{src}: the demo workspace is missing from this installation")
    return src


def _source_files(src: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for fn in sorted(filenames):
            if fn.startswith(".") or fn.endswith(".pyc"):
                continue
            files.append((Path(dirpath) / fn).relative_to(src).as_posix())
    return files


def _has_user_content(folder: Path) -> bool:
    return any(p.name not in INTERNAL_NAMES for p in folder.iterdir())


def plan_demo_workspace(dest: str | os.PathLike, *, force: bool = False) -> DemoPlan:
    """Preflight: refuse or list which demo files would be written into ``dest``."""
    dest = Path(dest).expanduser().resolve()
    problem = durable.output_problem(dest, folder=True)   # it, or a folder above it, is a file
    if problem:
        raise DemoError(f"cannot write into {dest}: {problem}")
    existing_demo = dest.is_dir() and is_demo_workspace(dest)
    forced = False
    if dest.is_dir() and not existing_demo and _has_user_content(dest):
        if not force:
            raise DemoFolderNotEmpty(
                f"{dest}: folder is not empty and is not an ArxConsole demo workspace; "
                f"choose a new or empty folder")
        forced = True
    src = demo_source()
    files = _source_files(src)
    to_write, unchanged = [], []
    for rel in files:
        target = dest / rel
        try:
            same = target.is_file() and target.read_bytes() == (src / rel).read_bytes()
        except OSError:
            same = False
        (unchanged if same else to_write).append(rel)
    return DemoPlan(dest=dest, source=src, files=files, to_write=to_write, unchanged=unchanged,
                    existing_demo=existing_demo, forced=forced)


def count_by_system(files: list[str]) -> dict[str, dict[str, int]]:
    """Schemas, symbols and behavior profiles per system among workspace-relative paths."""
    systems: dict[str, dict[str, int]] = {}
    kinds = {SCHEMAS_DIR: ("schemas", ".json"), SYMBOLS_DIR: ("symbols", ".json"), BEHAVIOR_DIR: ("profiles", ".yaml")}
    for rel in files:
        parts = rel.split("/")
        if len(parts) != 3 or parts[0] not in kinds:
            continue
        kind, suffix = kinds[parts[0]]
        if parts[2].endswith(suffix):
            counts = systems.setdefault(parts[1], {"schemas": 0, "symbols": 0, "profiles": 0})
            counts[kind] += 1
    return dict(sorted(systems.items()))


def _write_marker(dest: Path, complete: bool) -> None:
    durable.write_json(dest / DEMO_MARKER, {
        "arxconsole_demo": True,
        "complete": complete,
        "version": __version__,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    })


def write_demo_workspace(dest: str | os.PathLike, *, force: bool = False,
                         progress: ProgressFn = no_progress) -> DemoSummary:
    """Copy the demo workspace into ``dest`` (created when missing).

    ``dest`` may be missing, empty, or an existing demo workspace (its demo files are
    put back to pristine; files the user added are left alone).  A non-empty folder
    that is not a demo workspace is refused with ``DemoError`` unless ``force``; then
    the demo files are written into it and nothing else is touched.  The workspace lock
    is held while writing, so a demo open in a running console is never rewritten.
    """
    plan = plan_demo_workspace(dest, force=force)
    try:
        plan.dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:   # e.g. no permission: a message naming the folder, not a traceback
        raise DemoError(str(durable.output_error(plan.dest, exc, folder=True))) from None
    with Workspace(plan.dest).lock():
        _write_marker(plan.dest, complete=False)
        total = len(plan.to_write)
        for i, rel in enumerate(plan.to_write):
            progress(i, total, rel)
            # Per-file fsyncs cost more than the copy; one filesystem sync below covers them.
            durable.write_bytes(plan.dest / rel, (plan.source / rel).read_bytes(), sync=False)
        durable.sync_filesystem(plan.dest)
        progress(total, total, "demo workspace written")
        _write_marker(plan.dest, complete=True)
    return DemoSummary(root=plan.dest, written=plan.to_write, unchanged=plan.unchanged,
                       refreshed=plan.existing_demo, systems=count_by_system(plan.files))


def ensure_demo_workspace(path: str | os.PathLike) -> Path:
    """The demo workspace at ``path``: written on first use (or finished when a previous
    write was interrupted), otherwise returned untouched so the user's edits survive."""
    path = Path(path).expanduser().resolve()
    if not demo_is_complete(path):
        write_demo_workspace(path)
        # Hook point (see module docstring): seed run history and backups for a fresh demo here.
    return path


# ---- history: runs and backups, so the demo opens populated ---------------------------
SEEDED_SETTING = "demo.seeded"  # {workspace root: ISO time}: seeded once per data dir


def demo_needs_history(workspace_root: str | os.PathLike, db) -> bool:
    root = str(Path(workspace_root).resolve())
    return is_demo_workspace(root) and root not in (db.get_setting(SEEDED_SETTING) or {})


def seed_demo_history(workspace: Workspace, db, data_dir, progress: ProgressFn = no_progress,
                      cancel=None) -> list[str]:
    """Give a fresh demo workspace a real history: a backup, successful runs and a run
    that fails and rolls back (fire_alarm carries a deliberate error).  Every entry is
    produced by the real engine, not fabricated; runs once per workspace and data dir.
    Returns what was done, for the log."""
    from .backup import BackupRepository, create_backup
    from .pipeline import PipelineRunner, RunRequest

    done: list[str] = []
    repo = BackupRepository.for_data_dir(data_dir)
    plan = [
        ("backup", None),
        ("run", RunRequest("electrical")),                 # succeeds: writes registry and docs
        ("run", RunRequest("audiovisual", dry_run=True)),   # a dry run: checks only
        ("run", RunRequest("fire_alarm")),                  # fails at add-symbols, rolls back
        ("run", RunRequest("audiovisual")),
    ]
    for i, (kind, request) in enumerate(plan):
        progress(i, len(plan), "preparing the demo history")
        if cancel is not None:
            cancel.check()  # quitting: stop between steps; seeding resumes at the next open
        if kind == "backup":
            m = create_backup(workspace, repo, kind="full", reason="scheduled",
                              message="demo: initial state", db=db, cancel=cancel)
            done.append(f"backup {m.id}")
        else:
            runner = PipelineRunner(workspace, db, request, data_dir=data_dir, cancel=cancel)
            runner.run()
            done.append(f"run {runner.run_id} {request.system}{' (dry run)' if request.dry_run else ''}: "
                        f"{runner.state.value}")
    seeded = dict(db.get_setting(SEEDED_SETTING) or {})
    seeded[str(workspace.root)] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    db.set_setting(SEEDED_SETTING, seeded)
    progress(len(plan), len(plan), "demo history ready")
    return done
