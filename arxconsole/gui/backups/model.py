"""The backup list as a Qt table model: time, kind, scope, reason, message, files,
size, verified state (icon + word)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from ..icons import icon

SORT_ROLE = Qt.UserRole + 1
COLUMNS = ["Time", "Kind", "Scope", "Reason", "Message", "Files", "Size", "State"]
# verified state -> (icon, word)
STATES = {
    "verified": ("ok", "Verified"),
    "unverified": ("pending", "Not verified"),
    "damaged": ("error", "Damaged"),
    "deleted": ("cancelled", "Deleted"),
}


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def local_time(iso: str) -> str:
    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return t.strftime("%Y-%m-%d %H:%M:%S")


def short_time(value: "str | dt.datetime") -> str:
    """Local time, as short as still clear: "10:42" today, "2024-05-01 10:42" otherwise."""
    try:
        t = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        t = t.astimezone()
    except (ValueError, AttributeError):
        return str(value)
    return t.strftime("%H:%M" if t.date() == dt.date.today() else "%Y-%m-%d %H:%M")


class BackupRow:
    """What the table shows of one backup; built off the GUI thread."""

    def __init__(self, record, verified: dict[str, tuple[str, str]]):
        self.id = record.id
        self.record = record
        m = record.manifest
        if record.state == "damaged" or m is None:
            self.state = "damaged"
            self.problem = record.problem
        elif record.state == "deleted":
            self.state = "deleted"
            self.problem = ""
        else:
            v = verified.get(record.id)
            if v is None:
                self.state, self.problem = "unverified", ""
            elif v[0] == "intact":
                self.state, self.problem = "verified", f"verified {local_time(v[1])}"
            else:
                self.state, self.problem = "damaged", f"verify found {v[0]} ({local_time(v[1])})"
        self.manifest = m
        self.created = m.created_at if m else ""
        self.kind = m.kind if m else "?"
        self.scope = (m.system or ", ".join(s or "everything" for s in m.scope)) if m else ""
        self.reason = m.reason_label if m else ""
        self.message = m.message if m else record.problem
        # Listings carry the header only (no file list): the totals say how much.
        self.files = int(m.totals.get("files", 0)) if m else 0
        self.size = int(m.totals.get("bytes", 0)) if m else 0

    @property
    def usable(self) -> bool:
        return self.state in ("verified", "unverified")


class BackupListModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[BackupRow] = []

    def set_rows(self, rows: list[BackupRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_for(self, backup_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == backup_id), -1)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        r, col = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return [local_time(r.created), r.kind, r.scope, r.reason, r.message, str(r.files),
                    human_size(r.size), STATES[r.state][1]][col]
        if role == Qt.DecorationRole and col == 7:
            return icon(STATES[r.state][0])
        if role == Qt.ToolTipRole:
            return f"{r.id}\n{r.problem}" if r.problem else r.id
        if role == Qt.TextAlignmentRole and col in (5, 6):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.UserRole:
            return r.id
        if role == SORT_ROLE:  # real values, not their display text (ids order same-second backups)
            return [r.id, r.kind, r.scope, r.reason, r.message, r.files, r.size, r.state][col]
        return None
