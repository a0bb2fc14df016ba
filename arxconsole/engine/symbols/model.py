"""The library-format symbol (SPEC §1), and reading/writing symbol files.

``Symbol`` keeps field values exactly as read (a wrong type stays wrong so the rules can
report it) and carries unknown fields in ``extra`` so a load/save round trip never loses
data.  ``read_json_object`` / ``load_symbol_file`` never raise on bad input: they return
findings naming the file and the problem.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # pinned dependency; several times faster than json for the library-wide pass
    import orjson as _fast_json
except ImportError:  # pragma: no cover - only in a broken environment
    _fast_json = None

from .. import durable
from ..bounded_read import FileProblem, TooLarge, read_bounded
from ..findings import Finding
from .catalogue import RULES

# A symbol file is a few KB; a file above this is refused without being read, so a
# hostile 10 MB drawing costs neither memory nor parse time.
MAX_FILE_BYTES = 2 * 1024 * 1024

FIELD_ORDER = ("id", "name", "system", "category", "description", "svg", "properties",
               "connections", "behavior_profile", "metadata", "tags", "waivers")
_DEFAULTS: dict[str, Any] = {"id": "", "name": "", "system": "", "category": "", "description": "",
                             "svg": "", "behavior_profile": ""}


@dataclass
class Waiver:
    """A recorded decision to accept a rule's finding on one symbol."""

    rule: str
    reason: str
    by: str = ""
    at: str = ""
    location: str = ""   # optional: only findings at this location (prefix match)

    def matches(self, finding: Finding) -> bool:
        if finding.rule != self.rule:
            return False
        return not self.location or finding.location.startswith(self.location)

    def to_dict(self) -> dict[str, Any]:
        d = {"rule": self.rule, "reason": self.reason, "by": self.by, "at": self.at}
        if self.location:
            d["location"] = self.location
        return d

    @classmethod
    def from_dict(cls, d: Any) -> "Waiver | None":
        if not isinstance(d, dict):
            return None
        return cls(rule=str(d.get("rule") or ""), reason=str(d.get("reason") or ""),
                   by=str(d.get("by") or ""), at=str(d.get("at") or ""), location=str(d.get("location") or ""))


@dataclass
class Symbol:
    id: Any = ""
    name: Any = ""
    system: Any = ""
    category: Any = ""
    description: Any = ""
    svg: Any = ""
    properties: Any = field(default_factory=dict)
    connections: Any = field(default_factory=dict)
    behavior_profile: Any = ""
    metadata: Any = field(default_factory=dict)
    tags: Any = field(default_factory=list)
    waivers: Any = field(default_factory=list)     # raw list as stored; see ``waiver_list``
    extra: dict[str, Any] = field(default_factory=dict)
    # Which known fields the source had, so saving does not add empty ones it lacked.
    present: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Symbol":
        known = {k: data[k] for k in FIELD_ORDER if k in data}
        extra = {k: v for k, v in data.items() if k not in FIELD_ORDER}
        return cls(**known, extra=extra, present=frozenset(known))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in FIELD_ORDER:
            value = getattr(self, name)
            if name in self.present or name in _DEFAULTS or value:
                out[name] = value
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out

    def waiver_list(self) -> list[Waiver]:
        if not isinstance(self.waivers, list):
            return []
        return [w for w in (Waiver.from_dict(d) for d in self.waivers) if w is not None]

    def add_waiver(self, waiver: Waiver) -> None:
        if not isinstance(self.waivers, list):
            self.waivers = []
        self.waivers.append(waiver.to_dict())
        self.present = self.present | {"waivers"}


def read_json_object(path: str | os.PathLike, display: str | None = None,
                     max_bytes: int = MAX_FILE_BYTES) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Read one JSON object from ``path``; (None, [finding]) on any problem, never raises."""
    name = display if display is not None else os.fspath(path)
    try:
        raw = read_bounded(path, max_bytes)
    except TooLarge as exc:
        if exc.size is None:       # it grew past the limit while being read
            return None, [RULES["file.too_large"].finding(
                f"{name}: file is above the {max_bytes:,}-byte limit for a symbol; not read", file=name)]
        return None, [RULES["file.too_large"].finding(
            f"{name}: file is {exc.size:,} bytes, above the {max_bytes:,}-byte limit for a symbol; not read",
            file=name, size=exc.size)]
    except FileProblem as exc:
        return None, [RULES["file.unreadable"].finding(f"{name}: {exc}", file=name)]
    return parse_json_object(raw, name)


def parse_json_object(raw: bytes, name: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    if _fast_json is not None:
        # Good files take the fast parser; anything it refuses (bad UTF-8, a BOM, NaN,
        # broken JSON) goes through the stdlib path below, which words the finding.
        try:
            data = _fast_json.loads(raw)
        except (_fast_json.JSONDecodeError, RecursionError):
            pass
        else:
            if isinstance(data, dict):
                return data, []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [RULES["file.encoding"].finding(
            f"{name}: not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}, line {line})",
            file=name, line=line, offset=exc.start)]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip())
        what = "truncated JSON (ends unexpectedly)" if truncated else "invalid JSON"
        return None, [RULES["file.json.invalid"].finding(
            f"{name}: {what}: {exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}",  # "starting at" + "at line"
            file=name, line=exc.lineno, column=exc.colno)]
    except RecursionError:
        return None, [RULES["file.json.invalid"].finding(f"{name}: JSON nested too deeply", file=name)]
    if not isinstance(data, dict):
        return None, [RULES["file.json.not_object"].finding(
            f"{name}: JSON holds {type(data).__name__ if data is not None else 'null'}, not an object",
            file=name)]
    return data, []


def load_symbol_file(path: str | os.PathLike, display: str | None = None) -> tuple[Symbol | None, list[Finding]]:
    """Load a library-format symbol file.  Bad input -> (None, findings naming the file)."""
    data, findings = read_json_object(path, display)
    if data is None:
        return None, findings
    return Symbol.from_dict(data), findings


def save_symbol(path: str | os.PathLike, symbol: Symbol | dict[str, Any]) -> Path:
    """Write a symbol durably in the one JSON layout the product writes."""
    data = symbol.to_dict() if isinstance(symbol, Symbol) else symbol
    return durable.write_json(path, data)
