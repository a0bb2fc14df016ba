"""Generated systems for tests and benchmarks: a schema, N symbols and one behavior
profile per object type, all valid (the pipeline passes them with zero findings), so a
test can break exactly one thing and see exactly one check fail."""

from __future__ import annotations

from pathlib import Path

from .. import durable
from ..behavior import profile_template
from ..workspace import Workspace
from . import templates

PORTS = ({"name": "power", "type": "power", "direction": "in"},
         {"name": "data", "type": "data", "direction": "out"})


def write_system(root: str | Path, system: str = "electrical", code: str = "EL", objects: int = 2,
                 symbols_per_object: int = 1, profiles: bool = True) -> Workspace:
    ws = Workspace.create(root)
    schema = templates.schema_template(system, code)
    schema["description"] = f"Generated {system} system"
    for i in range(objects):
        obj = f"{system}.device_{i:03d}"
        spec = templates.object_template(obj)
        spec["description"] = f"Generated device {i}"
        spec["properties"] = {"rated_power": {"type": "number", "unit": "W", "required": True},
                              "mounting": {"type": "enum", "values": ["surface", "flush"]}}
        spec["relationships"] = {"feeds": [f"{system}.device_{(i + 1) % objects:03d}"]}
        schema["objects"][obj] = spec
        pid = templates.profile_id_for(obj)
        if profiles:
            durable.write_text(ws.profile_path(system, pid), profile_template(obj, [p for p in PORTS]))
        for v in range(1, symbols_per_object + 1):
            sid = templates.symbol_id(code, obj, v)
            doc = templates.symbol_template(system, code, obj, pid, PORTS, "generator", sid)
            doc["properties"] = {"rated_power": {"value": 10 * i + v, "unit": "W"}, "mounting": "surface"}
            doc["metadata"]["created_at"] = "2026-01-01T00:00:00Z"
            doc["tags"] = sorted({system, f"device_{i:03d}", f"variant_{v}"})
            durable.write_json(ws.symbol_path(system, sid), doc)
    durable.write_json(ws.schema_path(system), schema)
    return ws
