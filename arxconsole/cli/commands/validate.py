"""``arxconsole validate``: run the symbol rules catalogue over a workspace or loose files.

    arxconsole validate [--workspace DIR | --demo] [--system S] [--json] [PATH ...]

With PATHs, validates those files/folders (any of the three Arxos formats; older ones are
converted in memory), using the workspace's registry when one is named.  Otherwise
validates the workspace's symbols (or one system's).  Exit 0 clean (warnings allowed),
1 when any unwaived error is found, 2 on a usage error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ...engine.symbols import ValidationContext, catalogue, validate_paths, validate_workspace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers, common) -> None:
    p = subparsers.add_parser("validate", parents=[common], help="validate symbols with the rules catalogue",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", metavar="PATH", help="symbol files or folders (any Arxos format)")
    p.add_argument("--system", help="only this system's symbols (workspace mode)")
    p.add_argument("--rules", action="store_true", help="list the rules catalogue and exit")
    p.set_defaults(func=run)


def run(ctx) -> int:
    args = ctx.args
    if args.rules:
        rules = catalogue()
        ctx.emit(rules, "\n".join(f"{r['id']:<40} {r['severity']:<8} {r['description']}" for r in rules))
        return EXIT_OK
    ws_path = ctx.workspace_path(required=False)
    if args.paths:
        # lexists: a link to nowhere or a pipe is named by its finding, not called missing
        missing = [p for p in args.paths if not os.path.lexists(p)]
        if missing:
            ctx.error(f"no such file or folder: {', '.join(missing)}")
            return EXIT_USAGE
        vctx = ValidationContext.from_workspace(ctx.workspace) if ws_path else ValidationContext()
        report = validate_paths(args.paths, vctx, progress=_progress(ctx))
    else:
        if not ws_path:
            ctx.error("nothing to validate: pass --workspace DIR, --demo, or PATHs")
            return EXIT_USAGE
        ws = ctx.workspace
        if args.system and args.system not in ws.systems():
            ctx.error(ws.no_such_system(args.system))
            return EXIT_USAGE
        report = validate_workspace(ws, system=args.system, progress=_progress(ctx))
    counts = report.counts
    lines = []
    for f in report.findings:
        line = f.data.get("line")
        lines.append(str(f) + (f" (svg line {line})" if line and f.rule.startswith("svg.") else ""))
    lines.append(f"{report.files} file(s): {counts['error']} error(s), {counts['warning']} warning(s), "
                 f"{counts['info']} info, {counts['waived']} waived"
                 + ("" if not report.blocking else " — FAILED"))
    ctx.emit(report.rows(), "\n".join(lines))
    return EXIT_FAILED if report.blocking else EXIT_OK


def _progress(ctx):
    if ctx.json or not sys.stderr.isatty():
        return None

    def show(done: int, total: int, message: str) -> None:
        sys.stderr.write(f"\r{message}\x1b[K")
        if done >= total:
            sys.stderr.write("\n")
    return show
