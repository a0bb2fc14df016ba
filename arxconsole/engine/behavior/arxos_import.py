"""Import the Arxos profile files (``core/svg-parser/engine/profiles/*.yaml``).

Their shape: ``<group>: <profile>: {description, system_type, category, variables,
calculations, validation_rules, simulation_rules}``; variables carry a value, a unit
and a range; calculations an expression, its ``input_variables`` and an
``output_variable``; validation rules a condition, message and severity.

Conversion: variables -> state (numbers with their range, enums: they are the inputs a
simulation varies, and their ranges become domains), calculations -> derived values,
validation rules -> thresholds.  Defects become findings (rule ids
``arxos.*``), e.g. inputs used but never declared, ``^`` used as power (rewritten to
``**``), ``if .. then .. else`` (rewritten to ``a if c else b``), lookups into tables
that exist nowhere (dropped), functions outside the whitelist.  Names that are used but
never declared are left in the formulas: the converted profile then fails
``behavior.name.undeclared`` until a person declares them with real values - guessing a
value would hide the defect.

Arxos rules mix two meanings: range checks and ``a <= b`` limits state what must
hold, while conditions such as ``utilization_percentage > 80`` describe the alarm.
The importer reads conjunctions, non-strict comparisons and strict comparisons whose
message says "must" as requirements (alert when false: ``not (...)``) and the other
strict comparisons as alarm conditions; each profile gets one finding listing how its
rules were read, so a person can confirm.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..bounded_read import FileProblem, TooLarge, read_bounded
from ..findings import Finding
from .compiled import BUILTINS
from .expr import compile_expression
from .loader import MAX_FILE_BYTES, MAX_FLOW_DEPTH, _flow_depth
from .model import (Derived, Domain, Profile, StateVar, Threshold, make_finding)
from .parser import Node
from .tokens import ExprError, rewrite_caret_power

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEVERITY = {"error": "critical", "critical": "critical", "warning": "warning", "info": "info"}
_IF_THEN = re.compile(r"^\s*if\s+(?P<c>.+?)\s+then\s+(?P<a>.+?)\s+else\s+(?P<b>.+)$", re.S)
_LOOKUP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\[")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _rewrite_if_then(expr: str) -> str | None:
    m = _IF_THEN.match(expr)
    if not m:
        return None
    other = _rewrite_if_then(m["b"]) or m["b"]
    return f"({m['a']}) if ({m['c']}) else ({other})"


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class _ProfileImporter:
    def __init__(self, label: str, group: str, pid: str, spec: dict, findings: list[Finding]):
        self.label, self.base = label, f"{group}.{pid}"
        self.pid, self.spec = pid, spec
        self.findings = findings

    def add(self, rule: str, severity: str, loc: str, message: str, hint: str = "", **data: Any) -> None:
        where = f"{self.base}.{loc}" if loc else self.base
        self.findings.append(make_finding(rule, severity, self.label, where,
                                          f"profile '{self.pid}': {message}", hint, profile=self.pid, **data))

    def section(self, key: str) -> dict:
        v = self.spec.get(key)
        if v is None:
            return {}
        if not isinstance(v, dict):
            self.add("arxos.field.type", "error", key, f"'{key}' is not a mapping; skipped")
            return {}
        return v

    def run(self) -> Profile:
        system = self.spec.get("system_type") or Path(self.label).stem
        prof = Profile(id=self.pid, object_type=f"{system}.{self.pid}",
                       description=str(self.spec.get("description") or ""), file=f"{self.label}#{self.base}")
        self.variables(prof)
        self.calculations(prof)
        self.rules(prof)
        self.leftovers(prof)
        return prof

    def variables(self, prof: Profile) -> None:
        for name, v in self.section("variables").items():
            loc = f"variables.{name}"
            if not isinstance(v, dict) or not _NAME.match(str(name)):
                self.add("arxos.variable.invalid", "error", loc, f"variable '{name}' is not a mapping with a valid name")
                continue
            kind, value = v.get("type"), v.get("value")
            if kind == "scalar" and _is_num(value):
                lo, hi = v.get("min_value"), v.get("max_value")
                lo = lo if _is_num(lo) else None
                hi = hi if _is_num(hi) else None
                dom = Domain("number", lo, hi, unit=str(v.get("unit") or ""))
                why = dom.admits(value)
                if why:
                    self.add("arxos.variable.out_of_range", "error", loc, f"default value {why}",
                             "fix the value or the range")
                    continue
                prof.state[name] = StateVar(name, dom, value, str(v.get("description") or ""))
            elif kind == "enum" and isinstance(v.get("options"), list) and value in v["options"]:
                dom = Domain("enum", values=tuple(str(o) for o in v["options"]))
                prof.state[name] = StateVar(name, dom, str(value), str(v.get("description") or ""))
            else:
                self.add("arxos.variable.unsupported_type", "warning", loc,
                         f"variable '{name}' of type {kind!r} (value {value!r}) cannot be converted; dropped",
                         "profiles hold numbers, enums and booleans; lists belong in the schema")

    def convert_expr(self, source: Any, loc: str, what: str) -> str | None:
        if not isinstance(source, str) or not source.strip():
            self.add("arxos.expr.missing", "error", loc, f"{what} has no expression text")
            return None
        text = source
        lookup = _LOOKUP.search(text)
        if lookup:
            self.add("arxos.expr.lookup", "error", loc,
                     f"{what} '{source}' looks up '{lookup.group(1)}[...]', a table defined nowhere; dropped",
                     "replace the lookup by a formula or declare the table's values as parameters")
            return None
        text, carets = rewrite_caret_power(text)
        if carets:
            self.add("arxos.expr.caret_power", "warning", loc,
                     f"{what} '{source}' uses '^' as power ({carets}x); rewritten to '**'",
                     "write powers with '**' ('^' is XOR in most languages)", original=source)
        rewritten = _rewrite_if_then(text)
        if rewritten is not None:
            self.add("arxos.expr.if_then_else", "info", loc,
                     f"{what} '{source}' uses 'if .. then .. else'; rewritten to '{rewritten}'")
            text = rewritten
        return text

    def calculations(self, prof: Profile) -> None:
        declared_outputs: set[str] = set()
        calcs = self.section("calculations")
        for key, c in calcs.items():
            if isinstance(c, dict):
                declared_outputs.add(str(c.get("output_variable") or key))
        known = set(prof.state) | declared_outputs
        undeclared_inputs: dict[str, list[str]] = {}
        for key, c in calcs.items():
            loc = f"calculations.{key}"
            if not isinstance(c, dict):
                self.add("arxos.field.type", "error", loc, f"calculation '{key}' is not a mapping; skipped")
                continue
            out = str(c.get("output_variable") or key)
            if out != key:
                self.add("arxos.calc.renamed", "info", loc,
                         f"calculation '{key}' writes '{out}'; imported as derived '{out}'")
            for name in c.get("input_variables") or []:
                if name not in known:
                    undeclared_inputs.setdefault(str(name), []).append(key)
            if out in prof.state:
                self.add("arxos.name.duplicate", "error", loc,
                         f"calculation output '{out}' has the same name as a variable; skipped")
                continue
            text = self.convert_expr(c.get("expression"), loc, f"calculation '{key}'")
            if text is None:
                continue
            self.check_names(text, known, set(c.get("input_variables") or []), loc, f"calculation '{key}'")
            prof.derived[out] = Derived(out, text, description=str(c.get("description") or ""))
        for name, users in sorted(undeclared_inputs.items()):
            self.add("arxos.input.undeclared", "error", "calculations",
                     f"input '{name}' is used by {', '.join(users)} but never declared as a variable",
                     f"declare '{name}' with a value, unit and range", name=name)

    def check_names(self, text: str, known: set[str], listed: set[str], loc: str, what: str) -> None:
        """Report names the formula uses that nothing declares (inputs listed in
        ``input_variables`` are reported once per profile as arxos.input.undeclared),
        functions outside the whitelist and syntax the evaluator refuses."""
        try:
            e = compile_expression(text)
        except ExprError as exc:
            rule = "arxos.expr.unknown_function" if exc.reason.startswith("unknown function") else "arxos.expr.syntax"
            self.add(rule, "error", loc, f"{what} '{text}': {exc}")
            return
        for name in sorted(e.names - known - listed - set(BUILTINS)):
            self.add("arxos.expr.undeclared_name", "error", loc,
                     f"{what} uses '{name}', which is neither declared nor listed as an input",
                     f"declare '{name}' (a constant belongs under parameters)", name=name)

    def rules(self, prof: Profile) -> None:
        known = set(prof.state) | set(prof.derived)
        readings: list[str] = []
        for key, r in self.section("validation_rules").items():
            loc = f"validation_rules.{key}"
            if not isinstance(r, dict):
                self.add("arxos.field.type", "error", loc, f"rule '{key}' is not a mapping; skipped")
                continue
            severity = _SEVERITY.get(str(r.get("severity")))
            if severity is None:
                self.add("arxos.rule.severity", "error", loc, f"rule '{key}' has severity {r.get('severity')!r}; skipped")
                continue
            text = self.convert_expr(r.get("condition"), loc, f"rule '{key}'")
            if text is None:
                continue
            message = str(r.get("message") or key)
            requirement = self.is_requirement(text, message)
            when = f"not ({text})" if requirement else text
            readings.append(f"{key}: {'requirement' if requirement else 'alarm condition'}")
            self.check_names(text, known, set(), loc, f"rule '{key}'")
            prof.thresholds.append(Threshold(str(key), when, severity, message, f"thresholds.{key}"))
        if readings:
            self.add("arxos.rule.polarity", "info", "validation_rules",
                     "rules read as: " + "; ".join(readings),
                     "a requirement alerts when its condition is false; confirm each reading")

    @staticmethod
    def is_requirement(text: str, message: str) -> bool:
        try:
            tree: Node = compile_expression(text).tree
        except ExprError:
            return True
        if tree.kind in ("and", "or"):
            return True
        if tree.kind == "cmp" and all(op in ("<=", ">=", "==") for op in tree.ops):
            return True
        return bool(re.search(r"\bmust\b", message, re.I))

    def leftovers(self, prof: Profile) -> None:
        sims = self.section("simulation_rules")
        if sims:
            computed = set(prof.state) | set(prof.derived)
            missing = sorted({str(o) for s in sims.values() if isinstance(s, dict)
                              for o in (s.get("outputs") or []) if str(o) not in computed})
            self.add("arxos.simulation_rules.dropped", "info", "simulation_rules",
                     f"{len(sims)} simulation rule(s) are descriptions only and were dropped"
                     + (f"; their outputs {missing} are computed nowhere" if missing else ""),
                     "write scenarios instead: commands, time steps and expectations")
        self.add("arxos.ports.missing", "info", "", "Arxos profiles declare no ports; the converted profile has none",
                 "add ports: [{name, type}] matching the symbols that use this profile")
        self.add("arxos.scenario.missing", "warning", "", "no scenarios: the behavior is untested",
                 "add at least one scenario")


def import_arxos_profiles(path: str | os.PathLike, display: str | None = None) -> tuple[list[Profile], list[Finding]]:
    """Convert one Arxos profile file.  Returns (converted profiles, findings)."""
    p = Path(path)
    label = display or str(p)
    findings: list[Finding] = []
    try:
        try:
            text = read_bounded(p, MAX_FILE_BYTES).decode("utf-8")   # a regular file only (no pipe)
        except TooLarge:
            return [], [make_finding("arxos.file.too_large", "error", label, "",
                                     f"file is larger than {MAX_FILE_BYTES} bytes; not imported")]
        if _flow_depth(text) > MAX_FLOW_DEPTH:
            return [], [make_finding("arxos.yaml.syntax", "error", label, "",
                                     f"YAML nested more than {MAX_FLOW_DEPTH} levels deep")]
        data = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - safe loader (libyaml when present)
    except FileProblem as exc:      # its words already say what (a pipe, a folder, no such file)
        return [], [make_finding("arxos.file.unreadable", "error", label, "", str(exc))]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [make_finding("arxos.file.unreadable", "error", label, "", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [make_finding("arxos.yaml.syntax", "error", label, "", f"malformed YAML: {problem}")]
    except RecursionError:
        return [], [make_finding("arxos.yaml.syntax", "error", label, "", "YAML nested too deeply")]
    if not isinstance(data, dict):
        return [], [make_finding("arxos.yaml.not_mapping", "error", label, "", "top level is not a mapping of groups")]
    profiles: list[Profile] = []
    for group, members in data.items():
        if not isinstance(members, dict):
            findings.append(make_finding("arxos.field.type", "error", label, str(group),
                                         f"group '{group}' is not a mapping of profiles; skipped"))
            continue
        for pid, spec in members.items():
            if not isinstance(spec, dict):
                findings.append(make_finding("arxos.field.type", "error", label, f"{group}.{pid}",
                                             f"profile '{pid}' is not a mapping; skipped"))
                continue
            profiles.append(_ProfileImporter(label, str(group), str(pid), spec, findings).run())
    return profiles, findings
