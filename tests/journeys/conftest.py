"""Shared helpers for the SPEC §9 journeys: the GUI fixtures (main_window, messages)
come from tests/gui/conftest.py, re-exported here so the journeys run on the real window."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.gui.conftest import main_window, messages  # noqa: F401 - pytest fixtures


def tree_hash(root: Path) -> dict[str, str]:
    """Every workspace file -> sha256; the console's own lock, journal and demo marker
    (``.arxconsole*``) are its state, not the user's data."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*"))
            if p.is_file() and not any(part.startswith(".arxconsole") for part in p.relative_to(root).parts)}


def wait_for_demo_history(qtbot, window, timeout=60_000) -> None:
    """The data dir's demo is seeded by a background worker the first time it opens."""
    from arxconsole.engine.demo import demo_needs_history

    ws = window.ctx.workspace
    qtbot.waitUntil(lambda: not getattr(window, "_seeding", False)
                    and not demo_needs_history(ws.root, window.ctx.db), timeout=timeout)
