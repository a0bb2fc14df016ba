from __future__ import annotations

import subprocess
import sys

from arxconsole import __version__
from arxconsole.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"arxconsole {__version__}"


def test_unknown_command_is_usage_error():
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


def test_data_dir_option_moves_state(tmp_path, monkeypatch):
    monkeypatch.delenv("ARXCONSOLE_DATA_DIR")
    from arxconsole.cli.context import CliContext
    from arxconsole.cli import build_parser

    args = build_parser().parse_args(["--data-dir", str(tmp_path / "state")])
    ctx = CliContext(args)
    assert ctx.data_dir.root == (tmp_path / "state").resolve()
    ctx.db  # opens and migrates
    assert (tmp_path / "state" / "arxconsole.sqlite3").is_file()
    assert (tmp_path / "state" / "logs" / "arxconsole.log").is_file()
    ctx.close()


def test_commands_get_the_collector_back_that_the_entry_point_paused(tmp_path):
    """The entry point pauses the cyclic collector for start-up; a command (not the GUI)
    must run with it on again, or a long validation would never collect cycles."""
    probe = (
        "import gc, sys\n"
        "import arxconsole.cli as cli\n"
        "real = cli.CliContext\n"
        "seen = []\n"
        "cli.CliContext = lambda args: (seen.append(gc.isenabled()), real(args))[1]\n"
        "from arxconsole.__main__ import main\n"
        f"sys.argv = ['arxconsole', 'validate', {str(tmp_path / 'missing.json')!r}]\n"
        "main()\n"
        "print('gc', seen)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().endswith("gc [True]"), proc.stdout + proc.stderr


def test_json_errors_are_one_json_document_on_stdout(tmp_path):
    # A script parsing --json output gets a document even when the command fails
    # (the message is on stderr as well); success output is unchanged.
    import json

    def run(*args):
        return subprocess.run([sys.executable, "-m", "arxconsole", *args], capture_output=True, text=True,
                              timeout=120)

    missing = tmp_path / "nope.json"
    proc = run("--json", "validate", str(missing))
    assert proc.returncode == 2 and f"no such file or folder: {missing}" in proc.stderr
    assert json.loads(proc.stdout) == {"error": f"no such file or folder: {missing}",
                                       "errors": [f"no such file or folder: {missing}"], "exit_code": 2}
    proc = run("validate", "--json", "--bogus")          # argparse's own error
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert doc["exit_code"] == 2 and "unrecognized arguments: --bogus" in doc["error"]
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = run("--json", "--data-dir", str(blocker), "runs", "list")   # a failed operation: exit 1
    assert proc.returncode == 1 and json.loads(proc.stdout)["exit_code"] == 1
    proc = run("validate", "--bogus")                                # without --json: nothing on stdout
    assert proc.returncode == 2 and proc.stdout == ""
