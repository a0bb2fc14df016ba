"""Monitoring: resource sampler, metrics store, alerts, health, analytics, report.

No Qt here: the GUI's Metrics surface and the CLI use these same calls.

How a front end uses it (the GUI Metrics surface, the status bar):
- ``sampler = Sampler.for_database(db, data_dir.root)``; ``sampler.add_listener(fn)``
  (called in the sampler thread: forward through a queued signal), ``sampler.start()``,
  ``sampler.stop()`` on close (it flushes).  ``sampler.latest()`` for the newest sample,
  ``sampler.reload_settings()`` after thresholds/retention are edited;
  ``sampler.recent(name, seconds)`` -> (t, values) arrays of the last hour in memory
  (stored rows lag by up to one flush interval, 10 s).
- Chart history: ``MetricsStore(db).series(name, since, until)`` -> ``SeriesData`` with
  numpy arrays ``t`` (epoch s), ``value``, ``vmin``/``vmax`` (band), ``count``; 'auto'
  resolution keeps any window <= 4,000 points.  Series names: ``SERIES``.
- Run/step markers on the time axis: ``timeline_markers(DatabaseHistory(db).runs(...), t0, t1)``.
- Alerts: ``AlertLog(db).active()`` / ``.history(since, until)``; ``sampler.add_alert_listener``
  for live raise/resolve; ``check_failure_rate(db, runs)`` after each pipeline run.
- Health (status bar icon + word + tooltip): ``check_health(db, data_dir.root, workspace,
  lock, sampler)`` -> ``HealthReport.status`` / ``.summary`` / ``.components``.
- Analytics: ``analyze(DatabaseHistory(db).runs(since=...), alerts=...)`` -> ``Insights``
  (success trend, slowest steps, hot spots, run-time trend, recommendations).
- Report/CSV: ``report.collect`` then ``report.write_html`` / ``report.write_csv``.
"""

from .alerts import AlertEngine, AlertEvent, AlertLog, AlertRecord, check_failure_rate  # noqa: F401
from .analytics import Insights, Recommendation, analyze  # noqa: F401
from .health import ComponentHealth, HealthReport, Status, check_health  # noqa: F401
from .history import DatabaseHistory, ListHistory, Marker, RunRecord, StepRecord, timeline_markers  # noqa: F401
from .metrics import MetricsStore, SeriesData  # noqa: F401
from .sampler import SERIES, Sample, Sampler, take_sample  # noqa: F401
