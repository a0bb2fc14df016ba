"""``arxconsole profiles``: check behavior profiles and import Arxos profile files.

    arxconsole profiles check [--workspace DIR | --demo] [--system S] [--json]
    arxconsole profiles check FILE|FOLDER... [--system S] [--json]
    arxconsole profiles import FILE|FOLDER... --workspace DIR --system S [--force] [--json]

``check`` loads every profile (of one system or all, or the FILEs named), runs the checks and scenarios and
prints the findings (``--json``: a list of {file, rule, severity, message, hint,
location}); exit 1 when any error is found.  ``import`` converts Arxos profile files
(core/svg-parser/engine/profiles/*.yaml) into ``behavior/<system>/<id>.yaml``, never
overwriting an existing profile without ``--force``; it prints every defect found while
converting and exits 1 when there were errors or a profile was not written.  A FOLDER
stands for the ``.yaml``/``.yml`` files in it and below it.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...engine import durable
from ...engine.behavior import (check_profile_report, check_system_profiles, dump_profile, import_arxos_profiles,
                                load_profile)
from ...engine.findings import Finding, count_by_severity, has_blocking

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers, common) -> None:
    p = subparsers.add_parser("profiles", parents=[common], help="check or import behavior profiles",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="profiles_command", metavar="ACTION")
    chk = sub.add_parser("check", parents=[common], help="check profiles and run their scenarios")
    chk.add_argument("files", nargs="*", metavar="FILE",
                     help="check these profile files (or the YAML files in these folders) instead of a workspace")
    chk.add_argument("--system", help="only this system's profiles (with FILEs: the system they belong to)")
    chk.set_defaults(func=run_check)
    imp = sub.add_parser("import", parents=[common], help="convert Arxos profile files into a workspace")
    imp.add_argument("files", nargs="+", metavar="FILE", help="Arxos profile YAML files, or folders of them")
    imp.add_argument("--system", required=True, help="write into behavior/<system>/")
    imp.add_argument("--force", action="store_true", help="overwrite existing profiles")
    imp.set_defaults(func=run_import)
    p.set_defaults(func=lambda ctx: (p.print_help(), EXIT_USAGE)[1])


def _row(f: Finding) -> dict:
    return {"file": f.file, "rule": f.rule, "severity": f.severity.value, "message": f.message,
            "hint": f.hint, "location": f.location}


def _profile_files(ctx, given: list[str]) -> list[str] | None:
    """The files named, a folder standing for the YAML files in it and below it; None
    (after saying why) when a name is missing or a folder holds no YAML file."""
    files: list[str] = []
    missing, empty = [], []
    for name in given:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
            if not found:
                empty.append(name)
            files += [str(p) for p in found]
        elif os.path.lexists(path):
            files.append(name)      # a pipe or a link to nowhere: the check says what it is
        else:
            missing.append(name)
    if missing:
        ctx.error(f"no such file or folder: {', '.join(missing)}")
        return None
    if empty:
        ctx.error(f"no .yaml or .yml profile file in folder {', '.join(empty)}")
        return None
    return files


def _check_files(files: list[str], system: str | None, findings: list[Finding], stats: dict) -> None:
    for file in files:
        profile, found = load_profile(file)
        if profile is not None:
            pr = check_profile_report(profile, run=not any(f.blocking for f in found), system=system)
            found += pr.findings
            stats["scenarios_run"] += len(pr.results)
            stats["scenarios_passed"] += pr.scenarios_passed
            if pr.eval_ms is not None:
                stats["max_eval_ms"] = max(stats["max_eval_ms"], round(pr.eval_ms, 4))
        stats["profiles_checked"] += 1
        findings += found


def run_check(ctx) -> int:
    system = ctx.args.system
    findings: list[Finding] = []
    stats = {"profiles_checked": 0, "scenarios_run": 0, "scenarios_passed": 0, "max_eval_ms": 0.0}
    if ctx.args.files:
        files = _profile_files(ctx, ctx.args.files)
        if files is None:
            return EXIT_USAGE
        _check_files(files, system, findings, stats)
    else:
        ws = ctx.workspace
        systems = ws.systems()
        if system and system not in systems:
            ctx.error(ws.no_such_system(system))
            return EXIT_USAGE
        for s in [system] if system else systems:
            report = check_system_profiles(ws, s)
            findings += report.findings
            for key in ("profiles_checked", "scenarios_run", "scenarios_passed"):
                stats[key] += report.stats[key]
            stats["max_eval_ms"] = max(stats["max_eval_ms"], report.stats["max_eval_ms"])
    counts = count_by_severity(findings)
    lines = [f"{f} — {f.hint}" if f.hint else str(f) for f in findings]
    lines.append(f"{stats['profiles_checked']} profile(s), {stats['scenarios_passed']}/{stats['scenarios_run']} "
                 f"scenario(s) passed, slowest evaluation {stats['max_eval_ms']:.3f} ms: "
                 f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
                 + (" — FAILED" if has_blocking(findings) else ""))
    ctx.emit([_row(f) for f in findings], "\n".join(lines))
    return EXIT_FAILED if has_blocking(findings) else EXIT_OK


def run_import(ctx) -> int:
    args = ctx.args
    files = _profile_files(ctx, args.files)
    if files is None:
        return EXIT_USAGE
    findings: list[Finding] = []
    written, skipped = [], []
    with ctx.session() as ws:
        for file in files:
            profiles, problems = import_arxos_profiles(file)
            findings += problems
            for prof in profiles:
                prof.object_type = f"{args.system}.{prof.id}"
                target = ws.profile_path(args.system, prof.id)
                rel = ws.root.joinpath(target).relative_to(ws.root).as_posix()
                if target.exists() and not args.force:
                    skipped.append(rel)
                    continue
                header = (f"# Imported by ArxConsole from {Path(file).name} ({prof.file.split('#')[-1]}).\n"
                          "# Read the import findings: undeclared inputs still need declaring.\n")
                durable.write_text(target, header + dump_profile(prof))
                written.append(rel)
    lines = [str(f) for f in findings]
    lines += [f"wrote {w}" for w in written]
    lines += [f"skipped {s}: exists (use --force to overwrite)" for s in skipped]
    counts = count_by_severity(findings)
    lines.append(f"{len(written)} profile(s) written, {len(skipped)} skipped: {counts['error']} error(s), "
                 f"{counts['warning']} warning(s), {counts['info']} info")
    ctx.emit({"written": written, "skipped": skipped, "findings": [_row(f) for f in findings]}, "\n".join(lines))
    return EXIT_FAILED if skipped or has_blocking(findings) else EXIT_OK
