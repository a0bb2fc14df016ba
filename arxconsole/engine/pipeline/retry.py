"""Retrying a failed run from the step that failed."""

from __future__ import annotations

from ..errors import UserError
from .history import RunHistory
from .request import RunRequest


def retry_request(db, run_id: int) -> RunRequest:
    history = RunHistory(db)
    run = history.get_run(run_id)
    failed = next((s for s in history.steps(run_id) if s.state in ("failed", "cancelled")), None)
    if run.state == "succeeded" or failed is None:
        raise UserError(f"run {run_id} ended {run.state} with no failed or cancelled step; nothing to retry")
    return RunRequest(system=run.system, object_type=run.object_type or None, dry_run=run.dry_run,
                      from_step=None if run.only_step else failed.step,
                      only=failed.step if run.only_step else None,
                      step_by_step=run.step_by_step, retry_of=run_id)
