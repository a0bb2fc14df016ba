"""The in-memory shape of a behavior profile (see the package docstring for the YAML).

Plain dataclasses holding the text of expressions; compiling and checking them is the
job of ``checks`` and ``simulator``.  ``loc`` fields are the field paths used in
findings (``thresholds[2].when``, ``scenarios.overload.steps[3]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import Finding, Severity

SEVERITIES = ("info", "warning", "critical")
STATE_TYPES = ("number", "enum", "boolean")
ANY_STATE = "*"


@dataclass
class Parameter:
    name: str
    value: Any                    # number (or boolean / text for catalogue flags)
    unit: str = ""
    description: str = ""


@dataclass
class Domain:
    """The values a state variable or command argument may take."""
    type: str                     # number | enum | boolean
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] = ()
    unit: str = ""

    def admits(self, value: Any) -> str | None:
        """None when ``value`` is in the domain, else why not (for messages)."""
        if self.type == "boolean":
            return None if isinstance(value, bool) else f"{value!r} is not true/false"
        if self.type == "enum":
            if not isinstance(value, str) or value not in self.values:
                return f"{value!r} is not one of {list(self.values)}"
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not a number"
        if value != value:  # NaN
            return "NaN is not a number"
        if self.min is not None and value < self.min:
            return f"{value:g} is below the minimum {self.min:g}{_u(self.unit)}"
        if self.max is not None and value > self.max:
            return f"{value:g} is above the maximum {self.max:g}{_u(self.unit)}"
        return None

    def describe(self) -> str:
        if self.type == "enum":
            return "one of " + ", ".join(self.values)
        if self.type == "boolean":
            return "true/false"
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "+inf" if self.max is None else f"{self.max:g}"
        return f"number in [{lo}, {hi}]{_u(self.unit)}"


def _u(unit: str) -> str:
    return f" {unit}" if unit else ""


@dataclass
class StateVar:
    name: str
    domain: Domain
    initial: Any
    description: str = ""


@dataclass
class Derived:
    name: str
    expr: str
    unit: str = ""
    description: str = ""


@dataclass
class Threshold:
    id: str
    when: str
    severity: str
    message: str
    loc: str


@dataclass
class Transition:
    sources: tuple[str, ...]      # ("*",) = from any state
    to: str
    on: str | None                # a command name, or
    after: float | None           # seconds in the source state
    guard: str | None
    loc: str


@dataclass
class StateMachine:
    variable: str
    transitions: list[Transition]


@dataclass
class Precondition:
    when: str
    message: str
    loc: str


@dataclass
class Command:
    name: str
    params: dict[str, Domain]
    defaults: dict[str, Any]
    preconditions: list[Precondition]
    effects: dict[str, str]       # state variable -> expression
    description: str = ""


@dataclass
class Port:
    name: str
    type: str


@dataclass
class Step:
    kind: str                     # command | advance | set | expect
    loc: str
    command: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    expect_refused: bool = False
    reason: str = ""              # expected substring of the refusal reason
    seconds: float = 0.0
    values: dict[str, Any] = field(default_factory=dict)       # set
    state: dict[str, Any] = field(default_factory=dict)        # expect
    derived: dict[str, tuple[Any, float]] = field(default_factory=dict)   # name -> (value, tolerance)
    alerts: tuple[str, ...] | None = None                      # exact set of active alerts
    alerts_include: tuple[str, ...] = ()
    alerts_exclude: tuple[str, ...] = ()


@dataclass
class Scenario:
    name: str
    description: str
    steps: list[Step]
    loc: str


@dataclass
class Budget:
    eval_ms: float = 2.0          # one full recomputation (derived + thresholds)
    scenario_ms: float = 500.0    # one whole scenario


@dataclass
class Profile:
    id: str
    object_type: str
    description: str = ""
    parameters: dict[str, Parameter] = field(default_factory=dict)
    state: dict[str, StateVar] = field(default_factory=dict)
    derived: dict[str, Derived] = field(default_factory=dict)
    thresholds: list[Threshold] = field(default_factory=list)
    state_machine: StateMachine | None = None
    commands: dict[str, Command] = field(default_factory=dict)
    ports: list[Port] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)
    path: Path | None = None
    file: str = ""                # how findings name the file (workspace-relative when known)

    @property
    def label(self) -> str:
        return self.file or f"profile {self.id}"

    def finding(self, rule: str, severity: str | Severity, location: str, message: str,
                hint: str = "", **data: Any) -> Finding:
        return make_finding(rule, severity, self.label, location, message, hint, **data)


# Hints for findings raised where the fix is generic; specific call sites pass their own.
DEFAULT_HINTS = {
    "behavior.field.missing": "add the field; see the profile format in arxconsole.engine.behavior",
    "behavior.field.type": "see the profile format in arxconsole.engine.behavior",
    "behavior.port.duplicate": "give each port a unique name (the symbol's connections are keyed by it)",
    "behavior.scenario.invalid": "a scenario may only use declared commands, state variables, derived "
                                 "values and threshold ids",
    "behavior.scenario.duplicate": "give each scenario a unique name",
    "behavior.enum.unknown_value": "use one of the enum's declared values, or add the value to the enum",
    "behavior.state.domain": "number: min <= max; enum: a non-empty list of unique names",
    "behavior.sm.transition": "a transition is {from, to, on: <command>} or {from, to, after: <seconds>}",
    "behavior.command.param": "make the default a value inside the parameter's domain",
    "behavior.id.duplicate": "each profile id must be unique within its system",
}


def make_finding(rule: str, severity: str | Severity, file: str, location: str, message: str,
                 hint: str = "", **data: Any) -> Finding:
    """A finding whose message starts with the file and element it is about."""
    hint = hint or DEFAULT_HINTS.get(rule) or DEFAULT_HINTS.get(rule.rsplit(".", 1)[0] + ".*", "")
    if not hint and rule.startswith("behavior."):
        hint = "see the profile format in arxconsole.engine.behavior"
    elif not hint and rule.startswith("arxos."):
        hint = "fix the Arxos source or the converted profile by hand; the finding says what was done"
    where = f"{file}: {location}: " if location else f"{file}: "
    return Finding(rule=rule, severity=Severity(severity), message=where + message, hint=hint,
                   file=file, location=location, data=data)
