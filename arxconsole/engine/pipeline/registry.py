"""The generated registry: ``symbol_index.json`` and ``systems.json``.

Both are pure functions of the workspace files (sorted, no timestamps), so
regenerating an unchanged workspace gives byte-identical files.  ``SymbolSearch`` is the
lookup the console uses (id, name words, tags); the registry step proves every symbol
can be found with it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Iterable

from .. import durable
from .changes import ChangeSet
from .view import behavior_rel, load_json, load_schema, schema_objects, schema_rel, symbols_rel

FORMAT = 1
GENERATOR = "arxconsole pipeline"
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _entry(system: str, rel: str, data: Any) -> dict[str, Any]:
    stem = PurePosixPath(rel).stem
    if not isinstance(data, dict):
        return {"id": stem, "name": "", "system": system, "category": "", "object_type": "",
                "file": rel, "tags": [], "behavior_profile": "", "readable": False}
    tags = data.get("tags") if isinstance(data.get("tags"), list) else []
    category = str(data.get("category") or "")
    return {
        "id": str(data.get("id") or stem),
        "name": str(data.get("name") or data.get("display_name") or ""),
        "system": system,
        "category": category,
        "object_type": f"{system}.{category}" if category else "",
        "file": rel,
        "tags": sorted({str(t) for t in tags}),
        "behavior_profile": str(data.get("behavior_profile") or ""),
        "readable": True,
    }


def build_index(changes: ChangeSet, systems: Iterable[str]) -> dict[str, Any]:
    symbols, counts = [], {}
    for system in sorted(set(systems)):
        rels = changes.list_files(symbols_rel(system), ".json")
        counts[system] = len(rels)
        for rel in rels:
            loaded = load_json(changes, rel)
            symbols.append(_entry(system, rel, loaded.data if loaded else None))
    symbols.sort(key=lambda e: e["file"])
    return {"format": FORMAT, "generator": GENERATOR, "count": len(symbols),
            "systems": counts, "symbols": symbols}


def build_systems(changes: ChangeSet, systems: Iterable[str], index: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for system in sorted(set(systems)):
        loaded = load_schema(changes, system)
        data = loaded.data if loaded and isinstance(loaded.data, dict) else {}
        out[system] = {
            "code": data.get("code", ""),
            "version": data.get("version", ""),
            "description": data.get("description", ""),
            "schema": schema_rel(system) if loaded is not None else None,
            "object_types": sorted(schema_objects(loaded)),
            "symbols": index["systems"].get(system, 0),
            "profiles": len(changes.list_files(behavior_rel(system), ".yaml")),
        }
    return {"format": FORMAT, "generator": GENERATOR, "count": len(out), "systems": out}


def render(doc: dict[str, Any]) -> bytes:
    return durable.dump_json(doc).encode("utf-8")


def tokens(text: str) -> set[str]:
    return set(_TOKEN_RE.findall(text.lower()))


class SymbolSearch:
    """Find symbols by id (exact, case-insensitive), name words, tags or category."""

    def __init__(self, index: dict[str, Any]):
        self._by_id: dict[str, str] = {}
        self._by_token: dict[str, set[str]] = {}
        for e in index.get("symbols", []):
            sid = e["id"]
            self._by_id[sid.lower()] = sid
            words = tokens(e.get("name", "")) | tokens(e.get("category", "")) | tokens(sid)
            for t in e.get("tags", []):
                words |= tokens(t)
                words.add(t.lower())
            for w in words:
                self._by_token.setdefault(w, set()).add(sid)

    def search(self, query: str) -> list[str]:
        q = query.strip().lower()
        if not q:
            return []
        hits: set[str] = set()
        if q in self._by_id:
            hits.add(self._by_id[q])
        words = tokens(q)
        if words:
            sets = [self._by_token.get(w, set()) for w in words]
            hits |= set.intersection(*sets)
        return sorted(hits)
