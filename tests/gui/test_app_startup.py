"""Start-up tuning that must stay safe: PySide6's per-import source scan is skipped
only while nothing in the process selects a PySide ``__feature__``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import arxconsole

FEATURE_IMPORT = re.compile(r"^\s*(from\s+__feature__\s+import|import\s+__feature__)", re.MULTILINE)


def _sources(package_dir: Path):
    return sorted(package_dir.rglob("*.py"))


def test_no_module_of_ours_or_of_our_qt_libraries_selects_a_pyside_feature():
    import pyqtgraph

    roots = [Path(arxconsole.__file__).parent, Path(pyqtgraph.__file__).parent]
    users = [str(p) for root in roots for p in _sources(root)
             if FEATURE_IMPORT.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert users == [], "skip_pyside_source_scan (arxconsole/app.py) is wrong once a module selects a feature"
    assert len([p for root in roots for p in _sources(root)]) > 100   # the scan really looked


def test_the_application_skips_the_scan_and_qt_still_works(tmp_path):
    # A fresh process: the scan is PySide's import hook, installed at its first import.
    code = """
import sys
from arxconsole.app import _make_application
app = _make_application()
import shibokensupport.feature as feature
sys.path.insert(0, sys.argv[1])
import probe_module   # names PySide6: the scan would read it and record 0
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
label = QLabel("x"); label.setAlignment(Qt.AlignRight)
print(feature._mod_uses_pyside(probe_module), feature.pyside_feature_dict.get("probe_module"), int(label.alignment().value) != 0)
"""
    (tmp_path / "probe_module.py").write_text("# uses PySide6\nVALUE = 1\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "-1", "True"]
