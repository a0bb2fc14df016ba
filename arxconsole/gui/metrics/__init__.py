"""Metrics surface: live resource charts, run/step markers, run charts, alerts, insights."""

from .surface import MetricsSurface as SURFACE  # noqa: F401
