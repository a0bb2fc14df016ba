"""The numbers behind a chart, as columns: shown in a table view and written as CSV.

Columns are kept as sequences (numpy arrays for the resource charts: 86,400 rows) and
formatted only when a cell is painted or a CSV line written, so switching a 24 h chart
to its table does not build half a million strings up front."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

Formatter = Callable[[object], str]


def fixed(digits: int) -> Formatter:
    def fmt(v) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return f"{float(v):.{digits}f}"
    return fmt


def plain(v) -> str:
    return "" if v is None else str(v)


def local_time(v) -> str:
    return dt.datetime.fromtimestamp(float(v)).strftime("%Y-%m-%d %H:%M:%S")


def utc_iso(v) -> str:
    return dt.datetime.fromtimestamp(float(v), dt.timezone.utc).isoformat()


def precise(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return repr(float(v)) if isinstance(v, float) else str(v)


@dataclass
class Column:
    header: str
    values: Sequence
    display: Formatter = plain     # what the table shows
    csv: Formatter | None = None   # what the CSV holds (default: display)


@dataclass
class TableData:
    columns: list[Column] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def cell(self, row: int, col: int) -> str:
        c = self.columns[col]
        return c.display(c.values[row])

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.headers())
        fmts = [(c.values, c.csv or c.display) for c in self.columns]
        for r in range(self.rows):
            w.writerow([f(vals[r]) for vals, f in fmts])
        return buf.getvalue()


class TableDataModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._data = TableData()

    def set_data(self, data: TableData) -> None:
        self.beginResetModel()
        self._data = data
        self.endResetModel()

    def table(self) -> TableData:
        return self._data

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._data.rows

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._data.columns)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.DisplayRole:
            return self._data.cell(index.row(), index.column())
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter) if index.column() else int(Qt.AlignLeft | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal and 0 <= section < len(self._data.columns):
            return self._data.columns[section].header
        return None
