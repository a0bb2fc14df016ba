"""Verify a backup: its manifest checksum, then a real re-read and re-hash of every
object it needs (never the stat shortcut ``create`` uses).  Problems are reported per
workspace path, so an operator sees which files a damaged backup would lose."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UserError
from ..progress import CancelToken, ProgressFn, no_progress
from . import index
from .create import default_workers
from .manifest import FileEntry
from .parallel import map_batched
from .repository import BackupRepository


@dataclass
class VerifyProblem:
    path: str          # workspace path, or the manifest file for a damaged manifest
    hash: str
    problem: str

    def to_json(self) -> dict:
        return {"path": self.path, "hash": self.hash, "problem": self.problem}


@dataclass
class VerifyReport:
    backup_id: str
    files: int = 0
    objects: int = 0
    bytes: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"id": self.backup_id, "ok": self.ok, "files": self.files, "objects": self.objects,
                "bytes": self.bytes, "problems": [p.to_json() for p in self.problems]}


def verify_backup(repo: BackupRepository, ref: str, *, db=None, progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None, workers: int | None = None) -> VerifyReport:
    bid = repo.resolve_id(ref)
    report = VerifyReport(bid)
    try:
        manifest = repo.load(bid)
    except UserError as exc:
        where = str(repo.manifest_path(bid))
        # the problem is shown after its path: do not say the path twice
        report.problems.append(VerifyProblem(where, "", str(exc).removeprefix(f"{where}: ")))
    else:
        report.files = len(manifest.files)
        report.bytes = sum(f.size for f in manifest.files)
        bad = check_objects(repo, manifest.files, progress, cancel, workers)
        report.problems.extend(VerifyProblem(f.path, f.hash, bad[f.hash]) for f in manifest.files if f.hash in bad)
        report.problems.sort(key=lambda p: p.path)
        report.objects = len({f.hash for f in manifest.files})
    if db is not None:
        index.set_state(db, bid, "ok" if report.ok else "damaged")
        db.audit("backup.verify", bid, message="intact" if report.ok else f"{len(report.problems)} problem(s)",
                 details=report.to_json())
    return report


def check_objects(repo: BackupRepository, files: list[FileEntry], progress: ProgressFn = no_progress,
                  cancel: CancelToken | None = None, workers: int | None = None) -> dict[str, str]:
    """Re-hash each distinct object once; returns {digest: problem} for the bad ones."""
    unique: dict[str, int] = {}
    for f in files:
        unique.setdefault(f.hash, f.size)
    items = list(unique.items())
    total = len(items)
    bad: dict[str, str] = {}
    step = max(1, total // 200)
    results = map_batched(lambda item: repo.objects.check(*item), items, workers or default_workers(), cancel=cancel)
    for n, ((digest, _size), problem) in enumerate(results, 1):
        if problem:
            bad[digest] = problem
        if n % step == 0 or n == total:
            progress(n, total, f"verified {n} of {total} objects")
    return bad
