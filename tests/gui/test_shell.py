"""The main window shell, driven like a user."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtCore import Qt

from arxconsole.engine import durable
from arxconsole.engine.workspace import Workspace


def make_ws(path, systems=("electrical", "fire_alarm")):
    ws = Workspace.create(path)
    for s in systems:
        durable.write_json(ws.schema_path(s), {"system": s, "objects": {}})
        durable.write_json(ws.symbol_path(s, f"XX_Thing_00{len(s) % 9}"), {"id": "x"})
    return ws


def rail_titles(window):
    return [window.rail.item(i).text() for i in range(window.rail.count())]


def test_first_run_offers_open_create_demo(main_window):
    home = main_window.home
    assert rail_titles(main_window)[0] == "Workspace"
    assert home.heading.text() == "Welcome to ArxConsole"
    assert home.open_button.isVisible() and home.demo_button.isVisible() and home.create_button.isVisible()
    assert not home.table.isVisible()
    assert main_window.ws_name.text() == "No workspace open"


def test_opening_a_workspace_shows_it_in_header_and_overview(main_window, tmp_path):
    ws = make_ws(tmp_path / "plant")
    assert main_window.open_workspace(ws.root)
    assert main_window.ws_name.text() == "plant"
    assert main_window.windowTitle() == "plant — ArxConsole"
    table = main_window.home.table
    assert table.isVisible()
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["electrical", "fire_alarm"]
    assert table.item(0, 1).text() == "present"
    assert table.item(0, 2).text() == "1"


def test_workspace_locked_by_another_console_is_refused_clearly(main_window, tmp_path, messages):
    ws = make_ws(tmp_path / "shared")
    with ws.lock():  # "another console" holds it
        assert not main_window.open_workspace(ws.root)
    kind, title, text = messages[-1]
    assert kind == "warning" and title == "Cannot open workspace"
    assert "already open in another ArxConsole" in text
    assert main_window.ws_name.text() == "No workspace open"


def test_reopening_the_open_workspace_is_not_refused_as_another_console(main_window, tmp_path, messages):
    ws = make_ws(tmp_path / "plant")
    assert main_window.open_workspace(ws.root)
    opened = main_window.ctx.workspace
    assert main_window.open_workspace(str(ws.root) + "/")     # e.g. from File > Recent
    assert not messages and main_window.ctx.workspace is opened
    assert main_window.ws_name.text() == "plant"


def test_not_a_workspace_is_refused_and_current_stays_open(main_window, tmp_path, messages):
    good = make_ws(tmp_path / "good")
    main_window.open_workspace(good.root)
    (tmp_path / "random").mkdir()
    assert not main_window.open_workspace(tmp_path / "random")
    assert "not an Arxos workspace" in messages[-1][2]
    assert main_window.ws_name.text() == "good"


def test_create_workspace_button_lays_out_an_empty_folder_and_opens_it(main_window, tmp_path, monkeypatch,
                                                                       messages, qtbot):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "new-plant"
    target.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(target))
    qtbot.mouseClick(main_window.home.create_button, Qt.LeftButton)
    assert not messages
    assert main_window.ws_name.text() == "new-plant"
    assert (target / "schemas").is_dir() and (target / "arx-symbol-library").is_dir()


def test_create_workspace_in_a_folder_with_other_files_is_refused_and_leaves_it_alone(main_window, tmp_path,
                                                                                      monkeypatch, messages, qtbot):
    from PySide6.QtWidgets import QFileDialog

    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.odt").write_text("private")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(documents))
    qtbot.mouseClick(main_window.home.create_button, Qt.LeftButton)
    kind, title, text = messages[-1]
    assert kind == "warning" and title == "Cannot create workspace"
    assert str(documents) in text and "not empty" in text
    assert [p.name for p in documents.iterdir()] == ["letter.odt"]
    assert main_window.ws_name.text() == "No workspace open"


def test_create_workspace_cancelled_does_nothing(main_window, monkeypatch, messages, qtbot):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    qtbot.mouseClick(main_window.home.create_button, Qt.LeftButton)
    assert not messages and main_window.ws_name.text() == "No workspace open"


def test_recent_workspaces_and_layout_survive_restart(qtbot, data_dir, tmp_path, messages):
    from arxconsole.app import build_main_window

    a, b = make_ws(tmp_path / "a"), make_ws(tmp_path / "b")
    window, ctx = build_main_window(data_dir)
    qtbot.addWidget(window)
    window.open_workspace(a.root)
    window.open_workspace(b.root)
    window.show()
    window.resize(701, 503)
    window.close()  # saves layout, releases the lock
    ctx.db.close()

    window2, ctx2 = build_main_window(data_dir)
    qtbot.addWidget(window2)
    assert ctx2.recent_workspaces() == [str(b.root), str(a.root)]
    assert ctx2.workspace is not None and ctx2.workspace.root == b.root  # reopened last
    assert (window2.size().width(), window2.size().height()) == (701, 503)
    window2.close()
    ctx2.db.close()


def test_keyboard_switches_surfaces(main_window, qtbot):
    main_window.rail.setCurrentRow(0)
    assert main_window.stack.currentWidget() is main_window.home


def test_status_items_show_icon_and_word(main_window):
    main_window.ctx.set_status("health", "degraded", "Degraded", "disk 93 % full")
    item = main_window.status_items["health"]
    assert item.text_label.text() == "Degraded"
    assert item.toolTip() == "disk 93 % full"
    assert not item.icon_label.pixmap().isNull()


def test_dark_theme_applies_dark_palette(qtbot, monkeypatch):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from arxconsole.gui.theme import apply_theme

    app = QApplication.instance()
    try:
        assert apply_theme(app, "dark") == "dark"
        assert app.palette().color(QPalette.Window).lightness() < 80
        assert apply_theme(app, "light") == "light"
        assert app.palette().color(QPalette.Window).lightness() > 180
    finally:
        apply_theme(app, "light")


def test_switching_theme_while_running_repaints_the_rail(main_window, qtbot):
    """Style sheets resolve palette() once: the rail must follow a theme switched in Settings."""
    from PySide6.QtWidgets import QApplication

    from arxconsole.gui.theme import apply_theme

    app = QApplication.instance()
    main_window.show()
    qtbot.waitExposed(main_window)

    def rail_background():   # an empty spot of the rail, below its last item
        img = main_window.rail.grab().toImage()
        return img.pixelColor(img.width() // 2, img.height() - 5).lightness()

    try:
        assert rail_background() > 180
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: rail_background() < 80, timeout=3000)
    finally:
        apply_theme(app, "light")
    qtbot.waitUntil(lambda: rail_background() > 180, timeout=3000)


def test_screenshot_command_writes_png(tmp_path):
    out = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_under_a_file_names_the_file_in_the_way(tmp_path):
    (tmp_path / "notes").write_text("a file, not a folder")
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(tmp_path / "notes" / "x.png")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert f"{tmp_path / 'notes'} is a file, not a folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_screenshot_to_a_name_that_is_not_png_is_a_usage_error_before_any_window(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(tmp_path / "shot.txt")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "must end in .png" in proc.stderr
    assert not (tmp_path / "shot.txt").exists()


def test_screenshot_into_a_missing_folder_makes_it(tmp_path):
    out = tmp_path / "docs" / "images" / "shot.png"
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_screenshot_of_unknown_panel_is_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(tmp_path / "x.png"),
                           "--panel", "nope"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no such panel" in proc.stderr


def test_status_bar_shows_health_and_backup_age(main_window, tmp_path, qtbot):
    from arxconsole.engine.backup import BackupRepository, create_backup

    ws = make_ws(tmp_path / "plant")
    main_window.open_workspace(ws.root)
    health = main_window.status_items["health"]
    backup = main_window.status_items["backup"]
    qtbot.waitUntil(lambda: backup.text_label.text() == "No backup yet", timeout=10000)
    assert health.text_label.text() in ("Healthy", "Degraded")
    assert "database:" in health.toolTip() and "disk:" in health.toolTip()
    ctx = main_window.ctx
    create_backup(ctx.workspace, BackupRepository.for_data_dir(ctx.data_dir), kind="full",
                  message="t", db=ctx.db)
    main_window.status_monitor.refresh()
    qtbot.waitUntil(lambda: backup.text_label.text() == "Backup just now", timeout=10000)
    assert "full" in backup.toolTip()


def test_sampler_runs_and_feeds_samples(main_window, qtbot):
    got = []
    main_window.status_monitor.sampleTaken.connect(got.append)
    qtbot.waitUntil(lambda: len(got) >= 1, timeout=5000)
    assert "system.cpu_percent" in got[0].values


def test_status_age_text():
    from arxconsole.gui.status import age_text

    assert [age_text(s) for s in (10, 600, 7200, 3 * 86400)] == ["just now", "10 min ago", "2 h ago", "3 days ago"]


def test_demo_opens_and_gets_real_history_in_the_background(qtbot, data_dir, messages):
    from arxconsole.app import build_main_window
    from arxconsole.engine.backup import BackupRepository
    from arxconsole.engine.demo import demo_needs_history, ensure_demo_workspace

    path = ensure_demo_workspace(data_dir.demo_workspace)
    window, ctx = build_main_window(data_dir, path)
    qtbot.addWidget(window)
    assert window.ws_name.text() == "demo-workspace"
    assert window.status_items["run"].text_label.text() == "Preparing demo history…"
    qtbot.waitUntil(lambda: not demo_needs_history(path, ctx.db), timeout=60000)
    qtbot.waitUntil(lambda: window.status_items["run"].isHidden(), timeout=10000)
    assert BackupRepository.for_data_dir(data_dir).list(workspace=path)
    window.close()
    ctx.db.close()


def test_garbage_is_collected_on_the_gui_thread_only(main_window, qtbot):
    """Automatic collection is off (a worker must never run it) and the GUI thread
    collects cycles on its timer."""
    import gc
    import weakref

    assert not gc.isenabled()

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    alive = [Node() for _ in range(2 * gc.get_threshold()[0])]   # generation 0 is due
    qtbot.waitUntil(lambda: gone() is None, timeout=5_000)
    assert len(alive) > 0
