"""Whole-library validation: a workspace (or some of its systems), or loose files in any
of the three Arxos formats.

Two passes: each file is read, parsed and checked once (per-symbol rules), collecting
ids and content hashes; then the cross-symbol rules (duplicate ids, duplicate content)
run over those collections.  No per-symbol setup beyond that.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..findings import Finding, count_by_severity, has_blocking
from ..progress import CancelToken, ProgressFn, no_progress
from ..workspace import SYMBOLS_DIR, Workspace
from . import parallel
from .catalogue import RULES
from .context import ValidationContext
from .formats import LIBRARY, UNKNOWN, detect_format, to_library
from .model import Symbol, read_json_object
from .rules import apply_waivers, content_key, drawing_key, validate_symbol

PROGRESS_EVERY = 200


@dataclass
class ValidationReport:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    worker_cpu_seconds: float = 0.0     # CPU time spent in worker processes, if any were used

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def blocking(self) -> bool:
        return has_blocking(self.findings)

    @property
    def waivers(self) -> list[Finding]:
        return [f for f in self.findings if f.waived]

    def by_file(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.file, []).append(f)
        return out

    def files_with(self, rule: str) -> set[str]:
        return {f.file for f in self.findings if f.rule == rule}

    def rows(self) -> list[dict[str, Any]]:
        """The CLI's JSON shape: one flat object per finding."""
        return [{"file": f.file, "symbol_id": f.symbol_id, "rule": f.rule, "severity": f.severity.value,
                 "message": f.message, "hint": f.hint, "location": f.location, "waived": f.waived,
                 "waiver_reason": f.waiver_reason, "line": f.data.get("line")} for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"files": self.files, "formats": dict(self.formats), "counts": self.counts,
                "blocking": self.blocking, "seconds": round(self.seconds, 3),
                "findings": [f.to_dict() for f in self.findings]}


class _Duplicates:
    """Collects ids and drawings during the first pass; compares content only where two
    drawings collide, so the full content hash is computed for the few, not the 10,000."""

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = {}
        self.drawings: dict[int | bytes, list[tuple[str, str]]] = {}
        self.symbols: dict[str, Symbol] = {}
        self.content: dict[str, str] = {}     # file -> content key, when a worker computed it

    def add(self, sym: Symbol, file: str, own_id: bool) -> None:
        sid = sym.id if isinstance(sym.id, str) else ""
        if sid and own_id:
            self.ids.setdefault(sid, []).append(file)
        drawing = drawing_key(sym.svg)
        if drawing:
            self.drawings.setdefault(hash(drawing), []).append((sid, file))
        self.symbols[file] = sym

    def add_digest(self, file: str, sid: str, own_id: bool, digest: bytes | None, content: str,
                   waivers: Any) -> None:
        """The same facts from a worker process: a stable digest of the drawing (``hash``
        differs between processes) and the content key it computed, since the symbol
        itself stays in the worker.  Buckets keep first-seen order, like ``add``."""
        if sid and own_id:
            self.ids.setdefault(sid, []).append(file)
        if digest is not None:
            self.drawings.setdefault(digest, []).append((sid, file))
            self.content[file] = content
        # apply_waivers reads only the waivers of the symbol
        self.symbols[file] = Symbol(id=sid, waivers=waivers if waivers is not None else [])

    def findings(self) -> list[Finding]:
        out: list[Finding] = []
        for sid, files in self.ids.items():
            if len(files) > 1:
                for f in files:
                    others = [o for o in files if o != f]
                    out.extend(apply_waivers(self.symbols[f], [RULES["structure.id.duplicate"].finding(
                        f"id {sid!r} is also used by {', '.join(others)}", location="id", file=f, symbol_id=sid,
                        others=others)], f, sid))
        for bucket in self.drawings.values():
            if len(bucket) < 2:
                continue
            groups: dict[str, list[tuple[str, str]]] = {}
            for sid, f in bucket:
                key = self.content.get(f)
                if key is None:
                    key = content_key(self.symbols[f])
                groups.setdefault(key, []).append((sid, f))
            for members in groups.values():
                if len(members) < 2:
                    continue
                for sid, f in members:
                    twins = [(i, o) for i, o in members if o != f]
                    out.extend(apply_waivers(self.symbols[f], [RULES["structure.content.duplicate"].finding(
                        "same drawing, properties and connections as "
                        + ", ".join(f"{i or '?'} ({o})" for i, o in twins), location="svg", file=f,
                        symbol_id=sid, others=[o for _, o in twins])], f, sid))
        # apply_waivers also re-reports unused waivers; keep only the duplicate findings
        return [f for f in out if f.rule in ("structure.id.duplicate", "structure.content.duplicate")]


def _symbol_files(ws: Workspace, system: str | None) -> list[tuple[str, str, str]]:
    """(system folder, absolute path, workspace-relative path) of every symbol file, sorted.

    os.scandir instead of Path.glob: the listing is a visible share of a 10,000-file pass."""
    out: list[tuple[str, str, str]] = []
    root = ws.root / SYMBOLS_DIR
    systems = [system] if system else ws.systems()
    for s in systems:
        folder = root / s
        try:
            with os.scandir(folder) as it:
                # Not only regular files: a folder or a dangling link named like a symbol is
                # reported (file.unreadable) rather than silently left out of the count.
                names = sorted(e.name for e in it if e.name.endswith(".json") and not e.name.startswith("."))
        except OSError:
            continue
        base = str(folder) + os.sep
        rel = f"{SYMBOLS_DIR}/{s}/"
        out.extend((s, base + n, rel + n) for n in names)
    return out


def validate_workspace(ws: Workspace, system: str | None = None, progress: ProgressFn | None = None,
                       cancel: CancelToken | None = None, ctx: ValidationContext | None = None, *,
                       workers: int | None = None) -> ValidationReport:
    """Validate every symbol of the workspace (or of one system) with the whole catalogue.

    ``workers``: processes to spread a large library over; ``None`` picks by library size
    and CPUs (in-process below ``parallel.PARALLEL_MIN_FILES`` files), 1 forces in-process.
    The report is the same either way, finding for finding and in the same order."""
    started = time.perf_counter()
    progress = progress or no_progress
    ctx = ctx or ValidationContext.from_workspace(ws)
    files = _symbol_files(ws, system)
    n_workers = parallel.worker_count(len(files), workers)
    report = None
    if n_workers > 1:
        try:
            report = _validate_in_workers(files, ctx, n_workers, progress, cancel)
        except parallel.PoolUnavailable:
            report = None            # start over in-process: same findings, only slower
    if report is None:
        report = _validate_in_process(files, ctx, progress, cancel)
    report.seconds = time.perf_counter() - started
    return report


def _validate_in_process(files: list[tuple[str, str, str]], ctx: ValidationContext, progress: ProgressFn,
                         cancel: CancelToken | None) -> ValidationReport:
    report = ValidationReport()
    total = len(files)
    dups = _Duplicates()
    findings = report.findings
    formats = report.formats
    for n, (folder, path, rel) in enumerate(files):
        if n % PROGRESS_EVERY == 0:
            if cancel is not None:
                cancel.check()
            progress(n, total, f"validating symbols ({n}/{total})")
        data, problems = read_json_object(path, rel)
        if data is None:
            findings.extend(problems)
            continue
        fmt = detect_format(data)
        formats[fmt] = formats.get(fmt, 0) + 1
        sym = Symbol.from_dict(data)
        findings.extend(validate_symbol(sym, ctx, file=rel, folder_system=folder, check_duplicates=False))
        dups.add(sym, rel, own_id=True)
    report.files = total
    report.findings.extend(dups.findings())
    progress(total, total, f"validated {total} symbols")
    return report


def _validate_in_workers(files: list[tuple[str, str, str]], ctx: ValidationContext, workers: int,
                         progress: ProgressFn, cancel: CancelToken | None) -> ValidationReport:
    report = ValidationReport()
    total = len(files)
    dups = _Duplicates()
    findings = report.findings
    formats = report.formats
    unpack = parallel.unpack
    if cancel is not None:
        cancel.check()
    progress(0, total, f"validating symbols (0/{total})")
    done = 0
    for chunk, cpu in parallel.run_chunks(files, ctx, workers, cancel):
        report.worker_cpu_seconds += cpu
        for fmt, packed, sid, digest, content, waivers in chunk:
            rel = files[done][2]
            done += 1
            findings.extend(unpack(t) for t in packed)
            if fmt is None:
                continue
            formats[fmt] = formats.get(fmt, 0) + 1
            dups.add_digest(rel, sid, True, digest, content, waivers)
        progress(done, total, f"validating symbols ({done}/{total})")
    report.files = total
    report.findings.extend(dups.findings())
    progress(total, total, f"validated {total} symbols")
    return report


def iter_symbol_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named, plus every *.json below folders named (sorted, hidden files skipped)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*.json")
                              if not any(part.startswith(".") for part in f.relative_to(path).parts)))
        else:
            out.append(path)
    return out


def validate_paths(paths: Iterable[str | os.PathLike], ctx: ValidationContext | None = None,
                   progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> ValidationReport:
    """Validate loose files or folders in any of the three formats.

    Older formats are converted in memory first (``structure.format.converted`` says so),
    then checked like library symbols, so what an import would leave for a human shows up
    as findings (ports without coordinates, empty drawings, drawings outside their box).
    """
    started = time.perf_counter()
    progress = progress or no_progress
    ctx = ctx or ValidationContext()
    report = ValidationReport()
    files = iter_symbol_paths(paths)
    dups = _Duplicates()
    for n, path in enumerate(files):
        if cancel is not None:
            cancel.check()
        progress(n, len(files), f"validating {path.name}")
        name = str(path)
        report.files += 1
        if not os.path.lexists(path):      # a link to nowhere is read below, and named as one
            report.findings.append(RULES["file.unreadable"].finding(f"{name}: no such file", file=name))
            continue
        data, problems = read_json_object(path, name)
        if data is None:
            report.findings.extend(problems)
            continue
        fmt = detect_format(data)
        report.formats[fmt] = report.formats.get(fmt, 0) + 1
        own_id = fmt in (LIBRARY, UNKNOWN)
        if not own_id:
            data, notes = to_library(data, source=name, stem=path.stem)
            report.findings.append(RULES["structure.format.converted"].finding(
                f"{fmt} format; checked as {notes.symbol_id} after conversion"
                + (f" ({len(notes.needs_human)} item(s) need a human)" if notes.needs_human else ""),
                file=name, symbol_id=notes.symbol_id, format=fmt, needs_human=notes.needs_human))
        sym = Symbol.from_dict(data)
        report.findings.extend(validate_symbol(sym, ctx, file=name, check_file_name=own_id, check_duplicates=False))
        dups.add(sym, name, own_id=own_id)
    report.findings.extend(dups.findings())
    progress(len(files), len(files), f"validated {len(files)} files")
    report.seconds = time.perf_counter() - started
    return report
