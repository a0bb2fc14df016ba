"""Compile a profile's expressions once, resolving names per scope.

Scopes: parameters, state and derived values are global; a command's parameters are
visible only in its preconditions, effects and the guards of its transitions; the
built-ins ``time`` (seconds since the scenario started) and ``time_in_state`` (seconds
since the state machine last changed state) are visible everywhere.

Produces a ``CompiledProfile`` (what the simulator runs) and the findings for every
expression that does not parse, names something undeclared, compares an enum with a
value it does not have, or makes derived values depend on each other in a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from .expr import Expression, compile_expression
from .graph import find_cycle, topological_order
from .model import Domain, Profile
from .tokens import ExprError

BUILTINS = ("time", "time_in_state")


@dataclass
class CompiledCommand:
    name: str
    preconditions: list[tuple[Expression, str]]
    effects: list[tuple[str, Expression]]


@dataclass
class CompiledTransition:
    sources: tuple[str, ...]
    to: str
    on: str | None
    after: float | None
    guard: Expression | None
    loc: str


@dataclass
class CompiledProfile:
    profile: Profile
    derived_order: list[tuple[str, Expression]] = field(default_factory=list)
    thresholds: list[tuple[str, str, str, Expression]] = field(default_factory=list)  # id, severity, message, when
    commands: dict[str, CompiledCommand] = field(default_factory=dict)
    transitions: list[CompiledTransition] = field(default_factory=list)
    sm_variable: str | None = None
    ok: bool = True          # False when a compile problem makes simulation meaningless


def global_names(profile: Profile) -> set[str]:
    return set(profile.parameters) | set(profile.state) | set(profile.derived) | set(BUILTINS)


def domain_of(profile: Profile, name: str, params: dict[str, Domain] | None = None) -> Domain | None:
    if params and name in params:
        return params[name]
    var = profile.state.get(name)
    return var.domain if var else None


class _Compiler:
    def __init__(self, profile: Profile):
        self.p = profile
        self.findings: list[Finding] = []
        self.failed = False

    def expr(self, source: str, scope: set[str], loc: str, what: str,
             params: dict[str, Domain] | None = None) -> Expression | None:
        try:
            e = compile_expression(source, scope)
        except ExprError as exc:
            self.failed = True
            if exc.reason.startswith("unknown name"):
                rule, hint = "behavior.name.undeclared", "declare it under parameters, state or derived (or fix the spelling)"
            elif "nested too deeply" in exc.reason or "characters long" in exc.reason:
                rule, hint = "behavior.expr.limit", "split the formula into several derived values"
            elif exc.reason.startswith("unknown function") or " argument" in exc.reason or "is a function" in exc.reason:
                rule, hint = "behavior.expr.function", "allowed functions: min max abs sqrt round floor ceil clamp log log10 exp pow sin cos if"
            else:
                rule, hint = "behavior.expr.syntax", "fix the formula; see the expression grammar in arxconsole.engine.behavior"
            self.findings.append(self.p.finding(rule, "error", loc, f"{what} '{source}': {exc}", hint,
                                                column=exc.column))
            return None
        for name, text, col in e.literal_comparisons:
            dom = domain_of(self.p, name, params)
            if dom is None:
                continue
            if dom.type == "enum" and text not in dom.values:
                self.failed = True
                self.findings.append(self.p.finding(
                    "behavior.enum.unknown_value", "error", loc,
                    f"{what} compares '{name}' with '{text}' (column {col}), which is not one of its values "
                    f"{list(dom.values)}", f"use one of {list(dom.values)} or add '{text}' to the enum"))
            elif dom.type != "enum":
                self.failed = True
                self.findings.append(self.p.finding(
                    "behavior.expr.type", "error", loc,
                    f"{what} compares {dom.type} '{name}' with the text '{text}' (column {col})",
                    "compare numbers with numbers and booleans with true/false"))
        return e

    def run(self) -> CompiledProfile:
        p = self.p
        out = CompiledProfile(p)
        scope = global_names(p)
        # Derived values: compile, then order by dependency (a cycle is an error).
        compiled: dict[str, Expression] = {}
        for name, d in p.derived.items():
            e = self.expr(d.expr, scope, f"derived.{name}", f"derived '{name}'")
            if e is not None:
                compiled[name] = e
        deps = {n: sorted(e.names & set(p.derived)) for n, e in compiled.items()}
        cycle = find_cycle(deps)
        if cycle:
            self.failed = True
            path = " -> ".join(cycle)
            self.findings.append(p.finding(
                "behavior.derived.cycle", "error", f"derived.{cycle[0]}",
                f"derived values depend on each other in a cycle: {path}",
                "break the cycle: one of these must be a parameter or state variable", cycle=cycle))
        else:
            out.derived_order = [(n, compiled[n]) for n in topological_order(deps) if n in compiled]
        for t in p.thresholds:
            e = self.expr(t.when, scope, t.loc + ".when", f"threshold '{t.id}' condition")
            if e is not None:
                out.thresholds.append((t.id, t.severity, t.message, e))
        for name, cmd in p.commands.items():
            cscope = scope | set(cmd.params)
            pres = []
            for pre in cmd.preconditions:
                e = self.expr(pre.when, cscope, pre.loc, f"precondition of '{name}'", cmd.params)
                if e is not None:
                    pres.append((e, pre.message))
            effects = []
            for target, source in cmd.effects.items():
                e = self.expr(source, cscope, f"commands.{name}.effects.{target}", f"effect on '{target}'", cmd.params)
                if e is not None:
                    effects.append((target, e))
                    self.check_literal_assignment(target, e, f"commands.{name}.effects.{target}")
            out.commands[name] = CompiledCommand(name, pres, effects)
        if p.state_machine:
            out.sm_variable = p.state_machine.variable
            for t in p.state_machine.transitions:
                params = p.commands[t.on].params if t.on in p.commands else {}
                guard = None
                if t.guard:
                    guard = self.expr(t.guard, scope | set(params), t.loc + ".guard", "guard", params)
                    if guard is None:
                        continue
                out.transitions.append(CompiledTransition(t.sources, t.to, t.on, t.after, guard, t.loc))
        out.ok = not self.failed
        return out

    def check_literal_assignment(self, target: str, e: Expression, loc: str) -> None:
        var = self.p.state.get(target)
        if var is None or e.tree.kind not in ("str", "num", "bool"):
            return
        why = var.domain.admits(e.tree.value)
        if why:
            self.failed = True
            rule = "behavior.enum.unknown_value" if var.domain.type == "enum" else "behavior.command.effect"
            self.findings.append(self.p.finding(rule, "error", loc, f"effect sets '{target}' to {why}",
                                                f"use a value that is {var.domain.describe()}"))


def compile_profile(profile: Profile) -> tuple[CompiledProfile, list[Finding]]:
    c = _Compiler(profile)
    compiled = c.run()
    return compiled, c.findings


def literal_value(e: Expression) -> Any:
    return e.tree.value if e.tree.kind in ("str", "num", "bool") else None
