"""Right-click menus built by a ``menu_at(pos)`` method.

Views here build their context menu in a method that returns it (or None where no menu
applies), so tests can inspect it without a modal ``exec``; this wires such a method to
a view and shows the menu it returns.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QMenu


def use_context_menu(view: QAbstractScrollArea, menu_at: Callable[[QPoint], QMenu | None]) -> None:
    """Show ``menu_at(pos)`` where ``view`` is right-clicked."""
    def show(pos: QPoint) -> None:
        menu = menu_at(pos)
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))
            menu.deleteLater()   # parented to its owner: one per right-click otherwise

    view.setContextMenuPolicy(Qt.CustomContextMenu)
    view.customContextMenuRequested.connect(show)
