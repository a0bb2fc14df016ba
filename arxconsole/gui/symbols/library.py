"""The library browser: systems -> symbols with thumbnails and validity, search by id,
name or tag, filters by system and by validity, counts per system.

Reading the files and validating the whole library run in a worker; the tree is filled
from the result, and thumbnails arrive from the cache as they are rendered.

The search text and filters are kept in QSettings per workspace (like the symbol last
edited there), so the list looks the same after a restart.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QStyledItemDelegate, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from ...engine.findings import count_by_severity
from ..icons import icon
from ..workers import start_worker, worker_lane
from .thumbnails import LANE, THUMB_SIZE, ThumbnailCache, svg_key
from .text import tip

PATH_ROLE = Qt.UserRole
SLICE_S = 0.008          # GUI work per event-loop turn: the window never stalls on a big library
SLICE_ITEMS = 25
ROW_HEIGHT = THUMB_SIZE + 6
STATUS_FILTERS = [("any", "Any status"), ("error", "With errors"), ("warning", "With warnings"),
                  ("clean", "Clean")]


@dataclass(slots=True)   # thousands of them: no per-instance dict for the GC to walk
class LibraryEntry:
    path: Path
    system: str                 # the folder it is in
    id: str
    name: str = ""
    tags: list[str] = field(default_factory=list)
    svg: str = ""
    errors: int = -1            # -1: not validated yet
    warnings: int = 0
    problem: str = ""           # why the file could not be read
    key: str = ""               # thumbnail cache key (hash of the drawing), set on reading

    def __post_init__(self) -> None:
        if not self.key:
            self.key = svg_key(self.svg)

    @property
    def status(self) -> str:
        if self.problem or self.errors > 0:
            return "error"
        if self.errors < 0:
            return "pending"
        return "warning" if self.warnings else "clean"

    def status_text(self) -> str:
        if self.problem:
            return "Error: unreadable"
        if self.errors < 0:
            return "Checking…"
        if self.errors:
            return f"{self.errors} error{'s' if self.errors != 1 else ''}"
        if self.warnings:
            return f"{self.warnings} warning{'s' if self.warnings != 1 else ''}"
        return "Clean"

    def matches(self, text: str) -> bool:
        if not text:
            return True
        t = text.lower()
        return t in self.id.lower() or t in self.name.lower() or any(t in tag.lower() for tag in self.tags)


def read_library(ws, cancel=None) -> list[LibraryEntry]:
    """Every symbol file of the workspace as an entry (engine reading; any thread)."""
    from ...engine.symbols.model import read_json_object

    out = []
    for path in ws.symbol_files():
        if cancel is not None:
            cancel.check()
        data, problems = read_json_object(path, ws.relative(path))
        if data is None:
            out.append(LibraryEntry(path, path.parent.name, path.stem,
                                    problem=problems[0].message if problems else "unreadable"))
            continue
        tags = data.get("tags")
        svg = data.get("svg")
        out.append(LibraryEntry(path, path.parent.name, str(data.get("id") or path.stem),
                                name=str(data.get("name") or data.get("display_name") or ""),
                                tags=[str(t) for t in tags] if isinstance(tags, list) else [],
                                svg=svg if isinstance(svg, str) else ""))
    return out


def validate_library(ws, entries: list[LibraryEntry], cancel=None) -> dict[str, tuple[int, int]]:
    """Whole-library validation: {path: (errors, warnings)}, waivers applied."""
    from ...engine.symbols import validate_workspace

    report = validate_workspace(ws, cancel=cancel)
    by_file = report.by_file()
    out = {}
    for e in entries:
        if e.problem:
            continue
        counts = count_by_severity(by_file.get(ws.relative(e.path), []))
        out[str(e.path)] = (counts["error"], counts["warning"])
    return out


class _SmallIconDelegate(QStyledItemDelegate):
    """Status icons stay small while thumbnails in the first column are large."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.decorationSize = QSize(16, 16)


class LibraryBrowser(QWidget):
    symbolActivated = Signal(object)     # Path
    loadedChanged = Signal()             # entries (re)loaded; statuses may follow
    validatedChanged = Signal()

    def __init__(self, settings=None, parent=None):
        super().__init__(parent)
        self.setObjectName("symbolLibrary")
        self.settings = settings          # QSettings for the filters; None: not kept
        self._wanted_system = ""          # the system filter, until the list of systems has it
        self.workspace = None
        self.entries: list[LibraryEntry] = []
        self.thumbs = ThumbnailCache(self)
        self.thumbs.batchDone.connect(self._apply_thumbnails)
        self.thumbs.idle.connect(self._thumbs_idle)
        self._validate_after_thumbs: int | None = None
        self.loading = False
        self.validating = False
        self._generation = 0
        self._select_after_load: Path | None = None
        self._items: dict[str, QTreeWidgetItem] = {}   # path -> item
        self._by_key: dict[str, list[QTreeWidgetItem]] = {}   # thumbnail key -> items
        self._system_items: dict[str, QTreeWidgetItem] = {}
        self._jobs: deque = deque()
        self._pump_scheduled = False

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit()
        self.search.setObjectName("librarySearch")
        self.search.setPlaceholderText("Search id, name or tag")
        self.search.setClearButtonEnabled(True)
        lay.addWidget(self.search)
        filters = QHBoxLayout()
        self.system_filter = QComboBox()
        self.system_filter.addItem("All systems", "")
        self.status_filter = QComboBox()
        for key, label in STATUS_FILTERS:
            self.status_filter.addItem(label, key)
        filters.addWidget(self.system_filter, 1)
        filters.addWidget(self.status_filter, 1)
        lay.addLayout(filters)
        self.tree = QTreeWidget()
        self.tree.setObjectName("libraryTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Symbol", "Status"])
        self.tree.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        # One row height for all rows: the view never measures a thousand two-line rows
        # to lay them out (that alone stalled the window for ~80 ms on 1,000 symbols).
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.Fixed)
        self.tree.header().setStretchLastSection(False)
        self.tree.setColumnWidth(1, 104)
        self.tree.setIndentation(14)
        self._status_delegate = _SmallIconDelegate(self.tree)
        self.tree.setItemDelegateForColumn(1, self._status_delegate)
        lay.addWidget(self.tree, 1)
        self.summary = QLabel()
        self.summary.setObjectName("librarySummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.search.textChanged.connect(self.apply_filter)
        self.system_filter.currentIndexChanged.connect(self.apply_filter)
        self.status_filter.currentIndexChanged.connect(self.apply_filter)
        self.search.textChanged.connect(self._save_filters)
        self.system_filter.currentIndexChanged.connect(self._on_system_picked)
        self.status_filter.currentIndexChanged.connect(self._save_filters)
        self.tree.currentItemChanged.connect(self._on_current)
        self._suppress = False

    # ---- loading -------------------------------------------------------------------
    def set_workspace(self, ws) -> None:
        self.workspace = ws
        self._restore_filters()
        self.reload()

    # ---- saved filters -------------------------------------------------------------
    def _filter_key(self) -> str:
        ws = self.workspace
        return f"symbols/filters/{ws.name if ws else ''}"

    def _restore_filters(self) -> None:
        """The filters last used in this workspace (none for a workspace never filtered).
        The system is applied when the tree is (re)built: the list of systems comes
        with the library."""
        if self.settings is None:
            return
        key = self._filter_key()
        search = self.settings.value(f"{key}/search", "")
        system = self.settings.value(f"{key}/system", "")
        status = self.settings.value(f"{key}/status", "any")
        self._wanted_system = system if isinstance(system, str) else ""
        for w in (self.search, self.system_filter, self.status_filter):
            w.blockSignals(True)       # restoring is not a change to save, nor to filter twice
        try:
            self.search.setText(search if isinstance(search, str) else "")
            idx = self.system_filter.findData(self._wanted_system)
            self.system_filter.setCurrentIndex(max(idx, 0))
            self.status_filter.setCurrentIndex(max(self.status_filter.findData(status), 0))
        finally:
            for w in (self.search, self.system_filter, self.status_filter):
                w.blockSignals(False)

    def _on_system_picked(self) -> None:
        self._wanted_system = self.system_filter.currentData() or ""
        self._save_filters()

    def _save_filters(self) -> None:
        if self.settings is None or self.workspace is None:
            return
        key = self._filter_key()
        self.settings.setValue(f"{key}/search", self.search.text())
        self.settings.setValue(f"{key}/system", self._wanted_system)
        self.settings.setValue(f"{key}/status", self.status_filter.currentData() or "any")

    def reload(self, select: Path | None = None) -> None:
        """Re-read the library in a worker, then validate it; keeps or moves the selection."""
        self._generation += 1
        gen = self._generation
        self._select_after_load = Path(select) if select else (self.selected_path() or self._select_after_load)
        ws = self.workspace
        if ws is None:
            self.entries = []
            self.loading = self.validating = False
            self._rebuild()
            return
        self.loading = True
        self.summary.setText("Reading the library…")
        start_worker(lambda h: read_library(ws, h.cancel),
                     on_finished=lambda entries: self._loaded(gen, entries), pool=worker_lane(LANE),
                     on_failed=lambda msg, _u: self._failed(gen, msg))

    def _failed(self, gen: int, message: str) -> None:
        if not self._alive() or gen != self._generation:
            return
        self.loading = self.validating = False
        self.summary.setText(f"Cannot read the library: {message}")

    def _loaded(self, gen: int, entries: list[LibraryEntry]) -> None:
        if not self._alive() or gen != self._generation:
            return
        # keep statuses of unchanged entries until the new validation arrives
        old = {str(e.path): e for e in self.entries}
        for e in entries:
            prev = old.get(str(e.path))
            if prev is not None:
                e.errors, e.warnings = prev.errors, prev.warnings
        self.entries = entries
        self._rebuild(then=lambda: self._built(gen))

    def _built(self, gen: int) -> None:
        if gen != self._generation:
            return
        self.loading = False
        self.validating = True
        self.loadedChanged.emit()
        # One background job at a time: thumbnails, then validation.  On a 2-core machine
        # two busy workers would leave the GUI thread fighting for a core.
        if self.thumbs.request({e.key: e.svg for e in self.entries}):
            self._validate_after_thumbs = gen
        else:
            self.revalidate()

    def _thumbs_idle(self) -> None:
        if self._validate_after_thumbs == self._generation and self._alive():
            self._validate_after_thumbs = None
            self.revalidate()

    def _alive(self) -> bool:
        """A worker may finish after the window closed: then there is nothing to update."""
        return shiboken6.isValid(self) and shiboken6.isValid(self.tree)

    def revalidate(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        gen = self._generation
        entries = list(self.entries)
        self.validating = True
        start_worker(lambda h: validate_library(ws, entries, h.cancel),
                     on_finished=lambda result: self._validated(gen, result), pool=worker_lane(LANE),
                     on_failed=lambda msg, _u: self._failed(gen, msg))

    def _validated(self, gen: int, result: dict) -> None:
        if not self._alive() or gen != self._generation:
            return
        for e in self.entries:
            if str(e.path) in result:
                e.errors, e.warnings = result[str(e.path)]
            elif not e.problem:
                e.errors, e.warnings = 0, 0
        entries = list(self.entries)

        def finish():
            if gen != self._generation:
                return
            self.validating = False
            self.apply_filter()
            self.validatedChanged.emit()
        self._enqueue([lambda chunk=entries[i:i + SLICE_ITEMS]: [self._update_status(e) for e in chunk]
                       for i in range(0, len(entries), SLICE_ITEMS)] + [finish])

    def update_entry_status(self, path: Path, errors: int, warnings: int) -> None:
        """The editor validated this symbol: show its live counts in the tree."""
        for e in self.entries:
            if e.path == Path(path):
                e.errors, e.warnings = errors, warnings
                self._update_status(e)
                self._update_counts()
                return

    # ---- tree ----------------------------------------------------------------------
    def _enqueue(self, jobs) -> None:
        self._jobs.extend(jobs)
        if not self._pump_scheduled:
            self._pump_scheduled = True
            QTimer.singleShot(1, self._pump)

    def _pump(self) -> None:
        """Run queued GUI work for at most SLICE_S, then yield to the event loop."""
        self._pump_scheduled = False
        if not self._alive():
            return
        start = time.perf_counter()
        while self._jobs and time.perf_counter() - start < SLICE_S:
            self._jobs.popleft()()
        if self._jobs:
            # a real (1 ms) timer, not a zero-timer: input and paint get their turn between slices
            self._pump_scheduled = True
            QTimer.singleShot(1, self._pump)

    def _rebuild(self, then=None) -> None:
        """Clear and refill the tree: system rows at once, symbol rows in slices."""
        self._jobs.clear()
        self._suppress = True
        try:
            self.tree.clear()
            self._items = {}
            self._by_key = {}
            self._system_items = {}
            systems = sorted({e.system for e in self.entries} | set(self.workspace.systems() if self.workspace else []))
            for system in systems:
                item = QTreeWidgetItem([system, ""])
                item.setSizeHint(0, QSize(0, ROW_HEIGHT))     # the first row sets every row's height
                item.setData(0, PATH_ROLE, None)
                item.setFlags(Qt.ItemIsEnabled)
                f = item.font(0)
                f.setBold(True)
                item.setFont(0, f)
                self._system_items[system] = item
            self.tree.addTopLevelItems(list(self._system_items.values()))
            self.tree.expandAll()
            current = self._wanted_system      # kept while a workspace lacks it (or is loading)
            self.system_filter.blockSignals(True)
            self.system_filter.clear()
            self.system_filter.addItem("All systems", "")
            for s in systems:
                self.system_filter.addItem(s, s)
            idx = self.system_filter.findData(current)
            self.system_filter.setCurrentIndex(max(idx, 0))
            self.system_filter.blockSignals(False)
        finally:
            self._suppress = False
        gen = self._generation

        def add(chunk):
            if gen != self._generation:
                return
            filters = self._filters()
            by_system: dict[str, list] = {}
            for e in chunk:
                item = QTreeWidgetItem()
                item.setData(0, PATH_ROLE, str(e.path))
                self._items[str(e.path)] = item
                self._by_key.setdefault(e.key, []).append(item)
                self._update_item(e, item)
                item.setHidden(not self._visible(e, filters))
                by_system.setdefault(e.system, []).append(item)
            for system, items in by_system.items():
                self._system_items[system].addChildren(items)

        def finish():
            if gen != self._generation:
                return
            self.apply_filter()
            selected = self._select_after_load       # may have moved while building
            if selected is not None and str(selected) in self._items:
                self._suppress = True
                try:
                    self.tree.setCurrentItem(self._items[str(selected)])
                finally:
                    self._suppress = False
            if then is not None:
                then()
        entries = list(self.entries)
        self._enqueue([lambda c=entries[i:i + SLICE_ITEMS]: add(c) for i in range(0, len(entries), SLICE_ITEMS)]
                      + [finish])

    def _update_item(self, e: LibraryEntry, item: QTreeWidgetItem | None = None) -> None:
        item = item or self._items.get(str(e.path))
        if item is None:
            return
        item.setText(0, f"{e.id}\n{e.name}" if e.name else e.id)
        item.setToolTip(0, tip(f"{e.id} — {e.name}\n{e.path.name}" + (f"\ntags: {', '.join(e.tags)}" if e.tags else "")
                               + (f"\n{e.problem}" if e.problem else "")))
        ic = self.thumbs.icon(e.key)
        if ic is not None:
            item.setIcon(0, ic)
        self._update_status(e, item)

    def _update_status(self, e: LibraryEntry, item: QTreeWidgetItem | None = None) -> None:
        item = item or self._items.get(str(e.path))
        text = e.status_text()
        if item is None or item.text(1) == text:
            return
        status = e.status
        item.setIcon(1, icon({"pending": "pending", "clean": "ok"}.get(status, status)))
        item.setText(1, text)

    def _apply_thumbnails(self, keys: list[str]) -> None:
        if not self._alive():
            return
        for key in keys:
            ic = self.thumbs.icon(key)
            for item in self._by_key.get(key, ()):
                item.setIcon(0, ic)

    def _filters(self) -> tuple[str, str, str]:
        return (self.search.text().strip(), self.system_filter.currentData() or "",
                self.status_filter.currentData() or "any")

    def _visible(self, e: LibraryEntry, filters: tuple[str, str, str] | None = None) -> bool:
        text, system, status = filters or self._filters()
        return e.matches(text) and (not system or e.system == system) and (status == "any" or e.status == status)

    def apply_filter(self) -> None:
        filters = self._filters()
        system = filters[1]
        for e in self.entries:
            item = self._items.get(str(e.path))
            if item is None:
                continue
            visible = self._visible(e, filters)
            if item.isHidden() == visible:
                item.setHidden(not visible)
        for s, item in getattr(self, "_system_items", {}).items():
            item.setHidden(bool(system) and s != system)
        self._update_counts()

    def _update_counts(self) -> None:
        stats: dict[str, list[int]] = {s: [0, 0, 0, 0] for s in getattr(self, "_system_items", {})}
        for e in self.entries:
            st = stats.get(e.system)
            item = self._items.get(str(e.path))
            if st is None or item is None:
                continue
            st[0] += 1
            st[1] += not item.isHidden()
            st[2] += e.status == "error"
            st[3] += e.status == "warning"
        total = shown = 0
        for s, sitem in getattr(self, "_system_items", {}).items():
            n, n_shown, errors, warnings = stats[s]
            filtered = "" if n_shown == n else f"{n_shown} of "
            parts = []
            if errors:
                parts.append(f"{errors} with errors")
            if warnings:
                parts.append(f"{warnings} with warnings")
            sitem.setText(0, f"{s} ({filtered}{n})")
            sitem.setToolTip(0, tip(f"{s}: {n} symbols" + (f"; {', '.join(parts)}" if parts else "")))
            state = "error" if errors else "warning" if warnings else "ok"
            word = {"error": "Errors", "warning": "Warnings", "ok": "Clean"}[state]
            known = n and not (self.validating and state == "ok")
            sitem.setText(1, word if known else "")
            sitem.setToolTip(1, ", ".join(parts) or "no problems")
            sitem.setIcon(1, icon(state) if known else icon(""))
            total += n
            shown += n_shown
        busy = " — checking…" if self.validating else ""
        self.summary.setText(f"{shown} of {total} symbols shown{busy}" if shown != total else f"{total} symbols{busy}")

    # ---- selection -----------------------------------------------------------------
    def selected_path(self) -> Path | None:
        item = self.tree.currentItem()
        p = item.data(0, PATH_ROLE) if item is not None else None
        return Path(p) if p else None

    def select_path(self, path: Path | None, *, emit: bool = False) -> bool:
        self._select_after_load = Path(path) if path else None   # a rebuild in progress keeps it
        item = self._items.get(str(path)) if path else None
        self._suppress = not emit
        try:
            if item is None:
                self.tree.setCurrentItem(None)
                return False
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)
            return True
        finally:
            self._suppress = False

    def find_entry(self, symbol_id: str) -> LibraryEntry | None:
        for e in self.entries:
            if e.id == symbol_id or e.path.stem == symbol_id:
                return e
        return None

    def _on_current(self, current, previous) -> None:
        if self._suppress or current is None:
            return
        p = current.data(0, PATH_ROLE)
        if p:
            self.symbolActivated.emit(Path(p))
