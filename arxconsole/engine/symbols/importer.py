"""Import symbol files (any of the three Arxos formats) into a workspace system folder.

Every source is converted to the library format and written durably as
``arx-symbol-library/<system>/<ID>.json``.  An existing symbol is never overwritten and
an id stays unique in the whole library: a source whose id is already used by a file in
any system folder (by its name or the id inside it) is reported as a conflict naming
that file, and not written (the same holds between two sources of one import that
convert to the same id).  The migration report lists, per file, what was
converted and what needs a human; it is written as JSON and Markdown when asked.

Cancelling stops between two files: what was written stays (each file is whole), and the
report says so and lists exactly the files looked at before the stop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .. import durable
from ..errors import UserError
from ..findings import Finding
from ..progress import Cancelled, CancelToken, ProgressFn, no_progress
from ..workspace import Workspace
from .context import ValidationContext, library_symbols
from .formats import UNKNOWN, MigrationNotes, detect_format, to_library
from .model import Symbol, read_json_object, save_symbol
from .rules import validate_symbol
from .validate import iter_symbol_paths

IMPORTED, CONFLICT, FAILED, WOULD_IMPORT = "imported", "conflict", "failed", "would-import"


class ImportError_(UserError):
    """An import cannot start (no sources, no system to import into)."""


@dataclass
class ImportItem:
    source: str
    status: str                         # imported | conflict | failed | would-import
    symbol_id: str = ""
    target: str = ""                    # workspace-relative path written (or that would be)
    reason: str = ""                    # for conflict / failed
    notes: MigrationNotes | None = None
    findings: list[Finding] = field(default_factory=list)   # validation of the converted symbol

    def to_dict(self) -> dict[str, Any]:
        d = {"source": self.source, "status": self.status, "symbol_id": self.symbol_id, "target": self.target,
             "reason": self.reason, "source_format": self.notes.source_format if self.notes else "",
             "converted": list(self.notes.converted) if self.notes else [],
             "needs_human": list(self.notes.needs_human) if self.notes else [],
             "findings": [f.to_dict() for f in self.findings]}
        return d


@dataclass
class ImportReport:
    items: list[ImportItem] = field(default_factory=list)
    report_files: list[str] = field(default_factory=list)
    total: int = 0                      # source files found; more than len(items) when cancelled
    cancelled: bool = False             # stopped by the user before every file was looked at

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def ok(self) -> bool:
        return not any(i.status in (CONFLICT, FAILED) for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"imported": self.count(IMPORTED), "conflicts": self.count(CONFLICT), "failed": self.count(FAILED),
                "would_import": self.count(WOULD_IMPORT),
                "needs_human": sum(1 for i in self.items if i.notes and i.notes.needs_human),
                "total": self.total, "cancelled": self.cancelled, "not_looked_at": self.total - len(self.items),
                "items": [i.to_dict() for i in self.items], "report_files": list(self.report_files)}

    def to_markdown(self) -> str:
        d = self.to_dict()
        lines = ["# Symbol import — migration report", "",
                 f"- imported: {d['imported']}", f"- conflicts (not written): {d['conflicts']}",
                 f"- failed: {d['failed']}", f"- files needing a human: {d['needs_human']}", ""]
        if d["would_import"]:
            lines.insert(3, f"- would import (dry run): {d['would_import']}")
        if self.cancelled:
            lines.insert(2, f"**Cancelled by the user** after {len(self.items)} of {self.total} files; "
                            f"the other {d['not_looked_at']} were not imported.")
            lines.insert(3, "")
        for item in self.items:
            lines.append(f"## {item.source}")
            lines.append("")
            fmt = item.notes.source_format if item.notes else "?"
            lines.append(f"- status: **{item.status}**" + (f" — {item.reason}" if item.reason else ""))
            lines.append(f"- format: {fmt}" + (f"; id: `{item.symbol_id}`" if item.symbol_id else ""))
            if item.target:
                lines.append(f"- written to: `{item.target}`")
            if item.notes and item.notes.converted:
                lines.append("- converted:")
                lines.extend(f"  - {c}" for c in item.notes.converted)
            if item.notes and item.notes.needs_human:
                lines.append("- **needs a human:**")
                lines.extend(f"  - [ ] {c}" for c in item.notes.needs_human)
            for title, wanted in (("errors", "error"), ("warnings", "warning")):
                shown = [f for f in item.findings if f.severity.value == wanted and not f.waived]
                if shown:
                    lines.append(f"- validation {title} after conversion:")
                    lines.extend(f"  - `{f.rule}` {f.location}: {f.message}" for f in shown)
            lines.append("")
        return "\n".join(lines)


def library_ids(ws: Workspace, cancel: CancelToken | None = None) -> dict[str, str]:
    """id -> workspace-relative file of every symbol in the library: each file's stem and
    the id written inside it (what ``validate`` compares for structure.id.duplicate)."""
    ids: dict[str, str] = {}
    for path, rel, data in library_symbols(ws):
        if cancel is not None:
            cancel.check()          # reading a large library takes a while: stoppable too
        ids.setdefault(path.stem, rel)
        sid = data.get("id") if data is not None else None
        if isinstance(sid, str) and sid:
            ids.setdefault(sid, rel)
    return ids


def import_symbols(sources: Iterable[str | os.PathLike], ws: Workspace, system: str | None = None, *,
                   report_path: str | os.PathLike | None = None, dry_run: bool = False,
                   progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> ImportReport:
    """Convert and write each source symbol; conflicts and failures are reported, never raised.

    ``cancel`` is looked at between files (never inside one): a cancelled import returns
    (and writes) the report of the files handled so far with ``cancelled`` set, rather than
    raising, so the caller can say what was imported before the stop."""
    progress = progress or no_progress
    files = iter_symbol_paths(sources)
    if not files:
        raise ImportError_("nothing to import: no .json files in the given sources")
    ctx = ValidationContext.from_workspace(ws)
    report = ImportReport(total=len(files))
    taken: dict[str, str] = {}            # id -> source, within this import
    progress(0, len(files), "reading the ids already in the library")
    try:
        existing = library_ids(ws, cancel)    # id -> file, already in the library
    except Cancelled:
        existing = {}
        report.cancelled = True
    for n, path in enumerate(files):
        progress(n, len(files), f"importing {path.name}")
        if report.cancelled or (cancel is not None and cancel.cancelled):
            report.cancelled = True
            break
        name = str(path)
        if not path.is_file():
            report.items.append(ImportItem(name, FAILED, reason="no such file"))
            continue
        data, problems = read_json_object(path, name)
        if data is None:
            report.items.append(ImportItem(name, FAILED, reason=problems[0].message, findings=problems))
            continue
        converted, notes = to_library(data, source=name, stem=path.stem, codes=ctx.system_codes, system=system)
        target_system = converted.get("system")
        sid = converted.get("id")
        if detect_format(data) == UNKNOWN or not isinstance(target_system, str) or not target_system \
                or not isinstance(sid, str) or not sid:
            report.items.append(ImportItem(name, FAILED, symbol_id=str(sid or ""), notes=notes,
                                           reason="not a symbol: no usable system and id (pass --system?)"))
            continue
        if "/" in sid or "\\" in sid or sid.startswith(".") or "/" in target_system or target_system.startswith("."):
            report.items.append(ImportItem(name, FAILED, symbol_id=sid, notes=notes,
                                           reason="id or system is not a plain name; refusing to write outside "
                                                  "the symbol folder"))
            continue
        target = ws.symbol_path(target_system, sid)
        rel = f"arx-symbol-library/{target_system}/{sid}.json"
        sym = Symbol.from_dict(converted)
        findings = validate_symbol(sym, ctx, file=rel, folder_system=target_system)
        # First: a clash inside this import (its first file may already be written, and
        # 'already exists' would then blame the library for our own write).
        if sid in taken:
            report.items.append(ImportItem(name, CONFLICT, sid, rel, f"{taken[sid]} in this import already "
                                           f"converts to {sid}; not overwritten", notes, findings))
            continue
        if target.exists():
            report.items.append(ImportItem(name, CONFLICT, sid, rel, f"{rel} already exists; not overwritten",
                                           notes, findings))
            continue
        if sid in existing:
            report.items.append(ImportItem(name, CONFLICT, sid, rel, f"id {sid} is already used by "
                                           f"{existing[sid]}; not written (an id is unique in the library)",
                                           notes, findings))
            continue
        taken[sid] = name
        if dry_run:
            report.items.append(ImportItem(name, WOULD_IMPORT, sid, rel, "", notes, findings))
            continue
        try:
            save_symbol(target, sym)
        except OSError as exc:
            report.items.append(ImportItem(name, FAILED, sid, rel, f"cannot write {rel}: {exc.strerror or exc}",
                                           notes, findings))
            continue
        report.items.append(ImportItem(name, IMPORTED, sid, rel, "", notes, findings))
    if report.cancelled:
        progress(len(report.items), len(files), "import cancelled")
    else:
        progress(len(files), len(files), "import finished")
    if report_path is not None:
        write_migration_report(report, report_path)
    return report


def write_migration_report(report: ImportReport, path: str | os.PathLike) -> list[str]:
    """Write ``<path>`` as JSON and a Markdown twin (``.md``) beside it."""
    p = Path(path)
    json_path = p if p.suffix.lower() == ".json" else p.with_suffix(".json")
    md_path = json_path.with_suffix(".md")
    report.report_files = [str(json_path), str(md_path)]
    durable.write_json(json_path, report.to_dict())
    durable.write_text(md_path, report.to_markdown())
    return report.report_files
