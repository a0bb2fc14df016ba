"""The Symbols surface: library browser on the left, editor on the right, and the
actions around them (save, undo/redo, new, duplicate, delete, import, export, waive).

Actions that ask the user something take their answers as arguments and only open a
dialog for what is missing, so tests and other surfaces can drive them directly.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QInputDialog, QMessageBox, QSplitter, QToolBar,
                               QVBoxLayout)

from ...engine import durable
from ...engine.errors import UserError
from ..icons import icon
from ..surface import Surface
from ..workers import start_worker
from .editor import SymbolEditor
from .import_dialog import ImportReportDialog
from .import_progress import ImportProgress
from .library import LibraryBrowser
from .text import tip

VARIANT_RE = re.compile(r"^(?P<base>.+)_(?P<n>\d{3})$")
STOP_IMPORT_WAIT_S = 30      # the engine stops between two files; one file takes milliseconds

log = logging.getLogger(__name__)


@dataclass(eq=False)
class ImportRun:
    """One import in a worker, tied to the workspace it writes into."""
    ws: object
    worker: object = None
    done: int = 0
    total: int = 0
    # set by the worker once the engine has returned: nothing more is written into ``ws``
    stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def cancelling(self) -> bool:
        return self.worker is not None and self.worker.cancel.cancelled


def _actor() -> str:
    from ...store.db import current_actor

    return current_actor()


class SymbolsSurface(Surface):
    surface_id = "symbols"
    title = "Symbols"
    icon_name = "symbols"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("symbolsSurface")
        self.library = LibraryBrowser(ctx.settings)
        self.editor = SymbolEditor()
        self.doc = self.editor.doc
        self.vctx = None
        self._pending_nav: dict | None = None
        self._disk_data: dict | None = None      # the open file as last read or written
        self.import_dialog: ImportReportDialog | None = None
        self.last_import_report = None
        self._import: ImportRun | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        lay.addWidget(self.toolbar)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.library)
        split.addWidget(self.editor)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([340, 900])
        self.splitter = split
        lay.addWidget(split, 1)
        self.import_progress = ImportProgress()
        self.import_progress.cancelRequested.connect(self.cancel_import)
        lay.addWidget(self.import_progress)
        self._build_actions()

        self.library.symbolActivated.connect(self._on_library_pick)
        self.library.loadedChanged.connect(self._after_library_load)
        self.editor.saveStateChanged.connect(self._update_actions)
        self.editor.validated.connect(self._on_validated)
        self.editor.save_button.clicked.connect(self.save)
        self.editor.findings_view.currentItemChanged.connect(lambda *_: self._update_actions())
        self.editor.findings_view.waiveRequested.connect(lambda f: self.waive_selected())
        self.editor.findings_view.unwaiveRequested.connect(self.remove_waiver)
        self.on_workspace_changed(ctx.workspace)

    # ---- actions -------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, icon_name: str = "", tooltip: str = "",
                toolbar: bool = True) -> QAction:
        act = QAction(text, self)
        if icon_name:
            act.setIcon(icon(icon_name))
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            seqs: list[QKeySequence] = []
            for sc in shortcuts:   # a standard key may already include the extra one (X11 Redo)
                for seq in (QKeySequence.keyBindings(sc) if isinstance(sc, QKeySequence.StandardKey)
                            else [QKeySequence(sc)]):
                    if not seq.isEmpty() and seq not in seqs:
                        seqs.append(seq)
            act.setShortcuts(seqs)
            act.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        act.setToolTip(tooltip or text.replace("&", ""))
        act.triggered.connect(lambda _=False: slot())
        self.addAction(act)
        if toolbar:
            self.toolbar.addAction(act)
        return act

    def _build_actions(self) -> None:
        stack = self.doc.undo_stack
        self.new_action = self._action("New…", self.new_symbol, QKeySequence.New, tooltip="New symbol from the "
                                       "system's template (Ctrl+N)")
        self.duplicate_action = self._action("Duplicate", self.duplicate_symbol, "Ctrl+D",
                                             tooltip="Duplicate as the next variant (_002, …) (Ctrl+D)")
        self.delete_action = self._action("Delete…", self.delete_symbol, tooltip="Delete the symbol file")
        self.toolbar.addSeparator()
        self.import_action = self._action("Import…", self.import_files, tooltip="Import symbol files in any "
                                          "Arxos format")
        self.import_folder_action = self._action("Import folder…", self.import_folder,
                                                 tooltip="Import every symbol file of a folder")
        self.export_action = self._action("Export…", self.export_symbol, tooltip="Export as library JSON or "
                                          "plain SVG")
        self.cancel_import_action = self._action("Cancel import", self.cancel_import, "Esc", toolbar=False,
                                                 tooltip="Stop the running import (Esc)")
        self.toolbar.addSeparator()
        self.save_action = self._action("Save", self.save, QKeySequence.Save, "ok", "Save (Ctrl+S)")
        self.undo_action = self._action("Undo", self.undo, QKeySequence.Undo, tooltip="Undo (Ctrl+Z)")
        self.redo_action = self._action("Redo", self.redo, [QKeySequence.Redo, "Ctrl+Shift+Z", "Ctrl+Y"],
                                        tooltip="Redo (Ctrl+Shift+Z)")
        stack.canUndoChanged.connect(self._update_actions)
        stack.canRedoChanged.connect(self._update_actions)
        stack.undoTextChanged.connect(self._update_actions)
        self.toolbar.addSeparator()
        self.waive_action = self._action("Waive…", self.waive_selected, icon_name="skipped",
                                         tooltip="Waive the selected finding's rule for this symbol, with a reason")
        self.prev_finding_action = self._action("Previous finding", lambda: self.editor.findings_view.step(-1),
                                                "Shift+F8", toolbar=False)
        self.next_finding_action = self._action("Next finding", lambda: self.editor.findings_view.step(1),
                                                "F8", toolbar=False)
        self.find_action = self._action("Find", self.focus_search, QKeySequence.Find, toolbar=False)
        self.zoom_in_action = self._action("Zoom in", self.editor.canvas.zoom_in,
                                           [QKeySequence.ZoomIn, "Ctrl+="], toolbar=False)
        self.zoom_out_action = self._action("Zoom out", self.editor.canvas.zoom_out, QKeySequence.ZoomOut,
                                            toolbar=False)
        self.fit_action = self._action("Fit", self.editor.canvas.fit, "Ctrl+0", toolbar=False)
        self._update_actions()

    def _update_actions(self, *_ignored) -> None:
        if not shiboken6.isValid(self.doc) or not shiboken6.isValid(self.doc.undo_stack):
            return  # being torn down (the stack announces its clear() while it is deleted)
        ws_open = self.ctx.workspace is not None
        is_open = self.doc.is_open
        stack = self.doc.undo_stack
        self.new_action.setEnabled(ws_open)
        importing = self._import is not None
        self.import_action.setEnabled(ws_open and not importing)      # one import at a time
        self.import_folder_action.setEnabled(ws_open and not importing)
        # Esc belongs to the import only while one runs (and is not already stopping)
        self.cancel_import_action.setEnabled(importing and not self._import.cancelling)
        self.duplicate_action.setEnabled(is_open and ws_open)
        self.delete_action.setEnabled(is_open and self.doc.path is not None)
        self.export_action.setEnabled(is_open)
        reason = self.editor.save_block_reason()
        self.save_action.setEnabled(is_open and self.doc.dirty and not reason)
        self.save_action.setToolTip(tip(reason or "Save (Ctrl+S)"))
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self.undo_action.setToolTip(tip(f"Undo {stack.undoText()} (Ctrl+Z)") if stack.canUndo() else "Nothing to undo")
        self.redo_action.setToolTip(tip(f"Redo {stack.redoText()} (Ctrl+Shift+Z)") if stack.canRedo() else
                                    "Nothing to redo")
        f = self.editor.findings_view.current_finding()
        from ...engine.symbols import RULES

        rule = RULES.get(f.rule) if f else None
        self.waive_action.setEnabled(bool(f and not f.waived and rule and rule.waivable))
        if f and rule and not rule.waivable:
            self.waive_action.setToolTip(tip(f"{f.rule} cannot be waived: fix the problem instead"))
        else:
            self.waive_action.setToolTip("Waive the selected finding's rule for this symbol, with a reason")

    def undo(self) -> None:
        self.editor.flush_pending()       # a pending JSON edit is the step to take back
        self.doc.undo_stack.undo()

    def redo(self) -> None:
        self.editor.flush_pending()
        self.doc.undo_stack.redo()

    def focus_search(self) -> None:
        self.library.search.setFocus(Qt.ShortcutFocusReason)
        self.library.search.selectAll()

    # ---- workspace -----------------------------------------------------------------
    def on_workspace_changed(self, workspace) -> None:
        run = self._import
        if run is not None and run.ws is not workspace and not self._stop_import(run):
            # Switched without asking us first (the main window asks through
            # confirm_discard/prepare_leave), and it would not stop in time: it may
            # still write into the workspace left.  Say so where it will be seen.
            log.error("the import into %s was still running after the workspace was left", run.ws.root)
        if self.import_dialog is not None:
            # its rows name files of the workspace left: opening one here would be wrong
            self.import_dialog.close()
        self.doc.close()
        self.vctx = None
        self.editor.set_context(workspace, None)
        self.library.set_workspace(workspace)
        if workspace is not None:
            self.refresh_context()
        self._update_actions()

    def refresh_context(self) -> None:
        """Rebuild what the rules know about the workspace (after a save, import, delete).
        Registry facts first (fast, so the editor is right at once), then the symbol index
        for the duplicate rules in a worker."""
        from ...engine.symbols import ValidationContext

        ws = self.ctx.workspace
        if ws is None:
            return
        self.vctx = ValidationContext.from_workspace(ws)
        self.editor.set_context(ws, self.vctx)
        start_worker(lambda h: ValidationContext.from_workspace(ws, index_symbols=True),
                     on_finished=lambda c, w=ws: self._context_ready(w, c))

    def _context_ready(self, ws, vctx) -> None:
        if not shiboken6.isValid(self) or ws is not self.ctx.workspace:
            return
        self.vctx = vctx
        self.editor.set_context(ws, vctx)

    # ---- opening ---------------------------------------------------------------------
    def _on_library_pick(self, path: Path) -> None:
        if self.doc.path is not None and Path(path) == self.doc.path:
            return
        if not self.confirm_discard_edits():
            self.library.select_path(self.doc.path)   # stay on the symbol being edited
            return
        self.open_path(path, confirm=False)

    def open_path(self, path: Path, *, confirm: bool = True) -> bool:
        from ...engine.symbols import read_json_object

        if confirm and not self.confirm_discard_edits():
            return False
        ws = self.ctx.workspace
        display = ws.relative(path) if ws else str(path)
        data, problems = read_json_object(path, display)
        if data is None:
            QMessageBox.warning(self, "Cannot open symbol", "\n".join(p.message for p in problems))
            return False
        self.doc.load(data, Path(path), Path(path).parent.name)
        self._disk_data = data
        self.editor.set_disk_note("")
        self.library.select_path(Path(path))
        self.ctx.settings.setValue(self._last_key(), str(path))
        self._update_actions()
        return True

    def find_symbol_path(self, symbol_id: str = "", file: str = "") -> Path | None:
        """The library file of ``symbol_id`` (or workspace-relative ``file``); None when
        the library has no such symbol.  Looks on disk too, in case the listing is
        still catching up with a file written elsewhere (a pipeline run)."""
        ws = self.ctx.workspace
        entry = self.library.find_entry(symbol_id) if symbol_id else None
        if entry is not None:
            return entry.path
        path = (ws.root / file).resolve() if file and ws is not None else None
        if path is not None:
            entry = next((e for e in self.library.entries if e.path == path), None)
            if entry is not None:
                return entry.path
        if ws is None:
            return None
        library = ws.symbol_files()
        if path is not None and path in {p.resolve() for p in library}:
            return path
        if symbol_id:
            return next((p for p in library if p.stem == symbol_id), None)
        return None

    def open_symbol(self, symbol_id: str = "", file: str = "") -> bool:
        """Open by id, or by workspace-relative file (a finding names its file).  False
        when it is not in the library, the user kept the symbol being edited (Cancel to
        "Unsaved changes"), or the file cannot be read (already said in a message)."""
        path = self.find_symbol_path(symbol_id, file)
        if path is None:
            return False
        if self.doc.path == path and self.doc.is_open:
            return True
        return self.open_path(path)

    def navigate(self, symbol_id: str = "", location: str = "", line: int | None = None, file: str = "",
                 **_) -> None:
        """Open ``symbol_id`` (or ``file``) and show ``location`` (a finding's field or SVG
        element); the Pipeline surface calls this from a finding."""
        if self.library.loading and not self.library.entries:   # first load: wait for it
            self._pending_nav = {"symbol_id": symbol_id, "location": location, "line": line, "file": file}
            return
        if symbol_id or file:
            path = self.find_symbol_path(symbol_id, file)
            if path is None:
                QMessageBox.information(self, "Symbol not found",
                                        f"No symbol {symbol_id or file} in this workspace's library.")
                return
            if not (self.doc.path == path and self.doc.is_open) and not self.open_path(path):
                return    # the user chose to stay (Cancel), or "Cannot open symbol" said why
        if location or line:
            self.editor.refresh_now()
            self.editor.select_location(location, line)

    def _after_library_load(self) -> None:
        if self._pending_nav is not None:
            nav, self._pending_nav = self._pending_nav, None
            self.navigate(**nav)
        elif not self.doc.is_open and self.library.entries:
            # open populated: the symbol last edited in this workspace, else the first
            last = self.ctx.settings.value(self._last_key())
            entry = next((e for e in self.library.entries if str(e.path) == str(last)), None)
            entry = entry or next((e for e in self.library.entries if not e.problem), None)
            if entry is not None:
                self.open_path(entry.path, confirm=False)

    def _last_key(self) -> str:
        ws = self.ctx.workspace
        return f"symbols/last/{ws.name if ws else ''}"

    def _on_validated(self, findings) -> None:
        if self.doc.path is not None and not self.doc.dirty:
            from ...engine.findings import count_by_severity

            c = count_by_severity(findings)
            self.library.update_entry_status(self.doc.path, c["error"], c["warning"])
        self._update_actions()

    # ---- unsaved changes -----------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        ok = self.editor.flush_pending()
        return self.doc.dirty or (self.doc.is_open and not ok)

    def confirm_discard(self) -> bool:
        """Before a workspace switch or close (the main window asks every surface, then
        calls ``prepare_leave`` once all agreed): the open symbol's edits, then a running
        import (only asked about here: it is stopped in ``prepare_leave``, so a switch
        another surface or the new workspace refuses leaves it running)."""
        return self.confirm_discard_edits() and self.confirm_stop_import()

    def prepare_leave(self) -> bool:
        """Every surface agreed to leave the workspace: stop a running import now and
        wait until it has written its last file, so nothing is written after the lock is
        released.  False when it did not stop in time: then the window stays."""
        run = self._import
        return run is None or self._stop_import(run)

    def confirm_discard_edits(self) -> bool:
        """Before the open symbol is replaced or left (another symbol, new, duplicate,
        workspace switch, close): edits still waiting in the editor are put into the
        document first, so they count as unsaved changes and are saved or discarded
        with it — never applied to whatever opens next."""
        applied = self.editor.flush_pending()
        sid = self.doc.get("id") or "this symbol"
        if self.doc.is_open and not applied:
            more = " and its other unsaved changes" if self.doc.dirty else ""
            answer = QMessageBox.question(
                self, "Unsaved changes",
                f"{sid}: the JSON tab holds an edit that is not valid JSON, so it cannot be saved. "
                f"Discard that edit{more}?\n{self.editor.json_view.status.text()}",
                QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Cancel)
            if answer in (QMessageBox.Discard, QMessageBox.Yes):
                self.revert()
                return True
            return False
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes",
            f"{sid} has unsaved changes. Save them before leaving?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer in (QMessageBox.Save, QMessageBox.Yes):
            return self.save()
        if answer in (QMessageBox.Discard, QMessageBox.No):
            self.revert()
            return True
        return False

    def revert(self) -> None:
        """Drop unsaved changes: reload the file, or close a never-saved symbol."""
        if self.doc.path is not None and self.doc.path.is_file():
            self.open_path(self.doc.path, confirm=False)
        else:
            self.doc.close()
        self._update_actions()

    # ---- saving --------------------------------------------------------------------
    def save(self) -> bool:
        from ...engine.symbols import save_symbol

        if not self.doc.is_open:
            return False
        if not self.editor.flush_pending():  # a JSON edit still waiting for a pause in typing
            QMessageBox.warning(self, "Cannot save",
                                "The JSON tab holds an edit that is not valid JSON: fix it (or undo it) "
                                f"first.\n{self.editor.json_view.status.text()}")
            return False
        self.editor.refresh_now()          # validate the very latest text, not a debounced one
        reason = self.editor.save_block_reason()
        if reason:
            QMessageBox.warning(self, "Cannot save", reason)
            return False
        ws = self.ctx.workspace
        target = self.editor.target_path()
        old = self.doc.path
        if target != old and target.exists():
            QMessageBox.warning(self, "Cannot save",
                                f"{ws.relative(target)} already exists: another symbol uses this id. "
                                "Choose another id (or variant number).")
            return False
        data = self.doc.snapshot()
        try:
            save_symbol(target, data)
            if old is not None and old != target and old.exists():
                durable.remove_file(old)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"{target}: {exc.strerror or exc}")
            return False
        self.doc.mark_saved(target)
        self._disk_data = data
        self.editor.set_disk_note("")
        self._audit("symbol.save", ws.relative(target),
                    f"saved {data.get('id')}" + (f" (renamed from {ws.relative(old)})" if old and old != target else ""),
                    {"waivers": data.get("waivers") or []})
        self.library.reload(select=target)
        self.refresh_context()
        self._update_actions()
        return True

    def _audit(self, action: str, target: str, message: str, details: dict | None = None, ws=None) -> None:
        """``ws``: the workspace the action was in, when it may no longer be the open one."""
        db = self.ctx.db
        ws = ws or self.ctx.workspace
        if db is None:
            return
        try:
            db.audit(action, target, message=message, workspace=str(ws.root) if ws else "", details=details)
        except Exception as exc:  # noqa: BLE001 - the file is saved; a failed audit row must not undo that
            import logging

            logging.getLogger(__name__).warning("audit %s failed: %s", action, exc)

    # ---- waivers -------------------------------------------------------------------
    def waive_selected(self, reason: str | None = None) -> bool:
        from ...engine.symbols import RULES

        f = self.editor.findings_view.current_finding()
        if f is None or f.waived:
            return False
        rule = RULES.get(f.rule)
        if rule is None or not rule.waivable:
            QMessageBox.information(self, "Cannot waive", f"{f.rule} cannot be waived: fix the problem instead.")
            return False
        if reason is None:
            reason, ok = QInputDialog.getText(self, f"Waive {f.rule}",
                                              f"Why is {f.rule} acceptable for this symbol?\n{f.message}")
            if not ok:
                return False
        reason = reason.strip()
        if not reason:
            QMessageBox.warning(self, "Cannot waive", "A waiver needs a reason.")
            return False
        self.editor.add_waiver(f.rule, reason, _actor())
        self.editor.refresh_now()
        return True

    def remove_waiver(self, f) -> bool:
        """Take back a waiver: the finding counts again (and may block saving)."""
        if f is None or not f.waived:
            return False
        ok = self.editor.remove_waiver(f.rule)
        self.editor.refresh_now()
        return ok

    # ---- new / duplicate / delete ----------------------------------------------------
    def new_symbol(self, system: str | None = None, category: str | None = None) -> bool:
        from ...engine.pipeline.templates import symbol_template, system_code

        ws = self.ctx.workspace
        if ws is None or not self.confirm_discard_edits():
            return False
        if system is None:
            systems = ws.systems()
            if not systems:
                QMessageBox.information(self, "New symbol", "This workspace has no systems yet.")
                return False
            current = self.doc.get("system")
            system, ok = QInputDialog.getItem(self, "New symbol", "System:", systems,
                                              systems.index(current) if current in systems else 0, False)
            if not ok:
                return False
        vctx = self.vctx
        if category is None:
            types = sorted(vctx.object_types.get(system, {})) if vctx else []
            category, ok = QInputDialog.getItem(self, "New symbol", f"Object type in {system}:",
                                                types or ["new_object"], 0, True)
            if not ok or not category.strip():
                return False
        category = category.strip()
        code = (vctx.system_codes.get(system) if vctx else None) or system_code(system)
        profile = self._profile_for(system, category)
        info = vctx.profile(system, profile) if vctx and profile else None
        ports = [{"name": n, "type": t} for n, t in info.ports] if info is not None else []
        data = symbol_template(system, code, f"{system}.{category}", profile, ports, _actor())
        if not profile:
            # a new object type has no profile yet (the pipeline creates it): leave the
            # field empty — a warning — rather than name a file that does not exist
            data["behavior_profile"] = ""
        data["id"] = self._free_id(system, data["id"])
        self.doc.load(data, None, system)
        self.library.select_path(None)
        self._update_actions()
        return True

    def _profile_for(self, system: str, category: str) -> str:
        """The profile the schema names for the object type, else one named like the
        category; '' when neither exists."""
        known = set(self.vctx.profiles.get(system, {})) if self.vctx else set()
        ws = self.ctx.workspace
        try:
            schema = json.loads(ws.schema_path(system).read_text(encoding="utf-8"))
            obj = schema.get("objects", {}).get(f"{system}.{category}", {})
            named = obj.get("behavior_profile") if isinstance(obj, dict) else None
        except (OSError, ValueError, AttributeError):
            named = None
        if isinstance(named, str) and named in known:
            return named
        return category if category in known else ""

    def _free_id(self, system: str, sid: str) -> str:
        """``sid`` or the next variant number that no file of the library uses."""
        m = VARIANT_RE.match(sid)
        base = m.group("base") if m else sid
        taken = {e.id for e in self.library.entries} | {p.stem for p in self.ctx.workspace.symbol_files()}
        if sid not in taken:
            return sid
        n = 1
        while f"{base}_{n:03d}" in taken:
            n += 1
        return f"{base}_{n:03d}"

    def duplicate_symbol(self) -> bool:
        if not self.doc.is_open or not self.confirm_discard_edits():
            return False
        data = self.doc.snapshot()
        system = str(data.get("system") or self.doc.folder_system)
        sid = str(data.get("id") or "")
        m = VARIANT_RE.match(sid)
        data["id"] = self._free_id(system, f"{m.group('base') if m else sid}_002")
        meta = data.get("metadata")
        if isinstance(meta, dict):
            meta = dict(meta)
            meta["variant_of"] = sid
            data["metadata"] = meta
        self.doc.load(data, None, system)
        self.library.select_path(None)
        self._update_actions()
        return True

    def delete_symbol(self, confirmed: bool = False) -> bool:
        path = self.doc.path
        if path is None:
            return False
        ws = self.ctx.workspace
        rel = ws.relative(path)
        if not confirmed:
            answer = QMessageBox.question(
                self, "Delete symbol", f"Delete {self.doc.get('id')} ({rel})? "
                "The file is removed from the workspace (backups keep earlier versions).",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return False
        durable.remove_file(path)
        self._audit("symbol.delete", rel, f"deleted {self.doc.get('id')}")
        self.doc.close()
        self.library.reload()
        self.refresh_context()
        self._update_actions()
        return True

    # ---- import / export -----------------------------------------------------------
    def import_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import symbol files", "", "Symbol files (*.json)")
        if files:
            self.import_sources(files)

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import every symbol file of a folder")
        if folder:
            self.import_sources([folder])

    def import_sources(self, sources: list, system: str | None = None, *, ask_system: bool = True):
        """Import in a worker, with counts, a progress bar and Cancel (Esc) under the
        surface; the migration report opens when it is done (and is written beside the
        console's logs, outside the workspace)."""
        from ...engine.symbols.importer import import_symbols

        ws = self.ctx.workspace
        if ws is None or self._import is not None:
            return None
        if system is None and ask_system:
            choices = ["(each file's own system)"] + ws.systems()
            picked, ok = QInputDialog.getItem(self, "Import symbols", "Import into system:", choices, 0, False)
            if not ok:
                return None
            system = None if picked == choices[0] else picked
        stamp = time.strftime("%Y%m%d-%H%M%S")
        report_path = self.ctx.data_dir.root / "import-reports" / f"import-{stamp}.json"
        run = ImportRun(ws)

        def work(h):
            try:
                return import_symbols([str(s) for s in sources], ws, system, report_path=report_path,
                                      progress=h.progress, cancel=h.cancel)
            finally:
                run.stopped.set()     # the engine returned: a workspace switch may now go on

        self._import = run
        self.import_progress.start()
        run.worker = start_worker(work, on_finished=lambda report: self._imported(run, report),
                                  on_failed=lambda message, user: self._import_failed(run, message, user),
                                  on_progress=lambda done, total, message: self._import_progressed(
                                      run, done, total, message),
                                  on_done=lambda: self._import_done(run))
        self._update_actions()
        return run.worker

    @property
    def importing(self) -> bool:
        return self._import is not None

    def cancel_import(self) -> None:
        """Cancel (or Esc): the engine stops after the file it is on; the report then
        lists what was imported before the stop."""
        run = self._import
        if run is None or run.cancelling:
            return
        run.worker.cancel.cancel()
        self.import_progress.cancelling()
        self._update_actions()

    def confirm_stop_import(self) -> bool:
        """Leaving the workspace (switch, close) while an import writes into it: ask
        whether to cancel it (``prepare_leave`` does)."""
        run = self._import
        if run is None:
            return True
        if run.total and run.done >= run.total:
            return True     # every file handled, the report being written: nothing left to cancel
        if not run.cancelling:
            counts = f" ({run.done:,} of {run.total:,} files done)" if run.total else ""
            answer = QMessageBox.question(
                self, "Import in progress",
                f"Symbols are still being imported into {run.ws.name}{counts}.\n\n"
                "Cancel the import and leave this workspace? The symbols imported so far stay; "
                "the other files are not imported. Choose No to keep importing.",
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return False
        return True

    def _stop_import(self, run: ImportRun) -> bool:
        """Cancel ``run`` and wait for the engine to return (it stops between two files).
        False when it did not stop in time: then the caller must not leave."""
        run.worker.cancel.cancel()
        self.import_progress.cancelling()
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            stopped = run.stopped.wait(STOP_IMPORT_WAIT_S)
        finally:
            QApplication.restoreOverrideCursor()
        if not stopped:
            QMessageBox.warning(self, "Import still stopping",
                                f"The import into {run.ws.name} has not stopped yet (a slow disk?). "
                                "The workspace stays open; try again in a moment.")
            return False
        # Its report still arrives (queued); _imported sees whether the workspace is left.
        self._import = None
        self.import_progress.stop()
        self._update_actions()
        return True

    def _import_progressed(self, run: ImportRun, done: int, total: int, message: str) -> None:
        if not shiboken6.isValid(self) or run is not self._import:
            return
        run.done, run.total = done, total
        self.import_progress.set_progress(done, total, message)

    def _import_done(self, run: ImportRun) -> None:
        if not shiboken6.isValid(self):
            return
        if run is self._import:
            self._import = None
            self.import_progress.stop()
        self._update_actions()

    def _left_during_import(self, run: ImportRun) -> bool:
        """The import's workspace is no longer the open one (switched or closed while it
        stopped): its report and files belong there, never on top of the next workspace."""
        return run.ws is not self.ctx.workspace

    def _imported(self, run: ImportRun, report) -> None:
        if not shiboken6.isValid(self):
            return
        ws = run.ws
        stopped = f"cancelled after {len(report.items):,} of {report.total:,} files: " if report.cancelled else ""
        self._audit("symbol.import", "", f"import {stopped}imported {report.count('imported')} symbols, "
                    f"{report.count('conflict')} conflicts, {report.count('failed')} failed",
                    {"report_files": report.report_files, "cancelled": report.cancelled}, ws=ws)
        if self._left_during_import(run):
            where = f"; report: {report.report_files[0]}" if report.report_files else ""
            if report.cancelled:
                self._tell(f"Import into {ws.name} stopped on leaving it: {report.count('imported'):,} symbols "
                           f"imported before the stop{where}")
            else:    # it had handled every file when the cancel came: nothing was stopped
                self._tell(f"Import into {ws.name} finished as you left it: {report.count('imported'):,} symbols "
                           f"imported{where}")
            return
        self.last_import_report = report
        if self.import_dialog is None:
            self.import_dialog = ImportReportDialog(self)
            self.import_dialog.openRequested.connect(self._open_imported)
        self.import_dialog.set_report(report)
        self.import_dialog.show()
        self.import_dialog.raise_()
        self.library.reload()       # what was written, also when cancelled part way
        self.refresh_context()

    def _tell(self, text: str) -> None:
        """A passing note in the window's status bar (nothing to answer)."""
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status) and shiboken6.isValid(window):
            status().showMessage(text, 15000)

    def _open_imported(self, rel: str) -> None:
        ws = self.ctx.workspace
        if ws is not None:
            self.open_path(ws.root / rel)

    def _import_failed(self, run: ImportRun, message: str, user_error: bool) -> None:
        if not shiboken6.isValid(self):
            return
        if self._left_during_import(run):
            self._tell(f"Import into {run.ws.name} failed: {message}")
            return
        QMessageBox.warning(self, "Import failed", message)
        self.library.reload()       # it may have written files before it failed
        self.refresh_context()

    def export_symbol(self, path: str | None = None) -> bool:
        if not self.doc.is_open:
            return False
        self.editor.flush_pending()
        sid = str(self.doc.get("id") or "symbol")
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export symbol", f"{sid}.json",
                                                  "Library JSON (*.json);;Plain SVG (*.svg)")
            if not path:
                return False
        target = Path(path)
        try:
            if target.suffix.lower() == ".svg":
                svg = self.doc.get("svg", default="")
                if not isinstance(svg, str) or not svg.strip():
                    raise UserError(f"{sid} has no drawing to export")
                durable.write_text(target, svg if svg.endswith("\n") else svg + "\n")
            else:
                durable.write_text(target, durable.dump_json(self.doc.snapshot()))
        except OSError as exc:
            QMessageBox.warning(self, "Cannot export", str(durable.output_error(target, exc)))
            return False
        except UserError as exc:
            QMessageBox.warning(self, "Cannot export", f"{target}: {exc}")
            return False
        return True

    # ---- surface -------------------------------------------------------------------
    def shown(self) -> None:
        """Coming back to the surface: other surfaces (a pipeline run, a restore) may have
        changed files, so look again."""
        if self.ctx.workspace is not None and self.library.entries and not self.library.loading:
            self.on_workspace_files_changed([])
        self._update_actions()

    def on_workspace_files_changed(self, paths: list) -> None:
        """Files were rewritten elsewhere (restore, pipeline run): re-read the library
        (cached, in the background) and the open symbol — never dropping unsaved edits."""
        if self.ctx.workspace is None:
            return
        self.library.reload()
        self.refresh_context()
        self._check_disk()

    def _check_disk(self) -> None:
        from ...engine.symbols import read_json_object

        path = self.doc.path
        if path is None:
            return
        self.editor.flush_pending()        # a pending JSON edit makes the symbol dirty: kept
        on_disk = read_json_object(path)[0] if path.exists() else None
        if on_disk == self._disk_data:
            return
        if not self.doc.dirty:
            if on_disk is None:
                self.doc.close()
            else:
                self.open_path(path, confirm=False)
            return
        # unsaved edits win on screen; the user is told that saving replaces a newer file
        what = "was deleted" if on_disk is None else "was changed"
        rel = self.ctx.workspace.relative(path) if path.exists() else path.name
        self.editor.set_disk_note(f"{rel} {what} outside the editor (a restore or a pipeline run) since you "
                                  "opened it. Saving replaces it with your version; to keep the file's "
                                  "version, discard your edits.")
