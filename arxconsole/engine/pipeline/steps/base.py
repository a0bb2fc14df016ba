"""What a step gets (StepContext) and gives back (named checks with findings).

A step module defines ``STEP_ID``, ``CHECKS`` (the names of its checks, in order) and
``run(ctx) -> list[Check]``.  Steps read through ``ctx.changes`` and write only through
it, log through ``ctx.log`` and call ``ctx.cancel.check()`` between units of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ...findings import Finding, has_blocking
from ...progress import CancelToken
from ...workspace import Workspace
from ..changes import ChangeSet
from ..gates import Gate, GateDecision, Measures


@dataclass(frozen=True)
class Target:
    system: str
    object_type: str | None = None   # dotted, for new_object runs

    @property
    def mode(self) -> str:
        return "new_object" if self.object_type else "new_system"

    def label(self) -> str:
        return self.object_type or self.system


@dataclass
class Check:
    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not has_blocking(self.findings)


@dataclass
class StepContext:
    workspace: Workspace
    changes: ChangeSet
    target: Target
    cancel: CancelToken
    log: Callable[..., None]                 # log(level, message, **data)
    measures: Measures
    actor: str = "unknown"
    gates: list[Gate] = field(default_factory=list)
    evaluate_gates: Callable[[], list[GateDecision]] = lambda: []
    shared: dict[str, Any] = field(default_factory=dict)  # facts steps hand to later steps
    step_id: str = ""

    @property
    def system(self) -> str:
        return self.target.system

    def gate(self, name: str) -> Gate | None:
        return next((g for g in self.gates if g.name == name), None)
