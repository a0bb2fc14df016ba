"""Integration point with engine.symbols: validate a system's symbols with the rules
catalogue, seeing what a dry run has planned (a schema or profile not yet on disk).

The symbol rules are shared by two steps: add-symbols reports structure, drawing,
connections and metadata; compliance reports the rules it owns (security, budgets,
naming).  The validation runs once per run and both steps read the same findings.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from ..findings import Finding
from ..symbols import ValidationContext, validate_symbol, validate_workspace
from ..symbols.context import ProfileInfo, _object_types
from .changes import ChangeSet
from .steps.base import StepContext
from .view import behavior_rel, load_schema, load_yaml, schema_rel, symbols_rel

# Rules whose findings belong to the compliance step (SPEC §3 step 6).
SECURITY_PREFIXES = ("svg.security.",)
BUDGET_RULES = ("svg.size.budget", "svg.size.limit", "svg.depth.budget", "svg.depth.limit", "svg.elements.budget",
                "file.too_large")
NAMING_RULES = ("structure.id.pattern", "structure.id.file_name", "structure.id.prefix")
CACHE_KEY = "symbol_findings"


def owned_by_compliance(rule: str) -> bool:
    return rule.startswith(SECURITY_PREFIXES) or rule in BUDGET_RULES or rule in NAMING_RULES


def _context(ctx: StepContext, index_symbols: bool) -> ValidationContext:
    vctx = ValidationContext.from_workspace(ctx.workspace, index_symbols=index_symbols)
    changes, system = ctx.changes, ctx.system
    if not changes.dry_run:
        return vctx
    # Dry run: facts a real run would have written by now live only in the overlay.
    if schema_rel(system) in changes.planned(schema_rel(system)):
        schema = load_schema(changes, system)
        if schema is not None and isinstance(schema.data, dict):
            vctx.known_systems = frozenset((vctx.known_systems or frozenset()) | {system})
            if isinstance(schema.data.get("code"), str):
                vctx.system_codes[system] = schema.data["code"]
            vctx.object_types[system] = _object_types(system, schema.data.get("objects"))
    for rel in changes.planned(behavior_rel(system) + "/"):
        doc = load_yaml(changes, rel)
        stem = PurePosixPath(rel).stem
        ports = []
        if doc is not None and isinstance(doc.data, dict):
            ports = [(str(p["name"]), str(p.get("type") or "")) for p in doc.data.get("ports") or []
                     if isinstance(p, dict) and p.get("name")]
        vctx.profiles.setdefault(system, {})[stem] = ProfileInfo(stem, rel, tuple(ports))
    return vctx


def validate_system_symbols(ctx: StepContext) -> list[Finding]:
    """Every catalogue finding for the target system's symbols (cached for the run)."""
    cached = ctx.shared.get(CACHE_KEY)
    if cached is not None:
        return cached
    changes: ChangeSet = ctx.changes
    planned = [r for r in changes.planned(symbols_rel(ctx.system) + "/") if r.endswith(".json")]
    vctx = _context(ctx, index_symbols=bool(planned))
    findings = list(validate_workspace(ctx.workspace, ctx.system, cancel=ctx.cancel, ctx=vctx).findings)
    for rel in planned:  # dry run: symbols a real run would have created by now
        doc = changes.read_bytes(rel)
        if doc is None:
            continue


        findings += validate_symbol(json.loads(doc), vctx, file=rel, folder_system=ctx.system)
    ctx.shared[CACHE_KEY] = findings
    return findings
