"""``arxconsole run`` (the pipeline), ``arxconsole runs list|show|log`` (its history) and
``arxconsole gates list|set`` (the quality gates).  Thin over
``arxconsole.engine.pipeline``; exit 0 when the run succeeded, 1 when it failed, was
cancelled or rolled back, 2 on usage errors (a --system the workspace does not have,
without --create-system, is one)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ...engine.errors import UserError
from ...engine.pipeline import (STEP_IDS, EventKind, PipelineEvent, PipelineRunner, RunHistory, RunRequest,
                                RunRequestError, UnknownSystemError, load_gates, plan_retry, run_to_dict,
                                set_gate)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers, common) -> None:
    r = subparsers.add_parser("run", parents=[common], help="run the pipeline for a system or an object type")
    r.add_argument("--system", "-s", help="the system (e.g. electrical); it must exist unless --create-system")
    r.add_argument("--object", "-o", metavar="OBJECT",
                   help="an object type in the system (smart_switch or electrical.smart_switch): new_object run")
    r.add_argument("--create-system", action="store_true",
                   help="--system names a new system: create it (its schema from the template; add --object "
                        "for its first object type and symbol, without which the coverage gate fails)")
    r.add_argument("--dry-run", action="store_true", help="run every check, write nothing, show the diffs")
    r.add_argument("--from", dest="from_step", choices=STEP_IDS, metavar="STEP", help="start at this step")
    r.add_argument("--only", choices=STEP_IDS, metavar="STEP", help="run only this step")
    r.add_argument("--retry", type=int, metavar="RUN_ID",
                   help="retry a run that failed, was cancelled or rolled back: from its failed step, or from "
                        "the first step whose changes the rollback undid")
    r.add_argument("--quiet", "-q", action="store_true", help="no live log lines, only the summary")
    r.set_defaults(func=_run)

    runs = subparsers.add_parser("runs", parents=[common], help="pipeline run history")
    sub = runs.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", parents=[common], help="recent runs (of --workspace, else all)")
    ls.add_argument("--limit", type=int, default=20)
    ls.set_defaults(func=_list)
    sh = sub.add_parser("show", parents=[common], help="one run: steps, findings, gate decisions")
    sh.add_argument("id", type=int)
    sh.set_defaults(func=_show)
    lg = sub.add_parser("log", parents=[common], help="one run's log")
    lg.add_argument("id", type=int)
    lg.add_argument("--level", choices=("debug", "info", "warning", "error"))
    lg.add_argument("--step", choices=STEP_IDS)
    lg.add_argument("--search", metavar="TEXT")
    lg.set_defaults(func=_log)

    g = subparsers.add_parser("gates", parents=[common], help="quality gates applied to every run")
    gsub = g.add_subparsers(dest="gates_command", metavar="ACTION", required=True)
    gsub.add_parser("list", parents=[common], help="the gates and their thresholds").set_defaults(func=_gates_list)
    gs = gsub.add_parser("set", parents=[common], help="change a gate: NAME VALUE (NAME.required true|false)")
    gs.add_argument("name")
    gs.add_argument("value")
    gs.set_defaults(func=_gates_set)


# ---- run ------------------------------------------------------------------------------
def _printer(ctx):
    def on_event(ev: PipelineEvent) -> None:
        if ev.level == "debug" or (ev.kind is EventKind.LOG and ev.level == "info" and "check" in ev.data):
            return
        tag = f"[{ev.step}] " if ev.step else ""
        sys.stderr.write(f"{ev.level:7} {tag}{ev.message}\n")
    return on_event


def _run(ctx) -> int:
    args = ctx.args
    if args.retry is not None:
        if args.system or args.object or args.from_step or args.only or args.create_system:
            ctx.error("--retry takes the run's own target and steps; do not combine it with "
                      "--system/--object/--create-system/--from/--only")
            return EXIT_USAGE
    elif not args.system:
        ctx.error("--system is required (or --retry RUN_ID)")
        return EXIT_USAGE
    else:
        # A malformed name, an empty --object or --from with --only is a bad command line
        # (exit 2), found before the workspace is locked or anything is recorded.
        request = RunRequest(args.system, args.object, dry_run=args.dry_run, from_step=args.from_step,
                             only=args.only, create_system=args.create_system)
        try:
            request.validated()
        except RunRequestError as exc:
            ctx.error(str(exc))
            return EXIT_USAGE
    plan = None
    with ctx.session() as ws:  # locked, after crash recovery (runs and restores)
        listener = None if (ctx.json or args.quiet) else _printer(ctx)
        if args.retry is not None:
            # After recovery: an interrupted run is rolled back (and retryable) by now.  The
            # engine's rule: from the failed step, or from the first step the rollback undid.
            stored = run_to_dict(RunHistory(ctx.db), args.retry, with_findings=False, with_diffs=False)
            if Path(stored["workspace"]).resolve() != Path(ws.root).resolve():
                raise UserError(f"run {args.retry} was made in {stored['workspace']}, not in {ws.root}; "
                                "retry it with -w on that workspace")
            plan = plan_retry(stored)
            request = plan.request(step_by_step=False)   # nobody is there to press "next"
            if listener is not None:
                sys.stderr.write(f"retry of run {plan.run_id}: {plan.reason}\n")
        try:
            runner = PipelineRunner(ws, ctx.db, request, listener=listener, data_dir=ctx.data_dir)
        except UnknownSystemError as exc:
            # Checked after recovery (it can take a half-made system away); nothing recorded.
            ctx.error(f"{exc}; to start a new system named {exc.system!r}, add --create-system")
            return EXIT_USAGE
        state = runner.run()
    from ...engine.monitor.alerts import check_recent_failure_rate

    check_recent_failure_rate(ctx.db)  # the run-failure-rate alert is judged after every run
    data = _run_json(runner)
    data["recovered"] = list(ctx.recovery_messages)
    if plan is not None:
        data["retry"] = {"of": plan.run_id, "start_step": plan.start_step, "only": plan.only,
                         "stopped_step": plan.stopped_step, "undone_steps": list(plan.undone_steps),
                         "reason": plan.reason}
    ctx.emit(data, _run_text(runner))
    return EXIT_OK if state.value == "succeeded" else EXIT_FAILED


def _run_json(runner: PipelineRunner) -> dict:
    steps = []
    for st in runner.steps.values():
        d = {"id": st.id, "state": st.state.value, "attempt": st.attempt, "duration": st.duration,
             "findings": st.counts, "checks": st.checks_summary(),
             "files_written": [c.to_dict(False) for c in st.files_written], "message": st.message,
             "finding_list": [f.to_dict() for f in st.findings if not f.waived and f.severity.value != "info"]}
        if runner.request.dry_run:
            d["would_change"] = [c.to_dict(True) for c in st.would_change]
        steps.append(d)
    return {"run_id": runner.run_id, "state": runner.state.value, "message": runner.message,
            "system": runner.request.system, "object_type": runner.request.object_type,
            "dry_run": runner.request.dry_run, "steps": steps,
            "gates": [d.to_dict() for d in runner.gate_decisions],
            "undone": [u.to_dict() for u in runner.undone]}


def _run_text(runner: PipelineRunner) -> str:
    lines = [f"run {runner.run_id}: {runner.state.value} — {runner.message}"]
    for st in runner.steps.values():
        c = st.counts
        dur = f"{st.duration:.2f} s" if st.duration is not None else "-"
        lines.append(f"  {st.id:20} {st.state.value:12} {dur:>8}  {c['error']} error(s) {c['warning']} warning(s)")
        for f in st.findings:
            if f.blocking:
                lines.append(f"      {f}")
        for ch in st.files_written:
            lines.append(f"      {ch.action:7} {ch.path}")
        for ch in st.would_change:
            lines.append(f"      would {ch.action:7} {ch.path}")
            lines += ["        " + ln for ln in ch.diff.splitlines()]
    for d in runner.gate_decisions:
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[d.passed]
        lines.append(f"  gate {d.gate:12} {verdict:5} {d.message}")
    return "\n".join(lines)


# ---- history --------------------------------------------------------------------------
def _list(ctx) -> int:
    ws = ctx.workspace_path(required=False)
    history = RunHistory(ctx.db)
    runs = history.list_runs(str(ctx.workspace.root) if ws else None, limit=ctx.args.limit)
    rows = [{"run_id": r.id, "state": r.state, "system": r.system, "object_type": r.object_type or None,
             "dry_run": r.dry_run, "started_at": r.started_at.isoformat() if r.started_at else None,
             "duration": r.duration, "workspace": r.workspace, "message": r.message} for r in runs]
    text = "\n".join(f"{r['run_id']:>5}  {r['state']:12} {r['system']:14} {(r['object_type'] or '-'):30} "
                     f"{'dry ' if r['dry_run'] else ''}{r['started_at'] or '-'}  "
                     f"{(r['duration'] or 0):.2f} s" for r in rows) or "no pipeline runs yet"
    ctx.emit({"runs": rows}, text)
    return EXIT_OK


def _show(ctx) -> int:
    data = run_to_dict(RunHistory(ctx.db), ctx.args.id)
    lines = [f"run {data['run_id']}: {data['state']} — {data['message']}",
             f"  {data['system']} {data['object_type'] or ''} ({data['mode']}{', dry run' if data['dry_run'] else ''})"]
    for st in data["steps"]:
        c = st["findings"] or {}
        lines.append(f"  {st['id']:20} {st['state']:12} attempt {st['attempt']}  "
                     f"{c.get('error', 0)} error(s) {c.get('warning', 0)} warning(s)")
        for f in st["finding_list"]:
            if f["severity"] != "info":
                where = ":".join(x for x in (f["file"], f["location"]) if x)
                lines.append(f"      {f['severity']:7} [{f['rule']}] {where} {f['message']}")
    for g in data["gates"]:
        lines.append(f"  gate {g['gate']:12} {({True: 'pass', False: 'FAIL', None: 'n/a'})[g['passed']]:5} {g['message']}")
    ctx.emit(data, "\n".join(lines))
    return EXIT_OK


def _log(ctx) -> int:
    a = ctx.args
    history = RunHistory(ctx.db)
    history.get_run(a.id)
    rows = history.logs(a.id, level=a.level, step=a.step, search=a.search)
    data = [{"seq": r.seq, "at": r.at, "level": r.level, "step": r.step, "kind": r.kind, "message": r.message,
             "data": r.data} for r in rows]


    text = "\n".join(f"{dt.datetime.fromtimestamp(r['at'], dt.timezone.utc).strftime('%H:%M:%S.%f')[:-3]} "
                     f"{r['level']:7} {('[' + r['step'] + '] ') if r['step'] else ''}{r['message']}" for r in data)
    ctx.emit({"run_id": a.id, "lines": data}, text)
    return EXIT_OK


# ---- gates ----------------------------------------------------------------------------
def _gates_list(ctx) -> int:
    gates = load_gates(ctx.db)
    text = "\n".join(f"{g.name:12} {str(g.threshold):>6}  {'required' if g.required else 'optional'}  "
                     f"{g.description}" for g in gates)
    ctx.emit({"gates": [g.to_dict() for g in gates]}, text)
    return EXIT_OK


def _gates_set(ctx) -> int:
    g = set_gate(ctx.db, ctx.args.name, ctx.args.value)
    ctx.emit({"gate": g.to_dict()}, f"{g.name}: threshold {g.threshold}, "
                                     f"{'required' if g.required else 'optional'}")
    return EXIT_OK
