"""Retrying a run that did not succeed: one rule, shared by the CLI and the GUI.

A retry starts a new run (``retry_of`` = the old run) for the same target.  Where it
starts:

* the step that stopped the run (the one that failed or was cancelled), when the
  earlier steps' effects are still in place: a dry run (it wrote nothing), or a real
  run none of whose earlier steps had written a file;
* otherwise the earliest step whose changes were undone.  A real run that fails or is
  cancelled is rolled back (SPEC §3), which puts back every file *any* of its steps
  wrote, so skipping a step that had written something would leave the workspace
  without that step's change (e.g. symbols for an object type its schema lacks).

Which steps' changes were undone is read from what the run stored: every step of a
real, unsuccessful run that recorded ``files_written`` or ends ``rolled_back``.  The
runner keeps the stopping step ``failed``/``cancelled`` after a rollback; runs stored
before it did have that step ``rolled_back`` too, and for them the step that stopped
the run is the last one that started.  A run made with ``--only`` is retried as the
same single step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError
from .history import RunHistory, run_to_dict
from .request import RunRequest
from .states import STEP_IDS

RETRYABLE = ("failed", "cancelled", "rolled_back")


class NothingToRetry(UserError):
    pass


@dataclass(frozen=True)
class RetryPlan:
    run_id: int
    system: str
    object_type: str | None
    dry_run: bool
    stopped_step: str | None      # the step that stopped the run (None: e.g. only a gate failed)
    start_step: str               # where the retry starts (or the one step, when ``only``)
    only: bool                    # the run was a single step (--only): retry just that step
    undone_steps: tuple[str, ...]  # steps whose written files the rollback put back
    reason: str                   # one sentence: why the retry starts there

    def request(self, *, step_by_step: bool = False) -> RunRequest:
        # create_system: the system comes from a run that was accepted, not from a name
        # typed now; a rolled-back run that brought in a new system took it away again,
        # and its retry must be able to bring it in again.
        return RunRequest(self.system, self.object_type, dry_run=self.dry_run,
                          from_step=None if self.only else self.start_step,
                          only=self.start_step if self.only else None,
                          step_by_step=step_by_step, retry_of=self.run_id, create_system=True)


def stopped_step(steps: list[dict]) -> str | None:
    """The step that stopped the run: the first failed or cancelled one; in a run stored
    with that step's state replaced by ``rolled_back``, the last one that started.  None
    when every step that ran succeeded (e.g. only a gate failed at the end)."""
    for st in steps:
        if st.get("state") in ("failed", "cancelled"):
            return st["id"]
    started = [st for st in steps if st.get("started_at") and st.get("state") not in ("skipped", "pending")]
    if started and started[-1].get("state") == "rolled_back":
        return started[-1]["id"]
    return None


def plan_retry(run: dict) -> RetryPlan:
    """The retry of ``run`` (the shape of ``history.run_to_dict``; findings and diffs not
    needed).  Raises ``NothingToRetry`` when there is nothing to retry."""
    run_id, state = run["run_id"], run.get("state")
    if state == "succeeded":
        raise NothingToRetry(f"run {run_id} succeeded; nothing to retry")
    if state not in RETRYABLE:
        raise NothingToRetry(f"run {run_id} is {state}; only a run that failed, was cancelled or was "
                             "rolled back can be retried")
    steps = [st for st in run.get("steps", []) if st.get("id") in STEP_IDS]
    steps.sort(key=lambda st: STEP_IDS.index(st["id"]))
    dry_run = bool(run.get("dry_run"))
    undone = () if dry_run else tuple(st["id"] for st in steps
                                      if st.get("files_written") or st.get("state") == "rolled_back")
    stopped = stopped_step(steps)
    only = run.get("only") or None
    if only:
        start, reason = only, f"run {run_id} ran only {only}: the retry runs {only} again"
    else:
        candidates = [s for s in (stopped, undone[0] if undone else None) if s]
        if not candidates:
            raise NothingToRetry(
                f"run {run_id} ended {state} but none of its steps failed or was cancelled (a gate failed at "
                "the end) and it left no change to redo; nothing to retry: start a new run")
        start = min(candidates, key=STEP_IDS.index)
        if undone and start == undone[0] and start != stopped:
            reason = (f"run {run_id}'s changes were rolled back, those of {start} included: the retry "
                      f"redoes every step from {start}")
        else:
            reason = f"the retry starts at {start}, the step that stopped run {run_id}"
    return RetryPlan(run_id=run_id, system=run["system"], object_type=run.get("object_type") or None,
                     dry_run=dry_run, stopped_step=stopped, start_step=start, only=bool(only),
                     undone_steps=undone, reason=reason)


def retry_request(db, run_id: int, *, step_by_step: bool = False) -> RunRequest:
    """The request that retries stored run ``run_id`` (see the module docstring)."""
    run = run_to_dict(RunHistory(db), run_id, with_findings=False, with_diffs=False)
    return plan_retry(run).request(step_by_step=step_by_step)
