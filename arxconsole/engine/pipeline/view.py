"""Reading the target system's files through a ChangeSet (so dry runs see planned files).

Parse problems come back as findings naming the file, never as exceptions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

try:  # libyaml's parser is ~10x faster; pure Python where it is absent
    _YAML_LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YAML_LOADER = yaml.SafeLoader

from ..findings import Finding, Severity
from ..workspace import BEHAVIOR_DIR, DOCS_DIR, SCHEMAS_DIR, SYMBOLS_DIR
from .changes import ChangeSet


def schema_rel(system: str) -> str:
    return f"{SCHEMAS_DIR}/{system}/schema.json"


def symbols_rel(system: str) -> str:
    return f"{SYMBOLS_DIR}/{system}"


def behavior_rel(system: str) -> str:
    return f"{BEHAVIOR_DIR}/{system}"


def profile_rel(system: str, profile_id: str) -> str:
    return f"{BEHAVIOR_DIR}/{system}/{profile_id}.yaml"


def docs_rel(system: str) -> str:
    return f"{DOCS_DIR}/{system}.md"


@dataclass
class Loaded:
    rel: str
    data: Any            # parsed document, None when unreadable
    text: str = ""
    problem: str = ""    # why it could not be read


def load_json(changes: ChangeSet, rel: str) -> Loaded | None:
    return changes.parsed(rel, "json", _parse_json)


def load_yaml(changes: ChangeSet, rel: str) -> Loaded | None:
    return changes.parsed(rel, "yaml", _parse_yaml)


def _parse_json(rel: str, raw: bytes | None) -> Loaded | None:
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
        return Loaded(rel, json.loads(text), text)
    except UnicodeDecodeError as exc:
        return Loaded(rel, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except ValueError as exc:
        return Loaded(rel, None, raw.decode("utf-8", "replace"), f"not valid JSON: {exc}")


def _parse_yaml(rel: str, raw: bytes | None) -> Loaded | None:
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
        return Loaded(rel, yaml.load(text, Loader=_YAML_LOADER), text)
    except UnicodeDecodeError as exc:
        return Loaded(rel, None, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return Loaded(rel, None, raw.decode("utf-8", "replace"), f"not valid YAML: {exc}")


def unreadable(rule: str, loaded: Loaded) -> Finding:
    return Finding(rule, Severity.ERROR, f"{loaded.rel}: {loaded.problem}",
                   hint="fix the file so it parses; the pipeline never overwrites it", file=loaded.rel)


def load_schema(changes: ChangeSet, system: str) -> Loaded | None:
    return load_json(changes, schema_rel(system))


def schema_objects(schema: Loaded | None) -> dict[str, dict]:
    if schema is None or not isinstance(schema.data, dict):
        return {}
    objs = schema.data.get("objects")
    return {k: v for k, v in objs.items() if isinstance(v, dict)} if isinstance(objs, dict) else {}


def load_symbols(changes: ChangeSet, system: str) -> list[Loaded]:
    return [load_json(changes, rel) for rel in changes.list_files(symbols_rel(system), ".json")]


def load_profiles(changes: ChangeSet, system: str) -> list[Loaded]:
    return [load_yaml(changes, rel) for rel in changes.list_files(behavior_rel(system), ".yaml")]


def local_name(object_type: str) -> str:
    """``electrical.smart_switch`` -> ``smart_switch`` (first part after the system)."""
    parts = object_type.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def symbol_object_type(system: str, symbol: dict) -> str:
    return f"{system}.{symbol.get('category', '')}"
