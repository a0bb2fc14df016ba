"""Table models of the Pipeline surface: one small row-of-dicts model, four column sets
(steps, findings, past runs, changed files).  Every state and severity is an icon AND a
word; colour is never the only cue."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from ..icons import icon, state_word

DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
USER = int(Qt.ItemDataRole.UserRole.value)
_ROLES = frozenset((DISPLAY, DECORATION, TOOLTIP, ALIGNMENT, FONT, USER))
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
SYMBOL_FILE_RE = re.compile(r"(?:^|/)arx-symbol-library/[^/]+/([^/]+)\.json$")


class Column(NamedTuple):
    title: str
    text: Callable[[dict], str]
    icon: Callable[[dict], str] | None = None      # icon name for the row, "" for none
    tooltip: Callable[[dict], str] | None = None
    align_right: bool = False
    link: bool = False                               # drawn underlined: a click acts


class RowsModel(QAbstractTableModel):
    """Rows are plain dicts; columns say how to show them."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self._rows: list[dict] = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index, role=DISPLAY):
        # int roles: PySide6's Qt.DisplayRole-style lookups cost ~10 us each, per cell and role
        if role not in _ROLES or not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row, col = self._rows[index.row()], self.columns[index.column()]
        if role == DISPLAY:
            return col.text(row)
        if role == DECORATION:
            name = col.icon(row) if col.icon is not None else ""
            return icon(name) if name else None
        if role == TOOLTIP:
            return col.tooltip(row) if col.tooltip else (col.text(row) or None)
        if role == ALIGNMENT:
            return _RIGHT if col.align_right else None
        if role == FONT:
            if col.link and col.text(row):
                f = QFont()
                f.setUnderline(True)
                return f
            return None
        return row   # USER

    # ---- rows ----------------------------------------------------------------------
    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def update_row(self, i: int, **changes: Any) -> None:
        self._rows[i].update(changes)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))

    def row(self, i: int) -> dict:
        return self._rows[i]

    def rows(self) -> list[dict]:
        return list(self._rows)

    def find(self, predicate: Callable[[dict], bool]) -> int:
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    def column_texts(self, col: int) -> list[str]:
        return [self.columns[col].text(r) for r in self._rows]


# ---- formatting -----------------------------------------------------------------------
def fmt_duration(seconds) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def fmt_counts(counts: dict | None) -> str:
    counts = counts or {}
    parts = []
    for key, one, many in (("error", "error", "errors"), ("warning", "warning", "warnings"),
                           ("info", "info", "infos"), ("waived", "waived", "waived")):
        n = int(counts.get(key, 0) or 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) if parts else ("none" if counts else "")


def fmt_when(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return local.strftime("today %H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def symbol_of(finding: dict) -> str:
    """The symbol a finding is about: its symbol_id, else the symbol file's stem."""
    if finding.get("symbol_id"):
        return str(finding["symbol_id"])
    m = SYMBOL_FILE_RE.search(str(finding.get("file") or ""))
    return m.group(1) if m else ""


def severity_icon(f: dict) -> str:
    return "skipped" if f.get("waived") else str(f.get("severity", "info"))


def severity_text(f: dict) -> str:
    return "Waived" if f.get("waived") else state_word(str(f.get("severity", "info")))


def step_title(step_id: str) -> str:
    from ...engine.pipeline.states import STEP_TITLES

    return STEP_TITLES.get(step_id, step_id)


# ---- the four tables --------------------------------------------------------------------
def steps_model(parent=None) -> RowsModel:
    """Rows: {id, state, attempt, duration, findings (counts), message}."""
    return RowsModel([
        Column("Step", lambda r: f"{r.get('position', 0) + 1}. {step_title(r['id'])}",
               tooltip=lambda r: f"{r['id']}: {r.get('message') or state_word(r.get('state', 'pending'))}"),
        Column("State", lambda r: state_word(r.get("state", "pending")), icon=lambda r: r.get("state", "pending"),
               tooltip=lambda r: r.get("message") or state_word(r.get("state", "pending"))),
        Column("Duration", lambda r: fmt_duration(r.get("duration")), align_right=True),
        Column("Attempt", lambda r: str(r["attempt"]) if r.get("attempt") else "—", align_right=True),
        Column("Findings", lambda r: fmt_counts(r.get("findings"))),
    ], parent)


def findings_model(parent=None) -> RowsModel:
    """Rows: Finding.to_dict() (+ check)."""
    return RowsModel([
        Column("Severity", severity_text, icon=severity_icon,
               tooltip=lambda f: f"waived: {f.get('waiver_reason', '')}" if f.get("waived") else severity_text(f)),
        Column("Symbol", symbol_of, link=True,
               tooltip=lambda f: f"Open {symbol_of(f)} in the Symbols surface" if symbol_of(f) else None),
        Column("Rule", lambda f: str(f.get("rule", "")),
               tooltip=lambda f: f"{f.get('rule', '')} (check {f.get('check', '')})"),
        Column("Message", lambda f: str(f.get("message", ""))),
        Column("File", lambda f: str(f.get("file", ""))),
        Column("Location", lambda f: str(f.get("location", ""))),
        Column("Hint", lambda f: str(f.get("hint", ""))),
    ], parent)


def runs_model(parent=None) -> RowsModel:
    """Rows: {run_id, state, system, object_type, mode, dry_run, started_at, duration, message}."""
    def target(r):
        return r.get("object_type") or r.get("system", "")

    def mode(r):
        text = "New object" if r.get("mode") == "new_object" else "New system"
        return text + (", dry run" if r.get("dry_run") else "")

    return RowsModel([
        Column("Run", lambda r: str(r["run_id"]), align_right=True),
        Column("State", lambda r: state_word(r.get("state", "pending")), icon=lambda r: r.get("state", "pending"),
               tooltip=lambda r: r.get("message") or state_word(r.get("state", "pending"))),
        Column("Target", target),
        Column("Mode", mode),
        Column("Started", lambda r: fmt_when(r.get("started_at"))),
        Column("Duration", lambda r: fmt_duration(r.get("duration")), align_right=True),
    ], parent)


ACTION_WORDS = {"create": "Create", "modify": "Modify", "delete": "Delete"}


def changes_model(parent=None) -> RowsModel:
    """Rows: {path, action, diff?, step}."""
    return RowsModel([
        Column("Action", lambda c: ACTION_WORDS.get(c.get("action", ""), c.get("action", ""))),
        Column("File", lambda c: str(c.get("path", ""))),
        Column("Step", lambda c: str(c.get("step", ""))),
    ], parent)
