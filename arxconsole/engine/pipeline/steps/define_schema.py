"""Step 1: validate ``schemas/<system>/schema.json``; create it, or add the target object,
from a template when missing (never overwriting: an unreadable schema is reported, and
every change is journaled)."""

from __future__ import annotations

import re

from ...findings import Finding, Severity
from .. import templates
from ..view import load_json, load_schema, schema_objects, schema_rel, unreadable
from .base import Check, StepContext

STEP_ID = "define-schema"
CHECKS = ("schema.structure", "schema.naming", "schema.relationships", "schema.behavior_profile")

PROPERTY_TYPES = {"number", "integer", "string", "boolean", "enum"}
PROP_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PROFILE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def object_type_re(system: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(system)}(\.[a-z][a-z0-9_]*)+$")


def normalise_object_type(system: str, obj: str) -> str:
    """``smart_switch`` or ``electrical.smart_switch`` -> ``electrical.smart_switch``."""
    return obj if obj.startswith(system + ".") else f"{system}.{obj}"


def _err(rule, msg, hint, file, loc="", sev=Severity.ERROR) -> Finding:
    return Finding(rule, sev, msg, hint=hint, file=file, location=loc)


def ensure_schema(ctx: StepContext) -> list[Finding]:
    """Create the schema / add the target object when missing."""
    system, obj = ctx.system, ctx.target.object_type
    rel = schema_rel(system)
    loaded = load_schema(ctx.changes, system)
    if loaded is None:
        taken = []
        for other in ctx.workspace.systems():
            other_schema = load_json(ctx.changes, schema_rel(other))
            if other != system and other_schema and isinstance(other_schema.data, dict):
                taken.append(str(other_schema.data.get("code", "")))
        schema = templates.schema_template(system, templates.system_code(system, taken), obj)
        ctx.changes.write_json(rel, schema)
        ctx.log("info", f"created {rel} from the schema template", file=rel, code=schema["code"])
        return []
    if obj is None:
        return []
    if not isinstance(loaded.data, dict) or not isinstance(loaded.data.get("objects", {}), dict):
        return []  # structure check reports it; never rewrite a schema we cannot read
    if obj in loaded.data.get("objects", {}):
        ctx.log("info", f"{obj} already in {rel}; validating it", file=rel)
        return []
    data = dict(loaded.data)
    data["objects"] = {**data.get("objects", {}), obj: templates.object_template(obj)}
    ctx.changes.write_json(rel, data)
    ctx.log("info", f"added object type {obj} to {rel} from the object template", file=rel)
    return []


def check_structure(system: str, rel: str, data) -> list[Finding]:
    out = []
    if not isinstance(data, dict):
        return [_err("schema.structure.not_object", f"{rel}: the schema must be a JSON object",
                     "start from the schema layout in docs/ARCHITECTURE.md", rel)]
    for key, typ in (("system", str), ("code", str), ("version", str), ("objects", dict)):
        if key not in data:
            out.append(_err("schema.structure.missing_field", f"{rel}: required field {key!r} is missing",
                            f"add {key!r}", rel, key))
        elif not isinstance(data[key], typ):
            out.append(_err("schema.structure.wrong_type",
                            f"{rel}: {key!r} must be a {typ.__name__}, not {type(data[key]).__name__}",
                            f"make {key!r} a {typ.__name__}", rel, key))
    if isinstance(data.get("system"), str) and data["system"] != system:
        out.append(_err("schema.structure.system_mismatch",
                        f"{rel}: 'system' is {data['system']!r} but the folder is {system!r}",
                        "make them agree", rel, "system"))
    if isinstance(data.get("code"), str) and not templates.CODE_RE.match(data["code"]):
        out.append(_err("schema.structure.bad_code",
                        f"{rel}: code {data['code']!r} is not 1-5 upper-case letters/digits",
                        "use e.g. 'EL' or 'AV'", rel, "code"))
    if "description" not in data:
        out.append(_err("schema.structure.no_description", f"{rel}: no description",
                        "describe the system", rel, "description", Severity.WARNING))
    for name, obj in (data.get("objects") or {}).items() if isinstance(data.get("objects"), dict) else ():
        loc = f"objects.{name}"
        if not isinstance(obj, dict):
            out.append(_err("schema.structure.wrong_type", f"{rel}: object {name!r} must be a JSON object",
                            "describe the object with description/properties/relationships", rel, loc))
            continue
        props = obj.get("properties", {})
        if not isinstance(props, dict):
            out.append(_err("schema.structure.wrong_type", f"{rel}: {loc}.properties must be an object",
                            "map property names to {type, unit, ...}", rel, f"{loc}.properties"))
            props = {}
        for pname, spec in props.items():
            ploc = f"{loc}.properties.{pname}"
            if not isinstance(spec, dict) or spec.get("type") not in PROPERTY_TYPES:
                out.append(_err("schema.structure.property_type",
                                f"{rel}: property {pname!r} of {name} has no valid type",
                                "type is one of " + ", ".join(sorted(PROPERTY_TYPES)), rel, ploc))
            elif spec["type"] == "enum" and not (isinstance(spec.get("values"), list) and spec["values"]):
                out.append(_err("schema.structure.enum_values",
                                f"{rel}: enum property {pname!r} of {name} lists no values",
                                "add 'values': [...]", rel, ploc))
        rels = obj.get("relationships", {})
        if not isinstance(rels, dict) or not all(isinstance(v, list) for v in rels.values()):
            out.append(_err("schema.structure.wrong_type",
                            f"{rel}: {loc}.relationships must map a name to a list of object types",
                            'e.g. "feeds": ["electrical.circuit_breaker"]', rel, f"{loc}.relationships"))
    return out


def check_naming(system: str, rel: str, objects: dict) -> list[Finding]:
    out = []
    pattern = object_type_re(system)
    for name, obj in objects.items():
        if not pattern.match(name):
            out.append(_err("schema.naming.object_type",
                            f"{rel}: object type {name!r} is not dotted lower-case under {system!r}",
                            f"name it like '{system}.light_fixture.surface_mount'", rel, f"objects.{name}"))
        for pname in (obj.get("properties") or {}) if isinstance(obj.get("properties"), dict) else ():
            if not PROP_NAME_RE.match(pname):
                out.append(_err("schema.naming.property", f"{rel}: property {pname!r} of {name} is not lower_snake_case",
                                "rename it, e.g. 'rated_voltage'", rel, f"objects.{name}.properties.{pname}"))
    return out


def known_object_types(ctx: StepContext) -> set[str]:
    known = set()
    for system in set(ctx.workspace.systems()) | {ctx.system}:
        loaded = load_schema(ctx.changes, system)
        known.update(schema_objects(loaded))
    return known


def check_relationships(rel: str, objects: dict, known: set[str]) -> list[Finding]:
    out = []
    for name, obj in objects.items():
        rels = obj.get("relationships")
        if not isinstance(rels, dict):
            continue
        for kind, targets in rels.items():
            for t in targets if isinstance(targets, list) else ():
                if t not in known:
                    out.append(_err("schema.relationships.unknown_target",
                                    f"{rel}: {name} {kind} -> {t!r}, which no schema defines",
                                    "define that object type or fix the name", rel,
                                    f"objects.{name}.relationships.{kind}"))
    return out


def check_profiles(rel: str, objects: dict) -> list[Finding]:
    out = []
    for name, obj in objects.items():
        pid = obj.get("behavior_profile")
        if not pid:
            out.append(_err("schema.behavior_profile.missing", f"{rel}: {name} names no behavior profile",
                            "add \"behavior_profile\": \"<profile id>\" (behavior/<system>/<id>.yaml)",
                            rel, f"objects.{name}.behavior_profile"))
        elif not isinstance(pid, str) or not PROFILE_ID_RE.match(pid):
            out.append(_err("schema.behavior_profile.bad_id", f"{rel}: {name} behavior profile {pid!r} is not a profile id",
                            "use the profile file's stem, lower_snake_case", rel, f"objects.{name}.behavior_profile"))
    return out


def run(ctx: StepContext) -> list[Check]:
    structure = Check("schema.structure")
    rel = schema_rel(ctx.system)
    if ctx.target.object_type and not object_type_re(ctx.system).match(ctx.target.object_type):
        structure.findings.append(_err("schema.naming.target", f"target object type {ctx.target.object_type!r} "
                                       f"is not dotted lower-case under {ctx.system!r}",
                                       "e.g. --object smart_switch", rel))
        return [structure, Check("schema.naming"), Check("schema.relationships"), Check("schema.behavior_profile")]
    ensure_schema(ctx)
    ctx.cancel.check()
    loaded = load_schema(ctx.changes, ctx.system)
    if loaded is None or loaded.data is None:
        if loaded is not None:
            structure.findings.append(unreadable("schema.structure.unreadable", loaded))
        return [structure, Check("schema.naming"), Check("schema.relationships"), Check("schema.behavior_profile")]
    structure.findings += check_structure(ctx.system, rel, loaded.data)
    objects = schema_objects(loaded)
    ctx.shared["schema"] = loaded.data if isinstance(loaded.data, dict) else {}
    return [
        structure,
        Check("schema.naming", check_naming(ctx.system, rel, objects)),
        Check("schema.relationships", check_relationships(rel, objects, known_object_types(ctx))),
        Check("schema.behavior_profile", check_profiles(rel, objects)),
    ]
