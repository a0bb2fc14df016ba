"""Symbol-level rules (structure, connections, metadata, properties, duplicates, waivers)
and the per-symbol entry points ``validate_symbol`` and ``validate_svg_text``.

The SVG rules live in ``svg_rules``; the catalogue (ids, severities, hints) in
``catalogue``.  Every check here reads the symbol as stored, so a field of the wrong
type is reported rather than crashing a later check.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import replace
from typing import Any

from ..findings import Finding
from .catalogue import RULES
from .context import ValidationContext
from .model import Symbol, Waiver
from .quantities import is_quantity_dict, parse_quantity
from .svg_rules import SvgResult, check_svg

ID_RE = re.compile(r"^[A-Z][A-Z0-9]{0,4}_[A-Za-z][A-Za-z0-9]*_[0-9]{3}$")
PORT_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
DIRECTIONS = frozenset({"in", "out", "bidirectional", "inout"})
REQUIRED_STR_FIELDS = ("id", "name", "system", "category")
FIELD_TYPES: tuple[tuple[str, type | tuple[type, ...], str], ...] = (
    ("description", str, "a string"), ("properties", dict, "an object"), ("connections", dict, "an object"),
    ("behavior_profile", str, "a string"), ("metadata", dict, "an object"), ("tags", list, "a list of strings"),
    ("waivers", list, "a list of waivers"),
)
METADATA_FIELDS = ("version", "created_by", "created_at")
MARKER_MAX_FRACTION = 0.3     # a port marker is small compared with the drawing
_WS_BETWEEN_TAGS = re.compile(r">\s+<")
_SVG_OPEN_RE = re.compile(r"<svg\b[^>]*>", re.DOTALL)


def _is_number(v: Any) -> bool:
    t = v.__class__
    return t is int or (t is float and math.isfinite(v)) or (isinstance(v, (int, float)) and t is not bool
                                                              and math.isfinite(v))


# ---- content hash ------------------------------------------------------------------------
def drawing_key(svg: Any) -> str:
    """The drawing without its root element's attributes and layout whitespace, so a copy
    with another viewBox, indentation or id-field still compares equal.  '' when empty."""
    if not isinstance(svg, str):
        return ""
    m = _SVG_OPEN_RE.search(svg)
    if m is None:
        inner = svg
    else:
        if svg[m.end() - 2] == "/":   # <svg .../>: nothing inside
            return ""
        end = svg.rfind("</svg")
        inner = svg[m.end():end if end >= m.end() else len(svg)]
    return _WS_BETWEEN_TAGS.sub("><", inner).strip()


def content_key(data: dict[str, Any] | Symbol) -> str:
    """Hash of normalised drawing + properties + connections; '' for an empty drawing
    (empty symbols are all alike and are reported by svg.drawing.empty instead)."""
    if isinstance(data, Symbol):
        svg, props, conns = data.svg, data.properties, data.connections
    else:
        svg, props, conns = data.get("svg"), data.get("properties"), data.get("connections")
    drawing = drawing_key(svg)
    if not drawing:
        return ""
    blob = json.dumps([drawing, props, conns], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


# ---- entry points --------------------------------------------------------------------------
def validate_svg_text(svg: str, *, file: str = "", symbol_id: str = "") -> list[Finding]:
    """The SVG rules alone, for the live editor (every keystroke)."""
    return check_svg(svg, file=file, symbol_id=symbol_id).findings


def validate_symbol(symbol: Symbol | dict[str, Any], ctx: ValidationContext | None = None, *,
                    file: str = "", folder_system: str | None = None, check_file_name: bool = True,
                    check_duplicates: bool = True) -> list[Finding]:
    """Every rule for one library-format symbol; waivers applied (waived, not dropped).

    ``file`` names the symbol's file in findings and is compared with the id;
    ``folder_system`` is the system folder the file is stored in, when there is one.
    """
    if isinstance(symbol, dict):
        symbol = Symbol.from_dict(symbol)
    ctx = ctx or ValidationContext()
    out: list[Finding] = []
    sid = symbol.id if isinstance(symbol.id, str) else ""
    _structure(symbol, ctx, out, file, sid, folder_system, check_file_name)
    if check_duplicates:
        _duplicates(symbol, ctx, out, file, sid)
    # Without the duplicate rules here, the whole-library pass applies their waivers later.
    return apply_waivers(symbol, out, file, sid, deferred=() if check_duplicates else DUPLICATE_RULES)


def _add(out: list[Finding], rule: str, message: str, file: str, sid: str, location: str = "", **data) -> None:
    out.append(RULES[rule].finding(message, location=location, file=file, symbol_id=sid, **data))


def _structure(sym: Symbol, ctx: ValidationContext, out: list[Finding], file: str, sid: str,
               folder_system: str | None, check_file_name: bool) -> SvgResult | None:
    # required string fields
    for name in REQUIRED_STR_FIELDS:
        value = getattr(sym, name)
        if not isinstance(value, str):
            if value is None or name not in sym.present:
                _add(out, "structure.field.missing", f"required field {name!r} is missing", file, sid, name)
            else:
                _add(out, "structure.field.type", f"{name} must be a string, not {type(value).__name__}",
                     file, sid, name)
        elif not value.strip():
            _add(out, "structure.field.missing", f"required field {name!r} is empty", file, sid, name)
    for name, typ, what in FIELD_TYPES:
        value = getattr(sym, name)
        if name in sym.present and value is not None and not isinstance(value, typ):
            extra = ""
            if name == "connections" and isinstance(value, list):
                extra = " (an older format's port list: import the file to convert it)"
            _add(out, "structure.field.type", f"{name} must be {what}, not {type(value).__name__}{extra}",
                 file, sid, name)
    if isinstance(sym.tags, list) and any(not isinstance(t, str) for t in sym.tags):
        _add(out, "structure.field.type", "tags must all be strings", file, sid, "tags")
    system = sym.system if isinstance(sym.system, str) else ""
    category = sym.category if isinstance(sym.category, str) else ""
    # id
    if sid:
        if not ID_RE.match(sid):
            _add(out, "structure.id.pattern", f"id {sid!r} does not match CODE_Name_001 "
                 f"({ID_RE.pattern})", file, sid, "id")
        if check_file_name and file:
            stem = os.path.splitext(os.path.basename(file))[0]
            if stem != sid:
                _add(out, "structure.id.file_name", f"id {sid!r} differs from the file name {stem + '.json'!r}",
                     file, sid, "id")
        code = ctx.system_codes.get(system)
        if code and ID_RE.match(sid) and sid.split("_", 1)[0] != code:
            _add(out, "structure.id.prefix", f"id prefix {sid.split('_', 1)[0]!r} is not {system}'s code "
                 f"{code!r}", file, sid, "id")
    # system and category
    if system:
        if ctx.known_systems is not None and system not in ctx.known_systems:
            _add(out, "structure.system.unknown", f"system {system!r} is not known to the registry "
                 f"(known: {', '.join(sorted(ctx.known_systems)) or 'none'})", file, sid, "system")
        if folder_system is not None and folder_system != system:
            _add(out, "structure.system.folder", f"system {system!r} but the file is in the "
                 f"{folder_system!r} folder", file, sid, "system")
        types = ctx.object_types.get(system)
        if types and category and category not in types:
            _add(out, "structure.category.unknown", f"category {category!r} is not an object type of "
                 f"{system} ({', '.join(sorted(types)[:8])}{'…' if len(types) > 8 else ''})", file, sid, "category")
    # drawing
    svg_res: SvgResult | None = None
    if "svg" not in sym.present or sym.svg is None:
        _add(out, "structure.field.missing", "required field 'svg' is missing", file, sid, "svg")
    elif isinstance(sym.svg, dict):
        _add(out, "structure.field.type", "svg is an object (the normalized format's {content, width, height}); "
             "it must be a complete <svg> document string: import the file to convert it", file, sid, "svg")
    elif not isinstance(sym.svg, str):
        _add(out, "structure.field.type", f"svg must be a string, not {type(sym.svg).__name__}", file, sid, "svg")
    elif not sym.svg.strip():
        _add(out, "svg.drawing.empty", "svg is empty: the symbol has no drawing", file, sid, "svg")
    else:
        svg_res = check_svg(sym.svg, file=file, symbol_id=sid)
        out.extend(svg_res.findings)
    _connections(sym, ctx, out, file, sid, svg_res, system)
    _metadata(sym, ctx, out, file, sid, system, category)
    return svg_res


def _connections(sym: Symbol, ctx: ValidationContext, out: list[Finding], file: str, sid: str,
                 svg_res: SvgResult | None, system: str) -> None:
    conns = sym.connections
    if isinstance(conns, list):
        # Already reported as a type error; say what a person has to do for each port.
        for i, item in enumerate(conns):
            kind = item.get("type", "?") if isinstance(item, dict) else "?"
            _add(out, "connection.position.missing", f"port #{i + 1} ({kind}) has no name and no x/y position",
                 file, sid, f"connections[{i}]")
        conns = {}
    if not isinstance(conns, dict):
        conns = {}
    vb = svg_res.viewbox if svg_res is not None else None
    boxes: list = []
    if vb is not None and svg_res is not None and conns:
        limit = MARKER_MAX_FRACTION * max(vb[2], vb[3])
        tol = 0.02 * max(vb[2], vb[3])
        # small drawn shapes, grown by the tolerance: the candidates for port markers
        boxes = [(b[0] - tol, b[1] - tol, b[2] + tol, b[3] + tol) for b in svg_res.element_boxes
                 if b[2] - b[0] <= limit and b[3] - b[1] <= limit]
    for name, port in conns.items():
        loc = f"connections.{name}"
        if not isinstance(name, str) or not PORT_NAME_RE.match(name):
            _add(out, "connection.name.invalid", f"port name {name!r} is not an identifier", file, sid, loc)
        if not isinstance(port, dict):
            _add(out, "structure.field.type", f"port {name!r} must be an object {{x, y, type}}, not "
                 f"{type(port).__name__}", file, sid, loc)
            continue
        ptype = port.get("type")
        if not isinstance(ptype, str) or not ptype.strip():
            _add(out, "connection.type.missing", f"port {name!r} has no type", file, sid, loc + ".type")
        x, y = port.get("x"), port.get("y")
        if not (_is_number(x) and _is_number(y)):
            bad = [a for a, v in (("x", x), ("y", y)) if not _is_number(v)]
            what = "has no coordinates" if x is None and y is None else \
                f"has non-numeric {'/'.join(bad)} ({', '.join(repr(port.get(a)) for a in bad)})"
            _add(out, "connection.position.missing", f"port {name!r} {what}", file, sid, f"{loc}.{bad[0]}")
        elif vb is not None:
            vx, vy, vw, vh = vb
            if not (vx <= x <= vx + vw and vy <= y <= vy + vh):
                _add(out, "connection.position.outside", f"port {name!r} at ({x:g}, {y:g}) is outside the "
                     f"viewBox {vx:g} {vy:g} {vw:g} {vh:g}", file, sid, loc + ".x" if not vx <= x <= vx + vw
                     else loc + ".y")
            elif svg_res is not None and svg_res.element_boxes:
                for b in boxes:
                    if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                        break
                else:
                    _add(out, "connection.marker.none", f"no drawn marker at port {name!r} ({x:g}, {y:g})",
                         file, sid, loc)
        direction = port.get("direction")
        if direction is not None and direction not in DIRECTIONS:
            _add(out, "connection.direction.invalid", f"port {name!r} direction {direction!r} is not one of "
                 "in, out, bidirectional", file, sid, loc + ".direction")
    # ports the behavior profile requires
    prof_id = sym.behavior_profile
    if not isinstance(prof_id, str) or not prof_id.strip():
        _add(out, "metadata.behavior_profile.missing", "no behavior_profile", file, sid, "behavior_profile")
        return
    if not ctx.check_profiles or not system:
        return
    info = ctx.profile(system, prof_id)
    if info is None:
        _add(out, "metadata.behavior_profile.unknown", f"behavior profile {prof_id!r} does not exist "
             f"(no behavior/{system}/{prof_id}.yaml)", file, sid, "behavior_profile")
        return
    for pname, ptype in info.ports:
        port = conns.get(pname)
        if port is None:
            _add(out, "connection.required.missing", f"profile {prof_id!r} requires port {pname!r}"
                 f"{f' ({ptype})' if ptype else ''}, which the symbol lacks", file, sid, f"connections.{pname}",
                 profile=info.file)
        elif ptype and isinstance(port, dict) and port.get("type") != ptype:
            _add(out, "connection.required.type", f"port {pname!r} is {port.get('type')!r}; profile "
                 f"{prof_id!r} requires {ptype!r}", file, sid, f"connections.{pname}.type", profile=info.file)


def _metadata(sym: Symbol, ctx: ValidationContext, out: list[Finding], file: str, sid: str, system: str,
              category: str) -> None:
    meta = sym.metadata
    if isinstance(meta, dict):
        missing = [k for k in METADATA_FIELDS if not meta.get(k)]
        if missing:
            _add(out, "metadata.field.missing", f"metadata lacks {', '.join(missing)}", file, sid,
                 f"metadata.{missing[0]}")
    props = sym.properties
    if not isinstance(props, dict):
        return
    specs = ctx.property_specs(system, category)
    for key, value in props.items():
        loc = f"properties.{key}"
        spec = specs.get(key)
        if isinstance(value, str):
            q = parse_quantity(value)
            if q is not None:
                _add(out, "properties.quantity_as_text", f"{key} = {value!r} is a quantity written as text",
                     file, sid, loc, hint=f"Write {{\"value\": {q['value']}, \"unit\": \"{q['unit']}\"}}.")
                continue
        if spec is None or not spec.numeric:
            continue
        if is_quantity_dict(value):
            if spec.unit and value["unit"] != spec.unit:
                _add(out, "properties.numeric.unit_mismatch", f"{key} is in {value['unit']!r}; the schema "
                     f"says {spec.unit!r}", file, sid, loc + ".unit")
        elif _is_number(value) or (isinstance(value, dict) and _is_number(value.get("value"))):
            if spec.unit:
                _add(out, "properties.numeric.missing_unit", f"{key} has no unit (schema: {spec.unit!r})",
                     file, sid, loc)
        else:
            _add(out, "properties.numeric.not_a_number", f"{key} = {value!r:.60} is not a number; the schema "
                 "declares it numeric", file, sid, loc)


def _duplicates(sym: Symbol, ctx: ValidationContext, out: list[Finding], file: str, sid: str) -> None:
    if sid and ctx.ids:
        others = [f for f in ctx.ids.get(sid, ()) if f != file]
        if others:
            _add(out, "structure.id.duplicate", f"id {sid!r} is also used by {', '.join(others)}", file, sid, "id",
                 others=others)
    if ctx.content:
        key = content_key(sym)
        twins = [(i, f) for i, f in ctx.content.get(key, ()) if f != file and i != sid] if key else []
        if twins:
            _add(out, "structure.content.duplicate", "same drawing, properties and connections as "
                 + ", ".join(f"{i or '?'} ({f})" for i, f in twins), file, sid, "svg",
                 others=[f for _, f in twins])


# ---- waivers --------------------------------------------------------------------------------
DUPLICATE_RULES = ("structure.id.duplicate", "structure.content.duplicate")


def apply_waivers(sym: Symbol, findings: list[Finding], file: str, sid: str,
                  deferred: tuple[str, ...] = ()) -> list[Finding]:
    """Mark findings a waiver covers as waived (with its reason); report bad/unused waivers."""
    raw = sym.waivers if isinstance(sym.waivers, list) else []
    if not raw:
        return findings
    waivers: list[tuple[int, Waiver]] = []
    extra: list[Finding] = []
    for i, entry in enumerate(raw):
        w = Waiver.from_dict(entry)
        loc = f"waivers[{i}]"
        if w is None or not w.rule or not w.reason.strip():
            _add(extra, "waiver.invalid", f"waiver #{i + 1} needs a rule id and a reason", file, sid, loc)
            continue
        rule = RULES.get(w.rule)
        if rule is None:
            _add(extra, "waiver.invalid", f"waiver #{i + 1} names rule {w.rule!r}, which is not in the catalogue",
                 file, sid, loc)
            continue
        if not rule.waivable:
            _add(extra, "waiver.not_waivable", f"waiver #{i + 1}: rule {w.rule!r} cannot be waived", file, sid, loc)
            continue
        waivers.append((i, w))
    used: set[int] = set()
    result: list[Finding] = []
    for f in findings:
        for i, w in waivers:
            if w.matches(f):
                who = f" ({w.by}, {w.at})" if w.by or w.at else ""
                f = replace(f, waived=True, waiver_reason=w.reason + who)
                used.add(i)
                break
        result.append(f)
    for i, w in waivers:
        if i not in used and w.rule not in deferred:
            _add(extra, "waiver.unused", f"waiver for {w.rule!r} matches no finding", file, sid, f"waivers[{i}]")
    return result + extra
