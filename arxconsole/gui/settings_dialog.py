"""Settings: data dir, database (SQLite or PostgreSQL, with a connection test), keyring
status, theme, alert thresholds, retention, sampler rate.

Changes apply without a restart where possible (theme, thresholds, retention, sampler
rate); the data dir and the database take effect at the next start, and the dialog says
so.  Every change is recorded in the audit log (db.set_setting audits; the others call
db.audit).  Passwords go to the keyring via engine.dbconfig, never to a file.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QRadioButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from ..engine import dbconfig
from ..engine.datadir import read_location_pointer, write_location_pointer
from ..engine.errors import UserError
from ..engine.secrets import keyring_status
from .icons import icon
from .theme import apply_theme
from .workers import start_worker

BACKUP_RETENTION_KEY = "backup.retention"  # {"keep_last": N, "keep_daily": D}
DEFAULT_BACKUP_RETENTION = {"keep_last": 10, "keep_daily": 14}
THEMES = [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")]


def backup_retention(db) -> dict:
    stored = db.get_setting(BACKUP_RETENTION_KEY) or {}
    return {**DEFAULT_BACKUP_RETENTION, **(stored if isinstance(stored, dict) else {})}


class SettingsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Settings")
        self.resize(720, 520)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(), "General")
        self.tabs.addTab(self._database_tab(), "Database")
        self.tabs.addTab(self._alerts_tab(), "Alerts")
        self.tabs.addTab(self._retention_tab(), "Retention")
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel | QDialogButtonBox.Apply)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.apply_button = buttons.button(QDialogButtonBox.Apply)
        self.apply_button.clicked.connect(self.apply)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        lay.addWidget(self.notice)
        lay.addWidget(buttons)

    # ---- tabs ----------------------------------------------------------------------
    def _general_tab(self) -> QWidget:
        w = QWidget()
        form = QFormLayout(w)
        self.data_dir_label = QLabel(str(self.ctx.data_dir.root))
        self.data_dir_label.setWordWrap(True)
        change = QPushButton("Change for next start…")
        change.clicked.connect(self._choose_data_dir)
        open_btn = QPushButton("Open folder")
        open_btn.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.data_dir.root))))
        row = QHBoxLayout()
        row.addWidget(self.data_dir_label, 1)
        row.addWidget(change)
        row.addWidget(open_btn)
        form.addRow("Data folder", row)
        pointer = read_location_pointer()
        self.new_data_dir = None
        self.data_dir_note = QLabel(f"Next start uses {pointer}" if pointer and pointer != self.ctx.data_dir.root else "")
        form.addRow("", self.data_dir_note)
        self.theme_combo = QComboBox()
        for key, label in THEMES:
            self.theme_combo.addItem(label, key)
        current = str(self.ctx.settings.value("ui/theme", "system"))
        self.theme_combo.setCurrentIndex(max(0, [k for k, _ in THEMES].index(current) if current in dict(THEMES) else 0))
        form.addRow("Theme", self.theme_combo)
        self.sampler_spin = QDoubleSpinBox()
        self.sampler_spin.setRange(0.5, 60.0)
        self.sampler_spin.setSingleStep(0.5)
        self.sampler_spin.setSuffix(" s")
        self.sampler_spin.setValue(float(self.ctx.db.get_setting("monitor.sampler_interval_s", 1.0) or 1.0))
        form.addRow("Resource sampling every", self.sampler_spin)
        return w

    def _database_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        saved = dbconfig.configured_url(self.ctx.data_dir)
        self.db_in_use = QLabel(f"In use: {self.ctx.db.display_url}")
        self.db_in_use.setWordWrap(True)
        lay.addWidget(self.db_in_use)
        self.use_sqlite = QRadioButton(f"Embedded SQLite ({self.ctx.data_dir.database_path})")
        self.use_server = QRadioButton("PostgreSQL server (team mode: shared history, audit and metrics)")
        group = QButtonGroup(w)
        group.addButton(self.use_sqlite)
        group.addButton(self.use_server)
        (self.use_server if saved else self.use_sqlite).setChecked(True)
        lay.addWidget(self.use_sqlite)
        lay.addWidget(self.use_server)
        box = QGroupBox("Server")
        form = QFormLayout(box)
        self.url_edit = QLineEdit(saved or "")
        self.url_edit.setPlaceholderText("postgresql://user@host:5432/arxconsole")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.Password)
        self.password_edit.setPlaceholderText("leave empty to keep the stored password")
        form.addRow("URL", self.url_edit)
        form.addRow("Password", self.password_edit)
        lay.addWidget(box)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        lay.addLayout(test_row)
        ks = keyring_status()
        self.keyring_label = QLabel(
            f"Keyring: {ks.backend} — {'passwords are stored in the OS keyring' if ks.usable else ks.reason}")
        self.keyring_label.setWordWrap(True)
        lay.addWidget(self.keyring_label)
        lay.addStretch(1)
        self.use_sqlite.toggled.connect(lambda on: box.setEnabled(not on))
        box.setEnabled(self.use_server.isChecked())
        return w

    def _alerts_tab(self) -> QWidget:
        from ..engine.monitor.settings import LABELS, UNITS, load_thresholds

        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("An alert is raised when a value stays at or above a level for the minimum "
                             "duration, and resolved once it stays below warning − margin as long."))
        self.thresholds = load_thresholds(self.ctx.db)
        self.alert_table = QTableWidget(len(self.thresholds), 5)
        self.alert_table.setHorizontalHeaderLabels(["Metric", "Warning", "Critical", "Clear margin", "Min. duration (s)"])
        self.alert_table.verticalHeader().hide()
        self.alert_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self._alert_spins: dict[str, list[QDoubleSpinBox]] = {}
        for row, (metric, t) in enumerate(self.thresholds.items()):
            item = QTableWidgetItem(f"{LABELS.get(metric, metric)} ({UNITS.get(metric, '')})")
            self.alert_table.setItem(row, 0, item)
            spins = []
            for col, value in enumerate((t.warning, t.critical, t.clear_margin, t.min_duration_s), start=1):
                spin = QDoubleSpinBox()
                spin.setRange(0, 100000)
                spin.setDecimals(1)
                spin.setValue(value)
                self.alert_table.setCellWidget(row, col, spin)
                spins.append(spin)
            self._alert_spins[metric] = spins
        lay.addWidget(self.alert_table)
        return w

    def _retention_tab(self) -> QWidget:
        from ..engine.monitor.settings import load_retention

        w = QWidget()
        lay = QVBoxLayout(w)
        metrics = QGroupBox("Metrics history")
        mform = QFormLayout(metrics)
        r = load_retention(self.ctx.db)
        self.raw_hours = self._spin(r.raw_hours, 1, 24 * 31, " h")
        self.minute_days = self._spin(r.minute_days, 1, 3650, " days")
        self.hour_days = self._spin(r.hour_days, 1, 36500, " days")
        mform.addRow("Raw 1 Hz samples for", self.raw_hours)
        mform.addRow("Per-minute aggregates for", self.minute_days)
        mform.addRow("Per-hour aggregates for", self.hour_days)
        backups = QGroupBox("Backups (applied by 'Retention' on the Backups surface)")
        bform = QFormLayout(backups)
        br = backup_retention(self.ctx.db)
        self.keep_last = QSpinBox()
        self.keep_last.setRange(0, 10000)
        self.keep_last.setValue(int(br["keep_last"]))
        self.keep_daily = QSpinBox()
        self.keep_daily.setRange(0, 3650)
        self.keep_daily.setValue(int(br["keep_daily"]))
        bform.addRow("Keep the last", self.keep_last)
        bform.addRow("Keep one per day for (days)", self.keep_daily)
        lay.addWidget(metrics)
        lay.addWidget(backups)
        lay.addStretch(1)
        return w

    @staticmethod
    def _spin(value, lo, hi, suffix) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(lo, hi)
        spin.setDecimals(0)
        spin.setSuffix(suffix)
        spin.setValue(value)
        return spin

    # ---- actions -------------------------------------------------------------------
    def _choose_data_dir(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for ArxConsole's data (database, backups, logs)")
        if path:
            self.new_data_dir = path
            self.data_dir_note.setText(f"Next start uses {path} (after Apply)")

    def _server_url(self) -> str:
        from sqlalchemy.engine import make_url

        text = self.url_edit.text().strip()
        if not text:
            raise UserError("enter the server URL, e.g. postgresql://user@host:5432/arxconsole")
        try:
            url = make_url(text)
        except Exception as exc:
            raise UserError(f"not a database URL: {exc}") from exc
        if self.password_edit.text():
            url = url.set(password=self.password_edit.text())
        return url.render_as_string(hide_password=False)

    def test_connection(self) -> None:
        try:
            url = self._server_url() if self.use_server.isChecked() else self.ctx.data_dir.database_url
            if self.use_server.isChecked() and not self.password_edit.text():
                # nothing typed: test with the stored password (env / keyring)
                url = dbconfig.with_password(url, required=False)
        except UserError as exc:
            self.test_result.setText(str(exc))
            return
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")

        def done(result):
            ok, message = result
            self.test_result.setText(("Connected: " if ok else "Failed: ") + message)

        start_worker(lambda h: dbconfig.test_connection(url), on_finished=done,
                     on_failed=lambda m, _u: self.test_result.setText(f"Failed: {m}"),
                     on_done=lambda: self.test_button.setEnabled(True))

    def apply(self) -> bool:
        from ..engine.monitor.settings import set_retention, set_threshold

        db = self.ctx.db
        notes = []
        try:
            self._check_values()   # all or nothing: refuse before anything is changed
        except UserError as exc:
            self.notice.setText(f"Nothing was applied: {exc}")
            return False
        try:
            # theme: now
            theme = self.theme_combo.currentData()
            if theme != str(self.ctx.settings.value("ui/theme", "system")):
                self.ctx.settings.setValue("ui/theme", theme)
                from PySide6.QtWidgets import QApplication

                apply_theme(QApplication.instance(), theme)
                db.audit("settings.changed", "ui.theme", message=f"theme: {theme}", details={"new": theme})
            # data dir: next start
            if self.new_data_dir:
                write_location_pointer(self.new_data_dir)
                db.audit("settings.changed", "data_dir", message=f"data dir for next start: {self.new_data_dir}",
                         details={"new": self.new_data_dir})
                notes.append("The new data folder is used from the next start.")
                self.new_data_dir = None
            # database: next start
            saved = dbconfig.configured_url(self.ctx.data_dir)
            if self.use_sqlite.isChecked() and saved:
                msg = dbconfig.save_database_url(self.ctx.data_dir, None)
                db.audit("settings.changed", "database", message=msg)
                notes.append(msg + " — from the next start.")
            elif self.use_server.isChecked():
                url = self._server_url()
                from sqlalchemy.engine import make_url

                if make_url(url)._replace(password=None).render_as_string(hide_password=False) != saved \
                        or self.password_edit.text():
                    msg = dbconfig.save_database_url(self.ctx.data_dir, url)
                    db.audit("settings.changed", "database", message=msg)  # msg never holds the password
                    notes.append(msg + " — from the next start.")
                    self.password_edit.clear()
            # thresholds, retention, sampler: now
            for metric, spins in self._alert_spins.items():
                values = dict(zip(("warning", "critical", "clear_margin", "min_duration_s"),
                                  (s.value() for s in spins)))
                t = self.thresholds[metric]
                if values != {"warning": t.warning, "critical": t.critical, "clear_margin": t.clear_margin,
                              "min_duration_s": t.min_duration_s}:
                    self.thresholds[metric] = set_threshold(db, metric, **values)
            from ..engine.monitor.settings import load_retention

            r = load_retention(db)
            wanted = (self.raw_hours.value(), self.minute_days.value(), self.hour_days.value())
            if wanted != (r.raw_hours, r.minute_days, r.hour_days):
                set_retention(db, raw_hours=wanted[0], minute_days=wanted[1], hour_days=wanted[2])
            new_br = {"keep_last": self.keep_last.value(), "keep_daily": self.keep_daily.value()}
            if new_br != backup_retention(db):
                db.set_setting(BACKUP_RETENTION_KEY, new_br)
            monitor = self.ctx.status_monitor
            current_rate = float(db.get_setting("monitor.sampler_interval_s", 1.0) or 1.0)
            if monitor is not None:
                if self.sampler_spin.value() != current_rate:
                    monitor.set_interval(self.sampler_spin.value())
                elif monitor.sampler is not None:
                    monitor.sampler.reload_settings()  # thresholds and retention, live
            elif self.sampler_spin.value() != current_rate:
                db.set_setting("monitor.sampler_interval_s", self.sampler_spin.value())
        except UserError as exc:
            self.notice.setText(f"Not applied: {exc}")
            return False
        self.notice.setText(" ".join(notes) or "Applied.")
        return True

    def _check_values(self) -> None:
        """Raise UserError for the first invalid value, changing nothing."""
        from dataclasses import replace

        from ..engine.monitor.settings import load_retention

        for metric, spins in self._alert_spins.items():
            values = dict(zip(("warning", "critical", "clear_margin", "min_duration_s"), (s.value() for s in spins)))
            replace(self.thresholds[metric], **values).validate(metric)
        replace(load_retention(self.ctx.db), raw_hours=self.raw_hours.value(), minute_days=self.minute_days.value(),
                hour_days=self.hour_days.value()).validate()
        if self.keep_last.value() == 0 and self.keep_daily.value() == 0:
            raise UserError("backup retention: keeping neither the last backups nor daily ones would let "
                            "Retention drop every backup; keep at least one of them")

    def accept(self) -> None:
        if self.apply():
            super().accept()
