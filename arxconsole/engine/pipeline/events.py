"""Structured events a run emits while it happens.

One listener callback receives every event in order, on the thread that drives the
run (a GUI forwards them through a queued signal; the CLI prints log lines).  Log lines
are events of kind ``log``; state changes have their own kinds so a front end never
parses messages.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from typing import Any, Callable


class EventKind(str, enum.Enum):
    RUN_STARTED = "run.started"
    STEP_STARTED = "step.started"
    LOG = "log"
    STEP_FINISHED = "step.finished"
    PAUSED = "run.paused"
    RESUMED = "run.resumed"
    ROLLBACK = "run.rollback"
    RUN_FINISHED = "run.finished"


LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class PipelineEvent:
    kind: EventKind
    run_id: int
    seq: int                   # position in the run's event stream (gapless, from 1)
    at: float                  # epoch seconds
    step: str = ""             # step id, "" for run-level events
    level: str = "info"
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "run_id": self.run_id, "seq": self.seq, "at": self.at,
                "step": self.step, "level": self.level, "message": self.message, "data": self.data}


Listener = Callable[[PipelineEvent], None]


def no_listener(event: PipelineEvent) -> None:
    """Default sink."""


def now() -> float:
    return time.time()
