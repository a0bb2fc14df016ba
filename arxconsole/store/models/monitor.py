"""Monitoring tables: raw metric samples, downsampled aggregates, the alert log.

Timestamps of samples and buckets are epoch seconds (float / int), not datetimes: the
charts want numpy arrays of seconds, and converting 86,400 datetimes per query would
cost more than the query itself.  Alerts are few and read by people, so they use
UtcDateTime like the rest of the history.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class MetricSample(Base):
    """One raw sample of one series (kept for the recent window only)."""

    __tablename__ = "metric_samples"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    series: Mapped[str] = mapped_column(String(64))
    ts: Mapped[float] = mapped_column(Double)
    value: Mapped[float] = mapped_column(Double)

    # Covering index: a window query reads only the index, never the table rows.
    __table_args__ = (Index("ix_metric_samples_series_ts", "series", "ts", "value"),)


class MetricAggregate(Base):
    """min/sum/max/count of one series over one bucket (resolution 60 s or 3600 s).

    The sum, not the mean, is stored so buckets merge exactly when samples arrive in
    several batches; mean = sum / count."""

    __tablename__ = "metric_aggregates"

    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    resolution: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch s, bucket start
    vmin: Mapped[float] = mapped_column(Double)
    vmax: Mapped[float] = mapped_column(Double)
    vsum: Mapped[float] = mapped_column(Double)
    count: Mapped[int] = mapped_column(Integer)


class MonitorAlert(Base):
    """One alert episode: raised at ``started_at``, resolved at ``ended_at`` (None while
    active).  ``level`` is the highest level reached, ``peak`` the worst value seen."""

    __tablename__ = "monitor_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    peak: Mapped[float] = mapped_column(Double)
    threshold: Mapped[float] = mapped_column(Double)
    last_value: Mapped[float] = mapped_column(Double)
    message: Mapped[str] = mapped_column(Text, default="")
