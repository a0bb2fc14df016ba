"""Run history as the analytics read it: a small, backend-free shape.

The pipeline owns the run/step tables; ``load_runs`` adapts them to ``RunRecord`` so
analytics, alerts and reports never depend on the pipeline's storage details, and
tests build histories directly.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Iterable, Protocol

log = logging.getLogger(__name__)

SUCCEEDED = "succeeded"
# A rolled-back run failed (then undid its changes); both count as failures.
FAILED_STATES = frozenset({"failed", "rolled_back"})
FINISHED_STATES = FAILED_STATES | {SUCCEEDED, "cancelled"}


@dataclass(frozen=True)
class StepRecord:
    step_id: str
    state: str
    duration_s: float | None = None
    failed_checks: tuple[str, ...] = ()       # check / rule ids that failed in this step
    findings: dict[str, int] = field(default_factory=dict)  # severity -> count
    started: dt.datetime | None = None        # for chart markers; derived when missing


@dataclass(frozen=True)
class RunRecord:
    system: str
    run_id: str
    started: dt.datetime
    ended: dt.datetime | None
    state: str
    steps: tuple[StepRecord, ...] = ()

    @property
    def duration_s(self) -> float | None:
        if self.ended is None:
            return None
        return max((self.ended - self.started).total_seconds(), 0.0)

    @property
    def succeeded(self) -> bool:
        return self.state == SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES

    @property
    def counts_for_rate(self) -> bool:
        """Cancelled and unfinished runs say nothing about the pipeline's reliability."""
        return self.succeeded or self.failed

    def findings(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for s in self.steps:
            for k, v in s.findings.items():
                total[k] = total.get(k, 0) + int(v)
        return total


@dataclass(frozen=True)
class Marker:
    """A run or step span on the chart's time axis (epoch seconds), so a resource spike
    can be tied to the step that ran then.  ``step_id`` is "" for the run itself."""

    start: float
    end: float | None
    run_id: str
    system: str
    step_id: str
    state: str


def timeline_markers(runs: Iterable[RunRecord], since: float, until: float) -> list[Marker]:
    """Run and step spans overlapping [since, until].  Steps without a recorded start
    are placed one after another from the run's start (the runner executes them in order).
    A step that never ran (skipped, or pending in a finished run) has no span; a step
    without a duration ends with its run, and is open-ended only while its run is."""
    out: list[Marker] = []
    for r in runs:
        r0 = r.started.timestamp()
        r1 = r.ended.timestamp() if r.ended else None
        if r0 > until or (r1 is not None and r1 < since):
            continue
        out.append(Marker(r0, r1, r.run_id, r.system, "", r.state))
        cursor = r0
        for s in r.steps:
            if s.started is None and s.duration_s is None and (r1 is not None or s.state != "running"):
                continue  # never ran (skipped, pending): nothing happened on the time axis
            s0 = s.started.timestamp() if s.started else cursor
            if s.duration_s is not None:
                s1 = s0 + s.duration_s
            else:
                s1 = max(s0, r1) if r1 is not None else None
            cursor = s1 if s1 is not None else s0
            if s0 <= until and (s1 is None or s1 >= since):
                out.append(Marker(s0, s1, r.run_id, r.system, s.step_id, s.state))
    return sorted(out, key=lambda m: (m.start, m.step_id != ""))


class RunHistory(Protocol):
    def runs(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[RunRecord]: ...


class ListHistory:
    """A history held in memory (tests, demos, imports)."""

    def __init__(self, runs: Iterable[RunRecord]):
        self._runs = sorted(runs, key=lambda r: r.started)

    def runs(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[RunRecord]:
        return [r for r in self._runs
                if (since is None or r.started >= since) and (until is None or r.started <= until)]


def failure_rate(runs: Iterable[RunRecord], last: int = 20) -> tuple[float, int] | None:
    """Failure % over the last ``last`` finished runs (cancelled excluded) and how many
    runs that was; None without any."""
    rated = [r for r in sorted(runs, key=lambda r: r.started) if r.counts_for_rate][-last:]
    if not rated:
        return None
    return 100.0 * sum(r.failed for r in rated) / len(rated), len(rated)


class DatabaseHistory:
    """Reads the pipeline's run/step tables (``store.models.pipeline``) as RunRecords.

    Failed checks are the step's ``checks`` entries with ``passed`` false; findings
    counts come from the step's ``counts``.  Dry runs are included unless asked not to
    (their step timings and check results are as real as any other run's)."""

    def __init__(self, db, include_dry_runs: bool = True):
        self.db = db
        self.include_dry_runs = include_dry_runs

    def runs(self, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[RunRecord]:
        try:
            from ...store.models.pipeline import PipelineRun, PipelineStep
        except ImportError:  # a build without the pipeline capability
            return []
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        started = func.coalesce(PipelineRun.started_at, PipelineRun.created_at)
        run_q = select(PipelineRun).order_by(started, PipelineRun.id)
        step_q = (select(PipelineStep).join(PipelineRun, PipelineStep.run_id == PipelineRun.id)
                  .order_by(PipelineStep.run_id, PipelineStep.position, PipelineStep.attempt))
        conds = []
        if since is not None:
            conds.append(started >= since)
        if until is not None:
            conds.append(started <= until)
        if not self.include_dry_runs:
            conds.append(PipelineRun.dry_run.is_(False))
        if conds:
            run_q, step_q = run_q.where(*conds), step_q.where(*conds)
        try:
            with self.db.reader() as s:
                runs = list(s.scalars(run_q))
                steps: dict[int, list[StepRecord]] = {}
                for st in s.scalars(step_q):
                    steps.setdefault(st.run_id, []).append(_step_record(st))
        except SQLAlchemyError as exc:
            log.warning("cannot read the pipeline history: %s", exc)
            return []
        return [RunRecord(system=r.system, run_id=str(r.id), started=r.started_at or r.created_at,
                          ended=r.ended_at, state=r.state, steps=tuple(steps.get(r.id, ())))
                for r in runs]


def _step_record(st) -> StepRecord:
    failed = tuple(str(c.get("name", "")) for c in (st.checks or [])
                   if isinstance(c, dict) and c.get("passed") is False and c.get("name"))
    counts = {k: int(v) for k, v in (st.counts or {}).items()
              if k in ("error", "warning", "info") and isinstance(v, (int, float))}
    return StepRecord(step_id=st.step, state=st.state, duration_s=st.duration, failed_checks=failed,
                      findings=counts, started=st.started_at)


RECENT_DAYS = 30   # the run history the failure rate and its alert are judged over


def recent_runs(db, days: int = RECENT_DAYS) -> list[RunRecord]:
    """The stored runs of the last ``days`` (what the failure rate is computed from)."""
    return DatabaseHistory(db).runs(since=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days))

