"""Simulator and scenario runner: commands, guards, timed transitions, alerts, failures
explained; the SPEC §4 worked examples (panel, projector) driven directly."""

from __future__ import annotations

import pytest

from arxconsole.engine.behavior import (Simulator, SimulationError, load_profile, load_profile_text,
                                        run_scenarios)
from arxconsole.engine.behavior.compiled import compile_profile
from arxconsole.resources import resource_path

DEMO = resource_path("demo-workspace", "behavior")


def sim_for(path_or_text) -> Simulator:
    if isinstance(path_or_text, str):
        profile, found = load_profile_text(path_or_text)
    else:
        profile, found = load_profile(path_or_text)
    assert found == []
    compiled, problems = compile_profile(profile)
    assert problems == []
    return Simulator(compiled)


def test_panel_worked_example():
    """Capacity = V x I x phases x efficiency; > 80 % warning; actual > capacity critical."""
    sim = sim_for(DEMO / "electrical" / "panel_board.yaml")
    p = sim.c.profile.parameters
    capacity = p["voltage"].value * p["bus_rating"].value * p["phases"].value * p["efficiency"].value
    assert sim.env["power_capacity"] == pytest.approx(capacity)
    assert sim.alerts == {}
    # Just below and just above 80 % utilization.
    amps_at_80 = 0.8 * capacity / (p["voltage"].value * p["phases"].value)
    sim.set_state({"load_current": amps_at_80 - 0.1})
    assert sim.env["utilization_pct"] < 80 and sim.alerts == {}
    sim.set_state({"load_current": amps_at_80 + 0.1})
    assert sim.alerts == {"utilization_high": "warning"}
    # Actual power above capacity: critical.
    amps_at_100 = capacity / (p["voltage"].value * p["phases"].value)
    sim.set_state({"load_current": amps_at_100 + 0.1})
    assert sim.alerts == {"utilization_high": "warning", "overload": "critical"}
    assert sim.env["available_capacity"] < 0
    kinds = [e.kind for e in sim.events]
    assert kinds.count("alert_raised") == 2


def test_projector_worked_example():
    """off -> on -> cooling -> off; power-on refused at >= 90 % lamp life; lamp bands."""
    sim = sim_for(DEMO / "audiovisual" / "projector.yaml")
    rated = sim.c.profile.parameters["lamp_rated_hours"].value
    assert sim.command("power_on") == (True, "")
    assert sim.state["mode"] == "on"
    ok, reason = sim.command("power_on")
    assert not ok and "while mode is 'on'" in reason
    assert sim.command("power_off")[0]
    assert sim.state["mode"] == "cooling"
    sim.advance(89.5)
    assert sim.state["mode"] == "cooling"
    sim.advance(0.5)
    assert sim.state["mode"] == "off" and sim.time == pytest.approx(90.0)
    for pct, status, alerts in [(79.9, "good", {}), (80, "warning", {"lamp_warning": "warning"}),
                                (89.9, "warning", {"lamp_warning": "warning"}),
                                (90, "replace", {"lamp_replace": "critical"})]:
        sim.set_state({"lamp_hours": rated * pct / 100})
        assert sim.env["lamp_status"] == status, pct
        assert sim.alerts == alerts, pct
    ok, reason = sim.command("power_on")
    assert not ok and "guard is false" in reason and "lamp_life_pct < 90" in reason
    assert sim.state["mode"] == "off"
    sim.set_state({"lamp_hours": rated * 0.899})
    assert sim.command("power_on")[0]


def test_command_refusals_leave_state_untouched():
    sim = sim_for(DEMO / "audiovisual" / "display.yaml")
    before = dict(sim.env)
    for name, args, reason in [
        ("set_brightness", {"level": 50}, "only when powered on"),      # precondition
        ("power_off", {}, "not possible while mode is 'standby'"),       # no transition from here
        ("nope", {}, "unknown command"),
        ("set_brightness", {}, "needs the argument 'level'"),
        ("set_brightness", {"level": 50, "x": 1}, "has no parameter 'x'"),
        ("select_input", {"source": "vga"}, "is not one of"),
    ]:
        ok, why = sim.command(name, args)
        assert not ok and reason in why, (name, why)
    assert {k: v for k, v in sim.env.items()} == before
    assert [e.kind for e in sim.events].count("refused") == 6


def test_effects_apply_together_and_out_of_domain_effect_refuses():
    text = """\
id: swap
object_type: t.swap
state:
  a: {type: number, min: 0, max: 10, unit: "1", initial: 1}
  b: {type: number, min: 0, max: 10, unit: "1", initial: 2}
commands:
  swap: {effects: {a: b, b: a}}
  grow: {effects: {a: "a * 100"}}
"""
    sim = sim_for(text)
    assert sim.command("swap")[0]
    assert (sim.env["a"], sim.env["b"]) == (2, 1)        # simultaneous, not sequential
    ok, reason = sim.command("grow")
    assert not ok and "above the maximum 10" in reason
    assert sim.env["a"] == 2


def test_timed_transitions_chain_and_loop_guard():
    text = """\
id: seq
object_type: t.seq
state:
  s: {type: enum, values: [a, b, c], initial: a}
state_machine:
  variable: s
  transitions:
    - {from: a, to: b, after: 5}
    - {from: b, to: c, after: 3}
"""
    sim = sim_for(text)
    sim.advance(100)
    assert sim.state["s"] == "c" and sim.time == 100
    assert [e.detail for e in sim.events if e.kind == "transition"] == ["a -> b after 5 s", "b -> c after 3 s"]
    assert [e.time for e in sim.events if e.kind == "transition"] == [5, 8]
    looping = text.replace("{from: b, to: c, after: 3}", "{from: b, to: a, after: 0}").replace("after: 5", "after: 0")
    profile, _ = load_profile_text(looping)
    with pytest.raises(SimulationError, match="timed transitions"):
        Simulator(compile_profile(profile)[0])


def test_guarded_timed_transition_fires_when_guard_becomes_true():
    sim = sim_for(DEMO / "audiovisual" / "display.yaml")
    sim.command("power_on")
    sim.set_state({"signal_present": False})
    assert sim.state["mode"] == "no_signal"           # after: 0 + guard = on a condition
    sim.advance(600)
    assert sim.state["mode"] == "standby"
    assert sim.time_in_state == 0


def test_builtin_time_names():
    text = """\
id: clock
object_type: t.clock
state:
  s: {type: enum, values: [idle, busy], initial: idle}
derived:
  elapsed: "time"
  in_state: "time_in_state"
thresholds:
  - {id: long_busy, when: "s == 'busy' and time_in_state > 60", severity: warning, message: busy too long}
state_machine:
  variable: s
  transitions:
    - {from: idle, to: busy, on: go}
commands:
  go: {}
"""
    sim = sim_for(text)
    sim.advance(10)
    sim.command("go")
    sim.advance(61)
    assert sim.env["elapsed"] == 71 and sim.env["in_state"] == 61
    assert sim.alerts == {"long_busy": "warning"}


def test_failed_scenario_explains_expected_vs_actual():
    text = (DEMO / "electrical" / "panel_board.yaml").read_text(encoding="utf-8")
    text = text.replace("alerts: [utilization_high]}", "alerts: []}", 1)
    text = text.replace("utilization_pct: {value: 45.35, tolerance: 0.01}", "utilization_pct: {value: 50, tolerance: 0.01}")
    text = text.replace("expect: {state: {main_breaker: open}", "expect: {state: {main_breaker: tripped}")
    profile, found = load_profile_text(text, "panel_board.yaml")
    results, findings = run_scenarios(profile)
    by_name = {r.name: r for r in results}
    bands = by_name["utilization_bands"]
    assert not bands.passed
    msgs = [f.message for f in bands.failures]
    assert any("expected derived utilization_pct = 50 ± 0.01, got 45.3515" in m for m in msgs), msgs
    assert any("expected active alerts [], got utilization_high (warning)" in m for m in msgs), msgs
    f = next(x for x in bands.failures if x.loc.endswith("utilization_pct"))
    assert f.expected == 50 and f.actual == pytest.approx(45.3515, abs=1e-3)
    trip = by_name["trip_and_reset"]
    assert [(x.expected, x.actual) for x in trip.failures] == [("tripped", "open")]
    assert "expected state main_breaker = 'tripped', got 'open'" in trip.failures[0].message
    assert len(findings) == 3
    assert all(x.rule == "behavior.scenario.failed" and x.message.startswith("panel_board.yaml") for x in findings)
    assert findings[0].data["scenario"] == "utilization_bands"


def test_unexpected_acceptance_and_wrong_reason_fail():
    text = (DEMO / "audiovisual" / "projector.yaml").read_text(encoding="utf-8")
    wrong_reason = text.replace('reason: "while mode is \'cooling\'"', 'reason: "lamp too hot"')
    profile, _ = load_profile_text(wrong_reason)
    results, findings = run_scenarios(profile)
    assert any("refused for another reason" in f.message and "lamp too hot" in f.message for f in findings)
    accepted = text.replace("      - command: select_input\n        args: {source: hdbaset}\n",
                            "      - command: select_input\n        args: {source: hdbaset}\n        expect: refused\n")
    assert accepted != text
    profile, _ = load_profile_text(accepted)
    results, findings = run_scenarios(profile)
    assert any("expected select_input(source='hdbaset') to be refused, but it was accepted" in f.message
               for f in findings), [f.message for f in findings]


def test_runtime_error_stops_the_scenario_with_location():
    text = """\
id: div
object_type: t.div
state:
  x: {type: number, min: 0, max: 10, unit: "1", initial: 1}
derived:
  inv: "1 / x"
scenarios:
  - name: zero
    steps:
      - set: {x: 0}
      - expect: {derived: {inv: 1}}
"""
    profile, _ = load_profile_text(text)
    results, findings = run_scenarios(profile)
    assert not results[0].passed and results[0].steps_run == 1
    assert findings[0].location == "scenarios.zero.steps[0]"
    assert "division by zero at column 3" in findings[0].message


def test_scenario_results_serialise():
    profile, _ = load_profile(DEMO / "fire_alarm" / "smoke_detector.yaml")
    results, findings = run_scenarios(profile)
    assert findings == [] and all(r.passed for r in results)
    d = results[0].to_dict()
    assert d["passed"] is True and d["steps_run"] > 5 and d["failures"] == []
