"""Write a profile model back to the documented YAML format."""

from __future__ import annotations

from typing import Any

import yaml

from .model import Domain, Profile, Step


def _domain(d: Domain) -> dict[str, Any]:
    out: dict[str, Any] = {"type": d.type}
    if d.type == "enum":
        out["values"] = list(d.values)
    elif d.type == "number":
        if d.min is not None:
            out["min"] = d.min
        if d.max is not None:
            out["max"] = d.max
        out["unit"] = d.unit
    return out


def _step(s: Step) -> dict[str, Any]:
    if s.kind == "command":
        out: dict[str, Any] = {"command": s.command}
        if s.args:
            out["args"] = dict(s.args)
        if s.expect_refused:
            out["expect"] = "refused"
            if s.reason:
                out["reason"] = s.reason
        return out
    if s.kind == "advance":
        return {"advance": s.seconds}
    if s.kind == "set":
        return {"set": dict(s.values)}
    exp: dict[str, Any] = {}
    if s.state:
        exp["state"] = dict(s.state)
    if s.derived:
        exp["derived"] = {k: v if isinstance(v, (bool, str)) else {"value": v, "tolerance": t}
                          for k, (v, t) in s.derived.items()}
    for key in ("alerts", "alerts_include", "alerts_exclude"):
        v = getattr(s, key)
        if v:
            exp[key] = list(v)
        elif key == "alerts" and v is not None:
            exp[key] = []
    return {"expect": exp}


def profile_to_data(p: Profile) -> dict[str, Any]:
    data: dict[str, Any] = {"id": p.id, "object_type": p.object_type}
    if p.description:
        data["description"] = p.description
    if p.parameters:
        data["parameters"] = {n: {k: v for k, v in (("value", x.value), ("unit", x.unit),
                                                     ("description", x.description)) if v != "" or k == "unit"}
                              for n, x in p.parameters.items()}
    if p.state:
        data["state"] = {n: {**_domain(v.domain), "initial": v.initial,
                             **({"description": v.description} if v.description else {})}
                         for n, v in p.state.items()}
    if p.derived:
        data["derived"] = {n: {"expr": d.expr, **({"unit": d.unit} if d.unit else {}),
                               **({"description": d.description} if d.description else {})}
                           for n, d in p.derived.items()}
    if p.thresholds:
        data["thresholds"] = [{"id": t.id, "when": t.when, "severity": t.severity, "message": t.message}
                              for t in p.thresholds]
    if p.state_machine:
        trans = []
        for t in p.state_machine.transitions:
            item: dict[str, Any] = {"from": t.sources[0] if len(t.sources) == 1 else list(t.sources), "to": t.to}
            if t.on is not None:
                item["on"] = t.on
            if t.after is not None:
                item["after"] = t.after
            if t.guard:
                item["guard"] = t.guard
            trans.append(item)
        data["state_machine"] = {"variable": p.state_machine.variable, "transitions": trans}
    if p.commands:
        cmds: dict[str, Any] = {}
        for n, c in p.commands.items():
            item = {}
            if c.description:
                item["description"] = c.description
            if c.params:
                item["params"] = {k: {**_domain(d), **({"default": c.defaults[k]} if k in c.defaults else {})}
                                  for k, d in c.params.items()}
            if c.preconditions:
                item["preconditions"] = [{"when": x.when, "message": x.message} for x in c.preconditions]
            if c.effects:
                item["effects"] = dict(c.effects)
            cmds[n] = item
        data["commands"] = cmds
    data["ports"] = [{"name": x.name, "type": x.type} for x in p.ports]
    if p.scenarios:
        data["scenarios"] = [{"name": s.name, **({"description": s.description} if s.description else {}),
                              "steps": [_step(x) for x in s.steps]} for s in p.scenarios]
    return data


def dump_profile(p: Profile) -> str:
    return yaml.safe_dump(profile_to_data(p), sort_keys=False, allow_unicode=True, width=100)
