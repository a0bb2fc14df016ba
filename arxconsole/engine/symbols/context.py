"""Registry facts the symbol rules check against, gathered once per validation run.

Known systems and their id codes, schema object types and property specs, behavior
profiles and the ports they require, and (for single-symbol validation in the editor)
every symbol id and content hash in the workspace, for the duplicate rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..bounded_read import read_bounded
from ..workspace import Workspace

try:  # the C loader is several times faster; fall back where libyaml is absent
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YamlLoader = yaml.SafeLoader

_NUMERIC_TYPES = frozenset({"number", "integer", "float", "int", "quantity"})


@dataclass(frozen=True)
class PropertySpec:
    numeric: bool
    unit: str = ""


@dataclass(frozen=True)
class ProfileInfo:
    id: str
    file: str
    ports: tuple[tuple[str, str], ...] = ()     # (name, type) the symbol must have


@dataclass
class ValidationContext:
    """What a rule may know beyond the symbol itself.  ``None`` means "not known: skip"."""

    known_systems: frozenset[str] | None = None
    system_codes: dict[str, str] = field(default_factory=dict)
    # system -> category (object type local name) -> property -> spec; None: no schema
    object_types: dict[str, dict[str, dict[str, PropertySpec]]] = field(default_factory=dict)
    # system -> profile id -> info; a system absent here has no profiles known
    profiles: dict[str, dict[str, ProfileInfo]] = field(default_factory=dict)
    check_profiles: bool = False
    # workspace index for the duplicate rules: id -> files, content hash -> [(id, file)]
    ids: dict[str, list[str]] = field(default_factory=dict)
    content: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    # ---- building ----------------------------------------------------------------------
    @classmethod
    def from_workspace(cls, ws: Workspace, *, index_symbols: bool = False) -> "ValidationContext":
        """Registry facts of a workspace.  ``index_symbols`` also reads every symbol once
        (ids and content hashes) so ``validate_symbol`` can spot duplicates."""
        ctx = cls(known_systems=frozenset(ws.registered_systems()), check_profiles=True)
        for system in ws.systems():
            schema = _read_json(ws.schema_path(system))
            if isinstance(schema, dict):
                code = schema.get("code")
                if isinstance(code, str) and code:
                    ctx.system_codes[system] = code
                ctx.object_types[system] = _object_types(system, schema.get("objects"))
            ctx.profiles[system] = _profiles(ws, system)
        if index_symbols:
            from .rules import content_key   # local import: rules imports this module

            for path, rel, data in library_symbols(ws):
                if data is None:
                    continue
                sid = data.get("id")
                if isinstance(sid, str) and sid:
                    ctx.ids.setdefault(sid, []).append(rel)
                key = content_key(data)
                if key:
                    ctx.content.setdefault(key, []).append((str(sid or ""), rel))
        return ctx

    # ---- queries -----------------------------------------------------------------------
    def property_specs(self, system: str, category: str) -> dict[str, PropertySpec]:
        return self.object_types.get(system, {}).get(category, {})

    def profile(self, system: str, profile_id: str) -> ProfileInfo | None:
        return self.profiles.get(system, {}).get(profile_id)


def library_symbols(ws: Workspace):
    """(path, workspace-relative file, its JSON object or None when unreadable) of every
    symbol file in the library, each read once."""
    from .model import read_json_object

    for path in ws.symbol_files():
        rel = ws.relative(path)
        yield path, rel, read_json_object(path, rel)[0]


# Schemas and profiles are read whatever sits at their paths: a named pipe must not hang
# the library pass (bounded_read refuses it; the schema and behavior checks say why).
MAX_SCHEMA_BYTES = 16 * 1024 * 1024
MAX_PROFILE_BYTES = 1024 * 1024


def _read_json(path) -> Any:
    try:
        return json.loads(read_bounded(path, MAX_SCHEMA_BYTES).decode("utf-8"))
    except (OSError, ValueError):
        return None


def _object_types(system: str, objects: Any) -> dict[str, dict[str, PropertySpec]]:
    out: dict[str, dict[str, PropertySpec]] = {}
    if not isinstance(objects, dict):
        return out
    prefix = system + "."
    for key, spec in objects.items():
        local = key[len(prefix):] if key.startswith(prefix) else key
        props: dict[str, PropertySpec] = {}
        raw = spec.get("properties") if isinstance(spec, dict) else None
        if isinstance(raw, dict):
            for pname, pspec in raw.items():
                # the ArxConsole shape is {"type": ..., "unit": ...}; the older Arxos
                # shape holds example values, which say nothing about types
                if isinstance(pspec, dict) and isinstance(pspec.get("type"), str):
                    props[pname] = PropertySpec(pspec["type"].lower() in _NUMERIC_TYPES,
                                                str(pspec.get("unit") or ""))
        out[local] = props
        if "." in local:   # electrical.light_fixture.surface_mount: also reachable by its base
            out.setdefault(local.split(".", 1)[0], props)
    return out


def _profiles(ws: Workspace, system: str) -> dict[str, ProfileInfo]:
    out: dict[str, ProfileInfo] = {}
    for path in ws.profile_files(system):
        rel = ws.relative(path)
        try:
            doc = yaml.load(read_bounded(path, MAX_PROFILE_BYTES), Loader=_YamlLoader)
        except (OSError, yaml.YAMLError, ValueError):
            # a broken profile still exists; the behavior checks report why it is broken
            out[path.stem] = ProfileInfo(path.stem, rel)
            continue
        ports: list[tuple[str, str]] = []
        pid = path.stem
        if isinstance(doc, dict):
            if isinstance(doc.get("id"), str) and doc["id"]:
                pid = doc["id"]
            for p in doc.get("ports") or []:
                if isinstance(p, dict) and p.get("name"):
                    ports.append((str(p["name"]), str(p.get("type") or "")))
                elif isinstance(p, str):
                    ports.append((p, ""))
        info = ProfileInfo(pid, rel, tuple(ports))
        out[pid] = info
        out.setdefault(path.stem, info)
    return out
