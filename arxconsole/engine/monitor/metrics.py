"""The metrics store: raw samples for a recent window, per-minute and per-hour
aggregates for older data, retention, and fast window queries as numpy arrays.

Aggregates are merged in the same transaction that stores the raw samples, so every
stored sample is always counted in its minute and hour buckets; retention then only
deletes (old raw rows are already represented by their aggregates).  Plain SQLAlchemy
Core: the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from sqlalchemy import Double, Integer, and_, bindparam, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ...store.models.monitor import MetricAggregate, MetricSample, MonitorAlert
from .settings import Retention, load_retention

log = logging.getLogger(__name__)

RAW, MINUTE, HOUR, AUTO = "raw", "minute", "hour", "auto"
BUCKET_SECONDS = {MINUTE: 60, HOUR: 3600}
# A chart never needs more points than it has pixels; 4,000 keeps 1 h raw (3,600) and
# up to ~2.7 days at minute resolution, a month at hour resolution (744 points).
MAX_POINTS = 4000
SAMPLE_INTERVAL_S = 1.0

_samples = MetricSample.__table__
_aggs = MetricAggregate.__table__


def epoch(t: float | dt.datetime) -> float:
    """Epoch seconds from a float or a (naive = UTC) datetime."""
    if isinstance(t, dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t.timestamp()
    return float(t)


@dataclass(frozen=True)
class SeriesData:
    """A window of one series.  ``t`` is epoch seconds (raw: sample time; aggregates:
    bucket start); ``value`` is the sample or the bucket mean; ``vmin``/``vmax`` the
    bucket extremes (equal to ``value`` for raw data); ``count`` samples per point."""

    name: str
    resolution: str
    t: np.ndarray
    value: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    count: np.ndarray

    def __len__(self) -> int:
        return len(self.t)

    @classmethod
    def empty(cls, name: str, resolution: str) -> "SeriesData":
        z = np.empty(0, dtype=np.float64)
        return cls(name, resolution, z, z, z, z, np.empty(0, dtype=np.int64))


class MetricsStore:
    def __init__(self, db, retention: Retention | None = None):
        self.db = db
        self._retention = retention

    @property
    def retention(self) -> Retention:
        if self._retention is None:
            self._retention = load_retention(self.db)
        return self._retention

    def reload_settings(self) -> None:
        self._retention = None

    # ---- writing -------------------------------------------------------------------
    def record(self, samples: Iterable[tuple[str, float, float]]) -> int:
        """Store ``(series, ts, value)`` samples and merge them into their minute and hour
        buckets, in one transaction.  Non-finite values are dropped.  Returns the number
        stored."""
        rows = [{"series": s, "ts": float(t), "value": float(v)} for s, t, v in samples
                if math.isfinite(v) and math.isfinite(t)]
        if not rows:
            return 0
        buckets = _aggregate(rows)
        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                with self.db.writer() as session:
                    # Raw rows first: on SQLite this takes the write lock before the bucket
                    # read, so no other writer can slip in between.
                    session.execute(insert(_samples), rows)
                    _merge_buckets(session, buckets)
                return len(rows)
            except IntegrityError:
                # Another writer created one of our buckets between our read and our
                # insert; the transaction rolled back, so re-reading and retrying is exact.
                if attempt == attempts:
                    raise
        return 0  # pragma: no cover

    # ---- reading -------------------------------------------------------------------
    def choose_resolution(self, since: float, until: float, now: float | None = None) -> str:
        now = time.time() if now is None else now
        span = max(until - since, 0.0)
        raw_from = now - self.retention.raw_hours * 3600
        if since >= raw_from and span / SAMPLE_INTERVAL_S <= MAX_POINTS:
            return RAW
        minute_from = now - self.retention.minute_days * 86400
        if since >= minute_from - 60 and span / 60 <= MAX_POINTS:
            return MINUTE
        return HOUR

    def series(self, name: str, since: float | dt.datetime, until: float | dt.datetime | None = None,
               resolution: str = AUTO, now: float | None = None) -> SeriesData:
        """The window [since, until] of ``name``; ``resolution`` 'raw', 'minute', 'hour'
        or 'auto' (the finest kept resolution that gives at most MAX_POINTS points)."""
        t0 = epoch(since)
        t1 = time.time() if until is None else epoch(until)
        if resolution == AUTO:
            resolution = self.choose_resolution(t0, t1, now)
        if resolution not in (RAW, MINUTE, HOUR):
            raise ValueError(f"unknown resolution {resolution!r}")
        if resolution == RAW:
            stmt = (select(_samples.c.ts, _samples.c.value)
                    .where(_samples.c.series == name, _samples.c.ts >= t0, _samples.c.ts <= t1)
                    .order_by(_samples.c.ts))
            with self.db.reader() as session:
                rows = session.execute(stmt).all()
            if not rows:
                return SeriesData.empty(name, RAW)
            arr = _to_array(rows, 2)
            v = arr[:, 1]
            return SeriesData(name, RAW, arr[:, 0], v, v, v, np.ones(len(v), dtype=np.int64))
        res = BUCKET_SECONDS[resolution]
        first_bucket = math.floor(t0 / res) * res
        stmt = (select(_aggs.c.bucket, _aggs.c.vmin, _aggs.c.vmax, _aggs.c.vsum, _aggs.c.count)
                .where(_aggs.c.series == name, _aggs.c.resolution == res,
                       _aggs.c.bucket >= first_bucket, _aggs.c.bucket <= t1)
                .order_by(_aggs.c.bucket))
        with self.db.reader() as session:
            rows = session.execute(stmt).all()
        if not rows:
            return SeriesData.empty(name, resolution)
        arr = _to_array(rows, 5)
        count = arr[:, 4]
        return SeriesData(name, resolution, arr[:, 0], arr[:, 3] / count, arr[:, 1], arr[:, 2],
                          count.astype(np.int64))

    def latest(self, names: Sequence[str]) -> dict[str, tuple[float, float]]:
        """The newest stored raw sample of each series that has one: name -> (ts, value)."""
        out: dict[str, tuple[float, float]] = {}
        with self.db.reader() as session:
            for name in names:
                row = session.execute(
                    select(_samples.c.ts, _samples.c.value).where(_samples.c.series == name)
                    .order_by(_samples.c.ts.desc()).limit(1)).first()
                if row is not None:
                    out[name] = (row[0], row[1])
        return out

    def first_time(self, name: str) -> float | None:
        """Start of the oldest hour holding data of ``name`` (cheap: hour aggregates)."""
        with self.db.reader() as session:
            v = session.scalar(select(func.min(_aggs.c.bucket)).where(
                _aggs.c.series == name, _aggs.c.resolution == 3600))
        return None if v is None else float(v)

    def series_names(self) -> list[str]:
        with self.db.reader() as session:
            return list(session.scalars(select(_aggs.c.series).where(_aggs.c.resolution == 3600).distinct()
                                        .order_by(_aggs.c.series)))

    def raw_count(self, name: str | None = None) -> int:
        stmt = select(func.count()).select_from(_samples)
        if name:
            stmt = stmt.where(_samples.c.series == name)
        with self.db.reader() as session:
            return int(session.scalar(stmt))

    # ---- retention -----------------------------------------------------------------
    def _expired(self, now: float) -> dict[str, tuple]:
        """Per kind: (table, condition) selecting the rows past their retention."""
        r = self.retention
        alerts_t = MonitorAlert.__table__
        cutoff = dt.datetime.fromtimestamp(now - r.alert_days * 86400, dt.timezone.utc)
        return {
            "raw": (_samples, _samples.c.ts < now - r.raw_hours * 3600),
            "minute": (_aggs, and_(_aggs.c.resolution == 60, _aggs.c.bucket < now - r.minute_days * 86400)),
            "hour": (_aggs, and_(_aggs.c.resolution == 3600, _aggs.c.bucket < now - r.hour_days * 86400)),
            "alerts": (alerts_t, and_(alerts_t.c.ended_at.is_not(None), alerts_t.c.ended_at < cutoff)),
        }

    def preview_retention(self, now: float | None = None) -> dict[str, int]:
        """What ``apply_retention`` would delete now, per kind, without deleting."""
        now = time.time() if now is None else now
        with self.db.reader() as session:
            return {kind: int(session.scalar(select(func.count()).select_from(table).where(cond)))
                    for kind, (table, cond) in self._expired(now).items()}

    def apply_retention(self, now: float | None = None) -> dict[str, int]:
        """Delete raw samples, minute and hour aggregates and resolved alerts older than
        their retention (old raw rows live on in their aggregates, merged when stored).
        Returns rows deleted per kind."""
        now = time.time() if now is None else now
        with self.db.writer() as session:
            counts = {kind: session.execute(delete(table).where(cond)).rowcount
                      for kind, (table, cond) in self._expired(now).items()}
        if any(counts.values()):
            log.info("metrics retention removed %s", counts)
        return counts


def _to_array(rows: list, width: int) -> np.ndarray:
    """Rows -> 2-D float array.  ``np.array(rows)`` treats SQLAlchemy Rows as generic
    sequences and is ~100x slower than streaming the flat values through fromiter."""
    flat = itertools.chain.from_iterable(rows)
    return np.fromiter(flat, dtype=np.float64, count=width * len(rows)).reshape(-1, width)


def _aggregate(rows: list[dict]) -> dict[tuple[str, int, int], list[float]]:
    """(series, resolution, bucket) -> [min, max, sum, count] over ``rows``."""
    out: dict[tuple[str, int, int], list[float]] = {}
    for r in rows:
        for res in (60, 3600):
            key = (r["series"], res, int(math.floor(r["ts"] / res)) * res)
            v = r["value"]
            acc = out.get(key)
            if acc is None:
                out[key] = [v, v, v, 1]
            else:
                if v < acc[0]:
                    acc[0] = v
                if v > acc[1]:
                    acc[1] = v
                acc[2] += v
                acc[3] += 1
    return out


def _merge_buckets(session, buckets: dict[tuple[str, int, int], list[float]]) -> None:
    """Insert new buckets and fold into existing ones, in three statements whatever the
    batch size: one SELECT of the existing bucket keys, one executemany UPDATE, one
    executemany INSERT.  The UPDATE is relative (count = count + n, vmin = the smaller)
    so two writers folding into one bucket at once cannot lose each other's samples; two
    writers creating one bucket at once make the second INSERT fail, and ``record``
    retries."""
    names = sorted({k[0] for k in buckets})
    lo = min(k[2] for k in buckets)
    hi = max(k[2] for k in buckets)
    existing = {tuple(r) for r in session.execute(
        select(_aggs.c.series, _aggs.c.resolution, _aggs.c.bucket)
        .where(_aggs.c.series.in_(names), _aggs.c.bucket >= lo, _aggs.c.bucket <= hi))}
    new_rows, updates = [], []
    for key, (vmin, vmax, vsum, count) in buckets.items():
        if key in existing:
            updates.append({"k_series": key[0], "k_res": key[1], "k_bucket": key[2],
                            "b_min": vmin, "b_max": vmax, "b_sum": vsum, "b_count": count})
        else:
            new_rows.append({"series": key[0], "resolution": key[1], "bucket": key[2],
                             "vmin": vmin, "vmax": vmax, "vsum": vsum, "count": count})
    if updates:
        b_min, b_max = bindparam("b_min", type_=Double), bindparam("b_max", type_=Double)
        stmt = (update(_aggs)
                .where(_aggs.c.series == bindparam("k_series"), _aggs.c.resolution == bindparam("k_res"),
                       _aggs.c.bucket == bindparam("k_bucket"))
                .values(vmin=case((_aggs.c.vmin < b_min, _aggs.c.vmin), else_=b_min),
                        vmax=case((_aggs.c.vmax > b_max, _aggs.c.vmax), else_=b_max),
                        vsum=_aggs.c.vsum + bindparam("b_sum", type_=Double),
                        count=_aggs.c.count + bindparam("b_count", type_=Integer)))
        session.connection().execute(stmt, updates)
    if new_rows:
        session.execute(insert(_aggs), new_rows)
