"""Findings: the one shape every check in the product reports in.

Symbol rules, schema checks, behavior-profile checks, pipeline step checks and the
compliance scan all produce ``Finding`` objects, so the CLI, the GUI lists, the database
and the reports handle them one way.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    rule: str                  # stable id, e.g. "svg.security.script"
    severity: Severity
    message: str               # what is wrong, naming the thing
    hint: str = ""             # how to fix it
    file: str = ""             # workspace-relative (or absolute for loose files)
    location: str = ""         # JSON field path ("connections.power.x") or SVG element ("svg/g[2]/script")
    symbol_id: str = ""
    waived: bool = False
    waiver_reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR and not self.waived

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        d = dict(d)
        d["severity"] = Severity(d["severity"])
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def __str__(self) -> str:
        where = ":".join(p for p in (self.file, self.location) if p)
        waived = f" (waived: {self.waiver_reason})" if self.waived else ""
        # A finding about the whole run (a gate) has no file or location: no leading ": ".
        return f"{where + ': ' if where else ''}{self.severity.value}: [{self.rule}] {self.message}{waived}"


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    waived = 0
    for f in findings:
        if f.waived:
            waived += 1
        else:
            counts[f.severity.value] += 1
    counts["waived"] = waived
    return counts


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.blocking for f in findings)
