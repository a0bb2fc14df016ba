"""Monitoring settings kept in the database (so they travel with the history):
alert thresholds and metrics retention.  Changes go through ``db.set_setting``, which
audits them; bad values raise ``MonitorSettingsError`` naming the setting."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..errors import UserError

THRESHOLDS_KEY = "monitor.thresholds"
RETENTION_KEY = "monitor.retention"

# Series the sampler records; alert metrics use the same names.
CPU = "system.cpu_percent"
MEMORY = "system.memory_percent"
DISK = "system.disk_percent"
PROCESS_CPU = "process.cpu_percent"
PROCESS_RSS = "process.rss_mb"
FAILURE_RATE = "pipeline.failure_rate"

LABELS = {
    CPU: "CPU", MEMORY: "memory", DISK: "disk", PROCESS_CPU: "console CPU",
    PROCESS_RSS: "console memory", FAILURE_RATE: "run failure rate",
}
UNITS = {CPU: "%", MEMORY: "%", DISK: "%", PROCESS_CPU: "%", PROCESS_RSS: "MB", FAILURE_RATE: "%"}


class MonitorSettingsError(UserError):
    pass


@dataclass(frozen=True)
class Threshold:
    """Raise at ``warning``/``critical`` once the value stayed there ``min_duration_s``;
    resolve once it stayed below ``warning - clear_margin`` for ``min_duration_s``."""

    warning: float
    critical: float
    clear_margin: float
    min_duration_s: float

    @property
    def clear_level(self) -> float:
        return self.warning - self.clear_margin

    def validate(self, metric: str) -> "Threshold":
        for name, v in asdict(self).items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                raise MonitorSettingsError(f"setting {THRESHOLDS_KEY}.{metric}.{name}: {v!r} is not a number")
            if v < 0:
                raise MonitorSettingsError(f"setting {THRESHOLDS_KEY}.{metric}.{name}: {v} is negative")
        if self.critical < self.warning:
            raise MonitorSettingsError(
                f"setting {THRESHOLDS_KEY}.{metric}: critical ({self.critical}) is below warning ({self.warning})")
        if self.clear_margin > self.warning:
            # The clear level would be below zero: the alert could never resolve.
            raise MonitorSettingsError(
                f"setting {THRESHOLDS_KEY}.{metric}: clear_margin ({self.clear_margin}) is larger than "
                f"warning ({self.warning}); the alert could never resolve")
        return self


DEFAULT_THRESHOLDS: dict[str, Threshold] = {
    CPU: Threshold(warning=80, critical=95, clear_margin=10, min_duration_s=30),
    MEMORY: Threshold(warning=85, critical=95, clear_margin=5, min_duration_s=30),
    DISK: Threshold(warning=90, critical=97, clear_margin=2, min_duration_s=60),
    # Evaluated once per finished run, so no waiting period.
    FAILURE_RATE: Threshold(warning=5, critical=20, clear_margin=1, min_duration_s=0),
}


@dataclass(frozen=True)
class Retention:
    raw_hours: float = 24          # raw 1 Hz samples
    minute_days: float = 31        # per-minute aggregates
    hour_days: float = 400         # per-hour aggregates
    alert_days: float = 400        # resolved alerts

    def validate(self) -> "Retention":
        for name, v in asdict(self).items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
                raise MonitorSettingsError(f"setting {RETENTION_KEY}.{name}: {v!r} must be a positive number")
        if self.minute_days * 24 < self.raw_hours or self.hour_days < self.minute_days:
            raise MonitorSettingsError(
                f"setting {RETENTION_KEY}: coarser data must be kept at least as long as finer data "
                f"(raw {self.raw_hours} h, minute {self.minute_days} d, hour {self.hour_days} d)")
        return self


def load_thresholds(db) -> dict[str, Threshold]:
    """Defaults overlaid with what is stored; a damaged stored entry falls back to the
    default for that metric rather than disabling alerting."""
    stored = db.get_setting(THRESHOLDS_KEY, {}) or {}
    result = dict(DEFAULT_THRESHOLDS)
    if isinstance(stored, dict):
        for metric, values in stored.items():
            base = result.get(metric)
            if not isinstance(values, dict):
                continue
            try:
                t = replace(base, **values) if base else Threshold(**values)
                result[metric] = t.validate(metric)
            except (TypeError, MonitorSettingsError):
                continue
    return result


def set_threshold(db, metric: str, **values: Any) -> Threshold:
    """Change some fields of one metric's threshold (validated, audited)."""
    current = load_thresholds(db)
    base = current.get(metric)
    try:
        new = replace(base, **values) if base else Threshold(**values)
    except TypeError as exc:
        raise MonitorSettingsError(f"setting {THRESHOLDS_KEY}.{metric}: {exc}") from None
    new.validate(metric)
    stored = dict(db.get_setting(THRESHOLDS_KEY, {}) or {})
    stored[metric] = asdict(new)
    db.set_setting(THRESHOLDS_KEY, stored)
    return new


def load_retention(db) -> Retention:
    stored = db.get_setting(RETENTION_KEY, {}) or {}
    try:
        return Retention(**stored).validate() if isinstance(stored, dict) else Retention()
    except (TypeError, MonitorSettingsError):
        return Retention()


def set_retention(db, **values: Any) -> Retention:
    try:
        new = replace(load_retention(db), **values)
    except TypeError as exc:
        raise MonitorSettingsError(f"setting {RETENTION_KEY}: {exc}") from None
    new.validate()
    db.set_setting(RETENTION_KEY, asdict(new))
    return new
