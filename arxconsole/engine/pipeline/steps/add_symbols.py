"""Step 2: validate every symbol of the system with the rules catalogue; for a
new_object run whose object type has no symbol yet, create one from the template
(id from the schema's code, category = the object's local name, ports from its profile)."""

from __future__ import annotations

import dataclasses

from ...findings import Finding, Severity
from .. import templates
from ..symbol_validation import owned_by_compliance, validate_system_symbols
from ..view import load_schema, load_symbols, load_yaml, local_name, profile_rel, schema_objects, symbols_rel
from .base import Check, StepContext

STEP_ID = "add-symbols"
CHECKS = ("symbol.rules", "symbol.metadata", "symbol.behavior_reference")


def _profile_ports(ctx: StepContext, profile_id: str) -> list[dict] | None:
    doc = load_yaml(ctx.changes, profile_rel(ctx.system, profile_id))
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("ports"), list):
        return None
    return doc.data["ports"]


def ensure_symbol(ctx: StepContext) -> list[Finding]:
    obj = ctx.target.object_type
    if obj is None:
        return []
    name = local_name(obj)
    existing = [s for s in load_symbols(ctx.changes, ctx.system)
                if isinstance(s.data, dict) and s.data.get("category") == name]
    if existing:
        ctx.log("info", f"{obj} already has {len(existing)} symbol(s); validating them",
                symbols=[s.rel for s in existing])
        return []
    schema = load_schema(ctx.changes, ctx.system)
    code = schema.data.get("code") if schema and isinstance(schema.data, dict) else None
    if not isinstance(code, str) or not templates.CODE_RE.match(code):
        return [Finding("symbol.template.no_code", Severity.ERROR,
                        f"cannot create a symbol for {obj}: the schema has no valid system code",
                        hint="fix schemas/<system>/schema.json (define-schema reports why)",
                        file=f"schemas/{ctx.system}/schema.json", location="code")]
    spec = schema_objects(schema).get(obj, {})
    profile_id = spec.get("behavior_profile") or templates.profile_id_for(obj)
    ports = _profile_ports(ctx, profile_id)
    variant = 1
    while ctx.changes.exists(f"{symbols_rel(ctx.system)}/{templates.symbol_id(code, obj, variant)}.json"):
        variant += 1
    sid = templates.symbol_id(code, obj, variant)
    doc = templates.symbol_template(ctx.system, code, obj, profile_id, ports, ctx.actor, sid)
    rel = f"{symbols_rel(ctx.system)}/{sid}.json"
    ctx.changes.write_json(rel, doc)
    ctx.log("info", f"created {rel} from the symbol template for {obj} "
            f"(ports: {', '.join(doc['connections'])}" + (" from its profile)" if ports else ", default)"),
            file=rel, symbol_id=sid)
    return []


def run(ctx: StepContext) -> list[Check]:
    rules, metadata, reference = Check("symbol.rules"), Check("symbol.metadata"), Check("symbol.behavior_reference")
    rules.findings += ensure_symbol(ctx)
    ctx.cancel.check()
    findings = validate_system_symbols(ctx)
    obj = ctx.target.object_type
    pending_profile = None
    if obj:
        spec = schema_objects(load_schema(ctx.changes, ctx.system)).get(obj, {})
        pid = spec.get("behavior_profile") or templates.profile_id_for(obj)
        if not ctx.changes.exists(profile_rel(ctx.system, pid)):
            pending_profile = pid
    deferred = 0
    for f in findings:
        if owned_by_compliance(f.rule):
            deferred += 1
            continue
        if f.rule.startswith("metadata.behavior_profile"):
            if pending_profile and f.rule == "metadata.behavior_profile.unknown" and pending_profile in f.message:
                # implement-behavior creates this profile next; not a defect of the symbol.
                f = dataclasses.replace(f, severity=Severity.INFO,
                                        message=f"{f.message} (implement-behavior creates it from the template)")
            reference.findings.append(f)
        elif f.rule.startswith("metadata."):
            metadata.findings.append(f)
        else:
            rules.findings.append(f)
    n = len(ctx.changes.list_files(symbols_rel(ctx.system), ".json"))
    ctx.log("info", f"validated {n} symbol(s) of {ctx.system} with the rules catalogue; "
            f"{deferred} security/budget/naming finding(s) are reported by the compliance step",
            symbols=n, deferred=deferred)
    return [rules, metadata, reference]
