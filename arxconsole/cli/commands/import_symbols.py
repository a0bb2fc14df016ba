"""``arxconsole import-symbols``: import symbol files (library, normalized or legacy rich
format) into a workspace, converting them to the library format.

    arxconsole import-symbols SRC ... --workspace DIR [--system S] [--report FILE] [--dry-run] [--json]

Never overwrites an existing symbol, and never writes an id the library already uses in
any system: a clash is reported as a conflict naming the file that has the id.  ``--report``
writes the migration report as FILE (JSON) and a Markdown twin.  Exit 0 when every
source was imported, 1 on any conflict or failure, 2 on a usage error.
"""

from __future__ import annotations

from pathlib import Path

from ...engine.durable import check_output_path, output_error
from ...engine.symbols.importer import import_symbols

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers, common) -> None:
    p = subparsers.add_parser("import-symbols", parents=[common],
                              help="import symbols (any Arxos format) into a workspace",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("sources", nargs="+", metavar="SRC", help="symbol files or folders")
    p.add_argument("--system", help="import into this system (default: each symbol's own)")
    p.add_argument("--report", metavar="FILE", help="write the migration report (JSON + .md)")
    p.add_argument("--dry-run", action="store_true", help="convert and check, write nothing")
    p.set_defaults(func=run)


def run(ctx) -> int:
    args = ctx.args
    if not ctx.workspace_path(required=False):
        ctx.error("import-symbols needs --workspace DIR (or --demo)")
        return EXIT_USAGE
    missing = [s for s in args.sources if not Path(s).exists()]
    if missing:
        ctx.error(f"no such file or folder: {', '.join(missing)}")
        return EXIT_USAGE
    ws = ctx.workspace
    if args.report:
        # Before importing anything: the report is written last, and a path it cannot use
        # used to end in a traceback after the symbols were already written.
        for path in (Path(args.report), *_report_files(args.report)):   # the path as typed first
            check_output_path(path)
    with ws.lock():
        try:
            report = import_symbols(args.sources, ws, system=args.system, report_path=args.report,
                                    dry_run=args.dry_run)
        except OSError as exc:   # e.g. permission denied: a message, never a traceback
            raise output_error(exc.filename or args.report or ws.root, exc) from None
    d = report.to_dict()
    lines = []
    for item in report.items:
        extra = f" — {item.reason}" if item.reason else ""
        human = f" ({len(item.notes.needs_human)} item(s) need a human)" if item.notes and item.notes.needs_human else ""
        lines.append(f"{item.status:<12} {item.source} -> {item.target or '-'}{extra}{human}")
    lines.append(f"imported {d['imported']}, conflicts {d['conflicts']}, failed {d['failed']}"
                 + (f", would import {d['would_import']}" if args.dry_run else "")
                 + (f"; report: {', '.join(report.report_files)}" if report.report_files else ""))
    ctx.emit(d, "\n".join(lines))
    return EXIT_OK if report.ok else EXIT_FAILED


def _report_files(path: str) -> list[Path]:
    """The two files ``--report`` writes: the JSON (``.json`` added when missing) and its
    Markdown twin (the importer's naming, engine.symbols.importer.write_migration_report)."""
    p = Path(path)
    json_path = p if p.suffix.lower() == ".json" else p.with_suffix(".json")
    return [json_path, json_path.with_suffix(".md")]
