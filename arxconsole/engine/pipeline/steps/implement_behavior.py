"""Step 3: validate every behavior profile of the system and run its scenarios (via
engine.behavior); for a new_object run whose profile does not exist, create it from
``profile_template`` with the ports of the object's symbol."""

from __future__ import annotations

import re

from ...behavior import check_system_profiles, profile_template
from ...behavior.checks import check_profile_report
from ...behavior.loader import load_profile_text
from ...findings import Finding
from .. import templates
from ..view import behavior_rel, load_schema, load_symbols, local_name, profile_rel, schema_objects
from .base import Check, StepContext

STEP_ID = "implement-behavior"
CHECKS = ("profile.wellformed", "profile.scenarios", "profile.time_budget")


def ensure_profile(ctx: StepContext) -> None:
    obj = ctx.target.object_type
    if obj is None:
        return
    spec = schema_objects(load_schema(ctx.changes, ctx.system)).get(obj, {})
    pid = spec.get("behavior_profile") or templates.profile_id_for(obj)
    if not isinstance(pid, str) or not re.match(r"^[a-z][a-z0-9_]*$", pid):
        return  # define-schema reports the bad id
    rel = profile_rel(ctx.system, pid)
    if ctx.changes.exists(rel):
        ctx.log("info", f"{rel} exists; validating it", file=rel)
        return
    ports = []
    for s in load_symbols(ctx.changes, ctx.system):
        if isinstance(s.data, dict) and s.data.get("category") == local_name(obj) \
                and isinstance(s.data.get("connections"), dict):
            ports = [{"name": n, "type": (c or {}).get("type") or n} for n, c in s.data["connections"].items()
                     if isinstance(c, dict)]
            break
    text = profile_template(obj, ports or templates.normalise_ports(None))
    # profile_template names the profile after the object type's last segment; the
    # schema may name it differently, and the id must equal the file stem.
    text = re.sub(r"(?m)^id: .*$", f"id: {pid}", text, count=1)
    ctx.changes.write_text(rel, text)
    ctx.log("info", f"created {rel} from the behavior profile template for {obj}", file=rel)


def _group(findings: list[Finding]) -> list[Check]:
    wellformed, scenarios, budget = Check("profile.wellformed"), Check("profile.scenarios"), Check("profile.time_budget")
    for f in findings:
        if f.rule.startswith("behavior.scenario."):
            scenarios.findings.append(f)
        elif f.rule.startswith("behavior.budget."):
            budget.findings.append(f)
        else:
            wellformed.findings.append(f)
    return [wellformed, scenarios, budget]


def run(ctx: StepContext) -> list[Check]:
    ensure_profile(ctx)
    ctx.cancel.check()
    report = check_system_profiles(ctx.workspace, ctx.system, cancel=ctx.cancel)
    findings = list(report.findings)
    stats = dict(report.stats)
    planned = [r for r in ctx.changes.planned(behavior_rel(ctx.system) + "/") if r.endswith(".yaml")]
    if planned:  # dry run: check the profiles a real run would have written by now
        findings = [f for f in findings if f.rule != "behavior.system.no_profiles"]
        for rel in planned:
            text = (ctx.changes.read_bytes(rel) or b"").decode("utf-8", "replace")
            profile, found = load_profile_text(text, rel)
            if profile is not None and not any(f.blocking for f in found):
                pr = check_profile_report(profile, run=True, system=ctx.system)
                found += pr.findings
                stats["scenarios_run"] += len(pr.results)
                stats["scenarios_passed"] += pr.scenarios_passed
            stats["profiles_checked"] += 1
            findings += found
    ctx.log("info", f"{stats['profiles_checked']} profile(s) checked, {stats['scenarios_passed']}/"
            f"{stats['scenarios_run']} scenario(s) passed, slowest evaluation {stats['max_eval_ms']} ms", **stats)
    ctx.shared["behavior_stats"] = stats
    return _group(findings)
