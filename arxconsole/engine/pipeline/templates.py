"""Starting points the pipeline creates for a new system or object type.

Everything here returns plain data; the steps decide whether to write it (only where
nothing exists yet) and write it through the journal.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable
from xml.sax.saxutils import escape

from .view import local_name

DEFAULT_PORTS = ({"name": "power", "type": "power", "direction": "in"},)
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,4}$")


def system_code(system: str, taken: Iterable[str] = ()) -> str:
    """A short upper-case symbol-id prefix for a new system, unique in the workspace."""
    taken = {t.upper() for t in taken}
    letters = re.sub(r"[^A-Za-z0-9]", "", system).upper() or "SYS"
    if not letters[0].isalpha():
        letters = "S" + letters
    candidates = [letters[:2]] + [letters[0] + c for c in letters[2:]] + [letters[:3], letters[:4]]
    for c in candidates:
        if CODE_RE.match(c) and c not in taken:
            return c
    n = 2
    while f"{letters[:2]}{n}" in taken:
        n += 1
    return f"{letters[:2]}{n}"


def object_template(object_type: str) -> dict[str, Any]:
    name = local_name(object_type)
    return {
        "description": f"{title(name)} (added by the pipeline; describe it)",
        "properties": {},
        "relationships": {},
        "behavior_profile": profile_id_for(object_type),
    }


def profile_id_for(object_type: str) -> str:
    """The profile a new object type gets: its last segment (what profile_template uses)."""
    return object_type.rsplit(".", 1)[-1]


def schema_template(system: str, code: str, object_type: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "system": system,
        "code": code,
        "version": "1.0.0",
        "description": f"{title(system)} system (created by the pipeline; describe it)",
        "objects": {},
    }
    if object_type:
        schema["objects"][object_type] = object_template(object_type)
    return schema


def title(name: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[_\s]+", name) if w)


def camel(name: str) -> str:
    return "".join(w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", name) if w) or "Object"


def symbol_id(code: str, object_type: str, variant: int = 1) -> str:
    return f"{code}_{camel(local_name(object_type))}_{variant:03d}"


def normalise_ports(ports: Iterable[dict] | None) -> list[dict[str, str]]:
    out = []
    for p in ports or ():
        if isinstance(p, dict) and p.get("name"):
            d = {"name": str(p["name"]), "type": str(p.get("type") or p["name"])}
            if p.get("direction"):
                d["direction"] = str(p["direction"])
            out.append(d)
    return out or [dict(p) for p in DEFAULT_PORTS]


def symbol_template(system: str, code: str, object_type: str, profile_id: str,
                    ports: Iterable[dict] | None, actor: str, sid: str | None = None) -> dict[str, Any]:
    """A valid, drawable symbol: a labelled box with one marker per port on its edges."""
    name = local_name(object_type)
    ports = normalise_ports(ports)
    sid = sid or symbol_id(code, object_type)
    size = 100
    inputs = [p for p in ports if p.get("direction", "in") != "out"]
    outputs = [p for p in ports if p.get("direction") == "out"]
    connections: dict[str, dict[str, Any]] = {}
    markers = []
    for side_x, group in ((10, inputs), (90, outputs)):
        for i, p in enumerate(group):
            y = round(size * (i + 1) / (len(group) + 1))
            conn = {"x": side_x, "y": y, "type": p["type"]}
            if p.get("direction"):
                conn["direction"] = p["direction"]
            connections[p["name"]] = conn
            markers.append(f'  <circle id="port-{escape(p["name"])}" cx="{side_x}" cy="{y}" r="3" fill="#000000"/>')
    svg = "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">',
        '  <rect id="body" x="10" y="10" width="80" height="80" fill="none" stroke="#000000" stroke-width="2"/>',
        f'  <text id="label" x="50" y="54" text-anchor="middle" font-size="10">{escape(title(name))}</text>',
        *markers,
        "</svg>",
    ])
    return {
        "id": sid,
        "name": title(name),
        "system": system,
        "category": name,
        "description": f"{title(name)} symbol (template created by the pipeline; draw it)",
        "svg": svg,
        "properties": {},
        "connections": connections,
        "behavior_profile": profile_id,
        "tags": sorted({system, name}),
        "metadata": {
            "version": "1.0.0",
            "created_by": actor,
            "created_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": "arxconsole pipeline template",
        },
    }
