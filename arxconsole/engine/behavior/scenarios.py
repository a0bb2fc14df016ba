"""Run a profile's scenarios and explain every failed expectation (expected vs actual)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from .compiled import CompiledProfile, compile_profile
from .model import Profile, Scenario, Step
from .simulator import SimulationError, Simulator


@dataclass
class Failure:
    loc: str
    message: str
    expected: Any = None
    actual: Any = None


@dataclass
class ScenarioResult:
    name: str
    passed: bool
    failures: list[Failure] = field(default_factory=list)
    steps_run: int = 0
    duration_ms: float = 0.0
    max_eval_ms: float = 0.0
    events: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "steps_run": self.steps_run,
                "duration_ms": round(self.duration_ms, 3), "max_eval_ms": round(self.max_eval_ms, 4),
                "failures": [{"location": f.loc, "message": f.message, "expected": f.expected,
                              "actual": f.actual} for f in self.failures]}


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool) or isinstance(expected, str):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[" + ", ".join(sorted(map(str, v))) + "]"
    return repr(v) if isinstance(v, str) else str(v)


def run_scenario(compiled: CompiledProfile, scenario: Scenario) -> ScenarioResult:
    result = ScenarioResult(scenario.name, passed=True)
    start = time.perf_counter()
    sim = None
    try:
        sim = Simulator(compiled)
        for step in scenario.steps:
            result.steps_run += 1
            _run_step(sim, step, result.failures)
    except SimulationError as exc:
        where = scenario.steps[result.steps_run - 1].loc if result.steps_run else scenario.loc
        result.failures.append(Failure(where, f"evaluation failed: {exc}"))
    result.duration_ms = (time.perf_counter() - start) * 1000
    if sim is not None:
        result.max_eval_ms = sim.max_eval_s * 1000
        result.events = sim.events
    result.passed = not result.failures
    return result


def _run_step(sim: Simulator, step: Step, failures: list[Failure]) -> None:
    if step.kind == "advance":
        sim.advance(step.seconds)
    elif step.kind == "set":
        sim.set_state(step.values)
    elif step.kind == "command":
        ok, reason = sim.command(step.command, step.args)
        call = f"{step.command}({', '.join(f'{k}={_fmt(v)}' for k, v in step.args.items())})"
        if step.expect_refused and ok:
            failures.append(Failure(step.loc, f"expected {call} to be refused, but it was accepted",
                                    "refused", "accepted"))
        elif not step.expect_refused and not ok:
            failures.append(Failure(step.loc, f"expected {call} to be accepted, but it was refused: {reason}",
                                    "accepted", f"refused: {reason}"))
        elif step.expect_refused and step.reason and step.reason.lower() not in reason.lower():
            failures.append(Failure(step.loc, f"{call} was refused for another reason: expected a reason "
                                    f"mentioning '{step.reason}', got '{reason}'", step.reason, reason))
    elif step.kind == "expect":
        _check_expectations(sim, step, failures)


def _check_expectations(sim: Simulator, step: Step, failures: list[Failure]) -> None:
    at = f"at t={sim.time:g} s"
    for name, want in step.state.items():
        got = sim.env.get(name)
        if not _same(want, got):
            failures.append(Failure(f"{step.loc}.state.{name}",
                                    f"{at}: expected state {name} = {_fmt(want)}, got {_fmt(got)}", want, got))
    for name, (want, tol) in step.derived.items():
        got = sim.env.get(name)
        if isinstance(want, (bool, str)):
            if not _same(want, got):
                failures.append(Failure(f"{step.loc}.derived.{name}",
                                        f"{at}: expected derived {name} = {_fmt(want)}, got {_fmt(got)}", want, got))
            continue
        if isinstance(got, bool) or not isinstance(got, (int, float)) or abs(got - want) > tol:
            failures.append(Failure(f"{step.loc}.derived.{name}",
                                    f"{at}: expected derived {name} = {_fmt(want)} ± {tol:g}, got {_fmt(got)}",
                                    want, got))
    active = set(sim.alerts)
    detail = ", ".join(f"{k} ({v})" for k, v in sorted(sim.alerts.items())) or "none"
    if step.alerts is not None and set(step.alerts) != active:
        failures.append(Failure(f"{step.loc}.alerts",
                                f"{at}: expected active alerts {_fmt(step.alerts)}, got {detail}",
                                sorted(step.alerts), sorted(active)))
    missing = [a for a in step.alerts_include if a not in active]
    if missing:
        failures.append(Failure(f"{step.loc}.alerts_include",
                                f"{at}: expected alert(s) {_fmt(missing)} to be active; active: {detail}",
                                missing, sorted(active)))
    present = [a for a in step.alerts_exclude if a in active]
    if present:
        failures.append(Failure(f"{step.loc}.alerts_exclude",
                                f"{at}: expected alert(s) {_fmt(present)} not to be active; active: {detail}",
                                [], present))


def run_scenarios(profile: Profile | CompiledProfile) -> tuple[list[ScenarioResult], list[Finding]]:
    """Run every scenario.  Findings: one ``behavior.scenario.failed`` per failed
    expectation (its message says expected vs actual).  A profile whose expressions do
    not compile is not run (``behavior.scenario.not_run``)."""
    if isinstance(profile, CompiledProfile):
        compiled = profile
    else:
        compiled, problems = compile_profile(profile)
    prof = compiled.profile
    if not compiled.ok:
        return [], [prof.finding("behavior.scenario.not_run", "error", "scenarios",
                                 f"{len(prof.scenarios)} scenario(s) not run: the profile has expression errors",
                                 "fix the other findings of this profile first")]
    results, findings = [], []
    for sc in prof.scenarios:
        res = run_scenario(compiled, sc)
        results.append(res)
        for f in res.failures:
            findings.append(prof.finding("behavior.scenario.failed", "error", f.loc,
                                         f"scenario '{sc.name}': {f.message}",
                                         "fix the profile or the scenario's expectation",
                                         scenario=sc.name, expected=f.expected, actual=f.actual))
    return results, findings
