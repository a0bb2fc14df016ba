"""The pipeline runner: drives the six steps for one target, records everything.

Built to be driven from a worker thread (the GUI) or straight through (the CLI)::

    runner = PipelineRunner(ws, db, RunRequest("electrical", "smart_switch", step_by_step=True),
                            listener=on_event)          # on_event(PipelineEvent), worker thread
    runner.run()                                        # blocks; pauses after each step
    # from the GUI thread, at any time:
    runner.next()      # continue after a pause
    runner.pause()     # pause after the current step
    runner.cancel()    # cooperative: between steps and inside them (CancelToken)
    runner.state, runner.current_step, runner.paused, runner.steps   # queryable any time

or step by step without a thread: ``start()``, then ``advance()`` until it returns None,
then ``finish()``.  A real run journals every change first; a failed or cancelled real
run is rolled back byte for byte and ends ``rolled_back``.  A dry run writes nothing and
lists the files it would change with unified diffs.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from ...store.db import current_actor
from ..errors import UserError
from ..findings import Finding, Severity, count_by_severity, has_blocking
from ..progress import CancelToken, Cancelled
from ..workspace import Workspace
from . import faults, gates as gates_mod
from .backup_hook import backup_before_run
from .changes import ChangeSet, FileChange
from .events import EventKind, Listener, PipelineEvent, no_listener
from .history import RunHistory
from .journal import ChangeJournal, UndoneChange
from .recovery import recover_journals
from .request import RunRequest
from .runlock import RunLock
from .states import STEP_IDS, State
from .steps import STEPS
from .steps.base import Check, StepContext, Target

log = logging.getLogger(__name__)


@dataclass
class StepStatus:
    id: str
    state: State = State.PENDING
    attempt: int = 1
    started_at: float | None = None
    ended_at: float | None = None
    duration: float | None = None
    checks: list[Check] = field(default_factory=list)
    files_written: list[FileChange] = field(default_factory=list)
    would_change: list[FileChange] = field(default_factory=list)
    log_lines: int = 0
    message: str = ""

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    def checks_summary(self) -> list[dict[str, Any]]:
        return [{"name": c.name, "passed": c.passed, "findings": count_by_severity(c.findings)}
                for c in self.checks]

    def to_dict(self, with_diffs: bool = True) -> dict[str, Any]:
        return {"id": self.id, "state": self.state.value, "attempt": self.attempt, "duration": self.duration,
                "findings": self.counts, "checks": self.checks_summary(),
                "files_written": [c.to_dict(False) for c in self.files_written],
                "would_change": [c.to_dict(with_diffs) for c in self.would_change],
                "log_lines": self.log_lines, "message": self.message}


class PipelineRunner:
    def __init__(self, workspace: Workspace, db, request: RunRequest, *, listener: Listener | None = None,
                 cancel: CancelToken | None = None, actor: str | None = None, data_dir=None):
        self.workspace = workspace
        self.data_dir = data_dir
        self.db = db
        self.request = request.validated()
        self.request.check_target(workspace)   # before anything is recorded: no run for a typo
        self.listener = listener or no_listener
        self.cancel_token = cancel or CancelToken()
        self.actor = actor or current_actor()
        self.history = RunHistory(db)
        self.run_id: int | None = None
        self.state = State.PENDING
        self.message = ""
        self.steps: dict[str, StepStatus] = {s: StepStatus(s) for s in STEP_IDS}
        self.current_step: str | None = None
        self.paused = False
        self.gate_decisions: list[gates_mod.GateDecision] = []
        self.undone: list[UndoneChange] = []
        self._selected = self.request.selected_steps()
        self._queue: list[str] = []
        self._resume = threading.Event()
        self._pause_requested = False
        self._seq = 0
        self._t0 = 0.0
        self._lock: RunLock | None = None
        self._journal: ChangeJournal | None = None
        self._changes: ChangeSet | None = None
        self._ctx: StepContext | None = None
        self._stop: State | None = None    # FAILED or CANCELLED once the run cannot go on

    # ---- control (any thread) -------------------------------------------------------
    def next(self) -> None:
        self._resume.set()

    def pause(self) -> None:
        self._pause_requested = True

    def cancel(self) -> None:
        self.cancel_token.cancel()
        self._resume.set()

    @property
    def finished(self) -> bool:
        return self.state.finished

    # ---- whole run -----------------------------------------------------------------
    def run(self) -> State:
        self.start()
        try:
            while self.advance() is not None:
                if self._queue and self._stop is None and (self.request.step_by_step or self._pause_requested):
                    self._wait_for_next()
        finally:
            if not self.finished:
                self.finish()
        return self.state

    def _wait_for_next(self) -> None:
        self._pause_requested = False
        self.paused = True
        self._emit(EventKind.PAUSED, "", "info", f"paused after {self.current_step}; next: {self._queue[0]}",
                   next_step=self._queue[0])
        self.history.flush_logs()  # the paused state is visible in the stored log too
        while not self._resume.wait(0.1):
            pass
        self._resume.clear()
        self.paused = False
        if not self.cancel_token.cancelled:
            self._emit(EventKind.RESUMED, "", "info", "resumed")

    # ---- start ---------------------------------------------------------------------
    def start(self) -> int:
        if self.run_id is not None:
            raise UserError("this runner has already started; create a new one for another run")
        self._lock = RunLock(self.workspace).acquire()
        try:
            if ChangeJournal.pending(self.workspace):
                # A crashed run left changes behind: undo them before anything else.
                recover_journals(self.workspace, self.db)
            return self._start_locked()
        except BaseException as exc:
            if self.run_id is not None:  # e.g. the pre-run backup failed: the run never began work
                self.state, self.message = State.FAILED, f"the run could not start: {exc}"
                for st in self.steps.values():
                    if st.state is State.PENDING:
                        st.state = State.CANCELLED
                        self.history.update_step(self.run_id, st.id, state=st.state.value, message="not run")
                self.history.flush_logs()
                self.history.update_run(self.run_id, state=self.state.value, ended_at=time.time(),
                                        message=self.message)
                self.db.audit("run.failed", f"run {self.run_id}", workspace=str(self.workspace.root),
                              message=f"run {self.run_id} failed to start: {exc}", details={"run_id": self.run_id})
            self._lock.release()
            raise

    def _attempts(self) -> dict[str, int]:
        if not self.request.retry_of:
            return {s: 1 for s in STEP_IDS}
        prev = {st.step: st for st in self.history.steps(self.request.retry_of)}
        return {s: (prev[s].attempt + (1 if s in self._selected else 0)) if s in prev else 1 for s in STEP_IDS}

    def _start_locked(self) -> int:
        req = self.request
        attempts = self._attempts()
        for s in STEP_IDS:
            self.steps[s].attempt = attempts[s]
            if s not in self._selected:
                self.steps[s].state = State.SKIPPED
                self.steps[s].message = "not selected for this run"
        self.run_id = self.history.create_run(
            workspace=str(self.workspace.root), system=req.system, object_type=req.object_type or "",
            mode=Target(req.system, req.object_type).mode, dry_run=req.dry_run, step_by_step=req.step_by_step,
            from_step=req.from_step or "", only_step=req.only or "", retry_of=req.retry_of, actor=self.actor,
            steps={s: (st.state.value, st.attempt) for s, st in self.steps.items()})
        self._t0 = time.monotonic()
        self.state = State.RUNNING
        self.history.update_run(self.run_id, state=State.RUNNING.value, started_at=time.time())
        target = Target(req.system, req.object_type)
        self.db.audit("run.started", f"run {self.run_id}", workspace=str(self.workspace.root),
                      message=f"pipeline run {self.run_id} for {target.label()} ({target.mode}"
                              f"{', dry run' if req.dry_run else ''})",
                      details={"run_id": self.run_id, "system": req.system, "object_type": req.object_type,
                               "dry_run": req.dry_run, "steps": self._selected, "retry_of": req.retry_of})
        self._emit(EventKind.RUN_STARTED, "", "info",
                   f"run {self.run_id}: {target.label()} ({target.mode}), steps {', '.join(self._selected)}"
                   + (" — dry run, nothing will be written" if req.dry_run else ""),
                   system=req.system, object_type=req.object_type, dry_run=req.dry_run, steps=self._selected)
        if not req.dry_run:
            self._before_run_backup()
            self._journal = ChangeJournal.begin(self.workspace, self.run_id, {
                "system": req.system, "object_type": req.object_type, "database": self.db.display_url})
        self._changes = ChangeSet(self.workspace, req.dry_run, self._journal, self._on_change)
        measures = gates_mod.Measures(step_seconds={})
        self._ctx = StepContext(workspace=self.workspace, changes=self._changes, target=target,
                                cancel=self.cancel_token, log=self._step_log, measures=measures,
                                actor=self.actor, gates=gates_mod.load_gates(self.db),
                                evaluate_gates=self._evaluate_gates)
        self._queue = list(self._selected)
        return self.run_id

    def _before_run_backup(self) -> None:
        try:
            result = backup_before_run(self.workspace, self.db, self.run_id, self.request.system,
                                       self.data_dir, self.cancel_token)
        except UserError as exc:
            # A backup that cannot be taken must not be silently skipped: stop here.
            self._emit(EventKind.LOG, "", "error", f"backup before the run failed: {exc}")
            raise
        self._emit(EventKind.LOG, "", "info", result)

    # ---- steps ---------------------------------------------------------------------
    def advance(self) -> StepStatus | None:
        """Run the next selected step; None when the run has nothing left to do."""
        if self.run_id is None:
            raise UserError("start() the run first")
        if not self._queue or self._stop is not None:
            return None
        if self.cancel_token.cancelled:
            self._stop = State.CANCELLED
            self._close_queue()
            return None
        step_id = self._queue.pop(0)
        st = self.steps[step_id]
        self.current_step = step_id
        st.state, st.started_at = State.RUNNING, time.time()
        t0 = time.monotonic()
        self.history.update_step(self.run_id, step_id, state=st.state.value, started_at=st.started_at)
        self._emit(EventKind.STEP_STARTED, step_id, "info", f"step {step_id} started (attempt {st.attempt})",
                   attempt=st.attempt)
        faults.hit(f"step:{step_id}")
        self._ctx.step_id = step_id
        try:
            self.cancel_token.check()
            st.checks = list(STEPS[step_id].run(self._ctx))
            st.state = State.SUCCEEDED
        except Cancelled:
            st.state, st.message = State.CANCELLED, "cancelled by the user"
            self._stop = State.CANCELLED
        except UserError as exc:
            st.checks.append(Check("step.error", [Finding("pipeline.step.error", Severity.ERROR, str(exc),
                                                          hint="fix the problem named and run again")]))
            st.state, st.message = State.FAILED, str(exc)
        except Exception as exc:  # a bug: keep the traceback, still roll back cleanly
            st.checks.append(Check("step.error", [Finding("pipeline.step.crash", Severity.ERROR,
                                                          f"internal error in {step_id}: {exc!r}",
                                                          hint="report this with the run log")]))
            st.state, st.message = State.FAILED, f"internal error: {exc!r}"
            self._emit(EventKind.LOG, step_id, "error", f"internal error: {exc!r}",
                       traceback=traceback.format_exc())
            log.exception("pipeline step %s crashed", step_id)
        st.ended_at = time.time()
        st.duration = round(time.monotonic() - t0, 6)
        self._ctx.measures.step_seconds[step_id] = st.duration
        self._judge(st)
        self._record_step(st)
        if st.state is State.FAILED:
            self._stop = State.FAILED
        if self._stop is not None:
            self._close_queue()
        return st

    def _judge(self, st: StepStatus) -> None:
        if st.state is not State.SUCCEEDED:
            return
        for f in st.findings:
            if not f.waived and f.severity is Severity.ERROR:
                self._ctx.measures.errors += 1
        if st.id == "compliance":
            own = [f for c in st.checks if c.name != "quality-gates" for f in c.findings]
            self._ctx.measures.compliance_passed = not has_blocking(own)
        zero_errors = self._ctx.gate("zero_errors")
        failing = [c.name for c in st.checks if not c.passed]
        if failing and (zero_errors is None or zero_errors.required):
            st.state = State.FAILED
            st.message = "failed checks: " + ", ".join(failing)
        elif failing:
            st.message = "errors allowed by the zero_errors gate (not required): " + ", ".join(failing)
        else:
            st.message = "all checks passed"

    def _record_step(self, st: StepStatus) -> None:
        counts = st.counts
        level = {"succeeded": "info", "cancelled": "warning"}.get(st.state.value, "error")
        self._emit(EventKind.STEP_FINISHED, st.id, level,
                   f"step {st.id} {st.state.value} in {st.duration:.3f} s — {counts['error']} error(s), "
                   f"{counts['warning']} warning(s)" + (f": {st.message}" if st.message else ""),
                   state=st.state.value, duration=st.duration, findings=counts, checks=st.checks_summary())
        for c in st.checks:
            for f in c.findings:
                if f.blocking:
                    self._emit(EventKind.LOG, st.id, "error", str(f), check=c.name, rule=f.rule, file=f.file,
                               location=f.location, symbol_id=f.symbol_id)
        self.history.flush_logs()
        self.history.add_findings(self.run_id, st.id, st.checks)
        self.history.update_step(
            self.run_id, st.id, state=st.state.value, ended_at=st.ended_at, duration=st.duration,
            counts=counts, checks=st.checks_summary(), message=st.message,
            files_written=[c.to_dict(False) for c in st.files_written],
            would_change=[c.to_dict(True) for c in st.would_change])
        self.db.audit(f"run.step.{st.state.value}", f"run {self.run_id} / {st.id}",
                      workspace=str(self.workspace.root),
                      message=f"step {st.id} {st.state.value} (attempt {st.attempt}): {st.message}",
                      details={"run_id": self.run_id, "step": st.id, "attempt": st.attempt,
                               "duration": st.duration, "findings": counts,
                               "rules": sorted({f.rule for f in st.findings if not f.waived}),
                               "files": [c.path for c in (st.files_written or st.would_change)]})

    def _close_queue(self) -> None:
        for s in self._queue:
            st = self.steps[s]
            if self._stop is State.CANCELLED:
                st.state, st.message = State.CANCELLED, "not run: the run was cancelled"
            else:
                st.state, st.message = State.SKIPPED, f"not run: {self.current_step} failed"
            self.history.update_step(self.run_id, s, state=st.state.value, message=st.message)
        self._queue = []

    # ---- finish --------------------------------------------------------------------
    def _evaluate_gates(self) -> list[gates_mod.GateDecision]:
        return gates_mod.evaluate(self._ctx.gates, self._ctx.measures)

    def finish(self) -> State:
        if self.run_id is None:
            raise UserError("the run never started")
        try:
            if self._queue and self._stop is None:
                # finish() called before every step ran (a driver stopped early): the rest is cancelled
                self._stop = State.CANCELLED
                self._close_queue()
            self.gate_decisions = self._evaluate_gates()
            self.history.add_gate_decisions(self.run_id, self.gate_decisions)
            blocking = [d for d in self.gate_decisions if d.blocks]
            for d in self.gate_decisions:
                lvl = "info" if d.passed is not False else ("error" if d.required else "warning")
                self._emit(EventKind.LOG, "", lvl, f"gate {d.gate}: "
                           + {True: "passed", False: "FAILED", None: "not evaluated"}[d.passed] + f" — {d.message}",
                           gate=d.to_dict())
            self.db.audit("run.gates", f"run {self.run_id}", workspace=str(self.workspace.root),
                          message="; ".join(f"{d.gate}: {d.passed}" for d in self.gate_decisions),
                          details={"run_id": self.run_id, "decisions": [d.to_dict() for d in self.gate_decisions]})
            if self._stop is None and blocking:
                self._stop = State.FAILED
                self.message = "required gate(s) failed: " + "; ".join(d.message for d in blocking)
            outcome = self._stop or State.SUCCEEDED
            if outcome is State.SUCCEEDED:
                self.message = self.message or "all steps and gates passed"
                if self._journal is not None:
                    self._journal.finish()
            else:
                failed = next((s for s in self.steps.values() if s.state in (State.FAILED, State.CANCELLED)), None)
                if not self.message:
                    self.message = (f"{failed.id} {failed.state.value}: {failed.message}" if failed
                                    else outcome.value)
                if self._journal is not None:
                    outcome = self._rollback()
            self.state = outcome
        except BaseException as exc:
            self.state = State.FAILED
            self.message = f"run could not finish: {exc}"
            self._emit(EventKind.LOG, "", "error", self.message)
            raise
        finally:
            self._close_run()
        return self.state

    def _rollback(self) -> State:
        try:
            self.undone = self._journal.rollback()
            self._journal.finish()
        except Exception as exc:  # the journal stays: recovery finishes it at the next start
            self._emit(EventKind.LOG, "", "error", f"rollback incomplete ({exc}); it will be completed "
                       "when the workspace is next opened")
            self.db.audit("run.rollback_incomplete", f"run {self.run_id}", workspace=str(self.workspace.root),
                          message=str(exc), details={"run_id": self.run_id})
            self.message += f"; rollback incomplete: {exc}"
            return State.FAILED
        real = [u for u in self.undone if u.action != "unchanged"]
        for st in self.steps.values():
            # A step that had succeeded and written files is now undone.  The step that
            # stopped the run keeps its failed/cancelled state (its files are put back
            # too, as the run's state says), so the history and a retry can find it.
            if st.files_written and st.state is State.SUCCEEDED:
                st.state = State.ROLLED_BACK
                self.history.update_step(self.run_id, st.id, state=st.state.value)
        text = (f"rolled back {len(real)} change(s): " + ", ".join(f"{u.action} {u.path}" for u in real)
                if real else "rolled back: the run had changed no file")
        self._emit(EventKind.ROLLBACK, "", "warning", text, undone=[u.to_dict() for u in self.undone])
        self.db.audit("run.rolled_back", f"run {self.run_id}", workspace=str(self.workspace.root),
                      message=f"run {self.run_id} {self.message}; {text}",
                      details={"run_id": self.run_id, "reason": self.message,
                               "undone": [u.to_dict() for u in self.undone]})
        self.message += f"; {text}"
        return State.ROLLED_BACK

    def _close_run(self) -> None:
        try:
            duration = round(time.monotonic() - self._t0, 6)
            self._emit(EventKind.RUN_FINISHED, "", "info" if self.state is State.SUCCEEDED else "error",
                       f"run {self.run_id} {self.state.value} in {duration:.2f} s: {self.message}",
                       state=self.state.value, duration=duration)
            self.history.flush_logs()
            self.history.update_run(self.run_id, state=self.state.value, ended_at=time.time(), duration=duration,
                                    message=self.message, summary=self.summary(with_diffs=False))
            self.db.audit(f"run.{self.state.value}", f"run {self.run_id}", workspace=str(self.workspace.root),
                          message=f"run {self.run_id} {self.state.value}: {self.message}",
                          details={"run_id": self.run_id, "duration": duration})
        finally:
            if self._lock is not None:
                self._lock.release()

    # ---- events --------------------------------------------------------------------
    def _emit(self, kind: EventKind, step: str, level: str, message: str, **data: Any) -> None:
        self._seq += 1
        ev = PipelineEvent(kind, self.run_id or 0, self._seq, time.time(), step, level, message, data)
        if step:
            self.steps[step].log_lines += 1
        self.history.add_log(ev)
        try:
            self.listener(ev)
        except Exception:  # a broken front end must not break the run
            log.exception("pipeline listener failed on %s", kind.value)

    def _step_log(self, level: str, message: str, **data: Any) -> None:
        self._emit(EventKind.LOG, self._ctx.step_id if self._ctx else "", level, message, **data)

    def _on_change(self, change: FileChange) -> None:
        st = self.steps[self._ctx.step_id]
        (st.would_change if self.request.dry_run else st.files_written).append(change)
        verb = {"create": "create", "modify": "change", "delete": "delete"}[change.action]
        self._emit(EventKind.LOG, st.id, "info" if not self.request.dry_run else "debug",
                   (f"would {verb} " if self.request.dry_run else f"{verb}d ") + change.path,
                   path=change.path, action=change.action)

    # ---- results -------------------------------------------------------------------
    def summary(self, with_diffs: bool = True) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "state": self.state.value, "message": self.message,
            "system": self.request.system, "object_type": self.request.object_type,
            "dry_run": self.request.dry_run,
            "steps": [st.to_dict(with_diffs) for st in self.steps.values()],
            "gates": [d.to_dict() for d in self.gate_decisions],
            "undone": [u.to_dict() for u in self.undone],
        }
