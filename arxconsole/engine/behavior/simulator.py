"""Run a compiled profile: state, commands, timed transitions, derived values, alerts.

Semantics (also in the package docstring):
- After every change, derived values are recomputed in dependency order, then every
  threshold is evaluated; the active alerts are the thresholds whose condition is true.
- A command is refused (state untouched) when: it is unknown; an argument is unknown,
  missing or outside its domain; a precondition is false; the state machine has
  transitions on it but none from the current state, or all their guards are false;
  or an effect would put a variable outside its domain.  Otherwise the first matching
  transition fires, then the effects are applied together (all computed first).
- A timed transition (``after: s``) is *due* once the machine has been ``s`` seconds in
  its source state; it fires at the first moment it is due and its guard is true: at
  the exact due time while ``advance`` moves time on, or later, right after the step
  (``set``, command) that makes the guard true.  ``after: 0`` with a guard is therefore
  a condition-triggered transition (a detector going to alarm when smoke passes the
  threshold).  Among several, file order decides.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass
from typing import Any

from .compiled import CompiledProfile
from .model import ANY_STATE
from .tokens import ExprError

MAX_EVENTS_PER_ADVANCE = 10_000   # timed transitions in one advance (a 0-length loop guard)


class SimulationError(Exception):
    """An expression failed at run time (division by zero, wrong type...)."""


@dataclass
class Event:
    time: float
    kind: str          # command, refused, transition, alert_raised, alert_cleared
    detail: str


class Simulator:
    def __init__(self, compiled: CompiledProfile):
        if not compiled.ok:
            raise SimulationError("the profile has errors; fix them before simulating")
        self.c = compiled
        p = compiled.profile
        self.env: dict[str, Any] = {n: prm.value for n, prm in p.parameters.items()}
        self.env.update({n: v.initial for n, v in p.state.items()})
        self.time = 0.0
        self.time_in_state = 0.0
        self.alerts: dict[str, str] = {}          # id -> severity
        self.events: list[Event] = []
        self.max_eval_s = 0.0
        self.recompute()
        self._fire_armed()

    # ---- evaluation ----------------------------------------------------------------------
    def _eval(self, expr, env, what: str) -> Any:
        try:
            return expr.evaluate(env)
        except ExprError as exc:
            raise SimulationError(f"{what} '{expr.source}': {exc}") from None

    def recompute(self) -> None:
        start = _time.perf_counter()
        env = self.env
        env["time"], env["time_in_state"] = self.time, self.time_in_state
        for name, expr in self.c.derived_order:
            value = self._eval(expr, env, f"derived '{name}'")
            if isinstance(value, float) and not math.isfinite(value):
                raise SimulationError(f"derived '{name}' '{expr.source}' is not a finite number ({value})")
            env[name] = value
        active: dict[str, str] = {}
        for tid, severity, _message, when in self.c.thresholds:
            hit = self._eval(when, env, f"threshold '{tid}'")
            if not isinstance(hit, bool):
                raise SimulationError(f"threshold '{tid}' '{when.source}' gave {hit!r}, not true/false")
            if hit:
                active[tid] = severity
        for tid in active.keys() - self.alerts.keys():
            self.events.append(Event(self.time, "alert_raised", f"{tid} ({active[tid]})"))
        for tid in self.alerts.keys() - active.keys():
            self.events.append(Event(self.time, "alert_cleared", tid))
        self.alerts = active
        self.max_eval_s = max(self.max_eval_s, _time.perf_counter() - start)

    @property
    def state(self) -> dict[str, Any]:
        return {n: self.env[n] for n in self.c.profile.state}

    @property
    def derived(self) -> dict[str, Any]:
        return {n: self.env.get(n) for n in self.c.profile.derived}

    # ---- actions -------------------------------------------------------------------------
    def set_state(self, values: dict[str, Any]) -> None:
        p = self.c.profile
        for name, value in values.items():
            var = p.state.get(name)
            if var is None:
                raise SimulationError(f"'{name}' is not a state variable")
            why = var.domain.admits(value)
            if why:
                raise SimulationError(f"cannot set '{name}': {why}")
        for name, value in values.items():
            if name == self.c.sm_variable and value != self.env[name]:
                self.time_in_state = 0.0
            self.env[name] = value
        self.recompute()
        self._fire_armed()

    def command(self, name: str, args: dict[str, Any] | None = None) -> tuple[bool, str]:
        """Run a command; returns (accepted, reason-if-refused)."""
        ok, reason = self._try_command(name, dict(args or {}))
        self.events.append(Event(self.time, "command" if ok else "refused",
                                 name if ok else f"{name}: {reason}"))
        return ok, reason

    def _try_command(self, name: str, args: dict[str, Any]) -> tuple[bool, str]:
        p = self.c.profile
        cmd = p.commands.get(name)
        if cmd is None:
            return False, f"unknown command '{name}'"
        for arg in args:
            if arg not in cmd.params:
                return False, f"'{name}' has no parameter '{arg}'"
        for pname, dom in cmd.params.items():
            if pname not in args:
                if pname not in cmd.defaults:
                    return False, f"'{name}' needs the argument '{pname}'"
                args[pname] = cmd.defaults[pname]
            why = dom.admits(args[pname])
            if why:
                return False, f"argument '{pname}': {why}"
        env = dict(self.env)
        env.update(args)
        compiled = self.c.commands[name]
        for expr, message in compiled.preconditions:
            if self._eval(expr, env, f"precondition of '{name}'") is not True:
                return False, message
        target_state = None
        var = self.c.sm_variable
        on_this = [t for t in self.c.transitions if t.on == name]
        if on_this and var:
            current = self.env[var]
            from_here = [t for t in on_this if current in t.sources or ANY_STATE in t.sources]
            if not from_here:
                return False, f"'{name}' is not possible while {var} is '{current}'"
            for t in from_here:
                if t.guard is None or self._eval(t.guard, env, f"guard of {t.loc}") is True:
                    target_state = t.to
                    break
            else:
                guards = "; ".join(t.guard.source for t in from_here if t.guard)
                return False, f"'{name}' refused in '{current}': guard is false ({guards})"
        updates: dict[str, Any] = {}
        for target, expr in compiled.effects:
            value = self._eval(expr, env, f"effect of '{name}' on '{target}'")
            why = p.state[target].domain.admits(value)
            if why:
                return False, f"effect on '{target}': {why}"
            updates[target] = value
        if target_state is not None and target_state != self.env[var]:
            self.events.append(Event(self.time, "transition", f"{self.env[var]} -> {target_state} on {name}"))
            self.env[var] = target_state
            self.time_in_state = 0.0
        self.env.update(updates)
        self.recompute()
        self._fire_armed()
        return True, ""

    def _fire_armed(self) -> None:
        """Fire timed transitions that are due (time in state >= after) and whose guard
        is true now; repeat, since a new state may have its own due transitions."""
        var = self.c.sm_variable
        if not var:
            return
        for _ in range(MAX_EVENTS_PER_ADVANCE):
            current = self.env[var]
            for t in self.c.transitions:
                if (t.after is not None and (current in t.sources or ANY_STATE in t.sources)
                        and t.after <= self.time_in_state + 1e-9
                        and (t.guard is None or self._eval(t.guard, self.env, f"guard of {t.loc}") is True)):
                    self.events.append(Event(self.time, "transition", f"{current} -> {t.to} after {t.after:g} s"))
                    self.env[var] = t.to
                    self.time_in_state = 0.0
                    self.recompute()
                    break
            else:
                return
        raise SimulationError(f"more than {MAX_EVENTS_PER_ADVANCE} timed transitions at t={self.time:g} s "
                              "(a loop of timed transitions whose guards stay true?)")

    def advance(self, seconds: float) -> None:
        remaining = float(seconds)
        var = self.c.sm_variable
        timed = [t for t in self.c.transitions if t.after is not None]
        self._fire_armed()
        for _ in range(MAX_EVENTS_PER_ADVANCE):
            if not var or not timed:
                break
            current = self.env[var]
            waits = [t.after - self.time_in_state for t in timed
                     if (current in t.sources or ANY_STATE in t.sources)
                     and 1e-9 < t.after - self.time_in_state <= remaining + 1e-9]
            if not waits:
                break
            step = min(waits)
            self.time += step
            self.time_in_state += step
            remaining = max(0.0, remaining - step)
            self.recompute()
            self._fire_armed()
        else:
            raise SimulationError(f"more than {MAX_EVENTS_PER_ADVANCE} timed transitions in one advance "
                                  f"of {seconds:g} s (a loop of timed transitions?)")
        self.time += remaining
        self.time_in_state += remaining
        self.recompute()
        self._fire_armed()
