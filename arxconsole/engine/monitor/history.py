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
