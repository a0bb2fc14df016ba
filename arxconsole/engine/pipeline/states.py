"""Run and step states, and the fixed order of the six steps (SPEC §3)."""

from __future__ import annotations

import enum


class State(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    ROLLED_BACK = "rolled_back"

    @property
    def finished(self) -> bool:
        return self not in (State.PENDING, State.RUNNING)


STEP_IDS: tuple[str, ...] = (
    "define-schema",
    "add-symbols",
    "implement-behavior",
    "update-registry",
    "documentation",
    "compliance",
)

STEP_TITLES = {
    "define-schema": "Define schema",
    "add-symbols": "Add symbols",
    "implement-behavior": "Implement behavior",
    "update-registry": "Update registry",
    "documentation": "Documentation",
    "compliance": "Compliance",
}

MODE_NEW_SYSTEM = "new_system"
MODE_NEW_OBJECT = "new_object"
