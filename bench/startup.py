"""Startup: time until the main window is shown vs a bare PySide6 window, same machine,
same run (SPEC §8: <= 1.5x).

Each sample is a fresh process measured from spawn to the moment its event loop has
shown the window (it prints "shown" and quits).  Runs alternate to share the noise.
Usage: python bench/startup.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, report  # noqa: E402

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 820); w.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""


def time_process(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - t0
    if "shown" not in proc.stdout:
        raise SystemExit(f"{cmd} did not show a window:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="arx-startup-")
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform, ARXCONSOLE_DATA_DIR=data,
               ARXCONSOLE_EXIT_WHEN_SHOWN="1")
    ours_cmd = [sys.executable, "-m", "arxconsole", "--demo"]
    # warm-up: OS file cache, first-run demo creation and database migration
    time_process(ours_cmd, env)
    time_process([sys.executable, "-c", BARE], env)
    bare, ours = [], []
    for _ in range(args.runs):
        bare.append(time_process([sys.executable, "-c", BARE], env))
        ours.append(time_process(ours_cmd, env))
    b, o = median(bare), median(ours)
    print(f"platform {args.platform}, {args.runs} runs each, medians: bare PySide6 window {b*1000:.0f} ms, "
          f"ArxConsole --demo main window {o*1000:.0f} ms")
    report("startup ratio (ArxConsole / bare window)", o / b, "x", 1.5)


if __name__ == "__main__":
    main()
