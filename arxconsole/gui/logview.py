"""A live log view that stays responsive under a flood of lines.

Lines arrive from any thread through a ``BatchInbox`` (one queued wake-up per batch,
never one signal per line), are appended to a large in-memory store in batches, and
reach the view through one ``beginInsertRows`` per batch.  Level and step filters are
index lists over the store (rebuilt only when a filter changes, extended per batch);
search scans the whole store, not what happens to be painted.  The view follows the
tail only while it is scrolled to the bottom.

A line is a ``LogRecord``: seq, at (epoch s), level, step, kind, message, data — the
shape of ``engine.pipeline.events.PipelineEvent`` and of its stored rows.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import deque
from typing import Any, Callable, Iterable, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from ..engine import durable
from .icons import icon, state_word

LEVELS = ("error", "warning", "info", "debug")
LEVEL_ICONS = {"error": "error", "warning": "warning", "info": "info", "debug": ""}
LEVEL_WORDS = {"error": "Error", "warning": "Warning", "info": "Info", "debug": "Debug"}
COLUMNS = ("Time", "Level", "Step", "Message")
MAX_LINES = 1_000_000      # far above any real run; beyond it the oldest tenth is dropped
RUN_LEVEL = ""             # step filter value for run-level lines (no step)
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
USER = int(Qt.ItemDataRole.UserRole.value)
_ROLES = frozenset((DISPLAY, DECORATION, TOOLTIP, USER))


class LogRecord(NamedTuple):
    seq: int
    at: float
    level: str
    step: str
    kind: str
    message: str
    data: dict

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "time": iso_time(self.at), "level": self.level,
                "step": self.step, "kind": self.kind, "message": self.message, "data": self.data}

    def text_line(self) -> str:
        step = self.step or "-"
        return f"{iso_time(self.at)} {self.level.upper():<7} {step:<18} {self.message}"


def to_record(obj: Any) -> LogRecord:
    """A PipelineEvent, a stored log row (attributes), a mapping or a packed line -> LogRecord."""
    if isinstance(obj, LogRecord):
        return obj
    if is_packed(obj):
        return LogRecord(*obj[:6], _decode(obj[6]))
    return LogRecord(*_row(obj), _data(obj))


def pack(obj: Any) -> tuple:
    """A line as an exact tuple of str/int/float, its data as JSON text.

    Such tuples are untracked by the garbage collector at its first pass, so neither
    100,000 kept lines nor thousands in flight between threads make collections (and
    GUI stalls) longer.  Call it on the producing thread."""
    if is_packed(obj):
        return obj
    d = _data(obj)
    return _row(obj) + (json.dumps(d, ensure_ascii=False, default=str, separators=(",", ":")) if d else "",)


def is_packed(obj: Any) -> bool:
    return type(obj) is tuple and len(obj) == 7


def _decode(text: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"data": text}
    return value if isinstance(value, dict) else {"data": value}


def _get(obj: Any, key: str, default=None):
    return obj.get(key, default) if isinstance(obj, dict) else getattr(obj, key, default)


def _row(obj: Any) -> tuple:
    if isinstance(obj, LogRecord):
        return tuple(obj[:6])
    kind = _get(obj, "kind", "log")
    return (int(_get(obj, "seq", 0) or 0), float(_get(obj, "at", 0.0) or 0.0),
            str(_get(obj, "level", "info") or "info"), str(_get(obj, "step", "") or ""),
            str(getattr(kind, "value", kind) or "log"), str(_get(obj, "message", "") or ""))


def _data(obj: Any) -> dict:
    d = _get(obj, "data", None)
    return dict(d) if d else {}


def iso_time(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at)) + f".{int(at * 1000) % 1000:03d}"


def clock_time(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at)) + f".{int(at * 1000) % 1000:03d}"


def tune_interpreter_for_gui() -> None:
    """Once, after start-up: keep the GUI thread responsive while Python worker threads
    (the pipeline runner, a log flood) run flat out.

    * ``gc.freeze()`` moves everything alive after start-up (tens of thousands of Qt,
      SQLAlchemy and module objects) out of the collector's view, so a full collection
      triggered by a worker scans only what came later: ~30 ms instead of 150-250 ms
      of every-thread stall on a loaded laptop (bench/log_flood.py).
    * a 1 ms GIL switch interval (CPython's default is 5 ms): each time Qt calls back
      into Python (every painted cell, every timer) the GUI thread waits for the GIL at
      most that long while a worker holds it.
    """
    import gc
    import sys

    gc.freeze()
    if sys.getswitchinterval() > 0.001:
        sys.setswitchinterval(0.001)


# ---- cross-thread batching -------------------------------------------------------------
class BatchInbox(QObject):
    """A thread-safe queue emptied on its owner's (GUI) thread in batches.

    ``put`` may be called from any thread.  The first item after a drain sends ONE
    queued wake-up; the batch is delivered ``interval_ms`` later through ``batch`` in
    chunks of at most ``max_batch`` items, each chunk its own event-loop turn, so a
    flood never becomes one long stall nor 100,000 queued signals.
    """

    batch = Signal(list)
    _wake = Signal()

    def __init__(self, interval_ms: int = 50, max_batch: int = 4000, parent=None):
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.max_batch = max_batch
        self._items: deque = deque()
        self._lock = threading.Lock()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._drain)
        self._wake.connect(self._arm)   # queued when put() runs on another thread

    def put(self, item: Any) -> None:
        with self._lock:
            self._items.append(item)
            if self._armed:
                return
            self._armed = True
        self._wake.emit()

    def put_many(self, items: Iterable[Any]) -> None:
        with self._lock:
            self._items.extend(items)
            if self._armed or not self._items:
                return
            self._armed = True
        self._wake.emit()

    def pending(self) -> int:
        return len(self._items)

    def flush(self) -> None:
        """Deliver everything queued now (GUI thread), e.g. when a run ends."""
        self._timer.stop()
        while self._drain_once():
            pass

    def _arm(self) -> None:
        if not self._timer.isActive():
            self._timer.start(self.interval_ms)

    def _drain(self) -> None:
        if self._drain_once():
            self._timer.start(0)   # more waiting: next chunk on the next loop turn

    def _drain_once(self) -> bool:
        with self._lock:
            n = min(len(self._items), self.max_batch)
            chunk = [self._items.popleft() for _ in range(n)]
            more = bool(self._items)
            if not more:
                self._armed = False
        if chunk:
            self.batch.emit(chunk)
        return more


# ---- the model -------------------------------------------------------------------------
class LogModel(QAbstractTableModel):
    """Rows = the records passing the level/step filter, in arrival order."""

    def __init__(self, max_lines: int = MAX_LINES, parent=None):
        super().__init__(parent)
        self.max_lines = max_lines
        self._records: list[tuple] = []       # pack() tuples (untracked by the GC)
        self._folded: list[str] = []          # search text, case-folded once on arrival
        self._rows: list[int] | None = None   # visible store indices; None = every record
        self._levels: frozenset[str] | None = None
        self._step: str | None = None
        self.dropped = 0                      # oldest lines discarded past max_lines

    # ---- Qt model API --------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self._records) if self._rows is None else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index, role=DISPLAY):
        # Hot path (every painted cell asks for ~10 roles): plain int roles, because
        # PySide6's Qt.DisplayRole-style lookups cost ~10 us each.
        if role not in _ROLES or not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= self.rowCount():
            return None
        i = row if self._rows is None else self._rows[row]
        seq, at, level, step, kind, message, data_json = self._records[i]
        if role == DISPLAY:
            if col == 3:
                return message
            if col == 0:
                return clock_time(at)
            if col == 1:
                return LEVEL_WORDS.get(level) or state_word(level)
            return step or "run"
        if role == DECORATION:
            name = LEVEL_ICONS.get(level, "") if col == 1 else ""
            return icon(name) if name else None
        if role == TOOLTIP:
            if col == 0:
                return iso_time(at)
            if col != 3:
                return None
            data = _decode(data_json)
            extra = {k: v for k, v in data.items() if k != "traceback"}
            tip = message
            if extra:
                tip += "\n\n" + "\n".join(f"{k}: {v}" for k, v in extra.items())[:2000]
            if "traceback" in data:
                tip += "\n\n" + str(data["traceback"])[-2000:]
            return tip
        return self.record(row)   # USER

    # ---- store ---------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Lines kept, whatever the filter."""
        return len(self._records)

    def records(self) -> list[LogRecord]:
        """Every kept line, oldest first (whatever the filter)."""
        return [LogRecord(*t[:6], _decode(t[6])) for t in self._records]

    def record(self, row: int) -> LogRecord:
        i = row if self._rows is None else self._rows[row]
        t = self._records[i]
        return LogRecord(*t[:6], _decode(t[6]))

    def store_index(self, row: int) -> int:
        return row if self._rows is None else self._rows[row]

    def row_of(self, store_index: int) -> int:
        """The visible row of a store index, or -1 when the filter hides it."""
        if self._rows is None:
            return store_index if 0 <= store_index < len(self._records) else -1
        pos = bisect.bisect_left(self._rows, store_index)
        return pos if pos < len(self._rows) and self._rows[pos] == store_index else -1

    def append(self, items: Iterable[Any]) -> int:
        """Append a batch (events, stored rows or records); one insert for the batch."""
        items = list(items)
        if not items:
            return 0
        new = [pack(i) for i in items]
        overflow = len(self._records) + len(new) - self.max_lines
        if overflow > 0:
            # Rare: drop the oldest tenth (plus the overflow) in one reset, not per line.
            cut = min(len(self._records), overflow + self.max_lines // 10)
            self.beginResetModel()
            del self._records[:cut]
            del self._folded[:cut]
            self.dropped += cut
            self._records.extend(new)
            self._folded.extend(_fold(r) for r in new)
            self._rows = self._filtered_rows()
            self.endResetModel()
            return len(new)
        start = len(self._records)
        if self._rows is None:
            visible = None
            first, count = start, len(new)
        else:
            visible = [start + i for i, r in enumerate(new) if self._accepts(r)]
            first, count = len(self._rows), len(visible)
        if count:
            self.beginInsertRows(QModelIndex(), first, first + count - 1)
        self._records.extend(new)
        self._folded.extend(_fold(r) for r in new)
        if visible is not None:
            self._rows.extend(visible)
        if count:
            self.endInsertRows()
        return len(new)

    def clear(self) -> None:
        self.beginResetModel()
        self._records, self._folded = [], []
        self._rows = None if self._levels is None and self._step is None else []
        self.dropped = 0
        self.endResetModel()

    # ---- filter --------------------------------------------------------------------
    def set_filter(self, levels: Iterable[str] | None = None, step: str | None = None) -> None:
        """``levels``: the levels to show (None: all); ``step``: one step id, "" for
        run-level lines, None for every step."""
        lv = None if levels is None else frozenset(levels)
        if lv is not None and lv >= frozenset(LEVELS):
            lv = None   # every level shown: no index list at all
        if lv == self._levels and step == self._step:
            return
        self.beginResetModel()
        self._levels, self._step = lv, step
        self._rows = self._filtered_rows()
        self.endResetModel()

    @property
    def levels(self) -> frozenset[str] | None:
        return self._levels

    @property
    def step(self) -> str | None:
        return self._step

    def _accepts(self, r: tuple) -> bool:
        return (self._levels is None or r[2] in self._levels) and (self._step is None or r[3] == self._step)

    def _filtered_rows(self) -> list[int] | None:
        if self._levels is None and self._step is None:
            return None
        lv, st = self._levels, self._step
        recs = self._records
        if st is None:
            return [i for i, r in enumerate(recs) if r[2] in lv]
        if lv is None:
            return [i for i, r in enumerate(recs) if r[3] == st]
        return [i for i, r in enumerate(recs) if r[3] == st and r[2] in lv]

    # ---- search --------------------------------------------------------------------
    def find_rows(self, needle: str, first_row: int = 0) -> list[int]:
        """Visible rows from ``first_row`` whose step or message contains ``needle``
        (case-insensitive), over the whole store, not just what is painted."""
        n = needle.casefold()
        if not n:
            return []
        folded = self._folded
        if self._rows is None:
            return [i for i in range(first_row, len(folded)) if n in folded[i]]
        rows = self._rows
        return [r for r in range(first_row, len(rows)) if n in folded[rows[r]]]

    def count_matches_all(self, needle: str) -> int:
        """Matches in the whole store, filtered or not (to say how many a filter hides)."""
        n = needle.casefold()
        return sum(1 for t in self._folded if n in t) if n else 0

    def first_row(self, predicate: Callable[[LogRecord], bool]) -> int:
        for row in range(self.rowCount()):
            if predicate(self.record(row)):
                return row
        return -1


def _fold(r: tuple) -> str:
    return f"{r[3]} {r[5]}".casefold()


def export_records(path, records: list[LogRecord], fmt: str = "text") -> int:
    """Write ``records`` to ``path`` durably as plain text or JSON lines; returns the count."""
    if fmt not in ("text", "jsonl"):
        raise ValueError(f"unknown log export format {fmt!r}")

    def fill(fh) -> None:
        chunk: list[str] = []
        for rec in records:
            chunk.append(rec.text_line() if fmt == "text"
                         else json.dumps(rec.to_dict(), ensure_ascii=False, default=str))
            if len(chunk) >= 5000:
                fh.write(("\n".join(chunk) + "\n").encode("utf-8"))
                chunk = []
        if chunk:
            fh.write(("\n".join(chunk) + "\n").encode("utf-8"))

    durable.write_stream(path, fill)
    return len(records)


# ---- the widget ------------------------------------------------------------------------
class LogView(QWidget):
    """Log table with level toggles, step filter, whole-log search with next/previous,
    follow-the-tail and export."""

    lineActivated = Signal(object)      # LogRecord (double-click / Enter)
    exported = Signal(str, int)          # path, lines

    def __init__(self, parent=None, *, max_lines: int = MAX_LINES, interval_ms: int = 50):
        super().__init__(parent)
        self.model = LogModel(max_lines, self)
        self.inbox = BatchInbox(interval_ms, max_batch=2000, parent=self)
        self.inbox.batch.connect(self.append)
        self.export_name = "run-log"
        self._matches: list[int] = []
        self._match_pos = -1
        self._needle = ""
        self._at_bottom = True
        self._last_maximum = 0   # the scroll range before its latest change (see _range_changed)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        bar = QHBoxLayout()           # filters (a host may add its own widgets here)
        bar.setSpacing(4)
        self.filter_bar = bar
        self.level_buttons: dict[str, QToolButton] = {}
        for lv in LEVELS:
            b = QToolButton()
            b.setObjectName(f"logLevel_{lv}")
            b.setCheckable(True)
            b.setChecked(True)
            b.setText(LEVEL_WORDS[lv])
            if LEVEL_ICONS[lv]:
                b.setIcon(icon(LEVEL_ICONS[lv]))
            b.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            b.setToolTip(f"Show {LEVEL_WORDS[lv].lower()} lines")
            b.toggled.connect(self._apply_filter)
            bar.addWidget(b)
            self.level_buttons[lv] = b
        self.step_combo = QComboBox()
        self.step_combo.setObjectName("logStep")
        self.step_combo.setToolTip("Show the lines of one step")
        self.step_combo.addItem("All steps", None)
        self.step_combo.addItem("Run (no step)", RUN_LEVEL)
        self.step_combo.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.step_combo)
        bar.addStretch(1)
        lay.addLayout(bar)
        bar = QHBoxLayout()           # search, follow, export
        bar.setSpacing(4)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("logSearch")
        self.search_edit.setPlaceholderText("Search the whole log…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.find_next)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        bar.addWidget(self.search_edit, 1)
        self.prev_button = QToolButton()
        self.prev_button.setText("Previous")
        self.prev_button.setToolTip("Previous match (Shift+F3)")
        self.prev_button.setShortcut("Shift+F3")
        self.prev_button.clicked.connect(self.find_previous)
        self.next_button = QToolButton()
        self.next_button.setText("Next")
        self.next_button.setToolTip("Next match (F3, Enter in the search box)")
        self.next_button.setShortcut("F3")
        self.next_button.clicked.connect(self.find_next)
        self.match_label = QLabel()
        self.match_label.setObjectName("logMatches")
        self.match_label.setMinimumWidth(90)
        for w in (self.prev_button, self.next_button, self.match_label):
            bar.addWidget(w)
        self.follow_button = QToolButton()
        self.follow_button.setObjectName("logFollow")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setText("Follow tail")
        self.follow_button.setToolTip("Keep the newest line in view; scrolling up stops following")
        self.follow_button.clicked.connect(self._follow_clicked)
        self.export_button = QToolButton()
        self.export_button.setText("Export…")
        self.export_button.setToolTip("Save the whole log as text or JSON lines")
        self.export_button.clicked.connect(self._export_clicked)
        bar.addWidget(self.follow_button)
        bar.addWidget(self.export_button)
        lay.addLayout(bar)

        self.table = QTableView()
        self.table.setObjectName("logTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.ElideRight)
        self.table.setAlternatingRowColors(True)
        vh = self.table.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.Fixed)   # uniform rows: no per-row measuring
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Interactive)
        hh.setStretchLastSection(True)
        fm = self.fontMetrics()
        self.table.setColumnWidth(0, fm.horizontalAdvance("00:00:00.000") + 16)
        self.table.setColumnWidth(1, fm.horizontalAdvance("Warning") + 40)
        self.table.setColumnWidth(2, fm.horizontalAdvance("implement-behavior") + 16)
        self.table.activated.connect(lambda idx: self.lineActivated.emit(self.model.record(idx.row())))
        lay.addWidget(self.table, 1)
        self.detail = QPlainTextEdit()   # the selected line in full: long lines are cut in the table
        self.detail.setObjectName("logDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a line to read it in full.")
        self.detail.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        lay.addWidget(self.detail)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(lambda: self._show_detail(self.table.currentIndex()))
        self.count_label = QLabel()
        self.count_label.setObjectName("logCount")
        lay.addWidget(self.count_label)

        sb = self.table.verticalScrollBar()
        sb.valueChanged.connect(self._scrolled)
        sb.rangeChanged.connect(self._range_changed)
        self.model.rowsAboutToBeInserted.connect(self._remember_bottom)
        self.model.modelAboutToBeReset.connect(self._remember_bottom)
        self.model.rowsInserted.connect(self._after_insert)
        self.model.modelReset.connect(self._after_reset)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(self._search_changed)
        self._update_count()
        self._update_match_label()

    # ---- feeding -------------------------------------------------------------------
    def post(self, event: Any) -> None:
        """Any thread: queue one line; it shows within one batch interval.  The line is
        converted here, on the caller's thread, to keep the GUI thread's share small."""
        self.inbox.put(pack(event))

    def append(self, events: Iterable[Any]) -> None:
        """GUI thread: append a batch now."""
        self.model.append(events)

    def set_records(self, events: Iterable[Any]) -> None:
        """Replace the whole log (a stored run), keeping filters and search."""
        self.inbox.flush()
        self.model.clear()
        self.model.append(events)
        self._at_bottom = True
        self.table.scrollToBottom()

    def clear(self) -> None:
        self.inbox.flush()
        self.model.clear()

    def set_steps(self, steps: Iterable[str]) -> None:
        """The step ids offered by the step filter."""
        current = self.step_combo.currentData()
        self.step_combo.blockSignals(True)
        while self.step_combo.count() > 2:
            self.step_combo.removeItem(2)
        for s in steps:
            self.step_combo.addItem(s, s)
        idx = self.step_combo.findData(current) if current is not None else 0
        self.step_combo.setCurrentIndex(max(idx, 0))
        self.step_combo.blockSignals(False)

    # ---- filter --------------------------------------------------------------------
    def set_level_shown(self, level: str, shown: bool) -> None:
        self.level_buttons[level].setChecked(shown)

    def set_step_filter(self, step: str | None) -> None:
        """Show one step's lines (``""``: run-level lines), or every step (None)."""
        idx = 0 if step is None else self.step_combo.findData(step)
        if idx < 0:
            self.step_combo.addItem(step, step)
            idx = self.step_combo.count() - 1
        self.step_combo.setCurrentIndex(idx)

    def _apply_filter(self, *_args) -> None:
        shown = [lv for lv, b in self.level_buttons.items() if b.isChecked()]
        levels = None if len(shown) == len(LEVELS) else shown
        selected = self._selected_store_index()
        self.model.set_filter(levels, self.step_combo.currentData())
        if selected is not None and not self._at_bottom:
            row = self.model.row_of(selected)
            if row >= 0:
                self.select_row(row)

    # ---- search --------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        self.search_edit.setText(text)
        self._search_timer.stop()
        self._search_changed()

    def _search_changed(self) -> None:
        self._needle = self.search_edit.text()
        self._matches = self.model.find_rows(self._needle)
        self._match_pos = -1
        self._update_match_label()

    @property
    def matches(self) -> list[int]:
        return self._matches

    def find_next(self) -> int:
        return self._step_match(+1)

    def find_previous(self) -> int:
        return self._step_match(-1)

    def _step_match(self, direction: int) -> int:
        if self._search_timer.isActive() or self._needle != self.search_edit.text():
            self._search_timer.stop()
            self._search_changed()
        if not self._matches:
            self._update_match_label()
            return -1
        cur = self.current_row()
        if direction > 0:
            pos = bisect.bisect_right(self._matches, cur) if cur >= 0 else 0
            pos = 0 if pos >= len(self._matches) else pos            # wrap to the first
        else:
            pos = bisect.bisect_left(self._matches, cur) - 1 if cur >= 0 else len(self._matches) - 1
            pos = len(self._matches) - 1 if pos < 0 else pos         # wrap to the last
        self._match_pos = pos
        self.select_row(self._matches[pos])
        self._update_match_label()
        return self._matches[pos]

    def _update_match_label(self) -> None:
        has = bool(self._needle)
        self.prev_button.setEnabled(bool(self._matches))
        self.next_button.setEnabled(bool(self._matches))
        if not has:
            self.match_label.setText("")
            return
        hidden = ""
        if self.model.rowCount() != self.model.total:
            extra = self.model.count_matches_all(self._needle) - len(self._matches)
            hidden = f" (+{extra:,} hidden by filters)" if extra else ""
        if not self._matches:
            self.match_label.setText("No match" + hidden)
        elif self._match_pos < 0:
            self.match_label.setText(f"{len(self._matches):,} matches" + hidden)
        else:
            self.match_label.setText(f"{self._match_pos + 1:,} of {len(self._matches):,}" + hidden)

    # ---- selection / scrolling -------------------------------------------------------
    def current_row(self) -> int:
        idx = self.table.currentIndex()
        return idx.row() if idx.isValid() else -1

    def current_record(self) -> LogRecord | None:
        row = self.current_row()
        return self.model.record(row) if row >= 0 else None

    def _selected_store_index(self) -> int | None:
        row = self.current_row()
        return self.model.store_index(row) if row >= 0 else None

    def select_row(self, row: int) -> None:
        idx = self.model.index(row, 3)
        self.table.setCurrentIndex(idx)
        self.table.scrollTo(idx, QAbstractItemView.PositionAtCenter)

    def reveal(self, predicate: Callable[[LogRecord], bool]) -> int:
        """Select and show the first visible line matching ``predicate``; -1 if none."""
        row = self.model.first_row(predicate)
        if row >= 0:
            self.select_row(row)
            self._scrolled()
        return row

    def is_at_bottom(self) -> bool:
        sb = self.table.verticalScrollBar()
        return sb.value() >= sb.maximum() - 1

    @property
    def following(self) -> bool:
        return self._at_bottom

    def _scrolled(self, *_args) -> None:
        self._at_bottom = self.is_at_bottom()
        self.follow_button.setChecked(self._at_bottom)

    def _range_changed(self, _lo: int, hi: int) -> None:
        # More rows or a smaller viewport: a view that was at the tail stays there.  "At
        # the tail" is judged against the range before this change too: a user who drags
        # to the bottom while lines arrive sets the old maximum, and the view's delayed
        # layout can grow the range before that scroll is reported.
        sb = self.table.verticalScrollBar()
        at_tail = self._at_bottom or sb.value() >= self._last_maximum - 1
        self._last_maximum = hi
        if at_tail and sb.value() != hi:
            sb.setValue(hi)
        else:
            self._scrolled()

    def _remember_bottom(self, *_args) -> None:
        self._at_bottom = self.is_at_bottom()

    def _after_insert(self, _parent, first: int, _last: int) -> None:
        if self._at_bottom:
            self.table.scrollToBottom()
        if self._needle:  # search only the new rows; earlier matches stand
            self._matches.extend(self.model.find_rows(self._needle, first))
            self._update_match_label()
        self._update_count()

    def _after_reset(self) -> None:
        if self._at_bottom:
            self.table.scrollToBottom()
        if self._needle:
            self._matches = self.model.find_rows(self._needle)
            self._match_pos = -1
            self._update_match_label()
        self._update_count()

    def _follow_clicked(self, checked: bool) -> None:
        if checked:
            self.table.scrollToBottom()
        else:  # stop following: step one line back from the tail
            sb = self.table.verticalScrollBar()
            sb.setValue(max(0, sb.maximum() - 1))
        self._scrolled()

    def _show_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.setPlainText("")
            return
        rec = self.model.record(current.row())
        lines = [f"{iso_time(rec.at)}  {LEVEL_WORDS.get(rec.level, rec.level)}  {rec.step or 'run'}", rec.message]
        extra = {k: v for k, v in rec.data.items() if k not in ("traceback",) and v not in ("", None, [], {})}
        if extra:
            lines.append("  ".join(f"{k}: {v}" for k, v in extra.items()))
        if rec.data.get("traceback"):
            lines.append(str(rec.data["traceback"]))
        self.detail.setPlainText("\n".join(lines))

    def _update_count(self) -> None:
        total, shown = self.model.total, self.model.rowCount()
        text = f"{total:,} lines" if shown == total else f"{shown:,} of {total:,} lines shown"
        if self.model.dropped:
            text += f" ({self.model.dropped:,} oldest dropped)"
        self.count_label.setText(text)

    # ---- export --------------------------------------------------------------------
    def export(self, path, fmt: str = "text") -> int:
        """Write the whole log (every kept line, whatever the filter)."""
        self.inbox.flush()
        n = export_records(path, list(self.model.records()), fmt)
        self.exported.emit(str(path), n)
        return n

    def _export_clicked(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the log", f"{self.export_name}.log",
            "Text (*.log *.txt);;JSON lines (*.jsonl)")
        if not path:
            return
        fmt = "jsonl" if "jsonl" in chosen or path.endswith(".jsonl") else "text"
        try:
            self.export(path, fmt)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot export the log", str(durable.output_error(path, exc)))
