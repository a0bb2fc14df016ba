"""Restore a backup into a workspace, crash-safely.

Steps of ``restore_backup``:

1. Resolve any interrupted earlier restore (``recover_interrupted``).
2. Load the manifest (checksum checked; a damaged one is refused) and check that every
   object the restore needs exists.
3. Safety backup of the whole current workspace (reason "before_restore"); its
   manifest also gives the current hashes for the plan without re-reading files.
   (If step 5 then finds damage, this safety backup simply stays: a normal backup.)
4. Plan: within the backup's scope (narrowed to the selected paths/systems), files
   whose content or mode differs are written, files the backup does not have are
   removed (point in time; they are in the safety backup), identical files are left.
5. Stage every file to write under ``<ws>/.arxconsole-staging/restore-<id>/new/``
   (same filesystem, so the swap is renames), hash-verifying each object as it is
   decompressed; the objects of unchanged files are re-hashed too.  Any damage: the
   staging folder is deleted and the restore refused; the workspace was not touched.
6. ``durable.sync_paths`` (fsyncs, or one syncfs for big batches), then durably write
   ``journal.json`` listing every operation ``{path, action: write|remove, had_old}``.
7. Apply: per path, move the current file (if any) to ``old/<path>``, then move the
   staged file to ``<path>``.  Each move is one atomic rename.  (A full restore swaps
   a top-level folder with nothing unchanged in it as one path: same journal, same
   recovery, one rename instead of thousands.)
8. ``sync_paths`` of every folder touched, then durably write ``committed``; delete
   the staging folder.

Why a crash leaves the old or the restored workspace, never a mix: the workspace is
changed only in step 7, and only by renames that keep both versions on disk.  Before
``journal.json`` exists nothing changed (recovery just deletes the staging folder).
The journal is written only after every staged file is complete and synced, so from
then on a staged file disappears from ``new/`` only by being renamed into place.
With a journal but no ``committed`` marker, recovery rolls back, walking the ops in
reverse: a ``write`` op whose ``new/<path>`` is gone has been applied, so ``<path>``
goes back to ``new/``; then ``old/<path>``, if present, goes back to ``<path>``.  Each
step is decided from what exists on disk, so recovery can itself be interrupted and
re-run.  ``committed`` is written only after all renames are synced: with it, every
op is done and recovery only finishes the clean-up.  (Power loss: renames are
metadata operations the filesystem journal keeps in order, and both syncs bracket
them, so the on-disk state is always one the recovery above understands.)  Folders
created for new files may remain empty after a rollback (files are what a workspace
holds).  The same journal handles full and selected-path restores.

Callers hold the workspace lock (``Workspace.lock``) around a restore, and run
``recover_interrupted(workspace)`` at startup before using a workspace (the CLI does
both before any backup command that reads or changes the workspace).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .. import durable
from ..errors import UserError
from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import BEHAVIOR_DIR, DOCS_DIR, INTERNAL_NAMES, SCHEMAS_DIR, SYMBOLS_DIR, Workspace
from . import faults
from .create import check_separate, create_backup, default_workers
from .diff import workspace_entries
from .layout import (UnsafePathError, check_relpath, folders_of, in_scope, normalize_selection,
                     selection_matcher, system_prefixes)
from .manifest import FileEntry, Manifest
from .objects import SMALL, ObjectDamaged
from .parallel import map_batched
from .repository import BackupRepository
from .verify import check_objects

STAGING_DIR = ".arxconsole-staging"
JOURNAL = "journal.json"
COMMITTED = "committed"
_KEEP_DIRS = {SCHEMAS_DIR, SYMBOLS_DIR, BEHAVIOR_DIR, DOCS_DIR, DOCS_DIR.split("/")[0]}


class RestoreRefused(UserError):
    """The backup cannot be restored (damaged, missing objects, unsafe paths)."""


@dataclass
class RestorePlan:
    backup_id: str
    workspace: str
    selection: list[str]                   # empty: the whole backup
    writes: list[FileEntry] = field(default_factory=list)   # added or changed by the restore
    removes: list[str] = field(default_factory=list)        # not in the backup: removed
    unchanged: list[FileEntry] = field(default_factory=list)
    current: dict[str, FileEntry] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.writes and not self.removes

    def to_json(self) -> dict:
        return {"backup": self.backup_id, "workspace": self.workspace, "selection": self.selection,
                "write": [e.path for e in self.writes], "remove": list(self.removes),
                "unchanged": len(self.unchanged)}

    def describe(self) -> str:
        lines = [f"restore {self.backup_id} into {self.workspace}"
                 + (f" (only {', '.join(self.selection)})" if self.selection else "")]
        for e in self.writes:
            lines.append(f"  {'modify' if e.path in self.current else 'create'}  {e.path}")
        for p in self.removes:
            lines.append(f"  remove  {p}")
        lines.append(f"{len(self.writes)} to write, {len(self.removes)} to remove, {len(self.unchanged)} unchanged")
        return "\n".join(lines)


@dataclass
class RestoreResult:
    backup_id: str
    safety_backup_id: str | None
    selection: list[str]
    written: list[str]
    removed: list[str]
    undoes: int | None = None     # the audit event id of the restore this one undid (undo.py)

    def to_json(self) -> dict:
        data = {"backup": self.backup_id, "safety_backup": self.safety_backup_id, "selection": self.selection,
                "written": self.written, "removed": self.removed}
        if self.undoes is not None:
            data["undoes"] = self.undoes
        return data


# ---- planning (the preflight) -------------------------------------------------------
def _selection(manifest: Manifest, paths: list[str] | None, system: str | None) -> list[str]:
    sel = [normalize_selection(p) for p in (paths or [])]
    if system:
        sel += system_prefixes(system)
    return sel


def plan_restore(workspace: Workspace, repo: BackupRepository, ref: "str | Manifest", *, paths: list[str] | None = None,
                 system: str | None = None, current: dict[str, FileEntry] | None = None) -> RestorePlan:
    """What a restore would do, without doing it (also the CLI's confirmation text)."""
    m = repo.load(ref)
    selection = _selection(m, paths, system)
    selected = selection_matcher(selection)

    def wanted(p: str) -> bool:
        return in_scope(p, m.scope) and (not selection or selected(p))

    if current is None:
        current = workspace_entries(workspace, m.scope, m.by_path())
    cur = {p: e for p, e in current.items() if wanted(p)}
    target = {p: e for p, e in m.by_path().items() if wanted(p)}
    present = _with_folders(list(cur) + list(target))
    groups = [[normalize_selection(p)] for p in (paths or [])] + ([system_prefixes(system)] if system else [])
    for group in groups:  # a system counts as found when any of its folders is
        if not any(s.rstrip("/") in present for s in group):
            raise UserError(f"{system if len(group) > 1 else group[0]}: not in backup {m.id} "
                            f"(scope {', '.join(m.scope) or 'everything'}) nor in the workspace")
    plan = RestorePlan(m.id, str(workspace.root), selection, current=cur)
    for p, e in sorted(target.items()):
        old = cur.get(p)
        if old is None or old.hash != e.hash or (old.mode & 0o777) != (e.mode & 0o777):
            plan.writes.append(e)
        else:
            plan.unchanged.append(e)
    plan.removes = sorted(p for p in cur if p not in target)
    checked: set[str] = set()
    for p in [e.path for e in plan.writes] + plan.removes:
        _check_destination(workspace.root, p, checked)
    return plan


def _with_folders(paths: list[str]) -> set[str]:
    """The paths and every folder above them (a selection is found when it is one)."""
    out = set(paths)
    for p in paths:
        out.update(folders_of(p))
    return out


def _check_destination(root: Path, rel: str, checked: set[str]) -> None:
    """The folder a file goes into must be inside the workspace even through links."""
    folder = rel.rpartition("/")[0]
    if folder not in checked:
        parent = (root / folder).resolve()
        if parent != root and root not in parent.parents:
            raise UnsafePathError(f"{root / rel}: its folder leads outside the workspace ({parent}); "
                                  f"refusing to restore")
        checked.add(folder)
    here = os.path.join(root, rel)
    if os.path.isdir(here) and not os.path.islink(here):
        raise RestoreRefused(f"{here}: a folder is where the backup has a file; move it away first")


# ---- restore ------------------------------------------------------------------------
def restore_backup(workspace: Workspace, repo: BackupRepository, ref: str, *, paths: list[str] | None = None,
                   system: str | None = None, db=None, progress: ProgressFn = no_progress,
                   cancel: CancelToken | None = None, safety_backup: bool = True,
                   workers: int | None = None, undoes: int | None = None) -> RestoreResult:
    """``undoes``: this restore undoes the one recorded as that audit event (``undo.py``
    passes it; it is recorded with this restore's event)."""
    check_separate(workspace, repo)
    recover_interrupted(workspace, db=db)
    with repo.lock(shared=True):
        m = repo.load(ref)
        missing = sorted({f.path for f in m.files if not repo.objects.has(f.hash)})
        if missing:
            raise RestoreRefused(f"backup {m.id} is damaged: objects missing for {', '.join(missing[:10])}"
                                 + (" ..." if len(missing) > 10 else "") + "; nothing was restored")
        progress(0, 1, "safety backup of the current workspace")
        safety = None
        current = None
        if safety_backup:
            safety = create_backup(workspace, repo, kind="full", reason="before_restore",
                                   message=_safety_message(m, undoes), db=db, cancel=cancel)
            current = {f.path: f for f in safety.files}
        plan = plan_restore(workspace, repo, m, paths=paths, system=system,
                            current=None if current is None else {p: e for p, e in current.items()
                                                                  if in_scope(p, m.scope)})
        rid = repo.new_id()
        stage = workspace.root / STAGING_DIR / f"restore-{rid}"
        ops = _swap_ops(workspace.root, m, plan)
        try:
            _stage(repo, plan, stage, progress, cancel, workers or default_workers())
            faults.point("restore.sync-staged")
            durable.sync_paths([os.path.join(stage, "new", e.path) for e in plan.writes], fs_root=workspace.root)
            faults.point("restore.journal")
            durable.write_json(stage / JOURNAL, {"backup": m.id, "safety_backup": safety and safety.id, "ops": ops})
            faults.point("restore.journaled")
        except BaseException as exc:
            # Nothing in the workspace has been touched yet.
            _discard(stage)
            if safety is not None and isinstance(exc, RestoreRefused):
                # Damage found while staging (content is verified as it is decompressed,
                # so the bytes are hashed once): the safety backup protects nothing, so it
                # does not stay in the list; soft-deleted, it can still be brought back.
                repo.delete(safety.id, db=db, why=f"restore of {m.id} refused (damaged backup); "
                                                  "nothing changed, so this safety backup was not needed")
            if isinstance(exc, OSError):
                raise UserError(f"{stage}: cannot stage the restore ({exc.strerror or exc}); "
                                f"nothing in the workspace changed") from exc
            raise
        try:
            _apply(workspace.root, stage, ops, progress)
            faults.point("restore.sync-applied")
            durable.sync_paths([], _touched_folders(workspace.root, stage, ops), fs_root=workspace.root)
            faults.point("restore.commit")
            durable.write_text(stage / COMMITTED, "committed\n")
            faults.point("restore.committed")
        except BaseException as exc:
            _rollback(workspace.root, stage, ops)
            _discard(stage)
            if isinstance(exc, OSError):
                raise UserError(f"{workspace.root}: restore failed while swapping files in ({exc.strerror or exc}); "
                                f"every file was put back as it was") from exc
            raise
        _finish(workspace.root, stage, plan.removes)
    result = RestoreResult(m.id, safety and safety.id, plan.selection,
                           [e.path for e in plan.writes], list(plan.removes), undoes)
    progress(1, 1, f"restored {len(result.written)} files, removed {len(result.removed)}")
    if db is not None:
        db.audit("backup.restore", m.id, workspace=str(workspace.root),
                 message=(f"undid the restore of audit event {undoes}: " if undoes is not None else "")
                         + f"restored {len(result.written)} files, removed {len(result.removed)}"
                         + (f" (safety backup {result.safety_backup_id})" if result.safety_backup_id else ""),
                 details=result.to_json())
    return result


def _swap_ops(root: Path, m: Manifest, plan: RestorePlan) -> list[dict]:
    """The journal's operations.  Per file, except that in a full restore of a full
    backup a top-level folder with nothing unchanged in it is swapped as one folder
    (one rename instead of thousands; the journal and recovery are the same, since a
    folder rename is as atomic as a file rename)."""
    whole: set[str] = set()
    if m.scope == [""] and not plan.selection:
        touched = {p.split("/", 1)[0] for p in [e.path for e in plan.writes] + plan.removes if "/" in p}
        kept = {e.path.split("/", 1)[0] for e in plan.unchanged if "/" in e.path}
        whole = {d for d in touched - kept if _plain_folder(root / d)}
    ops = []
    for d in sorted(whole):
        staged = any(e.path.startswith(d + "/") for e in plan.writes)
        ops.append({"path": d, "action": "write" if staged else "remove", "had_old": os.path.lexists(root / d)})
    under = lambda p: "/" in p and p.split("/", 1)[0] in whole  # noqa: E731
    ops += [{"path": e.path, "action": "write", "had_old": os.path.lexists(root / e.path)}
            for e in plan.writes if not under(e.path)]
    ops += [{"path": p, "action": "remove", "had_old": True} for p in plan.removes if not under(p)]
    return ops


def _plain_folder(folder: Path) -> bool:
    """A real folder (or none) holding none of the console's own files, which a
    whole-folder swap would otherwise carry away."""
    if not os.path.lexists(folder):
        return True
    if folder.is_symlink() or not folder.is_dir():
        return False
    for _dirpath, dirnames, filenames in os.walk(folder):
        if any(n in INTERNAL_NAMES or n.startswith(durable.TEMP_PREFIX) for n in dirnames + filenames):
            return False
        if any(os.path.islink(os.path.join(_dirpath, d)) for d in dirnames):
            return False
    return True


def _stage(repo, plan: RestorePlan, stage: Path, progress, cancel, workers) -> None:
    new = stage / "new"
    for folder in sorted({e.path.rpartition("/")[0] for e in plan.writes}):
        (new / folder).mkdir(parents=True, exist_ok=True)
    total = len(plan.writes)
    base = os.fspath(new)

    def put(e: FileEntry) -> str | None:
        dest = os.path.join(base, e.path)
        faults.point("restore.stage")
        try:
            if e.size <= SMALL:
                durable.write_new_file(dest, repo.objects.read_small(e.hash, e.size), e.mode & 0o777, sync=False)
            else:
                durable.write_stream(dest, lambda fh: repo.objects.copy_verified(e.hash, e.size, fh.write),
                                     mode=e.mode & 0o777, sync=False)
        except ObjectDamaged as exc:
            return f"{e.path}: {exc}"
        os.utime(dest, ns=(e.mtime_ns, e.mtime_ns))
        return None

    problems: list[str] = []
    step = max(1, total // 200)
    for n, (_e, problem) in enumerate(map_batched(put, plan.writes, workers, cancel=cancel), 1):
        if problem:
            problems.append(problem)
        if n % step == 0 or n == total:
            progress(n, total, f"staged {n} of {total} files")
    # Files already identical in the workspace are not written, but a backup that
    # cannot deliver them is still damaged: refuse rather than restore half of it.
    bad = check_objects(repo, plan.unchanged, cancel=cancel, workers=workers)
    problems += [f"{e.path}: {bad[e.hash]}" for e in plan.unchanged if e.hash in bad]
    if problems:
        raise RestoreRefused(f"backup {plan.backup_id} is damaged; nothing was restored: " + "; ".join(problems[:10])
                             + (" ..." if len(problems) > 10 else ""))


def _apply(root: Path, stage: Path, ops: list[dict], progress) -> None:
    total = len(ops)
    step = max(1, total // 200)
    r, old, new = os.fspath(root), os.fspath(stage / "old"), os.fspath(stage / "new")
    made: set[str] = set()

    def ensure(folder: str) -> None:
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)

    # Removals first: a file the restore removes may sit where a folder must go.
    ordered = [o for o in ops if o["action"] == "remove"] + [o for o in ops if o["action"] == "write"]
    for n, op in enumerate(ordered, 1):
        p = op["path"]
        live = os.path.join(r, p)
        if op["had_old"]:
            aside = os.path.join(old, p)
            ensure(os.path.dirname(aside))
            faults.point("restore.move-aside")
            os.replace(live, aside)
        if op["action"] == "write":
            ensure(os.path.dirname(live))
            faults.point("restore.swap-in")
            os.replace(os.path.join(new, p), live)
        if n % step == 0 or n == total:
            progress(n, total, f"swapped in {n} of {total}")


def _rollback(root: Path, stage: Path, ops: list[dict]) -> None:
    for op in reversed(ops):
        p = op["path"]
        live = root / p
        if op["action"] == "write" and not os.path.lexists(stage / "new" / p) and os.path.lexists(live):
            (stage / "new" / p).parent.mkdir(parents=True, exist_ok=True)
            faults.point("recover.undo-swap")
            os.replace(live, stage / "new" / p)
        aside = stage / "old" / p
        if op["had_old"] and os.path.lexists(aside):
            live.parent.mkdir(parents=True, exist_ok=True)
            faults.point("recover.put-back")
            os.replace(aside, live)
    durable.sync_paths([], _touched_folders(root, stage, ops), fs_root=root)


def _touched_folders(root: Path, stage: Path, ops: list[dict]) -> set[str]:
    """Every folder whose entries a swap or rollback changed, with their ancestors up
    to the workspace (new folders are entries of their parents)."""
    out: set[str] = set()
    r = os.fspath(root)
    for op in ops:
        for base in (r, os.path.join(stage, "old"), os.path.join(stage, "new")):
            folder = os.path.dirname(os.path.join(base, op["path"]))
            while folder not in out and len(folder) >= len(r):
                out.add(folder)
                folder = os.path.dirname(folder)
    return {f for f in out if os.path.isdir(f)}


def _discard(stage: Path) -> None:
    """Delete one restore's staging folder, and the staging root when it is empty."""
    shutil.rmtree(stage, ignore_errors=True)
    try:
        stage.parent.rmdir()
    except OSError:
        pass


def _finish(root: Path, stage: Path, removed: list[str]) -> None:
    faults.point("restore.cleanup")
    _discard(stage)
    # Folders left empty by removed files go too (the standard top folders stay).
    for p in removed:
        folder = (root / p).parent
        while folder != root and folder.relative_to(root).as_posix() not in _KEEP_DIRS:
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent


def recover_interrupted(workspace: Workspace | str | os.PathLike, *, db=None) -> list[str]:
    """Finish or undo restores a crash interrupted; returns what was done (for a log).

    Run at startup, before anything reads or writes the workspace."""
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace).resolve()
    staging = root / STAGING_DIR
    if not staging.is_dir():
        return []
    done = []
    for stage in sorted(staging.iterdir()):
        if not stage.name.startswith("restore-") or not stage.is_dir():
            continue
        journal = stage / JOURNAL
        if (stage / COMMITTED).exists():
            ops = _read_ops(journal)
            _finish(root, stage, [o["path"] for o in ops if o["action"] == "remove"])
            done.append(f"{stage.name}: had completed; cleaned up")
        elif journal.exists():
            ops = _read_ops(journal)
            _rollback(root, stage, ops)
            _discard(stage)
            done.append(f"{stage.name}: interrupted while swapping; rolled back to the state before it")
        else:
            _discard(stage)
            done.append(f"{stage.name}: interrupted while staging; workspace untouched, staging removed")
    try:
        staging.rmdir()
    except OSError:
        pass
    if done and db is not None:
        db.audit("backup.restore.recovered", str(root), workspace=str(root), message="; ".join(done))
    return done


def _read_ops(journal: Path) -> list[dict]:
    try:
        ops = json.loads(journal.read_text(encoding="utf-8"))["ops"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # Written atomically, so this is damage from outside: never guess, old/ may
        # hold the user's files.
        raise UserError(f"{journal}: restore journal unreadable ({exc}); inspect {journal.parent} by hand") from None
    for op in ops:
        check_relpath(op["path"], str(journal))
    return ops


def _safety_message(m: Manifest, undoes: int | None) -> str:
    """The safety backup's note, for people scanning a list of backups: which backup is
    being restored, by its time and its own note (ids are in the audit log)."""
    when = m.created_at[:16].replace("T", " ") + " UTC"
    if undoes is not None:
        return f"before undoing a restore (putting back the files as of {when})"
    return f"before restoring the backup of {when}" + (f" ({m.message})" if m.message else "")


__all__ = ["RestorePlan", "RestoreRefused", "RestoreResult", "plan_restore", "recover_interrupted",
           "restore_backup"]
