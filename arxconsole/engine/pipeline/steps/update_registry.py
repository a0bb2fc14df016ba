"""Step 4: regenerate ``symbol_index.json`` and ``systems.json`` for the whole workspace
and prove them: complete, counts agree, deterministic, every symbol findable."""

from __future__ import annotations

import json
from collections import Counter

from ...findings import Finding, Severity
from ...workspace import SYMBOL_INDEX, SYSTEMS_REGISTRY
from .. import registry
from ..view import symbols_rel
from .base import Check, StepContext

STEP_ID = "update-registry"
CHECKS = ("registry.complete", "registry.counts", "registry.deterministic", "registry.search")


def _f(rule, msg, hint="", file=SYMBOL_INDEX, sev=Severity.ERROR, **kw) -> Finding:
    return Finding(rule, sev, msg, hint=hint, file=file, **kw)


def systems_of(ctx: StepContext) -> list[str]:
    return sorted(set(ctx.workspace.systems()) | {ctx.system})


def run(ctx: StepContext) -> list[Check]:
    systems = systems_of(ctx)
    index = registry.build_index(ctx.changes, systems)
    ctx.cancel.check()
    sysdoc = registry.build_systems(ctx.changes, systems, index)
    index_bytes, systems_bytes = registry.render(index), registry.render(sysdoc)
    for rel, data in ((SYMBOL_INDEX, index_bytes), (SYSTEMS_REGISTRY, systems_bytes)):
        change = ctx.changes.write(rel, data)
        ctx.log("info", f"{rel}: " + (f"{change.action}" if change else "unchanged"), file=rel)
    ctx.cancel.check()

    # Everything below re-reads what is now in the workspace (or the dry-run overlay).
    written = registry.build_index(ctx.changes, systems)
    complete = Check("registry.complete")
    listed = {e["file"] for e in written["symbols"]}
    on_disk = {rel for s in systems for rel in ctx.changes.list_files(symbols_rel(s), ".json")}
    stored = ctx.changes.read_bytes(SYMBOL_INDEX)

    stored_doc = json.loads(stored) if stored else {"symbols": []}
    stored_files = [e.get("file") for e in stored_doc.get("symbols", [])]
    for rel in sorted(on_disk - set(stored_files)):
        complete.findings.append(_f("registry.complete.missing", f"{rel} is not in {SYMBOL_INDEX}",
                                    "re-run update-registry", symbol_id=rel.rsplit("/", 1)[-1][:-5]))
    for rel in sorted(set(stored_files) - on_disk):
        complete.findings.append(_f("registry.complete.extra", f"{SYMBOL_INDEX} lists {rel}, which does not exist",
                                    "re-run update-registry"))
    if len(stored_files) != len(set(stored_files)):
        complete.findings.append(_f("registry.complete.duplicate", f"{SYMBOL_INDEX} lists a file twice"))
    for e in written["symbols"]:
        if not e["readable"]:
            complete.findings.append(_f("registry.complete.unreadable",
                                        f"{e['file']} cannot be read; indexed by file name only",
                                        "fix the symbol file", file=e["file"], symbol_id=e["id"]))

    counts = Check("registry.counts")
    if stored_doc.get("count") != len(stored_files):
        counts.findings.append(_f("registry.counts.total",
                                 f"{SYMBOL_INDEX} count {stored_doc.get('count')} != {len(stored_files)} entries"))
    per_system = {s: sum(1 for rel in on_disk if rel.startswith(symbols_rel(s) + "/")) for s in systems}
    if stored_doc.get("systems") != per_system:
        counts.findings.append(_f("registry.counts.systems",
                                  f"{SYMBOL_INDEX} per-system counts {stored_doc.get('systems')} != files {per_system}"))
    sys_stored = ctx.changes.read_bytes(SYSTEMS_REGISTRY)
    sys_doc = json.loads(sys_stored) if sys_stored else {"systems": {}}
    for s in systems:
        n = (sys_doc.get("systems", {}).get(s) or {}).get("symbols")
        if n != per_system[s]:
            counts.findings.append(_f("registry.counts.systems_json",
                                      f"{SYSTEMS_REGISTRY} says {s} has {n} symbols; there are {per_system[s]}",
                                      file=SYSTEMS_REGISTRY))

    deterministic = Check("registry.deterministic")
    again = registry.render(written), registry.render(registry.build_systems(ctx.changes, systems, written))
    for rel, want, got in ((SYMBOL_INDEX, again[0], stored), (SYSTEMS_REGISTRY, again[1], sys_stored)):
        if want != got:
            deterministic.findings.append(_f("registry.deterministic.drift",
                                             f"regenerating {rel} does not give the same bytes", file=rel))

    search = Check("registry.search")
    finder = registry.SymbolSearch(stored_doc)
    ids = [e["id"] for e in stored_doc.get("symbols", [])]
    dup = {i for i, n in Counter(ids).items() if n > 1}
    for sid in sorted(dup):
        search.findings.append(_f("registry.search.duplicate_id", f"symbol id {sid} appears in more than one file",
                                  "ids must be unique across the library", symbol_id=sid))
    for i, e in enumerate(stored_doc.get("symbols", [])):
        if i % 200 == 0:
            ctx.cancel.check()
        sid = e["id"]
        if sid not in finder.search(sid):
            search.findings.append(_f("registry.search.by_id", f"{sid} is not found by its id",
                                      file=e["file"], symbol_id=sid))
        if not e.get("readable", True):
            continue
        if not e["name"]:
            search.findings.append(_f("registry.search.no_name", f"{sid} has no name, so name search cannot find it",
                                      "give the symbol a name", e["file"], Severity.WARNING, symbol_id=sid))
        elif sid not in finder.search(e["name"]):
            search.findings.append(_f("registry.search.by_name", f"{sid} is not found by its name {e['name']!r}",
                                      file=e["file"], symbol_id=sid))
        for tag in e["tags"]:
            if sid not in finder.search(tag):
                search.findings.append(_f("registry.search.by_tag", f"{sid} is not found by its tag {tag!r}",
                                          file=e["file"], symbol_id=sid))
    ctx.shared["index"] = stored_doc
    ctx.log("info", f"registry: {len(ids)} symbols in {len(systems)} systems", symbols=len(ids), systems=len(systems))
    return [complete, counts, deterministic, search]
