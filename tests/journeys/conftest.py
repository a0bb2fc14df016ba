"""Shared helpers for the SPEC §9 journeys: the GUI fixtures (main_window, messages)
come from tests/gui/conftest.py, re-exported here so the journeys run on the real window."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt

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


def click_tab(qtbot, tabs, title: str) -> None:
    """Click the tab whose text starts with ``title`` on the tab bar, like a user."""
    bar = tabs.tabBar()
    index = next(i for i in range(tabs.count()) if tabs.tabText(i).replace("&", "").startswith(title))
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index


def click_cell(qtbot, table, model, row: int, col: int = 0) -> None:
    """Click a cell of a QTableView on its viewport."""
    index = model.index(row, col)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(index).center())


def table_column(model, col: int) -> list[str]:
    return [model.data(model.index(r, col)) or "" for r in range(model.rowCount())]
