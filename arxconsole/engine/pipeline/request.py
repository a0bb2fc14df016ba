"""What a run is asked to do, validated before anything starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UserError
from ..workspace import Workspace
from .states import STEP_IDS

SYSTEM_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class RunRequestError(UserError):
    pass


class UnknownSystemError(RunRequestError):
    """The run names a system the workspace does not have and did not ask to create it."""

    def __init__(self, message: str, system: str):
        super().__init__(message)
        self.system = system


@dataclass(frozen=True)
class RunRequest:
    system: str
    object_type: str | None = None     # "smart_switch" or "electrical.smart_switch"
    dry_run: bool = False
    from_step: str | None = None
    only: str | None = None
    step_by_step: bool = False
    retry_of: int | None = None
    # A run may bring a new system into the workspace (define-schema creates its schema
    # from the template) only when asked to: a mistyped name must not quietly start one.
    create_system: bool = False

    def validated(self) -> "RunRequest":
        if not SYSTEM_RE.match(self.system or ""):
            raise RunRequestError(f"system {self.system!r} is not a lower_snake_case system name "
                                  "(e.g. electrical, audiovisual)")
        for name, value in (("--from", self.from_step), ("--only", self.only)):
            if value is not None and value not in STEP_IDS:
                raise RunRequestError(f"{name} {value!r} is not a step; steps: {', '.join(STEP_IDS)}")
        if self.from_step and self.only:
            raise RunRequestError("--from and --only cannot be combined")
        obj = self.object_type
        if obj is not None:
            obj = obj.strip()
            if not obj:
                raise RunRequestError("--object is empty")
            obj = obj if obj.startswith(self.system + ".") else f"{self.system}.{obj}"
        return RunRequest(self.system, obj, self.dry_run, self.from_step, self.only, self.step_by_step,
                          self.retry_of, self.create_system)

    def check_target(self, workspace: Workspace) -> None:
        """Raise ``UnknownSystemError`` when the system does not exist in ``workspace``
        and the request does not ask to create it."""
        if self.create_system or self.system in workspace.systems():
            return
        raise UnknownSystemError(workspace.no_such_system(self.system), self.system)

    def selected_steps(self) -> list[str]:
        if self.only:
            return [self.only]
        start = STEP_IDS.index(self.from_step) if self.from_step else 0
        return list(STEP_IDS[start:])
