"""The symbol editor: header with summary and save state, the form/tables/source tabs,
the live preview and the findings list, all over one ``SymbolDocument``.

Validation runs on the GUI thread after a short debounce: one symbol validates in about
a millisecond, far below the cost of handing it to a thread and back.
"""

from __future__ import annotations

import datetime as dt
import re

import shiboken6
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget,
                               QToolButton, QVBoxLayout, QWidget)

from ...engine.findings import Finding, count_by_severity, has_blocking
from ..icons import icon
from .canvas import PreviewCanvas
from .document import SymbolDocument
from .findings_view import FindingsView
from .json_source import JsonSourceView
from .form import FORM_FIELDS, ConnectionsTable, MetadataForm, PropertiesTable, _DictTable, format_value, parse_value
from .source_editor import SourceEditor
from .text import tip

DEBOUNCE_MS = 150
SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
TAB_DETAILS, TAB_PORTS, TAB_SOURCE, TAB_JSON = 0, 1, 2, 3


class MetadataTable(_DictTable):
    FIELD = "metadata"
    COLUMNS = ["Field", "Value"]
    NOUN = "field"

    def row_texts(self, key, value):
        return [key, format_value(value)]

    def cell_edited(self, key, column, text):
        self.doc.set((self.FIELD, key), parse_value(text), f"Edit metadata {key}")

    def new_value(self):
        return ""


def summary_text(findings: list[Finding]) -> tuple[str, str]:
    """(icon name, words) for the editor header."""
    c = count_by_severity(findings)
    parts = []
    for key, word in (("error", "error"), ("warning", "warning"), ("info", "note")):
        if c[key]:
            parts.append(f"{c[key]} {word}{'s' if c[key] != 1 else ''}")
    if c["waived"]:
        parts.append(f"{c['waived']} waived")
    if not parts:
        return "ok", "Valid: no problems found"
    state = "error" if c["error"] else "warning" if c["warning"] else "info"
    lead = {"error": "Invalid", "warning": "Valid with warnings", "info": "Valid"}[state]
    return state, f"{lead}: " + ", ".join(parts)


class SymbolEditor(QWidget):
    validated = Signal(list)          # findings of the current state
    saveStateChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.doc = SymbolDocument(self)
        self.workspace = None
        self.ctx = None                   # ValidationContext of the workspace
        self.findings: list[Finding] = []
        self.validation_count = 0         # tests and the bench: how many runs happened
        self._build()
        self.doc.changed.connect(self._on_doc_changed)
        self.doc.undo_stack.cleanChanged.connect(self._update_header)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_now)
        self._svg_dirty = True
        self.refresh_all()

    # ---- layout --------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        header = QHBoxLayout()
        self.title = QLabel()
        self.title.setTextFormat(Qt.PlainText)
        self.title.setObjectName("symbolTitle")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.title.setFont(f)
        self.summary_icon = QLabel()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)
        self.summary.setObjectName("symbolSummary")
        header.addWidget(self.title)
        header.addSpacing(12)
        header.addWidget(self.summary_icon)
        header.addWidget(self.summary, 1)
        self.save_reason = QLabel()
        self.save_reason.setTextFormat(Qt.PlainText)
        self.save_reason.setObjectName("saveReason")
        self.save_reason.setWordWrap(True)
        self.save_button = QPushButton(icon("ok"), "Save")
        self.save_button.setObjectName("saveButton")
        header.addWidget(self.save_button)
        lay.addLayout(header)
        lay.addWidget(self.save_reason)
        self.disk_note = QLabel()
        self.disk_note.setObjectName("diskNote")
        self.disk_note.setTextFormat(Qt.PlainText)
        self.disk_note.setWordWrap(True)
        self.disk_note.hide()
        lay.addWidget(self.disk_note)

        self.vsplit = QSplitter(Qt.Vertical)
        self.hsplit = QSplitter(Qt.Horizontal)
        self.tabs = QTabWidget()
        details = QWidget()
        dl = QVBoxLayout(details)
        dl.setContentsMargins(4, 4, 4, 4)
        self.form = MetadataForm(self.doc)
        dl.addWidget(self.form)
        self.properties = PropertiesTable(self.doc)
        self.metadata = MetadataTable(self.doc)
        inner = QTabWidget()
        inner.addTab(self.properties, "Properties")
        inner.addTab(self.metadata, "Metadata")
        self.detail_tabs = inner
        dl.addWidget(inner, 1)
        self.connections = ConnectionsTable(self.doc)
        self.source = SourceEditor()
        source_page = QWidget()
        sl = QVBoxLayout(source_page)
        sl.setContentsMargins(0, 2, 0, 0)
        source_tools = QHBoxLayout()
        self.wrap_check = QCheckBox("Wrap long lines")
        self.wrap_check.setChecked(True)
        self.format_button = QPushButton("Format XML")
        self.format_button.setToolTip("Indent the SVG one element per line (undoable)")
        source_tools.addWidget(self.wrap_check)
        source_tools.addStretch(1)
        source_tools.addWidget(self.format_button)
        sl.addLayout(source_tools)
        sl.addWidget(self.source, 1)
        self.tabs.addTab(details, "Details")
        self.tabs.addTab(self.connections, "Ports")
        self.tabs.addTab(source_page, "SVG source")
        self.json_view = JsonSourceView(self.doc)
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.setTabToolTip(TAB_JSON, "The whole symbol as it will be saved; edits here update every view")
        self.hsplit.addWidget(self.tabs)

        preview = QWidget()
        pl = QVBoxLayout(preview)
        pl.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.zoom_out_button = self._tool("−", "Zoom out (Ctrl+-)")
        self.zoom_in_button = self._tool("+", "Zoom in (Ctrl++)")
        self.fit_button = self._tool("Fit", "Fit the symbol in view (Ctrl+0)")
        self.zoom_label = QLabel()
        self.grid_check = QCheckBox("Grid")
        self.grid_check.setChecked(True)
        self.ports_check = QCheckBox("Ports")
        self.ports_check.setChecked(True)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.zoom_label):
            tools.addWidget(w)
        tools.addStretch(1)
        tools.addWidget(self.grid_check)
        tools.addWidget(self.ports_check)
        pl.addLayout(tools)
        self.canvas = PreviewCanvas()
        pl.addWidget(self.canvas, 1)
        self.preview_note = QLabel()
        self.preview_note.setTextFormat(Qt.PlainText)
        self.preview_note.setObjectName("previewNote")
        self.preview_note.setWordWrap(True)
        pl.addWidget(self.preview_note)
        self.hsplit.addWidget(preview)
        self.hsplit.setStretchFactor(0, 1)
        self.hsplit.setStretchFactor(1, 1)
        self.vsplit.addWidget(self.hsplit)
        self.findings_view = FindingsView()
        self.vsplit.addWidget(self.findings_view)
        self.vsplit.setStretchFactor(0, 3)
        self.vsplit.setStretchFactor(1, 1)
        self.vsplit.setSizes([520, 190])
        lay.addWidget(self.vsplit, 1)

        self.zoom_in_button.clicked.connect(self.canvas.zoom_in)
        self.zoom_out_button.clicked.connect(self.canvas.zoom_out)
        self.fit_button.clicked.connect(self.canvas.fit)
        self.canvas.zoomChanged.connect(lambda s: self.zoom_label.setText(f"{s * 100:.0f} %"))
        self.grid_check.toggled.connect(self.canvas.set_grid_visible)
        self.ports_check.toggled.connect(self.canvas.set_ports_visible)
        self.canvas.portClicked.connect(self._on_port_clicked)
        self.canvas.portMoved.connect(self._on_port_moved)
        self.connections.rowSelected.connect(self.canvas.select_port)
        self.source.userEdited.connect(lambda text: self.doc.set(("svg",), text, "Edit SVG source", merge=True))
        self.findings_view.findingActivated.connect(self.show_finding)
        self.wrap_check.toggled.connect(self.source.set_wrap)
        self.source.set_wrap(True)
        self.format_button.clicked.connect(self.format_source)

    def _tool(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setMinimumSize(QSize(28, 24))
        return b

    # ---- context -------------------------------------------------------------------
    def set_context(self, workspace, ctx) -> None:
        self.workspace = workspace
        self.ctx = ctx
        self._update_choices()
        if self.doc.is_open:
            self.refresh_now()

    def _update_choices(self) -> None:
        ws, ctx = self.workspace, self.ctx
        if ws is None:
            self.form.set_choices([], [], [])
            return
        system = self.doc.get("system", default="")
        system = system if isinstance(system, str) else ""
        categories = sorted(ctx.object_types.get(system, {})) if ctx else []
        profiles = sorted(ctx.profiles.get(system, {})) if ctx else []
        self.form.set_choices(ws.systems(), categories, profiles)

    # ---- document -> views ---------------------------------------------------------
    def _on_doc_changed(self, path: tuple) -> None:
        if not path:
            self.refresh_all()
            return
        key = path[0]
        if key in FORM_FIELDS:
            self.form.refresh()
            if key == "system":
                self._update_choices()
        elif key == "properties":
            self.properties.refresh()
        elif key == "metadata":
            self.metadata.refresh()
        elif key == "connections":
            self.connections.refresh()
            self.canvas.set_ports(self.doc.get("connections", default={}))
        elif key == "svg":
            text = self.doc.get("svg", default="")
            self.source.set_text(text if isinstance(text, str) else "")
            self._svg_dirty = True
        self._update_header()
        self._timer.start()

    def refresh_all(self) -> None:
        self.form.refresh()
        self.properties.refresh()
        self.metadata.refresh()
        self.connections.refresh()
        svg = self.doc.get("svg", default="")
        self.source.set_text(svg if isinstance(svg, str) else "")
        self.source.setReadOnly(not self.doc.is_open)
        self._svg_dirty = True
        self._update_choices()
        self.canvas.selected_port = ""
        self.refresh_now()
        self.canvas.fit()

    def refresh_now(self) -> None:
        """Validate and redraw the preview now (the debounce timer calls this)."""
        self._timer.stop()
        if self._svg_dirty:
            svg = self.doc.get("svg", default="")
            ok = self.canvas.set_svg(svg if isinstance(svg, str) else "")
            self._svg_dirty = False
            if not self.doc.is_open:
                self.preview_note.setText("")
            elif ok:
                self.preview_note.setText("")
            else:
                self.preview_note.setText("The drawing does not render (see the findings); "
                                          + self.canvas.render_error + ".")
            self.connections.view_box = self.canvas.view_box
        self.canvas.set_ports(self.doc.get("connections", default={}))
        self.canvas.set_empty(not self.doc.is_open)
        self.canvas.set_grid_visible(self.grid_check.isChecked() and self.doc.is_open)
        self.canvas.set_ports_visible(self.ports_check.isChecked())
        self.findings = self.validate() if self.doc.is_open else []
        self.validation_count += 1
        self.findings_view.set_findings(self.findings)
        lines: dict[int, str] = {}
        for f in self.findings:
            line = f.data.get("line")
            if isinstance(line, int) and not f.waived and (f.location.startswith("svg") or f.rule.startswith("svg.")):
                prev = lines.get(line)
                if prev is None or prev != "error":
                    lines[line] = f.severity.value
        self.source.mark_lines(lines)
        self._update_header()
        self.validated.emit(self.findings)

    def schedule(self) -> None:
        self._timer.start()

    def flush_pending(self) -> bool:
        """Put every edit still waiting for a pause in typing into the document now (the
        JSON tab applies after a debounce; the SVG source and the form apply per key).
        False when the JSON tab holds text that cannot be applied."""
        ok = self.json_view.flush()
        if self._timer.isActive():
            self.refresh_now()
        return ok

    # ---- validation ----------------------------------------------------------------
    def target_path(self) -> Path | None:
        """Where saving writes: <library>/<system>/<id>.json, or the file it came from
        while id or system cannot name a file."""
        ws = self.workspace
        sid, system = self.doc.get("id", default=""), self.doc.get("system", default="")
        if ws is not None and isinstance(sid, str) and isinstance(system, str) \
                and SAFE_NAME_RE.match(sid or "") and SAFE_NAME_RE.match(system or ""):
            return ws.symbol_path(system, sid)
        return self.doc.path

    def relative(self, path: Path | None) -> str:
        if path is None:
            return ""
        try:
            return self.workspace.relative(path) if self.workspace else path.name
        except ValueError:
            return str(path)

    def validate(self) -> list[Finding]:
        from ...engine.symbols import validate_symbol

        target = self.target_path()
        file = self.relative(target) if target else ""
        findings = validate_symbol(self.doc.data, self.ctx, file=file,
                                   folder_system=target.parent.name if target else None,
                                   check_file_name=target is not None)
        own = self.relative(self.doc.path) if self.doc.path else ""
        if own:
            # the file being edited is not a twin of itself (it is replaced on save)
            findings = [f for f in findings if not (
                f.rule in ("structure.content.duplicate", "structure.id.duplicate")
                and set(f.data.get("others") or []) <= {own})]
        if target is not None and target != self.doc.path and target.exists() \
                and not any(f.rule == "structure.id.duplicate" for f in findings):
            # the id (typed, or a new symbol's) names another symbol's file: the rule compares
            # files, and to it this file *is* the target, so say it here — Save would refuse
            from ...engine.symbols import RULES

            sid = self.doc.get("id", default="")
            findings.append(RULES["structure.id.duplicate"].finding(
                f"id {sid!r} is also used by {file}", location="id", file=file, symbol_id=str(sid),
                others=[file]))
        return findings

    @property
    def blocking(self) -> bool:
        return has_blocking(self.findings)

    def save_block_reason(self) -> str:
        if not self.doc.is_open:
            return "No symbol is open."
        errors = [f for f in self.findings if f.blocking]
        if errors:
            first = errors[0]
            more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
            return (f"Save is blocked: {len(errors)} error{'s' if len(errors) != 1 else ''} must be fixed "
                    f"or waived first — {first.rule}: {first.message}{more}.")
        if self.target_path() is None:
            return "Save is blocked: the id and system must name a file."
        return ""

    # ---- header --------------------------------------------------------------------
    def _update_header(self, *_ignored) -> None:
        if not shiboken6.isValid(self.doc) or not shiboken6.isValid(self.doc.undo_stack):
            return  # torn down
        if not self.doc.is_open:
            self.title.setText("No symbol open")
            self.summary.setText("Pick a symbol in the library, or create one.")
            self.summary_icon.clear()
            self.save_button.setEnabled(False)
            self.save_reason.setText("")
            self._header_shown = None
            self.saveStateChanged.emit()
            return
        sid = self.doc.get("id", default="") or "(no id)"
        mark = " • unsaved changes" if self.doc.dirty else ""
        if self.doc.path is None:
            mark = " • new, not saved yet"
        state, text = summary_text(self.findings)
        block = self.save_block_reason()
        reason = block
        target = self.target_path()
        if not reason and self.doc.path is not None and target is not None and target != self.doc.path:
            reason = f"Saving renames the file to {self.relative(target)}."
        shown = (f"{sid}{mark}", state, text, reason, self.doc.dirty and not block)
        if shown != getattr(self, "_header_shown", None):
            # only touch labels that change: a relayout per keystroke costs milliseconds
            self._header_shown = shown
            self.title.setText(shown[0])
            self.summary_icon.setPixmap(icon(state).pixmap(QSize(16, 16)))
            self.summary.setText(text)
            self.save_reason.setText(reason)
            self.save_reason.setVisible(bool(reason))
            self.save_button.setEnabled(shown[4])
            self.save_button.setToolTip(tip(block or "Save the symbol (Ctrl+S)"))
        self.saveStateChanged.emit()

    def format_source(self) -> bool:
        """Pretty-print the SVG (one element per line): an explicit, undoable edit.
        Refused while the XML does not parse — the findings say why."""
        from lxml import etree

        from ...engine.symbols.safe_xml import parse_svg

        svg = self.doc.get("svg", default="")
        parsed = parse_svg(svg) if isinstance(svg, str) else None
        if parsed is None or not parsed.ok:
            return False
        root = parsed.root
        etree.indent(root, space="  ")
        text = etree.tostring(root, encoding="unicode")
        return self.doc.set(("svg",), text, "Format SVG source")

    def set_disk_note(self, text: str) -> None:
        """A warning (with its word, not only a colour) that the file changed on disk."""
        self.disk_note.setText(f"Warning: {text}" if text else "")
        self.disk_note.setVisible(bool(text))

    # ---- ports ---------------------------------------------------------------------
    def _on_port_clicked(self, name: str) -> None:
        self.tabs.setCurrentIndex(TAB_PORTS)
        self.connections.select_key(name)
        self.canvas.select_port(name)

    def _on_port_moved(self, name: str, x, y) -> None:
        port = self.doc.get("connections", name)
        if not isinstance(port, dict):
            return
        new = dict(port)
        new["x"], new["y"] = x, y
        self.doc.set(("connections", name), new, f"Move port {name}")
        self.connections.select_key(name)

    # ---- going to a finding's place ------------------------------------------------
    def show_finding(self, f: Finding) -> None:
        self.select_location(f.location, f.data.get("line"))

    def select_location(self, location: str, line: int | None = None) -> bool:
        """Show the place a finding names: a form field, a table row (and cell), an SVG
        element or line; anything else (``waivers[0]``, unknown fields) in the JSON."""
        loc = location or ""
        head, _, rest = loc.partition(".")
        if loc.startswith("svg/") or loc == "svg" or (not loc and line):
            self.tabs.setCurrentIndex(TAB_SOURCE)
            element = loc.split("/@", 1)[0]        # an attribute path names its element
            if "/" in element and self.source.select_element(element):
                return True
            if isinstance(line, int):
                self.source.goto_line(line)
            else:
                self.source.select_element("svg")
            return True
        if head == "connections":
            self.tabs.setCurrentIndex(TAB_PORTS)
            name, _, fld = rest.partition(".")
            col = {"type": 1, "x": 2, "y": 3, "direction": 4}.get(fld, 0)
            self.connections.table.setFocus()
            if name and self.connections.select_key(name, col):
                self.canvas.select_port(name)
                return True
            return not name
        if head in ("properties", "metadata"):
            self.tabs.setCurrentIndex(TAB_DETAILS)
            table = self.properties if head == "properties" else self.metadata
            self.detail_tabs.setCurrentWidget(table)
            name = rest.split(".", 1)[0]
            table.table.setFocus()
            return table.select_key(name, 1) if name else True
        key = head.split("[", 1)[0]
        if key in FORM_FIELDS:
            self.tabs.setCurrentIndex(TAB_DETAILS)
            return self.form.focus_field(key)
        if key:
            self.tabs.setCurrentIndex(TAB_JSON)
            return self.json_view.select_key(key)
        return False

    # ---- waivers -------------------------------------------------------------------
    def add_waiver(self, rule: str, reason: str, by: str) -> None:
        waivers = self.doc.get("waivers", default=[])
        waivers = list(waivers) if isinstance(waivers, list) else []
        waivers.append({"rule": rule, "reason": reason, "by": by,
                        "at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.doc.set(("waivers",), waivers, f"Waive {rule}")

    def remove_waiver(self, rule: str) -> bool:
        waivers = self.doc.get("waivers", default=[])
        if not isinstance(waivers, list):
            return False
        kept = [w for w in waivers if not (isinstance(w, dict) and w.get("rule") == rule)]
        if len(kept) == len(waivers):
            return False
        self.doc.set(("waivers",), kept, f"Remove waiver of {rule}")
        return True
