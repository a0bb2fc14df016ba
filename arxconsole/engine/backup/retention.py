"""Retention: keep the last N backups and the newest one of each of the last D days.

Rules apply per workspace (a data dir may hold backups of several).  ``plan_retention``
is the dry run: every backup gets a decision with the rule(s) that keep it, or why it
is dropped.  ``apply_retention`` soft-deletes the dropped ones (undoable with
``undelete`` until ``purge``).  Damaged manifests are never dropped automatically.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from ..errors import UserError
from .repository import BackupRecord, BackupRepository


@dataclass
class RetentionDecision:
    id: str
    workspace: str
    created_at: str
    keep: bool
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"id": self.id, "workspace": self.workspace, "created_at": self.created_at,
                "keep": self.keep, "reasons": self.reasons}


def _created(rec: BackupRecord) -> dt.datetime:
    return dt.datetime.fromisoformat(rec.manifest.created_at.replace("Z", "+00:00"))


def plan_retention(records: list[BackupRecord], keep_last: int, keep_daily: int,
                   now: dt.datetime | None = None) -> list[RetentionDecision]:
    if keep_last < 0 or keep_daily < 0:
        raise UserError("retention: --keep-last and --keep-daily must be 0 or more")
    if keep_last == 0 and keep_daily == 0:
        raise UserError("retention: keeping nothing would drop every backup; give --keep-last or --keep-daily")
    now = now or dt.datetime.now(dt.timezone.utc)
    today = now.astimezone(dt.timezone.utc).date()
    decisions: list[RetentionDecision] = []
    groups: dict[str, list[BackupRecord]] = {}
    for r in records:
        if r.state == "damaged":
            decisions.append(RetentionDecision(r.id, "", "", True, [
                f"damaged manifest, never dropped by retention ({r.problem}); inspect it, then delete it by hand"]))
        elif r.state == "ok":
            groups.setdefault(r.manifest.workspace, []).append(r)
    for ws, recs in groups.items():
        recs.sort(key=_created, reverse=True)  # newest first
        why: dict[str, list[str]] = {r.id: [] for r in recs}
        for i, r in enumerate(recs[:keep_last], 1):
            why[r.id].append(f"last {keep_last}: #{i} newest")
        seen_days = set()
        for r in recs:
            day = _created(r).date()
            age = (today - day).days
            if 0 <= age < keep_daily and day not in seen_days:
                seen_days.add(day)
                why[r.id].append(f"daily for {keep_daily} days: newest of {day.isoformat()}")
        for r in recs:
            keep = bool(why[r.id])
            reasons = why[r.id] or [
                f"dropped: not among the last {keep_last}, and "
                + (f"not the newest of {_created(r).date().isoformat()}"
                   if (today - _created(r).date()).days < keep_daily
                   else f"older than {keep_daily} days")]
            decisions.append(RetentionDecision(r.id, ws, r.manifest.created_at, keep, reasons))
    decisions.sort(key=lambda d: d.id)
    return decisions


def apply_retention(repo: BackupRepository, keep_last: int, keep_daily: int, *, dry_run: bool = False,
                    db=None, now: dt.datetime | None = None,
                    workspace: str | os.PathLike | None = None) -> list[RetentionDecision]:
    """Keep/drop every backup of the data dir (each workspace's backups ranked among
    themselves), or only those of ``workspace``."""
    decisions = plan_retention(repo.list(workspace=workspace), keep_last, keep_daily, now)
    if not dry_run:
        for d in decisions:
            if not d.keep:
                repo.delete(d.id, db=db, why=f"retention (keep last {keep_last}, daily {keep_daily} days): "
                                             + "; ".join(d.reasons))
        if db is not None:
            db.audit("backup.prune", "", message=f"keep last {keep_last}, daily {keep_daily} days: "
                     f"{sum(not d.keep for d in decisions)} dropped, {sum(d.keep for d in decisions)} kept",
                     details={"decisions": [d.to_json() for d in decisions]})
    return decisions
