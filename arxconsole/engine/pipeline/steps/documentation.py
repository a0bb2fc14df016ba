"""Step 5: generate ``docs/systems/<system>.md`` with a picture per symbol, and check
coverage (object types with a symbol, symbols with a profile, profiles with a scenario)
against the coverage gate."""

from __future__ import annotations

from ...findings import Finding, Severity
from ...workspace import DOCS_DIR
from .. import docs
from ..symbol_validation import SECURITY_PREFIXES, validate_system_symbols
from ..view import docs_rel, load_profiles, load_schema, load_symbols, schema_objects
from .base import Check, StepContext

STEP_ID = "documentation"
CHECKS = ("docs.coverage", "docs.pictures")


def run(ctx: StepContext) -> list[Check]:
    system = ctx.system
    schema = load_schema(ctx.changes, system)
    schema_doc = schema.data if schema and isinstance(schema.data, dict) else {}
    objects = schema_objects(schema)
    symbols = load_symbols(ctx.changes, system)
    profiles = load_profiles(ctx.changes, system)
    ctx.cancel.check()
    cov = docs.coverage(system, objects, symbols, profiles)
    unsafe = frozenset(f.file.rsplit("/", 1)[-1] for f in validate_system_symbols(ctx)
                       if f.rule.startswith(SECURITY_PREFIXES))
    markdown, pictures = docs.render(system, schema_doc, symbols, profiles, cov, unsafe)
    doc = docs_rel(system)

    pics = Check("docs.pictures")
    for i, (rel, svg) in enumerate(sorted(pictures.items())):
        if i % 100 == 0:
            ctx.cancel.check()
        ctx.changes.write_text(rel, svg)
    folder = f"{DOCS_DIR}/{system}"
    for stale in ctx.changes.list_files(folder, ".svg"):
        if stale not in pictures:
            ctx.changes.remove(stale)
            ctx.log("info", f"removed {stale}: its symbol is gone", file=stale)
    change = ctx.changes.write_text(doc, markdown)
    ctx.log("info", f"{doc}: " + (change.action if change else "unchanged"), file=doc, pictures=len(pictures))

    # Prove the page: every readable symbol has its picture on disk and linked.
    page = (ctx.changes.read_bytes(doc) or b"").decode("utf-8", "replace")
    for s in symbols:
        if not isinstance(s.data, dict):
            continue
        stem = s.rel.rsplit("/", 1)[-1][:-5]
        rel = docs.picture_rel(system, stem)
        if f"{stem}.json" in unsafe:
            pics.findings.append(Finding("docs.pictures.withheld", Severity.WARNING,
                                         f"{doc} shows no picture of {stem}: its drawing failed the security scan",
                                         hint="fix the drawing (compliance lists why)", file=s.rel, symbol_id=stem))
        elif not (isinstance(s.data.get("svg"), str) and s.data["svg"].strip()):
            pics.findings.append(Finding("docs.pictures.no_svg", Severity.WARNING,
                                         f"{s.rel} has no drawing, so its documentation has no picture",
                                         hint="add an svg to the symbol", file=s.rel, symbol_id=stem))
        elif not ctx.changes.exists(rel) or f"({system}/{stem}.svg)" not in page:
            pics.findings.append(Finding("docs.pictures.missing", Severity.ERROR,
                                         f"{doc} does not show the picture of {stem}",
                                         file=doc, symbol_id=stem))

    coverage = Check("docs.coverage")
    for o in cov.objects_without_symbol:
        coverage.findings.append(Finding("docs.coverage.object_without_symbol", Severity.WARNING,
                                         f"object type {o} has no symbol", hint="run new_object for it",
                                         file=f"schemas/{system}/schema.json", location=f"objects.{o}"))
    for sid in cov.symbols_without_profile:
        coverage.findings.append(Finding("docs.coverage.symbol_without_profile", Severity.WARNING,
                                         f"symbol {sid} has no behavior profile that exists",
                                         hint="set behavior_profile to a profile under behavior/" + system,
                                         symbol_id=sid))
    for pid in cov.profiles_without_scenario:
        coverage.findings.append(Finding("docs.coverage.profile_without_scenario", Severity.WARNING,
                                         f"profile {pid} has no scenario", hint="add a scenario that tests it",
                                         file=f"behavior/{system}/{pid}.yaml"))
    ctx.measures.coverage = cov.percent
    ctx.measures.symbols = cov.symbols
    ctx.shared["coverage"] = cov.to_dict()
    gate = ctx.gate("coverage")
    if cov.symbols == 0:
        # A system without symbols has nothing documented, whatever the gate's number (a
        # mistyped --system once passed here at "0/0 = 100 %").
        coverage.findings.append(Finding(
            "docs.coverage.no_symbols", Severity.ERROR if gate is None or gate.required else Severity.WARNING,
            f"system {system} has no symbols: nothing is covered (0 of 0 is not 100 %)",
            hint="add the system's first object type and its symbol (a new_object run: --object NAME, "
                 "or import symbols), or make the gate optional: arxconsole gates set coverage.required false",
            file=f"arx-symbol-library/{system}", data=cov.to_dict()))
    elif gate is not None and cov.percent < float(gate.threshold):
        coverage.findings.append(Finding(
            "docs.coverage.below_gate", Severity.ERROR if gate.required else Severity.WARNING,
            f"coverage {cov.percent:.1f} % is below the gate ({gate.threshold} %)",
            hint="close the gaps listed above, or change the gate: arxconsole gates set coverage N",
            file=doc, data=cov.to_dict()))
    ctx.log("info", f"coverage {cov.percent:.1f} % ({cov.total - cov.uncovered}/{cov.total})", **cov.to_dict())
    return [coverage, pics]
