"""Health: each component (database, workspace, sampler, disk) is healthy, degraded or
unhealthy with a human reason; the roll-up is the worst of them with a one-line
summary (the GUI status bar shows icon + word + this line as tooltip).

Active monitor alerts (CPU, memory, disk, run failure rate) are not components, but
while one is open the roll-up is at least *degraded* and names it: a console raising
"run failure rate 40 %" must not say plain "Healthy" next to it.  An alert never makes
the roll-up *unhealthy* on its own: that word is kept for a component that cannot work
(database unreachable, disk nearly full — which check_disk reports itself)."""

from __future__ import annotations

import enum
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ..workspace import LOCK_FILE, Workspace, WorkspaceError, WorkspaceLock, WorkspaceLockedError
from .settings import DEFAULT_THRESHOLDS, DISK, FAILURE_RATE, load_thresholds

# Below these free amounts a run or a backup may fail to write, whatever the percentage.
DISK_FREE_UNHEALTHY_BYTES = 200 * 1024 * 1024
DISK_FREE_DEGRADED_BYTES = 1024 * 1024 * 1024


class Status(str, enum.Enum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"

    @property
    def rank(self) -> int:
        return {"healthy": 0, "degraded": 1, "unhealthy": 2}[self.value]


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    status: Status
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status.value, "reason": self.reason, "data": self.data}


@dataclass(frozen=True)
class ActiveAlert:
    """An open monitor alert as health reports it."""
    metric: str
    level: str            # warning / critical
    started_at: str       # ISO, UTC
    text: str             # AlertRecord.describe(): latest value, peak, when raised

    def to_dict(self) -> dict:
        return {"metric": self.metric, "level": self.level, "started_at": self.started_at, "summary": self.text}


@dataclass(frozen=True)
class HealthReport:
    components: tuple[ComponentHealth, ...]
    alerts: tuple[ActiveAlert, ...] = ()

    @property
    def component_status(self) -> Status:
        return max((c.status for c in self.components), key=lambda s: s.rank, default=Status.HEALTHY)

    @property
    def status(self) -> Status:
        worst = self.component_status
        if self.alerts and worst is Status.HEALTHY:
            return Status.DEGRADED
        return worst

    @property
    def summary(self) -> str:
        status = self.status
        worst = [c for c in self.components if c.status is status and c.status is not Status.HEALTHY]
        word = status.value.capitalize()
        alerts = ""
        if self.alerts:
            alerts = (f"{len(self.alerts)} active alert{'s' if len(self.alerts) > 1 else ''}: "
                      + "; ".join(a.text for a in self.alerts))
        if not worst:
            return f"{word}: {alerts}" if alerts else f"{word}: all {len(self.components)} components OK"
        parts = [f"{c.name}: {c.reason}" for c in worst]
        if alerts and status is Status.DEGRADED:
            parts.append(alerts)
        elif alerts:
            parts.append(f"{len(self.alerts)} active alert(s)")
        return f"{word}: " + "; ".join(parts)

    def explain_lines(self) -> list[str]:
        """Why, one line each: the active alerts first (they are the news), then every
        component (status bar tooltip)."""
        return ([f"active alert: {a.text}" for a in self.alerts]
                + [f"{c.name}: {c.status.value} — {c.reason}" for c in self.components])

    def component(self, name: str) -> ComponentHealth:
        return next(c for c in self.components if c.name == name)

    def to_dict(self) -> dict:
        return {"status": self.status.value, "summary": self.summary,
                "components": [c.to_dict() for c in self.components],
                "alerts": [a.to_dict() for a in self.alerts]}


def check_database(db, open_error: str | None = None) -> ComponentHealth:
    if db is None:
        return ComponentHealth("database", Status.UNHEALTHY, open_error or "no database")
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return ComponentHealth("database", Status.UNHEALTHY,
                               f"cannot reach {db.display_url}: {exc.__class__.__name__}: {exc}".splitlines()[0])
    try:
        pending = db.pending_migrations()
    except Exception as exc:
        return ComponentHealth("database", Status.UNHEALTHY, f"cannot read the schema version: {exc}".splitlines()[0])
    if pending:
        return ComponentHealth("database", Status.DEGRADED,
                               f"{len(pending)} migration(s) not applied ({', '.join(sorted(pending))})",
                               {"pending": sorted(pending)})
    return ComponentHealth("database", Status.HEALTHY, f"reachable and up to date ({db.display_url})")


def check_workspace(workspace: Workspace | Path | None, lock: WorkspaceLock | None = None) -> ComponentHealth:
    if workspace is None:
        return ComponentHealth("workspace", Status.HEALTHY, "no workspace open")
    if not isinstance(workspace, Workspace):
        try:
            workspace = Workspace.open(workspace)
        except WorkspaceError as exc:
            return ComponentHealth("workspace", Status.UNHEALTHY, str(exc))
    root = workspace.root
    try:
        os.listdir(root)
    except OSError as exc:
        return ComponentHealth("workspace", Status.UNHEALTHY, f"{root} is not readable: {exc.strerror or exc}")
    if lock is not None and lock.held:
        state = "locked by this console"
    else:
        # Probe only an existing lock file: a health check must not create files.
        lock_path = root / LOCK_FILE
        state = "not open in another console"
        if lock_path.exists():
            try:
                WorkspaceLock(lock_path).acquire().release()
            except WorkspaceLockedError:
                return ComponentHealth("workspace", Status.DEGRADED,
                                       f"{root} is open in another ArxConsole; changes are refused here",
                                       {"path": str(root)})
            except OSError as exc:
                return ComponentHealth("workspace", Status.DEGRADED, f"cannot check the lock of {root}: {exc}")
    if not os.access(root, os.W_OK):
        return ComponentHealth("workspace", Status.DEGRADED, f"{root} is read-only; runs cannot write",
                               {"path": str(root)})
    return ComponentHealth("workspace", Status.HEALTHY, f"{root} readable, {state}", {"path": str(root)})


def check_sampler(sampler=None, disk_path: Path | None = None, now: float | None = None) -> ComponentHealth:
    """With a running sampler: its last sample age.  Without one (CLI): whether sampling
    works at all, by taking one sample."""
    if sampler is None:
        from .sampler import take_sample

        try:
            s = take_sample(disk_path or Path.cwd(), cpu_window_s=0.05)
        except Exception as exc:
            return ComponentHealth("sampler", Status.UNHEALTHY, f"cannot sample resources: {exc}")
        return ComponentHealth("sampler", Status.HEALTHY,
                               "no background sampler in this process; a one-off sample worked",
                               {"values": s.values})
    age = sampler.last_sample_age(now)
    data = {"age_s": age, "cost_per_sample_s": sampler.cost_per_sample_s, "last_error": sampler.last_error}
    if not sampler.running:
        return ComponentHealth("sampler", Status.UNHEALTHY, "sampler is not running", data)
    limit = 3 * sampler.interval + 1
    if age is None:
        if sampler.last_error:
            return ComponentHealth("sampler", Status.DEGRADED, f"no sample yet: {sampler.last_error}", data)
        # Just started: the first sample is one interval away.
        return ComponentHealth("sampler", Status.HEALTHY, "started, no sample yet", data)
    if age > 10 * limit:
        return ComponentHealth("sampler", Status.UNHEALTHY, f"last sample {age:.0f} s ago (stalled)", data)
    if age > limit:
        return ComponentHealth("sampler", Status.DEGRADED, f"last sample {age:.0f} s ago (late)", data)
    if sampler.last_error:
        return ComponentHealth("sampler", Status.DEGRADED, sampler.last_error, data)
    return ComponentHealth("sampler", Status.HEALTHY,
                           f"last sample {age:.1f} s ago, {1000 * sampler.cost_per_sample_s:.1f} ms CPU per sample",
                           data)


def check_disk(path: Path, warning_pct: float = 90.0, critical_pct: float = 97.0, usage=None) -> ComponentHealth:
    try:
        u = usage or shutil.disk_usage(path)
    except OSError as exc:
        return ComponentHealth("disk", Status.UNHEALTHY, f"cannot read free space of {path}: {exc}")
    # Same formula as psutil (and the sampler's disk series): reserved blocks excluded.
    used_pct = 100.0 * u.used / (u.used + u.free) if u.used + u.free else 100.0
    free_gb = u.free / 1024 ** 3
    data = {"path": str(path), "used_percent": round(used_pct, 1), "free_bytes": u.free}
    what = f"{used_pct:.0f} % used, {free_gb:.1f} GB free on {path}"
    if used_pct >= critical_pct or u.free < DISK_FREE_UNHEALTHY_BYTES:
        return ComponentHealth("disk", Status.UNHEALTHY, f"{what} (critical at {critical_pct:.0f} %)", data)
    if used_pct >= warning_pct or u.free < DISK_FREE_DEGRADED_BYTES:
        return ComponentHealth("disk", Status.DEGRADED, f"{what} (warning at {warning_pct:.0f} %)", data)
    return ComponentHealth("disk", Status.HEALTHY, what, data)


def active_alerts(db) -> tuple[ActiveAlert, ...]:
    """The alerts open in the alert log, described as they stand now (empty when the
    database cannot be read: the database component says why)."""
    from .alerts import AlertLog

    if db is None:
        return ()
    try:
        thresholds = load_thresholds(db)
        records = AlertLog(db).active()
        rated = _rated_runs(db) if any(r.metric == FAILURE_RATE for r in records) else None
    except Exception as exc:  # noqa: BLE001 - health must answer; the database component says why
        logging.getLogger(__name__).warning("cannot read the active alerts: %s", exc)
        return ()
    return tuple(ActiveAlert(r.metric, r.level, r.started_at.isoformat(),
                             r.describe(thresholds.get(r.metric), rated_runs=rated)) for r in records)


def _rated_runs(db) -> int | None:
    """How many finished runs the failure rate is over now (what the alert quotes)."""
    from .history import failure_rate, recent_runs

    rate = failure_rate(recent_runs(db))
    return rate[1] if rate else None


def check_health(db, data_path: Path, workspace: Workspace | Path | None = None,
                 lock: WorkspaceLock | None = None, sampler=None, now: float | None = None,
                 db_error: str | None = None) -> HealthReport:
    """``db`` None with ``db_error`` when the database could not even be opened."""
    try:
        th = load_thresholds(db).get(DISK)
    except Exception:  # database down: judge the disk by the defaults; the db check says why
        th = DEFAULT_THRESHOLDS[DISK]
    disk = check_disk(Path(data_path), th.warning, th.critical)
    comps = [check_database(db, db_error), check_workspace(workspace, lock),
             check_sampler(sampler, Path(data_path), now if now is not None else time.time()), disk]
    return HealthReport(tuple(comps), active_alerts(db))
