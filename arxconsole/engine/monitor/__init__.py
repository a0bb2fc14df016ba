"""Monitoring: resource sampler, metrics store, alerts, health, analytics, report.

No Qt here: the GUI's Metrics surface and the CLI use these same calls.
"""

from .alerts import AlertEngine, AlertEvent, AlertLog, AlertRecord  # noqa: F401
from .analytics import Insights, Recommendation, analyze  # noqa: F401
from .health import ComponentHealth, HealthReport, Status, check_health  # noqa: F401
from .history import DatabaseHistory, ListHistory, Marker, RunRecord, StepRecord, timeline_markers  # noqa: F401
from .metrics import MetricsStore, SeriesData  # noqa: F401
from .sampler import SERIES, Sample, Sampler, take_sample  # noqa: F401
