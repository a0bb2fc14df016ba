"""Icons from resources/icons (SVG), cached.  States are always icon *and* word."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from ..resources import resource_path


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    path = resource_path("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


# word shown beside each state icon (never colour alone)
STATE_WORDS = {
    "pending": "Pending", "running": "Running", "succeeded": "Succeeded", "failed": "Failed",
    "cancelled": "Cancelled", "skipped": "Skipped", "rolled_back": "Rolled back", "paused": "Paused",
    "healthy": "Healthy", "degraded": "Degraded", "unhealthy": "Unhealthy",
    "error": "Error", "warning": "Warning", "info": "Info", "ok": "OK",
}


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " ").capitalize())
