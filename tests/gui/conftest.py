from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/gui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def messages(monkeypatch):
    """Record QMessageBox calls instead of blocking on a modal dialog."""
    from PySide6.QtWidgets import QMessageBox

    seen: list[tuple[str, str, str]] = []

    def fake(kind, default):
        def _show(parent, title, text, *a, **k):
            seen.append((kind, title, text))
            return default
        return _show

    monkeypatch.setattr(QMessageBox, "warning", fake("warning", QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "critical", fake("critical", QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "information", fake("information", QMessageBox.Ok))
    monkeypatch.setattr(QMessageBox, "question", fake("question", QMessageBox.Yes))
    return seen


@pytest.fixture
def main_window(qtbot, data_dir, messages):
    from arxconsole.app import build_main_window

    window, ctx = build_main_window(data_dir)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.status_monitor.stop()
    ctx.close_workspace(emit=False)
    ctx.db.close()
