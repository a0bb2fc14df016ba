"""The Pipeline surface: pick a target, run the six steps (all at once, step by step,
dry, from a step, retry), watch states, findings, files and the live log, open past
runs from the history read-only, and read the documentation page a run generates."""

from __future__ import annotations

import html
import logging
import os

from PySide6.QtCore import QElapsedTimer, QEventLoop, QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QButtonGroup, QCheckBox, QComboBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMenu, QMessageBox, QPushButton, QRadioButton,
                               QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget)

from ...engine.errors import UserError
from ..context_menu import use_context_menu
from ..icons import icon, state_word
from ..logview import LogView, is_packed, pack
from ..surface import Surface
from ..workers import start_worker
from .changes_view import ChangesView
from .docs_view import DocsViewer, docs_target, is_system_name, viewer_title
from .driver import RunDriver
from .models import findings_model, fmt_counts, runs_model, severity_text, steps_model, step_title, symbol_of

log = logging.getLogger(__name__)

STEP_IDS = ("define-schema", "add-symbols", "implement-behavior", "update-registry", "documentation", "compliance")
DOCS_SHORTCUT = "Ctrl+Shift+D"
UNFINISHED = ("failed", "rolled_back", "cancelled")


def _table(name: str, model) -> QTableView:
    t = QTableView()
    t.setObjectName(name)
    t.setModel(model)
    t.verticalHeader().hide()
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setShowGrid(False)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    return t


class PipelineSurface(Surface):
    surface_id = "pipeline"
    title = "Pipeline"
    icon_name = "pipeline"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.driver = RunDriver(self)
        self.driver.events.connect(self._on_events)
        self.driver.finished.connect(self._on_run_finished)
        self.driver.failed.connect(self._on_run_failed)
        self.run: dict | None = None          # the run on show (live or past)
        self._stored_run: dict | None = None  # the finished run on show as stored (run_to_dict): for retry
        self.step_findings: dict[str, list[dict]] = {}
        self.changes: list[dict] = []
        self._selected_steps: list[str] = list(STEP_IDS)
        self._current_step = ""
        self._paused = False
        self._cancelling = False
        self._loader = None
        self.docs_viewer: DocsViewer | None = None   # made on first use
        self._build()
        self.on_workspace_changed(ctx.workspace)

    # ---- building ------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 8)
        outer.setSpacing(6)

        target = QHBoxLayout()
        target.addWidget(QLabel("System"))
        self.system_combo = QComboBox()
        self.system_combo.setObjectName("pipelineSystem")
        self.system_combo.setEditable(True)   # a new system need not exist yet
        self.system_combo.setMinimumWidth(160)
        self.system_combo.lineEdit().setPlaceholderText("e.g. audiovisual")
        self.system_combo.currentTextChanged.connect(self._update_actions)
        target.addWidget(self.system_combo)
        self.new_system_radio = QRadioButton("New system")
        self.new_object_radio = QRadioButton("New object")
        self.new_system_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.new_system_radio)
        group.addButton(self.new_object_radio)
        self.new_object_radio.toggled.connect(self._update_actions)
        target.addSpacing(8)
        target.addWidget(self.new_system_radio)
        target.addWidget(self.new_object_radio)
        self.object_edit = QLineEdit()
        self.object_edit.setObjectName("pipelineObjectType")
        self.object_edit.setPlaceholderText("object type, e.g. smart_switch")
        self.object_edit.setMinimumWidth(200)
        target.addWidget(self.object_edit)
        target.addSpacing(8)
        self.step_by_step_check = QCheckBox("Step by step")
        self.step_by_step_check.setToolTip("Pause after each step; continue with Next step")
        target.addWidget(self.step_by_step_check)
        target.addStretch(1)
        outer.addLayout(target)

        actions = QHBoxLayout()
        self.run_button = QPushButton(icon("running"), "Run all")
        self.run_button.setToolTip("Run every step for the target (changes are journaled; a failure rolls back)")
        self.dry_button = QPushButton("Dry run")
        self.dry_button.setToolTip("Run every check without writing anything; lists the files that would change")
        self.next_button = QPushButton("Next step")
        self.next_button.setToolTip("Continue a paused run with its next step")
        self.pause_button = QPushButton(icon("paused"), "Pause")
        self.pause_button.setToolTip("Pause after the step that is running")
        self.cancel_button = QPushButton(icon("cancelled"), "Cancel")
        self.cancel_button.setToolTip("Stop the run (inside the current step); its changes are rolled back")
        self.retry_button = QPushButton("Retry from failed step")
        self.retry_button.setToolTip("Start a new attempt of the shown run from the step that failed (from an "
                                     "earlier step when the rollback undid that step's changes)")
        for b in (self.run_button, self.dry_button, self.next_button, self.pause_button, self.cancel_button,
                  self.retry_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(QLabel("Start from"))
        self.from_combo = QComboBox()
        self.from_combo.setObjectName("pipelineFromStep")
        for i, s in enumerate(STEP_IDS):
            self.from_combo.addItem(f"{i + 1}. {step_title(s)}", s)
        actions.addWidget(self.from_combo)
        self.from_button = QPushButton("Run from step")
        self.from_button.setToolTip("Run the chosen step and the ones after it")
        actions.addWidget(self.from_button)
        outer.addLayout(actions)
        self.run_button.clicked.connect(lambda: self.start_run())
        self.dry_button.clicked.connect(lambda: self.start_run(dry_run=True))
        self.next_button.clicked.connect(self.next_step)
        self.pause_button.clicked.connect(self.pause_run)
        self.cancel_button.clicked.connect(self.cancel_run)
        self.retry_button.clicked.connect(self.retry_run)
        self.from_button.clicked.connect(lambda: self.start_run(from_step=self.from_combo.currentData()))

        summary = QHBoxLayout()
        self.run_icon = QLabel()
        self.run_label = QLabel()
        self.run_label.setObjectName("pipelineRunLabel")
        f = self.run_label.font()
        f.setBold(True)
        self.run_label.setFont(f)
        self.run_message = QLabel()
        self.run_message.setObjectName("pipelineRunMessage")
        self.run_message.setWordWrap(True)
        self.run_message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        summary.addWidget(self.run_icon)
        summary.addWidget(self.run_label)
        summary.addWidget(self.run_message, 1)
        self.docs_button = QPushButton("Open documentation")
        self.docs_button.setObjectName("pipelineOpenDocs")
        self.docs_button.clicked.connect(lambda: self.open_documentation())
        summary.addWidget(self.docs_button, 0, Qt.AlignTop)
        docs_key = QShortcut(QKeySequence(DOCS_SHORTCUT), self)
        docs_key.setContext(Qt.WidgetWithChildrenShortcut)
        docs_key.activated.connect(lambda: self.docs_button.isEnabled() and self.open_documentation())
        outer.addLayout(summary)

        split = QSplitter(Qt.Horizontal)
        left = QSplitter(Qt.Vertical)
        steps_box = QWidget()
        sl = QVBoxLayout(steps_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self._heading("Steps"))
        self.steps = steps_model(self)
        self.steps_table = _table("pipelineSteps", self.steps)
        use_context_menu(self.steps_table, self.steps_menu_at)
        self.steps_table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected_step())
        self.steps_table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        hh = self.steps_table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeToContents)
        hh.setStretchLastSection(True)
        sl.addWidget(self.steps_table)
        left.addWidget(steps_box)
        hist_box = QWidget()
        hl = QVBoxLayout(hist_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hrow = QHBoxLayout()
        hrow.addWidget(self._heading("Run history"))
        hrow.addStretch(1)
        self.open_run_button = QPushButton("Open run")
        self.open_run_button.setToolTip("Show the selected past run (steps, findings, stored log), read-only")
        self.open_run_button.clicked.connect(self._open_selected_run)
        hrow.addWidget(self.open_run_button)
        hl.addLayout(hrow)
        self.runs = runs_model(self)
        self.history_table = _table("pipelineHistory", self.runs)
        hh = self.history_table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeToContents)
        hh.setStretchLastSection(True)
        self.history_table.doubleClicked.connect(lambda idx: self.open_run(self.runs.row(idx.row())["run_id"]))
        use_context_menu(self.history_table, self.history_menu_at)
        self.history_table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        hl.addWidget(self.history_table)
        left.addWidget(hist_box)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 1)
        split.addWidget(left)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("pipelineTabs")
        find_page = QWidget()
        fl = QVBoxLayout(find_page)
        fl.setContentsMargins(4, 6, 4, 4)
        self.step_label = QLabel()
        self.step_label.setObjectName("pipelineStepLabel")
        self.step_label.setWordWrap(True)
        self.step_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        fl.addWidget(self.step_label)
        self.findings = findings_model(self)
        self.findings_table = _table("pipelineFindings", self.findings)
        fh = self.findings_table.horizontalHeader()
        fh.setSectionResizeMode(QHeaderView.Interactive)
        fh.setStretchLastSection(True)
        for col, width in enumerate((90, 150, 190, 330, 250, 130)):
            self.findings_table.setColumnWidth(col, width)
        self.findings_table.clicked.connect(self._finding_clicked)
        self.findings_table.activated.connect(lambda idx: self.open_finding(self.findings.row(idx.row())))
        self.findings_table.selectionModel().currentRowChanged.connect(self._show_finding_detail)
        fl.addWidget(self.findings_table, 1)
        self.finding_detail = QLabel()   # the selected finding in full (cells are cut)
        self.finding_detail.setObjectName("pipelineFindingDetail")
        self.finding_detail.setWordWrap(True)
        self.finding_detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.finding_detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.finding_detail.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        fl.addWidget(self.finding_detail)
        self.tabs.addTab(find_page, icon("warning"), "Findings")

        log_page = QWidget()
        ll = QVBoxLayout(log_page)
        ll.setContentsMargins(4, 6, 4, 4)
        self.log_view = LogView()
        self.log_view.set_steps(STEP_IDS)
        self.only_step_check = QCheckBox("Only the selected step")
        self.only_step_check.setObjectName("pipelineLogOnlyStep")
        self.only_step_check.setToolTip("Filter the log to the step selected in the Steps list")
        self.only_step_check.toggled.connect(self._apply_step_log_filter)
        self.log_view.filter_bar.addWidget(self.only_step_check)
        self.log_view.lineActivated.connect(self._log_line_activated)
        ll.addWidget(self.log_view, 1)
        self.tabs.addTab(log_page, icon("info"), "Log")
        self.log_page = log_page
        self.changes_view = ChangesView()
        self.changes_view.openRequested.connect(self._open_docs_file)
        self.tabs.addTab(self.changes_view, "Files")
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        self.splitter = split
        self._sized = False
        outer.addWidget(split, 1)
        self._reset_steps()
        self._update_actions()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:   # the first time there is a real width: steps need ~460 px
            self._sized = True
            total = max(self.splitter.width(), 900)
            left = min(max(460, total * 2 // 5), total - 420)
            self.splitter.setSizes([left, total - left])

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        f = label.font()
        f.setBold(True)
        label.setFont(f)
        return label

    # ---- workspace -----------------------------------------------------------------
    def on_workspace_changed(self, workspace) -> None:
        current = self.system_combo.currentText()
        self.system_combo.clear()
        if workspace is not None:
            self.system_combo.addItems(workspace.systems())
            idx = self.system_combo.findText(current)
            if idx >= 0:
                self.system_combo.setCurrentIndex(idx)
        self.run = self._stored_run = None
        self.step_findings, self.changes = {}, []
        self._reset_steps()
        self.log_view.clear()
        self.changes_view.set_changes([], dry_run=False, rolled_back=False)
        if self.docs_viewer is not None:
            self.docs_viewer.close()          # its page belongs to the workspace that went
        self._show_run_header()
        self.reload_history()
        self._update_actions()

    def on_workspace_files_changed(self, paths: list) -> None:
        """Files changed elsewhere (a restore, the demo's history seeding, our own run):
        refresh the system list and the history, keep the run on show."""
        ws = self.ctx.workspace
        if ws is not None and not self.driver.active:
            current = self.system_combo.currentText()
            self.system_combo.clear()
            self.system_combo.addItems(ws.systems())
            self.system_combo.setCurrentText(current)
        if not self.driver.active:
            self.reload_history()
        viewer = self.docs_viewer
        if viewer is not None and viewer.isVisible() and viewer.system:
            if not paths or any((docs_target(str(p)) or ("",))[0] == viewer.system for p in paths):
                self.refresh_documentation()

    def has_unsaved_changes(self) -> bool:
        return self.driver.active

    def confirm_discard(self) -> bool:
        """Before a workspace switch or close: a running run is only asked about here;
        ``prepare_leave`` cancels it once every surface and the target agreed."""
        if not self.driver.active:
            return True
        run_id = (self.run or {}).get("run_id")
        answer = QMessageBox.question(
            self, "Pipeline run in progress",
            f"Pipeline run {run_id or ''} is still running.\n\nCancel it and continue? The run stops "
            "inside its current step and every file it changed is put back.",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def prepare_leave(self) -> bool:
        """Leaving for real: cancel a running run and wait for its rollback (False when it
        did not end in time: the window then stays)."""
        if not self.driver.active:
            return True
        self.cancel_run()
        return self.wait_until_idle(60_000)

    def wait_until_idle(self, timeout_ms: int = 30_000) -> bool:
        """Keep the GUI alive while the run winds down (cancel, rollback)."""
        clock = QElapsedTimer()
        clock.start()
        while self.driver.active and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.AllEvents, 50)
        return not self.driver.active

    def shown(self) -> None:
        if not self.driver.active:
            self.reload_history()

    # ---- starting ------------------------------------------------------------------
    def _target(self) -> tuple[str, str | None]:
        system = self.system_combo.currentText().strip()
        obj = self.object_edit.text().strip() if self.new_object_radio.isChecked() else None
        return system, obj

    def start_run(self, *, dry_run: bool = False, from_step: str | None = None, only: str | None = None,
                  retry_of: int | None = None, system: str | None = None,
                  object_type: str | None = None, create_system: bool = False) -> bool:
        from ...engine.pipeline.request import RunRequest

        ws = self.ctx.workspace
        if ws is None:
            QMessageBox.warning(self, "No workspace", "Open a workspace before running the pipeline.")
            return False
        if self.driver.active:
            return False
        if system is None:
            system, object_type = self._target()
            if self.new_object_radio.isChecked() and not object_type:
                QMessageBox.warning(self, "Cannot start the run",
                                    "Enter the object type to add (e.g. smart_switch), or choose New system.")
                return False
            create_system = self._confirm_new_system(ws, system, object_type)
            if create_system is None:
                return False
        request = RunRequest(system, object_type or None, dry_run=dry_run, from_step=from_step, only=only,
                             step_by_step=self.step_by_step_check.isChecked(), retry_of=retry_of,
                             create_system=create_system)
        try:
            self.driver.start(ws, self.ctx.db, self.ctx.data_dir, request)
        except UserError as exc:
            QMessageBox.warning(self, "Cannot start the run", str(exc))
            return False
        req = self.driver.runner.request
        self._stored_run = None
        self.run = {"run_id": None, "state": "running", "system": req.system, "object_type": req.object_type or "",
                    "mode": "new_object" if req.object_type else "new_system", "dry_run": req.dry_run,
                    "message": "starting…", "read_only": False}
        self._selected_steps = req.selected_steps()
        self._current_step = ""
        self._paused = self._cancelling = False
        self.step_findings, self.changes = {}, []
        self._reset_steps()
        self.log_view.clear()
        self.log_view.export_name = f"pipeline-{req.system}"
        self.changes_view.set_changes([], dry_run=req.dry_run, rolled_back=False)
        self.tabs.setCurrentWidget(self.log_page)
        self._show_run_header()
        self._update_status()
        self._update_actions()
        return True

    def _confirm_new_system(self, ws, system: str, object_type: str | None) -> bool | None:
        """The same rule as the CLI's --create-system: a system the workspace does not have
        is created only when the user says so (a typo in the editable box must not start
        an empty system).  False: it exists; True: create it; None: the user declined."""
        from ...engine.pipeline.request import SYSTEM_RE

        if system in ws.systems() or not SYSTEM_RE.match(system):
            return False   # a malformed name is refused by the request's own check, with its message
        close = ws.closest_system(system)
        typo = f" Did you mean “{close}”?" if close else ""
        first = (f"The run also adds its first object type, {object_type}, with a symbol." if object_type else
                 "A system passes the coverage gate only once it has symbols: choose New object to add its "
                 "first object type and symbol in the same run.")
        answer = QMessageBox.question(
            self, "Create a new system?",
            f"This workspace has no system “{system}”.{typo}\n\nCreate it? The run writes "
            f"schemas/{system}/schema.json from the template. {first}",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return True if answer == QMessageBox.Yes else None

    def retry_plan(self):
        """How the shown finished run would be retried (the engine's rule, shared with the
        CLI: from the failed step, or from the first step whose changes the rollback
        undid), or None when it cannot be."""
        from ...engine.pipeline.retry import plan_retry

        stored = self._stored_run
        if not stored or not self.run or stored.get("run_id") != self.run.get("run_id"):
            return None
        try:
            return plan_retry(stored)
        except UserError:
            return None

    def retry_run(self) -> bool:
        plan = self.retry_plan()
        if plan is None or self.driver.active:
            return False
        req = plan.request(step_by_step=self.step_by_step_check.isChecked())
        return self.start_run(dry_run=req.dry_run, from_step=req.from_step, only=req.only, retry_of=req.retry_of,
                              system=req.system, object_type=req.object_type, create_system=req.create_system)

    def next_step(self) -> None:
        if self.driver.active and self._paused:
            self.driver.next()
            self._paused = False   # at once: a second click must not skip a step
            self.run["message"] = "running"
            self._show_run_header()
            self._update_actions()

    def pause_run(self) -> None:
        if self.driver.active:
            self.driver.pause()
            self.pause_button.setEnabled(False)
            self.run_message.setText(f"pausing after {self._current_step or 'the current step'}…")

    def cancel_run(self) -> None:
        if self.driver.active and not self._cancelling:
            self._cancelling = True
            self.driver.cancel()
            self.run_message.setText("cancelling… (the changes made so far will be rolled back)")
            self._update_actions()

    # ---- live events -----------------------------------------------------------------
    def _on_events(self, batch: list) -> None:
        self.log_view.append([item if is_packed(item) else item[0] for item in batch])
        selected_changed = False
        for item in batch:
            if is_packed(item):
                continue
            ev, extras = item
            kind = ev.kind.value
            if kind == "run.started":
                self.run.update(run_id=ev.run_id, message="running")
                self._selected_steps = list(ev.data.get("steps") or self._selected_steps)
                self._reset_steps()
                self.log_view.export_name = f"pipeline-run-{ev.run_id}"
            elif kind == "step.started":
                self._current_step = ev.step
                self._set_step(ev.step, state="running", attempt=ev.data.get("attempt"), message="running")
                self.run["message"] = f"{ev.step} running"
                self._select_step(ev.step)
                selected_changed = True
            elif kind == "step.finished":
                extras = extras or {}
                self._set_step(ev.step, state=ev.data.get("state"), duration=ev.data.get("duration"),
                               findings=ev.data.get("findings") or {}, message=extras.get("message", ""))
                self.step_findings[ev.step] = extras.get("findings", [])
                files = extras.get("would_change") or extras.get("files_written") or []
                self.changes.extend(dict(c, step=ev.step) for c in files)
                selected_changed = True
            elif kind == "run.paused":
                self._paused = True
                self.run["message"] = ev.message
            elif kind == "run.resumed":
                self._paused = False
                self.run["message"] = "running"
            elif kind == "run.finished":
                self.run.update(state=ev.data.get("state", self.run["state"]), message=ev.message)
        if selected_changed:
            self._show_selected_step()
            self.changes_view.set_changes(self.changes, dry_run=bool(self.run.get("dry_run")), rolled_back=False)
        self._show_run_header()
        self._update_status()
        self._update_actions()

    def _on_run_finished(self, result: dict) -> None:
        self.show_run(result, read_only=False)
        self.reload_history()
        self._update_status()
        written = sorted({c["path"] for st in result.get("steps", []) if st.get("state") == "succeeded"
                          for c in st.get("files_written") or []})
        if written and result.get("state") == "succeeded":
            self.ctx.workspaceFilesChanged.emit(written)   # Symbols, Home, Backups see the new files
        if self.ctx.status_monitor is not None:   # the run's backup, the failure rate: now, not in 5 s
            self.ctx.status_monitor.refresh()

    def _on_run_failed(self, message: str, user_error: bool, run_id) -> None:
        (QMessageBox.warning if user_error else QMessageBox.critical)(
            self, "The pipeline run stopped" if run_id else "Cannot start the run", message)
        if run_id:
            self._load_and_show(run_id, read_only=False, keep_log=True)
        else:
            self.run = self._stored_run = None
            self._reset_steps()
            self._show_run_header()
            self.ctx.set_status("run", "failed", "Run could not start", message)
        self.reload_history()
        self._update_actions()

    # ---- showing a run -----------------------------------------------------------------
    def show_run(self, run: dict, *, read_only: bool, records: list | None = None) -> None:
        """Show a finished run as stored (``history.run_to_dict``); ``records`` replaces the log."""
        self._stored_run = run
        self.run = {"run_id": run["run_id"], "state": run["state"], "system": run["system"],
                    "object_type": run.get("object_type") or "", "mode": run.get("mode", ""),
                    "dry_run": bool(run.get("dry_run")), "message": run.get("message", ""),
                    "read_only": read_only}
        rows, self.step_findings, self.changes = [], {}, []
        for pos, st in enumerate(run.get("steps", [])):
            rows.append({"id": st["id"], "position": pos, "state": st["state"], "attempt": st.get("attempt"),
                         "duration": st.get("duration"), "findings": st.get("findings") or {},
                         "message": st.get("message", "")})
            self.step_findings[st["id"]] = list(st.get("finding_list") or [])
            files = st.get("would_change") if run.get("dry_run") else st.get("files_written")
            self.changes.extend(dict(c, step=st["id"]) for c in files or [])
        self._selected_steps = [r["id"] for r in rows if r["state"] != "skipped"]
        self.steps.set_rows(rows)
        self.changes_view.set_changes(self.changes, dry_run=self.run["dry_run"],
                                      rolled_back=self.run["state"] == "rolled_back")
        if records is not None:
            self.log_view.set_records(records)
            self.log_view.export_name = f"pipeline-run-{run['run_id']}"
        self._paused = self._cancelling = False
        self._show_run_header()
        if self.docs_viewer is not None and self.docs_viewer.isVisible() and \
                self.docs_viewer.system == self.run["system"]:
            self.refresh_documentation()      # what the page on show is, in the light of this run
        if self.run["state"] in UNFINISHED:
            self.focus_failure()
        else:
            self._show_selected_step()
        self._update_actions()

    def focus_failure(self) -> str:
        """Select the step that stopped the run and put the log on its first error."""
        step = self.failed_step()
        if not step:
            return ""
        self._select_step(step)
        self._show_selected_step()
        self.tabs.setCurrentWidget(self.log_page)
        lv = self.log_view
        if lv.reveal(lambda r: r.step == step and r.level == "error" and r.kind == "log") < 0:
            if lv.reveal(lambda r: r.step == step and r.level in ("error", "warning")) < 0:
                lv.reveal(lambda r: r.level == "error")
        return step

    def failed_step(self) -> str:
        """The step that stopped the shown run: failed, else cancelled, else the first
        step with an error line in the log."""
        for state in ("failed", "cancelled"):
            row = self.steps.find(lambda r, s=state: r.get("state") == s)
            if row >= 0:
                return self.steps.row(row)["id"]
        if self.run and self.run.get("state") in UNFINISHED:
            rec = next((r for r in self.log_view.model.records() if r.level == "error" and r.step), None)
            if rec is not None:
                return rec.step
        return ""

    def _show_run_header(self) -> None:
        run = self.run
        if run is None:
            self.run_icon.clear()
            self.run_label.setText("No run shown")
            self.run_message.setText("Choose a system and press Run all, Dry run or Run from step. "
                                     "Past runs are listed in the history.")
            return
        state = run.get("state", "pending")
        if self._paused and self.driver.active:
            state = "paused"
        self.run_icon.setPixmap(icon(state).pixmap(18, 18))
        target = run.get("object_type") or run.get("system", "")
        mode = "new object" if run.get("mode") == "new_object" else "new system"
        rid = run.get("run_id")
        title = f"Run {rid}" if rid else "Run"
        extras = ", dry run" if run.get("dry_run") else ""
        ro = " — past run, read-only" if run.get("read_only") else ""
        self.run_label.setText(f"{title}: {target} ({mode}{extras}) — {state_word(state)}{ro}")
        self.run_message.setText(run.get("message", ""))

    def _reset_steps(self) -> None:
        sel = set(self._selected_steps)
        self.steps.set_rows([{"id": s, "position": i, "state": "pending" if s in sel else "skipped",
                              "attempt": None, "duration": None, "findings": {},
                              "message": "" if s in sel else "not selected for this run"}
                             for i, s in enumerate(STEP_IDS)])
        self._show_selected_step()

    def _set_step(self, step: str, **changes) -> None:
        row = self.steps.find(lambda r: r["id"] == step)
        if row >= 0:
            self.steps.update_row(row, **{k: v for k, v in changes.items() if v is not None})

    def _select_step(self, step: str) -> None:
        row = self.steps.find(lambda r: r["id"] == step)
        if row >= 0:
            self.steps_table.selectRow(row)

    def selected_step(self) -> str:
        idx = self.steps_table.currentIndex()
        return self.steps.row(idx.row())["id"] if idx.isValid() else ""

    def _show_selected_step(self) -> None:
        step = self.selected_step()
        if not step:
            self.step_label.setText("Select a step to see its findings.")
            self.findings.set_rows([])
            self._apply_step_log_filter()
            return
        row = self.steps.row(self.steps.find(lambda r: r["id"] == step))
        found = self.step_findings.get(step, [])
        order = {"error": 0, "warning": 1, "info": 2}
        found = sorted(found, key=lambda f: (bool(f.get("waived")), order.get(f.get("severity"), 3)))
        self.findings.set_rows(found)
        if found:
            self.findings_table.selectRow(0)
        else:
            self._show_finding_detail(self.findings.index(-1, 0))
        counts = fmt_counts(row.get("findings"))
        text = f"{step_title(step)} ({step}) — {state_word(row.get('state', 'pending'))}"
        if row.get("message"):
            text += f": {row['message']}"
        if counts:
            text += f" — findings: {counts}"
        self.step_label.setText(text)
        self._apply_step_log_filter()

    def _apply_step_log_filter(self, *_args) -> None:
        step = self.selected_step() if self.only_step_check.isChecked() else None
        self.log_view.set_step_filter(step or None)

    # ---- findings / log -> symbols -------------------------------------------------------
    def _show_finding_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.finding_detail.setText("Select a finding to read it in full. Click a symbol to open it.")
            return
        f = self.findings.row(current.row())
        where = ":".join(p for p in (f.get("file"), f.get("location")) if p)
        lines = [f"<b>{html.escape(severity_text(f))}</b> [{html.escape(str(f.get('rule', '')))}] "
                 f"{html.escape(str(f.get('message', '')))}"]
        if where:
            lines.append(f"in <code>{html.escape(where)}</code>")
        if f.get("hint"):
            lines.append(f"Hint: {html.escape(str(f['hint']))}")
        if f.get("waived"):
            lines.append(f"Waived: {html.escape(str(f.get('waiver_reason', '')))}")
        self.finding_detail.setText("<br>".join(lines))

    def _finding_clicked(self, index) -> None:
        col = self.findings.columns[index.column()]
        if col.link:
            self.open_finding(self.findings.row(index.row()))

    def open_finding(self, finding: dict) -> bool:
        sym = symbol_of(finding)
        if not sym:
            return False
        self.ctx.navigate("symbols", symbol_id=sym, location=str(finding.get("location") or ""))
        return True

    def _log_line_activated(self, rec) -> None:
        self.open_finding({"symbol_id": rec.data.get("symbol_id", ""), "file": rec.data.get("file", ""),
                           "location": rec.data.get("location", "")})

    # ---- context menu --------------------------------------------------------------------
    def steps_menu_at(self, pos: QPoint) -> QMenu | None:
        """The context menu for the step under ``pos`` (None where none applies): built
        apart from showing it, so that tests can pick its actions like a user."""
        idx = self.steps_table.indexAt(pos)
        if not idx.isValid() or self.driver.active or self.ctx.workspace is None:
            return None
        step = self.steps.row(idx.row())["id"]
        menu = QMenu(self)
        menu.addAction(f"Run from {step}", lambda: self.start_run(from_step=step))
        menu.addAction(f"Dry run from {step}", lambda: self.start_run(dry_run=True, from_step=step))
        menu.addAction(f"Run only {step}", lambda: self.start_run(only=step))
        return menu

    # ---- documentation ---------------------------------------------------------------------
    def docs_system(self) -> str:
        """The system whose page Open documentation shows: the shown run's, else the
        one in the system box ("" when that is no system name)."""
        system = (self.run or {}).get("system") or self.system_combo.currentText().strip()
        return system if is_system_name(system) else ""

    def _docs_change(self, system: str) -> dict | None:
        rel = viewer_title(system)
        return next((c for c in self.changes if c.get("path") == rel), None)

    def docs_note(self, system: str) -> str:
        """Where the page on disk comes from, as far as the shown run tells: a dry run
        never passes the page on disk off as the one it previewed."""
        path = self.ctx.workspace.docs_path(system)
        written = DocsViewer.modified_text(path)
        run = self.run
        if run is None or run.get("system") != system or self.driver.active:
            return f"The page as it is on disk. {written}".strip()
        rid = run.get("run_id")
        name = f"run {rid}" if rid else "the run"
        change = self._docs_change(system)
        doc_row = self.steps.find(lambda r: r["id"] == "documentation")
        doc_state = self.steps.row(doc_row).get("state") if doc_row >= 0 else ""
        past = " (a past run: a later run may have rewritten the page since)" if run.get("read_only") else ""
        if run.get("dry_run"):
            what = (f"it would {change.get('action', 'change')} this page (its diff is in the Files tab)"
                    if change else "it would leave this page as it is" if doc_state == "succeeded"
                    else "its documentation step did not run")
            note = (f"Dry {name} wrote nothing: this is the page on disk, not the one the dry run previewed; "
                    f"{what}.")
        elif run.get("state") in UNFINISHED:
            note = (f"{name.capitalize()} did not finish ({state_word(run['state']).lower()}) and its changes were "
                    "put back: this is the page as it was before it.")
        elif doc_state != "succeeded":
            note = f"{name.capitalize()} did not run the documentation step: the page is from an earlier run."
        elif change:
            verb = "Generated" if change.get("action") == "create" else "Updated"
            note = f"{verb} by {name}{past}."
        else:
            note = f"Regenerated by {name}, which found it up to date{past}."
        return f"{note} {written}".strip()

    def open_documentation(self, system: str | None = None, anchor: str = "") -> bool:
        """Show ``docs/systems/<system>.md`` rendered, with its pictures; a clear message
        when there is no such page."""
        ws = self.ctx.workspace
        system = system or self.docs_system()
        if ws is None or not is_system_name(system):
            return False
        rel = viewer_title(system)
        path = ws.docs_path(system)
        if os.path.lexists(path) and not path.is_file():
            QMessageBox.warning(self, "Cannot read the documentation page",
                                f"{rel} is there but is not a regular file (a folder, a pipe or a link to "
                                "nowhere); move it away and run the pipeline to write the page again.")
            return False
        if not path.is_file():
            change = self._docs_change(system) if (self.run or {}).get("system") == system else None
            extra = (f"\n\nDry run {self.run.get('run_id') or ''} would {change.get('action', 'write')} it, but a "
                     "dry run writes nothing." if change and self.run.get("dry_run") else "")
            QMessageBox.information(
                self, "No documentation page",
                f"{rel} does not exist in this workspace yet.\n\nThe documentation step writes it: run the "
                f"pipeline for {system} (not a dry run).{extra}")
            return False
        viewer = self.docs_viewer
        if viewer is None:
            viewer = self.docs_viewer = DocsViewer(self)
        try:
            viewer.show_page(path, system=system, title=rel, note=self.docs_note(system), anchor=anchor)
        except (OSError, UnicodeDecodeError) as exc:
            QMessageBox.warning(self, "Cannot read the documentation page", f"{rel}: {exc}")
            return False
        viewer.on_reload = self.refresh_documentation
        viewer.show()
        viewer.raise_()
        viewer.activateWindow()
        return True

    def refresh_documentation(self) -> None:
        """Read the page on show again (a run rewrote it, or the user asked), keeping the
        place; a page a rollback took away says so."""
        viewer = self.docs_viewer
        ws = self.ctx.workspace
        if viewer is None or ws is None or not viewer.system:
            return
        path = ws.docs_path(viewer.system)
        rel = viewer_title(viewer.system)
        try:
            viewer.show_page(path, system=viewer.system, title=rel, note=self.docs_note(viewer.system),
                             keep_position=True)
        except (OSError, UnicodeDecodeError) as exc:
            reason = "does not exist any more" if not path.exists() else f"cannot be read: {exc}"
            viewer.show_missing(system=viewer.system, title=rel, message=f"{rel} {reason}.")

    def _open_docs_file(self, path: str) -> None:
        target = docs_target(path)
        if target is not None:
            self.open_documentation(*target)

    def history_menu_at(self, pos: QPoint) -> QMenu | None:
        idx = self.history_table.indexAt(pos)
        if not idx.isValid() or self.ctx.workspace is None:
            return None
        row = self.runs.row(idx.row())
        menu = QMenu(self)
        act = menu.addAction("Open run", lambda: self.open_run(row["run_id"]))
        act.setEnabled(not self.driver.active and self._loader is None)
        system = row.get("system") or ""
        act = menu.addAction(f"Open documentation of {system}", lambda: self.open_documentation(system))
        act.setEnabled(is_system_name(system) and self.ctx.workspace.docs_path(system).is_file())
        if not act.isEnabled():
            act.setText(f"Open documentation of {system} (not generated yet)")
        return menu

    # ---- history ---------------------------------------------------------------------------
    def reload_history(self) -> None:
        from ...engine.pipeline.history import RunHistory

        ws = self.ctx.workspace
        if ws is None or self.ctx.db is None:
            self.runs.set_rows([])
            self._update_actions()
            return
        runs = RunHistory(self.ctx.db).list_runs(workspace=str(ws.root), limit=200)
        self.runs.set_rows([{"run_id": r.id, "state": r.state, "system": r.system, "object_type": r.object_type,
                             "mode": r.mode, "dry_run": r.dry_run, "started_at": r.started_at or r.created_at,
                             "duration": r.duration, "message": r.message} for r in runs])
        shown = (self.run or {}).get("run_id")
        row = self.runs.find(lambda r: r["run_id"] == shown) if shown else -1
        if row >= 0:
            self.history_table.selectRow(row)
        self._update_actions()

    def _open_selected_run(self) -> None:
        idx = self.history_table.currentIndex()
        if idx.isValid():
            self.open_run(self.runs.row(idx.row())["run_id"])

    def open_run(self, run_id: int) -> None:
        """Show a past run from the database, read-only (loaded off the GUI thread)."""
        if self.driver.active:
            return
        self._load_and_show(run_id, read_only=True, keep_log=False)

    def _load_and_show(self, run_id: int, *, read_only: bool, keep_log: bool) -> None:
        db = self.ctx.db

        def load(_handle):
            from ...engine.pipeline.history import RunHistory, run_to_dict

            history = RunHistory(db)
            run = run_to_dict(history, run_id)
            records = None if keep_log else [pack(row) for row in history.logs(run_id)]
            return run, records

        def done(result):
            self._loader = None
            run, records = result
            self.show_run(run, read_only=read_only, records=records)
            self._update_actions()

        def failed(message, _user):
            self._loader = None
            QMessageBox.warning(self, "Cannot open the run", message)
            self._update_actions()

        self._loader = start_worker(load, on_finished=done, on_failed=failed)
        self._update_actions()

    # ---- status / enabled states --------------------------------------------------------------
    def _update_status(self) -> None:
        run = self.run
        if run is None:
            return
        rid = run.get("run_id")
        name = f"Run {rid}" if rid else "Run"
        target = run.get("object_type") or run.get("system", "")
        if self.driver.active:
            step = self._current_step
            n = len(self._selected_steps)
            i = self._selected_steps.index(step) + 1 if step in self._selected_steps else 0
            where = f"{step} {i}/{n}" if step else "starting"
            if self._paused:
                self.ctx.set_status("run", "paused", f"{name}: paused after {where}", f"{target}: {run['message']}")
            elif self._cancelling:
                self.ctx.set_status("run", "cancelled", f"{name}: cancelling at {where}", target)
            else:
                self.ctx.set_status("run", "running", f"{name}: {where}", f"pipeline run for {target}")
        else:
            state = run.get("state", "pending")
            self.ctx.set_status("run", state, f"{name}: {state_word(state)}", f"{target}: {run.get('message', '')}")

    def _update_actions(self, *_args) -> None:
        active = self.driver.active
        loading = self._loader is not None
        ws = self.ctx.workspace is not None
        idle = ws and not active and not loading
        for b in (self.run_button, self.dry_button, self.from_button):
            b.setEnabled(idle)
        self.system_combo.setEnabled(not active)
        self.object_edit.setEnabled(not active and self.new_object_radio.isChecked())
        self.new_system_radio.setEnabled(not active)
        self.new_object_radio.setEnabled(not active)
        self.next_button.setEnabled(active and self._paused and not self._cancelling)
        self.pause_button.setEnabled(active and not self._paused and not self._cancelling)
        self.cancel_button.setEnabled(active and not self._cancelling)
        run = self.run or {}
        plan = self.retry_plan() if idle and run.get("run_id") and run.get("state") in UNFINISHED else None
        self.retry_button.setEnabled(plan is not None)
        self.retry_button.setToolTip(f"Start a new attempt of run {plan.run_id}: {plan.reason}" if plan else
                                     "Start a new attempt of the shown run from the step that failed (from an "
                                     "earlier step when the rollback undid that step's changes)")
        self.open_run_button.setEnabled(bool(idle and self.history_table.currentIndex().isValid()))
        system = self.docs_system() if idle else ""
        self.docs_button.setEnabled(bool(system))
        if system:
            rel = viewer_title(system)
            there = self.ctx.workspace.docs_path(system).is_file()
            self.docs_button.setToolTip(f"Read {rel} rendered, with its symbol pictures ({DOCS_SHORTCUT})"
                                        + ("" if there else " — not generated yet"))
        else:
            self.docs_button.setToolTip("Read a system's generated documentation page (choose a system; "
                                        "not while a run is going)")
