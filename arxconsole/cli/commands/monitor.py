"""``arxconsole health``, ``arxconsole metrics``, ``arxconsole report``: monitoring headless."""

from __future__ import annotations

import datetime as dt
import time

from ...engine.errors import UserError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# A stored sample older than this is history, not "the latest": take a fresh one.
STALE_SAMPLE_S = 300


def register(subparsers, common) -> None:
    p = subparsers.add_parser("health", parents=[common], help="health of database, workspace, sampler, disk",
                              description="Check each component and roll up to healthy/degraded/unhealthy "
                                          "(at least degraded while a monitor alert is active). "
                                          "Exit 1 when unhealthy.")
    p.set_defaults(func=cmd_health)
    p = subparsers.add_parser("metrics", parents=[common], help="latest resource samples and active alerts",
                              description="Latest stored samples (one fresh sample when none is recent), "
                                          "the run failure rate and the active alerts, each with its latest "
                                          "value, its peak and when it was raised.")
    p.set_defaults(func=cmd_metrics)
    p = subparsers.add_parser("report", parents=[common], help="HTML monitoring report and CSV export",
                              description="Write an HTML report with charts, analytics and recommendations, "
                                          "and optionally CSV files of samples, alerts, runs and steps.")
    p.add_argument("--html", metavar="FILE", required=True, help="the HTML file to write")
    p.add_argument("--csv", metavar="DIR", help="also write samples/alerts/runs/steps .csv into DIR")
    p.add_argument("--since", metavar="DAYS", type=float, default=7.0, help="report window in days (default 7)")
    p.set_defaults(func=cmd_report)


def _open_db(ctx):
    try:
        return ctx.db, None
    except UserError as exc:
        return None, str(exc)


def _health(ctx):
    from ...engine.monitor.health import check_health

    db, err = _open_db(ctx)
    return check_health(db, ctx.data_dir.root, workspace=ctx.workspace_path(required=False), db_error=err)


def cmd_health(ctx) -> int:
    report = _health(ctx)
    lines = [report.summary]
    lines += [f"  {c.name:<10} {c.status.value:<10} {c.reason}" for c in report.components]
    lines += [f"  {'alert':<10} {a.level:<10} {a.text}" for a in report.alerts]
    ctx.emit(report.to_dict(), "\n".join(lines))
    return EXIT_FAILED if report.status.value == "unhealthy" else EXIT_OK


def cmd_metrics(ctx) -> int:
    from ...engine.monitor.alerts import AlertLog, check_failure_rate
    from ...engine.monitor.history import failure_rate, recent_runs
    from ...engine.monitor.metrics import MetricsStore
    from ...engine.monitor.sampler import SERIES, take_sample
    from ...engine.monitor.settings import LABELS, UNITS, load_thresholds

    db = ctx.db
    store = MetricsStore(db)
    now = time.time()
    latest = store.latest(SERIES)
    source = "stored"
    if not latest or now - max(ts for ts, _ in latest.values()) > STALE_SAMPLE_S:
        sample = take_sample(ctx.data_dir.root)
        store.record((name, sample.ts, v) for name, v in sample.values.items())
        latest = {name: (sample.ts, v) for name, v in sample.values.items()}
        source = "fresh"
    runs = recent_runs(db)
    check_failure_rate(db, runs)
    rate = failure_rate(runs)
    active = AlertLog(db).active()
    thresholds = load_thresholds(db)
    samples = {name: {"label": LABELS.get(name, name), "value": round(v, 2), "unit": UNITS.get(name, ""),
                      "time": dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat(), "age_s": round(max(now - ts, 0.0), 1)}
               for name, (ts, v) in latest.items()}
    # Each alert's ``message`` is kept as it was written when raised (scripts read it);
    # ``summary`` and the added fields say where the alert stands now.
    alerts = []
    for a in active:
        th = thresholds.get(a.metric)
        alerts.append({**a.to_dict(), "label": LABELS.get(a.metric, a.metric), "unit": UNITS.get(a.metric, ""),
                       "clear_level": None if th is None else th.clear_level,
                       "summary": a.describe(th, rated_runs=rate[1] if rate else None)})
    data = {"source": source, "samples": samples,
            "failure_rate": None if rate is None else {"percent": round(rate[0], 1), "runs": rate[1]},
            "active_alerts": alerts}
    lines = [f"Latest samples ({'taken now' if source == 'fresh' else 'stored'}):"]
    for name in SERIES:
        if name in samples:
            s = samples[name]
            lines.append(f"  {s['label']:<16} {s['value']:>8.1f} {s['unit']:<3} ({s['age_s']:.0f} s ago)")
    lines.append("Run failure rate: " + ("no finished runs" if rate is None
                                         else f"{rate[0]:.0f} % of the last {rate[1]} runs"))
    if active:
        lines.append(f"Active alerts ({len(active)}):")
        lines += [f"  {a['summary']}" for a in alerts]   # the summary names the level
    else:
        lines.append("No active alerts.")
    ctx.emit(data, "\n".join(lines))
    return EXIT_OK


def cmd_report(ctx) -> int:
    from ...engine.monitor.history import DatabaseHistory
    from ...engine.monitor.report import collect, write_csv, write_html

    from ...engine.durable import check_output_path

    days = ctx.args.since
    if not days > 0 or days != days:
        ctx.error(f"--since must be a positive number of days, not {days}")
        return EXIT_USAGE
    # Both outputs checked before any work, so a bad --csv does not leave a lone HTML file.
    check_output_path(ctx.args.html)
    if ctx.args.csv:
        check_output_path(ctx.args.csv, folder=True)
    now = dt.datetime.now(dt.timezone.utc)
    runs = DatabaseHistory(ctx.db).runs(since=now - dt.timedelta(days=days), until=now)
    data = collect(ctx.db, runs, days, now=now, health=_health(ctx))
    html = write_html(ctx.args.html, data)
    csv_files = write_csv(ctx.args.csv, data) if ctx.args.csv else []
    ins = data.insights
    out = {"html": str(html), "csv": [str(p) for p in csv_files], "since": data.since.isoformat(),
           "runs": ins.runs, "alerts": len(data.alerts),
           "recommendations": [r.to_dict() for r in ins.recommendations]}
    lines = [f"Report written to {html}"] + [f"CSV: {p}" for p in csv_files]
    lines += [f"  - {r.text}" for r in ins.recommendations]
    ctx.emit(out, "\n".join(lines))
    return EXIT_OK
