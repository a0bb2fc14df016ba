"""Quality gates: stored in the database, editable, audited, applied to every run.

Each gate is one settings row ``pipeline.gate.<name>`` = ``{"threshold": .., "required": ..}``
(missing rows mean the defaults).  A failing *required* gate fails the run; a failing
optional gate is reported as a warning.  Gates whose measure a run did not produce
(coverage when the documentation step did not run) are recorded as not evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import UserError

SETTING_PREFIX = "pipeline.gate."


class GateError(UserError):
    pass


@dataclass(frozen=True)
class GateDef:
    name: str
    kind: str            # "max_count" | "min_percent" | "must_pass" | "max_seconds"
    default: Any
    description: str


GATE_DEFS: dict[str, GateDef] = {g.name: g for g in (
    GateDef("zero_errors", "max_count", 0,
            "error findings allowed in a run (waived findings do not count)"),
    GateDef("coverage", "min_percent", 90.0,
            "documentation coverage %: object types with a symbol, symbols with a profile, "
            "profiles with a scenario"),
    GateDef("compliance", "must_pass", True,
            "the compliance step's security, budget, naming and secret checks pass"),
    GateDef("performance", "max_seconds", 60.0,
            "performance budget: every step finishes within this many seconds"),
)}


@dataclass(frozen=True)
class Gate:
    name: str
    threshold: Any
    required: bool
    description: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "threshold": self.threshold, "required": self.required,
                "kind": self.kind, "description": self.description}


@dataclass(frozen=True)
class GateDecision:
    gate: str
    required: bool
    threshold: Any
    actual: Any
    passed: bool | None   # None: the run did not measure this
    message: str

    @property
    def blocks(self) -> bool:
        return self.required and self.passed is False

    def to_dict(self) -> dict[str, Any]:
        return {"gate": self.gate, "required": self.required, "threshold": self.threshold,
                "actual": self.actual, "passed": self.passed, "message": self.message}


def default_gates() -> list[Gate]:
    return [Gate(d.name, d.default, True, d.description, d.kind) for d in GATE_DEFS.values()]


def load_gates(db) -> list[Gate]:
    gates = []
    for d in GATE_DEFS.values():
        stored = db.get_setting(SETTING_PREFIX + d.name) or {}
        gates.append(Gate(d.name, stored.get("threshold", d.default), bool(stored.get("required", True)),
                          d.description, d.kind))
    return gates


def _parse_value(d: GateDef, field: str, text: str) -> Any:
    t = str(text).strip().lower()
    if field == "required" or d.kind == "must_pass":
        if t in ("true", "yes", "on", "1"):
            return True
        if t in ("false", "no", "off", "0"):
            return False
        raise GateError(f"gate {d.name}: {field} must be true or false, not {text!r}")
    try:
        value = float(t.rstrip("%s"))
    except ValueError:
        raise GateError(f"gate {d.name}: threshold must be a number, not {text!r}") from None
    if value < 0 or (d.kind == "min_percent" and value > 100):
        raise GateError(f"gate {d.name}: threshold {text!r} is out of range "
                        f"({'0..100' if d.kind == 'min_percent' else '>= 0'})")
    return int(value) if d.kind == "max_count" else value


def set_gate(db, name: str, value: str) -> Gate:
    """``name`` is a gate (sets its threshold) or ``<gate>.required``."""
    gate_name, _, field = name.partition(".")
    field = field or "threshold"
    d = GATE_DEFS.get(gate_name)
    if d is None or field not in ("threshold", "required"):
        raise GateError(f"unknown gate setting {name!r}; known: "
                        + ", ".join(f"{g}, {g}.required" for g in GATE_DEFS))
    parsed = _parse_value(d, field, value)
    key = SETTING_PREFIX + d.name
    old = db.get_setting(key) or {"threshold": d.default, "required": True}
    new = {**{"threshold": d.default, "required": True}, **old, field: parsed}
    db.set_setting(key, new, audit=False)
    db.audit("gate.changed", d.name, message=f"gate {d.name} {field}: {old.get(field)!r} -> {parsed!r}",
             details={"old": old, "new": new})
    return next(g for g in load_gates(db) if g.name == d.name)


@dataclass
class Measures:
    """What a run measured, filled in as steps finish."""
    errors: int = 0
    coverage: float | None = None
    symbols: int | None = None          # the system's symbols, counted with the coverage
    compliance_passed: bool | None = None
    step_seconds: dict[str, float] | None = None


def evaluate(gates: list[Gate], m: Measures) -> list[GateDecision]:
    out = []
    for g in gates:
        if g.name == "zero_errors":
            ok = m.errors <= g.threshold
            out.append(GateDecision(g.name, g.required, g.threshold, m.errors, ok,
                                    f"{m.errors} error finding(s), at most {g.threshold} allowed"))
        elif g.name == "coverage":
            if m.coverage is None:
                out.append(GateDecision(g.name, g.required, g.threshold, None, None,
                                        "coverage not measured (documentation step did not run)"))
            elif m.symbols == 0:
                # Fails whatever the threshold: a system with no symbols is not documented.
                out.append(GateDecision(g.name, g.required, g.threshold, round(m.coverage, 2), False,
                                        f"the system has no symbols: nothing is covered "
                                        f"(gate: at least {g.threshold} %)"))
            else:
                ok = m.coverage >= g.threshold
                out.append(GateDecision(g.name, g.required, g.threshold, round(m.coverage, 2), ok,
                                        f"coverage {m.coverage:.1f} % (gate: at least {g.threshold} %)"))
        elif g.name == "compliance":
            if not g.threshold:
                out.append(GateDecision(g.name, g.required, g.threshold, m.compliance_passed, True,
                                        "compliance gate switched off"))
            elif m.compliance_passed is None:
                out.append(GateDecision(g.name, g.required, g.threshold, None, None,
                                        "compliance not checked (compliance step did not run)"))
            else:
                out.append(GateDecision(g.name, g.required, g.threshold, m.compliance_passed,
                                        m.compliance_passed,
                                        "compliance checks " + ("pass" if m.compliance_passed else "fail")))
        elif g.name == "performance":
            secs = m.step_seconds or {}
            slow = {s: round(t, 3) for s, t in secs.items() if t > g.threshold}
            worst = max(secs.values(), default=0.0)
            msg = (f"slowest step took {worst:.2f} s (budget {g.threshold} s)" if not slow else
                   "over budget: " + ", ".join(f"{s} {t:.2f} s" for s, t in slow.items())
                   + f" (budget {g.threshold} s)")
            out.append(GateDecision(g.name, g.required, g.threshold, round(worst, 3),
                                    not slow if secs else None, msg if secs else "no step ran"))
    return out
