"""read_bounded: a regular file only, at most N bytes, never a hang."""

from __future__ import annotations

import os

import pytest

from arxconsole.engine.bounded_read import FileProblem, TooLarge, read_bounded


def test_reads_a_regular_file_and_refuses_the_rest_with_a_reason(tmp_path):
    f = tmp_path / "a.json"
    f.write_bytes(b"x" * 100)
    assert read_bounded(f, 100) == b"x" * 100
    with pytest.raises(TooLarge) as err:
        read_bounded(f, 99)
    assert err.value.size == 100 and str(err.value) == "file is 100 bytes, above the 99-byte limit; not read"
    (tmp_path / "dir").mkdir()
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "pipe")                 # a blocking open would wait for a writer forever
    for name, words in (("dir", "a folder, not a file"),
                        ("dangling", f"symbolic link points nowhere ({tmp_path / 'nowhere'})"),
                        ("pipe", "not a regular file (a named pipe, socket or device); not read"),
                        ("missing", "cannot read: No such file or directory")):
        with pytest.raises(FileProblem) as err:
            read_bounded(tmp_path / name, 1000)
        assert str(err.value) == words, name
    assert read_bounded(f, 10**9) == b"x" * 100   # a huge limit allocates nothing up front


def test_empty_file_reads_as_empty(tmp_path):
    f = tmp_path / "empty"
    f.write_bytes(b"")
    assert read_bounded(f, 10) == b""


def test_pipes_at_schema_profile_and_symbol_paths_never_hang_a_command(tmp_path):
    # Every file the library pass, the checks and a run read goes through read_bounded;
    # a subprocess with a timeout turns a regression (a hang) into a failure.
    import subprocess
    import sys

    from arxconsole.engine.demo import write_demo_workspace

    ws = tmp_path / "ws"
    write_demo_workspace(ws)
    os.mkfifo(ws / "behavior" / "electrical" / "zz_pipe.yaml")
    os.mkfifo(ws / "arx-symbol-library" / "electrical" / "EL_Pipe_001.json")
    (ws / "schemas" / "fire_alarm" / "schema.json").unlink()
    os.mkfifo(ws / "schemas" / "fire_alarm" / "schema.json")
    env = {**os.environ, "ARXCONSOLE_DATA_DIR": str(tmp_path / "data")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "arxconsole", *args], capture_output=True, text=True,
                              timeout=120, env=env)

    out = run("validate", "-w", str(ws))
    assert out.returncode == 1
    assert "EL_Pipe_001.json: not a regular file (a named pipe, socket or device)" in out.stdout
    out = run("profiles", "check", "-w", str(ws), "--system", "electrical")
    assert out.returncode == 1 and "zz_pipe.yaml: not a regular file" in out.stdout
    out = run("run", "-w", str(ws), "--system", "fire_alarm", "--dry-run")
    assert out.returncode == 1
    assert "schemas/fire_alarm/schema.json: not a regular file (a named pipe, socket or device)" in out.stdout + out.stderr
