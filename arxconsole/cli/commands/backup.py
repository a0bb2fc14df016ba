"""``arxconsole backup ...``: create, list, verify, diff, restore, undo-restore, delete,
undelete, purge, prune.  Thin over ``arxconsole.engine.backup``; exit 0 ok, 1 failed/damaged/
refused, 2 usage.  Commands that read or change a workspace take its lock and first
finish or undo any restore a crash interrupted."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from ...engine.backup import (KINDS, REASONS, BackupRepository, apply_retention, create_backup, diff_backup_workspace,
                              diff_backups, indexed, plan_restore, recover_interrupted, restore_backup, verify_backup)
from ...engine.errors import UserError

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers, common) -> None:
    p = subparsers.add_parser("backup", parents=[common], help="create, verify, diff and restore backups")
    sub = p.add_subparsers(dest="backup_command", metavar="ACTION", required=True)

    c = sub.add_parser("create", parents=[common], help="back up the workspace (or a part of it)")
    c.add_argument("--kind", choices=KINDS, default="full")
    c.add_argument("--system", help="the system for --kind system (narrows schema/symbols/behavior)")
    c.add_argument("-m", "--message", default="", help="a note stored with the backup")
    c.add_argument("--reason", choices=sorted(REASONS), default="manual",
                   help="why it is taken (a scheduler passes 'scheduled')")
    c.set_defaults(func=_create)

    ls = sub.add_parser("list", parents=[common], help="list backups (of --workspace, else all)")
    ls.add_argument("--deleted", action="store_true", help="also list soft-deleted backups")
    ls.set_defaults(func=_list)

    v = sub.add_parser("verify", parents=[common], help="re-hash every object a backup needs")
    v.add_argument("id")
    v.set_defaults(func=_verify)

    d = sub.add_parser("diff", parents=[common], help="backup vs workspace, or backup vs backup")
    d.add_argument("id")
    d.add_argument("id2", nargs="?")
    d.set_defaults(func=_diff)

    r = sub.add_parser("restore", parents=[common], help="restore a backup (safety backup first)")
    r.add_argument("id")
    r.add_argument("--path", action="append", default=[], metavar="P", help="restore only this file or folder")
    r.add_argument("--system", help="restore only this system's files")
    r.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    r.set_defaults(func=_restore)

    u = sub.add_parser("undo-restore", parents=[common],
                       help="undo the workspace's last restore (its files as they were before it)")
    u.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    u.set_defaults(func=_undo_restore)

    for name, helptext, fn in (("delete", "soft-delete a backup (undo with undelete)", _delete),
                               ("undelete", "bring back a soft-deleted backup", _undelete)):
        x = sub.add_parser(name, parents=[common], help=helptext)
        x.add_argument("id")
        x.set_defaults(func=fn)

    sub.add_parser("purge", parents=[common], help="remove deleted backups and unused objects for good"
                   ).set_defaults(func=_purge)

    pr = sub.add_parser("prune", parents=[common], help="apply retention: keep last N and one per day for D days")
    pr.add_argument("--keep-last", type=_count, default=10, metavar="N")
    pr.add_argument("--keep-daily", type=_count, default=7, metavar="D")
    pr.add_argument("--dry-run", action="store_true", help="explain each decision, delete nothing")
    pr.set_defaults(func=_prune)


def _repo(ctx) -> BackupRepository:
    return BackupRepository.for_data_dir(ctx.data_dir)


def _count(text: str) -> int:
    """A whole number >= 0 (argparse turns the ValueError into a usage error, exit 2)."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


_count.__name__ = "count"   # argparse names it in the message: "invalid count value: '-1'"


@contextmanager
def _locked_workspace(ctx):
    ws = ctx.workspace
    with ws.lock():
        for line in recover_interrupted(ws, db=ctx.db):
            sys.stderr.write(f"arxconsole: recovered an interrupted restore: {line}\n")
        yield ws


def _progress(ctx):
    if ctx.json or not sys.stderr.isatty():
        return lambda done, total, message: None

    def show(done: int, total: int, message: str) -> None:
        sys.stderr.write(f"\r[{done}/{total}] {message[:70]:<70}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _create(ctx) -> int:
    a = ctx.args
    with _locked_workspace(ctx) as ws:
        m = create_backup(ws, _repo(ctx), kind=a.kind, system=a.system, message=a.message, reason=a.reason, db=ctx.db,
                          progress=_progress(ctx))
    ctx.emit(m.summary(), f"created backup {m.id}: {m.kind} of {m.workspace}, {m.totals['files']} files, "
                          f"{_size(m.totals['bytes'])} ({_size(m.totals['new_bytes_stored'])} newly stored)")
    return EXIT_OK


def _list(ctx) -> int:
    ws = ctx.workspace_path(required=False)
    records = _repo(ctx).list(include_deleted=ctx.args.deleted,
                              workspace=ctx.workspace.root if ws else None)
    # A manifest can be intact while objects are not: show what the last verify found.
    failed = {row.id for row in indexed(ctx.db, include_gone=True) if row.state == "damaged"}
    for r in records:
        if r.state == "ok" and r.id in failed:
            r.state, r.problem = "damaged", "its last verify found missing or damaged objects"
    lines = []
    for r in records:
        if r.state == "damaged" and r.manifest is not None:
            lines.append(f"{r.id}  DAMAGED  {r.problem} (run: arxconsole backup verify {r.id})")
            continue
        if r.manifest is None:
            lines.append(f"{r.id}  DAMAGED  {r.problem}")
            continue
        m = r.manifest
        state = {"ok": "ok", "deleted": "deleted"}[r.state]
        kind = m.kind + (f":{m.system}" if m.system else "")
        lines.append(f"{m.id}  {state:<7}  {kind:<18}  {m.reason_label:<16}  {m.totals.get('files', 0):>6} files  "
                     f"{_size(m.totals.get('bytes', 0)):>9}  {m.message}" + ("" if ws else f"  [{m.workspace}]"))
    ctx.emit({"backups": [r.to_json() for r in records]}, "\n".join(lines) if lines else "no backups")
    return EXIT_OK


def _verify(ctx) -> int:
    report = verify_backup(_repo(ctx), ctx.args.id, db=ctx.db, progress=_progress(ctx))
    if report.ok:
        text = f"backup {report.backup_id}: intact ({report.files} files, {report.objects} objects re-hashed)"
    else:
        text = "\n".join([f"backup {report.backup_id}: DAMAGED"] + [f"  {p.path}: {p.problem}" for p in report.problems])
    ctx.emit(report.to_json(), text)
    return EXIT_OK if report.ok else EXIT_FAILED


def _diff(ctx) -> int:
    repo = _repo(ctx)
    if ctx.args.id2:
        result = diff_backups(repo, ctx.args.id, ctx.args.id2)
    else:
        with _locked_workspace(ctx) as ws:
            result = diff_backup_workspace(repo, ctx.args.id, ws)
    lines = [f"{result.before_label} -> {result.after_label}"]
    for c in result.changes:
        line = f"  {c.status:<8}  {c.path}"
        if c.fields:
            line += "  [" + ", ".join(f"{f.field} {f.change}" for f in c.fields) + "]"
        elif c.note:
            line += f"  ({c.note})"
        lines.append(line)
    counts = result.counts()
    lines.append(f"{counts['added']} added, {counts['removed']} removed, {counts['modified']} modified")
    ctx.emit(result.to_json(), "\n".join(lines))
    return EXIT_OK


def _restore(ctx) -> int:
    a = ctx.args
    repo = _repo(ctx)
    with _locked_workspace(ctx) as ws:
        if not a.yes:
            plan = plan_restore(ws, repo, a.id, paths=a.path, system=a.system)
            if not sys.stdin.isatty():
                ctx.emit({"plan": plan.to_json(), "restored": False}, plan.describe())
                raise UserError("not restoring without confirmation: no terminal to ask; pass --yes")
            sys.stdout.write(plan.describe() + "\n")
            if plan.empty:
                ctx.emit({"plan": plan.to_json(), "restored": False}, "nothing to restore")
                return EXIT_OK
            answer = input("Restore these files? A safety backup is taken first. [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                ctx.emit({"plan": plan.to_json(), "restored": False}, "not restored")
                return EXIT_FAILED
        result = restore_backup(ws, repo, a.id, paths=a.path, system=a.system, db=ctx.db, progress=_progress(ctx))
    ctx.emit(result.to_json(), f"restored backup {result.backup_id}: {len(result.written)} written, "
                               f"{len(result.removed)} removed; undo with: arxconsole backup undo-restore")
    return EXIT_OK


def _undo_restore(ctx) -> int:
    """The GUI's "Undo restore", headless: the same engine call, the same confirmation."""
    from ...engine.backup.undo import last_restore, plan_undo, undo_restore

    repo = _repo(ctx)
    with _locked_workspace(ctx) as ws:
        last = last_restore(ws, repo, ctx.db)
        if last is None:
            raise UserError(f"{ws.root}: nothing to undo: no restore of this workspace is recorded")
        if not ctx.args.yes:
            plan = plan_undo(ws, repo, last)     # refuses, saying why, when it cannot be undone
            if not sys.stdin.isatty():
                ctx.emit({"undo": plan.to_json(), "undone": False}, plan.describe())
                raise UserError("not undoing without confirmation: no terminal to ask; pass --yes")
            sys.stdout.write(plan.describe() + "\n")
            answer = input("Undo this restore? A safety backup is taken first. [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                ctx.emit({"undo": plan.to_json(), "undone": False}, "not undone")
                return EXIT_FAILED
        result = undo_restore(ws, repo, ctx.db, event_id=last.event_id, progress=_progress(ctx))
    ctx.emit(result.to_json(), f"undid the {last.describe()}: {len(result.written)} written, "
                               f"{len(result.removed)} removed (safety backup {result.safety_backup_id})")
    return EXIT_OK


def _delete(ctx) -> int:
    bid = _repo(ctx).delete(ctx.args.id, db=ctx.db)
    ctx.emit({"deleted": bid}, f"deleted backup {bid} (undo: arxconsole backup undelete {bid})")
    return EXIT_OK


def _undelete(ctx) -> int:
    bid = _repo(ctx).undelete(ctx.args.id, db=ctx.db)
    ctx.emit({"undeleted": bid}, f"undeleted backup {bid}")
    return EXIT_OK


def _purge(ctx) -> int:
    report = _repo(ctx).purge(db=ctx.db)
    ctx.emit(report.to_json(), f"purged {len(report.manifests_removed)} deleted backups, "
                               f"{report.objects_removed} unused objects ({_size(report.bytes_freed)})")
    return EXIT_OK


def _prune(ctx) -> int:
    a = ctx.args
    # --workspace/--demo: only that workspace's backups; none: every workspace's, each ranked apart.
    # The named workspace must exist (as for `backup list`): a mistyped path would match no
    # backup and prune nothing, silently.
    ws = ctx.workspace.root if ctx.workspace_path(required=False) else None
    decisions = apply_retention(_repo(ctx), a.keep_last, a.keep_daily, dry_run=a.dry_run, db=ctx.db,
                                workspace=ws)
    lines = [f"{d.id}  {'keep' if d.keep else 'DROP'}  {'; '.join(d.reasons)}" for d in decisions]
    lines.append(("would drop" if a.dry_run else "dropped (undo with undelete until purge)")
                 + f": {sum(not d.keep for d in decisions)}, kept: {sum(d.keep for d in decisions)}")
    ctx.emit({"dry_run": a.dry_run, "decisions": [d.to_json() for d in decisions]}, "\n".join(lines))
    return EXIT_OK


__all__ = ["register"]
