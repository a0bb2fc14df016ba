"""Behavior profiles: declarative, safe, simulable (SPEC §4).

A profile describes how one object type behaves, in data: catalogue parameters, state
with closed domains, derived values (formulas), thresholds that raise alerts, a state
machine, commands with preconditions and effects, the ports a symbol must have, and
scenarios that test all of it.  It lives in ``behavior/<system>/<id>.yaml``.

Public API
==========
``load_profile(path) -> (Profile | None, findings)``
    Read and structure-check one file (YAML read safely; malformed YAML, unsafe tags,
    wrong types are findings, never a traceback).  None only when nothing is usable.
``check_profile(profile, run=True, system=None) -> findings``
    Semantic checks (below); with ``run`` the scenarios run and the time budget is
    measured.  ``check_profile_report`` returns the same plus scenario results and the
    measured evaluation time.
``run_scenarios(profile) -> (results, findings)``
    Run every scenario; each ``ScenarioResult`` lists failures with expected vs actual.
``profile_ports(path_or_profile) -> list[{"name", "type"}]``
    The ports a symbol using the profile must have (empty when unreadable).
``check_system_profiles(workspace, system, cancel=None, progress=None) -> SystemReport``
    For the pipeline's ``implement-behavior`` step: load and check every profile of a
    system; ``.findings`` plus ``.stats`` (profiles_checked, scenarios_run,
    scenarios_passed, max_eval_ms) and ``.profiles`` (per file).
``profile_template(object_type, ports, description="", profile_id=None) -> str``
    YAML text of a working starter profile for a new object type; its scenario passes.
``import_arxos_profiles(path) -> (profiles, findings)``
    Convert an Arxos ``core/svg-parser/engine/profiles/*.yaml`` file; every defect found
    on the way is a finding.  ``dump_profile(profile) -> str`` writes a profile as YAML.
``compile_expression(text, declared_names) -> Expression``; ``Expression.evaluate(env)``.

Profile format
==============
A complete, valid example (the test suite loads and checks this very text)::

    id: projector                      # lower-case snake_case, equals the file stem
    object_type: audiovisual.projector # dotted lower-case <system>.<name>[.<variant>]
    description: Lamp projector
    parameters:                        # catalogue values: fixed per product
      lamp_rated_hours: {value: 4000, unit: h, description: Rated lamp life}
      efficiency: {value: 0.95, unit: "1"}       # '1' = dimensionless
    state:                             # what changes while the object runs
      mode: {type: enum, values: [off, warming, on, cooling, fault], initial: off}
      lamp_hours: {type: number, min: 0, max: 10000, unit: h, initial: 0}
      lamp_temperature: {type: number, min: 0, max: 400, unit: degC, initial: 25}
      brightness: {type: number, min: 0, max: 100, unit: "%", initial: 100}
      muted: {type: boolean, initial: false}
    derived:                           # formulas over parameters, state, other derived
      lamp_life_pct: {expr: "lamp_hours / lamp_rated_hours * 100", unit: "%"}
      lamp_status: "'replace' if lamp_life_pct >= 90 else 'good'"   # short form
      power_w: {expr: "320 * efficiency if mode == 'on' else 0.5", unit: W}
    thresholds:                        # an alert is active while `when` is true
      - {id: lamp_replace, when: "lamp_life_pct >= 90", severity: critical,  # info|warning|critical
         message: "Replace the lamp"}
    state_machine:                     # over one enum state variable
      variable: mode
      transitions:
        - {from: off, to: warming, on: power_on, guard: "lamp_life_pct < 90"}  # on a command
        - {from: warming, to: on, after: 30}                                  # timed, seconds
        - {from: [warming, on], to: cooling, on: power_off}                   # several sources
        - {from: cooling, to: off, after: 90}
        - {from: on, to: fault, after: 0, guard: "lamp_temperature > 300"}    # on a condition
        - {from: "*", to: fault, on: report_fault}                            # from any state
        - {from: fault, to: off, on: reset}
    commands:
      power_on: {}
      power_off: {}
      report_fault: {}
      reset: {description: Clear a fault}
      set_brightness:
        params: {level: {type: number, min: 0, max: 100, unit: "%", default: 50}}
        preconditions:                 # all must hold, else the command is refused
          - {when: "mode == 'on'", message: "brightness can be set only when powered on"}
          - "not muted"                # short form; the message names the condition
        effects: {brightness: "level"} # state variable -> expression, applied together
    ports:                             # the symbol validator reads exactly this key
      - {name: power, type: power}
      - {name: video, type: video}
    budget: {eval_ms: 2, scenario_ms: 500}   # optional; these are the defaults
    scenarios:
      - name: power_cycle
        description: optional text
        steps:
          - command: power_on          # must be accepted ...
          - command: power_on
            expect: refused            # ... or refused; `reason:` optionally a substring
            reason: "while mode is 'warming'"
          - advance: 30                # seconds; timed transitions fire on the way
          - command: set_brightness
            args: {level: 70}
          - expect: {state: {mode: on, brightness: 70}, derived: {power_w: 304}}
          - command: power_off
          - advance: 90
          - set: {lamp_hours: 3700}    # put the state somewhere (test set-up)
          - expect:
              state: {mode: off}
              derived: {lamp_life_pct: {value: 92.5, tolerance: 0.01}, power_w: 0.5,
                        lamp_status: replace}   # numbers (default tolerance 1e-9),
                                                # true/false and text compared exactly
              alerts: [lamp_replace]   # exactly these are active (also alerts_include,
                                       # alerts_exclude: lists that must / must not be)
          - command: power_on
            expect: refused
            reason: guard is false

Commands may be named anything (``raise``, ``test``); value names (parameters, state,
derived, command parameters) must not be function names, keywords or the built-ins.
Unknown keys anywhere are reported (``behavior.field.unknown``), so a misspelt
``gaurd:`` is not silently ignored.

YAML note: only ``true``/``false`` are booleans, so ``on``/``off``/``yes``/``no`` are
plain names (state values, the transition key ``on``).

Expressions
-----------
Numbers, 'text' or "text", ``true``/``false`` and declared names; ``+ - * / % **``
(``**`` is right-associative and binds tighter than unary minus: ``-2**2 == -4``);
comparisons ``== != < <= > >=`` (chains: ``0 <= x < 10``); ``and or not``;
conditionals ``a if cond else b`` and ``if(cond, a, b)``; functions ``min max abs
sqrt round floor ceil clamp(x, lo, hi) log(x[, base]) log10 exp pow sin cos``.
``^``, ``.``, ``[ ]``, ``lambda`` and any other Python are refused with the column.
Limits: 2000 characters, 64 levels of nesting, power results up to 1e300.  Built-in
names: ``time`` (s since the scenario started), ``time_in_state`` (s in the current
state-machine state).  Arithmetic on booleans or text, and ``==`` between different
kinds (true == 1), are errors, not coercions.

Semantics
---------
After every step derived values are recomputed in dependency order and thresholds
evaluated; the active alerts are the thresholds whose condition is true.  A command is
refused (state untouched) when an argument is unknown/missing/out of domain, a
precondition is false, the state machine has transitions on the command but none from
the current state or all their guards are false, or an effect would leave a domain.
Otherwise the first matching transition fires, then effects apply.  Effects may not
assign the state machine variable (transitions own it).  A timed transition is due
once the machine has spent ``after`` seconds in its source state, and fires at the first
moment it is due and its guard is true (at the due time while time advances, or right
after the step that makes the guard true); ``after: 0`` plus a guard is a condition-
triggered transition.  The first matching transition in file order wins.

Checks (rule ids)
-----------------
Structure: behavior.yaml.syntax, behavior.yaml.unsafe_tag, behavior.yaml.not_mapping,
behavior.file.unreadable/too_large/encoding, behavior.field.missing/type/unknown,
behavior.id.invalid, behavior.id.file_mismatch, behavior.object_type.invalid,
behavior.object_type.system_mismatch, behavior.unit.missing, behavior.state.domain,
behavior.state.initial, behavior.threshold.severity, behavior.port.duplicate,
behavior.sm.transition, behavior.command.param, behavior.scenario.duplicate/empty.
Semantics: behavior.expr.syntax, behavior.expr.limit, behavior.expr.function,
behavior.expr.type, behavior.name.undeclared, behavior.name.duplicate,
behavior.name.reserved, behavior.name.invalid, behavior.derived.cycle (with the path),
behavior.derived.eval, behavior.enum.unknown_value, behavior.sm.variable,
behavior.sm.unknown_state, behavior.sm.unknown_command, behavior.sm.unreachable_state,
behavior.sm.direct_assignment, behavior.command.effect_target, behavior.command.effect,
behavior.command.no_effect (warning),
behavior.threshold.duplicate_id, behavior.scenario.missing (warning),
behavior.scenario.invalid, behavior.scenario.failed (expected vs actual),
behavior.scenario.not_run, behavior.budget.exceeded; for a whole system also
behavior.id.duplicate and behavior.system.no_profiles.
Arxos import: arxos.input.undeclared (an ``input_variables`` name nothing declares),
arxos.expr.undeclared_name, arxos.expr.caret_power, arxos.expr.if_then_else,
arxos.expr.lookup, arxos.expr.unknown_function, arxos.expr.syntax, arxos.calc.renamed,
arxos.name.duplicate, arxos.variable.unsupported_type/out_of_range/invalid,
arxos.rule.severity, arxos.rule.polarity, arxos.simulation_rules.dropped,
arxos.ports.missing, arxos.scenario.missing, arxos.yaml.*, arxos.file.*, arxos.field.type.

Limits
------
Files up to 1 MB and 64 levels of YAML flow nesting; expressions as above; at most
10,000 timed transitions in one ``advance`` (an oscillating pair of timed transitions
over a very long advance is reported, not run forever); default budgets 2 ms for one
full recomputation (median of 25) and 500 ms per scenario.
"""

from __future__ import annotations

from .checks import ProfileReport, check_profile, check_profile_report
from .expr import Expression, compile_expression
from .loader import load_profile, load_profile_text
from .model import Profile
from .ports import profile_ports
from .scenarios import ScenarioResult, run_scenarios
from .simulator import SimulationError, Simulator
from .system import SystemReport, check_system_profiles
from .template import profile_template
from .tokens import ExprError
from .writer import dump_profile
from .arxos_import import import_arxos_profiles

__all__ = [
    "ExprError", "Expression", "Profile", "ProfileReport", "ScenarioResult", "SimulationError",
    "Simulator", "SystemReport", "check_profile", "check_profile_report", "check_system_profiles",
    "compile_expression", "dump_profile", "import_arxos_profiles", "load_profile", "load_profile_text",
    "profile_ports", "profile_template", "run_scenarios",
]
