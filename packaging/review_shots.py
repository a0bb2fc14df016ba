"""Pictures of the surfaces in the states reviewers need to look at, beyond the README's
(`packaging/screenshots.sh`): the pipeline paused mid-run and after a failure, the
restore preview, and the Symbols surface in light and dark with findings shown.

    .venv/bin/python packaging/review_shots.py [OUT_DIR]     (default: build/review-shots)

Drives the real widgets on the demo workspace, in a throw-away data dir, offscreen.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ARXCONSOLE_DATA_DIR", tempfile.mkdtemp(prefix="arx-shots-"))

from PySide6.QtCore import QElapsedTimer, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from arxconsole.app import build_main_window  # noqa: E402
from arxconsole.engine.datadir import DataDir  # noqa: E402
from arxconsole.engine.demo import ensure_demo_workspace  # noqa: E402


def pump(ms: int) -> None:
    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < ms:
        QApplication.processEvents(QEventLoop.AllEvents, 20)


def wait_for(what: str, cond, timeout_ms: int = 60_000) -> None:
    timer = QElapsedTimer()
    timer.start()
    while not cond():
        if timer.elapsed() > timeout_ms:
            raise SystemExit(f"review_shots: timed out waiting for {what}")
        QApplication.processEvents(QEventLoop.AllEvents, 20)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/review-shots")
    out.mkdir(parents=True, exist_ok=True)
    data_dir = DataDir.resolve()
    ws_path = ensure_demo_workspace(data_dir.demo_workspace)
    window, ctx = build_main_window(data_dir, ws_path, "pipeline")
    window.persist_layout = False
    window.resize(1280, 820)
    window.show()
    pipeline = window.surface("pipeline")
    wait_for("the demo's history", lambda: pipeline.runs.rowCount() >= 4)
    pump(500)

    def shot(name: str, widget=None) -> None:
        pump(300)
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        print(path)

    # Pipeline, step by step: paused after step 2 of a real run
    pipeline.system_combo.setCurrentText("electrical")
    pipeline.step_by_step_check.setChecked(True)
    pipeline.start_run()
    wait_for("step 1", lambda: pipeline._paused or not pipeline.driver.active)
    pipeline.next_step()
    pump(200)
    wait_for("step 2", lambda: pipeline._paused or not pipeline.driver.active)
    shot("pipeline-mid-run")
    pipeline.cancel_run()
    wait_for("the cancel", lambda: not pipeline.driver.active)
    shot("pipeline-cancelled")
    # the demo's failed run (fire_alarm, rolled back) opened from the history
    failed = next(pipeline.runs.row(r)["run_id"] for r in range(pipeline.runs.rowCount())
                  if pipeline.runs.row(r)["state"] == "rolled_back" and pipeline.runs.row(r)["system"] == "fire_alarm")
    pipeline.open_run(failed)
    wait_for("the failed run", lambda: pipeline._loader is None)
    shot("pipeline-after-failure")

    # Backups: the restore preview of the oldest backup
    window.show_surface("backups")
    backups = window.surface("backups")
    wait_for("the backups list", lambda: len(backups.model.rows) >= 3)
    from arxconsole.engine.backup import plan_restore
    from arxconsole.gui.backups.dialogs import RestorePreviewDialog

    oldest = min(backups.model.rows, key=lambda r: r.created)
    backups.select_backup(oldest.id)
    pump(800)
    shot("backups-browser")
    dialog = RestorePreviewDialog(plan_restore(ctx.workspace, backups.repo, oldest.id, paths=None), oldest, window)
    dialog.show()
    shot("backups-restore-preview", dialog)
    dialog.reject()

    # Symbols, a symbol with findings, light then dark
    from arxconsole.gui.theme import apply_theme

    window.show_surface("symbols")
    symbols = window.surface("symbols")
    wait_for("the library", lambda: len(symbols.library.entries) >= 12)
    symbols.open_symbol("AV_Projector_002")   # a symbol with a warning to show
    pump(800)
    shot("symbols-light")
    apply_theme(QApplication.instance(), "dark")
    pump(500)
    shot("symbols-dark")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
