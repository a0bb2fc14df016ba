"""The monitoring report: one self-contained HTML file (inline SVG charts, tables with
the numbers) and CSV exports of samples, alerts, runs and steps.  Written durably."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

from .. import durable
from ..errors import UserError
from .alerts import AlertLog, AlertRecord
from .analytics import Insights, analyze, fmt_seconds
from .charts import bar_chart, line_chart
from .health import HealthReport
from .history import RunRecord
from .metrics import MetricsStore, SeriesData
from .sampler import SERIES
from .settings import CPU, DISK, FAILURE_RATE, LABELS, MEMORY, PROCESS_CPU, PROCESS_RSS, UNITS, load_thresholds


class ReportError(UserError):
    pass


@dataclass(frozen=True)
class ReportData:
    generated: dt.datetime
    since: dt.datetime
    series: dict[str, SeriesData]
    alerts: list[AlertRecord]
    runs: list[RunRecord]
    insights: Insights
    health: HealthReport | None = None
    thresholds: dict = field(default_factory=dict)


def collect(db, runs: Sequence[RunRecord], days: float = 7.0, now: dt.datetime | None = None,
            health: HealthReport | None = None) -> ReportData:
    if not days > 0:
        raise ReportError(f"--since must be a positive number of days, not {days}")
    now = now or dt.datetime.now(dt.timezone.utc)
    since = now - dt.timedelta(days=days)
    store = MetricsStore(db)
    series = {}
    for name in SERIES:
        # Start at the first data rather than the window start: 6 h of data in a 7-day
        # window then charts at minute resolution instead of 6 hourly means.
        first = store.first_time(name)
        start = max(since.timestamp(), first) if first is not None else since.timestamp()
        series[name] = store.series(name, start, now, now=now.timestamp())
    alerts = AlertLog(db).history(since=since, until=now)
    in_window = sorted((r for r in runs if since <= r.started <= now), key=lambda r: r.started)
    thresholds = load_thresholds(db)
    failure_warning = thresholds[FAILURE_RATE].warning
    insights = analyze(in_window, now=now, since=since, alerts=alerts, failure_warning=failure_warning)
    return ReportData(now, since, series, alerts, in_window, insights, health, thresholds)


# ---- HTML -------------------------------------------------------------------------------
_CSS = """body{font-family:sans-serif;margin:24px;max-width:980px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}
.warning{color:#8a4b00}.info{color:#1f4f7a}li{margin:4px 0}figure{margin:8px 0}"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _iso(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _epoch_day(d: dt.date) -> float:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp()


def render_html(data: ReportData) -> str:
    ins = data.insights
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>ArxConsole monitoring report</title>"
             f"<style>{_CSS}</style></head><body>",
             "<h1>ArxConsole monitoring report</h1>",
             f"<p>From {_iso(data.since)} to {_iso(data.generated)} &middot; {ins.runs} runs &middot; "
             f"{len(data.alerts)} alerts</p>"]
    if data.health is not None:
        parts.append(f"<h2>Health</h2><p><strong>{escape(data.health.status.value)}</strong>: "
                     f"{escape(data.health.summary)}</p>")
        parts.append(_table(["component", "status", "reason"],
                            [(c.name, c.status.value, c.reason) for c in data.health.components]))
    parts.append("<h2>Recommendations</h2><ul>")
    for r in ins.recommendations:
        parts.append(f"<li class='{escape(r.severity)}'><strong>{escape(r.severity)}</strong>: {escape(r.text)}</li>")
    parts.append("</ul>")

    parts.append("<h2>Resources</h2>")
    pct = [(LABELS[n], s.t, s.value) for n, s in data.series.items() if n in (CPU, MEMORY, DISK, PROCESS_CPU)]
    bands = [(s.vmin, s.vmax) if s.resolution != "raw" else None
             for n, s in data.series.items() if n in (CPU, MEMORY, DISK, PROCESS_CPU)]
    res = {s.resolution for s in data.series.values() if len(s)}
    note = "" if res <= {"raw"} else " — per-" + "/".join(sorted(res - {"raw"})) + " mean, band = min..max"
    ts = [s.t for n, s in data.series.items() if len(s) and n in (CPU, MEMORY, DISK, PROCESS_CPU)]
    t0, t1 = (min(t[0] for t in ts), max(t[-1] for t in ts)) if ts else (0.0, -1.0)
    spans = [(r.started.timestamp(), r.ended.timestamp(), f"run {r.run_id} {r.system}: {r.state}")
             for r in data.runs if r.ended is not None
             and r.ended.timestamp() >= t0 and r.started.timestamp() <= t1]
    if spans:
        note += " — shaded: pipeline runs"
    parts.append(f"<figure>{line_chart(pct, 'System resources (%)' + note, '%', y_min=0, y_max=100, bands=bands, spans=spans)}"
                 f"</figure>")
    rss = data.series.get(PROCESS_RSS)
    if rss is not None:
        band = [(rss.vmin, rss.vmax)] if rss.resolution != "raw" else None
        parts.append(f"<figure>{line_chart([(LABELS[PROCESS_RSS], rss.t, rss.value)], 'Console memory (MB)', 'MB', bands=band)}"
                     f"</figure>")
    rows = []
    for name, s in data.series.items():
        if len(s):
            rows.append((LABELS.get(name, name), s.resolution, int(s.count.sum()), f"{s.vmin.min():.1f}",
                         f"{(s.value * s.count).sum() / s.count.sum():.1f}", f"{s.vmax.max():.1f}", UNITS.get(name, "")))
        else:
            rows.append((LABELS.get(name, name), s.resolution, 0, "", "", "", UNITS.get(name, "")))
    parts.append(_table(["series", "resolution", "samples", "min", "mean", "max", "unit"], rows))

    parts.append("<h2>Alerts</h2>")
    parts.append("<p>Thresholds: " + escape("; ".join(
        f"{LABELS.get(m, m)} warning {t.warning:g}{u}, critical {t.critical:g}{u}, clears below "
        f"{t.clear_level:g}{u} after {t.min_duration_s:g} s"
        for m, t in data.thresholds.items() for u in [" " + UNITS[m] if m in UNITS else ""])) + "</p>")
    parts.append(_table(["metric", "level", "started", "ended", "peak", "threshold", "message"],
                        [(LABELS.get(a.metric, a.metric), a.level, _iso(a.started_at),
                          _iso(a.ended_at) if a.ended_at else "active", f"{a.peak:.1f}", f"{a.threshold:g}",
                          a.message) for a in data.alerts]))

    parts.append("<h2>Success rate per system</h2>")
    by_system: dict[str, tuple[list[float], list[float]]] = {}
    for d in ins.success_trend:
        xs, ys = by_system.setdefault(d.system, ([], []))
        xs.append(_epoch_day(d.day))
        ys.append(d.rate)
    parts.append(f"<figure>{line_chart([(s, x, y) for s, (x, y) in by_system.items()], 'Success rate per day (%)', '%', y_min=0, y_max=100)}</figure>")
    parts.append(_table(["system", "runs", "succeeded", "failed", "cancelled", "success rate"],
                        [(r.system, r.runs, r.succeeded, r.failed, r.cancelled,
                          "" if r.rate is None else f"{r.rate:.0f} %") for r in ins.systems]))

    parts.append("<h2>Slowest steps</h2>")
    steps = list(ins.slowest_steps)
    parts.append(f"<figure>{bar_chart([s.step_id for s in steps], [s.median_s for s in steps], 'Median step duration', 's', value_fmt='{:.2f}')}</figure>")
    parts.append(_table(["step", "runs", "median", "p95", "max", "share of run time", "failures"],
                        [(s.step_id, s.runs, fmt_seconds(s.median_s), fmt_seconds(s.p95_s), fmt_seconds(s.max_s),
                          f"{100 * s.share:.0f} %", s.failures) for s in steps]))

    parts.append("<h2>Failure hot spots</h2>")
    hot = list(ins.hot_spots)[:15]
    parts.append(f"<figure>{bar_chart([h.check_id for h in hot], [h.runs for h in hot], 'Runs in which each check failed', 'runs', value_fmt='{:.0f}')}</figure>")
    parts.append(_table(["check", "failed runs", "share of runs", "steps", "systems", "last seen"],
                        [(h.check_id, h.runs, f"{100 * h.share:.0f} %", ", ".join(h.steps), ", ".join(h.systems),
                          _iso(h.last_seen)) for h in hot]))

    parts.append("<h2>Run time trend</h2>")
    trend: dict[str, tuple[list[float], list[float]]] = {}
    for p in ins.run_time_trend:
        xs, ys = trend.setdefault(p.system, ([], []))
        xs.append(_epoch_day(p.day))
        ys.append(p.median_s)
    parts.append(f"<figure>{line_chart([(s, x, y) for s, (x, y) in trend.items()], 'Median run duration per day (s)', 's', y_min=0)}</figure>")
    parts.append(_table(["system", "day", "runs", "median", "max"],
                        [(p.system, p.day.isoformat(), p.runs, fmt_seconds(p.median_s), fmt_seconds(p.max_s))
                         for p in ins.run_time_trend]))
    if ins.findings:
        parts.append("<h2>Findings in runs</h2>")
        parts.append(_table(["severity", "count"], sorted(ins.findings.items())))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html(path: str | Path, data: ReportData) -> Path:
    """Raises ``durable.OutputPathError`` naming the path and the cause when it cannot be
    written (a folder, a file where a folder should be, no permission)."""
    target = durable.check_output_path(path)
    try:
        return durable.write_text(target, render_html(data))
    except OSError as exc:
        raise durable.output_error(path, exc) from None


# ---- CSV --------------------------------------------------------------------------------
def _csv(header: Sequence[str], rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def csv_documents(data: ReportData) -> dict[str, str]:
    samples = []
    for name, s in data.series.items():
        for i in range(len(s)):
            t = float(s.t[i])
            samples.append((name, s.resolution, dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat(),
                            f"{t:.3f}", f"{s.value[i]:.6g}", f"{s.vmin[i]:.6g}", f"{s.vmax[i]:.6g}", int(s.count[i])))
    alerts = [(a.id, a.metric, a.level, a.started_at.isoformat(), a.ended_at.isoformat() if a.ended_at else "",
               f"{a.peak:.6g}", f"{a.threshold:g}", a.message) for a in data.alerts]
    runs, steps = [], []
    for r in data.runs:
        f = r.findings()
        runs.append((r.run_id, r.system, r.state, r.started.isoformat(), r.ended.isoformat() if r.ended else "",
                     "" if r.duration_s is None else f"{r.duration_s:.3f}", f.get("error", 0), f.get("warning", 0),
                     f.get("info", 0)))
        for s in r.steps:
            steps.append((r.run_id, r.system, s.step_id, s.state,
                          "" if s.duration_s is None else f"{s.duration_s:.3f}", ";".join(s.failed_checks),
                          s.findings.get("error", 0), s.findings.get("warning", 0), s.findings.get("info", 0)))
    return {
        "samples.csv": _csv(["series", "resolution", "time_utc", "epoch_s", "value", "min", "max", "count"], samples),
        "alerts.csv": _csv(["id", "metric", "level", "started_at", "ended_at", "peak", "threshold", "message"], alerts),
        "runs.csv": _csv(["run_id", "system", "state", "started", "ended", "duration_s", "errors", "warnings",
                          "infos"], runs),
        "steps.csv": _csv(["run_id", "system", "step_id", "state", "duration_s", "failed_checks", "errors",
                           "warnings", "infos"], steps),
    }


def write_csv(folder: str | Path, data: ReportData) -> list[Path]:
    root = durable.check_output_path(folder, folder=True)
    try:
        return [durable.write_text(root / name, text) for name, text in csv_documents(data).items()]
    except OSError as exc:
        raise durable.output_error(folder, exc, folder=True) from None
