"""The profile checks: names, expressions, cycles, enums, state machine, scenarios, budget."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from .compiled import BUILTINS, CompiledProfile, compile_profile
from .graph import reachable
from .model import ANY_STATE, Profile
from .scenarios import ScenarioResult, run_scenarios
from .simulator import SimulationError, Simulator

_RUNNABLE_DESPITE = frozenset({"behavior.object_type.system_mismatch"})
BUDGET_SAMPLES = 25   # full recomputations timed for the eval budget (median: robust to noise)


@dataclass
class ProfileReport:
    """Everything one check of one profile found out."""
    findings: list[Finding] = field(default_factory=list)
    results: list[ScenarioResult] = field(default_factory=list)
    eval_ms: float | None = None          # median time of one full recomputation

    @property
    def scenarios_passed(self) -> int:
        return sum(r.passed for r in self.results)


def check_profile(profile: Profile, *, run: bool = True, system: str | None = None) -> list[Finding]:
    """Semantic checks of a loaded profile (``load_profile`` reports structure problems).
    With ``run`` the scenarios run and the time budget is measured."""
    return check_profile_report(profile, run=run, system=system).findings


def check_profile_report(profile: Profile, *, run: bool = True, system: str | None = None) -> ProfileReport:
    report = ProfileReport()
    out = report.findings
    out += _check_names(profile)
    if system and profile.object_type and not profile.object_type.startswith(system + "."):
        out.append(profile.finding("behavior.object_type.system_mismatch", "error", "object_type",
                                   f"object_type '{profile.object_type}' is not in system '{system}'",
                                   f"use {system}.<name>, or move the file to behavior/"
                                   f"{profile.object_type.split('.')[0]}/"))
    compiled, problems = compile_profile(profile)
    out += problems
    out += _check_thresholds(profile)
    out += _check_state_machine(profile)
    out += _check_commands(profile)
    out += _check_scenarios_static(profile)
    # Naming problems that do not change behavior (the system prefix) still let it run.
    if any(f.blocking and f.rule not in _RUNNABLE_DESPITE for f in out):
        compiled.ok = False
    if not compiled.ok:
        if profile.scenarios and run:
            out.append(profile.finding("behavior.scenario.not_run", "error", "scenarios",
                                       f"{len(profile.scenarios)} scenario(s) not run: the profile has errors",
                                       "fix the other findings of this profile first"))
        return report
    initial = _check_initial(compiled)
    out += initial
    if initial or not run:
        return report
    report.eval_ms = _measure_eval_ms(compiled)
    if report.eval_ms > profile.budget.eval_ms:
        out.append(profile.finding("behavior.budget.exceeded", "error", "budget.eval_ms",
                                   f"one evaluation takes {report.eval_ms:.3f} ms (budget {profile.budget.eval_ms:g} ms)",
                                   "simplify the formulas or raise budget.eval_ms"))
    report.results, failed = run_scenarios(compiled)
    out += failed
    for r in report.results:
        if r.duration_ms > profile.budget.scenario_ms:
            out.append(profile.finding("behavior.budget.exceeded", "error", f"scenarios.{r.name}",
                                       f"scenario '{r.name}' took {r.duration_ms:.1f} ms "
                                       f"(budget {profile.budget.scenario_ms:g} ms)",
                                       "shorten the scenario or raise budget.scenario_ms"))
    return report


def _check_names(p: Profile) -> list[Finding]:
    out = []
    sections = (("parameters", p.parameters), ("state", p.state), ("derived", p.derived))
    seen: dict[str, str] = {}
    for section, names in sections:
        for name in names:
            if name in BUILTINS:
                out.append(p.finding("behavior.name.reserved", "error", f"{section}.{name}",
                                     f"'{name}' is a built-in name (simulation time)", "rename it"))
            elif name in seen:
                out.append(p.finding("behavior.name.duplicate", "error", f"{section}.{name}",
                                     f"'{name}' is declared both in {seen[name]} and in {section}",
                                     "every name must be declared once"))
            else:
                seen[name] = section
    for cname, cmd in p.commands.items():
        for pname in cmd.params:
            if pname in seen or pname in BUILTINS:
                out.append(p.finding("behavior.name.duplicate", "error", f"commands.{cname}.params.{pname}",
                                     f"command parameter '{pname}' hides the {seen.get(pname, 'built-in')} "
                                     f"name '{pname}'", "rename the command parameter"))
    return out


def _check_thresholds(p: Profile) -> list[Finding]:
    out, seen = [], set()
    for t in p.thresholds:
        if t.id in seen:
            out.append(p.finding("behavior.threshold.duplicate_id", "error", t.loc,
                                 f"threshold id '{t.id}' is used more than once",
                                 "alerts are identified by threshold id; make each unique"))
        seen.add(t.id)
    return out


def _check_state_machine(p: Profile) -> list[Finding]:
    sm = p.state_machine
    if sm is None:
        return []
    var = p.state.get(sm.variable)
    if var is None or var.domain.type != "enum":
        return [p.finding("behavior.sm.variable", "error", "state_machine.variable",
                          f"state machine variable '{sm.variable}' is not an enum state variable",
                          "declare it under state with type: enum and values: [...]")]
    out = []
    states = var.domain.values
    edges: dict[str, set[str]] = {s: set() for s in states}
    for t in sm.transitions:
        bad = False
        for endpoint, what in [(s, "from") for s in t.sources if s != ANY_STATE] + [(t.to, "to")]:
            if endpoint not in states:
                bad = True
                out.append(p.finding("behavior.sm.unknown_state", "error", f"{t.loc}.{what}",
                                     f"transition {what} '{endpoint}', which is not a value of '{sm.variable}' "
                                     f"{list(states)}", f"use one of {list(states)} or add '{endpoint}'"))
        if t.on is not None and t.on not in p.commands:
            out.append(p.finding("behavior.sm.unknown_command", "error", f"{t.loc}.on",
                                 f"transition on '{t.on}', which is not a declared command",
                                 "declare the command under commands"))
        if bad:
            continue
        sources = states if ANY_STATE in t.sources else t.sources
        for s in sources:
            edges[s].add(t.to)
    seen = reachable(var.initial, edges)
    for s in states:
        if s not in seen:
            out.append(p.finding("behavior.sm.unreachable_state", "error", f"state.{sm.variable}.values",
                                 f"state '{s}' of '{sm.variable}' cannot be reached from the initial state "
                                 f"'{var.initial}'", "add a transition into it, or remove the value"))
    return out


def _check_commands(p: Profile) -> list[Finding]:
    out = []
    sm_var = p.state_machine.variable if p.state_machine else None
    triggers = {t.on for t in p.state_machine.transitions} if p.state_machine else set()
    for name, cmd in p.commands.items():
        if not cmd.effects and name not in triggers:
            out.append(p.finding("behavior.command.no_effect", "warning", f"commands.{name}",
                                 f"command '{name}' has no effects and triggers no transition, so it does nothing",
                                 "add effects, a transition on it, or remove it"))
        for target in cmd.effects:
            loc = f"commands.{name}.effects.{target}"
            if target == sm_var:
                out.append(p.finding("behavior.sm.direct_assignment", "error", loc,
                                     f"command '{name}' assigns the state machine variable '{target}' directly",
                                     "change it with a transition (on: <command>) so guards and timing apply"))
            elif target not in p.state:
                what = "a parameter" if target in p.parameters else "a derived value" if target in p.derived else "undeclared"
                out.append(p.finding("behavior.command.effect_target", "error", loc,
                                     f"command '{name}' assigns '{target}', which is {what}, not a state variable",
                                     "effects may only assign state variables"))
    return out


def _check_scenarios_static(p: Profile) -> list[Finding]:
    out = []
    if not p.scenarios:
        out.append(p.finding("behavior.scenario.missing", "warning", "scenarios",
                             "profile has no scenarios, so its behavior is untested",
                             "add a scenario: commands, time steps and expectations"))
    threshold_ids = {t.id for t in p.thresholds}

    def value_ok(name: str, value: Any, loc: str) -> None:
        var = p.state.get(name)
        if var is None:
            out.append(p.finding("behavior.scenario.invalid", "error", loc, f"'{name}' is not a state variable"))
            return
        why = var.domain.admits(value)
        if why:
            rule = "behavior.enum.unknown_value" if var.domain.type == "enum" else "behavior.scenario.invalid"
            out.append(p.finding(rule, "error", loc, f"value for '{name}': {why}"))

    for sc in p.scenarios:
        for st in sc.steps:
            if st.kind == "command":
                cmd = p.commands.get(st.command)
                if cmd is None:
                    out.append(p.finding("behavior.scenario.invalid", "error", st.loc,
                                         f"scenario '{sc.name}' runs '{st.command}', which is not a declared command"))
                elif not st.expect_refused:
                    for arg in st.args:
                        if arg not in cmd.params:
                            out.append(p.finding("behavior.scenario.invalid", "error", f"{st.loc}.args.{arg}",
                                                 f"'{st.command}' has no parameter '{arg}'"))
            elif st.kind == "set":
                for name, value in st.values.items():
                    value_ok(name, value, f"{st.loc}.set.{name}")
            elif st.kind == "expect":
                for name, value in st.state.items():
                    value_ok(name, value, f"{st.loc}.state.{name}")
                for name in st.derived:
                    if name not in p.derived:
                        out.append(p.finding("behavior.scenario.invalid", "error", f"{st.loc}.derived.{name}",
                                             f"'{name}' is not a derived value"))
                for key in ("alerts", "alerts_include", "alerts_exclude"):
                    for tid in getattr(st, key) or ():
                        if tid not in threshold_ids:
                            out.append(p.finding("behavior.scenario.invalid", "error", f"{st.loc}.{key}",
                                                 f"'{tid}' is not a threshold id", f"known: {sorted(threshold_ids)}"))
    return out


def _check_initial(compiled: CompiledProfile) -> list[Finding]:
    try:
        Simulator(compiled)
    except SimulationError as exc:
        return [compiled.profile.finding("behavior.derived.eval", "error", "derived",
                                         f"evaluation at the initial state fails: {exc}",
                                         "check the formula and the initial values it reads")]
    return []


def _measure_eval_ms(compiled: CompiledProfile) -> float:
    sim = Simulator(compiled)
    samples = []
    for _ in range(BUDGET_SAMPLES):
        start = time.perf_counter()
        sim.recompute()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000
