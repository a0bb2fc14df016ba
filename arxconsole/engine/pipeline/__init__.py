"""The pipeline engine (SPEC §3): six steps bringing a system or an object type into
the library, with quality gates, a change journal, rollback and live events.

Public API
----------
``RunRequest(system, object_type=None, dry_run=False, from_step=None, only=None,
step_by_step=False, retry_of=None, create_system=False)``
    What to run.  A system the workspace does not have is refused (``UnknownSystemError``,
    naming the closest known system) unless ``create_system`` asks to bring it in.  ``retry_request(db, run_id)`` builds the request that retries a run that
    did not succeed; ``plan_retry(run_to_dict(...))`` says where it starts and why: the
    failed step, or the earliest step whose changes the rollback undid (``retry`` module).
``PipelineRunner(workspace, db, request, listener=None, cancel=None, actor=None, data_dir=None)``
    ``run()`` all at once (pausing after each step when ``step_by_step``; ``next()``
    resumes, ``pause()`` asks for a pause, ``cancel()`` stops cooperatively), or
    ``start()`` / ``advance()`` / ``finish()`` to drive it yourself.  Queryable at any
    time: ``state``, ``current_step``, ``paused``, ``steps[step_id]`` (``StepStatus``:
    state, attempt, duration, checks, findings, files_written, would_change, log_lines),
    ``summary()``.  ``listener(PipelineEvent)`` receives every event in order on the
    thread that drives the run (kinds in ``EventKind``; log lines are kind ``log``).
``recover_interrupted_runs(workspace, db) -> [RecoveredRun]``
    Call when opening a workspace: rolls back what a run that died left behind.
``load_gates(db)``, ``set_gate(db, name, value)``: the quality gates.
``RunHistory(db)``, ``run_to_dict(history, run_id)``: the stored history and logs.
``SymbolSearch(index)``: search the generated symbol index by id, name or tag.

``STEP_CHECKS[step_id]``: the named checks each step reports (for a checklist view).

States: ``State`` (pending, running, succeeded, failed, cancelled, skipped,
rolled_back); step ids in ``STEP_IDS``.  Test-only crash points: ``faults``.
"""

from .events import EventKind, Listener, PipelineEvent
from .gates import GATE_DEFS, Gate, GateDecision, load_gates, set_gate
from .history import RunHistory, RunNotFound, run_to_dict
from .recovery import RecoveredRun, recover_interrupted_runs
from .registry import SymbolSearch
from .request import RunRequest, RunRequestError, UnknownSystemError
from .retry import NothingToRetry, RetryPlan, plan_retry, retry_request
from .runlock import RunInProgressError
from .runner import PipelineRunner, StepStatus
from .states import STEP_IDS, STEP_TITLES, State
from .steps import STEPS as _STEPS

STEP_CHECKS: dict[str, tuple[str, ...]] = {sid: tuple(m.CHECKS) for sid, m in _STEPS.items()}

__all__ = [
    "EventKind", "GATE_DEFS", "STEP_CHECKS", "Gate", "GateDecision", "Listener", "NothingToRetry", "PipelineEvent",
    "PipelineRunner", "RecoveredRun", "RetryPlan", "RunHistory", "RunInProgressError", "RunNotFound", "RunRequest",
    "RunRequestError", "STEP_IDS", "STEP_TITLES", "State", "StepStatus", "SymbolSearch", "UnknownSystemError",
    "load_gates", "plan_retry", "recover_interrupted_runs", "retry_request", "run_to_dict", "set_gate",
]
