"""The symbol being edited: one dict in the library format plus one QUndoStack.

Every edit — a form field, a table cell, a port drag, a keystroke in the SVG source —
is a ``SetValueCommand`` on a JSON path, so undo/redo works across all of them in one
history, and every view redraws from ``changed`` instead of talking to the others.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack



class _Missing:
    """The value of a path that does not exist; setting it deletes the key.  A singleton
    that survives the deep copies the undo commands make."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
_MERGE_ID = 0x5359          # consecutive typing in one field merges into one undo step
MERGE_WINDOW_S = 1.5


def get_path(data: Any, path: tuple) -> Any:
    cur = data
    for key in path:
        if isinstance(cur, dict) and key in cur:
            cur = cur[key]
        else:
            return MISSING
    return cur


def set_path(data: dict, path: tuple, value: Any) -> None:
    """Set (or delete, for MISSING) ``path`` inside ``data``, creating dicts on the way;
    a key that exists keeps its position, so files keep their field order."""
    cur = data
    for key in path[:-1]:
        nxt = cur.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            cur[key] = nxt
        cur = nxt
    if value is MISSING:
        cur.pop(path[-1], None)
    else:
        cur[path[-1]] = value


class SetValueCommand(QUndoCommand):
    def __init__(self, doc: "SymbolDocument", path: tuple, old: Any, new: Any, text: str, merge: bool):
        super().__init__(text)
        self.doc, self.path, self.old, self.new, self.merge = doc, path, old, new, merge
        self.stamp = time.monotonic()

    def redo(self) -> None:
        self.doc._apply(self.path, self.new)

    def undo(self) -> None:
        self.doc._apply(self.path, self.old)

    def id(self) -> int:
        return _MERGE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetValueCommand) or other.path != self.path or not other.merge:
            return False
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        self.new = other.new
        self.stamp = other.stamp
        return True


class SymbolDocument(QObject):
    changed = Signal(tuple)      # the path that changed; () = everything (load)
    loaded = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.data: dict[str, Any] = {}
        self.path: Path | None = None       # the file it was loaded from (None: never saved)
        self.folder_system: str = ""        # the system folder it lives in

    # ---- state ---------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return bool(self.data)

    @property
    def dirty(self) -> bool:
        return self.is_open and (not self.undo_stack.isClean() or self.path is None)

    def load(self, data: dict[str, Any], path: Path | None, folder_system: str = "") -> None:
        self.data = copy.deepcopy(data)
        self.path = Path(path) if path else None
        self.folder_system = folder_system or str(self.data.get("system") or "")
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.changed.emit(())
        self.loaded.emit()

    def close(self) -> None:
        self.data = {}
        self.path = None
        self.undo_stack.clear()
        self.changed.emit(())
        self.loaded.emit()

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)

    def mark_saved(self, path: Path) -> None:
        self.path = Path(path)
        self.folder_system = str(self.data.get("system") or self.folder_system)
        self.undo_stack.setClean()

    # ---- editing -------------------------------------------------------------------
    def get(self, *path: Any, default: Any = None) -> Any:
        value = get_path(self.data, tuple(path))
        return default if value is MISSING else value

    def set(self, path: tuple, value: Any, text: str | None = None, *, merge: bool = False) -> bool:
        """Push an undoable change; False when the value is unchanged (no history entry)."""
        if not self.is_open:
            return False
        old = get_path(self.data, path)
        if old is not MISSING and value is not MISSING and old == value and type(old) is type(value):
            return False
        if old is MISSING and value is MISSING:
            return False
        label = text or f"Edit {'.'.join(str(p) for p in path)}"
        self.undo_stack.push(SetValueCommand(self, path, copy.deepcopy(old), copy.deepcopy(value),
                                             label, merge))
        return True

    def _apply(self, path: tuple, value: Any) -> None:
        set_path(self.data, path, copy.deepcopy(value))
        self.changed.emit(path)
