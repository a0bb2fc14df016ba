"""What a run is asked to do, validated before anything starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UserError
from .states import STEP_IDS

SYSTEM_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class RunRequestError(UserError):
    pass


@dataclass(frozen=True)
class RunRequest:
    system: str
    object_type: str | None = None     # "smart_switch" or "electrical.smart_switch"
    dry_run: bool = False
    from_step: str | None = None
    only: str | None = None
    step_by_step: bool = False
    retry_of: int | None = None

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
                          self.retry_of)

    def selected_steps(self) -> list[str]:
        if self.only:
            return [self.only]
        start = STEP_IDS.index(self.from_step) if self.from_step else 0
        return list(STEP_IDS[start:])
