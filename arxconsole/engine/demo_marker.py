"""The demo workspace's marker file, apart from the demo's content (``demo``): the GUI's
start checks the marker before its first window, and the drawings, schemas and
profiles of ``demo`` are only needed when the demo must be written."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

DEMO_MARKER = ".arxconsole-demo.json"


def read_marker(folder: str | os.PathLike) -> dict[str, Any] | None:
    """The demo marker's content, or None when ``folder`` is not a demo workspace."""
    try:
        data = json.loads((Path(folder) / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("arxconsole_demo") is True else None


def is_demo_workspace(folder: str | os.PathLike) -> bool:
    return read_marker(folder) is not None


def demo_is_complete(folder: str | os.PathLike) -> bool:
    """True when a demo was fully written at ``folder`` (an interrupted write is not)."""
    marker = read_marker(folder)
    return marker is not None and marker.get("complete") is True
