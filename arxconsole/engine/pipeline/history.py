"""Pipeline history in the database: runs, steps, findings, log lines, gate decisions.

Log lines are buffered and written in batches (one INSERT of many rows), so a run that
logs 100,000 lines costs a few dozen transactions, not 100,000.  The engine imports the
store lazily here and nowhere else in the pipeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, update

from ...store.models.pipeline import (PipelineFinding, PipelineGateDecision, PipelineLog, PipelineRun,
                                      PipelineStep)
from ..errors import UserError
from .events import PipelineEvent
from .gates import GateDecision
from .states import STEP_IDS

LOG_BATCH = 2000


class RunNotFound(UserError):
    pass


def _utc(ts: float | None) -> dt.datetime | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc)


class RunHistory:
    def __init__(self, db):
        self.db = db
        self._logs: list[dict[str, Any]] = []

    # ---- writing -------------------------------------------------------------------
    def create_run(self, *, workspace: str, system: str, object_type: str, mode: str, dry_run: bool,
                   step_by_step: bool, from_step: str, only_step: str, retry_of: int | None, actor: str,
                   steps: dict[str, tuple[str, int]]) -> int:
        """``steps``: step id -> (initial state, attempt)."""
        with self.db.writer() as s:
            run = PipelineRun(workspace=workspace, system=system, object_type=object_type, mode=mode,
                              state="pending", dry_run=dry_run, step_by_step=step_by_step,
                              from_step=from_step, only_step=only_step, retry_of=retry_of, actor=actor,
                              message="", summary={})
            s.add(run)
            s.flush()
            for pos, step in enumerate(STEP_IDS):
                state, attempt = steps[step]
                s.add(PipelineStep(run_id=run.id, step=step, position=pos, state=state, attempt=attempt,
                                   counts={}, checks=[], files_written=[], would_change=[], message=""))
            return run.id

    def update_run(self, run_id: int, **fields: Any) -> None:
        for key in ("started_at", "ended_at"):
            if isinstance(fields.get(key), float):
                fields[key] = _utc(fields[key])
        with self.db.writer() as s:
            s.execute(update(PipelineRun).where(PipelineRun.id == run_id).values(**fields))

    def update_step(self, run_id: int, step: str, **fields: Any) -> None:
        for key in ("started_at", "ended_at"):
            if isinstance(fields.get(key), float):
                fields[key] = _utc(fields[key])
        with self.db.writer() as s:
            s.execute(update(PipelineStep).where(PipelineStep.run_id == run_id, PipelineStep.step == step)
                      .values(**fields))

    def add_findings(self, run_id: int, step: str, checks: Iterable) -> None:
        rows = [{"run_id": run_id, "step": step, "check": c.name, "rule": f.rule, "severity": f.severity.value,
                 "message": f.message, "hint": f.hint, "file": f.file, "location": f.location,
                 "symbol_id": f.symbol_id, "waived": f.waived, "waiver_reason": f.waiver_reason, "data": f.data}
                for c in checks for f in c.findings]
        if rows:
            with self.db.writer() as s:
                s.execute(insert(PipelineFinding.__table__), rows)

    def add_gate_decisions(self, run_id: int, decisions: list[GateDecision]) -> None:
        with self.db.writer() as s:
            # Decisions are re-evaluated at the end of a run; keep only the final ones.
            s.execute(delete(PipelineGateDecision).where(PipelineGateDecision.run_id == run_id))
            if decisions:
                s.execute(insert(PipelineGateDecision), [{"run_id": run_id, **d.to_dict()} for d in decisions])

    def add_log(self, event: PipelineEvent) -> None:
        self._logs.append({"run_id": event.run_id, "seq": event.seq, "at": event.at, "level": event.level,
                           "step": event.step, "kind": event.kind.value, "message": event.message,
                           "data": event.data})
        if len(self._logs) >= LOG_BATCH:
            self.flush_logs()

    def flush_logs(self) -> None:
        if not self._logs:
            return
        rows, self._logs = self._logs, []
        with self.db.writer() as s:
            s.execute(insert(PipelineLog.__table__), rows)  # Core executemany: no ORM per-row work

    # ---- reading -------------------------------------------------------------------
    def get_run(self, run_id: int) -> PipelineRun:
        with self.db.reader() as s:
            run = s.get(PipelineRun, run_id)
            if run is None:
                raise RunNotFound(f"no pipeline run with id {run_id}")
            return run

    def steps(self, run_id: int) -> list[PipelineStep]:
        with self.db.reader() as s:
            return list(s.scalars(select(PipelineStep).where(PipelineStep.run_id == run_id)
                                  .order_by(PipelineStep.position)))

    def findings(self, run_id: int, step: str | None = None) -> list[PipelineFinding]:
        with self.db.reader() as s:
            q = select(PipelineFinding).where(PipelineFinding.run_id == run_id).order_by(PipelineFinding.id)
            if step:
                q = q.where(PipelineFinding.step == step)
            return list(s.scalars(q))

    def gate_decisions(self, run_id: int) -> list[PipelineGateDecision]:
        with self.db.reader() as s:
            return list(s.scalars(select(PipelineGateDecision).where(PipelineGateDecision.run_id == run_id)
                                  .order_by(PipelineGateDecision.id)))

    def logs(self, run_id: int, *, level: str | None = None, step: str | None = None,
             search: str | None = None, limit: int | None = None) -> list[PipelineLog]:
        with self.db.reader() as s:
            q = select(PipelineLog).where(PipelineLog.run_id == run_id).order_by(PipelineLog.seq)
            if level:
                q = q.where(PipelineLog.level == level)
            if step:
                q = q.where(PipelineLog.step == step)
            if search:
                q = q.where(PipelineLog.message.contains(search, autoescape=True))
            if limit:
                q = q.limit(limit)
            return list(s.scalars(q))

    def log_count(self, run_id: int) -> int:
        with self.db.reader() as s:
            return s.scalar(select(func.count()).select_from(PipelineLog).where(PipelineLog.run_id == run_id)) or 0

    def list_runs(self, workspace: str | None = None, limit: int = 50) -> list[PipelineRun]:
        with self.db.reader() as s:
            q = select(PipelineRun).order_by(PipelineRun.id.desc()).limit(limit)
            if workspace:
                q = q.where(PipelineRun.workspace == workspace)
            return list(s.scalars(q))

    def runs_in_state(self, workspace: str, states: Iterable[str]) -> list[PipelineRun]:
        with self.db.reader() as s:
            return list(s.scalars(select(PipelineRun).where(PipelineRun.workspace == workspace,
                                                            PipelineRun.state.in_(list(states)))))


def run_to_dict(history: RunHistory, run_id: int, *, with_findings: bool = True, with_diffs: bool = True) -> dict:
    """The run as plain data (CLI --json, GUI history)."""
    run = history.get_run(run_id)
    findings = history.findings(run_id) if with_findings else []
    steps = []
    for st in history.steps(run_id):
        d = {"id": st.step, "state": st.state, "attempt": st.attempt, "duration": st.duration,
             "started_at": st.started_at.isoformat() if st.started_at else None,
             "ended_at": st.ended_at.isoformat() if st.ended_at else None,
             "findings": st.counts or {}, "checks": st.checks, "files_written": st.files_written,
             "message": st.message}
        if run.dry_run:
            d["would_change"] = st.would_change if with_diffs else [
                {k: v for k, v in c.items() if k != "diff"} for c in st.would_change]
        if with_findings:
            d["finding_list"] = [{"check": f.check, "rule": f.rule, "severity": f.severity, "message": f.message,
                                  "hint": f.hint, "file": f.file, "location": f.location,
                                  "symbol_id": f.symbol_id, "waived": f.waived}
                                 for f in findings if f.step == st.step]
        steps.append(d)
    return {
        "run_id": run.id, "state": run.state, "workspace": run.workspace, "system": run.system,
        "object_type": run.object_type or None, "mode": run.mode, "dry_run": run.dry_run,
        "from_step": run.from_step or None, "only": run.only_step or None, "retry_of": run.retry_of,
        "actor": run.actor, "started_at": run.started_at.isoformat() if run.started_at else None,
        "ended_at": run.ended_at.isoformat() if run.ended_at else None, "duration": run.duration,
        "message": run.message, "steps": steps,
        "gates": [{"gate": g.gate, "required": g.required, "threshold": g.threshold, "actual": g.actual,
                   "passed": g.passed, "message": g.message} for g in history.gate_decisions(run_id)],
        "summary": run.summary,
    }
