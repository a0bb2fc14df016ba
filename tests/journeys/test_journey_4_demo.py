"""SPEC §9 journey 4 — demo: ``python -m arxconsole --demo --screenshot X.png`` writes a
PNG of the populated demo window.  (The GUI part of the journey — run markers on the CPU
chart, slowest step on the analytics page — is held back until the marker bug is fixed.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui


def test_demo_screenshot_writes_a_png(tmp_path):
    out = tmp_path / "demo.png"
    env = {k: v for k, v in os.environ.items() if k != "ARXCONSOLE_DATA_DIR"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--data-dir", str(tmp_path / "data"), "--demo",
                           "--screenshot", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # not a blank picture: the window has more than a couple of colours in it
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 5
    assert (tmp_path / "data" / "demo-workspace" / "arx-symbol-library").is_dir()
