"""Read a profile file into the model; every structural problem becomes a finding.

YAML is read with a *safe* loader (no Python tags) whose booleans are only
``true``/``false``: YAML 1.1 would otherwise turn the state names ``on``/``off``/``yes``
/``no`` into booleans and a projector's ``off -> on`` machine into ``False -> True``.
Malformed YAML, unsafe tags, wrong types and missing fields are findings, never a
traceback; what is well-formed is still loaded so later checks can say more.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..bounded_read import FileProblem, TooLarge, read_bounded
from ..findings import Finding
from .model import (SEVERITIES, STATE_TYPES, Budget, Command, Derived, Domain, Parameter,
                    Port, Precondition, Profile, Scenario, StateMachine, StateVar, Step, Threshold,
                    Transition, make_finding)

MAX_FILE_BYTES = 1_000_000
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OBJECT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOP_KEYS = {"id", "object_type", "description", "version", "parameters", "state", "derived",
            "thresholds", "state_machine", "commands", "ports", "scenarios", "budget"}


# libyaml's parser when present (10x faster); the constructor is the safe one either way.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ProfileYamlLoader(_SafeBase):
    """SafeLoader whose only booleans are true/false (see module docstring)."""


ProfileYamlLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ProfileYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=ProfileYamlLoader)  # noqa: S506 - a SafeLoader subclass


def load_profile(path: str | os.PathLike, display: str | None = None) -> tuple[Profile | None, list[Finding]]:
    """Read ``path``.  Returns (profile or None when nothing usable, structural findings)."""
    p = Path(path)
    label = display or str(p)
    try:
        # a regular file only: a named pipe at a profile's path must not hang the pass
        text = read_bounded(p, MAX_FILE_BYTES).decode("utf-8")
    except TooLarge as exc:
        size = f"{exc.size} bytes" if exc.size is not None else "over the limit"
        return None, [make_finding("behavior.file.too_large", "error", label, "",
                                   f"file is {size} (limit {MAX_FILE_BYTES})",
                                   "split the profile; profiles describe one object type")]
    except UnicodeDecodeError as exc:
        return None, [make_finding("behavior.file.encoding", "error", label, "",
                                   f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8")]
    except FileProblem as exc:
        return None, [make_finding("behavior.file.unreadable", "error", label, "",
                                   str(exc), "check the path and permissions")]
    profile, findings = load_profile_text(text, label)
    if profile is not None:
        profile.path = p
        if profile.id and profile.id != p.stem:
            findings.append(profile.finding(
                "behavior.id.file_mismatch", "error", "id",
                f"id '{profile.id}' differs from the file name '{p.name}'",
                f"rename the file to {profile.id}.yaml or set id: {p.stem}"))
    return profile, findings


MAX_FLOW_DEPTH = 64


def _flow_depth(text: str) -> int:
    """Deepest nesting of YAML flow brackets (quotes ignored: a guard, not a parser).
    Checked before parsing because PyYAML takes seconds to hit the recursion limit."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}" and depth:
            depth -= 1
    return deepest


def load_profile_text(text: str, label: str = "<profile>") -> tuple[Profile | None, list[Finding]]:
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        return None, [make_finding("behavior.yaml.syntax", "error", label, "",
                                   f"YAML nested more than {MAX_FLOW_DEPTH} levels deep", "flatten the document")]
    try:
        data = parse_yaml(text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else ""
        return None, [make_finding("behavior.yaml.unsafe_tag", "error", label, where,
                                   f"YAML tag refused: {exc.problem}",
                                   "profiles are plain data; remove the !!python/... or custom tag")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [make_finding("behavior.yaml.syntax", "error", label, where,
                                   f"malformed YAML: {problem}",
                                   "fix the YAML syntax (indentation, colons, quotes)")]
    except RecursionError:
        return None, [make_finding("behavior.yaml.syntax", "error", label, "",
                                   "YAML nested too deeply", "flatten the document")]
    if not isinstance(data, dict):
        return None, [make_finding("behavior.yaml.not_mapping", "error", label, "",
                                   f"top level must be a mapping of profile fields, got {_kind(data)}",
                                   "start the file with 'id: ...', 'object_type: ...'")]
    reader = _Reader(label)
    return reader.profile(data), reader.findings


def _kind(v: Any) -> str:
    if v is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            int: "a number", float: "a number"}.get(type(v), type(v).__name__)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _Reader:
    def __init__(self, label: str):
        self.label = label
        self.findings: list[Finding] = []

    def add(self, rule: str, loc: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.findings.append(make_finding(rule, severity, self.label, loc, message, hint))

    def typed(self, value: Any, types: tuple, loc: str, what: str) -> bool:
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            self.add("behavior.field.type", loc, f"{what} must be {self._names(types)}, got {_kind(value)}",
                     "see the profile format in arxconsole.engine.behavior")
        return ok

    @staticmethod
    def _names(types: tuple) -> str:
        names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
                 float: "a number"}
        return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))

    def known_keys(self, spec: dict, allowed: set[str], loc: str, what: str) -> None:
        """A misspelt key (``gaurd:``) would otherwise be ignored without a word."""
        for key in spec:
            if key not in allowed:
                self.add("behavior.field.unknown", f"{loc}.{key}", f"{what} has an unknown field '{key}'",
                         f"known fields: {', '.join(sorted(allowed))}", "warning")

    def mapping(self, data: dict, key: str, loc: str | None = None) -> dict:
        v = data.get(key)
        if v is None:
            return {}
        return v if self.typed(v, (dict,), loc or key, f"'{key}'") else {}

    def sequence(self, data: dict, key: str, loc: str | None = None) -> list:
        v = data.get(key)
        if v is None:
            return []
        return v if self.typed(v, (list,), loc or key, f"'{key}'") else []

    def text(self, data: dict, key: str, loc: str, required: bool = False) -> str:
        v = data.get(key)
        if v is None:
            if required:
                self.add("behavior.field.missing", loc, f"'{key}' is required")
            return ""
        if isinstance(v, (int, float)) and not isinstance(v, bool) and key in ("unit", "message", "description"):
            return str(v)
        return v if self.typed(v, (str,), f"{loc}.{key}" if loc != key else loc, f"'{key}'") else ""

    def name_ok(self, name: Any, loc: str, what: str, value_name: bool = True) -> bool:
        """Valid identifier; value names (read by expressions) also must not be reserved."""
        from .expr import RESERVED_NAMES
        from .tokens import FORBIDDEN_WORDS

        if not isinstance(name, str) or not NAME_RE.match(name):
            self.add("behavior.name.invalid", loc, f"{what} name {name!r} is not a valid name",
                     "use letters, digits and '_' and start with a letter")
            return False
        if value_name and (name in RESERVED_NAMES or name in FORBIDDEN_WORDS):
            self.add("behavior.name.reserved", loc, f"{what} name '{name}' is reserved",
                     "pick another name; function names and keywords cannot name values")
            return False
        return True

    # ---- the profile -----------------------------------------------------------------
    def profile(self, data: dict) -> Profile:
        for key in data:
            if key not in TOP_KEYS:
                self.add("behavior.field.unknown", str(key), f"unknown field '{key}'",
                         f"known fields: {', '.join(sorted(TOP_KEYS))}", "warning")
        pid = self.text(data, "id", "id", required=True)
        if pid and not ID_RE.match(pid):
            self.add("behavior.id.invalid", "id", f"id '{pid}' is not lower-case snake_case",
                     "e.g. id: panel_board")
        otype = self.text(data, "object_type", "object_type", required=True)
        if otype and not OBJECT_TYPE_RE.match(otype):
            self.add("behavior.object_type.invalid", "object_type",
                     f"object_type '{otype}' is not dotted lower-case (<system>.<name>)",
                     "e.g. object_type: electrical.panel_board")
        prof = Profile(id=pid, object_type=otype, description=self.text(data, "description", "description"),
                       file=self.label)
        prof.parameters = self.parameters(self.mapping(data, "parameters"))
        prof.state = self.state(self.mapping(data, "state"))
        prof.derived = self.derived(self.mapping(data, "derived"))
        prof.thresholds = self.thresholds(self.sequence(data, "thresholds"))
        if data.get("state_machine") is not None:
            prof.state_machine = self.state_machine(self.mapping(data, "state_machine"))
        prof.commands = self.commands(self.mapping(data, "commands"))
        prof.ports = self.ports(self.sequence(data, "ports"))
        prof.scenarios = self.scenarios(self.sequence(data, "scenarios"))
        prof.budget = self.budget(self.mapping(data, "budget"))
        return prof

    def parameters(self, data: dict) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        for name, spec in data.items():
            loc = f"parameters.{name}"
            if not self.name_ok(name, loc, "parameter") or not self.typed(spec, (dict,), loc, f"parameter '{name}'"):
                continue
            self.known_keys(spec, {"value", "unit", "description"}, loc, f"parameter '{name}'")
            if "value" not in spec:
                self.add("behavior.field.missing", loc, f"parameter '{name}' has no 'value'", "add value: <number>")
                continue
            value = spec["value"]
            if not self.typed(value, (int, float, bool, str), f"{loc}.value", f"parameter '{name}' value"):
                continue
            unit = self.text(spec, "unit", loc)
            if _is_num(value) and "unit" not in spec:
                self.add("behavior.unit.missing", loc, f"numeric parameter '{name}' has no unit",
                         "add unit: (use '1' for a dimensionless ratio)", "warning")
            out[name] = Parameter(name, value, unit, self.text(spec, "description", loc))
        return out

    def domain(self, spec: dict, loc: str, what: str) -> Domain | None:
        kind = spec.get("type")
        if kind is None and "values" in spec:
            kind = "enum"
        if kind not in STATE_TYPES:
            self.add("behavior.state.domain", loc, f"{what} has type {kind!r}; expected one of {list(STATE_TYPES)}",
                     "add type: number | enum | boolean")
            return None
        if kind == "enum":
            values = spec.get("values")
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                self.add("behavior.state.domain", f"{loc}.values",
                         f"{what} is an enum but 'values' is not a non-empty list of names",
                         "list the closed set of values, e.g. values: [off, on, cooling]")
                return None
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                self.add("behavior.state.domain", f"{loc}.values", f"{what} lists {dupes} more than once")
            return Domain("enum", values=tuple(dict.fromkeys(values)))
        if kind == "boolean":
            return Domain("boolean")
        lo, hi = spec.get("min"), spec.get("max")
        for key, bound in (("min", lo), ("max", hi)):
            if bound is not None and not _is_num(bound):
                self.add("behavior.field.type", f"{loc}.{key}", f"{what} {key} must be a number, got {_kind(bound)}")
                return None
        if lo is not None and hi is not None and lo > hi:
            self.add("behavior.state.domain", loc, f"{what} has min {lo} greater than max {hi}", "swap min and max")
            return None
        if "unit" not in spec:
            self.add("behavior.unit.missing", loc, f"numeric {what} has no unit",
                     "add unit: (use '1' for a dimensionless ratio)", "warning")
        return Domain("number", lo, hi, unit=self.text(spec, "unit", loc))

    def state(self, data: dict) -> dict[str, StateVar]:
        out: dict[str, StateVar] = {}
        for name, spec in data.items():
            loc = f"state.{name}"
            if not self.name_ok(name, loc, "state variable") or not self.typed(spec, (dict,), loc, f"state '{name}'"):
                continue
            self.known_keys(spec, {"type", "min", "max", "unit", "values", "initial", "description"}, loc,
                            f"state '{name}'")
            dom = self.domain(spec, loc, f"state '{name}'")
            if dom is None:
                continue
            if "initial" not in spec:
                self.add("behavior.state.initial", loc, f"state '{name}' has no initial value",
                         "add initial: <value>")
                continue
            initial = spec["initial"]
            why = dom.admits(initial)
            if why:
                rule = "behavior.enum.unknown_value" if dom.type == "enum" else "behavior.state.initial"
                self.add(rule, f"{loc}.initial", f"initial value of '{name}': {why}",
                         f"use a value that is {dom.describe()}")
                continue
            out[name] = StateVar(name, dom, initial, self.text(spec, "description", loc))
        return out

    def derived(self, data: dict) -> dict[str, Derived]:
        out: dict[str, Derived] = {}
        for name, spec in data.items():
            loc = f"derived.{name}"
            if not self.name_ok(name, loc, "derived value"):
                continue
            if isinstance(spec, str):
                out[name] = Derived(name, spec)
                continue
            if not self.typed(spec, (dict,), loc, f"derived '{name}'"):
                continue
            self.known_keys(spec, {"expr", "unit", "description"}, loc, f"derived '{name}'")
            expr = spec.get("expr")
            if not isinstance(expr, str):
                self.add("behavior.field.missing", loc, f"derived '{name}' needs expr: <formula>")
                continue
            out[name] = Derived(name, expr, self.text(spec, "unit", loc), self.text(spec, "description", loc))
        return out

    def thresholds(self, items: list) -> list[Threshold]:
        out: list[Threshold] = []
        for i, spec in enumerate(items):
            loc = f"thresholds[{i}]"
            if not self.typed(spec, (dict,), loc, "a threshold"):
                continue
            self.known_keys(spec, {"id", "when", "severity", "message"}, loc, "a threshold")
            tid = self.text(spec, "id", loc, required=True)
            when = self.text(spec, "when", loc, required=True)
            sev = spec.get("severity")
            if sev not in SEVERITIES:
                self.add("behavior.threshold.severity", f"{loc}.severity",
                         f"threshold '{tid}' severity {sev!r} is not one of {list(SEVERITIES)}",
                         "use info, warning or critical")
                continue
            if tid and when:
                out.append(Threshold(tid, when, sev, self.text(spec, "message", loc) or tid, f"thresholds.{tid}"))
        return out

    def state_machine(self, data: dict) -> StateMachine | None:
        self.known_keys(data, {"variable", "transitions"}, "state_machine", "the state machine")
        var = self.text(data, "variable", "state_machine", required=True)
        transitions: list[Transition] = []
        for i, spec in enumerate(self.sequence(data, "transitions", "state_machine.transitions")):
            loc = f"state_machine.transitions[{i}]"
            if not self.typed(spec, (dict,), loc, "a transition"):
                continue
            self.known_keys(spec, {"from", "to", "on", "after", "guard"}, loc, "a transition")
            src = spec.get("from")
            sources = tuple(src) if isinstance(src, list) else (src,)
            if not sources or not all(isinstance(s, str) for s in sources):
                self.add("behavior.field.type", f"{loc}.from", "'from' must be a state name, a list of them or '*'")
                continue
            to = self.text(spec, "to", loc, required=True)
            on, after = spec.get("on"), spec.get("after")
            if (on is None) == (after is None):
                self.add("behavior.sm.transition", loc, "a transition needs exactly one of 'on: <command>' "
                         "or 'after: <seconds>'", "commands trigger 'on' transitions; time triggers 'after' ones")
                continue
            if on is not None and not self.typed(on, (str,), f"{loc}.on", "'on'"):
                continue
            if after is not None and (not _is_num(after) or after < 0):
                self.add("behavior.sm.transition", f"{loc}.after", f"'after' must be a number of seconds >= 0, "
                         f"got {after!r}")
                continue
            guard = spec.get("guard")
            if guard is not None and not self.typed(guard, (str,), f"{loc}.guard", "'guard'"):
                continue
            if to:
                transitions.append(Transition(sources, to, on, float(after) if after is not None else None,
                                              guard, loc))
        return StateMachine(var, transitions) if var else None

    def commands(self, data: dict) -> dict[str, Command]:
        out: dict[str, Command] = {}
        for name, spec in data.items():
            loc = f"commands.{name}"
            # Command names are never read by expressions, so 'raise' or 'test' are fine.
            if not self.name_ok(name, loc, "command", value_name=False):
                continue
            spec = {} if spec is None else spec
            if not self.typed(spec, (dict,), loc, f"command '{name}'"):
                continue
            self.known_keys(spec, {"description", "params", "preconditions", "effects"}, loc, f"command '{name}'")
            params: dict[str, Domain] = {}
            defaults: dict[str, Any] = {}
            for pname, pspec in self.mapping(spec, "params", f"{loc}.params").items():
                ploc = f"{loc}.params.{pname}"
                if not self.name_ok(pname, ploc, "command parameter") or not self.typed(pspec, (dict,), ploc, "a command parameter"):
                    continue
                dom = self.domain(pspec, ploc, f"parameter '{pname}' of '{name}'")
                if dom is None:
                    continue
                params[pname] = dom
                if "default" in pspec:
                    why = dom.admits(pspec["default"])
                    if why:
                        self.add("behavior.command.param", f"{ploc}.default", f"default of '{pname}': {why}")
                    else:
                        defaults[pname] = pspec["default"]
            pres: list[Precondition] = []
            for i, pre in enumerate(self.sequence(spec, "preconditions", f"{loc}.preconditions")):
                ploc = f"{loc}.preconditions[{i}]"
                if isinstance(pre, str):
                    pres.append(Precondition(pre, f"precondition '{pre}' is false", ploc))
                elif self.typed(pre, (dict,), ploc, "a precondition") and isinstance(pre.get("when"), str):
                    pres.append(Precondition(pre["when"], self.text(pre, "message", ploc) or
                                             f"precondition '{pre['when']}' is false", ploc))
                elif isinstance(pre, dict):
                    self.add("behavior.field.missing", ploc, "a precondition needs when: <condition>")
            effects: dict[str, str] = {}
            for target, expr in self.mapping(spec, "effects", f"{loc}.effects").items():
                eloc = f"{loc}.effects.{target}"
                if isinstance(expr, bool) or _is_num(expr):
                    expr = str(expr).lower() if isinstance(expr, bool) else repr(expr)
                if self.typed(expr, (str,), eloc, "an effect"):
                    effects[str(target)] = expr
            out[name] = Command(name, params, defaults, pres, effects, self.text(spec, "description", loc))
        return out

    def ports(self, items: list) -> list[Port]:
        out: list[Port] = []
        seen: set[str] = set()
        for i, spec in enumerate(items):
            loc = f"ports[{i}]"
            if not self.typed(spec, (dict,), loc, "a port"):
                continue
            name, kind = self.text(spec, "name", loc, required=True), self.text(spec, "type", loc, required=True)
            if name and name in seen:
                self.add("behavior.port.duplicate", loc, f"port '{name}' is listed twice")
                continue
            if name and kind:
                seen.add(name)
                out.append(Port(name, kind))
        return out

    def budget(self, data: dict) -> Budget:
        b = Budget()
        for key in ("eval_ms", "scenario_ms"):
            v = data.get(key)
            if v is not None:
                if _is_num(v) and v > 0:
                    setattr(b, key, float(v))
                else:
                    self.add("behavior.field.type", f"budget.{key}", f"budget {key} must be a positive number")
        return b

    # ---- scenarios ---------------------------------------------------------------------
    def scenarios(self, items: list) -> list[Scenario]:
        out: list[Scenario] = []
        names: set[str] = set()
        for i, spec in enumerate(items):
            loc = f"scenarios[{i}]"
            if not self.typed(spec, (dict,), loc, "a scenario"):
                continue
            self.known_keys(spec, {"name", "description", "steps"}, loc, "a scenario")
            name = self.text(spec, "name", loc, required=True) or f"#{i + 1}"
            if name in names:
                self.add("behavior.scenario.duplicate", loc, f"scenario '{name}' is defined twice")
            names.add(name)
            sloc = f"scenarios.{name}"
            steps = [s for j, raw in enumerate(self.sequence(spec, "steps", f"{sloc}.steps"))
                     if (s := self.step(raw, f"{sloc}.steps[{j}]")) is not None]
            if not steps:
                self.add("behavior.scenario.empty", sloc, f"scenario '{name}' has no steps",
                         "add commands, time steps and expectations")
            out.append(Scenario(name, self.text(spec, "description", sloc), steps, sloc))
        return out

    def step(self, raw: Any, loc: str) -> Step | None:
        if not self.typed(raw, (dict,), loc, "a scenario step"):
            return None
        kinds = [k for k in ("command", "advance", "set", "expect") if k in raw]
        if "command" in raw:
            self.known_keys(raw, {"command", "args", "expect", "reason"}, loc, "a command step")
        elif len(kinds) > 1:
            self.add("behavior.scenario.invalid", loc, f"a step has several actions {kinds}",
                     "one action per step: command, advance, set or expect")
            return None
        elif kinds:
            self.known_keys(raw, {kinds[0]}, loc, f"an {kinds[0]} step" if kinds[0][0] in "ae" else "a set step")
        if "command" in raw:
            cmd = raw["command"]
            if not self.typed(cmd, (str,), f"{loc}.command", "'command'"):
                return None
            args = raw.get("args") or {}
            if not self.typed(args, (dict,), f"{loc}.args", "'args'"):
                return None
            outcome = raw.get("expect", "accepted")
            if outcome not in ("accepted", "refused"):
                self.add("behavior.scenario.invalid", f"{loc}.expect",
                         f"a command step's expect must be 'accepted' or 'refused', got {outcome!r}")
                return None
            return Step("command", loc, command=cmd, args=dict(args), expect_refused=outcome == "refused",
                        reason=str(raw.get("reason", "")))
        if "advance" in raw:
            secs = raw["advance"]
            if not _is_num(secs) or secs < 0:
                self.add("behavior.scenario.invalid", f"{loc}.advance",
                         f"advance must be a number of seconds >= 0, got {secs!r}")
                return None
            return Step("advance", loc, seconds=float(secs))
        if "set" in raw:
            values = raw["set"]
            return Step("set", loc, values=dict(values)) if self.typed(values, (dict,), f"{loc}.set", "'set'") else None
        if "expect" in raw:
            return self.expect_step(raw["expect"], loc)
        self.add("behavior.scenario.invalid", loc, "a step needs one of command, advance, set or expect",
                 "e.g. - command: power_on   - advance: 30   - expect: {state: {mode: on}}")
        return None

    def expect_step(self, spec: Any, loc: str) -> Step | None:
        if not self.typed(spec, (dict,), f"{loc}.expect", "'expect'"):
            return None
        step = Step("expect", loc)
        step.state = dict(self.mapping(spec, "state", f"{loc}.expect.state"))
        for name, want in self.mapping(spec, "derived", f"{loc}.expect.derived").items():
            if isinstance(want, dict):
                value, tol = want.get("value"), want.get("tolerance", 1e-9)
            else:
                value, tol = want, 1e-9
            if isinstance(value, (bool, str)) and tol == 1e-9:
                step.derived[str(name)] = (value, 0.0)     # compared exactly
                continue
            if not _is_num(value) or not _is_num(tol) or tol < 0:
                self.add("behavior.scenario.invalid", f"{loc}.expect.derived.{name}",
                         "a derived expectation is true/false, text, a number or "
                         "{value: <number>, tolerance: <number >= 0>}")
                continue
            step.derived[str(name)] = (float(value), float(tol))
        for key in ("alerts", "alerts_include", "alerts_exclude"):
            if key in spec:
                ids = spec[key] or []
                if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
                    self.add("behavior.scenario.invalid", f"{loc}.expect.{key}", f"{key} must be a list of threshold ids")
                    continue
                setattr(step, key, tuple(ids))
        unknown = set(spec) - {"state", "derived", "alerts", "alerts_include", "alerts_exclude"}
        if unknown:
            self.add("behavior.scenario.invalid", f"{loc}.expect", f"unknown expectation(s) {sorted(unknown)}",
                     "expect: state, derived, alerts, alerts_include, alerts_exclude")
        return step
