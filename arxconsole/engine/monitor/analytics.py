"""Analytics over the run history: success-rate trend per system, slowest steps,
failure hot spots, run-time trend, and plain-language recommendations.

Everything is returned as data (dataclasses) so the GUI charts/tables, the HTML report
and the CLI render the same numbers; every recommendation carries the number that
triggered it, and its text states that number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

import numpy as np

from .alerts import AlertRecord
from .history import RunRecord
from .settings import LABELS, UNITS

# Recommendation triggers (why these numbers: below them the advice is noise).
SLOW_STEP_WARN_SHARE = 0.5       # one step taking half of all run time is a bottleneck
ERRATIC_RATIO = 3.0              # p95 at least 3x the median: the step stalls sometimes
ERRATIC_MIN_RUNS = 5
HOT_SPOT_MIN_FAILURES = 2
TREND_DAYS = 7
TREND_MIN_RUNS = 3
SUCCESS_DROP_POINTS = 10.0
SLOWER_MIN_INCREASE = 0.25


@dataclass(frozen=True)
class DayRate:
    system: str
    day: dt.date
    runs: int          # runs that count for the rate (succeeded or failed)
    succeeded: int
    rate: float        # success %


@dataclass(frozen=True)
class SystemRate:
    system: str
    runs: int
    succeeded: int
    failed: int
    cancelled: int
    rate: float | None


@dataclass(frozen=True)
class StepStats:
    step_id: str
    runs: int
    median_s: float
    p95_s: float
    mean_s: float
    max_s: float
    total_s: float
    share: float       # of total run time, 0..1
    failures: int


@dataclass(frozen=True)
class HotSpot:
    check_id: str
    failures: int      # step executions in which this check failed
    runs: int          # distinct runs
    share: float       # of all rated runs, 0..1
    steps: tuple[str, ...]
    systems: tuple[str, ...]
    last_seen: dt.datetime


@dataclass(frozen=True)
class RunTimePoint:
    system: str        # "all" for every system together
    day: dt.date
    runs: int
    median_s: float
    max_s: float


@dataclass(frozen=True)
class Recommendation:
    kind: str          # slowest-step, erratic-step, hot-spot, success-rate, success-drop, slower-runs, alerts, no-runs, all-good
    severity: str      # info / warning
    text: str
    number: float      # the number that triggered it (also in the text)
    subject: str = ""  # step id, check id, system or metric

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Insights:
    since: dt.datetime | None
    until: dt.datetime
    runs: int
    systems: tuple[SystemRate, ...]
    success_trend: tuple[DayRate, ...]
    slowest_steps: tuple[StepStats, ...]
    hot_spots: tuple[HotSpot, ...]
    run_time_trend: tuple[RunTimePoint, ...]
    recommendations: tuple[Recommendation, ...]
    findings: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        def conv(o):
            if isinstance(o, (dt.datetime, dt.date)):
                return o.isoformat()
            if isinstance(o, dict):
                return {k: conv(v) for k, v in o.items()}
            if isinstance(o, (list, tuple)):
                return [conv(v) for v in o]
            return o
        return conv(asdict(self))


def fmt_seconds(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 10:
        return f"{s:.1f} s"
    if s < 120:
        return f"{s:.0f} s"
    return f"{s / 60:.1f} min"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _pct(x: float) -> str:
    return f"{x:.0f} %"


# ---- the insights -------------------------------------------------------------------
def system_rates(runs: Sequence[RunRecord]) -> list[SystemRate]:
    by: dict[str, list[RunRecord]] = defaultdict(list)
    for r in runs:
        by[r.system].append(r)
    out = []
    for system in sorted(by):
        rs = by[system]
        ok = sum(r.succeeded for r in rs)
        bad = sum(r.failed for r in rs)
        out.append(SystemRate(system, len(rs), ok, bad, sum(r.state == "cancelled" for r in rs),
                              100.0 * ok / (ok + bad) if ok + bad else None))
    return out


def success_trend(runs: Sequence[RunRecord]) -> list[DayRate]:
    """Success % per system per UTC day (cancelled and unfinished runs excluded)."""
    acc: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for r in runs:
        if r.counts_for_rate:
            a = acc[(r.system, r.started.astimezone(dt.timezone.utc).date())]
            a[0] += 1
            a[1] += r.succeeded
    return [DayRate(s, d, n, ok, 100.0 * ok / n) for (s, d), (n, ok) in sorted(acc.items())]


def slowest_steps(runs: Sequence[RunRecord]) -> list[StepStats]:
    """Per step id: median/p95 duration, and its share of all run time; slowest first."""
    durations: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for r in runs:
        for s in r.steps:
            if s.duration_s is not None:
                durations[s.step_id].append(s.duration_s)
            if s.state in ("failed", "rolled_back"):
                failures[s.step_id] += 1
    run_total = sum(r.duration_s or 0.0 for r in runs)
    step_total = sum(sum(v) for v in durations.values())
    denom = max(run_total, step_total) or 1.0  # steps can't exceed their runs; guard bad data
    out = []
    for step_id, vals in durations.items():
        a = np.asarray(vals, dtype=np.float64)
        out.append(StepStats(step_id, len(a), float(np.median(a)), float(np.percentile(a, 95)),
                             float(a.mean()), float(a.max()), float(a.sum()), float(a.sum()) / denom,
                             failures.get(step_id, 0)))
    return sorted(out, key=lambda s: (-s.median_s, s.step_id))


def failure_hot_spots(runs: Sequence[RunRecord]) -> list[HotSpot]:
    """Which checks fail most, counted once per step execution; most frequent first."""
    fails: dict[str, int] = defaultdict(int)
    run_ids: dict[str, set[str]] = defaultdict(set)
    steps: dict[str, set[str]] = defaultdict(set)
    systems: dict[str, set[str]] = defaultdict(set)
    last: dict[str, dt.datetime] = {}
    for r in runs:
        for s in r.steps:
            for check in dict.fromkeys(s.failed_checks):
                fails[check] += 1
                run_ids[check].add(r.run_id)
                steps[check].add(s.step_id)
                systems[check].add(r.system)
                when = r.ended or r.started
                if check not in last or when > last[check]:
                    last[check] = when
    rated = sum(r.counts_for_rate for r in runs) or 1
    out = [HotSpot(c, n, len(run_ids[c]), len(run_ids[c]) / rated, tuple(sorted(steps[c])),
                   tuple(sorted(systems[c])), last[c]) for c, n in fails.items()]
    return sorted(out, key=lambda h: (-h.runs, -h.failures, h.check_id))


def run_time_trend(runs: Sequence[RunRecord]) -> list[RunTimePoint]:
    acc: dict[tuple[str, dt.date], list[float]] = defaultdict(list)
    for r in runs:
        d = r.duration_s
        if d is None or r.state == "cancelled":
            continue
        day = r.started.astimezone(dt.timezone.utc).date()
        acc[(r.system, day)].append(d)
        acc[("all", day)].append(d)
    return [RunTimePoint(s, day, len(v), float(np.median(v)), float(max(v)))
            for (s, day), v in sorted(acc.items())]


def step_duration_table(runs: Sequence[RunRecord]) -> tuple[list[str], list[str], np.ndarray]:
    """(run ids, step ids, durations[run, step]) for stacked step-duration bars per run.
    Steps keep their first-seen order; a step a run did not execute is NaN; retried
    steps add up (the run spent that time)."""
    step_ids: list[str] = []
    for r in runs:
        for st in r.steps:
            if st.step_id not in step_ids:
                step_ids.append(st.step_id)
    col = {sid: i for i, sid in enumerate(step_ids)}
    table = np.full((len(runs), len(step_ids)), np.nan)
    for i, r in enumerate(runs):
        for st in r.steps:
            if st.duration_s is not None:
                j = col[st.step_id]
                table[i, j] = st.duration_s if np.isnan(table[i, j]) else table[i, j] + st.duration_s
    return [r.run_id for r in runs], step_ids, table


# ---- recommendations ----------------------------------------------------------------
def recommendations(runs: Sequence[RunRecord], steps: Sequence[StepStats], hot: Sequence[HotSpot],
                    rates: Sequence[SystemRate], now: dt.datetime, alerts: Sequence[AlertRecord] = (),
                    failure_warning: float = 5.0) -> list[Recommendation]:
    recs: list[Recommendation] = []
    rated = [r for r in runs if r.counts_for_rate]
    if not rated:
        recs.append(Recommendation(
            "no-runs", "info", "No finished pipeline runs in this period (0 runs): run the pipeline "
            "to get success rates, step timings and failure hot spots.", 0.0))
    if steps and len(steps) > 1:
        s = steps[0]  # always named: "which step is slowest" is the first question asked
        biggest = max(steps, key=lambda x: x.share)
        advice = ("Speeding it up shortens runs the most." if biggest is s else
                  f"Step {biggest.step_id} takes the most run time overall ({_pct(100 * biggest.share)}).")
        recs.append(Recommendation(
            "slowest-step", "warning" if s.share >= SLOW_STEP_WARN_SHARE else "info",
            f"Step {s.step_id} is the slowest: median {fmt_seconds(s.median_s)} over {s.runs} runs, "
            f"{_pct(100 * s.share)} of run time. {advice}", round(s.median_s, 3), s.step_id))
    for s in steps:
        if s.runs >= ERRATIC_MIN_RUNS and s.median_s > 0 and s.p95_s >= ERRATIC_RATIO * s.median_s:
            ratio = s.p95_s / s.median_s
            recs.append(Recommendation(
                "erratic-step", "info",
                f"Step {s.step_id} is erratic: p95 {fmt_seconds(s.p95_s)} is {ratio:.1f}x its median "
                f"{fmt_seconds(s.median_s)} over {s.runs} runs; look at its slowest runs for large "
                f"inputs or a slow disk.", round(ratio, 1), s.step_id))
    for rank, h in enumerate(hot[:3]):
        if h.failures >= HOT_SPOT_MIN_FAILURES:
            which = "the most frequent failure" if rank == 0 else f"failure number {rank + 1} by frequency"
            recs.append(Recommendation(
                "hot-spot", "warning",
                f"Check {h.check_id} failed in {h.runs} of {len(rated)} runs ({_pct(100 * h.share)}), "
                f"in step {', '.join(h.steps)}; fixing its cause removes {which}.",
                float(h.runs), h.check_id))
    target = 100.0 - failure_warning
    for r in rates:
        if r.rate is not None and r.rate < target:
            recs.append(Recommendation(
                "success-rate", "warning",
                f"System {r.system} succeeded in {_pct(r.rate)} of runs ({r.succeeded} of "
                f"{r.succeeded + r.failed}), below the {_pct(target)} target; see its failure hot spots.",
                round(r.rate, 1), r.system))
    recent_from = now - dt.timedelta(days=TREND_DAYS)
    before_from = recent_from - dt.timedelta(days=TREND_DAYS)
    for system in sorted({r.system for r in rated}):
        recent = [r for r in rated if r.system == system and r.started >= recent_from]
        before = [r for r in rated if r.system == system and before_from <= r.started < recent_from]
        if len(recent) >= TREND_MIN_RUNS and len(before) >= TREND_MIN_RUNS:
            a = 100.0 * sum(r.succeeded for r in before) / len(before)
            b = 100.0 * sum(r.succeeded for r in recent) / len(recent)
            if a - b >= SUCCESS_DROP_POINTS:
                recs.append(Recommendation(
                    "success-drop", "warning",
                    f"System {system} success rate fell from {_pct(a)} to {_pct(b)} ({a - b:.0f} points) "
                    f"between the previous {TREND_DAYS} days and the last {TREND_DAYS} days; check what "
                    f"changed recently.", round(a - b, 1), system))
    timed = [r for r in runs if r.duration_s is not None and r.state != "cancelled"]
    recent_t = [r.duration_s for r in timed if r.started >= recent_from]
    before_t = [r.duration_s for r in timed if before_from <= r.started < recent_from]
    if len(recent_t) >= TREND_MIN_RUNS and len(before_t) >= TREND_MIN_RUNS:
        a, b = float(np.median(before_t)), float(np.median(recent_t))
        if a > 0 and (b - a) / a >= SLOWER_MIN_INCREASE:
            recs.append(Recommendation(
                "slower-runs", "warning",
                f"Runs got slower: median {fmt_seconds(b)} in the last {TREND_DAYS} days against "
                f"{fmt_seconds(a)} the {TREND_DAYS} days before (+{100 * (b - a) / a:.0f} %).",
                round(100 * (b - a) / a, 1)))
    by_metric: dict[str, list[AlertRecord]] = defaultdict(list)
    for al in alerts:
        by_metric[al.metric].append(al)
    for metric in sorted(by_metric):
        als = by_metric[metric]
        peak = max(a.peak for a in als)
        unit = UNITS.get(metric, "")
        crit = sum(a.level == "critical" for a in als)
        recs.append(Recommendation(
            "alerts", "warning" if crit else "info",
            f"{_cap(LABELS.get(metric, metric))} raised {len(als)} alert(s) in this period "
            f"({crit} critical), peak {peak:.0f} {unit}".rstrip() + "; if runs were slow at those times, "
            f"free that resource before running.", float(len(als)), metric))
    if rated and not any(r.severity == "warning" for r in recs):
        ok = sum(r.succeeded for r in rated)
        recs.append(Recommendation(
            "all-good", "info", f"{ok} of {len(rated)} runs succeeded ({_pct(100 * ok / len(rated))}); "
            f"no failing check, failure trend or resource alert needs attention.", round(100 * ok / len(rated), 1)))
    return recs


def analyze(runs: Iterable[RunRecord], now: dt.datetime | None = None, since: dt.datetime | None = None,
            alerts: Sequence[AlertRecord] = (), failure_warning: float = 5.0) -> Insights:
    now = now or dt.datetime.now(dt.timezone.utc)
    rs = sorted((r for r in runs if since is None or r.started >= since), key=lambda r: r.started)
    rates = system_rates(rs)
    steps = slowest_steps(rs)
    hot = failure_hot_spots(rs)
    findings: dict[str, int] = defaultdict(int)
    for r in rs:
        for k, v in r.findings().items():
            findings[k] += v
    return Insights(since, now, len(rs), tuple(rates), tuple(success_trend(rs)), tuple(steps), tuple(hot),
                    tuple(run_time_trend(rs)),
                    tuple(recommendations(rs, steps, hot, rates, now, alerts, failure_warning)),
                    dict(findings))
