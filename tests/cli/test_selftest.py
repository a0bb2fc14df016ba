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


def test_selftest_reports_a_data_dir_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--selftest", "--data-dir", str(blocker / "data")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"FAIL  data-dir: RuntimeError: cannot use data folder {blocker / 'data'} (from --data-dir): " \
           f"{blocker} is a file, not a folder" in proc.stdout
    assert "FAIL  database" in proc.stdout and "ok    svg-render" in proc.stdout


def test_every_command_names_an_unusable_data_dir_without_a_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = {**__import__("os").environ, "ARXCONSOLE_DATA_DIR": str(blocker), "QT_QPA_PLATFORM": "offscreen"}
    for args in (["runs", "list"], ["health"], ["--screenshot", str(tmp_path / "shot.png")]):
        proc = subprocess.run([sys.executable, "-m", "arxconsole", *args], capture_output=True, text=True,
                              timeout=120, env=env)
        assert proc.returncode == 1, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert f"cannot use data folder {blocker} (from $ARXCONSOLE_DATA_DIR): {blocker} is a file, not a folder" \
            in proc.stderr, (args, proc.stderr)


def test_a_file_where_the_logs_folder_belongs_ends_the_gui_start_with_its_name(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "logs").write_text("not a folder")
    env = {**__import__("os").environ, "ARXCONSOLE_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--screenshot", str(tmp_path / "s.png")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{data / 'logs'} is a file, not a folder" in proc.stderr
    assert not (tmp_path / "s.png").exists()
