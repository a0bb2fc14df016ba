from __future__ import annotations

import subprocess
import sys


def test_selftest_passes_and_prints_one_line_per_check(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--selftest", "--data-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    names = [line.split()[1].rstrip(":") for line in lines[:-1]]
    assert names == ["data-dir", "database", "qt-platform", "svg-render", "resources", "keyring"]
    assert lines[-1].startswith("selftest: passed")


def test_selftest_fails_on_unwritable_data_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "arxconsole.sqlite3").mkdir()  # the database path is a folder: cannot open
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--selftest", "--data-dir", str(ro)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "FAIL  database" in proc.stdout
    assert "ok    svg-render" in proc.stdout  # the other checks still ran
