"""The settings dialog, driven like a user: each change applies (or is scheduled for the
next start, and says so) and lands in the audit log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication



@pytest.fixture
def dialog(main_window, qtbot):
    d = main_window.open_settings()
    qtbot.addWidget(d)
    yield d
    from arxconsole.gui.theme import apply_theme

    apply_theme(QApplication.instance(), "light")


def test_theme_applies_now_and_is_audited(dialog, qtbot):
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert QApplication.instance().palette().color(QPalette.Window).lightness() < 80
    assert dialog.ctx.settings.value("ui/theme") == "dark"
    assert dialog.ctx.db.audit_events("settings.changed")[0].target == "ui.theme"


def test_threshold_and_retention_changes_are_stored_and_audited(dialog, qtbot):
    from arxconsole.engine.monitor.settings import CPU, load_retention, load_thresholds

    dialog._alert_spins[CPU][0].setValue(70)
    dialog.keep_last.setValue(3)
    dialog.raw_hours.setValue(12)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    db = dialog.ctx.db
    assert load_thresholds(db)[CPU].warning == 70
    assert load_retention(db).raw_hours == 12
    assert db.get_setting("backup.retention")["keep_last"] == 3
    keys = {e.target for e in db.audit_events("settings.changed")}
    assert {"monitor.thresholds", "monitor.retention", "backup.retention"} <= keys
    assert dialog.notice.text() == "Applied."


def test_invalid_threshold_is_refused_with_the_reason(dialog, qtbot):
    from arxconsole.engine.monitor.settings import CPU, load_thresholds

    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))   # valid, in the same Apply
    dialog._alert_spins[CPU][0].setValue(99)  # warning above critical (95)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert "Nothing was applied" in dialog.notice.text() and "below warning" in dialog.notice.text()
    assert load_thresholds(dialog.ctx.db)[CPU].warning == 80
    assert dialog.ctx.settings.value("ui/theme", "system") != "dark"     # all or nothing


def test_backup_retention_that_keeps_nothing_is_refused(dialog, qtbot):
    dialog.keep_last.setValue(0)
    dialog.keep_daily.setValue(0)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert "Nothing was applied" in dialog.notice.text() and "drop every backup" in dialog.notice.text()
    assert dialog.ctx.db.get_setting("backup.retention") is None or \
        dialog.ctx.db.get_setting("backup.retention")["keep_last"] != 0


def test_server_url_password_goes_to_keyring_and_applies_next_start(dialog, qtbot, memory_keyring):
    dialog.use_server.setChecked(True)
    dialog.url_edit.setText("postgresql://arx@db.example:5432/arxos")
    dialog.password_edit.setText("pw-in-keyring")
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert "stored in the OS keyring" in dialog.notice.text() and "next start" in dialog.notice.text()
    saved = (dialog.ctx.data_dir.root / "database.json").read_text()
    assert "pw-in-keyring" not in saved
    assert all("pw-in-keyring" not in (e.message + str(e.details))
               for e in dialog.ctx.db.audit_events())
    assert dialog.password_edit.text() == ""


def test_connection_test_reports_failure_without_blocking(dialog, qtbot):
    dialog.use_server.setChecked(True)
    dialog.url_edit.setText("postgresql://u@127.0.0.1:1/none")
    dialog.password_edit.setText("x")
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Failed"), timeout=15000)
    assert "cannot connect" in dialog.test_result.text() and ":x@" not in dialog.test_result.text()


def test_sqlite_connection_test_succeeds(dialog, qtbot):
    qtbot.mouseClick(dialog.test_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Connected"), timeout=15000)
