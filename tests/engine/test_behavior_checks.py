"""Profile loading and checks: each with a passing and a failing profile."""

from __future__ import annotations

import textwrap

import pytest

from arxconsole.engine.behavior import check_profile, load_profile, load_profile_text, profile_ports
from arxconsole.engine.findings import Severity

GOOD = """\
id: lamp
object_type: electrical.lamp
description: a lamp
parameters:
  rated_power: {value: 60, unit: W}
state:
  mode: {type: enum, values: [off, on, fault], initial: off}
  level: {type: number, min: 0, max: 100, unit: "%", initial: 100}
derived:
  power: {expr: "rated_power * level / 100 if mode == 'on' else 0", unit: W}
  power_kw: "power / 1000"
thresholds:
  - {id: full_power, when: "power >= rated_power", severity: info, message: full power}
state_machine:
  variable: mode
  transitions:
    - {from: off, to: on, on: switch_on}
    - {from: on, to: off, on: switch_off}
    - {from: "*", to: fault, on: fail}
    - {from: fault, to: off, after: 10}
commands:
  switch_on: {}
  switch_off: {}
  fail: {}
  dim:
    params: {to: {type: number, min: 0, max: 100, unit: "%"}}
    preconditions: [{when: "mode == 'on'", message: "dim only when on"}]
    effects: {level: to}
ports:
  - {name: power, type: power}
scenarios:
  - name: basic
    steps:
      - command: switch_on
      - expect: {derived: {power: 60, power_kw: 0.06}, alerts: [full_power]}
      - command: dim
        args: {to: 50}
      - expect: {derived: {power: 30}, alerts: []}
"""


def findings_for(text: str, run: bool = True):
    profile, found = load_profile_text(text, "behavior/electrical/lamp.yaml")
    if profile is not None:
        found = found + check_profile(profile, run=run, system="electrical")
    return found


def rules(found) -> set[str]:
    return {f.rule for f in found}


def test_good_profile_is_clean():
    assert findings_for(GOOD) == []


def mutate(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


# (description, replacement old -> new, expected rule, text expected in the message)
CASES = [
    ("expression syntax", ('"power / 1000"', '"power / "'), "behavior.expr.syntax", "unexpected end of expression at column 9"),
    ("undeclared name", ('"power / 1000"', '"powr / 1000"'), "behavior.name.undeclared", "unknown name 'powr' at column 1"),
    ("unknown function", ('"power / 1000"', '"kw(power)"'), "behavior.expr.function", "unknown function 'kw'"),
    ("expression limit", ('"power / 1000"', '"' + "+".join(["power"] * 300) + '"'), "behavior.expr.limit",
     "nested too deeply"),
    ("enum literal not in values", ("mode == 'on' else 0", "mode == 'onn' else 0"), "behavior.enum.unknown_value", "'onn'"),
    ("enum initial not in values", ("initial: off}", "initial: standby}"), "behavior.enum.unknown_value", "'standby' is not one of"),
    ("sm endpoint undeclared", ("{from: on, to: off, on: switch_off}", "{from: on, to: of, on: switch_off}"),
     "behavior.sm.unknown_state", "transition to 'of'"),
    ("sm command undeclared", ("on: switch_off}", "on: turn_off}"), "behavior.sm.unknown_command", "'turn_off'"),
    ("sm variable not enum", ("variable: mode", "variable: level"), "behavior.sm.variable", "'level'"),
    ("threshold duplicate id", ("  - {id: full_power,", "  - {id: x, when: 'true', severity: info, message: m}\n  - {id: x,"),
     "behavior.threshold.duplicate_id", "'x'"),
    ("threshold severity", ("severity: info, message: full power", "severity: fatal, message: full power"),
     "behavior.threshold.severity", "'fatal'"),
    ("duplicate name", ("  power_kw: \"power / 1000\"", "  power_kw: \"power / 1000\"\n  level: \"1\""),
     "behavior.name.duplicate", "'level' is declared both in state and in derived"),
    ("reserved name", ("  power_kw:", "  sqrt:"), "behavior.name.reserved", "'sqrt' is reserved"),
    ("effect on derived", ("effects: {level: to}", "effects: {power: to}"), "behavior.command.effect_target",
     "'power', which is a derived value"),
    ("effect on the sm variable", ("effects: {level: to}", "effects: {mode: \"'on'\"}"),
     "behavior.sm.direct_assignment", "assigns the state machine variable 'mode'"),
    ("command param hides a name", ("params: {to:", "params: {level:"), "behavior.name.duplicate", "hides"),
    ("command does nothing", ("  fail: {}\n", "  fail: {}\n  noop: {}\n"), "behavior.command.no_effect", "'noop'"),
    ("id pattern", ("id: lamp", "id: Lamp-1"), "behavior.id.invalid", "'Lamp-1'"),
    ("object type not dotted", ("object_type: electrical.lamp", "object_type: Lamp"), "behavior.object_type.invalid", "'Lamp'"),
    ("object type other system", ("object_type: electrical.lamp", "object_type: lighting.lamp"),
     "behavior.object_type.system_mismatch", "not in system 'electrical'"),
    ("initial out of range", ("unit: \"%\", initial: 100}", "unit: \"%\", initial: 120}"), "behavior.state.initial", "above the maximum 100"),
    ("min above max", ("min: 0, max: 100, unit: \"%\", initial", "min: 100, max: 0, unit: \"%\", initial"),
     "behavior.state.domain", "min 100 greater than max 0"),
    ("missing field", ("object_type: electrical.lamp\n", ""), "behavior.field.missing", "'object_type' is required"),
    ("wrong type", ("parameters:\n  rated_power: {value: 60, unit: W}", "parameters: [1, 2]"), "behavior.field.type",
     "'parameters' must be a mapping, got a list"),
    ("unknown top-level field", ("description: a lamp", "descripton: a lamp"), "behavior.field.unknown", "'descripton'"),
    ("transition needs on or after", ("{from: fault, to: off, after: 10}", "{from: fault, to: off}"), "behavior.sm.transition", "exactly one"),
    ("port duplicate", ("  - {name: power, type: power}", "  - {name: power, type: power}\n  - {name: power, type: ground}"),
     "behavior.port.duplicate", "'power' is listed twice"),
    ("scenario unknown command", ("      - command: switch_on", "      - command: switch_onn"), "behavior.scenario.invalid", "'switch_onn'"),
    ("scenario unknown alert", ("alerts: [full_power]", "alerts: [full]"), "behavior.scenario.invalid", "'full' is not a threshold id"),
    ("scenario expects unknown derived", ("derived: {power: 30}", "derived: {watts: 30}"), "behavior.scenario.invalid", "'watts'"),
    ("scenario sets enum to unknown value", ("      - command: switch_on", "      - set: {mode: dimmed}"),
     "behavior.enum.unknown_value", "'dimmed' is not one of"),
    ("scenario failed", ("derived: {power: 30}", "derived: {power: 31}"), "behavior.scenario.failed",
     "expected derived power = 31 ± 1e-09, got 30"),
    ("initial evaluation fails", ("power_kw: \"power / 1000\"", "power_kw: \"power / (level - 100)\""),
     "behavior.derived.eval", "division by zero"),
    ("eval budget exceeded", ("ports:", "budget: {eval_ms: 0.0000001}\nports:"), "behavior.budget.exceeded", "budget"),
    ("scenario budget exceeded", ("ports:", "budget: {scenario_ms: 0.0000001}\nports:"), "behavior.budget.exceeded",
     "scenario 'basic' took"),
]


@pytest.mark.parametrize("what, change, rule, text", CASES, ids=[c[0] for c in CASES])
def test_each_check_fails_the_broken_profile(what, change, rule, text):
    found = findings_for(mutate(*change))
    hits = [f for f in found if f.rule == rule]
    assert hits, f"{what}: expected {rule}, got {[str(f) for f in found]}"
    assert any(text in f.message for f in hits), [f.message for f in hits]
    for f in hits:
        assert f.message.startswith("behavior/electrical/lamp.yaml"), f.message   # names the file
        assert f.file == "behavior/electrical/lamp.yaml"
        assert f.hint


def test_derived_cycle_reports_the_path():
    text = mutate('  power_kw: "power / 1000"',
                  '  power_kw: "power / 1000"\n  a: "b + 1"\n  b: "c * 2"\n  c: "a - power_kw"')
    found = findings_for(text)
    cyc = [f for f in found if f.rule == "behavior.derived.cycle"]
    assert len(cyc) == 1
    assert "a -> b -> c -> a" in cyc[0].message
    assert cyc[0].data["cycle"] == ["a", "b", "c", "a"]
    # A self-reference is a cycle too.
    found = findings_for(mutate('"power / 1000"', '"power_kw + 1"'))
    assert any(f.rule == "behavior.derived.cycle" and "power_kw -> power_kw" in f.message for f in found)


def test_derived_values_evaluate_in_dependency_order_whatever_the_file_order():
    from arxconsole.engine.behavior.compiled import compile_profile

    text = mutate('  power: {expr: "rated_power * level / 100 if mode == \'on\' else 0", unit: W}\n  power_kw: "power / 1000"',
                  '  z_kw: "y_w / 1000"\n  y_w: "x_pct * rated_power / 100"\n  x_pct: "level"\n'
                  '  power: {expr: "rated_power * level / 100 if mode == \'on\' else 0", unit: W}\n  power_kw: "power / 1000"')
    profile, found = load_profile_text(text)
    compiled, problems = compile_profile(profile)
    order = [n for n, _ in compiled.derived_order]
    assert order.index("x_pct") < order.index("y_w") < order.index("z_kw")
    assert order.index("power") < order.index("power_kw")
    assert problems == []


def test_unreachable_state():
    text = mutate("values: [off, on, fault]", "values: [off, on, fault, service]")
    found = findings_for(text)
    hits = [f for f in found if f.rule == "behavior.sm.unreachable_state"]
    assert len(hits) == 1 and "'service'" in hits[0].message and "initial state 'off'" in hits[0].message
    # Reachable through a wildcard source: no finding.
    text = text.replace("    - {from: fault, to: off, after: 10}",
                        "    - {from: fault, to: off, after: 10}\n    - {from: fault, to: service, on: fail}")
    assert not [f for f in findings_for(text) if f.rule == "behavior.sm.unreachable_state"]


def test_state_names_on_off_stay_names():
    # YAML 1.1 would read on/off/yes/no as booleans; the profile loader must not.
    profile, found = load_profile_text(GOOD)
    assert profile.state["mode"].domain.values == ("off", "on", "fault")
    assert profile.state_machine.transitions[0].on == "switch_on"
    assert profile.state_machine.transitions[0].sources == ("off",)


@pytest.mark.parametrize("text, rule", [
    ("id: [unclosed\n", "behavior.yaml.syntax"),
    ("id: x\n  bad indent: 1\n", "behavior.yaml.syntax"),
    ("!!python/object/apply:os.system ['echo pwned']\n", "behavior.yaml.unsafe_tag"),
    ("id: !!python/name:os.system x\n", "behavior.yaml.unsafe_tag"),
    ("- just\n- a list\n", "behavior.yaml.not_mapping"),
    ("", "behavior.yaml.not_mapping"),
    ("just text\n", "behavior.yaml.not_mapping"),
])
def test_bad_yaml_is_a_finding_not_a_traceback(text, rule):
    profile, found = load_profile_text(text, "behavior/x/bad.yaml")
    assert profile is None
    assert [f.rule for f in found] == [rule]
    assert found[0].severity is Severity.ERROR
    assert found[0].message.startswith("behavior/x/bad.yaml")


def test_garbage_of_every_type_never_raises():
    junk_values = [None, 1, "x", [], {}, [1, "a", None], {"a": None}, True, 3.5]
    keys = ["parameters", "state", "derived", "thresholds", "state_machine", "commands", "ports", "scenarios", "budget"]
    for key in keys:
        for junk in junk_values:
            import yaml
            text = yaml.safe_dump({"id": "x", "object_type": "a.x", key: junk})
            profile, found = load_profile_text(text)
            if profile is not None:
                check_profile(profile)


def test_load_profile_from_disk(tmp_path):
    path = tmp_path / "lamp.yaml"
    path.write_text(GOOD, encoding="utf-8")
    profile, found = load_profile(path)
    assert found == [] and profile.id == "lamp"
    assert profile_ports(path) == [{"name": "power", "type": "power"}]
    assert profile_ports(profile) == [{"name": "power", "type": "power"}]
    # id must match the file name
    other = tmp_path / "other.yaml"
    other.write_text(GOOD, encoding="utf-8")
    assert [f.rule for f in load_profile(other)[1]] == ["behavior.id.file_mismatch"]
    # unreadable / not UTF-8 / missing
    (tmp_path / "bin.yaml").write_bytes(b"id: \xff\xfe\n")
    assert load_profile(tmp_path / "bin.yaml")[1][0].rule == "behavior.file.encoding"
    assert load_profile(tmp_path / "missing.yaml")[1][0].rule == "behavior.file.unreadable"
    assert profile_ports(tmp_path / "missing.yaml") == []


def test_scenarios_not_run_when_profile_has_errors():
    found = findings_for(mutate('"power / 1000"', '"powr / 1000"'))
    assert "behavior.scenario.not_run" in rules(found)
    assert "behavior.scenario.failed" not in rules(found)


def test_missing_scenarios_is_a_warning():
    text = GOOD[:GOOD.index("scenarios:")]
    found = findings_for(text)
    assert [(f.rule, f.severity) for f in found] == [("behavior.scenario.missing", Severity.WARNING)]


def test_numeric_unit_missing_is_a_warning():
    found = findings_for(mutate("rated_power: {value: 60, unit: W}", "rated_power: {value: 60}"))
    assert [(f.rule, f.severity) for f in found] == [("behavior.unit.missing", Severity.WARNING)]


def test_guard_and_precondition_scopes():
    # A command parameter is visible in its preconditions/effects, not in thresholds.
    found = findings_for(mutate('when: "power >= rated_power"', 'when: "to >= 1"'))
    assert any(f.rule == "behavior.name.undeclared" and "'to'" in f.message for f in found)
    text = textwrap.dedent(GOOD).replace("{from: off, to: on, on: switch_on}",
                                         "{from: off, to: on, on: switch_on, guard: \"level > 200\"}")
    found = findings_for(text)
    assert any(f.rule == "behavior.scenario.failed" and "refused" in f.message and "guard is false" in f.message
               for f in found)


def test_misspelt_keys_are_reported_not_ignored():
    found = findings_for(mutate("{from: off, to: on, on: switch_on}", "{from: off, to: on, on: switch_on, gaurd: 'false'}"))
    hits = [f for f in found if f.rule == "behavior.field.unknown"]
    assert len(hits) == 1 and "'gaurd'" in hits[0].message
    assert hits[0].location == "state_machine.transitions[0].gaurd" and hits[0].severity is Severity.WARNING
    found = findings_for(mutate("      - command: switch_on\n", "      - command: switch_on\n        arg: {x: 1}\n"))
    assert any(f.rule == "behavior.field.unknown" and "'arg'" in f.message for f in found)
    found = findings_for(mutate("      - command: switch_on\n", "      - {advance: 1, set: {level: 3}}\n      - command: switch_on\n"))
    assert any(f.rule == "behavior.scenario.invalid" and "several actions" in f.message for f in found)


def test_hostile_yaml_is_bounded():
    import time

    # Exponential alias expansion ("billion laughs"): 9**12 strings if anything expanded it.
    laughs = "  a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        laughs += f"  {chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    text = "id: bomb\nobject_type: t.bomb\nextra:\n" + laughs + "state:\n  s: {type: enum, values: *l, initial: x}\n"
    start = time.perf_counter()
    profile, found = load_profile_text(text)
    assert {f.rule for f in found} == {"behavior.field.unknown", "behavior.state.domain"}
    assert time.perf_counter() - start < 2
    # Nesting deep enough to exhaust a recursive parser.
    profile, found = load_profile_text("id: " + "[" * 50_000 + "]" * 50_000)
    assert profile is None and found[0].rule == "behavior.yaml.syntax"


def test_fuzzed_profiles_never_raise():
    """Random line-level damage to the demo profiles: findings, never an exception."""
    import random

    from arxconsole.engine.behavior import check_profile_report
    from arxconsole.resources import resource_path

    texts = [p.read_text(encoding="utf-8") for p in sorted(resource_path("demo-workspace", "behavior").glob("*/*.yaml"))]
    rng = random.Random(20261203)
    damaged = 0
    for _ in range(200):
        lines = rng.choice(texts).splitlines()
        j = rng.randrange(len(lines))
        op = rng.randrange(4)
        if op == 0:
            del lines[j]
        elif op == 1:
            lines[j] = lines[j].replace(rng.choice(["0", "1", "on", "off", "'", ":", "[", "{", "-"]),
                                        rng.choice(["", "x", "-1", "1e999", "true", "'", "]", "null"]), 1)
        elif op == 2:
            lines.insert(j, lines[rng.randrange(len(lines))])
        else:
            lines[j] = " " + lines[j]
        profile, found = load_profile_text("\n".join(lines), "fuzz.yaml")
        if profile is not None:
            found = found + check_profile_report(profile).findings
        damaged += bool(found)
    assert damaged > 100          # most damage is noticed (some edits are harmless)


def test_the_documented_example_is_valid_and_its_scenario_passes():
    import arxconsole.engine.behavior as behavior

    doc = behavior.__doc__
    body = doc[doc.index("this very text)::\n") + len("this very text)::\n"):]
    block = []
    for line in body.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        block.append(line)
    text = textwrap.dedent("\n".join(block))
    profile, found = load_profile_text(text, "projector.yaml")
    assert found == [] and profile.id == "projector"
    assert check_profile(profile, system="audiovisual") == []
    assert len(profile.state_machine.transitions) == 7 and len(profile.scenarios[0].steps) == 10
