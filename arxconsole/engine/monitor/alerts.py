"""Threshold alerts with hysteresis and a minimum duration, and the alert log.

``AlertEngine`` is pure logic fed with observations ``(metric, ts, value)``:
- raise at *warning* once the value stayed >= warning for ``min_duration_s``
  (escalate to *critical* the same way); one alert per episode;
- resolve once the value stayed below ``warning - clear_margin`` (the clear level) for
  ``min_duration_s``.  A value wandering around the warning line therefore keeps one
  alert open instead of raising and resolving it on every crossing.
``AlertLog`` persists the episodes (start, end, peak, level) in ``monitor_alerts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select, update

from ...store.models.monitor import MonitorAlert
from .settings import FAILURE_RATE, LABELS, UNITS, Threshold

# The run failure rate is judged over this many of the latest finished runs.
FAILURE_RATE_RUNS = 20

WARNING, CRITICAL = "warning", "critical"
RAISED, ESCALATED, RESOLVED = "raised", "escalated", "resolved"
# A gap this long in a metric's observations (sampler stopped, app closed) restarts the
# duration timers: being high an hour ago and high now is not "high for an hour".
MAX_GAP_S = 10.0


def _fmt(metric: str, value: float) -> str:
    unit = UNITS.get(metric, "")
    return f"{value:.0f} {unit}".rstrip() if unit == "%" else f"{value:.1f} {unit}".rstrip()


def local_time(t: dt.datetime, now: dt.datetime | None = None) -> str:
    """``12:03`` when ``t`` is today, ``2026-12-03 12:03`` otherwise, in the reader's
    local time (stored times are UTC)."""
    t = t.astimezone()
    today = (now or dt.datetime.now(dt.timezone.utc)).astimezone().date()
    return t.strftime("%H:%M") if t.date() == today else t.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class AlertEvent:
    kind: str          # raised / escalated / resolved
    metric: str
    level: str         # level after the event (highest reached for resolved)
    ts: float          # when the event happened (raised: when the episode began)
    value: float
    peak: float
    threshold: float
    message: str


@dataclass
class _State:
    level: str | None = None
    started: float = 0.0
    peak: float = float("-inf")
    last_value: float = 0.0
    last_ts: float | None = None
    above_since: dict[str, float] = field(default_factory=dict)
    pending_peak: float = float("-inf")
    below_since: float | None = None
    alert_id: int | None = None      # set by AlertLog once stored
    dirty: bool = False              # peak/last value changed since last persisted


class AlertEngine:
    def __init__(self, thresholds: dict[str, Threshold], max_gap_s: float = MAX_GAP_S):
        self.thresholds = dict(thresholds)
        self.max_gap_s = max_gap_s
        self._states: dict[str, _State] = {}

    def set_thresholds(self, thresholds: dict[str, Threshold]) -> None:
        self.thresholds = dict(thresholds)

    def active(self) -> dict[str, _State]:
        return {m: s for m, s in self._states.items() if s.level is not None}

    def observe(self, metric: str, ts: float, value: float) -> list[AlertEvent]:
        th = self.thresholds.get(metric)
        if th is None:
            return []
        st = self._states.setdefault(metric, _State())
        if st.last_ts is not None and ts - st.last_ts > self.max_gap_s:
            st.above_since.clear()
            st.below_since = None
            st.pending_peak = float("-inf")
        st.last_ts, st.last_value = ts, value
        for level, limit in ((WARNING, th.warning), (CRITICAL, th.critical)):
            if value >= limit:
                st.above_since.setdefault(level, ts)
            else:
                st.above_since.pop(level, None)

        def sustained(level: str) -> bool:
            since = st.above_since.get(level)
            return since is not None and ts - since >= th.min_duration_s

        events: list[AlertEvent] = []
        if st.level is None:
            if WARNING in st.above_since:
                st.pending_peak = max(st.pending_peak, value)
            else:
                st.pending_peak = float("-inf")
            if sustained(WARNING):
                level = CRITICAL if sustained(CRITICAL) else WARNING
                limit = th.critical if level == CRITICAL else th.warning
                st.level, st.started, st.peak = level, st.above_since[WARNING], st.pending_peak
                st.below_since, st.dirty = None, True
                events.append(AlertEvent(
                    RAISED, metric, level, st.started, value, st.peak, limit,
                    f"{LABELS.get(metric, metric)} at {_fmt(metric, value)}: at or above {level} level "
                    f"{_fmt(metric, limit)} for {ts - st.started:.0f} s"))
            return events

        if value > st.peak:
            st.peak = value
        st.dirty = True
        if st.level == WARNING and sustained(CRITICAL):
            st.level = CRITICAL
            events.append(AlertEvent(
                ESCALATED, metric, CRITICAL, ts, value, st.peak, th.critical,
                f"{LABELS.get(metric, metric)} at {_fmt(metric, value)}: at or above critical level "
                f"{_fmt(metric, th.critical)} for {ts - st.above_since[CRITICAL]:.0f} s"))
        if value < th.clear_level:
            if st.below_since is None:
                st.below_since = ts
            if ts - st.below_since >= th.min_duration_s:
                events.append(AlertEvent(
                    RESOLVED, metric, st.level, ts, value, st.peak,
                    th.critical if st.level == CRITICAL else th.warning,
                    f"{LABELS.get(metric, metric)} back to {_fmt(metric, value)}, below "
                    f"{_fmt(metric, th.clear_level)} for {ts - st.below_since:.0f} s "
                    f"(peak {_fmt(metric, st.peak)}, {ts - st.started:.0f} s in alert)"))
                alert_id = st.alert_id
                self._states[metric] = _State(last_ts=ts, last_value=value)
                self._states[metric].alert_id = alert_id  # AlertLog closes this row
        else:
            st.below_since = None
        return events

    def restore(self, metric: str, level: str, started: float, peak: float, alert_id: int) -> None:
        """Continue an alert left open by an earlier process (it resolves normally)."""
        self._states[metric] = _State(level=level, started=started, peak=peak, last_value=peak,
                                      alert_id=alert_id)


@dataclass(frozen=True)
class AlertRecord:
    id: int
    metric: str
    level: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    peak: float
    threshold: float
    last_value: float
    message: str

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def duration_s(self) -> float | None:
        return None if self.ended_at is None else (self.ended_at - self.started_at).total_seconds()

    def to_dict(self) -> dict:
        """``message`` is the sentence written when the alert was raised (or escalated):
        the value it quotes is the value then; ``last_value`` is the latest one."""
        return {"id": self.id, "metric": self.metric, "level": self.level,
                "started_at": self.started_at.isoformat(),
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "peak": self.peak, "threshold": self.threshold, "last_value": self.last_value,
                "active": self.active, "message": self.message}

    def describe(self, threshold: Threshold | None = None, now: dt.datetime | None = None,
                 rated_runs: int | None = None) -> str:
        """One line on the alert as it stands now, for people: the latest value first,
        then the peak and when it was raised.  The stored ``message`` quotes the value
        at the time it was raised; printed next to a current figure (``arxconsole
        metrics`` shows the current failure rate) it read as a contradiction.
        ``rated_runs``: how many finished runs the failure rate is over, when the caller
        knows (fewer than FAILURE_RATE_RUNS in a young history)."""
        label = LABELS.get(self.metric, self.metric)
        when = local_time(self.started_at, now)
        if not self.active:
            return (f"{label} {self.level} alert from {when} to {local_time(self.ended_at, now)}, "
                    f"peak {_fmt(self.metric, self.peak)}")
        limits = f"{self.level} level {_fmt(self.metric, self.threshold)}"
        if threshold is not None:
            limits += f", resolves below {_fmt(self.metric, threshold.clear_level)}"
        latest = f"now {_fmt(self.metric, self.last_value)}"
        if self.metric == FAILURE_RATE:   # a rate over runs, not over time: say over which
            latest += (f" of the last {rated_runs} finished run{'s' if rated_runs != 1 else ''}"
                       if rated_runs else f" of the last finished runs (up to {FAILURE_RATE_RUNS})")
        return (f"{label} alert ({self.level}) raised at {when}: {latest}, "
                f"peak {_fmt(self.metric, self.peak)} ({limits})")


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc)


class AlertLog:
    """Stores an engine's episodes: one row per alert, updated in place."""

    def __init__(self, db):
        self.db = db

    def resume(self, engine: AlertEngine) -> int:
        """Load alerts still open in the database into ``engine``."""
        rows = [r for r in self.active() if r.metric in engine.thresholds]
        for r in rows:
            engine.restore(r.metric, r.level, r.started_at.timestamp(), r.peak, r.id)
        return len(rows)

    def persist(self, engine: AlertEngine, events: Iterable[AlertEvent]) -> None:
        """Write ``events`` and the current peak of every active alert in one transaction.
        The engine's row ids change only after the commit, so a failed write can simply
        be retried with the same events."""
        table = MonitorAlert.__table__
        events = list(events)
        states = engine._states
        if not events and not any(st.level is not None and st.dirty for st in states.values()):
            return  # nothing changed: no transaction (this runs on every sampler flush)
        ids = {m: st.alert_id for m, st in states.items()}
        flushed: list[_State] = []
        with self.db.writer() as session:
            for ev in events:
                alert_id = ids.get(ev.metric)
                if ev.kind == RAISED:
                    row = MonitorAlert(metric=ev.metric, level=ev.level, started_at=_utc(ev.ts),
                                       ended_at=None, peak=ev.peak, threshold=ev.threshold,
                                       last_value=ev.value, message=ev.message)
                    session.add(row)
                    session.flush()
                    ids[ev.metric] = row.id
                elif alert_id is None:
                    continue  # nothing stored to update (cannot happen in order)
                elif ev.kind == ESCALATED:
                    session.execute(update(table).where(table.c.id == alert_id).values(
                        level=ev.level, threshold=ev.threshold, peak=ev.peak, last_value=ev.value,
                        message=ev.message))
                elif ev.kind == RESOLVED:
                    session.execute(update(table).where(table.c.id == alert_id).values(
                        ended_at=_utc(ev.ts), peak=ev.peak, last_value=ev.value))
                    ids[ev.metric] = None
            for metric, st in states.items():
                alert_id = ids.get(metric)
                if st.level is not None and st.dirty and alert_id is not None:
                    session.execute(update(table).where(table.c.id == alert_id).values(
                        peak=st.peak, last_value=st.last_value))
                    flushed.append(st)
        for metric, st in states.items():
            st.alert_id = ids.get(metric)
        for st in flushed:
            st.dirty = False

    def active(self) -> list[AlertRecord]:
        return self.history(active_only=True)

    def history(self, since: dt.datetime | None = None, until: dt.datetime | None = None,
                active_only: bool = False, limit: int = 10_000) -> list[AlertRecord]:
        q = select(MonitorAlert).order_by(MonitorAlert.started_at.desc(), MonitorAlert.id.desc()).limit(limit)
        if active_only:
            q = q.where(MonitorAlert.ended_at.is_(None))
        if since is not None:  # alerts overlapping the window
            q = q.where((MonitorAlert.ended_at.is_(None)) | (MonitorAlert.ended_at >= since))
        if until is not None:
            q = q.where(MonitorAlert.started_at <= until)
        with self.db.reader() as s:
            return [AlertRecord(r.id, r.metric, r.level, r.started_at, r.ended_at, r.peak, r.threshold,
                                r.last_value, r.message) for r in s.scalars(q)]


def check_failure_rate(db, runs, now: float | None = None, last: int = FAILURE_RATE_RUNS) -> list[AlertEvent]:
    """Evaluate the run failure rate (last ``last`` finished runs) against its threshold
    and record the outcome in the alert log.  Call after each run, or before showing
    alerts; an open failure-rate alert resolves once the rate drops below its clear level."""
    import time

    from .history import failure_rate
    from .settings import load_thresholds

    rate = failure_rate(runs, last)
    if rate is None:
        return []
    th = load_thresholds(db)[FAILURE_RATE]
    engine = AlertEngine({FAILURE_RATE: th}, max_gap_s=float("inf"))
    log_ = AlertLog(db)
    log_.resume(engine)
    now = time.time() if now is None else now
    events = engine.observe(FAILURE_RATE, now, rate[0])
    log_.persist(engine, events)
    return events


def check_recent_failure_rate(db) -> list[AlertEvent]:
    """``check_failure_rate`` over the recent stored run history: what the CLI and the
    GUI call after a run finishes."""
    from .history import recent_runs

    return check_failure_rate(db, recent_runs(db))

