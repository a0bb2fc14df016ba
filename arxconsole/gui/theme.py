"""Light/dark: follow the system colour scheme unless the user (or ARXCONSOLE_THEME)
forces one.  Symbols are always drawn on paper-white, whatever the theme (see
``PAPER_COLOR``)."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

PAPER_COLOR = QColor("#fbfaf6")  # the symbol canvas: its own colours stay true


def effective_scheme(choice: str | None = None) -> str:
    """'light' or 'dark' for a choice of 'system' | 'light' | 'dark'."""
    if not choice or choice.lower() == "system":  # the environment overrides the stored "system"
        choice = os.environ.get("ARXCONSOLE_THEME") or "system"
    choice = choice.lower()
    if choice in ("light", "dark"):
        return choice
    return _system_scheme()


def _system_scheme() -> str:
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == Qt.ColorScheme.Dark else "light"


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e2227"), QColor("#2a2f36"), QColor("#e6e6e6")
    p.setColor(QPalette.Window, window)
    p.setColor(QPalette.WindowText, text)
    p.setColor(QPalette.Base, base)
    p.setColor(QPalette.AlternateBase, QColor("#252a30"))
    p.setColor(QPalette.ToolTipBase, QColor("#33393f"))
    p.setColor(QPalette.ToolTipText, text)
    p.setColor(QPalette.Text, text)
    p.setColor(QPalette.Button, window)
    p.setColor(QPalette.ButtonText, text)
    p.setColor(QPalette.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.Highlight, QColor("#3d7bc4"))
    p.setColor(QPalette.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.Link, QColor("#6aa8f0"))
    p.setColor(QPalette.PlaceholderText, QColor("#8b929a"))
    for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
        p.setColor(QPalette.Disabled, role, QColor("#7b8088"))
    return p


def apply_theme(app: QApplication, choice: str | None = None) -> str:
    """Apply and return the effective scheme.  Fusion renders both palettes faithfully
    on every platform (and offscreen, for screenshots)."""
    if not app.property("arx_fusion"):   # the app made its QApplication with -style Fusion
        app.setStyle("Fusion")
        app.setProperty("arx_fusion", True)
    scheme = effective_scheme(choice)
    if scheme == "dark":
        app.setPalette(dark_palette())
    elif app.property("arx_scheme") is not None or _system_scheme() == "dark":
        # back from dark, or light forced on a dark desktop; otherwise (a light start)
        # Fusion's own palette is already in place and touching the style costs start-up
        app.setPalette(app.style().standardPalette())
    app.setProperty("arx_scheme", scheme)
    return scheme


def is_dark() -> bool:
    app = QApplication.instance()
    return bool(app) and app.property("arx_scheme") == "dark"
